# SPDX-License-Identifier: Apache-2.0
"""Operator 1.1 service features (S14-S18, P05, P08, P11-P14, O02): details the golden cases do not pin."""

from __future__ import annotations

import copy
import json

import pytest

from krm_dynamo import defaults
from krm_dynamo.core import expand
from krm_dynamo.render import features11

IMAGE = "nvcr.io/nvidia/ai-dynamo/vllm-runtime:1.1.0"
FEATURES = defaults.for_release("1.1").features


def _run(spec: dict, release: str = "1.1", annotations: dict | None = None, **config: object) -> tuple[list, list]:
    metadata: dict = {"name": "g", "namespace": "ns"}
    if annotations:
        metadata["annotations"] = annotations
    dgd = {"apiVersion": "nvidia.com/v1alpha1", "kind": "DynamoGraphDeployment", "metadata": metadata, "spec": spec}
    cfg = {"apiVersion": "fn.krm-dynamo.dev/v1alpha1", "kind": "KrmDynamoConfig", "metadata": {"name": "c"},
           "operatorVersion": release, "defaultImage": IMAGE, "graphDeployment": "drop", **config}
    return expand([dgd], cfg)


def _worker(**extra: object) -> dict:
    return {"componentType": "worker", "resources": {"limits": {"gpu": "1"}},
            "extraPodSpec": {"mainContainer": {"command": ["python3", "-m", "dynamo.vllm"]}}, **extra}


@pytest.mark.parametrize(("container", "want"), [
    ({"args": ["--master-port", "29500"]}, {"args": ["--master-port", "29600"]}),
    ({"args": ["--model x --master-port 1234 --y"]}, {"args": ["--model x --master-port 1334 --y"]}),
    ({"command": ["sh", "-c", "vllm --master-port 7 &&"]}, {"command": ["sh", "-c", "vllm --master-port 107 &&"]}),
    ({"args": ["--master-port", "x"]}, {"args": ["--master-port", "x"]}),  # found, but no port: unchanged
    ({"args": ["--master-port=5"]}, {"args": ["--master-port=5", "--master-port", "29600"]}),  # not the flag form
])
def test_engine_1_staggers_the_master_port(container: dict, want: dict) -> None:
    engine = {"name": "engine-1", **copy.deepcopy(container)}
    features11._vllm_overrides(engine, 1, FEATURES)
    assert {k: v for k, v in engine.items() if k in want} == want


def test_multinode_engines_get_nnodes() -> None:
    engine = {"name": "engine-0"}
    features11._vllm_overrides(engine, 3, FEATURES)
    assert {"name": "NNODES", "value": "3"} in engine["env"]


def test_features_of_1_1_are_dropped_under_1_0() -> None:
    """1.0 output does not change with a 1.1-only field: the field is dropped with a warning."""
    plain, _ = _run({"backendFramework": "vllm", "services": {"W": _worker()}}, "1.0")
    featured, results = _run({"backendFramework": "vllm", "labels": {"a": "b"}, "services": {"W": _worker(
        frontendSidecar={"image": "x:1"}, gpuMemoryService={"enabled": True}, failover={"enabled": True})}}, "1.0")
    assert featured == plain
    assert sum("exists from operator 1.1" in r.message for r in results) == 4


def test_replicas_default_to_1_and_workers_no_longer_apply() -> None:
    config = json.dumps({"W": {"ServiceArgs": {"workers": 4}}})
    spec = {"backendFramework": "vllm", "services": {"W": _worker(envs=[{"name": "DYN_DEPLOYMENT_CONFIG",
                                                                            "value": config}])}}
    for release, replicas in (("1.0", 4), ("1.1", 1)):
        out, _ = _run(copy.deepcopy(spec), release)
        assert next(o for o in out if o["kind"] == "Deployment")["spec"]["replicas"] == replicas, release


