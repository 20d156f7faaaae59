# SPDX-License-Identifier: Apache-2.0
"""Grove mode (opt-in): one ``PodCliqueSet`` for the whole DGD.

Operator source: ``graph.go`` (``GenerateGrovePodCliqueSet``, ``generateLabels``,
``generateAnnotations``, ``applyCliqueStartupDependencies``), ``grove.go`` and
``controller_common/podgangset.go`` (``CanonicalizePodCliqueSet``: cliques and scaling
groups sorted by name). Chosen by functionConfig ``multinodeOrchestrator: grove``
unless the DGD says ``nvidia.com/enable-grove: "false"`` (D2,
:func:`krm_dynamo.pipeline.grove_mode`). Every service becomes a clique (a multinode
service a leader and a worker clique tied by a scaling group). Deviations: an unset
``replicas`` is 1 (R8); the service-account rule of D14 applies (D27); service labels
and annotations reach the cliques (D4, D5).

1.x (switch M03): every clique of a service is selected by ``<dgd>-<lower(service)>`` and
labelled with its component; 1.1 sets the system labels again after the user's, gives the
cliques of a multinode service ``minAvailable`` = their replicas (data of the release's Grove
table) and places ``topologyConstraint`` (switch S17) on the template, on a single-node
clique, or on a multinode service's scaling group. Cliques stay sorted (D61).
"""

from __future__ import annotations

from typing import Any

from krm_dynamo import defaults
from krm_dynamo.graph.component import Component
from krm_dynamo.kube import fieldorder
from krm_dynamo.render import backends, componentservice, kubediscovery, models
from krm_dynamo.render.metadata import object_metadata
from krm_dynamo.render.multinode import role_templates
from krm_dynamo.render.podtemplate import PodContext, PodTemplate, build_pod_template

# --- labels ---------------------------------------------------------------------------------


def clique_labels(component: Component, ctx: PodContext, clique: str) -> dict[str, str]:
    """Clique labels in the operator's order, later entries winning (1.x: :func:`clique_labels_1x`)."""
    if ctx.defaults.switch("M03"):
        return clique_labels_1x(component, ctx)
    labels = {defaults.LABEL_SELECTOR: f"{ctx.dgd_name}-{clique}"}
    if ctx.dgd_annotations.get(defaults.ANNOTATION_ENABLE_METRICS) != "false":  # the DGD's annotation only
        labels[defaults.LABEL_METRICS_ENABLED] = defaults.METRICS_ENABLED_VALUE
    if component.component_type:
        labels[defaults.LABEL_COMPONENT_TYPE] = component.component_type
    if component.spec.subComponentType:
        labels[defaults.LABEL_SUB_COMPONENT_TYPE] = component.spec.subComponentType
    labels[defaults.LABEL_GRAPH_NAME] = ctx.dgd_name
    labels[defaults.LABEL_DYNAMO_NAMESPACE] = component.dynamo_namespace
    labels.update(component.labels)  # D4
    extra = component.spec.extraPodMetadata
    labels.update((extra.labels if extra else None) or {})
    return labels


def clique_labels_1x(component: Component, ctx: PodContext) -> dict[str, str]:
    """M03 (from 0.8): every clique of a service is selected by ``<dgd>-<lower(service)>`` and names
    its component; from 1.1 the system labels are set again after the user's, by the row a pod
    template's labels follow too (:func:`krm_dynamo.render.kubediscovery.reapply_system_labels`)."""
    system = {defaults.LABEL_GRAPH_NAME: ctx.dgd_name}
    if component.component_type:
        system[defaults.LABEL_COMPONENT_TYPE] = component.component_type
    system[defaults.LABEL_DYNAMO_NAMESPACE] = component.dynamo_namespace
    labels = {defaults.LABEL_SELECTOR: component.name, **system, defaults.LABEL_COMPONENT: component.key}
    if component.spec.subComponentType:
        labels[defaults.LABEL_SUB_COMPONENT_TYPE] = component.spec.subComponentType
    labels.update(models.base_model_label(component, ctx.defaults))  # S05 / L04: before the user's labels
    if ctx.dgd_annotations.get(defaults.ANNOTATION_ENABLE_METRICS) != "false":  # the DGD's annotation only
        labels[defaults.LABEL_METRICS_ENABLED] = defaults.METRICS_ENABLED_VALUE
    labels.update(component.labels)
    extra = component.spec.extraPodMetadata
    labels.update((extra.labels if extra else None) or {})
    labels = kubediscovery.reapply_system_labels(labels, component, ctx)  # 1.1 (M03): after the user's
    return {**labels, **kubediscovery.pod_labels(component, ctx, grove=True)}  # L04 (1.1): the graph's backend


def leader_selector(component: Component, dgd_name: str, table: defaults.OperatorDefaults) -> dict[str, str]:
    """The frontend Service selector: the service's clique, the leader clique when multinode (1.x: M03
    selects every clique of the service)."""
    clique = component.key.lower()
    if component.node_count > 1 and not table.switch("M03"):
        clique = f"{clique}-{table.grove.leader_suffix}"
    return {defaults.LABEL_SELECTOR: f"{dgd_name}-{clique}"}


# --- the PodCliqueSet -----------------------------------------------------------------------


