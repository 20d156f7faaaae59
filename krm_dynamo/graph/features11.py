# SPDX-License-Identifier: Apache-2.0
"""Derived values of the operator 1.1 graph and service features (S14, S15, S16, S18).

The fields are read as written (the parse keeps them as plain values); the rules of
:mod:`krm_dynamo.graph.rules.features11` check their shape, and the builders read them only
once those rules passed. Everything here is pure and reports nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from krm_dynamo.defaults import features11

if TYPE_CHECKING:
    from krm_dynamo import defaults
    from krm_dynamo.api import v1alpha1


def service_metadata(graph: v1alpha1.DynamoGraphDeploymentSpec, svc: v1alpha1.DynamoComponentDeploymentSharedSpec,
                     dgd_annotations: dict[str, str], table: defaults.OperatorDefaults
                     ) -> tuple[dict[str, str], dict[str, str]]:
    """``(labels, annotations)`` of a service, each a copy.

    S18 (operator 1.1, ``graph.go`` ``propagateDGDAnnotations`` and ``propagateDGDSpecMetadata``):
    the service's own values first; then the DGD's metadata annotations of the propagated keys
    and ``spec.annotations`` / ``spec.labels`` fill only the keys the service does not set.
    Before 1.1 the service's values alone.
    """
    labels = dict(svc.labels or {})
    annotations = dict(svc.annotations or {})
    if not table.switch("S18"):
        return labels, annotations
    for key in features11.value(table.features, "propagatedAnnotationKeys"):
        if key in dgd_annotations:
            annotations.setdefault(key, dgd_annotations[key])
    for key, value in _string_map(graph.annotations).items():
        annotations.setdefault(key, value)
    for key, value in _string_map(graph.labels).items():
        labels.setdefault(key, value)
    return labels, annotations


def graph_metadata(graph: v1alpha1.DynamoGraphDeploymentSpec, table: defaults.OperatorDefaults
                   ) -> tuple[dict[str, str], dict[str, str]]:
    """S18: ``(spec.labels, spec.annotations)``, what a PodCliqueSet's own metadata carries; empty before 1.1."""
    if not table.switch("S18"):
        return {}, {}
    return _string_map(graph.labels), _string_map(graph.annotations)


def _string_map(value: Any) -> dict[str, str]:
    """The string entries of a map as written (the rules report anything else)."""
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}


def feature(svc: v1alpha1.DynamoComponentDeploymentSharedSpec, name: str) -> dict[str, Any] | None:
    """The service's ``frontendSidecar`` / ``gpuMemoryService`` / ``failover`` mapping, None when unset."""
    value = getattr(svc, name, None)
    return value if isinstance(value, dict) else None


def enabled(svc: v1alpha1.DynamoComponentDeploymentSharedSpec, name: str) -> bool:
    """``gpuMemoryService.enabled`` / ``failover.enabled`` is true."""
    spec = feature(svc, name)
    return spec is not None and spec.get("enabled") is True


def gpu_count(svc: v1alpha1.DynamoComponentDeploymentSharedSpec) -> int | None:
    """The GPU count of the claim template (``dra.go`` ``ExtractGPUParams``): ``limits.gpu``, else
    ``requests.gpu``, as a whole number; None when neither is a whole number (the rules report it)."""
    res = svc.resources
    raw = None
    if res is not None and res.limits is not None and res.limits.gpu not in (None, ""):
        raw = res.limits.gpu
    elif res is not None and res.requests is not None and res.requests.gpu not in (None, ""):
        raw = res.requests.gpu
    text = str(raw) if isinstance(raw, (str, int)) and not isinstance(raw, bool) else ""
    digits = text[1:] if text[:1] in "+-" else text
    return int(text) if digits.isdigit() and digits.isascii() else None
