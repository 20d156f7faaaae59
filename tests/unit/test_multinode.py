# SPDX-License-Identifier: Apache-2.0
"""Multinode services on LeaderWorkerSet (D6, D7, D21, D27, D28, R2, R3, R6)."""

from __future__ import annotations

import copy

import k8s_validate
import pytest
from multinode_util import IMAGE, VLLM_ARGS
from multinode_util import dgd as _dgd
from multinode_util import golden_objects as _golden_objects
from multinode_util import kinds as _kinds
from multinode_util import ok as _ok
from multinode_util import run as _run
from multinode_util import worker as _worker

from krm_dynamo import defaults
from krm_dynamo.graph import backend as backend_resolution
from krm_dynamo.render import backends


def _templates(lws: dict) -> tuple[dict, dict]:
    t = lws["spec"]["leaderWorkerTemplate"]
    return t["leaderTemplate"], t["workerTemplate"]


def _main(template: dict) -> dict:
    return next(c for c in template["spec"]["containers"] if c["name"] == "main")


# --- objects per replica --------------------------------------------------------------------


def test_one_lws_and_podgroup_per_replica():
    """Objects: `<name>-<i>` for i < replicas; LWS replicas 1, size nodeCount, LeaderCreated; minMember nodeCount."""
    out, _ = _ok(_dgd({"W": _worker(node_count=4, replicas=3)}, "vllm"))
    lws = _kinds(out, "LeaderWorkerSet")
    groups = _kinds(out, "PodGroup")
    assert [o["metadata"]["name"] for o in lws] == ["g-w-0", "g-w-1", "g-w-2"]
    assert [o["metadata"]["name"] for o in groups] == ["g-w-0", "g-w-1", "g-w-2"]
    assert not _kinds(out, "Deployment")
    for i, (obj, group) in enumerate(zip(lws, groups, strict=True)):
        assert obj["spec"]["replicas"] == 1
        assert obj["spec"]["startupPolicy"] == "LeaderCreated"
        assert obj["spec"]["leaderWorkerTemplate"]["size"] == 4
        assert obj["metadata"]["labels"]["instance-id"] == str(i)
        assert group["spec"] == {"minMember": 4}
        for template in _templates(obj):
            assert template["metadata"]["labels"]["instance-id"] == str(i)
            assert template["metadata"]["annotations"]["scheduling.k8s.io/group-name"] == f"g-w-{i}"
            assert template["spec"]["schedulerName"] == "volcano"


def test_replicas_zero_emits_no_workload():
    out, _ = _ok(_dgd({"W": _worker(replicas=0)}, "vllm"))
    assert out == []


def test_role_and_selector_labels_d7_r2():
    """D7: each template its own role; R2: nvidia.com/selector kept on both; D4 labels everywhere."""
    out, _ = _ok(_dgd({"W": _worker(labels={"team": "a"}, annotations={"a/b": "c"},
                                     extraPodMetadata={"labels": {"x": "y"}, "annotations": {"a/b": "d"}})}, "vllm"))
    lws = _kinds(out, "LeaderWorkerSet")[0]
    leader, worker = _templates(lws)
    assert leader["metadata"]["labels"]["role"] == "leader"
    assert worker["metadata"]["labels"]["role"] == "worker"
    for template in (leader, worker):
        labels = template["metadata"]["labels"]
        assert labels[defaults.LABEL_SELECTOR] == "g-w"
        assert labels["team"] == "a" and labels["x"] == "y"
        assert template["metadata"]["annotations"] == {"a/b": "d", "scheduling.k8s.io/group-name": "g-w-0"}
    # The operator's object label set (its map is shared with the templates): no selector, and no
    # role (D7; the operator's object keeps the worker template's `role: worker`).
    assert lws["metadata"]["labels"] == {
        "instance-id": "0", "nvidia.com/dynamo-component": "W", "nvidia.com/dynamo-component-type": "worker",
        "nvidia.com/dynamo-graph-deployment-name": "g", "nvidia.com/dynamo-namespace": "dynamo-g",
        "nvidia.com/metrics-enabled": "true", "team": "a", "x": "y"}
    assert lws["metadata"]["annotations"] == {"a/b": "c"}
    group = _kinds(out, "PodGroup")[0]
    assert group["metadata"]["labels"] == {"instance-id": "0", "team": "a"}
    assert group["metadata"]["annotations"] == {"a/b": "c"}


def test_gang_scheduling_none_d27():
    out, _ = _ok(_dgd({"W": _worker()}, "vllm"), {"gangScheduling": "none"})
    assert not _kinds(out, "PodGroup")
    for template in _templates(_kinds(out, "LeaderWorkerSet")[0]):
        assert "schedulerName" not in template["spec"]
        assert "annotations" not in template["metadata"]


