# SPDX-License-Identifier: Apache-2.0
"""The 1.x admission webhooks and the cluster-driven fields, through ``core.expand`` (V01..V06, S09, S11, S12).

Each rule: the exact result under the release that has it, and nothing under 0.6 (no webhooks)
or the release before it.
"""

from __future__ import annotations

import pytest

from krm_dynamo import defaults
from krm_dynamo.core import expand
from krm_dynamo.graph.rules.webhook import is_semver

FE = {"componentType": "frontend"}
WEBHOOK_10 = "(the admission webhook of operator 1.0 rejects it)"
WEBHOOK_11 = "(the admission webhook of operator 1.1 rejects it)"
ORIGIN = "nvidia.com/dynamo-operator-origin-version"
EXECUTOR = "nvidia.com/vllm-distributed-executor-backend"
DISCOVERY = "nvidia.com/dynamo-kube-discovery-mode"


def _expand(version: str, spec: dict, *, name: str = "llm", annotations: dict | None = None):
    metadata: dict = {"name": name, "namespace": "ns"}
    if annotations is not None:
        metadata["annotations"] = annotations
    dgd = {"apiVersion": "nvidia.com/v1alpha1", "kind": "DynamoGraphDeployment", "metadata": metadata, "spec": spec}
    config = {"apiVersion": "fn.krm-dynamo.dev/v1alpha1", "kind": "KrmDynamoConfig", "metadata": {"name": "c"},
              "defaultImage": "registry.example/dynamo:1", "operatorVersion": version}
    return expand([dgd], config)


def results(version: str, spec: dict, **kw) -> list[tuple[str, str | None, str]]:
    """Errors and warnings, without the release notice of an incomplete profile."""
    _, found = _expand(version, spec, **kw)
    return [(r.severity, r.field_path, r.message) for r in found
            if r.severity in ("error", "warning") and not r.message.startswith("operatorVersion ")]


def objects(version: str, spec: dict, **kw) -> list[dict]:
    out, found = _expand(version, spec, **kw)
    assert not [r for r in found if r.severity == "error"], found
    return [o for o in out if o.get("kind") != "DynamoGraphDeployment"]


# --- V01: the create rules --------------------------------------------------------------------


@pytest.mark.parametrize("version", ["1.0", "1.1"])
def test_no_services_is_an_error(version):
    assert results(version, {"services": {}}) == [
        ("error", "spec.services", "expected at least one service in `spec.services` (the admission webhook of "
                                   f"operator {version} rejects a DGD without services)")]
    assert [r[0] for r in results("0.6", {"services": {}})] == ["warning"]


@pytest.mark.parametrize("shm", [{}, {"disabled": False}, {"size": "0"}, {"size": "0Gi", "disabled": False}])
def test_shared_memory_without_size_is_an_error(shm):
    got = "none" if "size" not in shm else f'"{shm["size"]}"'
    assert results("1.0", {"services": {"Frontend": {**FE, "sharedMemory": shm}}}) == [
        ("error", "spec.services.Frontend.sharedMemory.size",
         f"expected a non-zero `size` when shared memory is not disabled, got {got} {WEBHOOK_10}: write the size "
         "(the operator's default is 8Gi) or `disabled: true`")]


@pytest.mark.parametrize("shm", [{"size": "4Gi"}, {"disabled": True}])
def test_shared_memory_accepted(shm):
    assert results("1.1", {"services": {"Frontend": {**FE, "sharedMemory": shm}}}) == []


def test_shared_memory_zero_keeps_its_0_6_warning():
    assert [r[:2] for r in results("0.6", {"services": {"Frontend": {**FE, "sharedMemory": {"size": "0"}}}})] == [
        ("warning", "spec.services.Frontend.sharedMemory.size")]
    assert results("0.6", {"services": {"Frontend": {**FE, "sharedMemory": {}}}}) == []


def test_pvc_storage_class_empty():
    pvc = {"name": "cache", "create": True, "storageClass": "", "size": "1Gi", "volumeAccessMode": "ReadWriteOnce"}
    spec = {"services": {"Frontend": FE}, "pvcs": [pvc]}
    assert results("1.0", spec) == [
        ("error", "spec.pvcs[0].storageClass",
         f'expected a non-empty `storageClass` when `create` is true, got "" {WEBHOOK_10}: name the StorageClass '
         "to provision from")]
    assert results("0.6", spec) == []
    assert results("1.0", {**spec, "pvcs": [{**pvc, "create": False}]}) == []


