# SPDX-License-Identifier: Apache-2.0
"""Container resources: the service's Dynamo resources as container quantities, canonical.

Operator source: ``controller_common/resource.go`` (``GetResourcesConfig``). Moved out of
``podtemplate`` unchanged; the quantities have passed the resource rules (``graph.rules.resources``).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from krm_dynamo import defaults
from krm_dynamo.kube import quantity

if TYPE_CHECKING:
    from krm_dynamo.graph.component import Component


def container_resources(resources: dict[str, dict[str, Any]], gpu_requests: bool = False,
                        gpu_names: Mapping[str, str] | None = None) -> dict[str, dict[str, str]]:
    """Map Dynamo resources to container ``requests`` / ``limits``, quantities canonical.

    The GPU request only with ``gpu_requests`` (P08, operator 1.1: ``resource.go``
    ``GetResourcesConfig`` sets it beside the limit); before, the GPU limit alone. ``gpu_names``:
    per kind, the resource name the GPU count goes under (:func:`gpu_resource_names`;
    ``nvidia.com/gpu`` when absent). The quantities have passed the resource rules
    (``graph.rules.resources``).
    """
    out: dict[str, dict[str, str]] = {}
    for kind in ("requests", "limits"):
        item = resources.get(kind)
        if not item:
            continue
        values: dict[str, str] = {}
        gpu = (gpu_names or {}).get(kind, defaults.GPU_RESOURCE)
        for name, target in (("cpu", "cpu"), ("memory", "memory"), ("gpu", gpu)):
            if name == "gpu" and kind == "requests" and not gpu_requests:
                continue  # requests.gpu is never emitted (the GPU request defaults from the limit)
            if name in item:
                values[target] = quantity.canonical(item[name])
        for name, raw in (item.get("custom") or {}).items():
            values[name] = quantity.canonical(raw)
        if values:
            out[kind] = values
    return out


def canonical_resource_lists(resources: Any) -> Any:
    """Canonical quantities inside a user container's ``resources`` (typed in the operator).

    The quantities have passed the resource rules (``graph.rules.resources``).
    """
    if not isinstance(resources, dict):
        return resources
    out = dict(resources)
    for kind in ("limits", "requests"):
        if isinstance(out.get(kind), dict):
            out[kind] = {
                name: quantity.canonical(raw) for name, raw in out[kind].items()
            }
            if not out[kind]:
                del out[kind]
    return out


def gpu_resource_names(component: Component, table: defaults.OperatorDefaults) -> dict[str, str]:
    """S08 (operator 1.0 on): ``{kind: resources.<kind>.gpuType}`` for each kind that names one.

    The GPU count of that kind is then emitted under this resource name instead of
    ``nvidia.com/gpu`` (``controller_common/resource.go`` ``getGPUResourceName``). Empty under 0.6.
    """
    res = component.spec.resources
    if res is None or not table.switch("S08"):
        return {}
    out = {}
    for kind in ("requests", "limits"):
        gpu_type = getattr(getattr(res, kind), "gpuType", None)
        if isinstance(gpu_type, str) and gpu_type:
            out[kind] = gpu_type
    return out


def add_resource_claims(container: dict[str, Any], component: Component, table: defaults.OperatorDefaults) -> None:
    """S02 (operator 1.0 on): ``resources.claims`` appended to the container's own claims.

    The operator appends the service's DRA claims after any ``mainContainer.resources.claims``
    (``graph.go`` ``GenerateBasePodSpec``); the pod's ``resourceClaims`` stay the user's
    ``extraPodSpec`` ones. The claims have passed the claim rule (``graph.rules.devices``).
    """
    res = component.spec.resources
    claims = getattr(res, "claims", None)
    if not claims or not table.switch("S02"):
        return
    current = container.get("resources")
    merged: dict[str, Any] = dict(current) if isinstance(current, dict) else {}
    own = merged.get("claims")
    merged["claims"] = [*(own if isinstance(own, list) else []), *copy.deepcopy(claims)]
    container["resources"] = merged


def add_dynamo_resources(container: dict[str, Any], component: Component, table: defaults.OperatorDefaults) -> None:
    """The service's Dynamo resources, key by key over the container's; then its DRA claims (S02)."""
    add_resource_claims(container, component, table)
    mapped = container_resources(component.resources, table.switch("P08"), gpu_resource_names(component, table))
    if mapped:
        resources = container.get("resources")
        current: dict[str, Any] = resources if isinstance(resources, dict) else {}
        merged = dict(current)
        for kind, values in mapped.items():
            merged[kind] = {**(current.get(kind) or {}), **values}
        container["resources"] = merged
