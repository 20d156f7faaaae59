# SPDX-License-Identifier: Apache-2.0
"""Review fixes on the 1.x profiles: each rule in its one place, pinned with exact values.

LeaderWorkerSet labels from the Deployment's label function (L03), the rollout rule reading what
the Deployment builder reads (P07), topology domains matched in full (S17), one row for the
labels set again after ``extraPodMetadata.labels`` (L04, M01, M03), the Grove discovery
annotation through ``effective_annotations``, the metrics label from the propagation row, the
executor-backend annotation checked once (V04) and the GPU count read as ``strconv.Atoi`` (S15).
"""

from __future__ import annotations

import copy
from types import SimpleNamespace
from typing import Any

import pytest

from krm_dynamo import defaults, record
from krm_dynamo.core import expand
from krm_dynamo.defaults.sources import Entries
from krm_dynamo.graph import features11, workerhash

GRAPH_LABEL = "nvidia.com/dynamo-graph-deployment-name"
TYPE_LABEL = "nvidia.com/dynamo-component-type"
NS_LABEL = "nvidia.com/dynamo-namespace"
HASH_LABEL = "nvidia.com/dynamo-worker-hash"
SURGE = "nvidia.com/deployment-rolling-update-max-surge"
EXECUTOR = "nvidia.com/vllm-distributed-executor-backend"
BACKEND = "nvidia.com/dynamo-discovery-backend"
VLLM = ["python3 -m dynamo.vllm --model m --tensor-parallel-size 16"]


def _run(services: dict[str, Any], release: str, *, spec: dict[str, Any] | None = None,
         annotations: dict[str, str] | None = None, **config: Any) -> tuple[list[dict[str, Any]], list[Any]]:
    metadata: dict[str, Any] = {"name": "g", "namespace": "ns"}
    if annotations is not None:
        metadata["annotations"] = annotations
    dgd = {"apiVersion": "nvidia.com/v1alpha1", "kind": "DynamoGraphDeployment", "metadata": metadata,
           "spec": {"backendFramework": "vllm", **(spec or {}), "services": copy.deepcopy(services)}}
    cfg = {"apiVersion": "fn.krm-dynamo.dev/v1alpha1", "kind": "KrmDynamoConfig", "metadata": {"name": "c"},
           "defaultImage": "img:1", "operatorVersion": release, **config}
    out, results = expand([dgd], cfg)
    return [o for o in out if o["kind"] != "DynamoGraphDeployment"], results


def _errors(results: list[Any]) -> list[tuple[str | None, str]]:
    return [(r.field_path, r.message) for r in results if r.severity == "error"]


def _one(objects: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    found = [o for o in objects if o["kind"] == kind]
    assert len(found) == 1, [o["kind"] for o in objects]
    return found[0]


def _worker(**extra: Any) -> dict[str, Any]:
    return {"componentType": "worker", "resources": {"limits": {"gpu": "8"}},
            "extraPodSpec": {"mainContainer": {"args": list(VLLM)}}, **extra}


# --- 1. LeaderWorkerSet labels: getKubeLabels, as for a Deployment (L03) ----------------------------

@pytest.mark.parametrize("release", ["1.0", "1.1"])
def test_leaderworkerset_labels_are_the_deployment_labels_plus_instance_id(release: str) -> None:
    """A service label cannot replace a system label on the LWS or its templates (operator: system labels last)."""
    labels = {GRAPH_LABEL: "other", "team": "a"}
    services = {"w": _worker(labels=labels, multinode={"nodeCount": 2}), "s": _worker(labels=labels)}
    out, results = _run(services, release)
    assert not _errors(results)
    table = defaults.for_release(release)
    worker_hash = workerhash.workers_spec_hash(services, table)
    lws = _one(out, "LeaderWorkerSet")
    assert lws["metadata"]["labels"] == {
        "team": "a", GRAPH_LABEL: "g", "nvidia.com/dynamo-component": "w", NS_LABEL: "ns-g",
        HASH_LABEL: worker_hash, "instance-id": "0"}
    for role in ("leader", "worker"):
        template = lws["spec"]["leaderWorkerTemplate"][f"{role}Template"]["metadata"]["labels"]
        assert template[GRAPH_LABEL] == "g"
        assert template["role"] == role and template["instance-id"] == "0"
        assert template[HASH_LABEL] == worker_hash
    deployment = next(o for o in out if o["kind"] == "Deployment" and o["metadata"]["name"] == "g-s")
    assert deployment["metadata"]["labels"][GRAPH_LABEL] == "g"
    if release == "1.1":  # L02; 1.0 keeps D4's place for service labels on a Deployment's pod template
        assert deployment["spec"]["template"]["metadata"]["labels"][GRAPH_LABEL] == "g"


# --- 2. the rollout rule reads what the Deployment builder reads (P07) -------------------------------

def test_rollout_annotation_from_spec_annotations_is_checked() -> None:
    _, results = _run({"F": {"componentType": "frontend"}}, "1.1", spec={"annotations": {SURGE: "abc"}})
    assert _errors(results) == [(
        "spec.annotations",
        f'`{SURGE}`: expected a non-negative integer or a percentage such as "25%" (the Deployment\'s maxSurge '
        'of service F), got "abc"')]


def test_rollout_annotation_path_names_where_it_is_written() -> None:
    service = {"componentType": "frontend", "annotations": {SURGE: "1"},
               "extraPodMetadata": {"annotations": {SURGE: "x"}}}
    _, results = _run({"F": service}, "1.1")
    assert [path for path, _ in _errors(results)] == ["spec.services.F.extraPodMetadata.annotations"]


def test_a_valid_spec_annotation_reaches_the_deployment() -> None:
    out, results = _run({"F": {"componentType": "frontend"}}, "1.1", spec={"annotations": {SURGE: "3"}})
    assert not _errors(results)
    assert _one(out, "Deployment")["spec"]["strategy"] == {
        "type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": 3}}


