# SPDX-License-Identifier: Apache-2.0
"""The 1.x operators' per-service object metadata and Services (L01, L03, N01, N02, N03).

From 1.0 the operator no longer shares one label map between a service's objects (L03):
the Deployment and the Service carry the labels of the intermediate
DynamoComponentDeployment (:func:`object_labels`; the service's labels, D4, then the
component, Dynamo namespace and graph labels), not the pod template's, and the annotations
the operator hands to the service followed by ``extraPodMetadata.annotations``
(:func:`object_annotations`, L01). Every component gets a Service when its pods use
Kubernetes discovery, a frontend always (N01), selected by component type, Dynamo
namespace and service key (N02), its name without dots from 1.1 (N03).
Rows: :mod:`krm_dynamo.defaults.kubediscovery`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from krm_dynamo import defaults
from krm_dynamo.kube import fieldorder
from krm_dynamo.render import kubediscovery, models
from krm_dynamo.render.metadata import object_metadata

if TYPE_CHECKING:
    from krm_dynamo.graph.component import Component
    from krm_dynamo.render.podtemplate import PodContext


def object_labels(component: Component, ctx: PodContext) -> dict[str, str]:
    """The DynamoComponentDeployment's labels, which its Deployment and Service carry (L03)."""
    labels = dict(component.labels)  # D4 (1.0); the operator's own from 1.1 (L02)
    labels[defaults.LABEL_COMPONENT] = component.key
    labels[defaults.LABEL_DYNAMO_NAMESPACE] = component.dynamo_namespace
    labels[defaults.LABEL_GRAPH_NAME] = ctx.dgd_name
    labels.update(models.base_model_label(component, ctx.defaults))  # S05: getKubeLabels adds it last
    return labels


def object_annotations(component: Component, ctx: PodContext) -> dict[str, str] | None:
    """L01 (from 1.0): a Deployment's and a Service's annotations, ``getKubeAnnotations``: the
    service's annotations (with the DGD's propagated keys and, 1.1, ``spec.annotations``), then
    ``extraPodMetadata.annotations``, then ``nvidia.com/dynamo-base-model`` (``modelRef``).
    None before 1.0, whose Deployment shares the pod template's annotations.
    """
    if not ctx.defaults.switch("L01"):
        return None
    annotations = component.kube_annotations
    annotations.update(models.base_model_annotation(component, ctx.defaults))  # S05: getKubeAnnotations adds it last
    return annotations


def clique_annotations(component: Component, ctx: PodContext) -> dict[str, str] | None:
    """L01 on the Grove path (from 1.0): a clique's annotations, ``generateAnnotations``.

    The service's annotations as the PodCliqueSet builder leaves them: 1.0 copies the DGD's
    keys of ``groveDgdAnnotations`` (the origin version) over the service's, 1.1 the
    propagation every service gets (the service's value wins, then ``spec.annotations``);
    both set the graph's discovery backend. Then ``extraPodMetadata.annotations``; a restart
    id last (``nvidia.com/restartAt``, set on the clique afterwards). None before 1.0 (the
    pod template's annotations).
    """
    if not ctx.defaults.switch("L01"):
        return None
    from krm_dynamo.defaults.admission import ANNOTATION_RESTART_AT  # here: a 0.6 run imports no 1.x table
    annotations = kubediscovery.effective_annotations(component, ctx, grove=True)
    _add_extra(annotations, component)
    restart_at = component.pod_annotations.get(ANNOTATION_RESTART_AT)
    if restart_at is not None:
        annotations[ANNOTATION_RESTART_AT] = restart_at
    return annotations


def _add_extra(annotations: dict[str, str], component: Component) -> None:
    extra = component.spec.extraPodMetadata
    annotations.update((extra.annotations if extra else None) or {})


def service_name(component: Component, ctx: PodContext) -> str:
    """The Service's name: the component's, dots replaced from 1.1 (N03)."""
    replacement = ctx.defaults.kube_discovery.values.get("serviceNameDotReplacement")
    return component.name.replace(".", str(replacement)) if replacement else component.name


def wanted(component: Component, ctx: PodContext, *, grove: bool = False) -> bool:
    """N01: a Service for a frontend, and for every component under Kubernetes discovery."""
    if component.component_type == defaults.COMPONENT_FRONTEND:
        return True
    if grove:
        return kubediscovery.graph_enabled(ctx)
    return kubediscovery.enabled(component, ctx)


def component_service(component: Component, namespace: str | None, ctx: PodContext, *,
                      grove: bool = False) -> dict[str, Any]:
    """N02: the Service of one component, as the 1.x operator builds it.

    Port by component type (frontend ``http``, ``epp`` gRPC, else ``system``); labels
    :func:`object_labels` plus the discovery labels under Kubernetes discovery; selector
    component type, Dynamo namespace and service key, plus ``role: leader`` for a
    multinode service outside Grove. Under Grove the operator's DGD controller builds it
    from the service's labels alone and without annotations.
    """
    rows: Mapping[str, Any] = ctx.defaults.kube_discovery.values
    ports = rows["servicePorts"]
    port = ports.get(component.component_type) or ports[""]
    if grove:
        on = kubediscovery.graph_enabled(ctx)
        labels, annotations = dict(component.labels), {}
    else:
        on = kubediscovery.enabled(component, ctx)
        labels, annotations = object_labels(component, ctx), object_annotations(component, ctx) or {}
    if on:
        labels.update(rows["serviceLabels"])
    values = {defaults.LABEL_COMPONENT_TYPE: component.component_type,
              defaults.LABEL_DYNAMO_NAMESPACE: component.dynamo_namespace,
              defaults.LABEL_COMPONENT: component.key}
    selector = {key: values[key] for key in rows["serviceSelector"]}
    if component.multinode and not grove:
        selector[defaults.LABEL_ROLE] = defaults.ROLE_LEADER
    obj = {
        "apiVersion": ctx.defaults.service.api_version,
        "kind": "Service",
        "metadata": object_metadata(service_name(component, ctx), namespace, labels, annotations),
        "spec": {"ports": [defaults.plain_dict(port)], "selector": selector},
    }
    return fieldorder.ordered(obj, "Service")


def services(component: Component, namespace: str | None, ctx: PodContext, *,
             grove: bool = False) -> list[dict[str, Any]]:
    """The component's Service, when :func:`wanted` (none otherwise)."""
    return [component_service(component, namespace, ctx, grove=grove)] if wanted(component, ctx, grove=grove) else []

