# SPDX-License-Identifier: Apache-2.0
"""Conformance vectors from the operator's unit tests, run through the project's own interfaces.

The cases live beside the clone in ``../shared/conformance/backend-{vllm,sglang,trtllm}.yaml``
(format: that folder's README.md) and are read at test time, never copied here. Each case
names an operator step (``function``); the table :data:`RUNNERS` maps it to the project
interface that does the same job: the backend hooks and helpers of ``krm_dynamo.render.backends``
for unit-level steps, and a whole expansion (``krm_dynamo.core.expand``) for pod-spec,
PodCliqueSet and LeaderWorkerSet generation. A case with ``deviation:`` is asserted in the
project's deviated form (listed in docs/compatibility.md).
"""

from __future__ import annotations

import copy

import pytest
import yaml
from shared_files import SHARED, require

from krm_dynamo import defaults
from krm_dynamo.api import v1alpha1
from krm_dynamo.core import expand
from krm_dynamo.graph import backend as backend_resolution
from krm_dynamo.render import backends, storage

CONFORMANCE = SHARED / "conformance"
FILES = ("backend-vllm.yaml", "backend-sglang.yaml", "backend-trtllm.yaml")
IMAGE = "conformance-image:latest"  # README: fixtures often have no image; supply defaultImage (D15)


def _load() -> list:
    if not CONFORMANCE.is_dir():
        # One case that skips on a developer's machine and fails in CI (shared_files.require).
        return [pytest.param(None, id="conformance-vectors-missing")]
    params = []
    for name in FILES:
        cases = yaml.safe_load((CONFORMANCE / name).read_text(encoding="utf-8"))
        for i, case in enumerate(cases):
            params.append(pytest.param(case, id=f"{name.split('.')[0]}[{i}] {case['source'].split(' — ')[0]}"))
    return params


CASES = _load()


# --- helpers -----------------------------------------------------------------------------------


def _deployer(spec: dict | None) -> backends.Deployer:
    """The project's deployer for ``grove`` / ``lws``; a test double for the upstream mocks."""
    if spec is None:
        return backends.LWS  # steps that read no deployer strings
    kind = spec["kind"]
    if kind in ("grove", "lws"):
        deployer = backends.GROVE if kind == "grove" else backends.LWS
        # The project's deployer gives the same strings the case was written with.
        assert deployer.node_rank == spec["nodeRank"]
        assert deployer.node_rank_needs_shell == spec["nodeRankNeedsShell"]
        return deployer
    return backends.Deployer(name=kind, leader_hostname_template=spec["leaderHostname"], node_rank=spec["nodeRank"],
                             node_rank_needs_shell=spec["nodeRankNeedsShell"])


def _pod_role(inp: dict) -> backends.PodRole:
    node_count = inp.get("nodeCount", 2)
    node_count = 2 if node_count == ">1" else node_count
    deployer = _deployer(inp.get("deployer"))
    service = inp.get("serviceName", "test-service")
    if "deployer" in inp and inp["deployer"]["kind"] in ("grove", "lws"):
        assert deployer.leader_hostname(service) == inp["deployer"]["leaderHostname"]
    return backends.PodRole(
        role=inp.get("role", defaults.ROLE_MAIN),
        node_count=node_count,
        service_name=service,
        deployer=deployer,
        resources=(inp.get("component") or {}).get("resources"),
        secret_name=inp.get("mpiRunSecretName", "mpi-run-ssh-secret"),
    )


def _backend(name: str) -> backend_resolution.Backend:
    return backend_resolution.resolve("worker", {}, name)


def _r3(text: str, node_count: int) -> str:
    """The deviated (R3) form of an S host list on LWS: worker addresses derived from the leader's."""
    for j in range(1, node_count):
        # R3, written out here (not read from defaults) so the test checks the constant.
        text = text.replace(f"$(LWS_WORKER_{j}_ADDRESS)", f'$(echo "$LWS_LEADER_ADDRESS" | sed \'s/\\./-{j}\\./\')')
    return text