def test_user_scheduler_name_wins_d21():
    svc = _worker()
    svc["extraPodSpec"]["schedulerName"] = "my-scheduler"
    out, results = _ok(_dgd({"W": svc}, "vllm"))
    for template in _templates(_kinds(out, "LeaderWorkerSet")[0]):
        assert template["spec"]["schedulerName"] == "my-scheduler"
    assert any(r.severity == "info" and "D21" in r.message for r in results)


def test_service_account_discovered_d14():
    sa = {"apiVersion": "v1", "kind": "ServiceAccount",
          "metadata": {"name": "dyn-sa", "namespace": "llm", "labels": {defaults.LABEL_COMPONENT_POD: "true"}}}
    out, _ = _ok(_dgd({"W": _worker()}, "vllm"), items=(sa,))
    for template in _templates(_kinds(out, "LeaderWorkerSet")[0]):
        assert template["spec"]["serviceAccountName"] == "dyn-sa"


def test_multinode_frontend_service_selects_leader_d6():
    """The Service of a multinode frontend selects {selector, role: leader}; its labels have no role."""
    frontend = {"componentType": "frontend", "multinode": {"nodeCount": 2}, "resources": {"limits": {"gpu": "1"}},
                "extraPodSpec": {"mainContainer": {"image": IMAGE}}}
    out, _ = _ok(_dgd({"Frontend": frontend}))
    service = _kinds(out, "Service")[0]
    assert service["spec"]["selector"] == {defaults.LABEL_SELECTOR: "g-frontend", "role": "leader"}
    assert "role" not in service["metadata"]["labels"]
    leader, _ = _templates(_kinds(out, "LeaderWorkerSet")[0])
    assert service["spec"]["selector"].items() <= leader["metadata"]["labels"].items()


def test_autoscaling_ignored_on_multinode_v13():
    svc = _worker(autoscaling={"enabled": True, "minReplicas": 1, "maxReplicas": 4})
    out, results = _ok(_dgd({"W": svc}, "vllm"))
    assert not _kinds(out, "HorizontalPodAutoscaler")
    assert any(r.severity == "warning" and r.field_path == "spec.services.W.autoscaling" for r in results)


# --- backend rewrites in the built templates -----------------------------------------------------


def test_vllm_rewrite_and_worker_probes():
    out, _ = _ok(_dgd({"W": _worker()}, "vllm"))
    leader, worker = (_main(t) for t in _templates(_kinds(out, "LeaderWorkerSet")[0]))
    assert leader["args"] == ["ray start --head --port=6379 && " + VLLM_ARGS[0]]
    assert worker["args"] == ["ray start --address=$(LWS_LEADER_ADDRESS):6379 --block"]
    assert {"livenessProbe", "readinessProbe", "startupProbe"} <= leader.keys()
    assert not {"livenessProbe", "readinessProbe", "startupProbe"} & worker.keys()


@pytest.mark.parametrize("backend", ["vllm", "sglang", "trtllm"])
def test_user_probes_follow_the_backend_rule_on_workers_d28(backend):
    """D28: worker pods get the backend's probe rule on every probe; the leader keeps the user's; info results."""
    args = {"vllm": VLLM_ARGS, "sglang": ["python3 -m dynamo.sglang --model-path m"],
            "trtllm": ["python3 -m dynamo.trtllm --model-path m"]}[backend]
    liveness = {"exec": {"command": ["true"]}, "periodSeconds": 7}
    readiness = {"tcpSocket": {"port": 9999}}
    svc = _worker(args=args, livenessProbe=liveness, readinessProbe=readiness)
    out, results = _ok(_dgd({"W": svc}, backend))
    leader, worker = (_main(t) for t in _templates(_kinds(out, "LeaderWorkerSet")[0]))
    assert leader["livenessProbe"] == liveness
    assert leader["readinessProbe"] == readiness
    assert "livenessProbe" not in worker and "startupProbe" not in worker
    if backend == "trtllm":
        assert worker["readinessProbe"]["tcpSocket"] == {"port": 2222}
    else:
        assert "readinessProbe" not in worker
    infos = {r.field_path: r.message for r in results if r.severity == "info" and "D28" in r.message}
    assert set(infos) == {"spec.services.W.livenessProbe", "spec.services.W.readinessProbe"}
    assert "removed from the worker pods" in infos["spec.services.W.livenessProbe"]
    replaced = "replaced by the backend's own (tcpSocket :2222) on the worker pods"
    expected = replaced if backend == "trtllm" else "removed from the worker pods"
    assert expected in infos["spec.services.W.readinessProbe"]


