# SPDX-License-Identifier: Apache-2.0
"""Kubernetes service discovery of the 1.x operators, as data (C02, N_E08, N04, P02, N01–N03, L04).

From 1.0 the operator's discovery backend defaults to ``kubernetes`` (its settings file,
``discovery.backend``; functionConfig ``discoveryBackend``). With that backend it gives each
DGD a ServiceAccount, Role and RoleBinding, runs every pod under that account, puts a
Service in front of every component and labels Services (1.1: pods too) as discoverable.
:data:`KUBE_DISCOVERY_1_0` and :data:`KUBE_DISCOVERY_1_1` are the rows; 0.6 has none
(:data:`NO_KUBE_DISCOVERY`). ``{dgd_name}``, ``{service_account}`` and
``{container_name}`` in a value are filled in by the builders (``render/kubediscovery``).
"""

from __future__ import annotations

from types import MappingProxyType

from krm_dynamo.defaults.admission import (
    ANNOTATION_KUBE_DISCOVERY_MODE,
    ANNOTATION_ORIGIN_VERSION,
    ANNOTATION_VLLM_EXECUTOR,
)
from krm_dynamo.defaults.components import FRONTEND_PORT, FRONTEND_PORT_NAME, SYSTEM_PORT, SYSTEM_PORT_NAME
from krm_dynamo.defaults.epp import COMPONENT_EPP, EPP_GRPC_PORT
from krm_dynamo.defaults.labels import (
    ANNOTATION_ENABLE_METRICS,
    LABEL_COMPONENT,
    LABEL_COMPONENT_TYPE,
    LABEL_DYNAMO_NAMESPACE,
    LABEL_GRAPH_NAME,
)
from krm_dynamo.defaults.multinode import LABEL_WORKER_HASH
from krm_dynamo.defaults.profiles import RELEASE_1_0_COMMIT, RELEASE_1_1_COMMIT, at_cut
from krm_dynamo.defaults.sources import Entries, frozen, src

BACKEND_KUBERNETES = "kubernetes"
BACKEND_ETCD = "etcd"
ANNOTATION_DISCOVERY_BACKEND = "nvidia.com/dynamo-discovery-backend"
LABEL_DISCOVERY_BACKEND = "nvidia.com/dynamo-discovery-backend"
LABEL_DISCOVERY_ENABLED = "nvidia.com/dynamo-discovery-enabled"
ENV_DISCOVERY_BACKEND = "DYN_DISCOVERY_BACKEND"
MODE_CONTAINER = "container"


def _at(path: str, line: int, commit: str = RELEASE_1_1_COMMIT) -> str:
    """:func:`.profiles.at_cut` for a ``path`` spelled from ``deploy/operator/``."""
    return at_cut(path, line, commit=commit, root="deploy/operator/")


_RESOURCE = "internal/discovery/resource.go"
_C02_ANNOTATION = src("C02", _at("internal/controller_common/predicate.go", 107),
                      "the service's annotation, else the DGD's; Grove reads the DGD's only")
_N04 = src("N04", _at(_RESOURCE, 42))
_P02 = src("P02", _at("internal/dynamo/graph.go", 1158), "only when the pod names no service account")
_N01 = src("N01", _at("internal/dynamo/graph.go", 631), "every component (frontends under etcd too)")
_N02 = src("N02", _at("internal/dynamo/graph.go", 666))
_RBAC_LABELS = frozen({"app.kubernetes.io/managed-by": "dynamo-operator", "app.kubernetes.io/component": "rbac",
                       "app.kubernetes.io/name": "{service_account}"})
_READ = ("get", "list", "watch")
_ROLE_RULES = frozen([
    {"apiGroups": [""], "resources": ["endpoints", "pods"], "verbs": list(_READ)},
    {"apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"], "verbs": list(_READ)},
    {"apiGroups": ["nvidia.com"], "resources": ["dynamoworkermetadatas"],
     "verbs": ["create", "get", "list", "watch", "update", "patch", "delete"]},
])
_SERVICE_PORTS = frozen({
    "frontend": {"name": FRONTEND_PORT_NAME, "protocol": "TCP", "port": FRONTEND_PORT,
                 "targetPort": FRONTEND_PORT_NAME},
    COMPONENT_EPP: {"name": "grpc", "protocol": "TCP", "appProtocol": "http2", "port": EPP_GRPC_PORT,
                    "targetPort": EPP_GRPC_PORT},
    "": {"name": SYSTEM_PORT_NAME, "protocol": "TCP", "port": SYSTEM_PORT, "targetPort": SYSTEM_PORT_NAME},
})
_DISCOVERY_LABELS = frozen({LABEL_DISCOVERY_BACKEND: BACKEND_KUBERNETES, LABEL_DISCOVERY_ENABLED: "true"})

# 0.6: no discovery backend setting; discovery goes through etcd and none of this exists.
NO_KUBE_DISCOVERY = Entries(values=MappingProxyType({}), sources={})

