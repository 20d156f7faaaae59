# SPDX-License-Identifier: Apache-2.0
"""Conformance-v1 helpers for Kubernetes service discovery (C02, P02, N_E08).

A case's ``input.operatorConfig.discoveryBackend`` becomes functionConfig ``discoveryBackend``.
``unset`` stands for the upstream unit tests' empty operator settings, under which the operator
writes ``DYN_DISCOVERY_BACKEND=kubernetes`` but does not turn Kubernetes discovery on; no
installed operator runs that way (its settings default to ``kubernetes``), so such a case runs
with the default, and the discovery service account that default adds (P02) is dropped before
the pod is compared.
"""

from __future__ import annotations

from typing import Any

ORIGIN = "nvidia.com/dynamo-operator-origin-version"


def backend(case: dict) -> str:
    """The case's discovery backend: ``kubernetes``, ``etcd`` or ``unset``."""
    return str((case["input"].get("operatorConfig") or {}).get("discoveryBackend", "unset"))


def config_settings(case: dict) -> dict[str, Any]:
    """The functionConfig keys the case's operator settings map to."""
    value = backend(case)
    return {"discoveryBackend": value} if value in ("kubernetes", "etcd") else {}


def comparable_pod(case: dict, pod: dict) -> dict:
    """``pod`` without the discovery service account when the case's settings are ``unset``."""
    name = case["input"]["dgd"]["metadata"]["name"]
    if backend(case) == "unset" and pod.get("serviceAccountName") == f"{name}-k8s-service-discovery":
        pod = {k: v for k, v in pod.items() if k != "serviceAccountName"}
    return pod


def check_env(case: dict, main: dict) -> None:
    """``expected.contains`` (env entries present) and ``env has no <NAME>`` assertions."""
    env = main.get("env") or []
    for item in case["expected"].get("contains") or []:
        assert item in env, f"container.env: {item!r} not in {env!r}"
    assertion = str(case["expected"].get("assert", ""))
    if assertion.startswith("env has no "):
        name = assertion.removeprefix("env has no ").strip()
        assert all(e.get("name") != name for e in env), f"container.env has {name}"


def run_propagate_dgd_annotations(case: dict, release: str) -> None:
    """``propagateDGDAnnotations``: the annotations the operator hands to a service, seen on its
    Deployment's metadata (L01: service annotations with the DGD's propagated keys)."""
    from krm_dynamo.core import expand

    inp = case["input"]
    service: dict = {"componentType": "frontend", "replicas": 1}
    if inp.get("serviceAnnotations"):
        service["annotations"] = dict(inp["serviceAnnotations"])
    metadata: dict = {"name": "g", "namespace": "ns"}
    if inp.get("dgdAnnotations"):
        metadata["annotations"] = dict(inp["dgdAnnotations"])
    dgd = {"apiVersion": "nvidia.com/v1alpha1", "kind": "DynamoGraphDeployment", "metadata": metadata,
           "spec": {"services": {"Frontend": service}}}
    config = {"apiVersion": "fn.krm-dynamo.dev/v1alpha1", "kind": "KrmDynamoConfig", "metadata": {"name": "c"},
              "defaultImage": "registry.example/dynamo:1", "operatorVersion": release}
    out, results = expand([dgd], config)
    assert not [r.message for r in results if r.severity == "error"]
    deployment = next(o for o in out if o.get("kind") == "Deployment")
    got = dict(deployment["metadata"].get("annotations") or {})
    if ORIGIN not in (inp.get("dgdAnnotations") or {}) and ORIGIN not in (inp.get("serviceAnnotations") or {}):
        got.pop(ORIGIN, None)  # stamped by the defaulting webhook (V06), which the unit test does not run
    want = case["expected"]["serviceAnnotations"]
    if want is None:
        assert got == {}, got
    else:
        assert {k: got.get(k) for k in want} == want, got
