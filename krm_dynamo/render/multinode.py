# SPDX-License-Identifier: Apache-2.0
"""Multinode services in component mode: one LeaderWorkerSet and one Volcano PodGroup per replica.

Operator source: ``dynamocomponentdeployment_controller.go`` (``generateLeaderWorkerSet``,
``generateLeaderPodTemplateSpec``, ``generateWorkerPodTemplateSpec``,
``generateVolcanoPodGroup``, ``checkMainContainer``) and ``lws.go``.
Deviations: service labels and annotations reach the
objects and templates (D4, D5); each template carries its own ``role`` and
``instance-id``, and the LeaderWorkerSet object none (D7); the templates keep
``nvidia.com/selector`` (R2); a user ``schedulerName``
wins (D21); ``gangScheduling: none`` drops the PodGroups and the Volcano scheduler (D27).

The leader and worker pod templates are built by :mod:`podtemplate` for their role,
so the backend rewrites (:mod:`backends`) happen there. Helpers shared with Grove
(:func:`role_templates`) live here too. The operator's checks on the LWS templates and the
launch warnings are rules (``graph.rules.multinode``), run before building.
"""

from __future__ import annotations

import copy
from typing import Any

from krm_dynamo import defaults
from krm_dynamo.graph.component import Component
from krm_dynamo.kube import fieldorder
from krm_dynamo.render import backends, componentservice
from krm_dynamo.render.metadata import object_metadata
from krm_dynamo.render.podtemplate import PodContext, PodTemplate, build_pod_template

ROLES = (defaults.ROLE_LEADER, defaults.ROLE_WORKER)


def role_templates(component: Component, ctx: PodContext, *, deployer: backends.Deployer,
                   service_name: str, debug_sidecar: bool = True) -> dict[str, PodTemplate]:
    """The leader and worker pod templates of a multinode service."""
    return {
        role: build_pod_template(component, ctx, role=role, node_count=component.node_count,
                                 deployer=deployer, service_name=service_name, debug_sidecar=debug_sidecar)
        for role in ROLES
    }


def base_labels(component: Component, dgd_name: str) -> dict[str, str]:
    """The three labels the operator puts on every LeaderWorkerSet."""
    return {
        defaults.LABEL_COMPONENT: component.key,
        defaults.LABEL_DYNAMO_NAMESPACE: component.dynamo_namespace,
        defaults.LABEL_GRAPH_NAME: dgd_name,
    }


def _kube_labels(component: Component, dgd_name: str, ctx: PodContext) -> dict[str, str]:
    """The labels the LeaderWorkerSet and its templates get before ``instance-id``.

    From 1.0 (L03) the operator's ``getKubeLabels``, the one label set of the service's
    Deployment too: the service's labels, then the system labels and the worker hash (M01),
    then the base-model label. Before, the base labels under the service's (D4).
    """
    if ctx.defaults.switch("L03"):
        return componentservice.object_labels(component, ctx)
    return {**base_labels(component, dgd_name), **component.labels}


def object_labels(pod: PodTemplate, lws_labels: dict[str, str], table: defaults.OperatorDefaults) -> dict[str, str]:
    """``metadata.labels`` of a LeaderWorkerSet: the label set the operator leaves on it.

    From 1.0 (L03) the templates get copies of the object's labels, so the object keeps only its
    own: :func:`_kube_labels` (the Deployment's label set) and ``instance-id``.

    In the operator the object shares one label map with both pod templates, so it ends
    with the pod label set (metrics, component types, ``extraPodMetadata.labels``) under
    its own labels (the three base labels, ``instance-id``), without ``nvidia.com/selector``
    (deleted for the templates). D7: ``role`` is a label of each template, never of the
    object (the operator's object keeps the worker template's ``role: worker``).
    """
    if table.switch("L03"):
        return dict(lws_labels)
    labels = {k: v for k, v in pod.labels.items() if k != defaults.LABEL_SELECTOR}
    labels.update(lws_labels)
    return labels


