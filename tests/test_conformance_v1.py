# SPDX-License-Identifier: Apache-2.0
"""First run of the operator 1.x conformance vectors through the project's interfaces (D34).

The cases live beside the clone in ``../shared/conformance-v1/`` (taken from the operator's
unit tests at the v1.1.0 cut; each says whether the same assertion holds at the v1.0.0 cut) and
are read at test time, never copied here. A case runs under ``operatorVersion: 1.1`` and, when
its assertion also holds at v1.0.0, under ``1.0`` too, through ``core.expand`` (a DGD built from
the case's ``input``) or the release's table set.

Every case runs: the 1.0 and 1.1 profiles reproduce every catalogued change. A case may be
skipped only when no DGD can express it, with the reason written in :data:`NOT_EXPRESSIBLE`
(:func:`test_every_skip_is_not_expressible`).
"""

from __future__ import annotations

import copy

import conformance_v1_backends as backends_v1
import conformance_v1_discovery as discovery_v1
import conformance_v1_features
import conformance_v1_multinode
import pytest
import yaml
from shared_files import SHARED, require

from krm_dynamo import defaults
from krm_dynamo.core import expand

CONFORMANCE_V1 = SHARED / "conformance-v1"
FILES = ("graph.yaml", "backend-vllm.yaml", "backend-sglang.yaml", "backend-trtllm.yaml")
IMAGE = "registry.example/dynamo:1"

# Cases no DGD can express, with the reason (not a missing change: these stay skipped).
NOT_EXPRESSIBLE: tuple[tuple[str, str, str], ...] = (
    ("GenerateBasePodSpec", "useAsCompilationCache with default mount point for VLLM",
     "the upstream test hands the vLLM backend to a frontend; in a DGD a frontend's backend is always noop"),
    ("GenerateBasePodSpec", "useAsCompilationCache without mount point",
     "the upstream test hands a backend to a frontend; in a DGD a frontend's backend is always noop"),
)


def _subtest(case: dict) -> str:
    """The sub-test name in brackets; for a case without one, the upstream test function's name."""
    source = case["source"]
    return source.split("[", 1)[1].split("]", 1)[0] if "[" in source else source.split(" ", 1)[0]


def releases(case: dict) -> list[str]:
    """1.1 always; 1.0 too when the same upstream assertion exists at the v1.0.0 cut."""
    return ["1.0", "1.1"] if "same assertion at v1.0.0" in case["version_note"] else ["1.1"]


def _load() -> list:
    if not CONFORMANCE_V1.is_dir():
        return [pytest.param(None, None, id="conformance-v1-missing")]
    params = []
    for name in FILES:
        for i, case in enumerate(yaml.safe_load((CONFORMANCE_V1 / name).read_text(encoding="utf-8"))):
            for release in releases(case):
                params.append(pytest.param(case, release, id=f"{name[:-5]}-{i}-{case['function']}-{release}"))
    return params


# --- runners ------------------------------------------------------------------------------------


def _pod_spec(case: dict, release: str) -> dict | None:
    """The pod spec the function renders for the case's one service (single node, a Deployment).

    None when the case expects an error and the function reported one.
    """
    deployment = _deployment(case, release)
    return None if deployment is None else discovery_v1.comparable_pod(case, deployment["spec"]["template"]["spec"])


def _deployment(case: dict, release: str) -> dict | None:
    """The Deployment of the case's one service (``serviceName``, else ``svc``); None as :func:`_pod_spec`."""
    inp = case["input"]
    service = copy.deepcopy(inp["component"])
    spec: dict = {"services": {inp.get("serviceName", "svc"): service}}
    mounts = [m["name"] for m in service.get("volumeMounts") or []]
    if mounts:
        spec["pvcs"] = [{"name": name} for name in mounts]  # existing claims, mounted by name
    dgd = {"apiVersion": "nvidia.com/v1alpha1", "kind": "DynamoGraphDeployment",
           "metadata": copy.deepcopy(inp["dgd"]["metadata"]), "spec": spec}
    config = {"apiVersion": "fn.krm-dynamo.dev/v1alpha1", "kind": "KrmDynamoConfig", "metadata": {"name": "c"},
              "defaultImage": IMAGE, "operatorVersion": release, **discovery_v1.config_settings(case)}
    index = inp.get("imagePullSecretIndex")
    if isinstance(index, dict):
        config["registrySecrets"] = index  # the upstream mock retriever, as the functionConfig (D14)
    out, results = expand([dgd], config)
    errors = [r.message for r in results if r.severity == "error"]
    if case["expected"].get("error"):
        assert errors, "an error was expected"
        return None
    assert not errors, errors
    return _without_worker_suffix(next(o for o in out if o.get("kind") == "Deployment"))