def _r3_deep(value, node_count: int):
    if isinstance(value, str):
        return _r3(value, node_count)
    if isinstance(value, list):
        return [_r3_deep(v, node_count) for v in value]
    if isinstance(value, dict):
        return {k: _r3_deep(v, node_count) for k, v in value.items()}
    return value


def _assert_container(actual: dict, expected: dict) -> None:
    """Only the listed fields; an expected empty list also matches an absent field."""
    for key, want in expected.items():
        got = actual.get(key)
        if want == [] and got in (None, []):
            continue
        assert got == want, f"container.{key}: expected {want!r}, got {got!r}"


def _assert_probes(actual: dict, expected: dict) -> None:
    for kind, want in expected.items():
        if want is None:
            assert kind not in actual, f"{kind} must be absent, got {actual.get(kind)!r}"
        else:
            assert actual.get(kind) == want, f"{kind}: expected {want!r}, got {actual.get(kind)!r}"


# --- unit-level steps: the backend hooks and helpers --------------------------------------------


def run_update_container(case: dict) -> None:
    """Backend container hook (``backends.update_container``), after the compilation-cache env."""
    inp, exp = case["input"], case["expected"]
    pod = _pod_role(inp)
    backend = _backend(inp["backend"])
    container = copy.deepcopy(inp.get("container") or {})
    component = inp.get("component") or {}
    if "volumeMounts" in component:  # storage + backend env: the volume loop and the cache env (D8)
        svc = v1alpha1.DynamoComponentDeploymentSharedSpec.model_validate(component)
        volumes = storage.pod_volumes(svc, backend, defaults.for_release())
        container["env"] = backends.add_env_if_absent(
            list(container.get("env") or []), backends.compilation_cache_env(backend, volumes.cache_mount_path))
    out = backends.update_container(backend, container, pod)
    deviated = "deviation" in case and "LWS_LEADER_ADDRESS" in case["deviation"]
    expected_container = _r3_deep(exp.get("container") or {}, pod.node_count) if deviated else exp.get("container")
    _assert_container(out, expected_container or {})
    _assert_probes(out, exp.get("probes") or {})
    joined = " ".join(out.get("args") or [])
    for part in exp.get("argsContains") or []:
        assert part in joined
    if exp.get("hosts_used"):
        hosts = ",".join(exp["hosts_used"])
        assert (_r3(hosts, pod.node_count) if deviated else hosts) in joined
    derived = exp.get("derived_exact") or {}
    _assert_container(out, derived.get("container") or {})
    _assert_probes(out, derived.get("probes") or {})


def run_update_pod_spec(case: dict) -> None:
    inp, exp = case["input"], case["expected"]
    out = backends.update_pod_spec(_backend(inp["backend"]), copy.deepcopy(inp["podSpec"]), _pod_role(inp))
    assert len(out.get("volumes") or []) == exp["volumeCount"]
    assert (out.get("volumes") or []) == exp["podSpec"]["volumes"]


def run_vllm_args(case: dict) -> None:
    inp, exp = case["input"], case["expected"]
    pod = _pod_role(inp)
    args = backends.vllm_multinode_args(inp["container"]["args"], pod.role, pod.deployer.leader_hostname(pod.service_name))
    assert args == exp["container"]["args"]


def run_sglang_flags(case: dict) -> None:
    inp, exp = case["input"], case["expected"]
    assert backends.sglang_flags(_pod_role(inp)) == (exp["flags"], exp["needsShell"])


def run_is_python(case: dict) -> None:
    for row in case["expected"]["cases"]:
        assert backend_resolution.is_python_command(row["cmd"]) is row["isPython"], row


def run_hostnames(case: dict) -> None:
    inp, exp = case["input"], case["expected"]
    deployer = _deployer(inp["deployer"])
    assert deployer.leader_hostname(inp["serviceName"]) == inp["deployer"]["leaderHostname"]
    hosts = deployer.hostnames(inp["serviceName"], inp["nodeCount"])
    joined = ",".join(hosts)
    assert len(hosts) == exp["count"] and all(hosts)
    derived = exp["derived_exact"]
    if "deviation" in case:  # R3
        derived = _r3(derived, inp["nodeCount"])
        assert exp["contains"][0] in joined
    else:
        assert all(part in joined for part in exp["contains"])
    assert joined == derived


