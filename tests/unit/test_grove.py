# SPDX-License-Identifier: Apache-2.0
"""Grove mode: one PodCliqueSet per DGD (D2, D27, R8)."""

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

from krm_dynamo import defaults, pipeline
from krm_dynamo.config import FunctionConfig
from krm_dynamo.kube import durations
from krm_dynamo.render import grove

GROVE = {"multinodeOrchestrator": "grove"}


def _pcs(out) -> dict:
    (pcs,) = _kinds(out, "PodCliqueSet")
    return pcs


def _cliques(out) -> dict[str, dict]:
    return {c["name"]: c for c in _pcs(out)["spec"]["template"]["cliques"]}


def _main(clique: dict) -> dict:
    return next(c for c in clique["spec"]["podSpec"]["containers"] if c["name"] == "main")


def _single(**extra) -> dict:
    svc = {"componentType": "worker", "extraPodSpec": {"mainContainer": {"image": IMAGE, "args": VLLM_ARGS}}}
    svc.update(extra)
    return svc


@pytest.mark.parametrize(
    ("orchestrator", "annotation", "expected"),
    [("grove", None, True), ("grove", "false", False), ("grove", "FALSE", False), ("grove", "true", True),
     ("grove", "no", True), ("lws", None, False), ("lws", "true", False)],
)
def test_enabled_d2(orchestrator, annotation, expected):
    annotations = {} if annotation is None else {defaults.ANNOTATION_ENABLE_GROVE: annotation}
    assert pipeline.grove_mode(FunctionConfig(multinodeOrchestrator=orchestrator), annotations) is expected


@pytest.mark.parametrize(
    ("text", "formatted"),
    [("15m", "15m0s"), ("4h", "4h0m0s"), ("1h30m", "1h30m0s"), ("90s", "1m30s"), ("1.5s", "1.5s"),
     ("500ms", "500ms"), ("2h0m5s", "2h0m5s"), ("1.5h", "1h30m0s"), ("0", "0s")],
)
def test_go_durations(text, formatted):
    assert durations.format_duration(durations.parse_duration(text)) == formatted


@pytest.mark.parametrize("text", ["15", "m", "4 h", "1d", "abc"])
def test_invalid_durations(text):
    with pytest.raises(ValueError):
        durations.parse_duration(text)


def test_termination_delay_default_zero_and_invalid():
    out, _ = _ok(_dgd({"W": _single()}), GROVE)
    assert _pcs(out)["spec"]["template"]["terminationDelay"] == "15m0s"  # function default 15m
    out, _ = _ok(_dgd({"W": _single()}), {**GROVE, "groveTerminationDelay": "0s"})
    assert "terminationDelay" not in _pcs(out)["spec"]["template"]  # omitted when zero
    out, results = _run(_dgd({"W": _single()}), {**GROVE, "groveTerminationDelay": "forever"})
    assert out == []
    assert any("groveTerminationDelay" in r.message for r in results if r.severity == "error")


def test_one_pcs_no_component_mode_objects():
    services = {"Frontend": {"componentType": "frontend", "extraPodSpec": {"mainContainer": {"image": IMAGE}}},
                "W": _worker(replicas=3)}
    out, _ = _ok(_dgd(services, "vllm"), GROVE)
    assert sorted(o["kind"] for o in out) == ["PodCliqueSet", "Service"]
    pcs = _pcs(out)
    assert pcs["metadata"] == {"name": "g", "namespace": "llm"}
    assert pcs["spec"]["replicas"] == 1
    template = pcs["spec"]["template"]
    assert template["headlessServiceConfig"] == {"publishNotReadyAddresses": True}
    assert template["cliqueStartupType"] == "CliqueStartupTypeAnyOrder"
    cliques = _cliques(out)
    assert list(cliques) == ["frontend", "w-ldr", "w-wkr"]
    assert cliques["frontend"]["spec"]["replicas"] == 1  # R8
    assert cliques["w-ldr"]["spec"]["replicas"] == 1 and cliques["w-wkr"]["spec"]["replicas"] == 1
    for name, clique in cliques.items():
        assert clique["spec"]["roleName"] == name and clique["spec"]["minAvailable"] == 1
    assert template["podCliqueScalingGroups"] == [
        {"name": "w", "cliqueNames": ["w-ldr", "w-wkr"], "replicas": 3, "minAvailable": 1}]


