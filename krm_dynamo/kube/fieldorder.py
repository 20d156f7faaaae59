# SPDX-License-Identifier: Apache-2.0
"""Key order of generated objects (decision D25), as data.

Structured objects follow the field order of the Kubernetes API types (the order of
the Go struct fields, which is also the order the operator's JSON serialisation
writes), headed by ``apiVersion, kind, metadata, spec``. Map-valued fields (labels,
annotations, selectors, nodeSelector, resource lists) are sorted by key. Keys this
table does not know keep their relative order after the known ones, so a user's
extra fields are never lost or shuffled.

:func:`ordered` walks an object along a type table: ``TYPES[name] = (field order,
{field: child})`` where a child is a type name, ``("list", type)`` or ``MAP`` (sort
the keys).
"""

from __future__ import annotations

from typing import Any, overload

MAP = "map"

_META = ("name", "generateName", "namespace", "uid", "resourceVersion", "labels", "annotations")
_TOP = ("apiVersion", "kind", "metadata", "spec")

TYPES: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    "ObjectMeta": (_META, {"labels": MAP, "annotations": MAP}),
    "Deployment": (_TOP, {"metadata": "ObjectMeta", "spec": "DeploymentSpec"}),
    "DeploymentSpec": (
        ("replicas", "selector", "template", "strategy", "minReadySeconds", "revisionHistoryLimit"),
        {"selector": "LabelSelector", "template": "PodTemplateSpec", "strategy": "DeploymentStrategy"},
    ),
    "LabelSelector": (("matchLabels", "matchExpressions"), {"matchLabels": MAP}),
    "DeploymentStrategy": (("type", "rollingUpdate"), {"rollingUpdate": "RollingUpdateDeployment"}),
    "RollingUpdateDeployment": (("maxUnavailable", "maxSurge"), {}),
    "PodTemplateSpec": (("metadata", "spec"), {"metadata": "ObjectMeta", "spec": "PodSpec"}),
    "PodSpec": (
        (
            "volumes", "initContainers", "containers", "ephemeralContainers", "restartPolicy",
            "terminationGracePeriodSeconds", "activeDeadlineSeconds", "dnsPolicy", "nodeSelector",
            "serviceAccountName", "serviceAccount", "automountServiceAccountToken", "nodeName",
            "hostNetwork", "hostPID", "hostIPC", "shareProcessNamespace", "securityContext",
            "imagePullSecrets", "hostname", "subdomain", "affinity", "schedulerName", "tolerations",
            "hostAliases", "priorityClassName", "priority", "dnsConfig", "readinessGates",
            "runtimeClassName", "enableServiceLinks", "preemptionPolicy", "overhead",
            "topologySpreadConstraints", "setHostnameAsFQDN", "os", "hostUsers", "schedulingGates",
            "resourceClaims", "resources", "hostnameOverride",
        ),
        {
            "volumes": ("list", "Volume"),
            "initContainers": ("list", "Container"),
            "containers": ("list", "Container"),
            "nodeSelector": MAP,
            "tolerations": ("list", "Toleration"),
        },
    ),
    "Toleration": (("key", "operator", "value", "effect", "tolerationSeconds"), {}),
    "Volume": (
        ("name", "emptyDir", "persistentVolumeClaim", "secret"),
        {"emptyDir": "EmptyDirVolumeSource", "secret": "SecretVolumeSource"},
    ),
    "SecretVolumeSource": (("secretName", "items", "defaultMode", "optional"), {}),
    "EmptyDirVolumeSource": (("medium", "sizeLimit"), {}),
    "Container": (
        (
            "name", "image", "command", "args", "workingDir", "ports", "envFrom", "env", "resources",
            "resizePolicy", "restartPolicy", "restartPolicyRules", "volumeMounts", "volumeDevices", "livenessProbe",
            "readinessProbe", "startupProbe", "lifecycle", "terminationMessagePath",
            "terminationMessagePolicy", "imagePullPolicy", "securityContext", "stdin", "stdinOnce", "tty",
        ),
        {
            "ports": ("list", "ContainerPort"),
            "envFrom": ("list", "EnvFromSource"),
            "env": ("list", "EnvVar"),
            "resources": "ResourceRequirements",
            "volumeMounts": ("list", "VolumeMount"),
            "livenessProbe": "Probe",
            "readinessProbe": "Probe",
            "startupProbe": "Probe",
        },
    ),
    "ContainerPort": (("name", "hostPort", "containerPort", "protocol", "hostIP"), {}),
    "EnvVar": (("name", "value", "valueFrom"), {}),
    "EnvFromSource": (("prefix", "configMapRef", "secretRef"), {}),
    "ResourceRequirements": (
        ("limits", "requests", "claims"), {"limits": MAP, "requests": MAP, "claims": ("list", "ResourceClaim")},
    ),
    "ResourceClaim": (("name", "request"), {}),
    "VolumeMount": (
        ("name", "readOnly", "recursiveReadOnly", "mountPath", "subPath", "mountPropagation", "subPathExpr"),
        {},
    ),
    "Probe": (
        (
            "exec", "httpGet", "tcpSocket", "grpc", "initialDelaySeconds", "timeoutSeconds",
            "periodSeconds", "successThreshold", "failureThreshold", "terminationGracePeriodSeconds",
        ),
        {"httpGet": "HTTPGetAction"},
    ),
    "HTTPGetAction": (("path", "port", "host", "scheme", "httpHeaders"), {}),
    "Service": (_TOP, {"metadata": "ObjectMeta", "spec": "ServiceSpec"}),
    # N07: the endpoint picker's objects (ConfigMap core/v1; InferencePool inference.networking.k8s.io/v1).
    "ConfigMap": (("apiVersion", "kind", "metadata", "immutable", "data", "binaryData"),
                  {"metadata": "ObjectMeta", "data": MAP}),
    "InferencePool": (_TOP, {"metadata": "ObjectMeta", "spec": "InferencePoolSpec"}),
    "InferencePoolSpec": (("selector", "targetPorts", "endpointPickerRef"),
                          {"selector": "LabelSelector", "endpointPickerRef": "EndpointPickerRef"}),
    "EndpointPickerRef": (("group", "kind", "name", "port", "failureMode"), {}),
    "ServiceSpec": (("ports", "selector", "clusterIP", "type"), {"ports": ("list", "ServicePort"), "selector": MAP}),
    "ServicePort": (("name", "protocol", "appProtocol", "port", "targetPort", "nodePort"), {}),
    # Kubernetes discovery RBAC of the 1.x operators (N04).
    "ServiceAccount": (("apiVersion", "kind", "metadata"), {"metadata": "ObjectMeta"}),
    "Role": (("apiVersion", "kind", "metadata", "rules"), {"metadata": "ObjectMeta", "rules": ("list", "PolicyRule")}),
    "PolicyRule": (("verbs", "apiGroups", "resources", "resourceNames", "nonResourceURLs"), {}),
    "RoleBinding": (
        ("apiVersion", "kind", "metadata", "subjects", "roleRef"),
        {"metadata": "ObjectMeta", "subjects": ("list", "Subject"), "roleRef": "RoleRef"},
    ),
    "Subject": (("kind", "apiGroup", "name", "namespace"), {}),
    "RoleRef": (("apiGroup", "kind", "name"), {}),
    "HorizontalPodAutoscaler": (_TOP, {"metadata": "ObjectMeta", "spec": "HorizontalPodAutoscalerSpec"}),
    # scaleTargetRef keeps the conventional apiVersion, kind, name head (D25's "apiVersion, kind" rule).
    "HorizontalPodAutoscalerSpec": (
        ("scaleTargetRef", "minReplicas", "maxReplicas", "metrics", "behavior"),
        {"metrics": ("list", "MetricSpec"), "behavior": "HorizontalPodAutoscalerBehavior"},
    ),
    "MetricSpec": (
        ("type", "object", "pods", "resource", "containerResource", "external"),
        {
            "object": "ObjectMetricSource",
            "pods": "PodsMetricSource",
            "resource": "ResourceMetricSource",
            "containerResource": "ContainerResourceMetricSource",
            "external": "ExternalMetricSource",
        },
    ),
    "ObjectMetricSource": (
        ("describedObject", "target", "metric"),
        {"target": "MetricTarget", "metric": "MetricIdentifier"},
    ),
    "PodsMetricSource": (("metric", "target"), {"target": "MetricTarget", "metric": "MetricIdentifier"}),
    "ResourceMetricSource": (("name", "target"), {"target": "MetricTarget"}),
    "ContainerResourceMetricSource": (("name", "target", "container"), {"target": "MetricTarget"}),
    "ExternalMetricSource": (("metric", "target"), {"target": "MetricTarget", "metric": "MetricIdentifier"}),
    "MetricIdentifier": (("name", "selector"), {}),
    "MetricTarget": (("type", "value", "averageValue", "averageUtilization"), {}),
    "HorizontalPodAutoscalerBehavior": (
        ("scaleUp", "scaleDown"),
        {"scaleUp": "HPAScalingRules", "scaleDown": "HPAScalingRules"},
    ),
    "HPAScalingRules": (
        ("stabilizationWindowSeconds", "selectPolicy", "policies", "tolerance"),
        {"policies": ("list", "HPAScalingPolicy")},
    ),
    "HPAScalingPolicy": (("type", "value", "periodSeconds"), {}),
    "Ingress": (_TOP, {"metadata": "ObjectMeta", "spec": "IngressSpec"}),
    "IngressSpec": (("ingressClassName", "defaultBackend", "tls", "rules"), {}),
    "VirtualService": (_TOP, {"metadata": "ObjectMeta"}),
    # leaderworkerset.x-k8s.io/v1 (sigs.k8s.io/lws api/leaderworkerset/v1/leaderworkerset_types.go)
    "LeaderWorkerSet": (_TOP, {"metadata": "ObjectMeta", "spec": "LeaderWorkerSetSpec"}),
    "LeaderWorkerSetSpec": (
        ("replicas", "leaderWorkerTemplate", "rolloutStrategy", "startupPolicy", "networkConfig"),
        {"leaderWorkerTemplate": "LeaderWorkerTemplate"},
    ),
    "LeaderWorkerTemplate": (
        ("leaderTemplate", "workerTemplate", "size", "restartPolicy", "subGroupPolicy"),
        {"leaderTemplate": "PodTemplateSpec", "workerTemplate": "PodTemplateSpec"},
    ),
    # scheduling.volcano.sh/v1beta1 (volcano.sh/apis pkg/apis/scheduling/v1beta1/types.go)
    "PodGroup": (_TOP, {"metadata": "ObjectMeta", "spec": "PodGroupSpec"}),
    "PodGroupSpec": (("minMember", "minTaskMember", "queue", "priorityClassName", "minResources"), {}),
    # grove.io/v1alpha1 (Grove operator/api/core/v1alpha1: podcliqueset.go, podclique.go)
    "PodCliqueSet": (_TOP, {"metadata": "ObjectMeta", "spec": "PodCliqueSetSpec"}),
    "PodCliqueSetSpec": (("replicas", "template"), {"template": "PodCliqueSetTemplateSpec"}),
    "PodCliqueSetTemplateSpec": (
        (
            "cliques", "cliqueStartupType", "priorityClassName", "headlessServiceConfig", "topologyConstraint",
            "terminationDelay", "podCliqueScalingGroups",
        ),
        {
            "cliques": ("list", "PodCliqueTemplateSpec"),
            "podCliqueScalingGroups": ("list", "PodCliqueScalingGroupConfig"),
        },
    ),
    "PodCliqueTemplateSpec": (
        ("name", "labels", "annotations", "topologyConstraint", "spec"),
        {"labels": MAP, "annotations": MAP, "spec": "PodCliqueSpec"},
    ),
    "PodCliqueSpec": (
        ("roleName", "podSpec", "replicas", "minAvailable", "startsAfter", "autoScalingConfig"),
        {"podSpec": "PodSpec"},
    ),
    "PodCliqueScalingGroupConfig": (
        ("name", "cliqueNames", "replicas", "minAvailable", "scaleConfig", "topologyConstraint"), {}),
    # resource.k8s.io/v1 (O02): the inner spec is built in the Go field order.
    "ResourceClaimTemplate": (_TOP, {"metadata": "ObjectMeta"}),
    "PersistentVolumeClaim": (_TOP, {"metadata": "ObjectMeta", "spec": "PersistentVolumeClaimSpec"}),
    "PersistentVolumeClaimSpec": (
        ("accessModes", "selector", "resources", "volumeName", "storageClassName", "volumeMode"),
        {"resources": "ResourceRequirements"},
    ),
}


