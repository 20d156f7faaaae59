# SPDX-License-Identifier: Apache-2.0
"""Container resources: the service's Dynamo resources as container quantities, canonical.

Operator source: ``controller_common/resource.go`` (``GetResourcesConfig``). Moved out of
``podtemplate`` unchanged; the quantities have passed the resource rules (``graph.rules.resources``).
"""

from __future__ import annotations

from typing import Any

from krm_dynamo import defaults
from krm_dynamo.kube import quantity


def container_resources(resources: dict[str, dict[str, Any]], gpu_requests: bool = False) -> dict[str, dict[str, str]]:
    """Map Dynamo resources to container ``requests`` / ``limits``, quantities canonical.

    The GPU request only with ``gpu_requests`` (P08, operator 1.1: ``resource.go``
    ``GetResourcesConfig`` sets it beside the limit); before, the GPU limit alone. The
    quantities have passed the resource rules (``graph.rules.resources``).
    """
    out: dict[str, dict[str, str]] = {}
    for kind in ("requests", "limits"):
        item = resources.get(kind)
        if not item:
            continue
        values: dict[str, str] = {}
        for name, target in (("cpu", "cpu"), ("memory", "memory"), ("gpu", defaults.GPU_RESOURCE)):
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
