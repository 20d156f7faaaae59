# SPDX-License-Identifier: Apache-2.0
"""Runners for the backend cases of the 1.x conformance vectors (vLLM, SGLang, TRT-LLM).

Each runner takes ``(case, release)`` and runs the operator step the case names through the
project's own interfaces, with the release's table set (``defaults.for_release(release)``):
the backend hooks of ``krm_dynamo.render.backends`` for unit-level steps (``UpdateContainer``,
``UpdatePodSpec`` and their helpers), and a whole expansion (``core.expand``) for pod-spec and
ConfigMap generation. Then every ``expected`` key is compared (:func:`check`).

How the unit-level inputs map:

* ``input.deployer`` ``lws`` / ``grove``: the release's deployer; its leader address must be the
  one the case was written with. ``mock-*``: a test double with the case's strings.
* ``input.component.annotations`` are the effective service annotations the operator's backend
  reads: they reach :class:`~krm_dynamo.render.backends.PodRole` as given (a unit test's
  component without an origin version is a DGD that never passed the operator's webhook).
* ``input.component.volumeMounts``: the compilation-cache env comes from the storage step and
  goes through ``backends.split_env`` as in the pod builder (N_E09).
"""

from __future__ import annotations

import copy
from typing import Any

from krm_dynamo import defaults
from krm_dynamo.api import v1alpha1
from krm_dynamo.core import expand
from krm_dynamo.graph import backend as backend_resolution
from krm_dynamo.kube import semver
from krm_dynamo.render import backends, storage

IMAGE = "registry.example/dynamo:1"
LEGACY_ORIGIN = "0.9.0"  # an origin version below the multiprocessing gate (see run_pod_spec_for_component)

# --- checks -------------------------------------------------------------------------------------


def _joined(container: dict, *fields: str) -> str:
    return " ".join(str(part) for f in fields for part in container.get(f) or [])


def _container(got: dict, want: dict, given: dict) -> None:
    for key, value in want.items():
        if key == "envAppended":
            start = len(given.get("env") or [])
            assert (got.get("env") or [])[start:] == value, f"env appended: {got.get('env')!r}"
        elif value == [] and got.get(key) in (None, []):
            continue
        else:
            assert got.get(key) == value, f"container.{key}: got {got.get(key)!r}, want {value!r}"


def _probes(got: dict, want: dict) -> None:
    for kind, probe in want.items():
        if probe is None:
            assert kind not in got, f"{kind} must be absent, got {got.get(kind)!r}"
        else:
            assert got.get(kind) == probe, f"{kind}: got {got.get(kind)!r}, want {probe!r}"


def _pod_spec(got: dict, want: dict, given: dict) -> None:
    for key, value in want.items():
        if key.endswith("Appended"):
            field = key.removesuffix("Appended")
            start = len(given.get(field) or [])
            assert (got.get(field) or [])[start:] == _plain(value), f"podSpec.{field} appended: {got.get(field)!r}"
            assert (got.get(field) or [])[:start] == (given.get(field) or []), f"podSpec.{field}: kept items"
        elif key == "volumesContain":
            for item in value:
                assert item in (got.get("volumes") or []), f"podSpec.volumes: {item!r} missing"
        else:
            assert got.get(key) == value, f"podSpec.{key}: got {got.get(key)!r}, want {value!r}"


def _plain(items: list) -> list:
    """Expected list items without the keys a Go struct shows as null (omitted when serialised)."""
    return [{k: v for k, v in item.items() if v is not None} if isinstance(item, dict) else item for item in items]


def check(outcome: dict, expected: dict, given: dict) -> None:
    """Compare every ``expected`` key with the step's ``outcome`` (``container``, ``podSpec``, ``value`` …)."""
    for key, want in expected.items():
        if key in ("assert", "note"):
            continue
        if key == "container":
            _container(outcome["container"], want, given.get("container") or {})
        elif key == "probes":
            _probes(outcome["container"], want)
        elif key == "podSpec":
            _pod_spec(outcome["podSpec"], want, given.get("podSpec") or {})
        elif key == "volumeCount":
            assert len(outcome["podSpec"].get("volumes") or []) == want
        elif key == "commandArgsContains":
            for part in want or []:
                assert part in _joined(outcome["container"], "command", "args"), part
        elif key == "commandArgsNotContains":
            for part in want or []:
                assert part not in _joined(outcome["container"], "command", "args"), part
        elif key == "contains":
            for item in want:
                assert item in outcome["contains"], f"{item!r} not in {outcome['contains']!r}"
        elif key == "derived_exact":
            check(outcome, want, given)
        else:
            assert outcome[key] == want, f"{key}: got {outcome[key]!r}, want {want!r}"


# --- unit-level steps ------------------------------------------------------------------------------


