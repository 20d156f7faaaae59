# SPDX-License-Identifier: Apache-2.0
"""Default main container and pod per component type, compared whole (operator cmp.Diff style).

Expected values are written out from the operator's component defaults and the seed, not
derived from ``krm_dynamo.defaults``, so a wrong table fails here.
"""

import pytest

from krm_dynamo import defaults
from krm_dynamo.config import FunctionConfig
from krm_dynamo.pipeline import expand_graph

IMAGE = "nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.6.0"
COMMON_ENV = [
    {"name": "DYN_NAMESPACE", "value": "dynamo-g"},
    {"name": "DYN_PARENT_DGD_K8S_NAME", "value": "g"},
    {"name": "DYN_PARENT_DGD_K8S_NAMESPACE", "value": "ns"},
]
SHM_MOUNT = [{"name": "shared-memory", "mountPath": "/dev/shm"}]
READY_CMD = 'curl -s http://localhost:${DYNAMO_PORT}/health | jq -e ".status == \\"healthy\\""'

FRONTEND = {
    "name": "main",
    "image": IMAGE,
    "command": ["python3"],
    "args": ["-m", "dynamo.frontend"],
    "ports": [{"name": "http", "containerPort": 8000, "protocol": "TCP"}],
    "env": [{"name": "DYNAMO_PORT", "value": "8000"}, {"name": "DYN_HTTP_PORT", "value": "8000"}, *COMMON_ENV],
    "volumeMounts": SHM_MOUNT,
    "livenessProbe": {
        "httpGet": {"path": "/health", "port": "http"},
        "initialDelaySeconds": 60,
        "timeoutSeconds": 30,
        "periodSeconds": 60,
        "failureThreshold": 10,
    },
    "readinessProbe": {
        "exec": {"command": ["/bin/sh", "-c", READY_CMD]},
        "initialDelaySeconds": 60,
        "timeoutSeconds": 30,
        "periodSeconds": 60,
        "failureThreshold": 10,
    },
}
WORKER = {
    "name": "main",
    "image": IMAGE,
    "command": ["/bin/sh", "-c"],
    "ports": [{"name": "system", "containerPort": 9090, "protocol": "TCP"}],
    "env": [
        *COMMON_ENV,
        {"name": "DYN_SYSTEM_ENABLED", "value": "true"},
        {"name": "DYN_SYSTEM_PORT", "value": "9090"},
        {"name": "DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS", "value": '["generate"]'},
    ],
    "volumeMounts": SHM_MOUNT,
    "livenessProbe": {
        "httpGet": {"path": "/live", "port": "system"}, "timeoutSeconds": 30, "periodSeconds": 5, "failureThreshold": 1,
    },
    "readinessProbe": {
        "httpGet": {"path": "/health", "port": "system"},
        "timeoutSeconds": 30, "periodSeconds": 10, "failureThreshold": 60,
    },
    "startupProbe": {
        "httpGet": {"path": "/live", "port": "system"},
        "timeoutSeconds": 5, "periodSeconds": 10, "failureThreshold": 720,
    },
}
PLANNER = {
    "name": "main",
    "image": IMAGE,
    "command": ["/bin/sh", "-c"],
    "ports": [{"name": "metrics", "containerPort": 9085, "protocol": "TCP"}],
    "env": [*COMMON_ENV, {"name": "PLANNER_PROMETHEUS_PORT", "value": "9085"}],
    "volumeMounts": SHM_MOUNT,
}
BASE = {"name": "main", "image": IMAGE, "command": ["/bin/sh", "-c"], "env": COMMON_ENV, "volumeMounts": SHM_MOUNT}
POD = {"restartPolicy": "Always", "terminationGracePeriodSeconds": 60}
SHM_VOLUME = [{"name": "shared-memory", "emptyDir": {"medium": "Memory", "sizeLimit": "8Gi"}}]


def _pod_spec(component_type):
    svc = {"extraPodSpec": {"mainContainer": {"image": IMAGE}}}
    if component_type is not None:
        svc["componentType"] = component_type
    dgd = {
        "apiVersion": "nvidia.com/v1alpha1",
        "kind": "DynamoGraphDeployment",
        "metadata": {"name": "g", "namespace": "ns"},
        "spec": {"services": {"S": svc}},
    }
    objects, results = expand_graph(dgd, FunctionConfig(), [dgd])
    assert not [r for r in results if r.severity == "error"], results
    return next(o for o in objects if o["kind"] == "Deployment")["spec"]["template"]["spec"]


