# SPDX-License-Identifier: Apache-2.0
"""Network objects of a service: frontend Service, Ingress, VirtualService.

Operator source: ``dynamocomponentdeployment_controller.go`` (``generateService``,
``generateIngress``, ``generateVirtualService``) and ``graph.go``
(``GenerateComponentIngress``, ``GenerateComponentVirtualService``). Deviations: the
Service selects on ``nvidia.com/selector`` only (D6); a VirtualService replaces the
Ingress when ``useVirtualService`` is set, with the spec's gateway, else
functionConfig ``istioGateway``, else none (D20); Ingress and VirtualService carry
the service labels and annotations, then the ingress ones (D4, D5, R1); an enabled
ingress that produces nothing is generated as nothing (D19; the ingress rule warns).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from krm_dynamo import defaults
from krm_dynamo.config import FunctionConfig
from krm_dynamo.graph.component import Component
from krm_dynamo.kube import fieldorder
from krm_dynamo.render.metadata import object_metadata

if TYPE_CHECKING:
    from krm_dynamo.api import v1alpha1


def frontend_service(component: Component, namespace: str | None, labels: dict[str, str], annotations: dict[str, str],
                     table: defaults.OperatorDefaults, selector: dict[str, str] | None = None) -> dict[str, Any]:
    """The ClusterIP Service in front of a frontend.

    The selector is ``{nvidia.com/selector: <name>}``, plus ``role: leader`` for a
    multinode frontend (D6); Grove passes its own (the leader clique).
    """
    if selector is None:
        selector = {defaults.LABEL_SELECTOR: component.name}
        if component.node_count > 1:
            selector[defaults.LABEL_ROLE] = defaults.ROLE_LEADER
    obj = {
        "apiVersion": table.service.api_version,
        "kind": "Service",
        "metadata": object_metadata(component.name, namespace, labels, annotations),
        "spec": {
            "ports": [defaults.plain_dict(table.service.port)],
            "selector": dict(selector),
        },
    }
    return fieldorder.ordered(obj, "Service")


def exposure(component: Component, namespace: str | None, cfg: FunctionConfig,
             table: defaults.OperatorDefaults) -> list[dict[str, Any]]:
    """The Ingress or VirtualService of a service, if its ingress spec asks for one."""
    ingress, host = component.ingress, component.ingress_host
    if ingress is None or host is None:  # no ingress, or not enabled
        return []
    use_vs = bool(ingress.useVirtualService)
    if not use_vs and not ingress.ingressControllerClassName:
        return []  # D19: nothing to generate (the ingress rule warned)

    labels = {**component.labels, **(ingress.labels or {})}
    annotations = {**component.annotations, **(ingress.annotations or {})}
    metadata = object_metadata(component.name, namespace, labels, annotations)
    if use_vs:
        return [_virtual_service(component, ingress, metadata, host, cfg, table)]
    spec: dict[str, Any] = {"ingressClassName": ingress.ingressControllerClassName}
    if ingress.tls is not None:
        tls: dict[str, Any] = {"hosts": [host]}
        if ingress.tls.secretName:
            tls["secretName"] = ingress.tls.secretName
        spec["tls"] = [tls]
    spec["rules"] = [
        {
            "host": host,
            "http": {
                "paths": [
                    {
                        "path": table.ingress.path,
                        "pathType": table.ingress.path_type,
                        "backend": {
                            "service": {"name": component.name, "port": {"number": table.ingress.backend_port}}
                        },
                    }
                ]
            },
        }
    ]
    obj = {"apiVersion": table.ingress.api_version, "kind": "Ingress", "metadata": metadata, "spec": spec}
    return [fieldorder.ordered(obj, "Ingress")]


def _virtual_service(component: Component, ingress: v1alpha1.IngressSpec, metadata: dict[str, Any], host: str,
                     cfg: FunctionConfig, table: defaults.OperatorDefaults) -> dict[str, Any]:
    gateway = ingress.virtualServiceGateway or cfg.istioGateway
    spec: dict[str, Any] = {"hosts": [host]}
    if gateway:
        spec["gateways"] = [gateway]  # none: applies inside the mesh only (validation warned)
    # TLS stays on the Istio Gateway (the ingress rule notes where the secret goes).
    spec["http"] = [
        {
            "match": [{"uri": {"prefix": table.virtual_service.uri_prefix}}],
            "route": [{"destination": {"host": component.name,
                                       "port": {"number": table.virtual_service.destination_port}}}],
        }
    ]
    obj = {"apiVersion": table.virtual_service.api_version, "kind": "VirtualService", "metadata": metadata,
           "spec": spec}
    return fieldorder.ordered(obj, "VirtualService")
