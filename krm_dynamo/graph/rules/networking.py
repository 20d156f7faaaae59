# SPDX-License-Identifier: Apache-2.0
"""Rules about what selects and exposes a service: the effective ingress, labels, annotation keys."""

from __future__ import annotations

from typing import TYPE_CHECKING

from krm_dynamo import defaults
from krm_dynamo.graph.report import Report
from krm_dynamo.graph.rules.context import ServiceCheck
from krm_dynamo.kube import naming

if TYPE_CHECKING:
    from krm_dynamo.api import v1alpha1


def check_ingress(s: ServiceCheck, report: Report) -> None:
    """The effective ingress (the user's, or a frontend's default from functionConfig) can be generated.

    D19: an enabled ingress that generates nothing is a warning, not an error.
    """
    ingress, user_written = s.component.ingress, s.component.ingress_user_written
    if ingress is None or not ingress.enabled:
        return
    path = f"{s.path}.ingress"
    failed = False
    if not ingress.host:
        report.error(f"{path}.host", "expected `host` when the ingress is enabled, found none")
        failed = True
    if ingress.hostSuffix == "":
        report.error(f"{path}.hostSuffix",
                     'expected `hostSuffix` to be unset or non-empty, got "" (the host would end with a dot)')
        failed = True
    host = s.component.ingress_host
    if failed or host is None:
        return
    if not naming.is_dns1123_subdomain(host):
        suffix_bad = ingress.hostSuffix is not None and not naming.is_dns1123_subdomain(ingress.hostSuffix)
        where = f"{path}.hostSuffix" if suffix_bad else f"{path}.host"
        report.error(where if user_written else path,
                     'expected the ingress host to be a DNS name (lower-case letters, digits, "-" and "."),'
                     f' got "{host}"')
        return
    _check_exposure(s, ingress, host, report)


def _check_exposure(s: ServiceCheck, ingress: v1alpha1.IngressSpec, host: str, report: Report) -> None:
    """Warnings and notes about what a valid, enabled ingress generates (D19, D20)."""
    user_written = s.component.ingress_user_written
    path = f"{s.path}.ingress"
    use_vs = bool(ingress.useVirtualService)
    if not use_vs and not ingress.ingressControllerClassName:
        report.warning(
            f"{path}.ingressControllerClassName",
            "the ingress is enabled but no `ingressControllerClassName` is set (nor functionConfig "
            "`ingressClassName`): no Ingress is generated, the component is not exposed",
        )
        return
    if s.component.component_type != defaults.COMPONENT_FRONTEND:
        report.warning(
            path,
            f'ingress enabled on a service of componentType "{s.svc.componentType or ""}": only frontends get a '
            f'Service, so the backend Service "{s.name}" will not exist',
        )
    if ingress.hostSuffix is None:
        report.warning(
            f"{path}.hostSuffix" if user_written else path,
            f'no `hostSuffix` set: the host becomes "{host}" (operator default suffix `.local`)',
        )
    if use_vs and not (ingress.virtualServiceGateway or s.graph.cfg.istioGateway):
        report.warning(
            f"{path}.virtualServiceGateway",
            "no `virtualServiceGateway` and no functionConfig `istioGateway`: the VirtualService is bound to "
            "no gateway and applies inside the mesh only",
        )
    if use_vs and ingress.tls is not None and ingress.tls.secretName:
        report.info(
            f"{path}.tls.secretName",
            f'Istio terminates TLS at the Gateway: put the secret "{ingress.tls.secretName}" on the gateway; '
            "the VirtualService carries no TLS settings",
        )


def check_labels(s: ServiceCheck, report: Report) -> None:
    """R7: the selector label keeps its value; user labels and annotations are valid keys/values."""
    extra = s.svc.extraPodMetadata
    ingress = s.svc.ingress
    for where, labels in (("labels", s.svc.labels), ("extraPodMetadata.labels", extra.labels if extra else None),
                          ("ingress.labels", ingress.labels if ingress else None)):
        for key, value in (labels or {}).items():
            naming.check_label(key, value, f"{s.path}.{where}", report)
        selector = (labels or {}).get(defaults.LABEL_SELECTOR)
        if where != "ingress.labels" and selector is not None and selector != s.name:
            report.error(
                f"{s.path}.{where}",
                f'expected label `{defaults.LABEL_SELECTOR}` to be unset or "{s.name}" (it selects the '
                f'pods of the Deployment), got "{selector}"',
            )
    for where, keys in (("annotations", s.svc.annotations),
                        ("extraPodMetadata.annotations", extra.annotations if extra else None),
                        ("ingress.annotations", ingress.annotations if ingress else None)):
        for key in keys or {}:
            naming.check_qualified_name(key, "an annotation key", f"{s.path}.{where}", report)
