# SPDX-License-Identifier: Apache-2.0
"""Rules about resources: quantities and resource names of the service, ``DYN_DEPLOYMENT_CONFIG`` and each container."""

from __future__ import annotations

from typing import Any

from krm_dynamo.graph.report import Report
from krm_dynamo.graph.rules.context import ServiceCheck
from krm_dynamo.kube import quantity


def check_resources(s: ServiceCheck, report: Report) -> None:
    """Quantities of ``resources`` and ``mainContainer.resources``; a GPU request without a limit."""
    res = s.svc.resources
    for kind in ("requests", "limits"):
        item = getattr(res, kind) if res is not None else None
        if item is None:
            continue
        for name in ("cpu", "memory", "gpu"):
            raw = getattr(item, name)
            _check_quantity(raw, f"{s.path}.resources.{kind}.{name}", kind, name, report)
            if isinstance(raw, (int, float)) and s.graph.cfg.graphDeployment == "keep":
                report.warning(
                    f"{s.path}.resources.{kind}.{name}",
                    f'expected `{name}` to be a string (the CRD types it so, and the API server rejects the live '
                    f'DGD), got the number {raw}; write "{raw}"',
                )
        for name, raw in (item.custom or {}).items():
            _check_quantity(raw, f"{s.path}.resources.{kind}.custom.{name}", kind, name, report)
    user = s.main.get("resources")
    if isinstance(user, dict):
        for kind in ("requests", "limits"):
            values = user.get(kind)
            if not isinstance(values, dict):
                continue  # unset, or a wrong type reported by the schema check (rules.embedded)
            for name, raw in values.items():
                # Unset values too: the builder writes every listed quantity canonical.
                _check_quantity(raw, f"{s.mc_path}.resources.{kind}.{name}", kind, name, report, strict=True)
    gpu_request = res is not None and res.requests is not None and res.requests.gpu not in (None, "")
    if gpu_request and s.graph.table.switch("P08"):
        check_gpu_request_limit(s, report)
    elif gpu_request and (res is None or res.limits is None or res.limits.gpu in (None, "")):
        report.warning(
            f"{s.path}.resources.requests.gpu",
            "`requests.gpu` is set without `limits.gpu`: the operator emits only the GPU limit, so the pod "
            "gets no GPU; set `limits.gpu`",
        )


def check_gpu_request_limit(s: ServiceCheck, report: Report) -> None:
    """P08 (operator 1.1 emits the GPU request): the API server takes a GPU request only with an equal
    limit (D31); the GPU memory service replaces both with a claim, so then anything goes."""
    res = s.svc.resources
    if res is None or res.requests is None:
        return
    from krm_dynamo.graph import features11  # here: only a service with resource requests pays for it

    if features11.enabled(s.svc, "gpuMemoryService"):
        return
    request, limit = res.requests.gpu, res.limits.gpu if res.limits is not None else None
    if _value(request) is None:
        return  # a bad quantity: reported above
    if limit in (None, ""):
        report.error(f"{s.path}.resources.requests.gpu",
                     "`requests.gpu` is set without `limits.gpu`: the operator emits the GPU request alone, which "
                     "the API server rejects (a GPU request needs an equal limit); set `limits.gpu` (D31)")
    elif _value(limit) is not None and _value(limit) != _value(request):
        report.error(f"{s.path}.resources.requests.gpu",
                     f"`requests.gpu` {request} differs from `limits.gpu` {limit}: the API server rejects a GPU "
                     "request that is not equal to its limit (D31)")


def _value(raw: object) -> object:
    """The quantity's value, None when it does not parse."""
    try:
        return quantity.parse(raw).value
    except quantity.QuantityError:
        return None


def check_deployment_config_resources(s: ServiceCheck, report: Report) -> None:
    """Quantities ``DYN_DEPLOYMENT_CONFIG`` sets through ``ServiceArgs.resources`` (reported at ``resources``).

    ``requests.gpu`` is emitted only from operator 1.1 (P08), so only then read.
    """
    for kind, field_name, name, raw in s.component.config_resources:
        if (kind, field_name) != ("requests", "gpu") or s.graph.table.switch("P08"):  # P08: emitted from 1.1
            _check_quantity(raw, f"{s.path}.resources.{kind}.{field_name}", kind, name, report, strict=True)


def check_container_resources(s: ServiceCheck, report: Report) -> None:
    """Quantities of the sidecar and init containers' ``resources`` (the builder writes them canonical)."""
    pod = s.component.pod_fields
    for field_name in ("containers", "initContainers"):
        items = pod.get(field_name)
        for i, container in enumerate(items if isinstance(items, list) else []):
            resources = container.get("resources") if isinstance(container, dict) else None
            if not isinstance(resources, dict):
                continue
            for kind in ("limits", "requests"):
                values = resources.get(kind)
                for name, raw in (values.items() if isinstance(values, dict) else ()):
                    path = f"{s.path}.extraPodSpec.{field_name}[{i}].resources.{kind}.{name}"
                    _check_quantity(raw, path, kind, name, report, strict=True)


def check_resource_names(s: ServiceCheck, report: Report) -> None:
    """D31: every name that becomes a container resource name is one the API server accepts.

    Positions: the service's ``resources.{requests,limits}.custom`` keys (``DYN_DEPLOYMENT_CONFIG``
    ones too, reported at ``resources``), and the ``requests`` / ``limits`` keys of
    ``mainContainer.resources`` and of every sidecar and init container.
    """
    res = s.svc.resources
    for kind in ("requests", "limits"):
        item = getattr(res, kind) if res is not None else None
        for name in (item.custom or {}) if item is not None else {}:
            _check_name(name, f"{s.path}.resources.{kind}.custom.{name}", report)
    seen: set[str] = set()
    for kind, field_name, name, _ in s.component.config_resources:
        if field_name.startswith("custom.") and name not in seen:  # one result for requests and limits
            seen.add(name)
            _check_name(name, f"{s.component.workers_path}", report, where=f"{kind}.{field_name}")
    containers: list[tuple[str, Any]] = [(s.mc_path, s.main)]
    pod = s.component.pod_fields
    for field_name in ("containers", "initContainers"):
        items = pod.get(field_name)
        containers += [(f"{s.path}.extraPodSpec.{field_name}[{i}]", c)
                       for i, c in enumerate(items if isinstance(items, list) else [])]
    for path, container in containers:
        resources = container.get("resources") if isinstance(container, dict) else None
        for kind in ("requests", "limits"):
            values = resources.get(kind) if isinstance(resources, dict) else None
            for name in values if isinstance(values, dict) else ():
                _check_name(str(name), f"{path}.resources.{kind}.{name}", report)


def _check_name(name: str, path: str, report: Report, *, where: str = "") -> None:
    # here: only a DGD that names a container resource (most set just cpu, memory or gpu) pays for it
    from krm_dynamo.kube.resourcenames import container_resource_problem

    problem = container_resource_problem(name)
    if problem:
        inside = f" (DYN_DEPLOYMENT_CONFIG `ServiceArgs.resources.{where.split('.', 1)[1]}`)" if where else ""
        report.error(path, f"invalid container resource name{inside}: {problem}")


def _check_quantity(raw: Any, path: str, kind: str, name: str, report: Report, *, strict: bool = False) -> None:
    """``raw`` is a quantity; unset values (None, "") pass unless ``strict``."""
    if not strict and (raw is None or raw == ""):
        return
    try:
        quantity.canonical(raw)
    except quantity.QuantityError as exc:
        report.error(path, f"parse {kind} {name} quantity: {exc}")