def _deployer(spec: dict | None, table: defaults.OperatorDefaults, service: str) -> backends.Deployer:
    if spec is None:
        return backends.release_deployer(backends.LWS, table)
    if spec["kind"] in ("lws", "grove"):
        deployer = backends.release_deployer(backends.GROVE if spec["kind"] == "grove" else backends.LWS, table)
        assert deployer.leader_hostname(service) == spec["leaderHostname"]
        assert (deployer.node_rank, deployer.node_rank_needs_shell) == (spec["nodeRank"], spec["nodeRankNeedsShell"])
        return deployer
    return backends.Deployer(name=spec["kind"], leader_hostname_template=spec["leaderHostname"],
                             node_rank=spec["nodeRank"], node_rank_needs_shell=spec["nodeRankNeedsShell"])


def _pod_role(inp: dict, table: defaults.OperatorDefaults, deferred: tuple = ()) -> backends.PodRole:
    service = inp.get("serviceName", "test-service")
    component = inp.get("component") or {}
    return backends.PodRole(
        role=inp.get("role", defaults.ROLE_MAIN), node_count=inp.get("nodeCount", 2), service_name=service,
        deployer=_deployer(inp.get("deployer"), table, service), resources=component.get("resources"),
        secret_name=inp.get("mpiRunSecretName", "mpi-run-ssh-secret"), table=table,
        annotations=dict(component.get("annotations") or {}), dgd_name=((inp.get("dgd") or {}).get("metadata") or {})
        .get("name", ""), deferred_env=deferred,
    )


def _backend(name: str) -> backend_resolution.Backend:
    return backend_resolution.resolve("worker", {}, name)


def run_update_container(case: dict, release: str) -> None:
    """``UpdateContainer`` / ``updateVLLMMultinodeArgs``: the container hook, after the storage step's cache env."""
    inp, table = case["input"], defaults.for_release(release)
    backend = _backend(inp.get("backend", "vllm"))
    container = copy.deepcopy(inp.get("container") or {})
    cache_env: list = []
    if (inp.get("component") or {}).get("volumeMounts"):
        svc = v1alpha1.DynamoComponentDeploymentSharedSpec.model_validate(inp["component"])
        volumes = storage.pod_volumes(svc, backend, table)
        cache_env = backends.compilation_cache_env(backend, volumes.cache_mount_path)
    env, deferred = backends.split_env(list(container.get("env") or []), cache_env, table)
    if "env" in container or env:
        container["env"] = env
    got = backends.update_container(backend, container, _pod_role(inp, table, deferred))
    if "no VLLM_CACHE_ROOT" in case["expected"].get("assert", ""):
        assert "VLLM_CACHE_ROOT" not in {e["name"] for e in got.get("env") or []}
    check({"container": got, "contains": got.get("env") or []}, case["expected"], inp)


def run_update_pod_spec(case: dict, release: str) -> None:
    inp, table = case["input"], defaults.for_release(release)
    pod_spec = backends.update_pod_spec(_backend(inp["backend"]), copy.deepcopy(inp["podSpec"]), _pod_role(inp, table))
    check({"podSpec": pod_spec}, case["expected"], inp)


def run_should_use_mp(case: dict, release: str) -> None:
    annotations = case["input"]["annotations"] or {}
    assert backends.uses_mp(annotations, defaults.for_release(release)) is case["expected"]["useMp"]


def run_origin_gate(case: dict, release: str) -> None:
    """The origin-version gate of the multiprocessing executor, with the release's threshold."""
    launch = defaults.for_release(release).launch.values
    origin = (case["input"]["annotations"] or {}).get(str(launch["vllm.originAnnotation"]))
    enabled = semver.at_least(origin, str(launch["vllm.mpMinOriginVersion"]))
    assert enabled is case["expected"]["enabled"]


def run_sglang_flags(case: dict, release: str) -> None:
    flags, needs_shell = backends.sglang_flags(_pod_role(case["input"], defaults.for_release(release)))
    check({"flags": flags, "needsShell": needs_shell}, case["expected"], case["input"])


def run_shell_quote(case: dict, release: str) -> None:
    assert backends.shell_quote(case["input"]["value"]) == case["expected"]["quoted"]


def run_leader_script(case: dict, release: str) -> None:
    inp = case["input"]
    pod = _pod_role(inp, defaults.for_release(release))
    script = backends.trtllm_leader_script(copy.deepcopy(inp["container"]), pod)
    check({"container": {"command": list(defaults.SHELL_COMMAND), "args": [script]}}, case["expected"], inp)


def run_worker_script(case: dict, release: str) -> None:
    """Through the TRT-LLM container hook of a multinode worker: the original launch is discarded."""
    inp = case["input"]
    got = backends.update_container(_backend("trtllm"), copy.deepcopy(inp["container"]),
                                    _pod_role(inp, defaults.for_release(release)))
    check({"container": got}, case["expected"], inp)


