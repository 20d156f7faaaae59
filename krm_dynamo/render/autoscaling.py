# SPDX-License-Identifier: Apache-2.0
"""The HorizontalPodAutoscaler of a single-node service.

Operator source: ``dynamocomponentdeployment_controller.go`` (``generateHPA``); the
default metric is CPU at 80 % (seed "Autoscaling Defaults"). Deviation: the spec's
``behavior`` is copied (D12). The bounds and the default metric's CPU request are rules
(``graph.rules.service``).
"""

from __future__ import annotations

import contextlib
import copy
from typing import Any

from krm_dynamo import defaults
from krm_dynamo.graph.component import Component
from krm_dynamo.kube import fieldorder, quantity
from krm_dynamo.render.metadata import object_metadata


def default_metrics(table: defaults.OperatorDefaults) -> list[dict[str, Any]]:
    """The metrics of an HPA whose spec gives none: CPU utilisation at the operator's default target."""
    return defaults.plain_list(table.autoscaler.metrics)


def _canonical_targets(metric: dict[str, Any]) -> dict[str, Any]:
    """Quantities in metric targets serialise canonically, as in the operator's typed HPA."""
    if not isinstance(metric, dict):
        return metric
    for source in metric.values():
        target = source.get("target") if isinstance(source, dict) else None
        if not isinstance(target, dict):
            continue
        for key in ("value", "averageValue"):
            if key in target:
                with contextlib.suppress(quantity.QuantityError):  # left as written; the API server reports it
                    target[key] = quantity.canonical(target[key])
    return metric


def horizontal_pod_autoscaler(component: Component, namespace: str | None, labels: dict[str, str],
                              annotations: dict[str, str],
                              table: defaults.OperatorDefaults) -> dict[str, Any] | None:
    """The HPA when ``autoscaling.enabled`` is true and the release generates one (``component.autoscaled``)."""
    scaling = component.spec.autoscaling
    if scaling is None or not component.autoscaled:
        return None
    # (A default metric without a CPU request is reported by the rules: graph.rules.service.)
    metrics = ([_canonical_targets(m) for m in copy.deepcopy(scaling.metrics)] if scaling.metrics
               else default_metrics(table))
    spec: dict[str, Any] = {
        "scaleTargetRef": {**defaults.plain_dict(table.autoscaler.scale_target_ref), "name": component.name},
        "minReplicas": scaling.minReplicas or 0,
        "maxReplicas": scaling.maxReplicas or 0,
        "metrics": metrics,
    }
    if scaling.behavior:
        spec["behavior"] = copy.deepcopy(scaling.behavior)
    obj = {
        "apiVersion": table.autoscaler.api_version,
        "kind": "HorizontalPodAutoscaler",
        "metadata": object_metadata(component.name, namespace, labels, annotations),
        "spec": spec,
    }
    return fieldorder.ordered(obj, "HorizontalPodAutoscaler")
