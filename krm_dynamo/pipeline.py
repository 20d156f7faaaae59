# SPDX-License-Identifier: Apache-2.0
"""Expand one ``DynamoGraphDeployment`` into the objects the operator would create.

The orchestration only: parse and validate (``validation``: strict model parse, then
every cross-field rule, all problems at once) -> component specs (``component``) -> per service a pod template (``podtemplate``) wrapped in a
Deployment (``workloads``), a frontend Service, Ingress or VirtualService
(``networking``) and an HPA (``autoscaling``), plus the DGD's PVCs (``storage``).
A multinode service gets a LeaderWorkerSet and a Volcano PodGroup per replica
(``multinode``); in Grove mode the whole DGD becomes one PodCliqueSet (``grove``).
Every problem is reported with a field path; any error means no objects at all, and
the builders run only on input that passed validation.
"""

from __future__ import annotations

import copy

from krm_dynamo import defaults
from krm_dynamo.api import messages
from krm_dynamo.config import FunctionConfig
from krm_dynamo.graph import discovery, validation
from krm_dynamo.graph.component import build_component, dynamo_namespace
from krm_dynamo.graph.report import Report
from krm_dynamo.kio.results import WARNING, Result
from krm_dynamo.kube import naming
from krm_dynamo.render import (
    autoscaling,
    grove,
    multinode,
    networking,
    storage,
    workloads,
)
from krm_dynamo.render.podtemplate import (
    PodContext,
    build_pod_template,
    pod_annotations,
    pod_labels,
)


def expand_graph(dgd: dict, cfg: FunctionConfig, items: list) -> tuple[list[dict], list[Result]]:
    """Expand ``dgd``; return ``(objects, results)``, no objects if any result is an error.

    ``dgd`` and ``items`` are read only; every user value placed in the output is a copy.
    """
    dgd_copy = copy.deepcopy(dgd)  # nothing below can alias or mutate the input
    report = Report(dgd)
    objects = _expand(dgd_copy, cfg, items, report)
    if report.failed:
        return [], report.results
    return objects, report.results


def _metadata(dgd: dict, report: Report) -> tuple[str, str | None, dict[str, str]] | None:
    """``(name, namespace, annotations)`` of the DGD; None after reporting a malformed field."""
    metadata = dgd.get("metadata")
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        report.error("metadata", f"expected `metadata` to be a mapping, got {messages.show_value(metadata)}")
        return None
    ok = True
    name, namespace = metadata.get("name"), metadata.get("namespace")
    if name is not None and not isinstance(name, str):
        report.error("metadata.name", f"expected `metadata.name` to be a string, got {messages.show_value(name)}")
        ok = False
    elif not name:
        report.error("metadata.name", "expected `metadata.name`, the name of the graph, found none")
        ok = False
    if namespace is not None and not isinstance(namespace, str):
        report.error("metadata.namespace",
                     f"expected `metadata.namespace` to be a string, got {messages.show_value(namespace)}")
        ok = False
    elif namespace and not naming.is_dns1123_label(namespace):
        report.error("metadata.namespace", naming.dns_label_message("the namespace", namespace))
        ok = False
    for field_name in ("annotations", "labels"):
        value = metadata.get(field_name)
        if value is None:
            continue
        if not isinstance(value, dict):
            report.error(f"metadata.{field_name}",
                         f"expected `metadata.{field_name}` to be a mapping, got {messages.show_value(value)}")
            ok = False
            continue
        for key, item in value.items():
            if not isinstance(key, str) or not isinstance(item, str):
                report.error(f"metadata.{field_name}",
                             f"expected `metadata.{field_name}` to map strings to strings, got "
                             f"{messages.show_value(key)}: {messages.show_value(item)}")
                ok = False
                break
    if not ok:
        return None
    return name, namespace or None, dict(metadata.get("annotations") or {})