def run_add_ssh_mount(case: dict, release: str) -> None:
    """Through the TRT-LLM container hook of a multinode leader (the mount is appended)."""
    inp = {**case["input"], "role": defaults.ROLE_LEADER}
    got = backends.update_container(_backend("trtllm"), copy.deepcopy(inp["container"]),
                                    _pod_role(inp, defaults.for_release(release)))
    check({"container": got}, case["expected"], case["input"])


def run_host_names(case: dict, release: str) -> None:
    inp = case["input"]
    deployer = _deployer(inp["deployer"], defaults.for_release(release), inp["serviceName"])
    check({"hostNames": deployer.hostnames(inp["serviceName"], inp["nodeCount"])}, case["expected"], inp)


def run_gpus_per_node(case: dict, release: str) -> None:
    """``getGPUsPerNode``; with the case's D26 deviation a valid GPU limit counts first."""
    deviated = "D26" in case.get("deviation", "")
    for row in case["expected"]["cases"]:
        want = row["gpusPerNode"]
        limit = str(((row["resources"] or {}).get("limits") or {}).get("gpu", ""))
        if deviated and limit.isdigit():
            want = int(limit)
        assert backends.gpus_per_node(row["resources"]) == want, row


# --- whole expansions ------------------------------------------------------------------------------


def _expand(dgd: dict, release: str, **config: Any) -> list[dict]:
    cfg = {"apiVersion": "fn.krm-dynamo.dev/v1alpha1", "kind": "KrmDynamoConfig", "metadata": {"name": "c"},
           "defaultImage": IMAGE, "operatorVersion": release, **config}
    out, results = expand([dgd], cfg)
    errors = [f"{r.field_path}: {r.message}" for r in results if r.severity == "error"]
    assert not errors, errors
    return out


def run_pod_spec_for_component(case: dict, release: str) -> None:
    """One service rendered under Grove; the pod of the case's role.

    The unit test's DGD has no origin version (it never passed the operator's webhook), so
    its multinode vLLM pods take Ray; a DGD rendered here counts as created by the release
    (multiprocessing), so the runner gives it a pre-1.0 origin version to stand for that DGD.
    """
    inp = case["input"]
    assert inp["deployer"]["kind"] == "grove", "GeneratePodSpecForComponent cases are mapped through Grove"
    component = copy.deepcopy(inp["component"])
    if inp["nodeCount"] > 1:
        component["multinode"] = {"nodeCount": inp["nodeCount"]}
    metadata = copy.deepcopy(inp["dgd"]["metadata"])
    metadata.setdefault("annotations", {})["nvidia.com/dynamo-operator-origin-version"] = LEGACY_ORIGIN
    dgd = {"apiVersion": "nvidia.com/v1alpha1", "kind": "DynamoGraphDeployment", "metadata": metadata,
           "spec": {"backendFramework": inp["backend"], "services": {inp["serviceName"]: component}}}
    out = _expand(dgd, release, multinodeOrchestrator="grove")
    pcs = next(o for o in out if o["kind"] == "PodCliqueSet")
    suffix = {"leader": "-ldr", "worker": "-wkr", "main": ""}[inp["role"]]
    clique = next(c for c in pcs["spec"]["template"]["cliques"] if c["name"] == inp["serviceName"].lower() + suffix)
    main = next(c for c in clique["spec"]["podSpec"]["containers"] if c["name"] == "main")
    check({"container": main, "podSpec": clique["spec"]["podSpec"]}, case["expected"], {})


def run_wait_leader_config_map(case: dict, release: str) -> None:
    """``GenerateWaitLeaderConfigMap``: the ConfigMap a DGD with a multinode service gets (O01)."""
    metadata = case["input"]["dgd"]["metadata"]
    service = {"componentType": "worker", "multinode": {"nodeCount": 2}, "resources": {"limits": {"gpu": "1"}},
               "extraPodSpec": {"mainContainer": {"args": ["python3 -m dynamo.vllm"]}}}
    dgd = {"apiVersion": "nvidia.com/v1alpha1", "kind": "DynamoGraphDeployment", "metadata": dict(metadata),
           "spec": {"backendFramework": "vllm", "services": {"worker": service}}}
    maps = [o for o in _expand(dgd, release) if o["kind"] == "ConfigMap"]
    assert len(maps) == 1, maps
    want = case["expected"]["configMap"]
    got = maps[0]
    assert (got["apiVersion"], got["kind"]) == (want["apiVersion"], want["kind"])
    assert {k: got["metadata"].get(k) for k in want["metadata"]} == want["metadata"]
    assert sorted(got["data"]) == want["dataKeys"]
    script = "".join(got["data"].values())
    for part in case["expected"]["contains"]:
        assert part in script, part