def _without_worker_suffix(deployment: dict) -> dict:
    """The Deployment as the upstream unit tests see it: without the worker hash (M01, N_E07).

    Those tests build a pod for a component without the worker-hash label the DGD controller adds
    to every worker; through a DGD a worker always has it. The env var is checked against the
    pod's label, then left out so the rest compares as upstream.
    """
    template = deployment["spec"]["template"]
    label = template["metadata"]["labels"].get("nvidia.com/dynamo-worker-hash")
    for container in template["spec"]["containers"]:
        env = container.get("env") or []
        suffix = [e for e in env if e["name"] == "DYN_NAMESPACE_WORKER_SUFFIX"]
        if suffix:
            assert label and suffix[0]["value"] == label, (suffix, label)
            container["env"] = [e for e in env if e["name"] != "DYN_NAMESPACE_WORKER_SUFFIX"]
    return deployment


def _contains(got: list, want: list, what: str) -> None:
    for item in want:
        assert item in got, f"{what}: {item!r} not in {got!r}"


def run_base_pod_spec(case: dict, release: str) -> None:
    """``GenerateBasePodSpec`` cases that assert pod fields, volumes, mounts or container resources."""
    expected = case["expected"]
    if "containerCount" in expected:  # TestGenerateBasePodSpec_FrontendSidecar
        return conformance_v1_features.run_frontend_sidecar(case, release)
    pod = _pod_spec(case, release)
    if pod is None:
        return
    main = next(c for c in pod["containers"] if c["name"] == "main")
    discovery_v1.check_env(case, main)
    for key, value in (expected.get("podSpec") or {}).items():
        if key == "volumesContain":
            _contains(pod.get("volumes") or [], value, "podSpec.volumes")
            continue
        got = pod.get(key)
        if key == "containers" and isinstance(got, list):  # no image upstream; ours is defaultImage (D15)
            got = [{k: v for k, v in c.items() if k != "image"} for c in got]
        assert (got or "") == (value or ""), f"podSpec.{key}: got {got!r}, want {value!r}"
    for key, value in (expected.get("container") or {}).items():
        if key == "volumeMountsContain":
            _contains(main.get("volumeMounts") or [], value, "container.volumeMounts")
        elif key == "resources":
            for kind, want in value.items():
                assert (main.get("resources") or {}).get(kind) == want, f"container.resources.{kind}"
        else:
            assert main.get(key) == value, f"container.{key}: got {main.get(key)!r}, want {value!r}"


def run_is_worker(case: dict, release: str) -> None:
    """``IsWorkerComponent``: the worker types of the release's table set (S20)."""
    table = defaults.for_release(release)
    for ctype in case["expected"]["workers"]:
        assert ctype in table.worker_types, ctype
    for ctype in case["expected"]["nonWorkers"]:
        assert ctype not in table.worker_types, ctype


def _env(container: dict) -> dict:
    return {e["name"]: e.get("value") for e in container.get("env") or []}


def run_component_context(case: dict, release: str) -> None:
    """``generateComponentContext``: the Dynamo namespace (N_E02, S03, S04), as ``DYN_NAMESPACE``
    and as the pod's ``nvidia.com/dynamo-namespace`` label."""
    deployment = _deployment(case, release)
    assert deployment is not None
    template = deployment["spec"]["template"]
    main = next(c for c in template["spec"]["containers"] if c["name"] == "main")
    want = case["expected"]["dynamoNamespace"]
    assert _env(main)["DYN_NAMESPACE"] == want
    assert template["metadata"]["labels"][defaults.LABEL_DYNAMO_NAMESPACE] == want


def run_frontend_base_container(case: dict, release: str) -> None:
    """``FrontendDefaults.GetBaseContainer``: the env it contains. The upstream test hands the
    Dynamo namespace in directly; a DGD gets it from ``<namespace>-<name>`` (N_E02), so the
    value is split there."""
    context = case["input"]["context"]
    namespace, name = context["dynamoNamespace"].split("-", 1)
    component = {"componentType": context["componentType"]}
    dgd_case = {"input": {"component": component, "dgd": {"metadata": {"name": name, "namespace": namespace}}},
                "expected": {}}
    deployment = _deployment(dgd_case, release)
    assert deployment is not None
    main = next(c for c in deployment["spec"]["template"]["spec"]["containers"] if c["name"] == "main")
    _contains(main.get("env") or [], case["expected"]["contains"], "container.env")