def _expand(dgd: dict, cfg: FunctionConfig, items: list, report: Report) -> list[dict]:
    meta = _metadata(dgd, report)
    if meta is None:
        return []
    name, namespace, annotations = meta

    # Phases 1-3 (validation.py): strict parse, then every cross-field rule; build only valid input.
    graph, _, dropped = validation.load(dgd.get("spec"), report)
    if graph is None:
        return []
    known_claims = {p.name for p in graph.pvcs or [] if p.name} | discovery.pvc_names(items, namespace)
    grove_mode = grove.enabled(cfg, annotations)
    validation.validate(name, graph, cfg, known_claims, report, dropped, grove_mode=grove_mode)
    if report.failed:
        return []

    services = graph.services or {}
    dyn_ns = dynamo_namespace(name, services, report)
    objects = storage.persistent_volume_claims(graph, namespace, report)

    secrets, bad_secrets = discovery.build_secret_index(items, namespace, cfg.registrySecrets)
    for secret, problem, where in bad_secrets:
        report.results.append(Result(f"cannot read the image pull secret, skipped: {problem}", WARNING, secret, where))
    ctx = PodContext(
        dgd_name=name,
        dgd_namespace=namespace,
        dgd_annotations=annotations,
        cfg=cfg,
        secrets=secrets,
        service_account=discovery.component_service_account(items, namespace, cfg.componentServiceAccountName),
        defaults=defaults.for_release(),  # the one table set rendering reads (ctx.defaults)
    )

    # D2: Grove (one PodCliqueSet for the whole DGD) only when asked for and not vetoed by the DGD.
    grove_components: list | None = [] if grove_mode else None
    for key, svc in services.items():
        objects += _expand_service(key, svc, name, namespace, graph, dyn_ns, cfg, ctx, report,
                                   grove_components=grove_components)
    if grove_components and not report.failed:
        objects += grove.pod_clique_set(grove_components, namespace, ctx, report)
    return objects


def _expand_service(key, svc, dgd_name, namespace, graph, dyn_ns, cfg, ctx, report, *,
                    grove_components: list | None = None) -> list[dict]:
    """Build the objects of one validated service.

    Single node: Deployment (+ Service, exposure, HPA). Multinode: LeaderWorkerSet and
    PodGroup per replica (``multinode``). Grove mode: the component joins
    ``grove_components`` for the DGD's PodCliqueSet; only Service and exposure are built here.
    """
    component = build_component(key, svc, dgd_name=dgd_name, graph=graph, namespace=dyn_ns, cfg=cfg, report=report)
    if component is None:
        return []
    multinode_service = component.node_count > 1
    if grove_components is not None:
        grove_components.append(component)
        objects = []
        if component.component_type == defaults.COMPONENT_FRONTEND:
            # Grove: service labels and annotations (D4, D5); the selector names the Grove clique.
            objects.append(networking.frontend_service(component, namespace, component.labels, component.annotations,
                                                       selector=grove.leader_selector(component, dgd_name)))
        return objects + networking.exposure(component, namespace, cfg, report)
    if multinode_service:
        objects = multinode.lws_objects(component, dgd_name, namespace, ctx, report)
        if component.component_type == defaults.COMPONENT_FRONTEND:
            # LWS: the single-node pod label set (no role / instance-id); selector + role: leader (D6).
            objects.append(networking.frontend_service(component, namespace, pod_labels(component, ctx),
                                                       pod_annotations(component)))
        return objects + networking.exposure(component, namespace, cfg, report)
    pod = build_pod_template(component, ctx, report)
    if pod is None:
        return []
    objects = [workloads.deployment(component, namespace, pod)]
    meta_annotations = pod.annotations  # service annotations ∪ extraPodMetadata.annotations (D5)
    if component.component_type == defaults.COMPONENT_FRONTEND:
        objects.append(networking.frontend_service(component, namespace, pod.labels, meta_annotations))
    objects += networking.exposure(component, namespace, cfg, report)
    hpa = autoscaling.horizontal_pod_autoscaler(component, namespace, pod.labels, meta_annotations,
                                                pod.main_container, report)
    if hpa is not None:
        objects.append(hpa)
    return objects