def run_add_ssh_mount(case: dict) -> None:
    """Through the TRT-LLM container hook of a multinode leader (the mount is appended)."""
    inp, exp = case["input"], case["expected"]
    pod = backends.PodRole(role=defaults.ROLE_LEADER, node_count=2, secret_name=inp["mpiRunSecretName"])
    out = backends.update_container(_backend("trtllm"), copy.deepcopy(inp["container"]), pod)
    assert out["volumeMounts"] == exp["container"]["volumeMounts"]


def run_leader_script(case: dict) -> None:
    inp, exp = case["input"], case["expected"]
    pod = _pod_role(inp)
    script = backends.trtllm_leader_script(copy.deepcopy(inp["container"]), pod)
    want = exp["container"]["args"][0]
    if "deviation" in case:
        want = _r3(want, pod.node_count)
    assert [script] == [want]
    assert list(defaults.SHELL_COMMAND) == exp["container"]["command"]


def run_worker_script(case: dict) -> None:
    """Through the TRT-LLM container hook of a multinode worker: the original launch is discarded."""
    inp, exp = case["input"], case["expected"]
    pod = backends.PodRole(role=defaults.ROLE_WORKER, node_count=2)
    out = backends.update_container(_backend("trtllm"), copy.deepcopy(inp["container"]), pod)
    assert out["command"] == exp["container"]["command"]
    assert out["args"] == exp["container"]["args"]


def run_gpus_per_node(case: dict) -> None:
    for row in case["expected"]["cases"]:
        want = row["gpusPerNode"]
        if "requests takes precedence" in row["name"]:  # deviation D26: the limit counts first
            want = int(row["resources"]["limits"]["gpu"])
        assert backends.gpus_per_node(row["resources"]) == want, row["name"]


# --- end-to-end steps: a DGD through the function -------------------------------------------------


def _run(dgd: dict, config: dict, items: tuple = ()) -> list[dict]:
    cfg = {"apiVersion": "fn.krm-dynamo.dev/v1alpha1", "kind": "KrmDynamoConfig", "metadata": {"name": "c"},
           "defaultImage": IMAGE, **config}
    out, results = expand([dgd, *items], cfg)
    errors = [f"{r.field_path}: {r.message}" for r in results if r.severity == "error"]
    assert not errors, errors
    return out


def _config(operator: dict | None) -> dict:
    operator = operator or {}
    config: dict = {}
    if operator.get("groveEnabled"):
        config["multinodeOrchestrator"] = "grove"
    if operator.get("natsAddress"):
        config["natsServer"] = operator["natsAddress"]
    if operator.get("etcdAddress"):
        config["etcdEndpoints"] = operator["etcdAddress"]
    if operator.get("groveTerminationDelay"):
        config["groveTerminationDelay"] = operator["groveTerminationDelay"]
    return config


def _clique(out: list[dict], name: str) -> dict:
    pcs = next(o for o in out if o["kind"] == "PodCliqueSet")
    return next(c for c in pcs["spec"]["template"]["cliques"] if c["name"] == name)


def _main(pod_spec: dict) -> dict:
    return next(c for c in pod_spec["containers"] if c["name"] == "main")