def test_user_probes_follow_the_backend_rule_on_grove_workers_d28():
    """D28 under Grove too: the worker clique gets no user probe, the leader clique keeps it."""
    startup = {"httpGet": {"path": "/health", "port": 9090}, "failureThreshold": 600}
    svc = _worker()
    svc["extraPodSpec"]["mainContainer"]["startupProbe"] = startup
    out, results = _ok(_dgd({"W": svc}, "vllm"), {"multinodeOrchestrator": "grove"})
    cliques = {c["name"]: c for c in _kinds(out, "PodCliqueSet")[0]["spec"]["template"]["cliques"]}
    leader, worker = (c["spec"]["podSpec"]["containers"][0] for c in (cliques["w-ldr"], cliques["w-wkr"]))
    assert leader["startupProbe"] == startup
    assert not {"livenessProbe", "readinessProbe", "startupProbe"} & worker.keys()
    assert [r.field_path for r in results if "D28" in r.message] == [
        "spec.services.W.extraPodSpec.mainContainer.startupProbe"]


def test_no_d28_info_without_user_probes():
    """Default probes removed from workers are not the user's: no info result."""
    _, results = _ok(_dgd({"W": _worker()}, "vllm"))
    assert not [r for r in results if "D28" in r.message]


def test_trtllm_worker_default_probes():
    out, _ = _ok(_dgd({"W": _worker(args=["python3 -m dynamo.trtllm"])}, "trtllm"))
    worker = _main(_templates(_kinds(out, "LeaderWorkerSet")[0])[1])
    assert worker["readinessProbe"] == {"tcpSocket": {"port": 2222}, "initialDelaySeconds": 20, "timeoutSeconds": 5,
                                        "periodSeconds": 20, "failureThreshold": 10}
    assert "livenessProbe" not in worker and "startupProbe" not in worker


def test_trtllm_leader_keeps_a_python_command():
    """TRT-LLM: with a python `command[0]` the original launch is `command + args` (regression)."""
    svc = _worker(args=["--model-path", "m"])
    svc["extraPodSpec"]["mainContainer"]["command"] = ["python3", "-m", "dynamo.trtllm"]
    out, _ = _ok(_dgd({"W": svc}, "trtllm"))
    leader = _main(_templates(_kinds(out, "LeaderWorkerSet")[0])[0])
    assert leader["command"] == ["/bin/sh", "-c"]
    assert leader["args"][0].endswith("trtllm-llmapi-launch python3 -m dynamo.trtllm --model-path m'")
    assert " -n 16 " in leader["args"][0]


def test_trtllm_ssh_secret_volume_and_env_r6():
    svc = _worker(args=["python3 -m dynamo.trtllm"], envs=[{"name": "OMPI_MCA_orte_keep_fqdn_hostnames", "value": "0"}])
    out, _ = _ok(_dgd({"W": svc}, "trtllm"), {"mpiRunSecretName": "ssh"})
    for template in _templates(_kinds(out, "LeaderWorkerSet")[0]):
        assert {"name": "ssh", "secret": {"secretName": "ssh", "defaultMode": 420}} in template["spec"]["volumes"]
        main = _main(template)
        assert {"name": "ssh", "readOnly": True, "mountPath": "/ssh-pk"} in main["volumeMounts"]
        ompi = [e for e in main["env"] if e["name"] == "OMPI_MCA_orte_keep_fqdn_hostnames"]
        assert ompi == [{"name": "OMPI_MCA_orte_keep_fqdn_hostnames", "value": "0"}]


def test_trtllm_ssh_volume_not_duplicated():
    """A user volume already named like the secret is kept alone (two volumes of one name are invalid)."""
    pod = backends.PodRole(role=defaults.ROLE_LEADER, node_count=2, secret_name="ssh")
    spec = {"volumes": [{"name": "ssh", "secret": {"secretName": "other"}}]}
    assert backends.update_pod_spec(backend_resolution.resolve("worker", {}, "trtllm"), spec, pod) == spec


def test_r3_host_list_three_nodes():
    """The LWS host list for nodeCount 3."""
    assert ",".join(backends.LWS.hostnames("x", 3)) == (
        '$(LWS_LEADER_ADDRESS),$(echo "$LWS_LEADER_ADDRESS" | sed \'s/\\./-1\\./\'),'
        '$(echo "$LWS_LEADER_ADDRESS" | sed \'s/\\./-2\\./\')'
    )


