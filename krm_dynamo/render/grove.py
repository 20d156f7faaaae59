# SPDX-License-Identifier: Apache-2.0
"""Grove mode (opt-in): one ``PodCliqueSet`` for the whole DGD.

Operator source: ``graph.go`` (``GenerateGrovePodCliqueSet``, ``generateLabels``,
``generateAnnotations``, ``applyCliqueStartupDependencies``), ``grove.go`` and
``controller_common/podgangset.go`` (``CanonicalizePodCliqueSet``: cliques and scaling
groups sorted by name). Chosen by
functionConfig ``multinodeOrchestrator: grove`` unless the DGD says
``nvidia.com/enable-grove: "false"`` (D2). Every service becomes a clique (a multinode
service a leader and a worker clique tied by a scaling group). Deviations: an unset
``replicas`` is 1 (R8); the service-account rule of D14 applies (D27); service labels
and annotations reach the cliques (D4, D5).
"""

from __future__ import annotations

from typing import Any

from krm_dynamo import defaults
from krm_dynamo.config import FunctionConfig
from krm_dynamo.graph.component import Component
from krm_dynamo.kube import fieldorder
from krm_dynamo.kube.durations import format_duration, parse_duration
from krm_dynamo.render import backends, kubediscovery, models
from krm_dynamo.render.metadata import object_metadata
from krm_dynamo.render.multinode import role_templates
from krm_dynamo.render.podtemplate import PodContext, PodTemplate, build_pod_template


def enabled(cfg: FunctionConfig, dgd_annotations: dict[str, str]) -> bool:
    """Grove for this DGD: asked for in functionConfig and not vetoed by the DGD annotation (D2)."""
    veto = dgd_annotations.get(defaults.ANNOTATION_ENABLE_GROVE, "").lower() == "false"
    return cfg.multinodeOrchestrator == "grove" and not veto


# --- labels ---------------------------------------------------------------------------------


def clique_labels(component: Component, ctx: PodContext, clique: str) -> dict[str, str]:
    """Clique labels in the operator's order, later entries winning."""
    labels = {defaults.LABEL_SELECTOR: f"{ctx.dgd_name}-{clique}"}
    if ctx.dgd_annotations.get(defaults.ANNOTATION_ENABLE_METRICS) != "false":  # the DGD's annotation only
        labels[defaults.LABEL_METRICS_ENABLED] = defaults.METRICS_ENABLED_VALUE
    if component.component_type:
        labels[defaults.LABEL_COMPONENT_TYPE] = component.component_type
    if component.spec.subComponentType:
        labels[defaults.LABEL_SUB_COMPONENT_TYPE] = component.spec.subComponentType
    labels[defaults.LABEL_GRAPH_NAME] = ctx.dgd_name
    labels[defaults.LABEL_DYNAMO_NAMESPACE] = component.dynamo_namespace
    labels.update(models.base_model_label(component, ctx.defaults))  # S05 / L04, before the user's labels
    labels.update(component.labels)  # D4
    extra = component.spec.extraPodMetadata
    labels.update((extra.labels if extra else None) or {})
    labels = kubediscovery.reapply_system_labels(labels, component, ctx)  # 1.1
    return {**labels, **kubediscovery.pod_labels(component, ctx, grove=True)}  # L04 (1.1): the graph's backend


def leader_selector(component: Component, dgd_name: str, table: defaults.OperatorDefaults) -> dict[str, str]:
    """The frontend Service selector: the service's clique, the leader clique when multinode."""
    clique = component.key.lower()
    if component.node_count > 1:
        clique = f"{clique}-{table.grove.leader_suffix}"
    return {defaults.LABEL_SELECTOR: f"{dgd_name}-{clique}"}


# --- the PodCliqueSet -----------------------------------------------------------------------


