# SPDX-License-Identifier: Apache-2.0
"""Kubernetes service discovery of the 1.x operators (C01, C02, P02, N04, N01–N03, L01, L03, L04, N_E08)."""

from __future__ import annotations

import copy
import re

import k8s_validate
import pytest

from krm_dynamo.config import load_config
from krm_dynamo.core import expand

IMAGE = "registry.example/dynamo:1"
BACKEND = "nvidia.com/dynamo-discovery-backend"
MODE = "nvidia.com/dynamo-kube-discovery-mode"
ORIGIN = "nvidia.com/dynamo-operator-origin-version"
WORKER_HASH = "nvidia.com/dynamo-worker-hash"
WORKER = {"componentType": "worker", "replicas": 1,
          "extraPodSpec": {"mainContainer": {"command": ["python3", "-m", "dynamo.vllm"]}}}
GRAPH = {"Frontend": {"componentType": "frontend", "replicas": 1}, "worker": WORKER}


def _dgd(services: dict | None = None, annotations: dict | None = None, namespace: str | None = "ns") -> dict:
    metadata: dict = {"name": "g"}
    if namespace:
        metadata["namespace"] = namespace
    if annotations:
        metadata["annotations"] = annotations
    return {"apiVersion": "nvidia.com/v1alpha1", "kind": "DynamoGraphDeployment", "metadata": metadata,
            "spec": {"services": copy.deepcopy(services or GRAPH)}}


def _config(version: str, **more: object) -> dict:
    return {"apiVersion": "fn.krm-dynamo.dev/v1alpha1", "kind": "KrmDynamoConfig", "metadata": {"name": "c"},
            "defaultImage": IMAGE, "operatorVersion": version, **more}


def _render(dgd: dict, version: str = "1.1", **more: object) -> dict[tuple[str, str], dict]:
    out, results = expand([dgd], _config(version, **more))
    assert not [r.message for r in results if r.severity == "error"]
    generated = [o for o in out if o.get("kind") != "DynamoGraphDeployment"]
    k8s_validate.validate_all(generated, k8s_validate.version_of_release(version))
    return {(o["kind"], o["metadata"]["name"]): o for o in generated}


def _pod(objects: dict, name: str) -> dict:
    return objects[("Deployment", name)]["spec"]["template"]


def _env(objects: dict, name: str) -> dict:
    main = next(c for c in _pod(objects, name)["spec"]["containers"] if c["name"] == "main")
    return {e["name"]: e.get("value") for e in main.get("env") or []}


def _kinds(objects: dict) -> list[str]:
    return sorted({kind for kind, _ in objects})


# --- C01 / C02: the setting ------------------------------------------------------------------------


def test_discovery_backend_is_a_1x_setting():
    cfg, results = load_config(_config("1.0", discoveryBackend="etcd"), [])
    assert cfg.discoveryBackend == "etcd" and not results
    cfg, results = load_config(_config("0.6", discoveryBackend="kubernetes"), [])
    (result,) = results
    assert result.severity == "error" and result.field_path == "discoveryBackend"
    assert "operatorVersion: 1.0" in result.message
    cmap = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"discoveryBackend": "etcd"}}
    _, results = load_config(cmap, [])
    assert [r.field_path for r in results] == ["data.discoveryBackend"]
    _, results = load_config(_config("1.1", discoveryBackend="consul"), [])
    assert results and results[0].severity == "error"


def test_the_default_backend_is_kubernetes_from_1_0():
    for version in ("1.0", "1.1"):
        objects = _render(_dgd(), version)
        assert ("ServiceAccount", "g-k8s-service-discovery") in objects
        assert _env(objects, "g-worker")["DYN_DISCOVERY_BACKEND"] == "kubernetes"
    out, _ = expand([_dgd()], _config("0.6"))
    assert {o["kind"] for o in out} == {"DynamoGraphDeployment", "Deployment", "Service"}


# --- N04 / P02 ---------------------------------------------------------------------------------------


def test_rbac_objects_and_service_account():
    objects = _render(_dgd())
    role = objects[("Role", "g-k8s-service-discovery-role")]
    assert [r["resources"] for r in role["rules"]] == [["endpoints", "pods"], ["endpointslices"],
                                                       ["dynamoworkermetadatas"]]
    binding = objects[("RoleBinding", "g-k8s-service-discovery-binding")]
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "g-k8s-service-discovery", "namespace": "ns"}]
    assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role",
                                  "name": "g-k8s-service-discovery-role"}
    assert _pod(objects, "g-worker")["spec"]["serviceAccountName"] == "g-k8s-service-discovery"


