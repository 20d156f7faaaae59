# SPDX-License-Identifier: Apache-2.0
"""Label and annotation keys the operator writes or reads, and the values it gives them.

These keys are the contract between the operator, its pods and its users, the same in
every operator release; they are plain constants (cheap to import) and, with their
sources, the :data:`LABELS` and :data:`ANNOTATIONS` tables that ``krm-dynamo explain``
prints. Keys are defined in the operator's ``consts.go`` unless noted.
"""

from __future__ import annotations

from types import MappingProxyType

from krm_dynamo.defaults.sources import (
    OP_CONSTS,
    OP_DCD_CONTROLLER,
    OP_DGD_CONTROLLER,
    OP_GRAPH,
    OP_LWS,
    Entries,
    seed,
    src,
)

# --- labels on pods and generated objects ---------------------------------------------------
LABEL_COMPONENT = "nvidia.com/dynamo-component"
LABEL_DYNAMO_NAMESPACE = "nvidia.com/dynamo-namespace"
LABEL_GRAPH_NAME = "nvidia.com/dynamo-graph-deployment-name"
LABEL_METRICS_ENABLED = "nvidia.com/metrics-enabled"
LABEL_COMPONENT_TYPE = "nvidia.com/dynamo-component-type"
LABEL_SUB_COMPONENT_TYPE = "nvidia.com/dynamo-sub-component-type"
LABEL_SELECTOR = "nvidia.com/selector"
LABEL_COMPONENT_POD = "nvidia.com/dynamo-component-pod"  # marks the ServiceAccount pods use (D14)
LABEL_ROLE = "role"  # LWS pod templates: leader / worker
LABEL_INSTANCE_ID = "instance-id"  # LWS, its templates and PodGroup: the replica index
LABEL_KAI_QUEUE = "kai.scheduler/queue"  # Grove cliques under the KAI scheduler
METRICS_ENABLED_VALUE = "true"  # the value of LABEL_METRICS_ENABLED

# --- annotations the operator reads (control annotations) or writes -------------------------
ANNOTATION_ENABLE_METRICS = "nvidia.com/enable-metrics"
ANNOTATION_ENABLE_GROVE = "nvidia.com/enable-grove"
ANNOTATION_DISABLE_PULL_SECRET_DISCOVERY = "nvidia.com/disable-image-pull-secret-discovery"
ANNOTATION_DEPLOYMENT_STRATEGY = "nvidia.com/deployment-strategy"
ANNOTATION_ENABLE_DEBUG_MODE = "nvidia.com/enable-debug-mode"
ANNOTATION_STEALING_TRAFFIC_DEBUG = "nvidia.com/enable-stealing-traffic-debug-mode"
ANNOTATION_KAI_QUEUE = "nvidia.com/kai-scheduler-queue"
ANNOTATION_GROUP_NAME = "scheduling.k8s.io/group-name"  # Volcano gang: LWS pod templates

# --- roles of a pod in a multinode service ------------------------------------------------------
ROLE_MAIN = "main"  # a single-node pod
ROLE_LEADER = "leader"
ROLE_WORKER = "worker"

_POD_LABELS = "the pod-template label set, in the operator's order"
LABELS = Entries(
    values=MappingProxyType({
        "component": LABEL_COMPONENT,
        "dynamoNamespace": LABEL_DYNAMO_NAMESPACE,
        "graphDeploymentName": LABEL_GRAPH_NAME,
        "metricsEnabled": LABEL_METRICS_ENABLED,
        "componentType": LABEL_COMPONENT_TYPE,
        "subComponentType": LABEL_SUB_COMPONENT_TYPE,
        "selector": LABEL_SELECTOR,
        "componentPod": LABEL_COMPONENT_POD,
        "role": LABEL_ROLE,
        "instanceId": LABEL_INSTANCE_ID,
        "kaiQueue": LABEL_KAI_QUEUE,
    }),
    sources={
        "component": src(OP_CONSTS, OP_GRAPH, _POD_LABELS),
        "dynamoNamespace": src(OP_CONSTS, OP_GRAPH, _POD_LABELS),
        "graphDeploymentName": src(OP_CONSTS, OP_GRAPH, _POD_LABELS),
        "metricsEnabled": src(OP_CONSTS, OP_GRAPH, 'value "true" unless nvidia.com/enable-metrics is "false"'),
        "componentType": src(OP_CONSTS, OP_GRAPH, "when componentType is set"),
        "subComponentType": src(OP_CONSTS, OP_GRAPH, "when subComponentType is set"),
        "selector": src(OP_CONSTS, OP_DCD_CONTROLLER, "the Deployment and Service selector",
                        "D6 (selectors hold this label only)", "R7 (a user value must not change it)"),
        "componentPod": src(OP_CONSTS, seed("Service Account"),
                            "D14 (the first ServiceAccount with this label set to \"true\" is used)"),
        "role": src(OP_LWS, OP_DCD_CONTROLLER, "LeaderWorkerSet templates", "D7 (each template its own role)"),
        "instanceId": src(f"{OP_DCD_CONTROLLER} generateLeaderWorkerSet", "the LeaderWorkerSet replica index"),
        "kaiQueue": src(f"{OP_GRAPH} GenerateGrovePodCliqueSet", "Grove cliques under the KAI scheduler"),
    },
)

ANNOTATIONS = Entries(
    values=MappingProxyType({
        "enableMetrics": ANNOTATION_ENABLE_METRICS,
        "enableGrove": ANNOTATION_ENABLE_GROVE,
        "disableImagePullSecretDiscovery": ANNOTATION_DISABLE_PULL_SECRET_DISCOVERY,
        "deploymentStrategy": ANNOTATION_DEPLOYMENT_STRATEGY,
        "enableDebugMode": ANNOTATION_ENABLE_DEBUG_MODE,
        "enableStealingTrafficDebugMode": ANNOTATION_STEALING_TRAFFIC_DEBUG,
        "kaiSchedulerQueue": ANNOTATION_KAI_QUEUE,
        "groupName": ANNOTATION_GROUP_NAME,
    }),
    sources={
        "enableMetrics": src(OP_CONSTS, OP_GRAPH, "read from the DGD, else the service"),
        "enableGrove": src(OP_CONSTS, OP_DGD_CONTROLLER, 'D2 (a DGD value "false" keeps LeaderWorkerSets)'),
        "disableImagePullSecretDiscovery": src(OP_CONSTS, seed("Image Pull Secrets"), 'exactly "true" disables it'),
        "deploymentStrategy": src(OP_CONSTS, f"{OP_DCD_CONTROLLER} generateDeployment"),
        "enableDebugMode": src(OP_CONSTS, OP_DCD_CONTROLLER, '"true" adds the debugger sidecar'),
        "enableStealingTrafficDebugMode": src(OP_CONSTS, OP_DCD_CONTROLLER, "R9 (not supported: a warning)"),
        "kaiSchedulerQueue": src(OP_CONSTS, f"{OP_GRAPH} GenerateGrovePodCliqueSet", "read from the DGD"),
        "groupName": src(f"{OP_DCD_CONTROLLER} generateLeaderPodTemplateSpec", "Volcano gang scheduling",
                         "D27 (left out with gangScheduling: none)"),
    },
)