def test_clique_labels_and_annotations():
    """The clique's selector value, no dynamo-component label, D4 then extraPodMetadata winning."""
    svc = _single(subComponentType="decode", labels={"k": "svc", "team": "a"}, annotations={"a/x": "1"},
                  extraPodMetadata={"labels": {"k": "extra"}, "annotations": {"a/x": "2", "a/y": "3"}})
    out, _ = _ok(_dgd({"Worker": svc}), GROVE)
    clique = _cliques(out)["worker"]
    assert clique["labels"] == {
        "k": "extra", "team": "a",
        "nvidia.com/dynamo-component-type": "worker", "nvidia.com/dynamo-graph-deployment-name": "g",
        "nvidia.com/dynamo-namespace": "dynamo-g", "nvidia.com/dynamo-sub-component-type": "decode",
        "nvidia.com/metrics-enabled": "true", "nvidia.com/selector": "g-worker"}
    assert clique["annotations"] == {"a/x": "2", "a/y": "3"}


def test_metrics_label_follows_the_dgd_annotation_only():
    out, _ = _ok(_dgd({"W": _single(annotations={defaults.ANNOTATION_ENABLE_METRICS: "false"})}), GROVE)
    assert _cliques(out)["w"]["labels"]["nvidia.com/metrics-enabled"] == "true"
    out, _ = _ok(_dgd({"W": _single()}, annotations={defaults.ANNOTATION_ENABLE_METRICS: "false"}), GROVE)
    assert "nvidia.com/metrics-enabled" not in _cliques(out)["w"]["labels"]


def test_grove_host_names_keep_the_service_key_case():
    """Host names embed the key as written; clique names are lower-case."""
    out, _ = _ok(_dgd({"VllmWorker": _worker()}, "vllm"), GROVE)
    worker = _main(_cliques(out)["vllmworker-wkr"])
    assert worker["args"] == [
        "ray start --address=$(GROVE_PCSG_NAME)-$(GROVE_PCSG_INDEX)-VllmWorker-ldr-0.$(GROVE_HEADLESS_SERVICE):6379"
        " --block"]
    assert not {"livenessProbe", "readinessProbe", "startupProbe"} & worker.keys()


def test_sglang_worker_rank_needs_shell():
    out, _ = _ok(_dgd({"w": _worker(args=["python3 -m dynamo.sglang"], node_count=3)}, "sglang"), GROVE)
    assert _main(_cliques(out)["w-wkr"])["args"] == [
        "python3 -m dynamo.sglang --dist-init-addr $(GROVE_PCSG_NAME)-$(GROVE_PCSG_INDEX)-w-ldr-0."
        "$(GROVE_HEADLESS_SERVICE):29500 --nnodes 3 --node-rank $((GROVE_PCLQ_POD_INDEX + 1))"]
    assert _cliques(out)["w-wkr"]["spec"]["replicas"] == 2


def test_trtllm_leader_starts_after_workers():
    services = {"T": _worker(args=["python3 -m dynamo.trtllm"]), "V": _worker()}
    out, _ = _ok(_dgd(services), GROVE)
    cliques = _cliques(out)
    assert cliques["t-ldr"]["spec"]["startsAfter"] == ["t-wkr"]
    assert "startsAfter" not in cliques["t-wkr"]["spec"] and "startsAfter" not in cliques["v-ldr"]["spec"]
    assert _pcs(out)["spec"]["template"]["cliqueStartupType"] == "CliqueStartupTypeExplicit"


def test_trtllm_without_gpus_warns_mpirun_n_0():
    out, results = _ok(_dgd({"T": _worker(args=["python3 -m dynamo.trtllm"], gpu=None)}), GROVE)
    assert " -n 0 " in _main(_cliques(out)["t-ldr"])["args"][0]
    assert any(r.severity == "warning" and "mpirun -n 0" in r.message for r in results)


def test_no_lws_checks_under_grove():
    """The command, args and GPU-limit checks are LeaderWorkerSet's.

    A Grove multinode worker without a GPU limit is built.
    """
    out, _ = _ok(_dgd({"W": _worker(gpu=None)}, "vllm"), GROVE)
    assert set(_cliques(out)) == {"w-ldr", "w-wkr"}


@pytest.mark.parametrize(
    ("multinode", "selector"),
    [(False, "g-frontend"), (True, "g-frontend-ldr")],
)
def test_frontend_service_selects_its_clique(multinode, selector):
    frontend = {"componentType": "frontend", "labels": {"team": "a"}, "annotations": {"a/b": "c"},
                "extraPodSpec": {"mainContainer": {"image": IMAGE}}}
    if multinode:
        frontend["multinode"] = {"nodeCount": 2}
    out, _ = _ok(_dgd({"Frontend": frontend}), GROVE)
    (service,) = _kinds(out, "Service")
    assert service["spec"]["selector"] == {defaults.LABEL_SELECTOR: selector}
    assert service["metadata"]["labels"] == {"team": "a"}
    assert service["metadata"]["annotations"] == {"a/b": "c"}
    clique = _cliques(out)[selector.removeprefix("g-")]
    assert clique["labels"][defaults.LABEL_SELECTOR] == selector