_VALUES_1_0 = {
    "backendAnnotation": ANNOTATION_DISCOVERY_BACKEND,
    # 1.0 copies these DGD annotations over the service's; 1.1 only where the service has none.
    "propagatedAnnotations": (ANNOTATION_ENABLE_METRICS, ANNOTATION_DISCOVERY_BACKEND,
                              ANNOTATION_ORIGIN_VERSION),
    "dgdAnnotationWins": True,
    "etcdOmitsEnv": ENV_DISCOVERY_BACKEND,
    "serviceAccountName": "{dgd_name}-k8s-service-discovery",
    "roleName": "{service_account}-role",
    "roleBindingName": "{service_account}-binding",
    "rbacLabels": _RBAC_LABELS,
    "roleRules": _ROLE_RULES,
    "servicePorts": _SERVICE_PORTS,
    "serviceSelector": (LABEL_COMPONENT_TYPE, LABEL_DYNAMO_NAMESPACE, LABEL_COMPONENT),
    "serviceLabels": _DISCOVERY_LABELS,
    "serviceNameDotReplacement": None,
    "podLabels": frozen({}),
    "podLabelsAfterExtraPodMetadata": (),
    "containerModeEnv": (),
    # L01 (Grove): the DGD annotations a clique's annotations take over the service's (1.1: None,
    # the propagation every service gets, the service's value winning, then spec.annotations).
    "groveDgdAnnotations": (ANNOTATION_ORIGIN_VERSION,),
}
_SOURCES_1_0 = {
    "backendAnnotation": _C02_ANNOTATION,
    "propagatedAnnotations": src("C02", "L01", _at("internal/dynamo/graph.go", 338, RELEASE_1_0_COMMIT)),
    "dgdAnnotationWins": src("C02", _at("internal/dynamo/graph.go", 345, RELEASE_1_0_COMMIT),
                             "1.1: the service's wins"),
    "etcdOmitsEnv": src("C02", "N_E01", _at("internal/dynamo/component_common.go", 137),
                        "any backend but etcd gets DYN_DISCOVERY_BACKEND=kubernetes"),
    "serviceAccountName": _P02 + "; " + _at(_RESOURCE, 24),
    "roleName": _N04,
    "roleBindingName": src("N04", _at(_RESOURCE, 79)),
    "rbacLabels": _N04,
    "roleRules": src("N04", _at(_RESOURCE, 55)),
    "servicePorts": _N01,
    "serviceSelector": src("N02", _at("internal/dynamo/graph.go", 666), "plus role: leader for a multinode service"),
    "serviceLabels": _N02,
    "serviceNameDotReplacement": src("N03", "1.0 keeps dots"),
    "podLabels": src("L04", "1.1 only"),
    "podLabelsAfterExtraPodMetadata": src("L04", "M01", "M03", "1.1 only: 1.0 copies extraPodMetadata.labels last"),
    "containerModeEnv": src("N_E08", "1.1 only"),
    "groveDgdAnnotations": src("L01", _at("internal/dynamo/graph.go", 1299, RELEASE_1_0_COMMIT),
                               "the graph's discovery backend at line 1291; no other DGD key"),
}
KUBE_DISCOVERY_1_0 = Entries(values=MappingProxyType(_VALUES_1_0), sources=_SOURCES_1_0)

KUBE_DISCOVERY_1_1 = Entries(
    values=MappingProxyType({
        **_VALUES_1_0,
        "propagatedAnnotations": (ANNOTATION_ENABLE_METRICS, ANNOTATION_DISCOVERY_BACKEND,
                                  ANNOTATION_KUBE_DISCOVERY_MODE, ANNOTATION_ORIGIN_VERSION,
                                  ANNOTATION_VLLM_EXECUTOR),
        "dgdAnnotationWins": False,
        "serviceNameDotReplacement": "-",
        "podLabels": _DISCOVERY_LABELS,
        "podLabelsAfterExtraPodMetadata": (LABEL_GRAPH_NAME, LABEL_COMPONENT_TYPE, LABEL_DYNAMO_NAMESPACE,
                                           LABEL_WORKER_HASH),
        "containerModeEnv": (("CONTAINER_NAME", "{container_name}"), ("DYN_KUBE_DISCOVERY_MODE", MODE_CONTAINER)),
        "modeAnnotation": ANNOTATION_KUBE_DISCOVERY_MODE,
        "groveDgdAnnotations": None,
    }),
    sources={
        **_SOURCES_1_0,
        "propagatedAnnotations": src("C02", "L01", _at("internal/dynamo/graph.go", 1316)),
        "dgdAnnotationWins": src("C02", _at("internal/dynamo/graph.go", 1333), "the service's value wins"),
        "serviceNameDotReplacement": src("N03", _at("internal/dynamo/graph.go", 682)),
        "podLabels": src("L04", _at("internal/controller/dynamocomponentdeployment_controller.go", 1101),
                         _at("internal/dynamo/graph.go", 1583)),
        "podLabelsAfterExtraPodMetadata": src(
            "L04", "M01", _at("internal/controller/dynamocomponentdeployment_controller.go", 1113),
            _at("internal/controller/dynamocomponentdeployment_controller.go", 1121),
            "M03", _at("internal/dynamo/graph.go", 1571), _at("internal/dynamo/graph.go", 1580),
            "set again after extraPodMetadata.labels (and, on Grove, the service's labels); "
            "each only when non-empty"),
        "containerModeEnv": src("N_E08", _at("internal/dynamo/component_common.go", 146)),
        "modeAnnotation": src("N_E08", _at("internal/controller_common/predicate.go", 120)),
        "groveDgdAnnotations": src("L01", _at("internal/dynamo/graph.go", 1303),
                                   "propagateDGDAnnotations and propagateDGDSpecMetadata, as for a Deployment"),
    },
)
