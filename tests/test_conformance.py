# SPDX-License-Identifier: Apache-2.0
"""Conformance vectors from the operator's unit tests, run through the project's own interfaces.

The cases live beside the clone in ``../shared/conformance/backend-{vllm,sglang,trtllm}.yaml``
(format: that folder's README.md) and are read at test time, never copied here. Each case
names an operator step (``function``); the table :data:`RUNNERS` maps it to the project
interface that does the same job: the backend hooks and helpers of ``krm_dynamo.render.backends``
for unit-level steps, and a whole expansion (``krm_dynamo.core.expand``) for pod-spec,
PodCliqueSet and LeaderWorkerSet generation. Each runner returns what the step produced (an
``Outcome``); every ``expected`` key is then checked by ``conformance_harness``, which maps every
key of the documented format and turns a ``deviation`` into the project's deviated form (listed in
docs/compatibility.md). The synthetic cases of ``test_conformance_harness.py`` exercise the keys
the shared files do not use.
"""

from __future__ import annotations

import copy

import pytest
import yaml
from conformance_harness import Outcome, Runner, StepError, Tracked, run_case
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


def _pod_role(inp: Tracked) -> backends.PodRole:
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


def _only(inp: Tracked, key: str, allowed: tuple) -> None:
    """An input key this runner reads but supports only some values of."""
    assert inp.get(key, allowed[0]) in allowed, f"this runner maps input.{key} in {allowed}, got {inp.get(key)!r}"


# --- unit-level steps: the backend hooks and helpers --------------------------------------------


def run_update_container(inp: Tracked) -> Outcome:
    """Backend container hook (``backends.update_container``), after the compilation-cache env."""
    pod = _pod_role(inp)
    backend = _backend(inp["backend"])
    container = copy.deepcopy(inp.get("container") or {})
    component = inp.get("component") or {}
    if "volumeMounts" in component:  # storage + backend env: the volume loop and the cache env (D8)
        svc = v1alpha1.DynamoComponentDeploymentSharedSpec.model_validate(component)
        volumes = storage.pod_volumes(svc, backend, defaults.for_release())
        container["env"] = backends.add_env_if_absent(
            list(container.get("env") or []), backends.compilation_cache_env(backend, volumes.cache_mount_path))
    return Outcome(container=backends.update_container(backend, container, pod))


def run_update_pod_spec(inp: Tracked) -> Outcome:
    pod_spec = backends.update_pod_spec(_backend(inp["backend"]), copy.deepcopy(inp["podSpec"]), _pod_role(inp))
    return Outcome(pod_spec=pod_spec)


def run_vllm_args(inp: Tracked) -> Outcome:
    _only(inp, "backend", ("vllm",))
    pod = _pod_role(inp)
    leader = pod.deployer.leader_hostname(pod.service_name)
    args = backends.vllm_multinode_args(inp["container"]["args"], pod.role, leader)
    return Outcome(container={"args": args})


def run_sglang_flags(inp: Tracked) -> Outcome:
    _only(inp, "backend", ("sglang",))
    return Outcome(flags=backends.sglang_flags(_pod_role(inp)))


def run_is_python(inp: Tracked) -> Outcome:
    return Outcome(row=lambda row: backend_resolution.is_python_command(row["cmd"]), row_key="isPython")


def run_hostnames(inp: Tracked) -> Outcome:
    deployer = _deployer(inp["deployer"])
    assert deployer.leader_hostname(inp["serviceName"]) == inp["deployer"]["leaderHostname"]
    return Outcome(hosts=deployer.hostnames(inp["serviceName"], inp["nodeCount"]))


def run_add_ssh_mount(inp: Tracked) -> Outcome:
    """Through the TRT-LLM container hook of a multinode leader (the mount is appended)."""
    pod = backends.PodRole(role=defaults.ROLE_LEADER, node_count=2, secret_name=inp["mpiRunSecretName"])
    return Outcome(container=backends.update_container(_backend("trtllm"), copy.deepcopy(inp["container"]), pod))


def run_leader_script(inp: Tracked) -> Outcome:
    _only(inp, "backend", ("trtllm",))
    pod = _pod_role(inp)
    script = backends.trtllm_leader_script(copy.deepcopy(inp["container"]), pod)
    return Outcome(container={"command": list(defaults.SHELL_COMMAND), "args": [script]})


def run_worker_script(inp: Tracked) -> Outcome:
    """Through the TRT-LLM container hook of a multinode worker: the original launch is discarded."""
    _only(inp, "role", (defaults.ROLE_WORKER,))
    pod = backends.PodRole(role=inp["role"], node_count=2)
    return Outcome(container=backends.update_container(_backend(inp["backend"]), copy.deepcopy(inp["container"]), pod))


def run_gpus_per_node(inp: Tracked) -> Outcome:
    return Outcome(row=lambda row: backends.gpus_per_node(row["resources"]), row_key="gpusPerNode")


# --- end-to-end steps: a DGD through the function -------------------------------------------------


def _run(dgd: dict, config: dict, items: tuple = ()) -> list[dict]:
    cfg = {"apiVersion": "fn.krm-dynamo.dev/v1alpha1", "kind": "KrmDynamoConfig", "metadata": {"name": "c"},
           "defaultImage": IMAGE, **config}
    out, results = expand([dgd, *items], cfg)
    errors = [f"{r.field_path}: {r.message}" for r in results if r.severity == "error"]
    if errors:
        raise StepError("; ".join(errors))
    return out


def _config(operator: dict | None) -> dict:
    """The README's operatorConfig mapping; a key it does not name fails (conformance_harness.check_keys)."""
    operator = operator or {}
    config: dict = {}
    if operator.get("groveEnabled"):
        config["multinodeOrchestrator"] = "grove"
    elif operator.get("lwsEnabled"):
        config["multinodeOrchestrator"] = "lws"  # the default LWS path
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