def _clique(component: Component, ctx: PodContext, pod: PodTemplate, name: str, replicas: int,
            starts_after: list[str] | None) -> dict[str, Any]:
    labels = clique_labels(component, ctx, name)
    spec = dict(pod.spec)
    grove = ctx.defaults.grove
    if ctx.cfg.kaiScheduler and spec.get("schedulerName", "") in ("", grove.kai_scheduler):
        spec["schedulerName"] = grove.kai_scheduler
        queue = ctx.dgd_annotations.get(defaults.ANNOTATION_KAI_QUEUE, "").strip()
        labels[defaults.LABEL_KAI_QUEUE] = queue or grove.kai_default_queue
    clique: dict[str, Any] = {"name": name, "labels": labels}
    if pod.annotations:
        clique["annotations"] = dict(pod.annotations)
    clique_spec: dict[str, Any] = {
        "roleName": name, "podSpec": spec, "replicas": replicas, "minAvailable": grove.min_available
    }
    if starts_after:
        clique_spec["startsAfter"] = list(starts_after)
    clique["spec"] = clique_spec
    return clique


def _by_name(item: dict[str, Any]) -> bytes:
    return str(item["name"]).encode()


def pod_clique_set(components: list[Component], namespace: str | None, ctx: PodContext) -> list[dict[str, Any]]:
    """The PodCliqueSet of a DGD in Grove mode (``groveTerminationDelay`` checked when the functionConfig loads)."""
    grove = ctx.defaults.grove
    delay = parse_duration(ctx.cfg.groveTerminationDelay or grove.termination_delay)

    cliques: list[dict[str, Any]] = []
    groups: list[dict[str, Any]] = []
    explicit = False
    for component in components:
        base = component.key.lower()
        if component.node_count > 1:
            # Grove hands the services key verbatim to backends (its host names keep the case).
            templates = role_templates(component, ctx, deployer=backends.GROVE,
                                       service_name=component.key, debug_sidecar=False)
            leader, worker = f"{base}-{grove.leader_suffix}", f"{base}-{grove.worker_suffix}"
            trtllm = component.backend is not None and component.backend.name == "trtllm"
            explicit = explicit or trtllm  # the TRT-LLM leader starts after its workers
            cliques.append(_clique(component, ctx, templates[defaults.ROLE_LEADER], leader, grove.leader_replicas,
                                   [worker] if trtllm else None))
            cliques.append(_clique(component, ctx, templates[defaults.ROLE_WORKER], worker,
                                   component.node_count - 1, None))
            group: dict[str, Any] = {"name": base, "cliqueNames": [leader, worker]}
            if component.replicas is not None:
                group["replicas"] = component.replicas
            group["minAvailable"] = grove.min_available
            groups.append(group)
        else:
            pod = build_pod_template(component, ctx, role=defaults.ROLE_MAIN, node_count=1,
                                     deployer=backends.GROVE, service_name=component.key, debug_sidecar=False)
            replicas = 1 if component.replicas is None else component.replicas  # R8
            cliques.append(_clique(component, ctx, pod, base, replicas, None))

    # CanonicalizePodCliqueSet: cliques and scaling groups sorted by name (Go compares bytes).
    cliques.sort(key=_by_name)
    groups.sort(key=_by_name)
    template: dict[str, Any] = {
        "cliques": cliques,
        "cliqueStartupType": grove.startup_explicit if explicit else grove.startup_any_order,
        "headlessServiceConfig": {"publishNotReadyAddresses": grove.publish_not_ready_addresses},
    }
    if delay:
        template["terminationDelay"] = format_duration(delay)
    if groups:
        template["podCliqueScalingGroups"] = groups
    metadata = object_metadata(ctx.dgd_name, namespace, *ctx.graph_metadata)  # S18
    obj = {
        "apiVersion": grove.api_version,
        "kind": "PodCliqueSet",
        "metadata": metadata,
        "spec": {"replicas": grove.replicas, "template": template},
    }
    return [fieldorder.ordered(obj, "PodCliqueSet")]