# --- spec.restart (S11, V01, P15) ----------------------------------------------------------------

TWO = {"Frontend": FE, "Worker": {"componentType": "worker"}}
SEQUENTIAL_WARNING = (
    "warning", "spec.restart",
    'a sequential restart (the default) is rendered finished: every pod template carries `nvidia.com/restartAt: '
    '"r1"`, so applying it restarts all services at once; the operator would restart them one after the other as '
    "each rollout finishes. Apply the services in `order` yourself, or set `type: Parallel` to say so (D65)")


@pytest.mark.parametrize(("restart", "expected"), [
    ({"id": "r1"}, [SEQUENTIAL_WARNING]),
    ({"id": "r1", "strategy": {"type": "Parallel"}}, []),
    ({"id": "r1", "strategy": {"type": "Sequential", "order": ["Worker", "Frontend"]}}, [SEQUENTIAL_WARNING]),
    ({}, [("error", "spec.restart.id",
           "expected `id`, a non-empty string whose every change starts a restart, found none")]),
    ({"id": ""}, [("error", "spec.restart.id",
                   "expected `id`, a non-empty string whose every change starts a restart, found none")]),
    ({"id": 7}, [("error", "spec.restart.id", "expected `id` to be a string, got 7")]),
    ("now", [("error", "spec.restart", 'expected `restart` to be a mapping, got "now"')]),
    ({"id": "r1", "strategy": {"type": "Rolling"}},
     [("error", "spec.restart.strategy.type", 'expected `type` to be "Sequential" or "Parallel", got "Rolling"')]),
    ({"id": "r1", "strategy": {"type": "Parallel", "order": ["Frontend", "Worker"]}},
     [("error", "spec.restart.strategy.order",
       f"expected no `order` with `type: Parallel` {WEBHOOK_11}: every service restarts at once")]),
    ({"id": "r1", "strategy": {"order": ["Frontend", "Frontend", "Worker"]}},
     [("error", "spec.restart.strategy.order",
       f"expected every service once in `order`, got Frontend more than once {WEBHOOK_11}"), SEQUENTIAL_WARNING]),
    ({"id": "r1", "strategy": {"order": ["Frontend"]}},
     [("error", "spec.restart.strategy.order",
       f"expected `order` to name every service of the graph, missing Worker {WEBHOOK_11}"), SEQUENTIAL_WARNING]),
    ({"id": "r1", "strategy": {"order": ["Frontend", "Planner"]}},
     [("error", "spec.restart.strategy.order",
       f'expected `order` to name services of `spec.services`, got "Planner" {WEBHOOK_11}'), SEQUENTIAL_WARNING]),
    ({"id": "r1", "strategy": {"order": "Frontend"}},
     [("error", "spec.restart.strategy.order", 'expected `order` to be a list of service names, got "Frontend"'),
      SEQUENTIAL_WARNING]),
    ({"id": "r1", "when": "now", "strategy": {"type": "Parallel"}},
     [("warning", "spec.restart.when", "unknown field `when` is ignored (the API server drops it; known fields: `id`, `strategy`)")]),
])
def test_restart_rules(restart, expected):
    assert results("1.1", {"services": TWO, "restart": restart}) == expected


@pytest.mark.parametrize("version", ["1.0", "1.1"])
def test_restart_annotates_every_service(version):
    spec = {"services": TWO, "restart": {"id": "r1", "strategy": {"type": "Parallel"}}}
    deployments = [o for o in objects(version, spec) if o["kind"] == "Deployment"]
    assert len(deployments) == 2
    for d in deployments:
        assert d["spec"]["template"]["metadata"]["annotations"]["nvidia.com/restartAt"] == "r1"


def test_restart_under_0_6_is_a_later_field():
    found = results("0.6", {"services": TWO, "restart": {"id": "r1"}})
    assert [r[:2] for r in found] == [("warning", "spec.restart")]
    assert "exists from operator 1.0" in found[0][2]
    for d in objects("0.6", {"services": TWO, "restart": {"id": "r1"}}):
        assert "nvidia.com/restartAt" not in (d["spec"].get("template", {}).get("metadata", {}).get("annotations")
                                              or {})


# --- V03: the name bound ------------------------------------------------------------------------

