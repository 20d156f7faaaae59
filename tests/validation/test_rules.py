# SPDX-License-Identifier: Apache-2.0
"""Single validation rules on their own, as tables (``krm_dynamo.graph.rules``, ``krm_dynamo.kube.naming``)."""

from __future__ import annotations

import pytest

from krm_dynamo.api import v1alpha1
from krm_dynamo.config import FunctionConfig
from krm_dynamo.graph.derive import derive
from krm_dynamo.graph.report import Report
from krm_dynamo.graph.rules import networking, resources, storage
from krm_dynamo.graph.rules import service as service_rules
from krm_dynamo.graph.rules.context import ServiceCheck
from krm_dynamo.kube import naming


def _run(rule, service: dict, *, cfg: FunctionConfig | None = None, claims: set[str] = frozenset()) -> list[tuple]:
    graph = v1alpha1.DynamoGraphDeploymentSpec.model_validate({"services": {"W": service}})
    derived = derive("llm", graph, cfg or FunctionConfig(), known_claims=set(claims))
    report = Report({})
    rule(ServiceCheck(graph=derived, component=derived.services["W"]), report)
    return [(r.severity, r.field_path.removeprefix("spec.services.W."), r.message) for r in report.results]


@pytest.mark.parametrize(("scaling", "expected"), [
    ({"enabled": True, "minReplicas": 1, "maxReplicas": 3}, []),
    ({"enabled": False, "minReplicas": 5, "maxReplicas": 1}, []),
    ({"enabled": True, "minReplicas": 2, "maxReplicas": 2}, [("warning", "autoscaling.maxReplicas")]),
    ({"enabled": True, "minReplicas": 3, "maxReplicas": 2}, [("error", "autoscaling.maxReplicas")]),
    ({"enabled": True, "minReplicas": 0, "maxReplicas": 2}, [("error", "autoscaling.minReplicas")]),
    ({"enabled": True, "maxReplicas": 2}, [("error", "autoscaling.minReplicas")]),
    ({"enabled": True, "minReplicas": 1}, [("error", "autoscaling.maxReplicas")]),
    ({"enabled": True}, [("error", "autoscaling.minReplicas"), ("error", "autoscaling.maxReplicas")]),
])
def test_check_autoscaling(scaling, expected):
    assert [r[:2] for r in _run(service_rules.check_autoscaling, {"autoscaling": scaling})] == expected


@pytest.mark.parametrize(("service", "cfg", "expected"), [
    ({"componentType": "frontend"}, {}, []),  # default ingress disabled without ingressClassName
    ({"componentType": "frontend"}, {"ingressClassName": "nginx"}, [("warning", "ingress")]),  # host gains .local
    ({"componentType": "frontend"}, {"ingressClassName": "nginx", "ingressHostSuffix": "example.com"}, []),
    ({"componentType": "frontend", "ingress": {"enabled": True, "host": "a", "hostSuffix": "b.c"}}, {},
     [("warning", "ingress.ingressControllerClassName")]),
    ({"componentType": "worker", "ingress": {"enabled": True, "host": "a", "hostSuffix": "b.c",
                                             "ingressControllerClassName": "nginx"}}, {}, [("warning", "ingress")]),
    ({"componentType": "frontend", "ingress": {"enabled": True, "host": "a", "hostSuffix": "b.c",
                                               "useVirtualService": True}}, {},
     [("warning", "ingress.virtualServiceGateway")]),
    ({"componentType": "frontend", "ingress": {"enabled": True, "host": "a", "hostSuffix": "b.c",
                                               "useVirtualService": True}}, {"istioGateway": "gw"}, []),
    ({"componentType": "frontend", "ingress": {"enabled": True, "host": "A_b", "hostSuffix": "c.d",
                                               "ingressControllerClassName": "nginx"}},
     {}, [("error", "ingress.host")]),
    ({"componentType": "frontend", "ingress": {"enabled": True, "host": "*.a", "hostSuffix": "c.d",
                                               "ingressControllerClassName": "nginx"}}, {}, []),
])
def test_check_ingress(service, cfg, expected):
    assert [r[:2] for r in _run(networking.check_ingress, service, cfg=FunctionConfig(**cfg))] == expected


@pytest.mark.parametrize(("mount", "claims", "expected"), [
    ({"name": "c", "mountPoint": "/c"}, {"c"}, []),
    ({"name": "c", "mountPoint": "/c"}, set(), [("warning", "volumeMounts[0].name")]),
    ({"mountPoint": "/c"}, set(), [("error", "volumeMounts[0].name")]),
    ({"name": "C_1", "mountPoint": "/c"}, {"C_1"}, [("error", "volumeMounts[0].name")]),
    ({"name": "c"}, {"c"}, [("error", "volumeMounts[0].mountPoint")]),
    ({"name": "c", "mountPoint": "rel"}, {"c"}, [("warning", "volumeMounts[0].mountPoint")]),
    ({"name": "c", "useAsCompilationCache": True}, {"c"}, [("error", "volumeMounts[0].mountPoint")]),  # noop backend
])
def test_check_volume_mounts(mount, claims, expected):
    service = {"componentType": "frontend", "volumeMounts": [mount]}

    def rules(check, report):
        service_rules.check_backend(check, report)
        storage.check_volume_mounts(check, report)

    assert [r[:2] for r in _run(rules, service, claims=claims)] == expected


def test_numeric_resource_warns_only_for_a_live_dgd():
    service = {"resources": {"limits": {"gpu": 1}}}
    assert _run(resources.check_resources, service) == []
    assert [r[:2] for r in _run(resources.check_resources, service, cfg=FunctionConfig(graphDeployment="keep"))] == [
        ("warning", "resources.limits.gpu")]


@pytest.mark.parametrize(("key", "valid"), [
    ("team", True), ("example.com/team", True), ("a.b/c_d.e-f", True), ("nvidia.com/selector", True),
    ("", False), ("/x", False), ("a/b/c", False), ("Example.com/x", False), ("x" * 64, False), ("-x", False),
])
def test_is_qualified_name(key, valid):
    assert naming.is_qualified_name(key) is valid


@pytest.mark.parametrize(("host", "valid"), [
    ("llm.local", True), ("*.example.com", True), ("a-b.c", True),
    ("llm.example.com.", False), ("LLM.local", False), ("a_b.c", False), ("a" * 254, False),
])
def test_is_dns1123_subdomain(host, valid):
    assert naming.is_dns1123_subdomain(host) is valid


_SCALING = {"enabled": True, "minReplicas": 1, "maxReplicas": 3}


@pytest.mark.parametrize(("service", "expected"), [
    ({"autoscaling": _SCALING}, [("warning", "autoscaling.metrics")]),
    ({"autoscaling": _SCALING, "resources": {"requests": {"cpu": "1"}}}, []),
    ({"autoscaling": _SCALING, "extraPodSpec": {"mainContainer": {"resources": {"requests": {"cpu": "1"}}}}}, []),
    ({"autoscaling": {**_SCALING, "metrics": [{"type": "Pods"}]}}, []),
    ({"autoscaling": {**_SCALING, "minReplicas": 4}}, []),  # no HPA from these bounds (check_autoscaling)
    ({"autoscaling": _SCALING, "multinode": {"nodeCount": 2}}, []),  # no HPA on a multinode service
])
def test_check_autoscaling_metric(service, expected):
    """The default CPU metric needs a CPU request; reported with the other rules, not by the HPA builder."""
    assert [r[:2] for r in _run(service_rules.check_autoscaling_metric, service)] == expected
