# SPDX-License-Identifier: Apache-2.0
"""Network objects of a service: frontend Service, Ingress, VirtualService.

Operator source: ``dynamocomponentdeployment_controller.go`` (``generateService``,
``generateIngress``, ``generateVirtualService``) and ``graph.go``
(``GenerateComponentIngress``, ``GenerateComponentVirtualService``). Deviations: the
Service selects on ``nvidia.com/selector`` only (D6); a VirtualService replaces the
Ingress when ``useVirtualService`` is set, with the spec's gateway, else
functionConfig ``istioGateway``, else none (D20); Ingress and VirtualService carry
the service labels and annotations, then the ingress ones (D4, D5, R1); an enabled
ingress that produces nothing is reported (D19).
"""

from __future__ import annotations

from krm_dynamo import defaults
from krm_dynamo.api import v1alpha1
from krm_dynamo.config import FunctionConfig
from krm_dynamo.graph.component import Component
from krm_dynamo.graph.report import Report
from krm_dynamo.kube import fieldorder
from krm_dynamo.render.workloads import object_metadata


def frontend_service(component: Component, namespace: str | None, labels: dict, annotations: dict,
                     selector: dict | None = None, table: defaults.OperatorDefaults | None = None) -> dict:
    """The ClusterIP Service in front of a frontend.

    The selector is ``{nvidia.com/selector: <name>}``, plus ``role: leader`` for a
    multinode frontend (D6); Grove passes its own (the leader clique).
    """
    table = table or defaults.for_release()
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


def ingress_host(ingress: v1alpha1.IngressSpec, table: defaults.OperatorDefaults | None = None) -> str:
    """``hostPrefix + host + "." + (hostSuffix or the table's suffix, "local")``."""
    default_suffix = (table or defaults.for_release()).ingress.host_suffix
    suffix = ingress.hostSuffix if ingress.hostSuffix is not None else default_suffix
    return f"{ingress.hostPrefix or ''}{ingress.host or ''}.{suffix}"


def exposure(component: Component, namespace: str | None, cfg: FunctionConfig, report: Report,
             table: defaults.OperatorDefaults | None = None) -> list[dict]:
    """The Ingress or VirtualService of a service, if its ingress spec asks for one."""
    table = table or defaults.for_release()
    ingress = component.ingress
    if ingress is None or not ingress.enabled:
        return []
    path = f"{component.path}.ingress"
    # V15-V19 are reported by validation.check_ingress before anything is built.
    if not ingress.host or ingress.hostSuffix == "":
        return []
    use_vs = bool(ingress.useVirtualService)
    if not use_vs and not ingress.ingressControllerClassName:
        return []  # D19: nothing to generate (validation warned)

    labels = {**component.labels, **(ingress.labels or {})}
    annotations = {**component.annotations, **(ingress.annotations or {})}
    metadata = object_metadata(component.name, namespace, labels, annotations)
    host = ingress_host(ingress, table)
    if use_vs:
        return [_virtual_service(component, ingress, metadata, host, cfg, path, report, table)]
    spec: dict = {"ingressClassName": ingress.ingressControllerClassName}
    if ingress.tls is not None:
        tls: dict = {"hosts": [host]}
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


def _virtual_service(component, ingress, metadata, host, cfg, path, report, table) -> dict:
    gateway = ingress.virtualServiceGateway or cfg.istioGateway
    spec: dict = {"hosts": [host]}
    if gateway:
        spec["gateways"] = [gateway]  # none: applies inside the mesh only (validation warned)
    if ingress.tls is not None and ingress.tls.secretName:
        report.info(
            f"{path}.tls.secretName",
            f'Istio terminates TLS at the Gateway: put the secret "{ingress.tls.secretName}" on the gateway; '
            "the VirtualService carries no TLS settings",
        )
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
