# SPDX-License-Identifier: Apache-2.0
"""Backend launch rewrites under operator 1.0 and 1.1 (B01-B07, N_E09, O01), through ``core.expand``."""

from __future__ import annotations

import k8s_validate
import pytest

from krm_dynamo import defaults
from krm_dynamo.core import expand
from krm_dynamo.render import backends

ORIGIN = "nvidia.com/dynamo-operator-origin-version"
EXECUTOR = "nvidia.com/vllm-distributed-executor-backend"
TP16 = "python3 -m dynamo.vllm --model m --tensor-parallel-size 16"


def _run(release: str, service: dict, *, dgd_annotations: dict | None = None, grove: bool = False,
         key: str = "VllmWorker") -> tuple[list[dict], list]:
    metadata: dict = {"name": "g", "namespace": "ns"}
    if dgd_annotations:
        metadata["annotations"] = dgd_annotations
    dgd = {"apiVersion": "nvidia.com/v1alpha1", "kind": "DynamoGraphDeployment", "metadata": metadata,
           "spec": {"backendFramework": "vllm", "services": {key: service}}}
    cfg = {"apiVersion": "fn.krm-dynamo.dev/v1alpha1", "kind": "KrmDynamoConfig", "metadata": {"name": "c"},
           "defaultImage": "img:1", "operatorVersion": release}
    if grove:
        cfg["multinodeOrchestrator"] = "grove"
    return expand([dgd], cfg)


def _service(args: str = TP16, gpus: str = "8", annotations: dict | None = None) -> dict:
    service: dict = {"componentType": "worker", "multinode": {"nodeCount": 2}, "resources": {"limits": {"gpu": gpus}},
                     "extraPodSpec": {"mainContainer": {"args": [args]}}}
    if annotations:
        service["annotations"] = annotations
    return service


def _pods(out: list[dict]) -> tuple[dict, dict]:
    lws = next(o for o in out if o["kind"] == "LeaderWorkerSet")["spec"]["leaderWorkerTemplate"]
    return lws["leaderTemplate"]["spec"], lws["workerTemplate"]["spec"]


def _main(pod: dict) -> dict:
    return next(c for c in pod["containers"] if c["name"] == "main")


def _executor(out: list[dict]) -> str:
    args = _main(_pods(out)[0])["args"][0]
    return "mp" if "--distributed-executor-backend mp" in args else "ray" if "ray start" in args else "none"


@pytest.mark.parametrize(("release", "service_annotations", "dgd_annotations", "want"), [
    ("1.1", None, None, "mp"),  # no origin version: created by the release (the webhook stamps 1.1.0)
    ("1.0", None, None, "mp"),
    ("1.1", None, {ORIGIN: "0.9.0"}, "ray"),  # a DGD created before 1.0 keeps Ray
    ("1.1", {ORIGIN: "1.0.0"}, {ORIGIN: "0.9.0"}, "mp"),  # 1.1: the service's value wins
    ("1.0", {ORIGIN: "1.0.0"}, {ORIGIN: "0.9.0"}, "ray"),  # 1.0: the DGD's value is copied over it
    ("1.1", None, {EXECUTOR: "Ray"}, "ray"),  # 1.1 reads the DGD's executor annotation
    ("1.0", None, {EXECUTOR: "ray"}, "mp"),  # 1.0 reads only the service's
    ("1.0", {EXECUTOR: "RAY"}, None, "ray"),
    ("1.0", {EXECUTOR: "other"}, None, "mp"),  # not mp/ray (unchecked on a 1.0 service): the origin decides
])
def test_executor_choice_b02(release, service_annotations, dgd_annotations, want):
    out, results = _run(release, _service(annotations=service_annotations), dgd_annotations=dgd_annotations)
    assert not [r for r in results if r.severity == "error"], results
    assert _executor(out) == want


def test_no_rewrite_when_one_node_holds_the_world_b01():
    out, _ = _run("1.1", _service(args="python3 -m dynamo.vllm --tensor-parallel-size 8"))
    leader, worker = _pods(out)
    assert _main(leader)["args"] == ["python3 -m dynamo.vllm --tensor-parallel-size 8"]
    # the executor choice alone decides the init container (UpdatePodSpec), whatever the launch
    assert [c["name"] for c in worker["initContainers"]] == ["wait-for-leader-mp"]


def test_data_parallel_flags_b01():
    out, _ = _run("1.1", _service(args="python3 -m dynamo.vllm --data-parallel-size 16", gpus="8"))
    leader, worker = _pods(out)
    assert _main(leader)["args"] == [
        "python3 -m dynamo.vllm --data-parallel-hybrid-lb --data-parallel-size-local 8 --data-parallel-start-rank 0 "
        "--data-parallel-address $LWS_LEADER_ADDRESS --data-parallel-rpc-port 13445 --data-parallel-size 16"]
    assert "--data-parallel-start-rank $(( 8 * $(LWS_WORKER_INDEX) ))" in _main(worker)["args"][0]