def _scheduler(pod_spec: dict[str, Any], gang: bool, scheduler: str) -> dict[str, Any]:
    """``schedulerName: <scheduler>`` (volcano) unless the user set one (D21) or gang scheduling is off (D27)."""
    if not gang or pod_spec.get("schedulerName"):  # the rules note a kept user scheduler
        return pod_spec
    return {**pod_spec, "schedulerName": scheduler}


def _template(pod: PodTemplate, role: str, lws_labels: dict[str, str], group: str | None, instance: str,
              spec: dict[str, Any]) -> dict[str, Any]:
    labels = dict(pod.labels)  # pod label set, nvidia.com/selector included (R2)
    labels.update(lws_labels)
    labels[defaults.LABEL_ROLE] = role  # D7: each template its own role
    labels[defaults.LABEL_INSTANCE_ID] = instance
    annotations = dict(pod.annotations)
    if group is not None:
        annotations[defaults.ANNOTATION_GROUP_NAME] = group
    metadata: dict[str, Any] = {"labels": labels}
    if annotations:
        metadata["annotations"] = annotations
    return {"metadata": metadata, "spec": copy.deepcopy(spec)}


def lws_objects(component: Component, dgd_name: str, namespace: str | None,
                ctx: PodContext) -> list[dict[str, Any]]:
    """PodGroup (unless ``gangScheduling: none``) and LeaderWorkerSet per replica ``<name>-<i>``."""
    # The LeaderWorkerSet requirements are rules (graph.rules.multinode), checked before building.
    templates = role_templates(component, ctx, deployer=backends.LWS, service_name=component.name)

    gang = ctx.cfg.gangScheduling == "volcano"
    lws = ctx.defaults.leader_worker_set
    specs = {role: _scheduler(templates[role].spec, gang, lws.scheduler_name) for role in ROLES}
    replicas = lws.service_replicas if component.replicas is None else component.replicas
    objects: list[dict[str, Any]] = []
    for i in range(replicas):
        name = f"{component.name}-{i}"
        instance = str(i)
        group = name if gang else None
        if gang:
            objects.append(pod_group(component, name, namespace, instance, ctx.defaults))
        lws_labels = {**_kube_labels(component, dgd_name, ctx), defaults.LABEL_INSTANCE_ID: instance}
        labels = object_labels(templates[defaults.ROLE_LEADER], lws_labels, ctx.defaults)
        obj = {
            "apiVersion": lws.api_version,
            "kind": "LeaderWorkerSet",
            "metadata": object_metadata(name, namespace, labels, component.annotations),
            "spec": {
                "replicas": lws.replicas,
                "leaderWorkerTemplate": {
                    "leaderTemplate": _template(templates[defaults.ROLE_LEADER], defaults.ROLE_LEADER, lws_labels,
                                                group, instance, specs[defaults.ROLE_LEADER]),
                    "workerTemplate": _template(templates[defaults.ROLE_WORKER], defaults.ROLE_WORKER, lws_labels,
                                                group, instance, specs[defaults.ROLE_WORKER]),
                    "size": component.node_count,
                },
                "startupPolicy": lws.startup_policy,
            },
        }
        objects.append(fieldorder.ordered(obj, "LeaderWorkerSet"))
    return objects


def pod_group(component: Component, name: str, namespace: str | None, instance: str,
              table: defaults.OperatorDefaults) -> dict[str, Any]:
    """The Volcano PodGroup gang-scheduling one LWS replica (``generateVolcanoPodGroup``)."""
    labels = {**component.labels, defaults.LABEL_INSTANCE_ID: instance}  # D4, then instance-id
    if table.worker_hash is not None:  # M04: the operator's PodGroup never carries the worker hash
        labels.pop(table.worker_hash.label, None)
    obj = {
        "apiVersion": table.pod_group.api_version,
        "kind": "PodGroup",
        "metadata": object_metadata(name, namespace, labels, component.annotations),
        "spec": {"minMember": component.node_count},
    }
    return fieldorder.ordered(obj, "PodGroup")
