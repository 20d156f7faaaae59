# SPDX-License-Identifier: Apache-2.0
"""``metadata`` of a generated object (the one shape every builder writes) and of a pod template."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from krm_dynamo import defaults

if TYPE_CHECKING:
    from krm_dynamo.graph.component import Component
    from krm_dynamo.render.podtemplate import PodContext


def object_metadata(name: str, namespace: str | None, labels: dict[str, str],
                    annotations: dict[str, str]) -> dict[str, Any]:
    """``metadata`` of a generated object; empty maps and an unset namespace are left out (D17)."""
    metadata: dict[str, Any] = {"name": name}
    if namespace:
        metadata["namespace"] = namespace
    if labels:
        metadata["labels"] = dict(labels)
    if annotations:
        metadata["annotations"] = dict(annotations)
    return metadata


def pod_labels(component: Component, ctx: PodContext) -> dict[str, str]:
    """Pod template labels in the operator's order (later keys overwrite earlier ones)."""
    labels = {
        defaults.LABEL_COMPONENT: component.key,
        defaults.LABEL_DYNAMO_NAMESPACE: component.dynamo_namespace,
        defaults.LABEL_GRAPH_NAME: ctx.dgd_name,
    }
    if metrics_enabled(component, ctx):
        labels[defaults.LABEL_METRICS_ENABLED] = defaults.METRICS_ENABLED_VALUE
    if component.component_type:
        labels[defaults.LABEL_COMPONENT_TYPE] = component.component_type
    if component.spec.subComponentType:
        labels[defaults.LABEL_SUB_COMPONENT_TYPE] = component.spec.subComponentType
    labels[defaults.LABEL_SELECTOR] = component.name
    if ctx.kube_discovery:
        from krm_dynamo.render import kubediscovery
        labels.update(kubediscovery.pod_labels(component, ctx))  # L04 (1.1)
    if ctx.defaults.switch("L02"):  # 1.1: the service's (and the DGD's) labels under the system ones
        labels = {**component.labels, **labels}
    else:
        labels.update(component.labels)  # D4
    if ctx.defaults.switch("S05"):  # modelRef's label (L04), as getKubeLabels adds it
        from krm_dynamo.render import models
        labels.update(models.base_model_label(component, ctx.defaults))
    extra = component.spec.extraPodMetadata
    labels.update((extra.labels if extra else None) or {})
    if not ctx.kube_discovery:
        return labels
    from krm_dynamo.render import kubediscovery
    return kubediscovery.reapply_system_labels(labels, component, ctx)  # 1.1: after extraPodMetadata


def pod_annotations(component: Component) -> dict[str, str]:
    """The service's own annotations (D5; not the graph's propagated ones, which the 1.x operator
    puts on the objects only), then ``extraPodMetadata.annotations``."""
    annotations = dict(component.pod_annotations)
    extra = component.spec.extraPodMetadata
    annotations.update((extra.annotations if extra else None) or {})
    return annotations


def metrics_enabled(component: Component, ctx: PodContext) -> bool:
    """The metrics label unless the effective ``nvidia.com/enable-metrics`` is exactly "false": the
    service's annotations when the release propagates the key (row ``propagatedAnnotations``, 1.0
    on: they hold the DGD's value as it merges it), else the DGD's value over the service's."""
    key = defaults.ANNOTATION_ENABLE_METRICS
    propagated = ctx.defaults.kube_discovery.values.get("propagatedAnnotations")
    if isinstance(propagated, tuple) and key in propagated:
        return component.annotations.get(key) != "false"
    value = ctx.dgd_annotations.get(key) if key in ctx.dgd_annotations else component.annotations.get(key)
    return value != "false"
