# SPDX-License-Identifier: Apache-2.0
"""V32: pod-template fields the Deployment and StatefulSet validation of the API server refuses."""

from __future__ import annotations

import pytest

from krm_dynamo.api import v1alpha1
from krm_dynamo.config import FunctionConfig
from krm_dynamo.core import expand
from krm_dynamo.graph.derive import derive
from krm_dynamo.graph.report import Report
from krm_dynamo.graph.rules import workload
from krm_dynamo.graph.rules.context import ServiceCheck


def _run(service: dict, *, grove: bool = False) -> list[tuple[str, str, str]]:
    graph = v1alpha1.DynamoGraphDeploymentSpec.model_validate({"services": {"W": service}})
    derived = derive("llm", graph, FunctionConfig(), grove_mode=grove)
    report = Report({})
    workload.check_workload_pod_template(ServiceCheck(graph=derived, component=derived.services["W"]), report)
    return [(r.severity, r.field_path, r.message) for r in report.results]


DEPLOYMENT_POLICY = ("error", "spec.services.W.extraPodSpec.restartPolicy",
                     'must be Always (or unset) on a service that becomes a Deployment, got "OnFailure"; the API '
                     "server rejects any other value")
LWS_DEADLINE = ("error", "spec.services.W.extraPodSpec.activeDeadlineSeconds",
                "must not be set on a service that becomes a LeaderWorkerSet (its StatefulSets) (got 0): the API "
                "server rejects it there; a serving pod runs until it is replaced")


@pytest.mark.parametrize(("pod", "multinode", "grove", "expected"), [
    ({"restartPolicy": "OnFailure"}, False, False, [DEPLOYMENT_POLICY]),
    ({"activeDeadlineSeconds": 0}, True, False, [LWS_DEADLINE]),
    ({"restartPolicy": "Always"}, False, False, []),
    ({"restartPolicy": ""}, False, False, []),  # empty is unset for the operator's merge
    ({"activeDeadlineSeconds": None}, False, False, []),
    ({"restartPolicy": "Never", "activeDeadlineSeconds": 30}, False, True, []),  # Grove makes plain Pods
])
def test_pod_template_fields_the_api_server_refuses(pod, multinode, grove, expected):
    service: dict = {"componentType": "frontend", "extraPodSpec": pod}
    if multinode:
        service["multinode"] = {"nodeCount": 2}
    assert _run(service, grove=grove) == expected


def test_a_refused_template_generates_nothing():
    dgd = {"apiVersion": "nvidia.com/v1alpha1", "kind": "DynamoGraphDeployment",
           "metadata": {"name": "llm", "namespace": "ns"},
           "spec": {"services": {"W": {"componentType": "frontend", "extraPodSpec": {
               "restartPolicy": "OnFailure", "mainContainer": {"image": "img:1"}}}}}}
    out, results = expand([dgd])
    assert [o["kind"] for o in out] == ["DynamoGraphDeployment"]
    assert [(r.severity, r.field_path) for r in results] == [("error", "spec.services.W.extraPodSpec.restartPolicy")]


def _pod_results(pod: dict) -> list[tuple[str, str, str]]:
    dgd = {"apiVersion": "nvidia.com/v1alpha1", "kind": "DynamoGraphDeployment",
           "metadata": {"name": "llm", "namespace": "ns"},
           "spec": {"services": {"W": {"componentType": "frontend", "extraPodSpec": {
               **pod, "mainContainer": {"image": "img:1"}}}}}}
    _, results = expand([dgd])
    return [(r.severity, r.field_path, r.message) for r in results if r.severity != "info"]


def test_sidecar_names_are_unique_across_containers_and_init_containers():
    pod = {"containers": [{"name": "log", "image": "a"}], "initContainers": [{"name": "log", "image": "b"}]}
    assert _pod_results(pod) == [(
        "error", "spec.services.W.extraPodSpec.initContainers[0].name",
        'expected container names to be unique, got "log" again (first at '
        "spec.services.W.extraPodSpec.containers[0].name): the API server rejects two containers of one name "
        "in a pod")]


def test_sidecar_mount_paths_are_unique_per_container():
    mounts = [{"name": "a", "mountPath": "/data"}, {"name": "b", "mountPath": "/data"}]
    pod = {"containers": [{"name": "log", "image": "a", "volumeMounts": mounts}],
           "initContainers": [{"name": "init", "image": "b", "volumeMounts": mounts[:1]}],
           "volumes": [{"name": "a", "emptyDir": {}}, {"name": "b", "emptyDir": {}}]}
    assert _pod_results(pod) == [(
        "error", "spec.services.W.extraPodSpec.containers[0].volumeMounts[1].mountPath",
        'expected mount paths of a container to be unique, got "/data" again (first at '
        "spec.services.W.extraPodSpec.containers[0].volumeMounts[0].mountPath): the API server rejects two "
        "mounts at one path")]
