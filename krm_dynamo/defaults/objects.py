# SPDX-License-Identifier: Apache-2.0
"""What the operator puts into the objects around a single-node pod.

Deployment (strategies by annotation), frontend Service, Ingress, VirtualService,
HorizontalPodAutoscaler, PersistentVolumeClaim and the debugger sidecar: one sourced
table each. Sources are ``dynamocomponentdeployment_controller.go`` (``generate…``)
and ``graph.go`` unless noted. Multinode objects are in :mod:`.multinode`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from krm_dynamo.defaults.components import FRONTEND_PORT, FRONTEND_PORT_NAME
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
class DeploymentDefaults(Sourced):
    """The Deployment of a single-node service.

    Attributes:
        api_version: of the Deployment (also the HPA's ``scaleTargetRef``).
        strategies: ``nvidia.com/deployment-strategy`` value -> ``spec.strategy``.
        default_strategy: the key of ``strategies`` used when the annotation is absent or unknown.
        rolling_update_annotations: ``maxSurge`` / ``maxUnavailable`` -> the annotation whose
            value replaces it in a RollingUpdate strategy (none before operator 0.8, P07).
    Items: ``apiVersion``, ``defaultStrategy``, ``strategies.<annotation value>``,
    ``rollingUpdateAnnotations.<field>``.
    """

    api_version: str
    default_strategy: str
    strategies: Mapping[str, Mapping[str, Any]]
    sources: Mapping[str, str] = field(default_factory=dict)
    rolling_update_annotations: Mapping[str, str] = field(default_factory=dict)

    def items(self) -> list[tuple[str, object]]:
        head: list[tuple[str, object]] = [("apiVersion", self.api_version), ("defaultStrategy", self.default_strategy)]
        annotations = [(f"rollingUpdateAnnotations.{k}", v) for k, v in self.rolling_update_annotations.items()]
        return head + [(f"strategies.{name}", value) for name, value in self.strategies.items()] + annotations

    def strategy(self, annotation: str | None) -> Mapping[str, Any]:
        """``spec.strategy`` for an annotation value; an absent or unknown one gets the default."""
        return self.strategies.get(annotation or "", self.strategies[self.default_strategy])


_STRATEGY = f"{OP_DCD_CONTROLLER} generateDeployment (by nvidia.com/deployment-strategy)"
DEPLOYMENT = DeploymentDefaults(
    api_version="apps/v1",
    default_strategy="RollingUpdate",
    strategies=frozen({
        "RollingUpdate": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
        "Recreate": {"type": "Recreate"},
        "RampedSlowRollout": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
        "BestEffortControlledRollout": {"type": "RollingUpdate",
                                        "rollingUpdate": {"maxSurge": 0, "maxUnavailable": "20%"}},
    }),
    sources={
        "apiVersion": src(OP_DCD_CONTROLLER, "appsv1.Deployment"),
        "defaultStrategy": src(_STRATEGY, "an absent or unknown value rolls"),
        "strategies.RollingUpdate": _STRATEGY,
        "strategies.Recreate": _STRATEGY,
        "strategies.RampedSlowRollout": _STRATEGY,
        "strategies.BestEffortControlledRollout": _STRATEGY,
    },
)


@dataclass(frozen=True)
class ServiceDefaults(Sourced):
    """The ClusterIP Service in front of a frontend: one port, the named container port as target."""

    api_version: str
    port: Mapping[str, Any]
    sources: Mapping[str, str] = field(default_factory=dict)


SERVICE = ServiceDefaults(
    api_version="v1",
    port=frozen({"name": FRONTEND_PORT_NAME, "protocol": "TCP", "port": FRONTEND_PORT,
                  "targetPort": FRONTEND_PORT_NAME}),
    sources={
        "apiVersion": src(OP_DCD_CONTROLLER, "corev1.Service"),
        "port": src(f"{OP_DCD_CONTROLLER} generateService", f"{OP_CONSTS} DynamoServicePort, DynamoContainerPortName",
                    seed("Port Configurations", "Frontend Components"), "frontends only"),
    },
)


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