@pytest.mark.parametrize(
    ("component_type", "container", "pod_extra"),
    [
        ("frontend", FRONTEND, {}),
        ("worker", WORKER, {}),
        ("planner", PLANNER, {"serviceAccountName": "planner-serviceaccount"}),
        (None, BASE, {}),
        ("main", BASE, {}),
        ("default", BASE, {}),
        ("Frontend", BASE, {}),  # componentType is case-sensitive
        ("prefill", BASE, {}),
    ],
)
def test_default_pod(component_type, container, pod_extra):
    """The whole generated pod spec for a service that sets nothing but an image."""
    assert _pod_spec(component_type) == {"volumes": SHM_VOLUME, "containers": [container], **POD, **pod_extra}


def test_worker_startup_failure_threshold_is_the_seeds():
    """720 (two hours at 10 s), as the seed states and the operator at 60975b518 has it."""
    assert defaults.for_release().for_component("worker").probes["startupProbe"]["failureThreshold"] == 720


def test_tables_are_selected_by_exact_component_type():
    """Unknown or differently-cased types get the base defaults."""
    table = defaults.for_release()
    assert table.for_component("frontend") is table.by_component_type["frontend"]
    assert table.for_component("Worker") is table.base
    assert table.for_component(None) is table.base
    assert table.for_component("frontend").args == ("-m", "dynamo.frontend")


@pytest.mark.parametrize(
    ("backend", "mount", "env"),
    [("vllm", "/root/.cache/vllm", "VLLM_CACHE_ROOT"), ("sglang", None, None), ("trtllm", None, None),
     ("noop", None, None)],
)
def test_backend_tables(backend, mount, env):
    """Compilation cache defaults per backend: only vLLM has a default mount and env."""
    table = defaults.for_release().backends[backend]
    assert (table.compilation_cache_mount, table.compilation_cache_env) == (mount, env)


@pytest.mark.parametrize(
    ("annotation", "strategy"),
    [
        (None, {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}),
        ("RollingUpdate", {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}),
        ("bogus", {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}),
        ("Recreate", {"type": "Recreate"}),
        ("RampedSlowRollout", {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}}),
        ("BestEffortControlledRollout",
         {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "20%", "maxSurge": 0}}),
    ],
)
def test_deployment_strategy(annotation, strategy):
    """The strategy table of the nvidia.com/deployment-strategy annotation."""
    from krm_dynamo.render.workloads import deployment_strategy

    annotations = {} if annotation is None else {"nvidia.com/deployment-strategy": annotation}
    assert deployment_strategy(annotations, defaults.for_release()) == strategy


# --- the selector ---------------------------------------------------------------------------


def test_one_selector_for_every_reader():
    """Rendering, validation and explain read the table set ``for_release`` returns."""
    from krm_dynamo import explain
    from krm_dynamo.render.podtemplate import PodContext

    table = defaults.for_release("0.6")
    assert table is defaults.for_release() is defaults.RELEASES[defaults.DEFAULT_RELEASE]
    assert (table.release, table.operator_commit) == ("0.6", "60975b518")
    context = PodContext(dgd_name="g", dgd_namespace=None, dgd_annotations={}, cfg=FunctionConfig(),
                         secrets=None, service_account="")
    assert context.defaults is table
    assert explain.explain()["operatorRelease"] == table.release


def test_an_unknown_release_is_refused():
    with pytest.raises(defaults.UnknownReleaseError, match=r"no defaults for operator release '9.9' \(known: 0.6, 1.0, 1.1, latest\)"):
        defaults.for_release("9.9")