def run_pod_spec_for_component(inp: Tracked) -> Outcome:
    """One service rendered under Grove (the deployer of these cases); the pod of the case's role."""
    deployer = inp["deployer"]
    assert deployer["kind"] == "grove", "GeneratePodSpecForComponent cases are mapped through Grove"
    _deployer(deployer)
    component = copy.deepcopy(inp["component"])
    if inp["nodeCount"] > 1:
        component["multinode"] = {"nodeCount": inp["nodeCount"]}
    dgd = {"apiVersion": "nvidia.com/v1alpha1", "kind": "DynamoGraphDeployment", "metadata": inp["dgd"]["metadata"],
           "spec": {"backendFramework": inp["backend"], "services": {inp["serviceName"]: component}}}
    suffix = {"leader": "-ldr", "worker": "-wkr", "main": ""}[inp["role"]]
    out = _run(dgd, {**_config(inp.get("operatorConfig")), "multinodeOrchestrator": "grove"})
    clique = _clique(out, inp["serviceName"].lower() + suffix)
    main = _main(clique["spec"]["podSpec"])
    assert main["name"] == "main"
    return Outcome(container=main, pod_spec=clique["spec"]["podSpec"], objects=out)


def run_cache_volume_loop(inp: Tracked) -> Outcome:
    """The volume loop and the backend hook of a single-node pod (a Deployment)."""
    _only(inp, "role", (defaults.ROLE_MAIN,))
    _only(inp, "nodeCount", (1,))
    dgd = {"apiVersion": "nvidia.com/v1alpha1", "kind": "DynamoGraphDeployment",
           "metadata": {"name": "cache", "namespace": "default"},
           "spec": {"backendFramework": inp["backend"], "services": {"worker": copy.deepcopy(inp["component"])}}}
    out = _run(dgd, {})
    pod_spec = next(o for o in out if o["kind"] == "Deployment")["spec"]["template"]["spec"]
    return Outcome(container=_main(pod_spec), pod_spec=pod_spec, objects=out)


def run_pod_clique_set(inp: Tracked) -> Outcome:
    dgd = {"apiVersion": "nvidia.com/v1alpha1", "kind": "DynamoGraphDeployment", **copy.deepcopy(inp["dgd"])}
    return Outcome(objects=_run(dgd, _config(inp["operatorConfig"])))


def run_leader_worker_set(inp: Tracked) -> Outcome:
    """The DCD of the case as the equivalent DGD service (README notes), replica 0.

    ``<dgd>-<svc>`` = ``test-lws-deploy`` (DGD ``test-lws``, service ``deploy``); the fixture's
    unnamed sidecar gets a name (the CRD requires one) that sorts before ``main`` as "" does,
    and loses it again in the outcome; the ServiceAccount comes from a labelled ServiceAccount
    (D14). The fixture's DCD has the same name as its owner DGD (a DGD-made DCD is
    ``<dgd>-<svc>``), so ``DYN_PARENT_DGD_K8S_NAME`` is checked against our DGD's name and then
    given the fixture's value.
    """
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
    out = _run(dgd, _config(inp["operatorConfig"]), (sa,))
    owner = inp["dcd"]["metadata"]["ownerReferences"][0]["name"]
    for obj in out:
        if obj["kind"] != "LeaderWorkerSet":
            continue
        for key in ("leaderTemplate", "workerTemplate"):
            for container in obj["spec"]["leaderWorkerTemplate"][key]["spec"]["containers"]:
                if container["name"] == sidecar_name:
                    del container["name"]
                for env in container.get("env") or []:
                    if env["name"] == "DYN_PARENT_DGD_K8S_NAME":
                        assert env["value"] == "test-lws"
                        env["value"] = owner
    return Outcome(objects=out)


# operator step -> the project interface standing for it; BackendError = the step's own error.
_BACKEND_ERRORS = (StepError, backend_resolution.BackendError)
RUNNERS = {
    "UpdateContainer": Runner(run_update_container, _BACKEND_ERRORS),
    "UpdatePodSpec": Runner(run_update_pod_spec, _BACKEND_ERRORS),
    "updateVLLMMultinodeArgs": Runner(run_vllm_args, _BACKEND_ERRORS),
    "getMultinodeFlags": Runner(run_sglang_flags, _BACKEND_ERRORS),
    "isPythonCommand": Runner(run_is_python),
    "generateWorkerHostnames": Runner(run_hostnames),
    "addSSHVolumeMount": Runner(run_add_ssh_mount, _BACKEND_ERRORS),
    "setupLeaderContainer": Runner(run_leader_script, _BACKEND_ERRORS),
    "setupWorkerContainer": Runner(run_worker_script, _BACKEND_ERRORS),
    "getGPUsPerNode": Runner(run_gpus_per_node),
    "GenerateBasePodSpec (volume loop) + UpdateContainer": Runner(run_cache_volume_loop),
    "GeneratePodSpecForComponent": Runner(run_pod_spec_for_component),
    "GenerateGrovePodCliqueSet": Runner(run_pod_clique_set),
    "generateLeaderWorkerSet (instanceID 0)": Runner(run_leader_worker_set),
}


@pytest.mark.parametrize("case", CASES)
def test_conformance_case(case: dict) -> None:
    require(CONFORMANCE)
    run_case(case, RUNNERS)


def test_every_case_is_counted():
    """All 62 cases of the three files are collected (README: 15 + 25 + 22)."""
    require(CONFORMANCE)
    assert len(CASES) == 15 + 25 + 22