def test_a_user_or_planner_service_account_wins():
    worker = copy.deepcopy(WORKER)
    worker["extraPodSpec"]["serviceAccountName"] = "mine"
    objects = _render(_dgd({"worker": worker, "Planner": {"componentType": "planner"}}))
    assert _pod(objects, "g-worker")["spec"]["serviceAccountName"] == "mine"
    assert _pod(objects, "g-planner")["spec"]["serviceAccountName"] == "planner-serviceaccount"


def test_without_a_namespace_the_subject_names_none():
    objects = _render(_dgd(namespace=None))
    binding = objects[("RoleBinding", "g-k8s-service-discovery-binding")]
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "g-k8s-service-discovery"}]
    assert "namespace" not in binding["metadata"]


# --- etcd and the annotation ------------------------------------------------------------------------


def test_etcd_backend_creates_nothing_for_discovery():
    objects = _render(_dgd(), "1.0", discoveryBackend="etcd")
    assert _kinds(objects) == ["Deployment", "Service"]
    assert [name for kind, name in objects if kind == "Service"] == ["g-frontend"]
    assert "nvidia.com/dynamo-discovery-enabled" not in objects[("Service", "g-frontend")]["metadata"]["labels"]
    assert "DYN_DISCOVERY_BACKEND" not in _env(objects, "g-worker")
    assert "serviceAccountName" not in _pod(objects, "g-worker")["spec"]


def test_the_dgd_annotation_overrides_the_setting():
    objects = _render(_dgd(annotations={BACKEND: "etcd"}))
    assert _kinds(objects) == ["Deployment", "Service"]
    assert objects[("Deployment", "g-worker")]["metadata"]["annotations"] == {BACKEND: "etcd", ORIGIN: "1.1.0"}  # L01
    objects = _render(_dgd(annotations={BACKEND: "kubernetes"}), discoveryBackend="etcd")
    assert ("RoleBinding", "g-k8s-service-discovery-binding") in objects


@pytest.mark.parametrize(("version", "env"), [("1.0", None), ("1.1", "kubernetes")])
def test_service_annotation_against_the_dgd_annotation(version, env):
    """1.0 lays the DGD's annotation over the service's; from 1.1 the service's wins."""
    worker = {**WORKER, "annotations": {BACKEND: "kubernetes"}}
    objects = _render(_dgd({"worker": worker}, annotations={BACKEND: "etcd"}), version)
    assert _env(objects, "g-worker").get("DYN_DISCOVERY_BACKEND") == env
    assert (("Service", "g-worker") in objects) == (env is not None)
    assert ("ServiceAccount", "g-k8s-service-discovery") not in objects  # the graph's backend is etcd


def test_an_unknown_backend_sets_the_env_but_not_discovery():
    objects = _render(_dgd({"worker": {**WORKER, "annotations": {BACKEND: "zookeeper"}}}))
    assert _env(objects, "g-worker")["DYN_DISCOVERY_BACKEND"] == "kubernetes"
    assert ("Service", "g-worker") not in objects
    assert _pod(objects, "g-worker")["spec"].get("serviceAccountName") is None


# --- N01 / N02 / L03 / L04 ---------------------------------------------------------------------------


def test_service_per_component_and_metadata():
    worker = {**WORKER, "labels": {"team": "a"}, "annotations": {"note": "x"},
              "extraPodMetadata": {"labels": {"nvidia.com/dynamo-namespace": "mine"}, "annotations": {"p": "1"}}}
    objects = _render(_dgd({"worker": worker}))
    service = objects[("Service", "g-worker")]
    assert service["spec"]["selector"] == {"nvidia.com/dynamo-component": "worker",
                                           "nvidia.com/dynamo-component-type": "worker",
                                           "nvidia.com/dynamo-namespace": "ns-g"}
    assert service["spec"]["ports"] == [{"name": "system", "protocol": "TCP", "port": 9090, "targetPort": "system"}]
    assert service["metadata"]["labels"]["nvidia.com/dynamo-discovery-enabled"] == "true"
    assert service["metadata"]["annotations"] == {"note": "x", "p": "1", ORIGIN: "1.1.0"}  # V06's stamp propagated
    deployment = objects[("Deployment", "g-worker")]
    labels = dict(deployment["metadata"]["labels"])
    assert re.fullmatch(r"[0-9a-f]{8}", labels.pop(WORKER_HASH))  # M01: the worker's spec hash (D60)
    assert labels == {"nvidia.com/dynamo-component": "worker", "nvidia.com/dynamo-graph-deployment-name": "g",
                      "nvidia.com/dynamo-namespace": "ns-g", "team": "a"}
    pod_labels = _pod(objects, "g-worker")["metadata"]["labels"]
    assert pod_labels["nvidia.com/dynamo-namespace"] == "ns-g"  # set again over extraPodMetadata (1.1)
    assert pod_labels["nvidia.com/dynamo-discovery-backend"] == "kubernetes"