def test_sglang_flags_on_lws():
    out, _ = _ok(_dgd({"W": _worker(args=["python3 -m dynamo.sglang --model-path m"], node_count=3)}, "sglang"))
    leader, worker = (_main(t) for t in _templates(_kinds(out, "LeaderWorkerSet")[0]))
    assert leader["args"] == ["python3 -m dynamo.sglang --dist-init-addr $(LWS_LEADER_ADDRESS):29500 --nnodes 3 "
                              "--node-rank 0 --model-path m"]
    assert worker["args"] == ["python3 -m dynamo.sglang --dist-init-addr $(LWS_LEADER_ADDRESS):29500 --nnodes 3 "
                              "--node-rank $(LWS_WORKER_INDEX) --model-path m"]


def test_vllm_compilation_cache_on_multinode_pods_d8():
    svc = _worker(volumeMounts=[{"name": "cache", "useAsCompilationCache": True}])
    pvc = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "cache", "namespace": "llm"}}
    out, _ = _ok(_dgd({"W": svc}, "vllm"), items=(pvc,))
    for template in _templates(_kinds(out, "LeaderWorkerSet")[0]):
        main = _main(template)
        assert {"name": "VLLM_CACHE_ROOT", "value": "/root/.cache/vllm"} in main["env"]
        assert {"name": "cache", "mountPath": "/root/.cache/vllm"} in main["volumeMounts"]


# --- warnings and errors ------------------------------------------------------------------------


def _messages(results, severity):
    return [f"{r.field_path}: {r.message}" for r in results if r.severity == severity]


def test_vllm_non_shell_command_warns():
    svc = _worker(args=["--model", "m"])
    svc["extraPodSpec"]["mainContainer"]["command"] = ["python3", "-m", "dynamo.vllm"]
    _, results = _ok(_dgd({"W": svc}, "vllm"))
    assert any(m.startswith("spec.services.W.extraPodSpec.mainContainer.command: the multinode vLLM rewrite")
               for m in _messages(results, "warning"))


def test_sglang_without_invocation_warns():
    _, results = _ok(_dgd({"W": _worker(args=["./launch.sh"])}, "sglang"))
    assert any("were not added" in m for m in _messages(results, "warning"))


@pytest.mark.parametrize(
    ("services", "path", "text"),
    [
        ({"W": _worker(node_count=1)}, "spec.services.W.multinode.nodeCount", "at least 2"),
        ({"W": _worker(gpu=None)}, "spec.services.W.resources.limits.gpu", "GPU limit is not set for LWS worker pod"),
        ({"W": _worker(args=[])}, "spec.services.W.extraPodSpec.mainContainer.args",
         "container Args cannot be empty for LWS pod"),
        ({"W": _worker(extraPodSpec={"mainContainer": {"name": "engine", "image": IMAGE, "args": VLLM_ARGS}})},
         "spec.services.W.extraPodSpec.mainContainer.name", "main container not found in pod spec"),
        ({"W": _worker(args=["python3 -m dynamo.sglang"])}, "spec.services.W.extraPodSpec.mainContainer",
         'backend framework mismatch: detected "sglang" from command but explicitly configured as "vllm"'),
    ],
)
def test_errors_with_field_paths(services, path, text):
    out, results = _run(_dgd(services, "vllm"))
    assert out == []
    assert any(r.field_path == path and text in r.message for r in results if r.severity == "error"), (
        _messages(results, "error"))


def test_unknown_backend_is_an_error():
    out, results = _run(_dgd({"W": _worker()}, "onnx"))
    assert out == []
    assert any(r.field_path == "spec.backendFramework" for r in results if r.severity == "error")


# --- the test-owned CRD schemas ---------------------------------------------------------------


@pytest.mark.parametrize("kind", ["LeaderWorkerSet", "PodGroup"])
def test_golden_objects_validate_against_the_crd_schemas(kind):
    objects = _golden_objects(kind)
    assert objects, f"no {kind} in the goldens"
    for obj in objects:
        assert k8s_validate.crd_validator(obj["apiVersion"], kind) is not None
        assert k8s_validate.validate_object(obj) == []


def test_crd_schemas_reject_broken_objects():
    lws = copy.deepcopy(_golden_objects("LeaderWorkerSet")[0])
    lws["spec"]["leaderWorkerTemplate"]["size"] = "2"
    lws["spec"]["startupPolicy"] = "Whenever"
    del lws["spec"]["leaderWorkerTemplate"]["workerTemplate"]
    problems = k8s_validate.validate_object(lws)
    assert any("'2' is not of type 'integer'" in p for p in problems)
    assert any("'workerTemplate' is a required property" in p for p in problems)
    assert any("Whenever" in p for p in problems)
    group = copy.deepcopy(_golden_objects("PodGroup")[0])
    group["spec"]["minMember"] = "2"
    group["spec"]["minMembers"] = 2
    problems = k8s_validate.validate_object(group)
    assert len(problems) == 2, problems