def run_pod_spec_for_component(case: dict) -> None:
    """One service rendered under Grove (the deployer of these cases); the pod of the case's role."""
    inp, exp = case["input"], case["expected"]
    component = copy.deepcopy(inp["component"])
    if inp["nodeCount"] > 1:
        component["multinode"] = {"nodeCount": inp["nodeCount"]}
    dgd = {"apiVersion": "nvidia.com/v1alpha1", "kind": "DynamoGraphDeployment", "metadata": inp["dgd"]["metadata"],
           "spec": {"backendFramework": inp["backend"], "services": {inp["serviceName"]: component}}}
    out = _run(dgd, {"multinodeOrchestrator": "grove"})
    suffix = {"leader": "-ldr", "worker": "-wkr", "main": ""}[inp["role"]]
    clique = _clique(out, inp["serviceName"].lower() + suffix)
    main = _main(clique["spec"]["podSpec"])
    assert main["name"] == "main"
    joined = " ".join(main.get("command", []) + main.get("args", []))
    for part in exp.get("commandArgsContains") or []:
        assert part in joined
    for part in exp.get("commandArgsNotContains") or []:
        assert part not in joined
    derived = exp.get("derived_exact") or {}
    _assert_container(main, derived.get("container") or {})
    _assert_probes(main, derived.get("probes") or {})


def run_cache_volume_loop(case: dict) -> None:
    """Deviation D8: the defaulted cache mount also sets VLLM_CACHE_ROOT (to /root/.cache/vllm)."""
    inp, exp = case["input"], case["expected"]["derived_exact"]
    dgd = {"apiVersion": "nvidia.com/v1alpha1", "kind": "DynamoGraphDeployment",
           "metadata": {"name": "cache", "namespace": "default"},
           "spec": {"backendFramework": inp["backend"], "services": {"worker": copy.deepcopy(inp["component"])}}}
    out = _run(dgd, {})
    pod_spec = next(o for o in out if o["kind"] == "Deployment")["spec"]["template"]["spec"]
    main = _main(pod_spec)
    for mount in exp["container"]["volumeMounts_include"]:
        assert mount in main["volumeMounts"]
    for volume in exp["podSpec"]["volumes_include"]:
        assert volume in pod_spec["volumes"]
    env = {e["name"]: e.get("value") for e in main["env"]}
    assert exp["container"]["env_excludes"] == ["VLLM_CACHE_ROOT"]
    assert env["VLLM_CACHE_ROOT"] == exp["container"]["volumeMounts_include"][0]["mountPath"]  # deviated form


def run_pod_clique_set(case: dict) -> None:
    inp, exp = case["input"], case["expected"]
    dgd = {"apiVersion": "nvidia.com/v1alpha1", "kind": "DynamoGraphDeployment", **copy.deepcopy(inp["dgd"])}
    out = _run(dgd, _config(inp["operatorConfig"]))
    pcs = next(o for o in out if o["kind"] == "PodCliqueSet")
    template = pcs["spec"]["template"]
    if "startsAfter" in exp:
        for name, after in exp["startsAfter"].items():
            assert _clique(out, name)["spec"].get("startsAfter") == after, name
        assert template["cliqueStartupType"] == exp["cliqueStartupType"]
        return
    want = exp["podCliqueSet"]
    assert {k: pcs[k] for k in ("apiVersion", "kind")} == {k: want[k] for k in ("apiVersion", "kind")}
    assert pcs["metadata"] == want["metadata"]
    assert pcs["spec"]["replicas"] == want["spec"]["replicas"]
    for key, value in want["spec"]["template"].items():
        if key == "cliques":
            for clique in value:  # only the worker-related parts are shown; each shown clique is exact
                got = _clique(out, clique["name"])
                for container in got["spec"]["podSpec"]["containers"]:
                    if clique_image := _main(clique["spec"]["podSpec"]).get("image"):
                        assert container["image"] == clique_image
                assert got == clique, clique["name"]
        else:
            assert template[key] == value, key