def test_1_0_pods_have_no_discovery_labels():
    pod_labels = _pod(_render(_dgd(), "1.0"), "g-worker")["metadata"]["labels"]
    assert "nvidia.com/dynamo-discovery-backend" not in pod_labels


def test_multinode_service_selects_the_leader():
    worker = {"componentType": "worker", "replicas": 1, "multinode": {"nodeCount": 2},
              "resources": {"limits": {"gpu": "1"}},
              "extraPodSpec": {"mainContainer": {"args": ["python3 -m dynamo.sglang --model-path m"]}}}
    out, results = expand([_dgd({"worker": worker})], _config("1.1"))
    assert not [r.message for r in results if r.severity == "error"]
    service = next(o for o in out if o.get("kind") == "Service")
    assert service["spec"]["selector"]["role"] == "leader"
    lws = next(o for o in out if o.get("kind") == "LeaderWorkerSet")
    labels = dict(lws["metadata"]["labels"])
    assert re.fullmatch(r"[0-9a-f]{8}", labels.pop(WORKER_HASH))  # M01: the worker's spec hash (D60)
    assert labels == {"instance-id": "0", "nvidia.com/dynamo-component": "worker",
                      "nvidia.com/dynamo-graph-deployment-name": "g",
                      "nvidia.com/dynamo-namespace": "ns-g"}  # L03: not the pod labels


def test_grove_follows_the_graph_backend():
    worker = {**WORKER, "annotations": {BACKEND: "etcd"}}
    out, results = expand([_dgd({"Frontend": GRAPH["Frontend"], "worker": worker})],
                           _config("1.1", multinodeOrchestrator="grove"))
    assert not [r for r in results if r.severity == "error"]
    services = {o["metadata"]["name"]: o for o in out if o.get("kind") == "Service"}
    assert set(services) == {"g-frontend", "g-worker"}  # the service's etcd does not count under Grove
    assert "annotations" not in services["g-worker"]["metadata"]
    pcs = next(o for o in out if o.get("kind") == "PodCliqueSet")
    clique = next(c for c in pcs["spec"]["template"]["cliques"] if c["name"] == "worker")
    assert clique["labels"]["nvidia.com/dynamo-discovery-enabled"] == "true"
    env = {e["name"]: e.get("value") for e in clique["spec"]["podSpec"]["containers"][-1]["env"]}
    assert env["DYN_DISCOVERY_BACKEND"] == "kubernetes"


# --- N_E08 -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("version", "annotations", "expected"), [
    ("1.0", {MODE: "container"}, None),
    ("1.1", {MODE: "container"}, "container"),
    ("1.1", {MODE: "pod"}, None),
])
def test_container_discovery_mode(version, annotations, expected):
    objects = _render(_dgd({"worker": {**WORKER, "annotations": annotations}}), version)
    env = _env(objects, "g-worker")
    assert env.get("DYN_KUBE_DISCOVERY_MODE") == expected
    assert env.get("CONTAINER_NAME") == ("main" if expected else None)


def test_container_mode_from_the_dgd_in_1_1():
    env = _env(_render(_dgd(annotations={MODE: "container"})), "g-worker")
    assert env["DYN_KUBE_DISCOVERY_MODE"] == "container"


def test_service_names_lose_their_dots_from_1_1():
    """N03 (data): the project's name rules already keep dots out of graph and service names."""
    from types import SimpleNamespace

    from krm_dynamo import defaults
    from krm_dynamo.render.componentservice import service_name

    component = SimpleNamespace(name="qwen3-0.6b-frontend")
    names = {v: service_name(component, SimpleNamespace(defaults=defaults.for_release(v)))  # type: ignore[arg-type]
             for v in ("1.0", "1.1")}
    assert names == {"1.0": "qwen3-0.6b-frontend", "1.1": "qwen3-0-6b-frontend"}


@pytest.mark.parametrize(("version", "label"), [("1.0", False), ("1.1", True)])
def test_metrics_annotation_follows_the_propagation(version, label):
    """The DGD's nvidia.com/enable-metrics reaches the service as the other propagated keys do."""
    worker = {**WORKER, "annotations": {"nvidia.com/enable-metrics": "true"}}
    objects = _render(_dgd({"worker": worker}, annotations={"nvidia.com/enable-metrics": "false"}), version)
    assert ("nvidia.com/metrics-enabled" in _pod(objects, "g-worker")["metadata"]["labels"]) is label