def test_name_bound_single_node():
    name = "g" * 30
    assert results("1.0", {"services": {"Frontendservice1": FE}}, name=name) == [
        ("error", "spec.services.Frontendservice1",
         f'expected the graph and service names to have at most 45 characters together (Grove\'s pod-name bound), '
         f'got "{name}" (30) + "frontendservice1" (16) = 46 (the admission webhook of operator 1.0 rejects it '
         'whenever the DGD may run on Grove): shorten the graph or service name, or set the DGD annotation '
         '`nvidia.com/enable-grove: "false"`')]
    assert results("1.0", {"services": {"Frontendservice": FE}}, name=name) == []  # exactly 45
    assert results("0.6", {"services": {"Frontendservice1": FE}}, name=name) == []


def test_name_bound_multinode_counts_the_leader_clique():
    worker = {"componentType": "worker", "multinode": {"nodeCount": 2}, "resources": {"limits": {"gpu": "1"}},
              "extraPodSpec": {"mainContainer": {"command": ["python3", "-m", "dynamo.sglang"], "args": ["--x"]}}}
    spec = {"backendFramework": "sglang", "services": {"Worker": worker}}
    errors = [r for r in results("1.1", spec, name="g" * 30) if r[0] == "error"]
    assert [r[:2] for r in errors] == [("error", "spec.services.Worker")]
    assert f'got "{"g" * 30}" (30) + "worker" (6) + "worker-ldr" (10) = 46' in errors[0][2]
    assert [r for r in results("1.1", spec, name="g" * 29) if r[0] == "error"] == []


def test_name_bound_off_when_grove_is_vetoed():
    annotations = {"nvidia.com/enable-grove": "False"}
    assert results("1.0", {"services": {"Frontendservice1": FE}}, name="g" * 30, annotations=annotations) == []


# --- V04: annotation values ---------------------------------------------------------------------


@pytest.mark.parametrize(("version", "annotations", "expected"), [
    ("1.0", {ORIGIN: "1.0.0"}, []),
    ("1.0", {ORIGIN: "v1.2"}, []),
    ("1.0", {ORIGIN: "1.0.0-rc.1+build.5"}, []),
    ("1.0", {ORIGIN: "latest"},
     [f'expected annotation `{ORIGIN}` to be a semantic version (such as "1.0.0"), got "latest" {WEBHOOK_10}']),
    ("1.1", {ORIGIN: "1.0.0-01"},
     [f'expected annotation `{ORIGIN}` to be a semantic version (such as "1.0.0"), got "1.0.0-01" {WEBHOOK_11}']),
    ("1.0", {EXECUTOR: "Ray"}, []),
    ("1.0", {EXECUTOR: "torchrun"},
     [f'expected annotation `{EXECUTOR}` to be "mp" or "ray", got "torchrun" {WEBHOOK_10}']),
    ("1.0", {DISCOVERY: "node"}, []),  # checked from 1.1
    ("1.1", {DISCOVERY: "container"}, []),
    ("1.1", {DISCOVERY: "Pod"}, [f'expected annotation `{DISCOVERY}` to be "pod" or "container", got "Pod" '
                                 f"{WEBHOOK_11}"]),
    ("0.6", {ORIGIN: "latest", EXECUTOR: "x"}, []),
])
def test_dgd_annotation_values(version, annotations, expected):
    found = results(version, {"services": {"Frontend": FE}}, annotations=annotations)
    assert found == [("error", "metadata.annotations", m) for m in expected]


def test_service_executor_annotation_from_1_1():
    service = {**FE, "annotations": {EXECUTOR: "mpi"}}
    assert results("1.1", {"services": {"Frontend": service}}) == [
        ("error", "spec.services.Frontend.annotations",
         f'expected annotation `{EXECUTOR}` to be "mp" or "ray", got "mpi" {WEBHOOK_11}')]
    assert results("1.0", {"services": {"Frontend": service}}) == []


# The operator's library (Masterminds semver v3, NewVersion) reads numbers loosely: "1.02.3" is 1.2.3;
# only a numeric pre-release part must not start with a zero.
@pytest.mark.parametrize("value", ["1", "1.2.3", "v0.9.1", "1.0.0-alpha.beta-1", "2.0.0+exp.sha.5114f85", "1.02.3"])
def test_semver_accepts(value):
    assert is_semver(value)


@pytest.mark.parametrize("value", ["", "1.2.3.4", "1.0.0-01", "1.0.0+", "V1.0.0", "1.0.0-"])
def test_semver_rejects(value):
    assert not is_semver(value)


