# SPDX-License-Identifier: Apache-2.0
"""S02 (resources.claims) and S08 (gpuType) under operator 1.x, and their rules."""

from __future__ import annotations

import copy
from typing import Any

from krm_dynamo.core import expand

CONFIG = {"apiVersion": "fn.krm-dynamo.dev/v1alpha1", "kind": "KrmDynamoConfig", "metadata": {"name": "c"},
          "operatorVersion": "1.1"}
DGD: dict[str, Any] = {
    "apiVersion": "nvidia.com/v1alpha1", "kind": "DynamoGraphDeployment",
    "metadata": {"name": "g", "namespace": "ns"},
    "spec": {"backendFramework": "vllm", "services": {"W": {
        "componentType": "worker",
        "resources": {"limits": {"gpu": "2", "gpuType": "gpu.intel.com/xe"}, "claims": [{"name": "c1"}]},
        "extraPodSpec": {"resourceClaims": [{"name": "c1", "resourceClaimTemplateName": "t"}],
                         "mainContainer": {"image": "img", "command": ["python3", "-m", "dynamo.vllm"],
                                           "resources": {"claims": [{"name": "c0"}]}}},
    }}},
}


def _run(dgd: dict[str, Any], release: str = "1.1") -> tuple[list[dict[str, Any]], list[Any]]:
    return expand([dgd], {**CONFIG, "operatorVersion": release})


def _main(out: list[dict[str, Any]]) -> dict[str, Any]:
    deployment = next(o for o in out if o["kind"] == "Deployment")
    return next(c for c in deployment["spec"]["template"]["spec"]["containers"] if c["name"] == "main")


def _dgd(**resources: Any) -> dict[str, Any]:
    dgd = copy.deepcopy(DGD)
    dgd["spec"]["services"]["W"]["resources"].update(resources)
    return dgd


def test_claims_appended_after_main_container_claims_and_gpu_type() -> None:
    dgd = _dgd()
    dgd["spec"]["services"]["W"]["extraPodSpec"]["resourceClaims"].append({"name": "c0"})
    out, results = _run(dgd)
    assert not [r for r in results if r.severity == "error"]
    resources = _main(out)["resources"]
    assert resources["claims"] == [{"name": "c0"}, {"name": "c1"}]
    assert resources["limits"] == {"gpu.intel.com/xe": "2"}


def test_release_0_6_drops_both_fields() -> None:
    out, results = _run(_dgd(), "0.6")
    resources = _main(out)["resources"]
    assert resources["limits"] == {"nvidia.com/gpu": "2"}
    assert resources["claims"] == [{"name": "c0"}]  # the mainContainer's own, as written
    assert any("exists from operator 1.0" in r.message for r in results)


def test_undeclared_claim_is_an_error() -> None:
    _, results = _run(_dgd(claims=[{"name": "nope"}, {"request": "x"}]))
    errors = {r.field_path: r.message for r in results if r.severity == "error"}
    assert "is not in `extraPodSpec.resourceClaims`" in errors["spec.services.W.resources.claims[0].name"]
    assert "with a `name`" in errors["spec.services.W.resources.claims[1]"]


def test_bad_gpu_type_is_an_error() -> None:
    dgd = _dgd(limits={"gpu": "1", "gpuType": "gpus"})
    _, results = _run(dgd)
    assert any(r.severity == "error" and "gpuType" in r.message for r in results)
