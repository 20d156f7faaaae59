# SPDX-License-Identifier: Apache-2.0
"""The schema validator used by the golden tests must itself catch bad objects."""

from __future__ import annotations

import copy

import k8s_validate as kv
import pytest


def _deployment() -> dict:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "llm", "labels": {"app": "web"}},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {
                    "containers": [
                        {
                            "name": "main",
                            "image": "nginx:1.27",
                            "ports": [{"name": "http", "containerPort": 80, "protocol": "TCP"}],
                        }
                    ]
                },
            },
        },
    }


def test_valid_deployment_has_no_problems():
    assert kv.validate_object(_deployment()) == []
    kv.validate_all([_deployment()])  # does not raise


def test_replicas_of_wrong_type_is_rejected():
    bad = _deployment()
    bad["spec"]["replicas"] = "two"
    assert kv.validate_object(bad) == [
        "apps/v1/Deployment llm/web: spec.replicas: 'two' is not of type 'integer', 'null'"
    ]


def test_unknown_field_is_rejected_in_strict_mode():
    bad = _deployment()
    bad["spec"]["template"]["spec"]["containers"][0]["bogusField"] = True
    assert kv.validate_object(bad) == [
        "apps/v1/Deployment llm/web: spec.template.spec.containers[0]: "
        "Additional properties are not allowed ('bogusField' was unexpected)"
    ]


def test_non_string_label_value_is_rejected():
    bad = _deployment()
    bad["metadata"]["labels"]["nvidia.com/metrics-enabled"] = True
    assert kv.validate_object(bad) == [
        "apps/v1/Deployment llm/web: metadata.labels.nvidia.com/metrics-enabled: "
        "True is not of type 'string', 'null'"
    ]


def test_validate_all_lists_every_problem():
    first = _deployment()
    first["spec"]["replicas"] = "two"
    second = copy.deepcopy(first)
    second["metadata"]["name"] = "other"
    second["spec"]["template"]["spec"]["containers"][0]["bogusField"] = 1
    with pytest.raises(AssertionError) as info:
        kv.validate_all([first, _deployment(), second])
    assert str(info.value) == (
        "3 Kubernetes schema problem(s):\n"
        "  apps/v1/Deployment llm/web: spec.replicas: 'two' is not of type 'integer', 'null'\n"
        "  apps/v1/Deployment llm/other: spec.replicas: 'two' is not of type 'integer', 'null'\n"
        "  apps/v1/Deployment llm/other: spec.template.spec.containers[0]: "
        "Additional properties are not allowed ('bogusField' was unexpected)"
    )


def test_dgd_is_skipped_explicitly():
    dgd = {
        "apiVersion": "nvidia.com/v1alpha1",
        "kind": "DynamoGraphDeployment",
        "metadata": {"name": "vllm-agg", "namespace": "llm"},
        "spec": {"anything": {"goes": True}},
    }
    assert ("nvidia.com/v1alpha1", "DynamoGraphDeployment") in kv.NO_SCHEMA
    assert kv.validate_object(dgd) == []


def test_unknown_kind_is_not_skipped_silently():
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
    assert kv.validate_object(widget) == [
        "example.com/v1/Widget w: no Kubernetes 1.33.0 schema for (example.com/v1, Widget) "
        "and the kind is not on the NO_SCHEMA allow-list"
    ]


def test_each_release_is_checked_against_the_kubernetes_its_operator_builds_against():
    """One place: the release table's ``kubernetes_version`` (go.mod's k8s.io/api at each cut)."""
    assert {r: kv.version_of_release(r) for r in ("0.6", "1.0", "1.1", "latest")} == {
        "0.6": "1.33.0", "1.0": "1.34.0", "1.1": "1.34.0", "latest": "1.34.0"}
    assert kv.KUBERNETES_VERSION == "1.33.0"
    assert kv.version_for(None) == kv.version_for({"data": {}}) == "1.33.0"
    assert kv.version_for({"operatorVersion": "1.0"}) == "1.34.0"
    assert kv.version_for({"data": {"operatorVersion": "1.1"}}) == "1.34.0"
    for version in {kv.version_of_release(r) for r in ("0.6", "1.0")}:
        assert kv.schema_file("apps/v1", "Deployment", version).is_file()


def test_lws_pod_templates_are_checked_through_a_pod_template():
    lws = {
        "apiVersion": "leaderworkerset.x-k8s.io/v1",
        "kind": "LeaderWorkerSet",
        "metadata": {"name": "x-worker-0", "namespace": "llm"},
        "spec": {
            "leaderWorkerTemplate": {
                "leaderTemplate": {"spec": {"containers": [{"name": "main", "image": "i"}]}},
                "workerTemplate": {"spec": {"containers": [{"name": "main", "image": "i", "bogus": 1}]}},
            }
        },
    }
    assert kv.validate_object(lws) == [
        "leaderworkerset.x-k8s.io/v1/LeaderWorkerSet llm/x-worker-0: "
        "spec.leaderWorkerTemplate.workerTemplate.spec.containers[0]: "
        "Additional properties are not allowed ('bogus' was unexpected)"
    ]


def test_schema_file_names_follow_kubernetes_validate():
    assert kv.schema_file("apps/v1", "Deployment").name == "deployment-apps-v1.json"
    assert kv.schema_file("networking.k8s.io/v1", "Ingress").name == "ingress-networking-v1.json"
    assert kv.schema_file("autoscaling/v2", "HorizontalPodAutoscaler").name == (
        "horizontalpodautoscaler-autoscaling-v2.json"
    )
    assert kv.schema_file("v1", "PersistentVolumeClaim").name == "persistentvolumeclaim-v1.json"
    for api_version, kind in [
        ("apps/v1", "Deployment"),
        ("v1", "Service"),
        ("networking.k8s.io/v1", "Ingress"),
        ("autoscaling/v2", "HorizontalPodAutoscaler"),
        ("v1", "PersistentVolumeClaim"),
        ("v1", "Secret"),
        ("v1", "ServiceAccount"),
    ]:
        assert kv.schema_file(api_version, kind).is_file(), (api_version, kind)
