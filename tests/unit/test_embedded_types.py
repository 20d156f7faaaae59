# SPDX-License-Identifier: Apache-2.0
"""Embedded Kubernetes types (PodSpec, Container, Probe, EnvVar, HPA metrics and behaviour)
checked against the Kubernetes schemas.

An unknown field is dropped with a warning and a "did you mean" for a near miss (the API
server prunes it from a live DGD, D31); a missing required field or a wrong type is an
error naming the field, and nothing is generated.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from krm_dynamo.core import expand
from krm_dynamo.kube import schemas

IMG = "nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.6.0"
W = "spec.services.Worker"
MC = f"{W}.extraPodSpec.mainContainer"


def _dgd(worker: dict[str, Any] | None = None, **spec: Any) -> dict[str, Any]:
    """A frontend and a vLLM worker; ``worker`` is laid over the worker (``extraPodSpec`` one level deeper)."""
    svc: dict[str, Any] = {
        "componentType": "worker",
        "replicas": 1,
        "resources": {"limits": {"gpu": "1"}},
        "extraPodSpec": {"mainContainer": {"image": IMG, "command": ["python3", "-m", "dynamo.vllm"]}},
    }
    for key, value in copy.deepcopy(worker or {}).items():
        if key == "extraPodSpec":
            main = {**svc["extraPodSpec"]["mainContainer"], **value.pop("mainContainer", {})}
            svc["extraPodSpec"] = {**value, "mainContainer": main}
        else:
            svc[key] = value
    services = {"Frontend": {"componentType": "frontend", "extraPodSpec": {"mainContainer": {"image": IMG}}},
                "Worker": svc}
    return {"apiVersion": "nvidia.com/v1alpha1", "kind": "DynamoGraphDeployment",
            "metadata": {"name": "llm", "namespace": "ns"}, "spec": {**spec, "services": services}}


def _run(dgd: dict[str, Any]) -> tuple[list[dict[str, Any]], list[tuple[str, str | None, str]]]:
    objects, results = expand([dgd])
    assert not any(r.message.startswith("internal error") for r in results)
    generated = [o for o in objects if o.get("kind") != "DynamoGraphDeployment"]
    return generated, [(r.severity, r.field_path, r.message) for r in results if r.severity != "info"]


def _keys(node: Any) -> set[str]:
    """Every mapping key anywhere under ``node``."""
    if isinstance(node, dict):
        return set(node) | {k for v in node.values() for k in _keys(v)}
    if isinstance(node, list):
        return {k for v in node for k in _keys(v)}
    return set()


# --- unknown fields: dropped, with a warning -------------------------------------------------

UNKNOWN = [
    pytest.param({"extraPodSpec": {"mainContainer": {"imagePullPolicyy": "Always"}}},
                 f"{MC}.imagePullPolicyy", "Container", "imagePullPolicy", id="container-near-miss"),
    pytest.param({"extraPodSpec": {"mainContainer": {"livenessprobe": {"periodSeconds": 5}}}},
                 f"{MC}.livenessprobe", "Container", "livenessProbe", id="container-case"),
    pytest.param({"extraPodSpec": {"nodeSelecter": {"gpu": "a100"}}},
                 f"{W}.extraPodSpec.nodeSelecter", "PodSpec", "nodeSelector", id="podspec"),
    pytest.param({"extraPodSpec": {"mainContainr": {"image": IMG}}},
                 f"{W}.extraPodSpec.mainContainr", "PodSpec", "mainContainer", id="main-container-itself"),
    pytest.param({"extraPodSpec": {"volumes": [{"name": "cfg", "configMap": {"name": "cfg", "nmae": "x"}}]}},
                 f"{W}.extraPodSpec.volumes[0].configMap.nmae", "ConfigMapVolumeSource", "name", id="volume"),
    pytest.param({"extraPodSpec": {"mainContainer": {
                     "volumeMounts": [{"name": "cfg", "mountPath": "/cfg", "workingDir": "/w"}]},
                  "volumes": [{"name": "cfg", "configMap": {"name": "cfg"}}]}},
                 f"{MC}.volumeMounts[0].workingDir", "VolumeMount", None, id="volume-mount-no-near-miss"),
    pytest.param({"livenessProbe": {"httpGet": {"path": "/live", "port": 9090}, "initialDelaySecond": 5}},
                 f"{W}.livenessProbe.initialDelaySecond", "Probe", "initialDelaySeconds", id="service-probe"),
    pytest.param({"envs": [{"name": "A", "valu": "b"}]}, f"{W}.envs[0].valu", "EnvVar", "value", id="envs"),
    pytest.param({"autoscaling": {"enabled": True, "minReplicas": 1, "maxReplicas": 3,
                                  "behavior": {"scaleUp": {"stabilizationWindowSecond": 30}}},
                  "extraPodSpec": {"mainContainer": {"resources": {"requests": {"cpu": "1"}}}}},
                 f"{W}.autoscaling.behavior.scaleUp.stabilizationWindowSecond", "HPAScalingRules",
                 "stabilizationWindowSeconds", id="hpa-behavior"),
    pytest.param({"autoscaling": {"enabled": True, "minReplicas": 1, "maxReplicas": 3, "metrics": [
                     {"type": "Resource", "resource": {"name": "memory", "target": {
                         "type": "Utilization", "averageUtilisation": 80}}}]}},
                 f"{W}.autoscaling.metrics[0].resource.target.averageUtilisation", "MetricTarget",
                 "averageUtilization", id="hpa-metric"),
]


@pytest.mark.parametrize(("worker", "path", "type_name", "near"), UNKNOWN)
def test_unknown_embedded_field_is_dropped_with_a_warning(worker, path, type_name, near):
    generated, results = _run(_dgd(worker))
    key = path.rsplit(".", 1)[-1]
    hint = f"; did you mean `{near}`?" if near else ""
    message = f"unknown field `{key}` is dropped (not part of a Kubernetes {type_name}){hint}"
    assert results == [("warning", path, message)]
    assert generated, "a warning never stops the expansion"
    assert key not in _keys(generated), "the unknown field is not copied into any generated object"


def test_unknown_field_in_graph_envs_is_dropped():
    generated, results = _run(_dgd(envs=[{"name": "LOG", "value": "info", "vaule": "x"}]))
    assert results == [("warning", "spec.envs[0].vaule",
                        "unknown field `vaule` is dropped (not part of a Kubernetes EnvVar); did you mean `value`?")]
    assert "vaule" not in _keys(generated)
    worker = next(o for o in generated if o["metadata"]["name"] == "llm-worker")
    env = worker["spec"]["template"]["spec"]["containers"][0]["env"]
    assert {"name": "LOG", "value": "info"} in env


def test_dropping_leaves_the_input_alone():
    dgd = _dgd({"extraPodSpec": {"mainContainer": {"imagePullPolicyy": "Always"}}})
    before = copy.deepcopy(dgd)
    _run(dgd)
    assert dgd == before


def test_known_fields_next_to_an_unknown_one_are_kept():
    worker = {"extraPodSpec": {"mainContainer": {"imagePullPolicy": "Always", "imagePullPolicyy": "Never"}}}
    generated, _ = _run(_dgd(worker))
    deployment = next(o for o in generated if o["metadata"]["name"] == "llm-worker")
    assert deployment["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] == "Always"


# --- wrong types and missing required fields: errors ---------------------------------------

WRONG = [
    pytest.param({"envs": [{"name": "PORT", "value": 8000}]}, f"{W}.envs[0].value",
                 "expected `value` to be a string, got 8000", id="env-value-number"),
    pytest.param({"livenessProbe": {"httpGet": {"path": "/live", "port": 9090}, "periodSeconds": "10"}},
                 f"{W}.livenessProbe.periodSeconds", 'expected `periodSeconds` to be an integer, got "10"',
                 id="probe-period-string"),
    pytest.param({"extraPodSpec": {"tolerations": {"key": "gpu", "operator": "Exists"}}},
                 f"{W}.extraPodSpec.tolerations", "expected `tolerations` to be a list of mappings, got a mapping",
                 id="tolerations-mapping"),
    pytest.param({"autoscaling": {"enabled": True, "minReplicas": 1, "maxReplicas": 3,
                                  "metrics": [{"resource": {"name": "cpu", "target": {"type": "Utilization"}}}]}},
                 f"{W}.autoscaling.metrics[0].type",
                 "expected `type` (required in a Kubernetes MetricSpec), found none",
                 id="hpa-metric-without-type"),
    pytest.param({"extraPodSpec": {"mainContainer": {"command": "python3 -m dynamo.vllm"}}}, f"{MC}.command",
                 'expected `command` to be a list of strings, got "python3 -m dynamo.vllm"', id="command-string"),
    pytest.param({"extraPodSpec": {"mainContainer": {"ports": [{"name": "system", "containerPort": 80.0}]}}},
                 f"{MC}.ports[0].containerPort", "expected `containerPort` to be an integer, got 80.0",
                 id="float-is-no-integer"),
    pytest.param({"extraPodSpec": {"mainContainer": {"tty": "true"}}}, f"{MC}.tty",
                 'expected `tty` to be true or false, got "true"', id="boolean-string"),
    pytest.param({"readinessProbe": {"httpGet": {"path": "/ready", "port": [9090]}}},
                 f"{W}.readinessProbe.httpGet.port",
                 "expected `port` to be a string or an integer, got a list", id="int-or-string"),
    pytest.param({"extraPodSpec": {"mainContainer": {"resources": {"limits": {"cpu": ["1"]}}}}},
                 f"{MC}.resources.limits.cpu", "expected `cpu` to be a string or a number, got a list", id="quantity"),
    pytest.param({"extraPodSpec": {"mainContainer": {"resources": {"limits": "1"}}}}, f"{MC}.resources.limits",
                 'expected `limits` to be a mapping, got "1"', id="resources-limits-string"),
    pytest.param({"extraPodSpec": {"initContainers": [{"image": IMG}]}}, f"{W}.extraPodSpec.initContainers[0].name",
                 "expected `name` (required in a Kubernetes Container), found none", id="init-container-name"),
    pytest.param({"extraPodSpec": {"imagePullSecrets": ["pull"]}}, f"{W}.extraPodSpec.imagePullSecrets[0]",
                 'expected every entry of `imagePullSecrets` to be a mapping, got "pull"', id="list-entry"),
    pytest.param({"extraPodSpec": {"volumes": [{"name": "v", "hostPath": {"path": 7}}]}},
                 f"{W}.extraPodSpec.volumes[0].hostPath.path", "expected `path` to be a string, got 7", id="volume"),
]


@pytest.mark.parametrize(("worker", "path", "message"), WRONG)
def test_wrong_type_is_one_error_naming_the_field(worker, path, message):
    generated, results = _run(_dgd(worker))
    assert results == [("error", path, message)]
    assert generated == []


def test_wrong_type_in_graph_envs():
    generated, results = _run(_dgd(envs=[{"name": "N", "value": True}]))
    assert results == [("error", "spec.envs[0].value", "expected `value` to be a string, got true")]
    assert generated == []


def test_every_problem_is_reported_in_one_run():
    worker = {"envs": [{"name": "A", "value": 1}],
              "extraPodSpec": {"mainContainer": {"imagePullPolicyy": "Always", "tty": "yes"}}}
    _, results = _run(_dgd(worker))
    assert [(s, p) for s, p, _ in results] == [
        ("error", f"{W}.envs[0].value"),
        ("warning", f"{MC}.imagePullPolicyy"),
        ("error", f"{MC}.tty"),
    ]


# --- valid input is left as it is -----------------------------------------------------------

VALID = {
    "envs": [{"name": "A", "value": "1"}, {"name": "B", "value": None},
             {"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
    "livenessProbe": {"httpGet": {"path": "/live", "port": "system"}, "periodSeconds": 5},
    "readinessProbe": {"tcpSocket": {"port": 9090}, "timeoutSeconds": None},
    "autoscaling": {"enabled": True, "minReplicas": 1, "maxReplicas": 4,
                    "metrics": [{"type": "Resource", "resource": {
                        "name": "cpu", "target": {"type": "AverageValue", "averageValue": 2}}}],
                    "behavior": {"scaleDown": {"stabilizationWindowSeconds": 300,
                                               "policies": [{"type": "Pods", "value": 1, "periodSeconds": 60}]}}},
    "extraPodSpec": {
        "terminationGracePeriodSeconds": 0,
        "nodeSelector": {"nvidia.com/gpu.product": "H100"},
        "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
        "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchExpressions": [{"key": "k", "operator": "In", "values": ["a"]}]}]}}},
        "volumes": [{"name": "cfg", "configMap": {"name": "cfg", "defaultMode": 420}},
                    {"name": "scratch", "emptyDir": {"sizeLimit": "10Gi"}}],
        "containers": [{"name": "sidecar", "image": "busybox:1.36", "args": ["sleep", "inf"]}],
        "mainContainer": {
            "workingDir": "/workspace",
            "resources": {"requests": {"cpu": 2, "memory": "8Gi"}},
            # the worker's default probes use the port named "system" (kept here so no probe warning)
            "ports": [{"name": "system", "containerPort": 9090, "protocol": "TCP"},
                      {"name": "metrics", "containerPort": 9091, "protocol": "TCP"}],
            "volumeMounts": [{"name": "cfg", "mountPath": "/cfg", "readOnly": True}],
            "securityContext": {"capabilities": {"add": ["IPC_LOCK"]}},
            "lifecycle": {"preStop": {"sleep": {"seconds": 5}}, "stopSignal": "SIGTERM"},
        },
    },
}


def test_valid_embedded_fields_give_no_result():
    generated, results = _run(_dgd(VALID))
    assert results == []
    assert generated


# --- the checker itself ----------------------------------------------------------------------


def _container_problems(value: dict[str, Any]) -> list[schemas.SchemaProblem]:
    return schemas.Checker(schemas.ref("io.k8s.api.core.v1.Container")).problems(value)


@pytest.mark.parametrize("port", [True, 1.5, 80.0])
def test_an_integer_is_a_whole_number_never_a_boolean_or_a_float(port):
    problems = _container_problems({"name": "c", "ports": [{"containerPort": port}]})
    assert [(p.kind, p.loc, p.expected) for p in problems] == [("type", ("ports", 0, "containerPort"), "an integer")]


def test_null_is_unset():
    assert _container_problems({"name": "c", "image": None, "livenessProbe": {"httpGet": {"port": None}}}) == []


def test_embedded_clears_only_the_top_required_list():
    checker = schemas.Checker(schemas.embedded("io.k8s.api.core.v1.PodSpec"))
    assert checker.problems({}) == []  # PodSpec requires `containers`; the CRD does not
    assert [p.loc for p in checker.problems({"containers": [{}]})] == [("containers", 0, "name")]


def test_definitions_are_kubernetes_1_33():
    assert schemas.kubernetes_version() == "1.33.0"
    lifecycle = schemas.definitions()["io.k8s.api.core.v1.Lifecycle"]["properties"]
    assert "stopSignal" in lifecycle  # new in 1.33
    assert "hostnameOverride" not in schemas.definitions()["io.k8s.api.core.v1.PodSpec"]["properties"]  # 1.34


def test_definitions_of_operator_1x_are_kubernetes_1_34():
    assert schemas.kubernetes_version("1.34") == "1.34.0"
    assert "hostnameOverride" in schemas.definitions("1.34")["io.k8s.api.core.v1.PodSpec"]["properties"]
    assert "restartPolicyRules" in schemas.definitions("1.34")["io.k8s.api.core.v1.Container"]["properties"]


def _host_dgd() -> dict:
    return {"apiVersion": "nvidia.com/v1alpha1", "kind": "DynamoGraphDeployment",
            "metadata": {"name": "g", "namespace": "ns"},
            "spec": {"services": {"Frontend": {"componentType": "frontend", "extraPodSpec": {
                "hostnameOverride": "front", "mainContainer": {"image": "img:1"}}}}}}


def _pod(items: list) -> dict:
    return next(o for o in items if o["kind"] == "Deployment")["spec"]["template"]["spec"]


def test_a_kubernetes_1_34_field_is_kept_under_operator_1x():
    config = {"apiVersion": "fn.krm-dynamo.dev/v1alpha1", "kind": "KrmDynamoConfig", "metadata": {"name": "c"},
              "operatorVersion": "1.1"}
    items, results = expand([_host_dgd()], config)
    pod = _pod(items)
    assert pod["hostnameOverride"] == "front"
    assert list(pod)[-1] == "hostnameOverride"  # Go field order: after `resources`, the last PodSpec field
    assert not [r for r in results if "hostnameOverride" in r.message]


def test_a_kubernetes_1_34_field_under_operator_0_6_names_the_release_that_has_it():
    items, results = expand([_host_dgd()])
    assert "hostnameOverride" not in _pod(items)
    assert [(r.severity, r.field_path, r.message) for r in results if "hostnameOverride" in r.message] == [(
        "warning", "spec.services.Frontend.extraPodSpec.hostnameOverride",
        "`hostnameOverride` is dropped: a Kubernetes PodSpec field from Kubernetes 1.34, which operator 1.0 "
        "embeds (operator 0.6 embeds 1.33); set operatorVersion: 1.0")]
