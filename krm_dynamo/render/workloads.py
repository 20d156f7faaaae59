# SPDX-License-Identifier: Apache-2.0
"""Workload objects: the Deployment of a single-node service.

Operator source: ``dynamocomponentdeployment_controller.go`` (``generateDeployment``).
Deviations: ``spec.replicas`` is omitted under autoscaling (D11); service labels and
annotations reach the object (D4, D5); the selector is minimal (D6).
"""

from __future__ import annotations

from typing import Any

from krm_dynamo import defaults
from krm_dynamo.graph.component import Component
from krm_dynamo.kube import fieldorder
from krm_dynamo.render.metadata import object_metadata
from krm_dynamo.render.podtemplate import PodTemplate


def deployment_strategy(annotations: dict[str, str], table: defaults.OperatorDefaults,
                        object_annotations: dict[str, str] | None = None) -> dict[str, Any]:
    """``spec.strategy`` from ``nvidia.com/deployment-strategy``; unknown values roll (the table's default).

    From operator 0.8 (P07) a RollingUpdate's ``maxSurge`` / ``maxUnavailable`` come from their
    annotations among ``object_annotations`` (the service's and ``extraPodMetadata``'s) when set,
    an integer string as a number, as ``intstr.Parse`` reads it (the rollout rule checks them).
    """
    strategy = defaults.plain_dict(table.deployment.strategy(annotations.get(defaults.ANNOTATION_DEPLOYMENT_STRATEGY)))
    rolling = strategy.get("rollingUpdate")
    for field_name, key in table.deployment.rolling_update_annotations.items():
        value = (object_annotations or {}).get(key)
        if isinstance(rolling, dict) and value:
            rolling[field_name] = int(value) if _is_int(value) else value
    return strategy


def _is_int(value: str) -> bool:
    """``strconv.Atoi``: an optional sign, then decimal digits."""
    digits = value[1:] if value[:1] in "+-" else value
    return digits.isascii() and digits.isdigit()


def deployment(component: Component, namespace: str | None, pod: PodTemplate,
               table: defaults.OperatorDefaults, labels: dict[str, str] | None = None,
               annotations: dict[str, str] | None = None) -> dict[str, Any]:
    """The Deployment of one single-node service (``table``: the DGD's operator defaults).

    ``labels`` / ``annotations``: its metadata (default: the pod template's, as operator 0.6 shares them).
    """
    spec: dict[str, Any] = {}
    if component.replicas is not None and not component.autoscaled:
        spec["replicas"] = component.replicas
    spec["selector"] = {"matchLabels": {defaults.LABEL_SELECTOR: component.name}}
    spec["template"] = pod.as_dict()
    meta_annotations = pod.annotations if annotations is None else annotations
    spec["strategy"] = deployment_strategy(component.annotations, table, meta_annotations)  # P07: the Deployment's
    obj = {
        "apiVersion": table.deployment.api_version,
        "kind": "Deployment",
        "metadata": object_metadata(component.name, namespace, pod.labels if labels is None else labels,
                                    meta_annotations),
        "spec": spec,
    }
    return fieldorder.ordered(obj, "Deployment")