def test_rollout_annotations_no_deployment_reads_are_not_checked() -> None:
    """A Recreate Deployment has no rollingUpdate; under Grove there is no Deployment."""
    service = {"componentType": "frontend", "annotations": {"nvidia.com/deployment-strategy": "Recreate",
                                                             SURGE: "abc"}}
    out, results = _run({"F": service}, "1.1")
    assert not _errors(results)
    assert _one(out, "Deployment")["spec"]["strategy"] == {"type": "Recreate"}
    _, results = _run({"F": {"componentType": "frontend", "annotations": {SURGE: "abc"}}}, "1.1",
                      multinodeOrchestrator="grove")
    assert not _errors(results)


# --- 3. a topology domain matches in full (no trailing newline) ------------------------------------

@pytest.mark.parametrize("domain", ["zone\n", "zone\n\n"])
def test_topology_domain_with_a_trailing_newline_is_rejected(domain: str) -> None:
    _, results = _run({"w": {"componentType": "worker"}}, "1.1",
                      spec={"topologyConstraint": {"topologyProfile": "t", "packDomain": domain}})
    assert [path for path, _ in _errors(results)] == ["spec.topologyConstraint.packDomain"]


# --- 4. one row: the labels set again after extraPodMetadata.labels (L04, M01, M03) ------------------

def test_the_row_lists_every_label_set_again() -> None:
    row = "podLabelsAfterExtraPodMetadata"
    assert defaults.for_release("1.1").kube_discovery.values[row] == (GRAPH_LABEL, TYPE_LABEL, NS_LABEL, HASH_LABEL)
    assert defaults.for_release("1.0").kube_discovery.values[row] == ()
    assert row not in defaults.for_release("0.6").kube_discovery.values
    table = defaults.for_release("1.1")
    assert not hasattr(table.grove, "system_labels_win")
    assert not hasattr(table.worker_hash, "label_wins")


@pytest.mark.parametrize(("release", "wins"), [("1.0", False), ("1.1", True)])
def test_extra_pod_metadata_labels_on_pods_and_cliques(release: str, wins: bool) -> None:
    user = {GRAPH_LABEL: "u", TYPE_LABEL: "u", NS_LABEL: "u", HASH_LABEL: "u"}
    services = {"w": _worker(extraPodMetadata={"labels": user})}
    out, _ = _run(services, release)
    pod = _one(out, "Deployment")["spec"]["template"]["metadata"]["labels"]
    want_hash = workerhash.workers_spec_hash(services, defaults.for_release(release))
    system = {GRAPH_LABEL: "g", TYPE_LABEL: "worker", NS_LABEL: "ns-g", HASH_LABEL: want_hash}
    assert {k: pod[k] for k in user} == (system if wins else user)
    grove_services = {"w": _worker(labels={HASH_LABEL: "mine"}, extraPodMetadata={"labels": user})}
    out, _ = _run(grove_services, release, multinodeOrchestrator="grove")
    clique = _one(out, "PodCliqueSet")["spec"]["template"]["cliques"][0]["labels"]
    grove_system = {**system, HASH_LABEL: "mine"}  # Grove: no operator hash, the service's label
    assert {k: clique[k] for k in user} == (grove_system if wins else user)


# --- 5. Grove's discovery-backend annotation: effective_annotations(grove=True) ----------------------

@pytest.mark.parametrize(("dgd_backend", "want"), [("etcd", "etcd"), ("", "kubernetes")])
def test_clique_discovery_backend_annotation(dgd_backend: str, want: str) -> None:
    """The graph's backend over the service's; the operator sets it only when it is non-empty."""
    services = {"w": _worker(annotations={BACKEND: "kubernetes"})}
    out, _ = _run(services, "1.1", annotations={BACKEND: dgd_backend}, multinodeOrchestrator="grove")
    clique = _one(out, "PodCliqueSet")["spec"]["template"]["cliques"][0]
    assert clique["annotations"][BACKEND] == want


# --- 6. the metrics label follows the propagation row --------------------------------------------------

