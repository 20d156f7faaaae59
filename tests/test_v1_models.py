# SPDX-License-Identifier: Apache-2.0
"""``modelRef`` under operator 1.x: base-model label and annotation, one headless Service per model (S05, N06)."""

from __future__ import annotations

import copy
import hashlib
from typing import Any

import k8s_validate

from krm_dynamo.core import expand

CONFIG = {"apiVersion": "fn.krm-dynamo.dev/v1alpha1", "kind": "KrmDynamoConfig", "metadata": {"name": "c"},
          "operatorVersion": "1.0", "defaultImage": "dyn:1", "multinodeOrchestrator": "lws"}
MODEL = "Qwen/Qwen3-0.6B"
HASH = hashlib.sha256(MODEL.encode()).hexdigest()[:8]
WORKER = {"componentType": "worker", "modelRef": {"name": MODEL},
          "extraPodSpec": {"mainContainer": {"command": ["python3", "-m", "dynamo.vllm"]}}}
DGD: dict[str, Any] = {
    "apiVersion": "nvidia.com/v1alpha1", "kind": "DynamoGraphDeployment",
    "metadata": {"name": "g", "namespace": "ns"},
    "spec": {"backendFramework": "vllm", "services": {
        "Frontend": {"componentType": "frontend", "modelRef": {"name": MODEL}},
        "Prefill": {**WORKER, "subComponentType": "prefill"},
        "Other": {**WORKER, "modelRef": {"name": "other"}},
        "Plain": {"componentType": "planner"},
    }},
}


def _run(dgd: dict[str, Any], **config: Any) -> tuple[list[dict[str, Any]], list[Any]]:
    return expand([dgd], {**CONFIG, **config})


def test_labels_annotations_and_one_service_per_model() -> None:
    out, results = _run(copy.deepcopy(DGD))
    assert not [r for r in results if r.severity == "error"]
    k8s_validate.validate_all(out, k8s_validate.version_for(CONFIG))
    deployments = {o["metadata"]["name"]: o for o in out if o["kind"] == "Deployment"}
    prefill = deployments["g-prefill"]
    assert prefill["metadata"]["annotations"]["nvidia.com/dynamo-base-model"] == MODEL
    assert prefill["metadata"]["labels"]["nvidia.com/dynamo-base-model-hash"] == HASH
    service = next(o for o in out if o["kind"] == "Service" and o["metadata"]["name"] == "g-prefill")
    assert service["metadata"]["annotations"]["nvidia.com/dynamo-base-model"] == MODEL  # the component's Service
    assert prefill["spec"]["template"]["metadata"]["labels"]["nvidia.com/dynamo-base-model-hash"] == HASH
    assert "annotations" not in prefill["spec"]["template"]["metadata"]  # the operator's pods get no annotation
    assert "nvidia.com/dynamo-base-model-hash" not in deployments["g-plain"]["spec"]["template"]["metadata"]["labels"]
    headless = [o for o in out if o["kind"] == "Service" and o["metadata"]["name"].startswith("dynamo-model-")]
    assert [s["metadata"]["name"] for s in headless] == [f"dynamo-model-{HASH}", "dynamo-model-"
                                                          + hashlib.sha256(b"other").hexdigest()[:8]]
    assert headless[0]["spec"] == {"ports": [{"name": "system", "protocol": "TCP", "port": 9090, "targetPort": 9090}],
                                   "selector": {"nvidia.com/dynamo-base-model-hash": HASH}, "clusterIP": "None"}
    assert headless[0]["metadata"]["labels"]["nvidia.com/managed-by"] == "dynamo-operator"


def test_grove_cliques_carry_the_label() -> None:
    out, _ = _run(copy.deepcopy(DGD), multinodeOrchestrator="grove")
    pcs = next(o for o in out if o["kind"] == "PodCliqueSet")
    labels = {c["name"]: c["labels"] for c in pcs["spec"]["template"]["cliques"]}
    assert labels["prefill"]["nvidia.com/dynamo-base-model-hash"] == HASH


def test_model_ref_rule_and_0_6() -> None:
    dgd = copy.deepcopy(DGD)
    dgd["spec"]["services"]["Prefill"]["modelRef"] = {"revision": 3}
    _, results = _run(dgd)
    errors = {r.field_path for r in results if r.severity == "error"}
    assert errors == {"spec.services.Prefill.modelRef.name", "spec.services.Prefill.modelRef.revision"}
    out, _ = _run(copy.deepcopy(DGD), operatorVersion="0.6")
    assert not [o for o in out if o["metadata"]["name"].startswith("dynamo-model-")]