def test_wait_for_leader_1_0_inline_and_1_1_config_map_b03_o01():
    out_10, _ = _run("1.0", _service())
    init = _pods(out_10)[1]["initContainers"][0]
    assert init["name"] == "wait-for-leader-mp" and init["command"][:2] == ["python3", "-c"]
    assert 'host, port = "$LWS_LEADER_ADDRESS", 29500' in init["command"][2]
    assert not [o for o in out_10 if o["kind"] == "ConfigMap"]
    out_11, _ = _run("1.1", _service())
    worker = _pods(out_11)[1]
    assert worker["initContainers"][0]["volumeMounts"] == [
        {"name": "wait-leader-script", "readOnly": True, "mountPath": "/scripts"}]
    assert worker["volumes"][-1] == {"name": "wait-leader-script", "configMap": {"name": "g-wait-leader-script"}}
    config_map = next(o for o in out_11 if o["kind"] == "ConfigMap")
    assert config_map["metadata"] == {"name": "g-wait-leader-script", "namespace": "ns",
                                      "labels": {"nvidia.com/dynamo-graph-deployment-name": "g"}}
    k8s_validate.validate_all(out_11, k8s_validate.version_of_release("1.1"))


def test_grove_host_names_lower_case_the_service_key_b07():
    out, results = _run("1.1", _service(), grove=True)
    assert not [r for r in results if r.severity == "error"], results
    pcs = next(o for o in out if o["kind"] == "PodCliqueSet")
    cliques = {c["name"]: c["spec"]["podSpec"] for c in pcs["spec"]["template"]["cliques"]}
    leader_host = "$(GROVE_PCSG_NAME)-$(GROVE_PCSG_INDEX)-vllmworker-ldr-0.$(GROVE_HEADLESS_SERVICE)"
    assert f"--master-addr {leader_host} " in _main(cliques["vllmworker-ldr"])["args"][0]
    init = cliques["vllmworker-wkr"]["initContainers"][0]
    assert init["command"][2].startswith(
        'export LEADER_HOST="${GROVE_PCSG_NAME}-${GROVE_PCSG_INDEX}-vllmworker-ldr-0.${GROVE_HEADLESS_SERVICE}"')


def test_backend_env_after_the_sorted_env_n_e09():
    service = _service()
    service["envs"] = [{"name": "ZZZ", "value": "1"}]
    service["volumeMounts"] = [{"name": "cache", "useAsCompilationCache": True}]
    dgd_out, _ = _run("1.1", service)
    names = [e["name"] for e in _main(_pods(dgd_out)[0])["env"]]
    assert names[-3:] == ["ZZZ", "VLLM_NIXL_SIDE_CHANNEL_HOST", "VLLM_CACHE_ROOT"]


def test_0_6_deployer_strings_are_unchanged():
    table = defaults.for_release("0.6")
    assert backends.release_deployer(backends.LWS, table) == backends.LWS
    assert backends.LWS.leader_hostname("W") == "$(LWS_LEADER_ADDRESS)"
    assert backends.GROVE.leader_hostname("W").endswith("-W-ldr-0.$(GROVE_HEADLESS_SERVICE)")


def test_lws_worker_without_args_is_an_error_under_1x():
    """From 1.0 vLLM gives a worker Ray's args only when the args ask for more GPUs than a node has,
    so a launch without args leaves the LeaderWorkerSet pods without any (the operator fails)."""
    service = _service()
    service["extraPodSpec"]["mainContainer"] = {"command": ["python3", "-m", "dynamo.vllm"]}
    _, results_06 = _run("0.6", service)
    assert [r.field_path for r in results_06 if r.severity == "error"] == [
        "spec.services.VllmWorker.extraPodSpec.mainContainer.args"]  # the 0.6 leader has none
    _, results = _run("1.1", service)
    errors = [r for r in results if r.severity == "error"]
    assert [r.field_path for r in errors] == ["spec.services.VllmWorker.extraPodSpec.mainContainer.args"]
    assert "leader and worker" in errors[0].message


def test_what_differs_at_the_1_0_cut_b05_b06():
    """SGLang: the 1.0 leader keeps `$LWS_LEADER_ADDRESS` (1.1: `$(LWS_LEADER_ADDRESS)`); TRT-LLM: the 1.0
    worker still creates /run/sshd."""
    pod = {"role": defaults.ROLE_LEADER, "node_count": 2, "service_name": "w"}
    flags_10, _ = backends.sglang_flags(backends.PodRole(
        **pod, deployer=backends.release_deployer(backends.LWS, defaults.for_release("1.0")),
        table=defaults.for_release("1.0")))
    flags_11, _ = backends.sglang_flags(backends.PodRole(
        **pod, deployer=backends.release_deployer(backends.LWS, defaults.for_release("1.1")),
        table=defaults.for_release("1.1")))
    assert flags_10.startswith("--dist-init-addr $LWS_LEADER_ADDRESS:29500 ")
    assert flags_11.startswith("--dist-init-addr $(LWS_LEADER_ADDRESS):29500 ")
    assert backends.trtllm_worker_script(defaults.for_release("1.0")).startswith(
        "mkdir -p $HOME/.ssh $HOME/.ssh/host_keys $HOME/.ssh/run /run/sshd && ")
    assert backends.trtllm_worker_script(defaults.for_release("1.1")).startswith(
        "mkdir -p $HOME/.ssh $HOME/.ssh/host_keys $HOME/.ssh/run && ")
