# SPDX-License-Identifier: Apache-2.0
"""What the operator puts into the objects every single-node service gets.

The Deployment (strategies by annotation) and the frontend Service: one sourced table each.
Sources are ``dynamocomponentdeployment_controller.go`` (``generate…``) unless noted. The
objects a DGD asks for (Ingress, VirtualService, HPA, PVC, debugger sidecar) are in
:mod:`.optionalobjects`, multinode objects in :mod:`.multinode`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from krm_dynamo.defaults.components import FRONTEND_PORT, FRONTEND_PORT_NAME
from krm_dynamo.defaults.sources import OP_CONSTS, OP_DCD_CONTROLLER, Sourced, frozen, seed, src
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