def test_a_later_release_derives_from_the_previous_one():
    """A new release is the previous table set with its changed tables: builders read it unchanged."""
    from krm_dynamo import record  # the tables are records (dataclasses without their import cost)

    base = defaults.for_release()
    later = defaults.derive_release(
        base, release="9.9", operator_commit="abc",
        autoscaler=record.replace(base.autoscaler, metrics=({"type": "Resource"},)),
    )
    assert later.release == "9.9" and later.deployment is base.deployment
    assert later.autoscaler.metrics == ({"type": "Resource"},)
    assert later.autoscaler.sources == base.autoscaler.sources  # sources carried over, checked again

    from krm_dynamo.render.autoscaling import default_metrics

    assert default_metrics(later) == [{"type": "Resource"}]
    assert default_metrics(base)[0]["resource"]["target"]["averageUtilization"] == 80


def test_tables_are_read_only_and_builders_get_copies():
    table = defaults.for_release()
    with pytest.raises(TypeError):
        table.deployment.strategies["Recreate"]["type"] = "x"
    from krm_dynamo.render.workloads import deployment_strategy

    strategy = deployment_strategy({"nvidia.com/deployment-strategy": "Recreate"}, defaults.for_release())
    strategy["type"] = "changed"
    fresh = deployment_strategy({"nvidia.com/deployment-strategy": "Recreate"}, defaults.for_release())
    assert fresh == {"type": "Recreate"}


def test_switches_are_catalog_applies():
    """``release.switches`` asks per ``since`` value what ``catalog.applies`` says per change: same map, same order."""
    from krm_dynamo.defaults import catalog, release

    for version in ("0.6", "1.0", "1.1", "1.2", "0.7"):
        wanted = {c.id: catalog.applies(c, version) for c in catalog.CATALOG if c.shape != "data"}
        assert list(release.switches(version).items()) == list(wanted.items())


def test_the_06_switches_without_the_catalogue_are_the_catalogues():
    """0.6's switches, answered without the catalogue for the IDs the code reads, are ``switches("0.6")``
    for every ID (same map, same order), and an unknown ID raises KeyError."""
    from krm_dynamo.defaults import release

    table = defaults.for_release("0.6")
    wanted = release.switches("0.6")
    assert list(table.switches.items()) == list(wanted.items()) and len(table.switches) == len(wanted)
    assert all(table.switch(i) is wanted[i] is False for i in release.IMPLEMENTED_SWITCHES)
    with pytest.raises(KeyError):
        table.switch("Z99")


def test_includes_is_catalog_applies():
    """``OperatorDefaults.includes`` says what ``catalog.applies`` says, for every release and change
    (0.6 without looking the ID up); a later release raises KeyError for an unknown ID."""
    from krm_dynamo.defaults import catalog, release

    for version in release.RELEASES:
        table = defaults.for_release(version)
        assert all(table.includes(c.id) is catalog.applies(c, version) for c in catalog.CATALOG)
    with pytest.raises(KeyError):
        defaults.for_release("1.0").includes("Z99")


def test_the_later_tables_are_the_modules_rows():
    """The tables built on first read are the rows of ``defaults.multinode`` and ``defaults.optionalobjects``
    (0.6), and a derived release replaces one by its name."""
    from krm_dynamo.defaults import multinode, optionalobjects

    base = defaults.for_release("0.6")
    assert (base.leader_worker_set, base.pod_group, base.grove) == (
        multinode.LEADER_WORKER_SET, multinode.POD_GROUP, multinode.GROVE)
    assert (base.ingress, base.virtual_service, base.autoscaler, base.persistent_volume_claim, base.debugger) == (
        optionalobjects.INGRESS, optionalobjects.VIRTUAL_SERVICE, optionalobjects.AUTOSCALER,
        optionalobjects.PERSISTENT_VOLUME_CLAIM, optionalobjects.DEBUGGER)
    later = defaults.derive_release(base, release="9.9", operator_commit="abc", pod_group=multinode.POD_GROUP)
    assert later.pod_group is multinode.POD_GROUP and later.grove is base.grove
    with pytest.raises(TypeError):
        defaults.derive_release(base, release="9.9", operator_commit="abc", no_such_table=1)


def test_catalog_rows_read_by_name():
    """Each catalogue row has its five columns, read by name as the tuple holds them."""
    from krm_dynamo.defaults import catalog

    for change in catalog.CATALOG:
        assert len(change) == 5
        assert (change.id, change.since, change.shape, change.computable, change.summary) == tuple(change)
        assert change.shape in ("data", "logic", "removal") and change.computable in ("pure", "partly", "cluster")
