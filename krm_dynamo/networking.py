# SPDX-License-Identifier: Apache-2.0
"""Network objects of a service: frontend Service, Ingress, VirtualService (§14.2–§14.4).

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

from krm_dynamo import defaults, fieldorder, models
from krm_dynamo.component import Component
from krm_dynamo.config import FunctionConfig
from krm_dynamo.diagnostics import Report
from krm_dynamo.workloads import object_metadata


def frontend_service(component: Component, namespace: str | None, labels: dict, annotations: dict) -> dict:
    """The ClusterIP Service in front of a frontend (§14.2)."""
    obj = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": object_metadata(component.name, namespace, labels, annotations),
        "spec": {
            "ports": [
                {
                    "name": defaults.FRONTEND_PORT_NAME,
                    "protocol": "TCP",
                    "port": defaults.FRONTEND_PORT,
                    "targetPort": defaults.FRONTEND_PORT_NAME,
                }
            ],
            "selector": {defaults.LABEL_SELECTOR: component.name},
        },
    }
    return fieldorder.ordered(obj, "Service")


def ingress_host(ingress: models.Ingress) -> str:
    """``hostPrefix + host + "." + (hostSuffix or "local")`` (§14.3)."""
    suffix = ingress.hostSuffix if ingress.hostSuffix is not None else defaults.INGRESS_DEFAULT_HOST_SUFFIX
    return f"{ingress.hostPrefix or ''}{ingress.host or ''}.{suffix}"


def exposure(component: Component, namespace: str | None, cfg: FunctionConfig, report: Report) -> list[dict]:
    """The Ingress or VirtualService of a service, if its ingress spec asks for one."""
    ingress = component.ingress
    if ingress is None or not ingress.enabled:
        return []
    path = f"{component.path}.ingress"
    user_written = component.spec.ingress is not None
    failed = False
    if not ingress.host:
        report.error(f"{path}.host", "expected `host` when the ingress is enabled, found none")
        failed = True
    if ingress.hostSuffix == "":
        report.error(
            f"{path}.hostSuffix",
            'expected `hostSuffix` to be unset or non-empty, got "" (the host would end with a dot)',
        )
        failed = True
    if failed:
        return []

    use_vs = bool(ingress.useVirtualService)
    if not use_vs and not ingress.ingressControllerClassName:
        report.warning(
            f"{path}.ingressControllerClassName",
            "the ingress is enabled but no `ingressControllerClassName` is set (nor functionConfig "
            "`ingressClassName`): no Ingress is generated, the component is not exposed",
        )
        return []
    if component.component_type != defaults.COMPONENT_FRONTEND:
        report.warning(
            path,
            f'ingress enabled on a service of componentType "{component.component_type}": only frontends get a '
            f'Service, so the backend Service "{component.name}" will not exist',
        )
    if ingress.hostSuffix is None:
        where = f"{path}.hostSuffix" if user_written else path
        report.warning(
            where,
            f'no `hostSuffix` set: the host becomes "{ingress_host(ingress)}" (operator default suffix `.local`)',
        )

    labels = {**component.labels, **(ingress.labels or {})}
    annotations = {**component.annotations, **(ingress.annotations or {})}
    metadata = object_metadata(component.name, namespace, labels, annotations)
    host = ingress_host(ingress)
    if use_vs:
        return [_virtual_service(component, ingress, metadata, host, cfg, path, report)]
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
                        "path": "/",
                        "pathType": "Prefix",
                        "backend": {
                            "service": {"name": component.name, "port": {"number": defaults.FRONTEND_PORT}}
                        },
                    }
                ]
            },
        }
    ]
    obj = {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": metadata, "spec": spec}
    return [fieldorder.ordered(obj, "Ingress")]


def _virtual_service(component, ingress, metadata, host, cfg, path, report) -> dict:
    gateway = ingress.virtualServiceGateway or cfg.istioGateway
    spec: dict = {"hosts": [host]}
    if gateway:
        spec["gateways"] = [gateway]
    else:
        report.warning(
            f"{path}.virtualServiceGateway",
            "no `virtualServiceGateway` and no functionConfig `istioGateway`: the VirtualService is bound to "
            "no gateway and applies inside the mesh only",
        )
    if ingress.tls is not None and ingress.tls.secretName:
        report.info(
            f"{path}.tls.secretName",
            f'Istio terminates TLS at the Gateway: put the secret "{ingress.tls.secretName}" on the gateway; '
            "the VirtualService carries no TLS settings",
        )
    spec["http"] = [
        {
            "match": [{"uri": {"prefix": "/"}}],
            "route": [{"destination": {"host": component.name, "port": {"number": defaults.FRONTEND_PORT}}}],
        }
    ]
    obj = {"apiVersion": "networking.istio.io/v1beta1", "kind": "VirtualService", "metadata": metadata, "spec": spec}
    return fieldorder.ordered(obj, "VirtualService")