# --- V06: the defaulting webhook ------------------------------------------------------------------


def test_origin_version_stamp():
    from krm_dynamo.graph.defaulting import dgd_annotations

    assert dgd_annotations({}, defaults.for_release("1.0")) == {ORIGIN: "1.0.0"}
    assert dgd_annotations({}, defaults.for_release("1.1")) == {ORIGIN: "1.1.0"}
    assert dgd_annotations({ORIGIN: "0.9.0"}, defaults.for_release("1.1")) == {ORIGIN: "0.9.0"}
    assert dgd_annotations({"a": "b"}, defaults.for_release("0.6")) == {"a": "b"}


# --- S09 / A02: the scaling adapter; S10 / A01: autoscaling ---------------------------------------


def test_scaling_adapter_enabled_warns():
    service = {**FE, "scalingAdapter": {"enabled": True}}
    assert results("1.0", {"services": {"Frontend": service}}) == [
        ("warning", "spec.services.Frontend.scalingAdapter.enabled",
         "the operator creates a DynamoGraphDeploymentScalingAdapter that owns this service's replicas; krm-dynamo "
         "emits no operator-internal objects (D2), so the workload's replicas come from `replicas`: scale by "
         'changing `replicas`, or point your own HorizontalPodAutoscaler or KEDA ScaledObject at the workload '
         '"llm-frontend"')]
    kinds = {o["kind"] for o in objects("1.0", {"services": {"Frontend": service}})}
    assert kinds == {"Deployment", "Service", "ServiceAccount", "Role", "RoleBinding"}  # no adapter; N04's RBAC


@pytest.mark.parametrize(("adapter", "expected"), [
    ({"enabled": False}, []),
    ({}, []),
    ({"enabled": "yes"}, [("error", "spec.services.Frontend.scalingAdapter.enabled",
                           'expected `enabled` to be a boolean, got "yes"')]),
    ({"disable": True}, [("warning", "spec.services.Frontend.scalingAdapter.disable",
                          "unknown field `disable` is ignored (the API server drops it; known fields: `enabled`)")]),
])
def test_scaling_adapter_shape(adapter, expected):
    assert results("1.1", {"services": {"Frontend": {**FE, "scalingAdapter": adapter}}}) == expected


def test_autoscaling_warning_says_what_to_use():
    service = {**FE, "autoscaling": {"enabled": True, "minReplicas": 1, "maxReplicas": 3}}
    found = results("1.0", {"services": {"Frontend": service}})
    assert found == [(
        "warning", "spec.services.Frontend.autoscaling",
        "`autoscaling` is deprecated and ignored from operator 0.8 on (operatorVersion 1.0): no "
        "HorizontalPodAutoscaler is generated (S10, A01). To autoscale, point your own HorizontalPodAutoscaler or "
        'KEDA ScaledObject at the workload "llm-frontend"; the operator itself scales through a '
        "DynamoGraphDeploymentScalingAdapter (`scalingAdapter.enabled: true`), an operator-internal object "
        "krm-dynamo does not emit (D2)")]


# --- S12 / P16: checkpoint ----------------------------------------------------------------------

CHECKPOINT_WARNING = (
    "checkpoint restore is not rendered: the operator injects it only once a checkpoint is ready and from its own "
    "checkpoint storage settings (cluster state), and its checkpoint Job and DynamoCheckpoint are operator-internal "
    "(D67); the pods start without restore")


@pytest.mark.parametrize(("checkpoint", "expected"), [
    ({"enabled": False}, []),
    ({"enabled": True, "checkpointRef": "ck-1"}, [("warning", "spec.services.Worker.checkpoint", CHECKPOINT_WARNING)]),
    ({"enabled": True, "identity": {"model": "m", "backendFramework": "vllm"}},
     [("warning", "spec.services.Worker.checkpoint", CHECKPOINT_WARNING)]),
    ({"enabled": True}, [("error", "spec.services.Worker.checkpoint",
                          "expected `checkpointRef`, or `identity` with `model` and `backendFramework`, when "
                          "checkpointing is enabled (the CRD rejects it otherwise)")]),
    ({"enabled": True, "checkpointRef": "", "identity": {"model": "m"}},
     [("error", "spec.services.Worker.checkpoint",
       "expected `checkpointRef`, or `identity` with `model` and `backendFramework`, when checkpointing is enabled "
       "(the CRD rejects it otherwise)")]),
    ({"enabled": "true"}, [("error", "spec.services.Worker.checkpoint.enabled",
                            'expected `enabled` to be a boolean, got "true"')]),
    ({"enabled": True, "mode": "Later", "checkpointRef": "c"},
     [("error", "spec.services.Worker.checkpoint.mode", 'expected `mode` to be "Auto" or "Manual", got "Later"')]),
    ([], [("error", "spec.services.Worker.checkpoint", "expected `checkpoint` to be a mapping, got a list")]),
])
def test_checkpoint_rules(checkpoint, expected):
    worker = {"componentType": "worker", "checkpoint": checkpoint,
              "extraPodSpec": {"mainContainer": {"command": ["python3", "-m", "dynamo.vllm"]}}}
    assert results("1.0", {"services": {"Worker": worker}}) == expected