def run_leader_worker_set(case: dict) -> None:
    """The DCD of the case as the equivalent DGD service (README notes), replica 0, R2 deviation.

    ``<dgd>-<svc>`` = ``test-lws-deploy`` (DGD ``test-lws``, service ``deploy``); the fixture's
    unnamed sidecar gets a name (the CRD requires one) that sorts before ``main`` as "" does,
    and is compared without it; the ServiceAccount comes from a labelled ServiceAccount (D14).
    The fixture's DCD has the same name as its owner DGD (a DGD-made DCD is ``<dgd>-<svc>``),
    so ``DYN_PARENT_DGD_K8S_NAME`` is compared against our DGD's name.
    """
    inp, exp = case["input"], case["expected"]["leaderWorkerSet"]
    dcd = copy.deepcopy(inp["dcd"]["spec"])
    sidecar_name = "another"
    dcd["extraPodSpec"]["containers"][0]["name"] = sidecar_name
    service = {k: v for k, v in dcd.items() if k not in ("backendFramework", "serviceName")}
    dgd = {"apiVersion": "nvidia.com/v1alpha1", "kind": "DynamoGraphDeployment",
           "metadata": {"name": "test-lws", "namespace": "default"},
           "spec": {"backendFramework": dcd["backendFramework"], "services": {"deploy": service}}}
    sa = {"apiVersion": "v1", "kind": "ServiceAccount",
          "metadata": {"name": "default-test-sa", "namespace": "default",
                       "labels": {defaults.LABEL_COMPONENT_POD: "true"}}}
    out = _run(dgd, {}, (sa,))
    lws = next(o for o in out if o["kind"] == "LeaderWorkerSet")
    assert lws["metadata"]["name"] == exp["metadata"]["name"]
    assert lws["metadata"]["namespace"] == exp["metadata"]["namespace"]
    assert exp["metadata"]["labels"].items() <= lws["metadata"]["labels"].items()
    assert {k: v for k, v in lws["spec"].items() if k != "leaderWorkerTemplate"} == {
        k: v for k, v in exp["spec"].items() if k != "leaderWorkerTemplate"}
    for key in ("size",):
        assert lws["spec"]["leaderWorkerTemplate"][key] == exp["spec"]["leaderWorkerTemplate"][key]
    for key in ("leaderTemplate", "workerTemplate"):
        got = copy.deepcopy(lws["spec"]["leaderWorkerTemplate"][key])
        want = exp["spec"]["leaderWorkerTemplate"][key]
        labels = dict(want["metadata"]["labels"])
        labels.pop(defaults.LABEL_GRAPH_NAME)  # the fixture's missing DCD labels (README)
        assert labels.items() <= got["metadata"]["labels"].items()
        assert got["metadata"]["labels"][defaults.LABEL_SELECTOR] == "test-lws-deploy"  # deviation R2
        assert got["metadata"]["annotations"] == want["metadata"]["annotations"]
        for container in got["spec"]["containers"]:
            if container["name"] == sidecar_name:
                del container["name"]
            for env in container.get("env") or []:
                if env["name"] == "DYN_PARENT_DGD_K8S_NAME":  # the fixture's owner DGD shares the DCD's name
                    assert env["value"] == "test-lws"
                    env["value"] = inp["dcd"]["metadata"]["ownerReferences"][0]["name"]
        assert got["spec"] == want["spec"], key


RUNNERS = {
    "UpdateContainer": run_update_container,
    "UpdatePodSpec": run_update_pod_spec,
    "updateVLLMMultinodeArgs": run_vllm_args,
    "getMultinodeFlags": run_sglang_flags,
    "isPythonCommand": run_is_python,
    "generateWorkerHostnames": run_hostnames,
    "addSSHVolumeMount": run_add_ssh_mount,
    "setupLeaderContainer": run_leader_script,
    "setupWorkerContainer": run_worker_script,
    "getGPUsPerNode": run_gpus_per_node,
    "GenerateBasePodSpec (volume loop) + UpdateContainer": run_cache_volume_loop,
    "GeneratePodSpecForComponent": run_pod_spec_for_component,
    "GenerateGrovePodCliqueSet": run_pod_clique_set,
    "generateLeaderWorkerSet (instanceID 0)": run_leader_worker_set,
}


@pytest.mark.parametrize("case", CASES)
def test_conformance_case(case: dict) -> None:
    require(CONFORMANCE)
    runner = RUNNERS.get(case["function"])
    assert runner is not None, f"no runner for operator step {case['function']!r}: add one to RUNNERS"
    runner(case)


def test_every_case_is_counted():
    """All 62 cases of the three files are collected (README: 15 + 25 + 22)."""
    require(CONFORMANCE)
    assert len(CASES) == 15 + 25 + 22