@pytest.mark.parametrize(("release", "labelled"), [("0.6", True), ("1.0", True), ("1.1", False)])
def test_metrics_label_dgd_against_service(release: str, labelled: bool) -> None:
    """0.6 reads the DGD's value first; 1.0 propagates it over the service's; 1.1 keeps the service's."""
    services = {"w": _worker(annotations={"nvidia.com/enable-metrics": "false"})}
    out, _ = _run(services, release, annotations={"nvidia.com/enable-metrics": "true"})
    labels = _one(out, "Deployment")["spec"]["template"]["metadata"]["labels"]
    assert ("nvidia.com/metrics-enabled" in labels) is labelled


def test_metrics_label_reads_the_propagation_row_not_the_table_size() -> None:
    from krm_dynamo.render import metadata

    table = defaults.for_release("1.1")
    values = {**table.kube_discovery.values, "propagatedAnnotations": ()}
    no_metrics = record.replace(table, kube_discovery=Entries(values=values, sources=table.kube_discovery.sources))
    component: Any = SimpleNamespace(annotations={"nvidia.com/enable-metrics": "false"})
    dgd_annotations = {"nvidia.com/enable-metrics": "true"}
    propagating: Any = SimpleNamespace(defaults=table, dgd_annotations=dgd_annotations)
    not_propagating: Any = SimpleNamespace(defaults=no_metrics, dgd_annotations=dgd_annotations)
    assert metadata.metrics_enabled(component, propagating) is False  # the service's value
    assert metadata.metrics_enabled(component, not_propagating) is True  # the DGD's value wins


# --- 7. a DGD-level executor backend is reported once (V04) ------------------------------------------

def test_dgd_executor_backend_reported_once() -> None:
    services = {"F": {"componentType": "frontend"}, "w": _worker(), "v": _worker()}
    _, results = _run(services, "1.1", annotations={EXECUTOR: "bad"})
    assert _errors(results) == [(
        "metadata.annotations",
        f'expected annotation `{EXECUTOR}` to be "mp" or "ray", got "bad" (the admission webhook of operator 1.1 '
        "rejects it)")]


def test_service_executor_backend_reported_at_the_service() -> None:
    _, results = _run({"w": _worker(annotations={EXECUTOR: "x"})}, "1.1")
    assert [path for path, _ in _errors(results)] == ["spec.services.w.annotations"]


# --- 8. the GPU count as strconv.Atoi reads it (S15, O02) -------------------------------------------

@pytest.mark.parametrize(("text", "want"), [
    ("7", 7), ("+7", 7), ("-3", -3), ("007", 7), ("9223372036854775807", 2**63 - 1),
    ("-9223372036854775808", -(2**63)), ("9223372036854775808", None), ("100000000000000000000", None),
    ("", None), ("+", None), ("1.5", None), ("1_0", None), ("\u0663", None), (" 1", None),
])
def test_atoi(text: str, want: int | None) -> None:
    assert features11.atoi(text) == want


@pytest.mark.parametrize("where", ["limits", "requests"])
def test_gpu_count_beyond_int64_is_an_error_at_its_field(where: str) -> None:
    service = _worker(gpuMemoryService={"enabled": True}, resources={where: {"gpu": "100000000000000000000"}})
    out, results = _run({"w": service}, "1.1")
    assert out == []
    assert _errors(results) == [(
        f"spec.services.w.resources.{where}.gpu",
        'expected a whole GPU count of at least 1 for the GPU memory service, got "100000000000000000000" '
        "(more than a 64-bit integer holds): the operator's admission webhook rejects it")]


def test_gpu_count_at_the_int64_bound_renders() -> None:
    service = _worker(gpuMemoryService={"enabled": True}, resources={"limits": {"gpu": "9223372036854775807"}})
    out, results = _run({"w": service}, "1.1")
    assert not _errors(results)
    template = _one(out, "ResourceClaimTemplate")
    assert template["spec"]["spec"]["devices"]["requests"][0]["exactly"]["count"] == 2**63 - 1


# --- the same `$` in the name checks: a trailing newline is no valid label ----------------------------

@pytest.mark.parametrize(("labels", "what"), [({"x": "a\n"}, 'got "a\\n"'), ({"x\n": "a"}, 'got "x\\n"')])
def test_label_with_a_trailing_newline_is_rejected(labels: dict[str, str], what: str) -> None:
    out, results = _run({"F": {"componentType": "frontend", "labels": labels}}, "0.6")
    assert out == []
    errors = _errors(results)
    assert [path for path, _ in errors] == ["spec.services.F.labels"] and errors[0][1].endswith(what)


@pytest.mark.parametrize("name", ["ok", "ok\n"])
def test_dns_label_check_matches_in_full(name: str) -> None:
    from krm_dynamo.kube import naming

    assert naming.is_dns1123_label(name) is (name == "ok")
    assert naming.is_dns1123_subdomain(f"{name}") is (name == "ok")
    assert naming.is_label_value(name) is (name == "ok")
    assert naming.is_qualified_name(name) is (name == "ok")
