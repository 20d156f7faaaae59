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
from krm_dynamo.render import models
from krm_dynamo.render.metadata import object_metadata
from krm_dynamo.render.podtemplate import PodTemplate


def deployment_strategy(annotations: dict[str, str], table: defaults.OperatorDefaults) -> dict[str, Any]:
    """``spec.strategy`` from ``nvidia.com/deployment-strategy``; unknown values roll (the table's default)."""
    return defaults.plain_dict(table.deployment.strategy(annotations.get(defaults.ANNOTATION_DEPLOYMENT_STRATEGY)))


def deployment(component: Component, namespace: str | None, pod: PodTemplate,
               table: defaults.OperatorDefaults) -> dict[str, Any]:
    """The Deployment of one single-node service (``table``: the DGD's operator defaults)."""
    spec: dict[str, Any] = {}
    if component.replicas is not None and not component.autoscaled:
        spec["replicas"] = component.replicas
    spec["selector"] = {"matchLabels": {defaults.LABEL_SELECTOR: component.name}}
    spec["template"] = pod.as_dict()
    spec["strategy"] = deployment_strategy(component.annotations, table)
    obj = {
        "apiVersion": table.deployment.api_version,
        "kind": "Deployment",
        "metadata": object_metadata(component.name, namespace, pod.labels,
                                    {**pod.annotations, **models.base_model_annotation(component, table)}),
        "spec": spec,
    }
    return fieldorder.ordered(obj, "Deployment")