def test_grove_gets_the_claim_template_and_the_graph_metadata() -> None:
    spec = {"backendFramework": "vllm", "labels": {"env": "prod"}, "annotations": {"cost": "a"},
            "services": {"W": _worker(gpuMemoryService={"enabled": True, "deviceClassName": "gpu.example.com"})}}
    out, results = _run(spec, multinodeOrchestrator="grove")
    assert not [r for r in results if r.severity == "error"]
    pcs = next(o for o in out if o["kind"] == "PodCliqueSet")
    assert pcs["metadata"]["labels"] == {"env": "prod"}
    assert pcs["metadata"]["annotations"] == {"cost": "a"}
    clique = pcs["spec"]["template"]["cliques"][0]
    assert clique["labels"]["env"] == "prod"
    assert clique["spec"]["podSpec"]["resourceClaims"] == [
        {"name": "intrapod-shared-gpu", "resourceClaimTemplateName": "g-w-gpu"}]
    template = next(o for o in out if o["kind"] == "ResourceClaimTemplate")
    assert template["spec"]["spec"]["devices"]["requests"][0]["exactly"] == {
        "deviceClassName": "gpu.example.com", "allocationMode": "ExactCount", "count": 1}


def test_gpu_memory_service_uses_the_first_container() -> None:
    """As the operator: with user containers, the first of them gets the claim, not main."""
    service = _worker(gpuMemoryService={"enabled": True})
    service["extraPodSpec"]["containers"] = [{"name": "helper", "image": "h:1"}]
    out, _ = _run({"backendFramework": "vllm", "services": {"W": service}})
    pod = next(o for o in out if o["kind"] == "Deployment")["spec"]["template"]["spec"]
    helper, main = pod["containers"]
    assert helper["resources"] == {"claims": [{"name": "intrapod-shared-gpu"}]}
    assert main["resources"] == {"limits": {"nvidia.com/gpu": "1"}}
    assert pod["initContainers"][0]["image"] == "h:1"


@pytest.mark.parametrize(("resources", "message"), [
    ({"requests": {"gpu": "1"}}, "without `limits.gpu`"),
    ({"requests": {"gpu": "1"}, "limits": {"gpu": "2"}}, "differs from `limits.gpu`"),
])
def test_a_gpu_request_needs_an_equal_limit_from_1_1(resources: dict, message: str) -> None:
    service = _worker()
    service["resources"] = resources
    _, results = _run({"backendFramework": "vllm", "services": {"W": service}})
    errors = [r.message for r in results if r.severity == "error"]
    assert len(errors) == 1 and message in errors[0]
    _, results = _run({"backendFramework": "vllm", "services": {"W": copy.deepcopy(service)}}, "1.0")
    assert not [r for r in results if r.severity == "error"]


@pytest.mark.parametrize(("classes", "said"), [
    ([], "not in the input"),
    (["other.example.com"], "not among the input's DeviceClasses (other.example.com)"),
    (["gpu.nvidia.com"], None),
])
def test_the_device_class_is_looked_up_in_the_input(classes: list, said: str | None) -> None:
    dgd = {"apiVersion": "nvidia.com/v1alpha1", "kind": "DynamoGraphDeployment", "metadata": {"name": "g"},
           "spec": {"backendFramework": "vllm", "services": {"W": _worker(gpuMemoryService={"enabled": True})}}}
    items = [dgd] + [{"apiVersion": "resource.k8s.io/v1", "kind": "DeviceClass", "metadata": {"name": n}}
                     for n in classes]
    cfg = {"apiVersion": "fn.krm-dynamo.dev/v1alpha1", "kind": "KrmDynamoConfig", "metadata": {"name": "c"},
           "operatorVersion": "1.1", "defaultImage": IMAGE}
    _, results = expand(items, cfg)
    found = [r.message for r in results if "DeviceClass" in r.message]
    assert not found if said is None else len(found) == 1 and said in found[0]


def test_the_service_metrics_annotation_wins_from_1_1() -> None:
    service = {"componentType": "frontend", "annotations": {"nvidia.com/enable-metrics": "true"}}
    for release, label in (("1.0", None), ("1.1", "true")):
        out, _ = _run({"services": {"F": copy.deepcopy(service)}}, release,
                      annotations={"nvidia.com/enable-metrics": "false"})
        labels = next(o for o in out if o["kind"] == "Deployment")["spec"]["template"]["metadata"]["labels"]
        assert labels.get("nvidia.com/metrics-enabled") == label, release
