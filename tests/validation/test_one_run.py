# SPDX-License-Identifier: Apache-2.0
"""The one-run promise: every problem of a DGD is reported in the same run.

Each check below used to live only in a builder, so it was reported only after every
validation error had been fixed. It is a rule now (``krm_dynamo.graph.rules``): a DGD with
one of these mistakes and an ordinary validation error reports both, and nothing is built.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from krm_dynamo.core import expand

IMG = "nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.6.0"
VLLM_ARGS = ["python3 -m dynamo.vllm --model x"]
# The ordinary validation error every case carries: autoscaling bounds the wrong way round.
BOUNDS_PATH = "spec.services.Frontend.autoscaling.maxReplicas"


def _dgd(**services: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "Frontend": {
            "componentType": "frontend",
            "autoscaling": {"enabled": True, "minReplicas": 3, "maxReplicas": 2},
            "extraPodSpec": {"mainContainer": {"image": IMG}},
        },
        "W": {
            "componentType": "worker",
            "resources": {"limits": {"gpu": "1"}},
            "extraPodSpec": {"mainContainer": {"image": IMG, "args": VLLM_ARGS}},
        },
    }
    base.update(copy.deepcopy(services))
    return {
        "apiVersion": "nvidia.com/v1alpha1",
        "kind": "DynamoGraphDeployment",
        "metadata": {"name": "g", "namespace": "ns"},
        "spec": {"backendFramework": "vllm", "services": base},
    }


def _worker(pod: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    """The worker with ``fields`` over it and ``pod`` merged into its ``extraPodSpec``."""
    svc: dict[str, Any] = {
        "componentType": "worker",
        "resources": {"limits": {"gpu": "1"}},
        "extraPodSpec": {"mainContainer": {"image": IMG, "args": VLLM_ARGS}},
    }
    svc.update(fields)
    svc["extraPodSpec"].update(pod or {})
    return svc


def _errors(dgd: dict[str, Any]) -> list[tuple[str | None, str]]:
    out, results = expand([dgd])
    assert [o for o in out if o.get("kind") != "DynamoGraphDeployment"] == [], "nothing is built on error"
    return [(r.field_path, r.message) for r in results if r.severity == "error"]


def _config_env(entry: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"name": "DYN_DEPLOYMENT_CONFIG", "value": json.dumps({"W": entry})}]


def test_a_former_builder_error_and_a_validation_error_in_one_run() -> None:
    """One former validation error and one former builder-only error: both in the same run."""
    sidecar = {"name": "proxy", "image": IMG, "resources": {"limits": {"cpu": "lots"}}}
    errors = _errors(_dgd(W=_worker({"containers": [sidecar]})))
    paths = [path for path, _ in errors]
    assert BOUNDS_PATH in paths
    assert "spec.services.W.extraPodSpec.containers[0].resources.limits.cpu" in paths
    assert len(errors) == 2, errors


# (case id, worker service, expected field path, message fragment); a multinode service gets
# LeaderWorkerSets (the default orchestrator).
FORMER_BUILDER_CHECKS = [
    ("sidecar-quantity",
     _worker({"containers": [{"name": "p", "image": IMG, "resources": {"requests": {"memory": "1 Gi"}}}]}),
     "spec.services.W.extraPodSpec.containers[0].resources.requests.memory", "parse requests memory quantity"),
    ("init-container-quantity",
     _worker({"initContainers": [{"name": "i", "image": IMG, "resources": {"limits": {"cpu": "x"}}}]}),
     "spec.services.W.extraPodSpec.initContainers[0].resources.limits.cpu", "parse limits cpu quantity"),
    ("empty-dir-size-limit",
     _worker({"volumes": [{"name": "scratch", "emptyDir": {"sizeLimit": "big"}}]}),
     "spec.services.W.extraPodSpec.volumes[0].emptyDir.sizeLimit", "invalid `sizeLimit`"),
    ("main-container-unset-quantity",
     _worker({"mainContainer": {"image": IMG, "args": VLLM_ARGS, "resources": {"requests": {"cpu": None}}}}),
     "spec.services.W.extraPodSpec.mainContainer.resources.requests.cpu", "parse requests cpu quantity"),
    ("deployment-config-quantity",
     _worker(envs=_config_env({"ServiceArgs": {"resources": {"memory": "lots"}}})),
     "spec.services.W.resources.limits.memory", "parse limits memory quantity"),
    ("multinode-gpu-limit",
     _worker(multinode={"nodeCount": 2}, resources={}),
     "spec.services.W.resources.limits.gpu", "expected `resources.limits.gpu` on a multinode service"),
    ("multinode-main-container-name",
     _worker({"mainContainer": {"image": IMG, "args": VLLM_ARGS, "name": "engine"}}, multinode={"nodeCount": 2}),
     "spec.services.W.extraPodSpec.mainContainer.name", 'keep the name "main"'),
    ("multinode-args",
     _worker({"mainContainer": {"image": IMG}}, multinode={"nodeCount": 2}),
     "spec.services.W.extraPodSpec.mainContainer.args", "the leader pod of the LeaderWorkerSet would have none"),
    ("multinode-probe",
     {"componentType": "frontend", "multinode": {"nodeCount": 2}, "resources": {"limits": {"gpu": "1"}},
      "extraPodSpec": {"mainContainer": {"image": IMG, "startupProbe": {"periodSeconds": 5}}}},
     "spec.services.W.extraPodSpec.mainContainer.startupProbe", "expected the probe to name a handler"),
]


@pytest.mark.parametrize(("worker", "path", "fragment"), [case[1:] for case in FORMER_BUILDER_CHECKS],
                         ids=[case[0] for case in FORMER_BUILDER_CHECKS])
def test_former_builder_check_reported_with_validation_errors(worker: dict[str, Any], path: str,
                                                             fragment: str) -> None:
    errors = _errors(_dgd(W=worker))
    assert BOUNDS_PATH in [p for p, _ in errors], errors
    assert any(p == path and fragment in m for p, m in errors), errors


def test_former_builder_checks_pass_on_valid_input() -> None:
    """The moved rules stay quiet on what the builders accept (canonical quantities, a GPU limit, args)."""
    worker = _worker({"containers": [{"name": "p", "image": IMG, "resources": {"limits": {"cpu": "500m"}}}],
                      "volumes": [{"name": "scratch", "emptyDir": {"sizeLimit": "1Gi"}}]},
                     multinode={"nodeCount": 2})
    dgd = _dgd(W=worker)
    del dgd["spec"]["services"]["Frontend"]["autoscaling"]
    out, results = expand([dgd])
    assert [r for r in results if r.severity == "error"] == []
    assert any(o.get("kind") == "LeaderWorkerSet" for o in out)


def test_kept_user_values_noted_once_per_service() -> None:
    """D21 notes come from the rules, once per service (the builders used to note them once per pod role)."""
    worker = _worker({"schedulerName": "my-sched"}, multinode={"nodeCount": 2})
    planner = {"componentType": "planner", "multinode": {"nodeCount": 2}, "resources": {"limits": {"gpu": "1"}},
               "extraPodSpec": {"mainContainer": {"image": IMG, "args": ["run"]}, "serviceAccountName": "mine"}}
    dgd = _dgd(W=worker, P=planner)
    del dgd["spec"]["services"]["Frontend"]["autoscaling"]
    _, results = expand([dgd])
    infos = [r.field_path for r in results if r.severity == "info" and r.field_path]
    assert infos == ["spec.services.W.extraPodSpec.schedulerName", "spec.services.P.extraPodSpec.serviceAccountName"]


def test_virtual_service_tls_noted_with_the_rules() -> None:
    frontend = {"componentType": "frontend", "extraPodSpec": {"mainContainer": {"image": IMG}},
                "autoscaling": {"enabled": True, "minReplicas": 3, "maxReplicas": 2},
                "ingress": {"enabled": True, "host": "a", "hostSuffix": "b.c", "useVirtualService": True,
                            "virtualServiceGateway": "gw", "tls": {"secretName": "s"}}}
    _, results = expand([_dgd(Frontend=frontend)])
    assert [(r.severity, r.field_path) for r in results if r.field_path and "ingress" in r.field_path] == [
        ("info", "spec.services.Frontend.ingress.tls.secretName")]
    assert BOUNDS_PATH in [r.field_path for r in results if r.severity == "error"]