def pack_domain(constraint: Any) -> dict[str, Any] | None:
    """S17: Grove's ``topologyConstraint`` from a DGD or service one: its ``packDomain``, none when empty."""
    domain = constraint.get("packDomain") if isinstance(constraint, dict) else None
    return {"packDomain": domain} if isinstance(domain, str) and domain else None


def _clique(component: Component, ctx: PodContext, pod: PodTemplate, name: str, replicas: int,
            starts_after: list[str] | None, multinode: bool = False) -> dict[str, Any]:
    labels = clique_labels(component, ctx, name)
    spec = dict(pod.spec)
    grove = ctx.defaults.grove
    if ctx.cfg.kaiScheduler and spec.get("schedulerName", "") in ("", grove.kai_scheduler):
        spec["schedulerName"] = grove.kai_scheduler
        queue = ctx.dgd_annotations.get(defaults.ANNOTATION_KAI_QUEUE, "").strip()
        labels[defaults.LABEL_KAI_QUEUE] = queue or grove.kai_default_queue
    clique: dict[str, Any] = {"name": name, "labels": labels}
    annotations = componentservice.clique_annotations(component, ctx)  # L01 (from 1.0)
    annotations = dict(pod.annotations) if annotations is None else annotations
    if annotations:
        clique["annotations"] = annotations
    if not multinode and ctx.defaults.switch("S17"):  # a multinode service's constraint is on its group
        topology = pack_domain(component.spec.topologyConstraint)
        if topology:
            clique["topologyConstraint"] = topology
    min_available = replicas if multinode and grove.multinode_min_available_is_replicas else grove.min_available
    clique_spec: dict[str, Any] = {
        "roleName": name, "podSpec": spec, "replicas": replicas, "minAvailable": min_available
    }
    if starts_after:
        clique_spec["startsAfter"] = list(starts_after)
    clique["spec"] = clique_spec
    return clique


def _multinode(component: Component, ctx: PodContext) -> tuple[list[dict[str, Any]], dict[str, Any], bool]:
    """The leader and worker cliques of a multinode service, its scaling group, and whether it is TRT-LLM."""
    grove = ctx.defaults.grove
    base = component.key.lower()
    # Grove hands the services key verbatim to backends (its host names keep the case).
    templates = role_templates(component, ctx, deployer=backends.GROVE, service_name=component.key,
                               debug_sidecar=False)
    leader, worker = f"{base}-{grove.leader_suffix}", f"{base}-{grove.worker_suffix}"
    trtllm = component.backend is not None and component.backend.name == "trtllm"
    cliques = [
        _clique(component, ctx, templates[defaults.ROLE_LEADER], leader, grove.leader_replicas,
                [worker] if trtllm else None, multinode=True),
        _clique(component, ctx, templates[defaults.ROLE_WORKER], worker, component.node_count - 1, None,
                multinode=True),
    ]
    group: dict[str, Any] = {"name": base, "cliqueNames": [leader, worker]}
    if component.replicas is not None:
        group["replicas"] = component.replicas
    group["minAvailable"] = grove.min_available
    topology = pack_domain(component.spec.topologyConstraint) if ctx.defaults.switch("S17") else None
    if topology:
        group["topologyConstraint"] = topology
    return cliques, group, trtllm


def _by_name(item: dict[str, Any]) -> bytes:
    return str(item["name"]).encode()


def pod_clique_set(components: list[Component], namespace: str | None, ctx: PodContext,
                   topology_constraint: Any = None) -> list[dict[str, Any]]:
    """The PodCliqueSet of a DGD in Grove mode (``groveTerminationDelay`` checked when the functionConfig loads).

    ``topology_constraint``: the DGD's ``spec.topologyConstraint`` as read (S17, from 1.1).
    """
    from krm_dynamo.kube.durations import format_duration, parse_duration  # here: only Grove mode pays for it

    grove = ctx.defaults.grove
    delay = parse_duration(ctx.cfg.groveTerminationDelay or grove.termination_delay)

    cliques: list[dict[str, Any]] = []
    groups: list[dict[str, Any]] = []
    explicit = False
    for component in components:
        if component.node_count > 1:
            pair, group, trtllm = _multinode(component, ctx)
            cliques += pair
            groups.append(group)
            explicit = explicit or trtllm  # the TRT-LLM leader starts after its workers
        else:
            pod = build_pod_template(component, ctx, role=defaults.ROLE_MAIN, node_count=1,
                                     deployer=backends.GROVE, service_name=component.key, debug_sidecar=False)
            replicas = 1 if component.replicas is None else component.replicas  # R8
            cliques.append(_clique(component, ctx, pod, component.key.lower(), replicas, None))

    # CanonicalizePodCliqueSet: cliques and scaling groups sorted by name (Go compares bytes). From
    # 0.8 the operator keeps Go's random map order; sorted here in every profile (D61).
    cliques.sort(key=_by_name)
    groups.sort(key=_by_name)
    template: dict[str, Any] = {
        "cliques": cliques,
        "cliqueStartupType": grove.startup_explicit if explicit else grove.startup_any_order,
        "headlessServiceConfig": {"publishNotReadyAddresses": grove.publish_not_ready_addresses},
    }
    topology = pack_domain(topology_constraint) if ctx.defaults.switch("S17") else None
    if topology:
        template["topologyConstraint"] = topology
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