def test_kai_scheduler():
    services = {"A": _single(), "B": _single(extraPodSpec={"schedulerName": "custom",
                                                           "mainContainer": {"image": IMAGE, "args": VLLM_ARGS}})}
    dgd = _dgd(services, annotations={defaults.ANNOTATION_KAI_QUEUE: "  team-q "})
    out, _ = _ok(dgd, {**GROVE, "kaiScheduler": True})
    a, b = _cliques(out)["a"], _cliques(out)["b"]
    assert a["spec"]["podSpec"]["schedulerName"] == "kai-scheduler"
    assert a["labels"]["kai.scheduler/queue"] == "team-q"
    assert b["spec"]["podSpec"]["schedulerName"] == "custom"
    assert "kai.scheduler/queue" not in b["labels"]
    out, _ = _ok(_dgd({"A": _single()}), {**GROVE, "kaiScheduler": True})
    assert _cliques(out)["a"]["labels"]["kai.scheduler/queue"] == "dynamo"


def test_service_account_and_no_debug_sidecar_d27():
    sa = {"apiVersion": "v1", "kind": "ServiceAccount",
          "metadata": {"name": "dyn-sa", "namespace": "llm", "labels": {defaults.LABEL_COMPONENT_POD: "true"}}}
    svc = _single(annotations={defaults.ANNOTATION_ENABLE_DEBUG_MODE: "true"})
    out, _ = _ok(_dgd({"W": svc}), GROVE, items=(sa,))
    pod = _cliques(out)["w"]["spec"]["podSpec"]
    assert pod["serviceAccountName"] == "dyn-sa"
    assert [c["name"] for c in pod["containers"]] == ["main"]


def test_autoscaling_ignored_in_grove_v13():
    svc = _single(autoscaling={"enabled": True, "minReplicas": 1, "maxReplicas": 3})
    out, results = _ok(_dgd({"W": svc}), GROVE)
    assert not _kinds(out, "HorizontalPodAutoscaler")
    assert any(r.severity == "warning" and "ignored in Grove mode" in r.message for r in results)


def test_enable_grove_false_forces_lws():
    out, _ = _ok(_dgd({"W": _worker()}, "vllm", annotations={defaults.ANNOTATION_ENABLE_GROVE: "False"}), GROVE)
    assert _kinds(out, "LeaderWorkerSet") and not _kinds(out, "PodCliqueSet")


# --- the test-owned schema ------------------------------------------------------------------------


def test_golden_pod_clique_sets_validate_and_reference_their_cliques():
    sets = _golden_objects("PodCliqueSet")
    assert sets, "no PodCliqueSet in the goldens"
    for pcs in sets:
        assert k8s_validate.crd_validator(pcs["apiVersion"], "PodCliqueSet") is not None
        assert k8s_validate.validate_object(pcs) == []
        template = pcs["spec"]["template"]
        names = {c["name"] for c in template["cliques"]}
        for group in template.get("podCliqueScalingGroups") or []:
            assert set(group["cliqueNames"]) <= names
        for clique in template["cliques"]:
            assert set(clique["spec"].get("startsAfter") or []) <= names


def test_pcs_schema_rejects_broken_objects():
    pcs = copy.deepcopy(_golden_objects("PodCliqueSet")[0])
    clique = pcs["spec"]["template"]["cliques"][0]
    del clique["spec"]["podSpec"]
    clique["spec"]["replicas"] = "1"
    pcs["spec"]["template"]["cliqueStartupType"] = "Whenever"
    problems = k8s_validate.validate_object(pcs)
    assert any("'podSpec' is a required property" in p for p in problems)
    assert any("'1' is not of type 'integer'" in p for p in problems)
    assert any("Whenever" in p for p in problems)


def test_cliques_and_scaling_groups_sorted_by_name():
    """CanonicalizePodCliqueSet: cliques and scaling groups by name (byte order), not in service order."""
    services = {
        "Zeta": _single(replicas=1),
        "mid": _worker(),
        "Alpha": _worker(),
        "alpha-0": _single(replicas=1),
    }
    out, _ = _ok(_dgd(services, backend="vllm"), GROVE)
    template = _pcs(out)["spec"]["template"]
    assert [c["name"] for c in template["cliques"]] == [
        "alpha-0", "alpha-ldr", "alpha-wkr", "mid-ldr", "mid-wkr", "zeta",
    ]
    assert [g["name"] for g in template["podCliqueScalingGroups"]] == ["alpha", "mid"]
    assert template["podCliqueScalingGroups"][0]["cliqueNames"] == ["alpha-ldr", "alpha-wkr"]  # leader first, kept
