# SPDX-License-Identifier: Apache-2.0
"""Rules about the graph as a whole: its name, services, Dynamo namespace, PVCs."""

from __future__ import annotations

from typing import Any

from krm_dynamo.graph.derive import DerivedGraph, component_name
from krm_dynamo.graph.report import Report
from krm_dynamo.kio.display import show_value
from krm_dynamo.kube import naming, quantity


def check_graph_name(g: DerivedGraph, report: Report) -> None:
    """The graph name prefixes every object name (a DNS-1123 label) and is a label value."""
    if not naming.is_dns1123_label(g.name):
        report.error("metadata.name",
                     naming.dns_label_message("the graph name (it prefixes every object name)", g.name))
    else:
        naming.check_label_value(g.name, "the graph name", "metadata.name", report)


def check_services_present(g: DerivedGraph, report: Report) -> None:
    """No null service; a DGD without services is allowed (the CRD allows it; the operator creates nothing).

    From operator 1.0 the validating webhook rejects a DGD without services (V01).
    """
    services = g.graph.services or {}
    if not services and g.table.switch("V01"):
        report.error("spec.services", "expected at least one service in `spec.services` (the admission webhook of "
                                      f"operator {g.table.release} rejects a DGD without services)")
    elif not services:
        report.warning(
            "spec.services",
            "no services in `spec.services`: the graph runs nothing, so no workload objects are generated for it",
        )
    for key, svc in services.items():
        if svc is None:
            report.error(f"spec.services.{key}", f"expected service `{key}` to be a mapping, got null")


def check_schema_limits(g: DerivedGraph, report: Report) -> None:
    """S06: the release's CRD bounds the number of services and PVCs (from operator 0.7 on)."""
    limits = g.table.schema_limits.values
    counted = (("maxServices", "spec.services", "services", len(g.graph.services or {})),
               ("maxPvcs", "spec.pvcs", "PVCs", len(g.graph.pvcs or [])))
    for key, path, what, count in counted:
        bound = limits.get(key)
        if isinstance(bound, int) and count > bound:
            report.error(path, f"expected at most {bound} {what} (the CRD of operator {g.table.release}), got {count}")


def check_dynamo_namespace(g: DerivedGraph, report: Report) -> None:
    """D10: the non-empty ``dynamoNamespace`` values agree; the value is a label value.

    From operator 1.0 (N_E02, S04) ``dynamoNamespace`` is ignored with the webhook's warning, and
    the computed ``<namespace>-<DGD name>`` must be a label value.
    """
    if not g.services:
        return
    if g.table.switch("N_E02"):
        _check_dynamo_namespace_1x(g, report)
        return
    for c in g.namespace_conflicts:
        report.error(
            f"spec.services.{c.key}.dynamoNamespace",
            f'expected every `dynamoNamespace` of the graph to agree, got "{c.value}" here but '
            f'"{c.first_value}" in service `{c.first_key}`',
        )
    if not g.namespace_conflicts:
        naming.check_label_value(g.dynamo_namespace, "the Dynamo namespace", g.namespace_source, report)


def _check_dynamo_namespace_1x(g: DerivedGraph, report: Report) -> None:
    if g.k8s_namespace is None:
        report.warning("metadata.namespace",
                       f"operator {g.table.release} names the Dynamo namespace `<namespace>-<DGD name>`; without "
                       f'`metadata.namespace` "{g.dynamo_namespace}" assumes the namespace `default`')
    for c in g.services.values():
        if c.spec.dynamoNamespace and g.table.switch("S04"):
            # The validating webhook's deprecation warning (webhook/validation/shared.go).
            report.warning(f"{c.path}.dynamoNamespace",
                           f"`dynamoNamespace` is deprecated and ignored from operator 1.0: value "
                           f"'{c.spec.dynamoNamespace}' will be replaced with '{c.dynamo_namespace}'; "
                           "remove this field")
        value = c.spec.globalDynamoNamespace
        if value is not None and not isinstance(value, bool):
            report.error(f"{c.path}.globalDynamoNamespace",
                         f"expected `globalDynamoNamespace` to be a boolean, got {show_value(value)}")
    naming.check_label_value(g.dynamo_namespace, "the Dynamo namespace", "metadata.name", report)


def check_pvcs(g: DerivedGraph, report: Report) -> None:
    """PVC names present, unique and valid; ``create: true`` entries complete (D23: a size with a unit)."""
    seen: dict[str, int] = {}
    for i, pvc in enumerate(g.graph.pvcs or []):
        where = f"spec.pvcs[{i}]"
        if not pvc.name:
            report.error(f"{where}.name", "expected `name`, the name of the PersistentVolumeClaim, found none")
            continue
        if pvc.name in seen:
            report.error(f"{where}.name",
                         f'expected unique PVC names, "{pvc.name}" is also `spec.pvcs[{seen[pvc.name]}]`')
            continue
        seen[pvc.name] = i
        if not naming.is_dns1123_label(pvc.name):
            # It names the claim and, through volumeMounts, a pod volume (a DNS-1123 label).
            report.error(f"{where}.name", naming.dns_label_message("the PVC name", pvc.name))
            continue
        if not pvc.create:
            continue
        # The CRD rule asks only that `storageClass` be present: "" is a choice (no dynamic
        # provisioning; the operator writes `storageClassName: ""`).
        missing = [f for f in ("size", "storageClass", "volumeAccessMode")
                   if getattr(pvc, f) is None or (f != "storageClass" and getattr(pvc, f) == "")]
        if missing:
            listed = ", ".join(f"`{f}`" for f in missing)
            report.error(
                f"{where}.{missing[0]}",
                f"When create is true, size, storageClass, and volumeAccessMode are required; missing {listed}",
            )
            continue
        _check_pvc_size(pvc.size, f"{where}.size", report)
        access_modes = g.table.persistent_volume_claim.access_modes
        if pvc.volumeAccessMode not in access_modes:
            modes = ", ".join(f'"{m}"' for m in access_modes)
            report.error(
                f"{where}.volumeAccessMode",
                f'expected `volumeAccessMode` to be one of {modes}, got "{pvc.volumeAccessMode}"',
            )


def _check_pvc_size(raw: Any, path: str, report: Report) -> None:
    try:
        parsed = quantity.parse(raw)
    except quantity.QuantityError as exc:
        report.error(path, f"invalid `size`: {exc}")
        return
    if not parsed.has_suffix:
        # D23: the seed reads the size in Gi, Kubernetes in bytes; a bare number is a mistake.
        report.error(path, f'expected `size` with a unit (the size is in Gi), got "{raw}": write {raw}Gi')
    elif parsed.value <= 0:
        report.error(path, f'expected `size` to be greater than zero, got "{raw}"')


def check_name_collisions(g: DerivedGraph, report: Report) -> None:
    """Two service keys that differ only in case would name the same objects (``<dgd>-<lowercase(svc)>``)."""
    first: dict[str, str] = {}
    for key in g.graph.services or {}:
        lowered = key.lower()
        if lowered in first:
            report.error(
                f"spec.services.{key}",
                f'expected service keys to differ in more than case: `{key}` and `{first[lowered]}` both name '
                f'the objects "{component_name(g.name, key)}"',
            )
        else:
            first[lowered] = key