# --- the release tables ---------------------------------------------------------------------------


def test_by_design_changes_count_as_reproduced():
    from krm_dynamo.defaults import release

    for version in ("1.0", "1.1"):
        table = defaults.for_release(version)
        for change in ("A02", "O03", "P15", "P16", "V02", "V01", "V03", "V04", "V06", "S09", "S11", "S12"):
            assert change in table.reproduced, (version, change)
        assert set(release.BY_DESIGN) <= table.reproduced | {"O04"}
    assert "O04" in defaults.for_release("1.1").reproduced
    assert "O04" not in defaults.for_release("1.0").reproduced
    assert defaults.for_release("0.6").admission.values == {}


def test_restart_annotates_grove_cliques():
    spec = {"services": TWO, "restart": {"id": "r2", "strategy": {"type": "Parallel"}}}
    dgd = {"apiVersion": "nvidia.com/v1alpha1", "kind": "DynamoGraphDeployment",
           "metadata": {"name": "llm", "namespace": "ns"}, "spec": spec}
    config = {"apiVersion": "fn.krm-dynamo.dev/v1alpha1", "kind": "KrmDynamoConfig", "metadata": {"name": "c"},
              "defaultImage": "registry.example/dynamo:1", "operatorVersion": "1.1", "multinodeOrchestrator": "grove"}
    out, found = expand([dgd], config)
    assert not [r for r in found if r.severity == "error"], found
    pcs = next(o for o in out if o["kind"] == "PodCliqueSet")
    cliques = pcs["spec"]["template"]["cliques"]
    assert [c["annotations"]["nvidia.com/restartAt"] for c in cliques] == ["r2", "r2"]


def test_replicas_default_from_1_1():
    """P14: the 1.1 defaulting webhook gives a service without `replicas` one replica; 1.0 leaves it unset."""
    spec = {"services": {"Frontend": FE, "Worker": {"componentType": "worker", "replicas": 3}}}
    for version, frontend in (("0.6", None), ("1.0", None), ("1.1", 1)):
        got = {o["metadata"]["name"]: o["spec"].get("replicas") for o in objects(version, spec)
               if o["kind"] == "Deployment"}
        assert got == {"llm-frontend": frontend, "llm-worker": 3}, version


def test_replicas_default_overrides_deployment_config_workers():
    """P14 comes before the controller reads `DYN_DEPLOYMENT_CONFIG`, and the controller lets a set
    `replicas` win over its `workers` (graph.go generateSingleDCD): from 1.1 `workers` no longer counts."""
    config = '{"Frontend": {"ServiceArgs": {"workers": 2}}}'
    spec = {"services": {"Frontend": {**FE, "envs": [{"name": "DYN_DEPLOYMENT_CONFIG", "value": config}]}}}
    for version, replicas in (("1.0", 2), ("1.1", 1)):
        deployment = next(o for o in objects(version, spec) if o["kind"] == "Deployment")
        assert deployment["spec"]["replicas"] == replicas, version


def test_a_near_miss_in_a_1_1_feature_gets_did_you_mean():
    """Unknown keys inside the 1.1 fields read as the DGD's other unknown fields: with "did you mean"."""
    service = {**FE, "frontendSidecar": {"image": "img:1", "arg": ["--x"]}}
    found = [r for r in results("1.1", {"services": {"Frontend": service}}) if r[1].endswith(".arg")]
    assert found == [("warning", "spec.services.Frontend.frontendSidecar.arg",
                      "unknown field `arg` is ignored (the API server drops it; known fields: `image`, `args`, "
                      "`envFromSecret`, `envs`); did you mean `args`?")]