@overload
def ordered(value: dict[str, Any], type_name: str) -> dict[str, Any]: ...
@overload
def ordered(value: Any, type_name: str) -> Any: ...


def ordered(value: Any, type_name: str) -> Any:
    """A copy of ``value`` with keys in the order of ``type_name`` (recursively)."""
    if not isinstance(value, dict):
        return value
    order, children = TYPES[type_name]
    rank = _RANKS.get(type_name) or _ranks(type_name)
    last = len(order)  # after every known place
    keys = sorted(value, key=lambda k: rank.get(k, last))  # unknown keys last, in their order (a stable sort)
    out = {}
    for key in keys:
        out[key] = _child(value[key], children.get(key))
    return out


# type name -> field -> its place: made once per type, on first use, not on every object.
_RANKS: dict[str, dict[str, int]] = {}


def _ranks(type_name: str) -> dict[str, int]:
    rank = _RANKS[type_name] = {key: i for i, key in enumerate(TYPES[type_name][0])}
    return rank


def sorted_map(value: Any) -> Any:
    """A map with its keys sorted byte-wise (D25); anything else unchanged."""
    if not isinstance(value, dict):
        return value
    return {k: value[k] for k in sorted(value, key=_bytes)}


def _child(value: Any, child: Any) -> Any:
    if child is None:
        return value
    if child == MAP:
        return sorted_map(value)
    if isinstance(child, tuple):
        _, item_type = child
        return [ordered(v, item_type) for v in value] if isinstance(value, list) else value
    return ordered(value, child)


def _bytes(key: Any) -> bytes:
    return str(key).encode("utf-8")