def run_planner_base_container(case: dict, release: str) -> None:
    """``PlannerDefaults.GetBaseContainer``: the planner's main container, each field the case lists.

    The upstream test hands the Dynamo namespace in; a DGD gets ``<namespace>-<name>`` (N_E02), so
    ``DYN_NAMESPACE`` is compared with that. Env is compared sorted by name, as every pod gets it
    (``MergeEnvs``, the case's note).
    """
    context = case["input"]["context"]
    namespace, name = context["parentGraphDeploymentNamespace"], context["parentGraphDeploymentName"]
    dgd_case = {"input": {"component": {"componentType": context["componentType"]},
                          "dgd": {"metadata": {"name": name, "namespace": namespace}}}, "expected": {}}
    deployment = _deployment(dgd_case, release)
    assert deployment is not None
    main = next(c for c in deployment["spec"]["template"]["spec"]["containers"] if c["name"] == "main")
    for key, want in case["expected"]["container"].items():
        if key == "env":
            want = sorted(({**e, "value": f"{namespace}-{name}"} if e["name"] == "DYN_NAMESPACE" else e
                           for e in want), key=lambda e: e["name"])
        assert main.get(key) == want, f"container.{key}: got {main.get(key)!r}, want {want!r}"


def _function(case: dict) -> str:
    """The operator function, without the note some cases add in brackets."""
    return str(case["function"]).split(" (")[0]


RUNNERS = {
    "GenerateBasePodSpec": run_base_pod_spec,
    "IsWorkerComponent": run_is_worker,
    "generateComponentContext": run_component_context,
    "FrontendDefaults.GetBaseContainer": run_frontend_base_container,
    "PlannerDefaults.GetBaseContainer": run_planner_base_container,
    "propagateDGDAnnotations": lambda case, release: (
        discovery_v1.run_propagate_dgd_annotations(case, release),  # Deployment and Service metadata (L01)
        conformance_v1_features.run_propagate_annotations(case, release),  # and the pods (S18)
    ),
    "propagateDGDSpecMetadata": conformance_v1_features.run_propagate_spec_metadata,
    "buildFailoverPod": conformance_v1_features.run_failover_pod,
    "GenerateDynamoComponentsDeployments": conformance_v1_features.run_component_deployments,
    "generateComponentContext:TestGenerateComponentContext_WorkerHashSuffix":
        conformance_v1_multinode.run_worker_hash_suffix,
    "GenerateGrovePodCliqueSet": conformance_v1_multinode.run_grove_topology,
    "GetDCDResourceName": conformance_v1_multinode.run_dcd_resource_name,
    "UpdateContainer": backends_v1.run_update_container,
    "updateVLLMMultinodeArgs": backends_v1.run_update_container,
    "UpdatePodSpec": backends_v1.run_update_pod_spec,
    "shouldUseMpBackend": backends_v1.run_should_use_mp,
    "OperatorOriginFeatureGate.IsEnabled": backends_v1.run_origin_gate,
    "getMultinodeFlags": backends_v1.run_sglang_flags,
    "shellQuoteForBashC": backends_v1.run_shell_quote,
    "setupLeaderContainer": backends_v1.run_leader_script,
    "setupWorkerContainer": backends_v1.run_worker_script,
    "addSSHVolumeMount": backends_v1.run_add_ssh_mount,
    "hostNamesList": backends_v1.run_host_names,
    "getGPUsPerNode": backends_v1.run_gpus_per_node,
    "GeneratePodSpecForComponent": backends_v1.run_pod_spec_for_component,
    "GenerateWaitLeaderConfigMap": backends_v1.run_wait_leader_config_map,
}


@pytest.mark.parametrize(("case", "release"), _load())
def test_conformance_v1_case(case: dict | None, release: str | None) -> None:
    if case is None or release is None:
        require(CONFORMANCE_V1)
        return
    reason = _not_expressible(case)
    if reason is not None:
        pytest.skip(reason)
    runner = _runner(case)
    assert runner is not None, f"no runner for {_function(case)}"
    runner(case, release)


def _runner(case: dict):
    return RUNNERS.get(f"{_function(case)}:{_subtest(case)}") or RUNNERS.get(_function(case))


def _not_expressible(case: dict) -> str | None:
    for function, prefix, reason in NOT_EXPRESSIBLE:
        if _function(case) == function and _subtest(case).startswith(prefix):
            return reason
    return None


def test_every_skip_is_not_expressible() -> None:
    """No case waits for a catalogued change any more: both profiles are complete. Every case has a
    runner, or no DGD can express it and :data:`NOT_EXPRESSIBLE` says why; every row of it is used."""
    require(CONFORMANCE_V1)
    for release in ("1.0", "1.1"):
        assert defaults.for_release(release).not_reproduced() == ()
    used = set()
    for param in _load():
        case = param.values[0]
        reason = _not_expressible(case)
        if reason is None:
            assert _runner(case) is not None, case["source"]
            continue
        assert len(reason) > 40 and "not done" not in reason and "TEMPORARY" not in reason, reason
        used.add(reason)
    assert used == {reason for _, _, reason in NOT_EXPRESSIBLE}
