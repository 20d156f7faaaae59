# SPDX-License-Identifier: Apache-2.0
"""Helpers shared by the multinode and Grove unit tests: build a DGD, expand it, pick objects."""

from __future__ import annotations

from pathlib import Path

from krm_dynamo.core import expand
from krm_dynamo.kio import yamlio

CASES_DIR = Path(__file__).resolve().parent / "cases"
IMAGE = "nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.6.0"
VLLM_ARGS = ["python3 -m dynamo.vllm --model m --tensor-parallel-size 16"]


def dgd(services: dict, backend: str | None = None, annotations: dict | None = None) -> dict:
    metadata: dict = {"name": "g", "namespace": "llm"}
    if annotations:
        metadata["annotations"] = annotations
    spec: dict = {"services": services}
    if backend:
        spec["backendFramework"] = backend
    return {"apiVersion": "nvidia.com/v1alpha1", "kind": "DynamoGraphDeployment", "metadata": metadata, "spec": spec}


def worker(args=None, node_count=2, gpu="8", **extra) -> dict:
    svc: dict = {"componentType": "worker", "multinode": {"nodeCount": node_count},
                 "extraPodSpec": {"mainContainer": {"image": IMAGE, "args": list(VLLM_ARGS if args is None else args)}}}
    if gpu is not None:
        svc["resources"] = {"limits": {"gpu": gpu}}
    svc.update(extra)
    return svc


def run(dgd: dict, config: dict | None = None, items: tuple = ()):
    cfg = {"apiVersion": "fn.krm-dynamo.dev/v1alpha1", "kind": "KrmDynamoConfig", "metadata": {"name": "c"},
           **(config or {})}
    out, results = expand([dgd, *items], cfg)
    return [o for o in out if o.get("kind") != "DynamoGraphDeployment"], results


def ok(dgd: dict, config: dict | None = None, items: tuple = ()):
    out, results = run(dgd, config, items)
    errors = [f"{r.field_path}: {r.message}" for r in results if r.severity == "error"]
    assert not errors, errors
    return out, results


def kinds(out, kind):
    return [o for o in out if o["kind"] == kind]


def golden_objects(kind: str) -> list[dict]:
    objects = []
    for path in sorted(CASES_DIR.glob("*/expected.yaml")):
        for doc in yamlio.load_documents(path.read_text(encoding="utf-8"), str(path)):
            if isinstance(doc, dict) and doc.get("kind") == kind:
                objects.append(doc)
    return objects
