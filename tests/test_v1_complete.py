# SPDX-License-Identifier: Apache-2.0
"""The last catalogued changes of the 1.0 and 1.1 profiles, one focused test each (V05, T03, L01, L04).

Expected values are read off the operator at the v1.0.0 and v1.1.0 cuts: the admission
webhook's rules (V05), the EPP and failover engine ports (T03), the annotations of a
service's Deployment, Service and Grove clique (L01) and the labels of its pods (L04).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from krm_dynamo import defaults
from krm_dynamo.core import expand

MODEL = "Qwen/Qwen3-0.6B"
MODEL_HASH = "fb68f5a6"  # the base-model hash label of MODEL (S05)
WORKER_HASH = "b0894f51"  # the worker hash of the graph below (M01)
DGD: dict[str, Any] = {
    "apiVersion": "nvidia.com/v1alpha1", "kind": "DynamoGraphDeployment",
    "metadata": {"name": "g", "namespace": "ns", "annotations": {"nvidia.com/enable-metrics": "true", "team": "a"}},
    "spec": {"backendFramework": "vllm", "services": {"W": {
        "componentType": "worker", "modelRef": {"name": MODEL},
        "annotations": {"svc-key": "svc", "nvidia.com/enable-metrics": "false"},
        "extraPodMetadata": {"annotations": {"pod": "x"}, "labels": {"l": "1"}},
        "extraPodSpec": {"mainContainer": {"image": "i:1", "command": ["python3", "-m", "dynamo.vllm"]}},
    }}},
}


def _dgd_1_1() -> dict[str, Any]:
    """The graph with the 1.1 graph metadata (S18)."""
    dgd = copy.deepcopy(DGD)
    dgd["spec"]["annotations"] = {"owner": "graph", "svc-key": "graph"}
    dgd["spec"]["labels"] = {"tier": "gold"}
    return dgd


def _run(dgd: dict[str, Any], release: str, **settings: Any) -> tuple[list[dict[str, Any]], list[Any]]:
    config = {"apiVersion": "fn.krm-dynamo.dev/v1alpha1", "kind": "KrmDynamoConfig", "metadata": {"name": "c"},
              "operatorVersion": release, **settings}
    return expand([dgd], config)


def _get(out: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    return next(o for o in out if o["kind"] == kind and o["metadata"]["name"] == name)


def _errors(results: list[Any]) -> dict[str | None, str]:
    return {r.field_path: r.message for r in results if r.severity == "error"}


def test_every_change_of_both_profiles_is_reproduced() -> None:
    for release in ("1.0", "1.1"):
        table = defaults.for_release(release)
        assert table.not_reproduced() == ()
        assert {"V05", "T03", "L01", "L04"} <= table.reproduced


# --- V05: the webhook's rules of the new features -----------------------------------------------


def test_v05_epp_rules_from_1_0() -> None:
    assert not defaults.for_release("0.6").switch("V05")
    assert defaults.for_release("1.0").switch("V05")
    dgd = {**DGD, "spec": {"services": {"Epp": {"componentType": "epp", "replicas": 2,
                                                "eppConfig": {"configMapRef": {"name": "c", "key": "k"},
                                                              "config": {}}}}}}
    _, results = _run(dgd, "1.0", defaultImage="epp:1")
    assert _errors(results) == {
        "spec.services.Epp.replicas": "EPP component must have exactly 1 replica (found 2)",
        "spec.services.Epp.eppConfig": "configMapRef and config are mutually exclusive, only one can be specified",
    }
    dgd["spec"]["services"]["Epp"] = {"componentType": "epp"}
    _, results = _run(dgd, "1.0", defaultImage="epp:1")
    assert _errors(results) == {"spec.services.Epp.eppConfig": "expected `eppConfig` with `configMapRef` or "
                                                                "`config` for an EPP component, got none"}


def test_v05_feature_rules_in_1_1() -> None:
    dgd = copy.deepcopy(DGD)
    worker = dgd["spec"]["services"]["W"]
    worker.update(resources={"limits": {"gpu": "1"}}, gpuMemoryService={"enabled": True, "mode": "intraPod"},
                  failover={"enabled": True, "mode": "interPod"}, topologyConstraint={"packDomain": "Rack"})
    _, results = _run(dgd, "1.1")
    assert _errors(results) == {
        "metadata.annotations": "failover requires per-container Kubernetes discovery: set the annotation "
                                '`nvidia.com/dynamo-kube-discovery-mode: "container"` on the graph',
        "spec.services.W.failover.mode": 'mode "interPod" is not yet supported by the operator',
        "spec.services.W.topologyConstraint.packDomain": '"Rack" is not a valid topology domain: expected a '
            "lower-case DNS label matching ^[a-z0-9]([a-z0-9-]*[a-z0-9])?$ (the operator's admission webhook)",
        "spec.services.W.topologyConstraint": "a service `topologyConstraint` needs `spec.topologyConstraint` with "
                                              "a `topologyProfile` (the operator's admission webhook)",
    }


# --- T03: EPP and failover engine ports -----------------------------------------------------------


def test_t03_epp_ports_from_1_0() -> None:
    ref = {"name": "c", "key": "k"}
    dgd = {**DGD, "spec": {"services": {"Epp": {"componentType": "epp", "eppConfig": {"configMapRef": ref}}}}}
    for release in ("1.0", "1.1"):
        out, results = _run(dgd, release, defaultImage="epp:1")
        assert not _errors(results)
        main = _get(out, "Deployment", "g-epp")["spec"]["template"]["spec"]["containers"][0]
        assert main["ports"] == [{"name": "grpc", "containerPort": 9002, "protocol": "TCP"},
                                 {"name": "grpc-health", "containerPort": 9003, "protocol": "TCP"},
                                 {"name": "metrics", "containerPort": 9090, "protocol": "TCP"}]


def test_t03_failover_engine_ports_in_1_1() -> None:
    dgd = copy.deepcopy(DGD)
    dgd["metadata"]["annotations"]["nvidia.com/dynamo-kube-discovery-mode"] = "container"
    dgd["spec"]["services"]["W"].update(resources={"limits": {"gpu": "1"}}, gpuMemoryService={"enabled": True},
                                        failover={"enabled": True})
    out, results = _run(dgd, "1.1")
    assert not _errors(results)
    containers = _get(out, "Deployment", "g-w")["spec"]["template"]["spec"]["containers"]
    engines = {c["name"]: c for c in containers if c["name"].startswith("engine-")}
    assert {name: c["ports"] for name, c in engines.items()} == {
        "engine-0": [{"name": "system-0", "containerPort": 9090, "protocol": "TCP"}],
        "engine-1": [{"name": "system-1", "containerPort": 9091, "protocol": "TCP"}],
    }
    for i, engine in enumerate(engines.values()):
        assert engine["livenessProbe"]["httpGet"]["port"] == f"system-{i}"
        assert {"name": "DYN_SYSTEM_PORT", "value": str(9090 + i)} in engine["env"]


# --- L01: the annotations of a service's objects -------------------------------------------------


def test_l01_deployment_and_service_annotations() -> None:
    out, _ = _run(copy.deepcopy(DGD), "1.0")
    # 1.0: the DGD's propagated keys win over the service's, then extraPodMetadata, then the base model.
    want_1_0 = {"svc-key": "svc", "nvidia.com/enable-metrics": "true", "nvidia.com/dynamo-operator-origin-version":
                "1.0.0", "pod": "x", "nvidia.com/dynamo-base-model": MODEL}
    assert _get(out, "Deployment", "g-w")["metadata"]["annotations"] == want_1_0
    assert _get(out, "Service", "g-w")["metadata"]["annotations"] == want_1_0
    # The pod template keeps the service's own annotations then extraPodMetadata's (D5).
    pod = _get(out, "Deployment", "g-w")["spec"]["template"]["metadata"]
    assert pod["annotations"] == {"svc-key": "svc", "nvidia.com/enable-metrics": "false", "pod": "x"}
    out, _ = _run(_dgd_1_1(), "1.1")
    # 1.1: the service's value wins, spec.annotations fill the keys it does not set.
    want_1_1 = {"svc-key": "svc", "nvidia.com/enable-metrics": "false", "nvidia.com/dynamo-operator-origin-version":
                "1.1.0", "owner": "graph", "pod": "x", "nvidia.com/dynamo-base-model": MODEL}
    assert _get(out, "Deployment", "g-w")["metadata"]["annotations"] == want_1_1
    assert _get(out, "Service", "g-w")["metadata"]["annotations"] == want_1_1


def test_l01_grove_cliques_carry_service_annotations() -> None:
    out, _ = _run(copy.deepcopy(DGD), "1.0", multinodeOrchestrator="grove")
    clique = _get(out, "PodCliqueSet", "g")["spec"]["template"]["cliques"][0]
    # 1.0: the service's own annotations, the graph's discovery backend and origin version, extraPodMetadata.
    assert clique["annotations"] == {"svc-key": "svc", "nvidia.com/enable-metrics": "false",
                                     "nvidia.com/dynamo-discovery-backend": "kubernetes",
                                     "nvidia.com/dynamo-operator-origin-version": "1.0.0", "pod": "x"}
    out, _ = _run(_dgd_1_1(), "1.1", multinodeOrchestrator="grove")
    pcs = _get(out, "PodCliqueSet", "g")
    assert pcs["spec"]["template"]["cliques"][0]["annotations"] == {
        "svc-key": "svc", "nvidia.com/enable-metrics": "false", "nvidia.com/dynamo-discovery-backend": "kubernetes",
        "nvidia.com/dynamo-operator-origin-version": "1.1.0", "owner": "graph", "pod": "x"}
    assert pcs["metadata"]["annotations"] == {"owner": "graph", "svc-key": "graph"}  # S18
    assert "annotations" not in _get(out, "Service", "g-w")["metadata"]  # the DGD controller's Service


def test_l01_grove_cliques_under_0_6_are_unchanged() -> None:
    out, _ = _run(copy.deepcopy(DGD), "0.6", multinodeOrchestrator="grove")
    clique = _get(out, "PodCliqueSet", "g")["spec"]["template"]["cliques"][0]
    assert clique["annotations"] == {"svc-key": "svc", "nvidia.com/enable-metrics": "false", "pod": "x"}


# --- L04: new pod-template labels ----------------------------------------------------------------


@pytest.mark.parametrize("release", ["1.0", "1.1"])
def test_l04_pod_labels(release: str) -> None:
    out, _ = _run(_dgd_1_1() if release == "1.1" else copy.deepcopy(DGD), release)
    labels = _get(out, "Deployment", "g-w")["spec"]["template"]["metadata"]["labels"]
    want = {"l": "1", "nvidia.com/dynamo-base-model-hash": MODEL_HASH, "nvidia.com/dynamo-component": "W",
            "nvidia.com/dynamo-component-type": "worker", "nvidia.com/dynamo-graph-deployment-name": "g",
            "nvidia.com/dynamo-namespace": "ns-g", "nvidia.com/dynamo-worker-hash": WORKER_HASH,
            "nvidia.com/selector": "g-w"}
    if release == "1.0":  # the DGD's enable-metrics wins in 1.0; no discovery labels on 1.0 pods
        want["nvidia.com/metrics-enabled"] = "true"
    else:  # the service's "false" wins in 1.1; Kubernetes discovery labels the pods; spec.labels (S18)
        want.update({"nvidia.com/dynamo-discovery-backend": "kubernetes",
                     "nvidia.com/dynamo-discovery-enabled": "true", "tier": "gold"})
    assert labels == want


def test_l04_pod_labels_under_etcd_discovery() -> None:
    out, _ = _run(_dgd_1_1(), "1.1", discoveryBackend="etcd")
    labels = _get(out, "Deployment", "g-w")["spec"]["template"]["metadata"]["labels"]
    assert "nvidia.com/dynamo-discovery-backend" not in labels and "nvidia.com/dynamo-discovery-enabled" not in labels


@pytest.mark.parametrize("release", ["1.0", "1.1"])
def test_l04_grove_clique_labels(release: str) -> None:
    out, _ = _run(_dgd_1_1() if release == "1.1" else copy.deepcopy(DGD), release, multinodeOrchestrator="grove")
    labels = _get(out, "PodCliqueSet", "g")["spec"]["template"]["cliques"][0]["labels"]
    want = {"l": "1", "nvidia.com/dynamo-base-model-hash": MODEL_HASH, "nvidia.com/dynamo-component": "W",
            "nvidia.com/dynamo-component-type": "worker", "nvidia.com/dynamo-graph-deployment-name": "g",
            "nvidia.com/dynamo-namespace": "ns-g", "nvidia.com/metrics-enabled": "true", "nvidia.com/selector": "g-w"}
    if release == "1.1":
        want.update({"nvidia.com/dynamo-discovery-backend": "kubernetes",
                     "nvidia.com/dynamo-discovery-enabled": "true", "tier": "gold"})
    assert labels == want


def test_epp_config_map_ref_needs_its_key() -> None:
    """The CRD types configMapRef as a ConfigMapKeySelector, whose `key` the API server requires."""
    dgd = {**DGD, "spec": {"services": {"Epp": {"componentType": "epp", "eppConfig": {"configMapRef": {"name": "c"}}}}}}
    _, results = _run(dgd, "1.1", defaultImage="epp:1")
    assert _errors(results) == {"spec.services.Epp.eppConfig.configMapRef.key":
                                "eppConfig.configMapRef.key is required (the key of the configuration in the "
                                "ConfigMap), got null"}
