# SPDX-License-Identifier: Apache-2.0
"""What the operator puts into the objects a single-node service gets only when its DGD asks.

Ingress and VirtualService (an enabled ingress), HorizontalPodAutoscaler (``autoscaling.enabled``),
PersistentVolumeClaim (``spec.pvcs`` with ``create: true``) and the debugger sidecar
(``nvidia.com/enable-debug-mode``): one sourced table each, built when a DGD first reads one
(``OperatorDefaults.later_tables``), so a DGD without them does not import this module. Sources are
``dynamocomponentdeployment_controller.go`` (``generate…``) and ``graph.go`` unless noted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from krm_dynamo.defaults.components import FRONTEND_PORT
from krm_dynamo.defaults.sources import (
    OP_CONSTS,
    OP_CONTROLLER_COMMON,
    OP_DCD_CONTROLLER,
    OP_DGD_CONTROLLER,
    OP_GRAPH,
    Sourced,
    frozen,
    seed,
    src,
)
from krm_dynamo.record import dataclass, field


@dataclass(frozen=True)
class IngressDefaults(Sourced):
    """The Ingress of a service whose ingress spec names a controller class.

    ``host_suffix`` is used when ``hostSuffix`` is unset; the one rule routes ``path``
    (of ``path_type``) to the service on ``backend_port``.
    """

    api_version: str
    host_suffix: str
    path: str
    path_type: str
    backend_port: int
    sources: Mapping[str, str] = field(default_factory=dict)


_INGRESS = f"{OP_DCD_CONTROLLER} generateIngress"
INGRESS = IngressDefaults(
    api_version="networking.k8s.io/v1",
    host_suffix="local",
    path="/",
    path_type="Prefix",
    backend_port=FRONTEND_PORT,
    sources={
        "apiVersion": src(OP_DCD_CONTROLLER, "networkingv1.Ingress"),
        "hostSuffix": src(f"{OP_GRAPH} GenerateComponentIngress", "when hostSuffix is unset"),
        "path": src(_INGRESS, "the one rule routes every path to the service"),
        "pathType": src(_INGRESS, "networkingv1.PathTypePrefix"),
        "backendPort": src(_INGRESS, f"{OP_CONSTS} DynamoServicePort"),
    },
)


@dataclass(frozen=True)
class VirtualServiceDefaults(Sourced):
    """The Istio VirtualService that replaces the Ingress under ``useVirtualService`` (D20)."""

    api_version: str
    uri_prefix: str
    destination_port: int
    sources: Mapping[str, str] = field(default_factory=dict)


_VS = f"{OP_DCD_CONTROLLER} generateVirtualService"
VIRTUAL_SERVICE = VirtualServiceDefaults(
    api_version="networking.istio.io/v1beta1",
    uri_prefix="/",
    destination_port=FRONTEND_PORT,
    sources={
        "apiVersion": src(_VS, "istio client-go networking/v1beta1"),
        "uriPrefix": src(_VS, f"{OP_GRAPH} GenerateComponentVirtualService"),
        "destinationPort": src(_VS, f"{OP_CONSTS} DynamoServicePort"),
    },
)


@dataclass(frozen=True)
class AutoscalerDefaults(Sourced):
    """The HorizontalPodAutoscaler of a single-node service with ``autoscaling.enabled``.

    ``metrics`` is used when ``autoscaling.metrics`` is empty: CPU utilisation at 80 %.
    """

    api_version: str
    scale_target_ref: Mapping[str, str]
    metrics: tuple[Mapping[str, Any], ...]
    sources: Mapping[str, str] = field(default_factory=dict)


_HPA = f"{OP_DCD_CONTROLLER} generateHPA"
AUTOSCALER = AutoscalerDefaults(
    api_version="autoscaling/v2",
    scale_target_ref=frozen({"apiVersion": "apps/v1", "kind": "Deployment"}),
    metrics=frozen([{"type": "Resource",
                      "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]),
    sources={
        "apiVersion": src(_HPA, "autoscalingv2.HorizontalPodAutoscaler"),
        "scaleTargetRef": src(_HPA, "the service's Deployment"),
        "metrics": src(_HPA, seed("Autoscaling Defaults"), "when autoscaling.metrics is empty"),
    },
)


@dataclass(frozen=True)
class PersistentVolumeClaimDefaults(Sourced):
    """A PVC of ``spec.pvcs`` with ``create: true``; ``access_modes`` are the values core/v1 accepts."""

    api_version: str
    access_modes: tuple[str, ...]
    sources: Mapping[str, str] = field(default_factory=dict)


PERSISTENT_VOLUME_CLAIM = PersistentVolumeClaimDefaults(
    api_version="v1",
    access_modes=("ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"),
    sources={
        "apiVersion": src(f"{OP_DGD_CONTROLLER} reconcilePVCs", f"{OP_CONTROLLER_COMMON} constructPVC"),
        "accessModes": src("core/v1 PersistentVolumeAccessMode", seed("PVC"), "volumeAccessMode must be one of them"),
    },
)


@dataclass(frozen=True)
class DebuggerDefaults(Sourced):
    """The sidecar ``nvidia.com/enable-debug-mode: "true"`` adds; its image is functionConfig ``debuggerImage``.

    ``container`` is without ``image``; quantities as the operator writes them (the
    builder makes them canonical: ``1000m`` serialises as ``1``).
    """

    container: Mapping[str, Any]
    share_process_namespace: bool
    sources: Mapping[str, str] = field(default_factory=dict)


_DEBUG = f"{OP_DCD_CONTROLLER} (nvidia.com/enable-debug-mode)"
DEBUGGER = DebuggerDefaults(
    container=frozen({
        "name": "debugger",
        "command": ["sleep", "infinity"],
        "resources": {"limits": {"cpu": "1000m", "memory": "1000Mi"}, "requests": {"cpu": "100m", "memory": "100Mi"}},
        "securityContext": {"capabilities": {"add": ["SYS_PTRACE"]}},
        "stdin": True,
        "tty": True,
    }),
    share_process_namespace=True,
    sources={
        "container": src(_DEBUG, "image: functionConfig debuggerImage (operator env INTERNAL_IMAGES_DEBUGGER)"),
        "shareProcessNamespace": _DEBUG,
    },
)
