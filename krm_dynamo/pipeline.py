# SPDX-License-Identifier: Apache-2.0
"""Expand one ``DynamoGraphDeployment`` into the objects the operator would create.

The orchestration only, in four steps:

1. parse: the DGD's ``metadata`` here, then the spec (``graph.validation.load``: strict
   model parse, salvaged on failure);
2. derive: every per-service value once (``graph.derive``: names, Dynamo namespace,
   backend, image, ingress, resources, ``DYN_DEPLOYMENT_CONFIG``);
3. validate: every rule on the derived values (``graph.rules``), all problems at once;
4. render: per service a pod template (``podtemplate``) wrapped in a Deployment
   (``workloads``), a frontend Service, Ingress or VirtualService (``networking``) and
   an HPA (``autoscaling``), plus the DGD's PVCs (``storage``). A multinode service gets
   a LeaderWorkerSet and a Volcano PodGroup per replica (``multinode``); in Grove mode
   the whole DGD becomes one PodCliqueSet (``grove``).

Every problem is reported with a field path; any error means no objects at all, and
the builders run only on input that passed validation and report nothing themselves.
"""

from __future__ import annotations

import copy
from typing import Any

from krm_dynamo import defaults
from krm_dynamo.config import FunctionConfig
from krm_dynamo.graph import discovery, validation
from krm_dynamo.graph.component import Component
from krm_dynamo.graph.derive import DerivedGraph, derive
from krm_dynamo.graph.discovery import Inventory, SecretIndex
from krm_dynamo.graph.report import Report
from krm_dynamo.kio.display import show_value
from krm_dynamo.kio.results import WARNING, Result
from krm_dynamo.kube import naming
from krm_dynamo.render import backends, networking, storage, workloads
from krm_dynamo.render.metadata import pod_annotations, pod_labels
from krm_dynamo.render.podtemplate import PodContext, PodTemplate, build_pod_template


def expand_graph(dgd: dict[str, Any], cfg: FunctionConfig,
                 items: list[Any] | Inventory) -> tuple[list[dict[str, Any]], list[Result]]:
    """Expand ``dgd``; return ``(objects, results)``, no objects if any result is an error.

    ``items``: the ResourceList's items, or their :class:`~krm_dynamo.graph.discovery.Inventory`
    (built once per run and shared by its DGDs, so the cost stays linear in the items).
    ``dgd`` and ``items`` are read only; every user value placed in the output is a copy.
    """
    dgd_copy = copy.deepcopy(dgd)  # nothing below can alias or mutate the input
    report = Report(dgd)
    objects = _expand(dgd_copy, cfg, discovery.inventory(items), report)
    if report.failed:
        return [], report.results
    return objects, report.results


def release_notice(cfg: FunctionConfig) -> Result | None:
    """D34: the one warning of a run under an operator release whose profile is not complete;
    None for a complete profile (1.0 and 1.1 reproduce every catalogued change)."""
    table = defaults.for_release(cfg.operatorVersion)
    missing = len(table.not_reproduced())
    if not missing:
        return None
    return Result(
        f"operatorVersion {cfg.operatorVersion}: the output follows the operator {table.release} profile, which does "
        f"not yet reproduce {missing} catalogued operator changes; `krm-dynamo explain --operator-version "
        f"{cfg.operatorVersion}` lists them",
        WARNING,
    )


def _metadata(dgd: dict[str, Any], report: Report) -> tuple[str, str | None, dict[str, str]] | None:
    """``(name, namespace, annotations)`` of the DGD; None after reporting a malformed field."""
    metadata = dgd.get("metadata")
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        report.error("metadata", f"expected `metadata` to be a mapping, got {show_value(metadata)}")
        return None
    name, namespace = metadata.get("name"), metadata.get("namespace")
    ok = _check_name(name, report)
    ok = _check_namespace(namespace, report) and ok
    ok = _check_string_map(metadata, "annotations", report) and ok
    ok = _check_string_map(metadata, "labels", report) and ok
    if not ok or not isinstance(name, str):
        return None
    annotations: dict[str, str] = dict(metadata.get("annotations") or {})
    return name, namespace if isinstance(namespace, str) and namespace else None, annotations


def _check_name(name: Any, report: Report) -> bool:
    if name is not None and not isinstance(name, str):
        report.error("metadata.name", f"expected `metadata.name` to be a string, got {show_value(name)}")
        return False
    if not name:
        report.error("metadata.name", "expected `metadata.name`, the name of the graph, found none")
        return False
    return True


def _check_namespace(namespace: Any, report: Report) -> bool:
    if namespace is not None and not isinstance(namespace, str):
        report.error("metadata.namespace",
                     f"expected `metadata.namespace` to be a string, got {show_value(namespace)}")
        return False
    if namespace and not naming.is_dns1123_label(namespace):
        report.error("metadata.namespace", naming.dns_label_message("the namespace", namespace))
        return False
    return True


def _check_string_map(metadata: dict[str, Any], field_name: str, report: Report) -> bool:
    """``metadata.<field_name>`` is unset or maps strings to strings."""
    value = metadata.get(field_name)
    if value is None:
        return True
    if not isinstance(value, dict):
        report.error(f"metadata.{field_name}",
                     f"expected `metadata.{field_name}` to be a mapping, got {show_value(value)}")
        return False
    for key, item in value.items():
        if not isinstance(key, str) or not isinstance(item, str):
            report.error(f"metadata.{field_name}",
                         f"expected `metadata.{field_name}` to map strings to strings, got "
                         f"{show_value(key)}: {show_value(item)}")
            return False
    return True


def _expand(dgd: dict[str, Any], cfg: FunctionConfig, items: Inventory, report: Report) -> list[dict[str, Any]]:
    meta = _metadata(dgd, report)
    if meta is None:
        return []
    name, namespace, annotations = meta

    # Parse (strict, then salvage), derive every value once, then run every rule on it.
    table = defaults.for_release(cfg.operatorVersion)  # the one place the release is chosen (D34)
    graph, _, dropped = validation.load(dgd.get("spec"), report, table)
    if graph is None:
        return []
    known_claims = {p.name for p in graph.pvcs or [] if p.name} | discovery.pvc_names(items, namespace)
    derived = derive(name, graph, cfg, known_claims=known_claims, grove_mode=grove_mode(cfg, annotations),
                     table=table, namespace=namespace, annotations=annotations,
                     device_classes=items.device_classes())
    if table.switch("M01"):  # the 1.x worker hash label (D60); only a 1.x DGD imports the encoder
        from krm_dynamo.graph import workerhash
        workerhash.label_workers(derived, dgd.get("spec"))
    if table.switch("S17"):
        derived.cluster_topologies = items.cluster_topologies()  # D62: read from the input (D14)
    validation.validate(derived, report, dropped)
    secrets = _secret_index(items, namespace, cfg, report)  # its warnings come with the rules' results
    if report.failed:
        return []
    return _render(derived, namespace, derived.annotations, secrets, items)  # as the defaulting webhook left them


def grove_mode(cfg: FunctionConfig, dgd_annotations: dict[str, str]) -> bool:
    """Grove for this DGD (D2): asked for in functionConfig (``multinodeOrchestrator: grove``) and not
    vetoed by the DGD annotation ``nvidia.com/enable-grove: "false"``."""
    veto = dgd_annotations.get(defaults.ANNOTATION_ENABLE_GROVE, "").lower() == "false"
    return cfg.multinodeOrchestrator == "grove" and not veto


def _secret_index(items: Inventory, namespace: str | None, cfg: FunctionConfig, report: Report) -> SecretIndex:
    """The image pull secrets of the input; a Secret that cannot be read is skipped with a warning on it."""
    secrets, bad_secrets = discovery.build_secret_index(items, namespace, cfg.registrySecrets)
    for secret, problem, where in bad_secrets:
        report.results.append(Result(f"cannot read the image pull secret, skipped: {problem}", WARNING, secret, where))
    return secrets


def _render(derived: DerivedGraph, namespace: str | None, annotations: dict[str, str], secrets: SecretIndex,
            items: Inventory) -> list[dict[str, Any]]:
    """Build the objects of a valid derived graph (the builders report nothing).

    A builder module of a later change or another mode is imported where its switch or derived
    value is read, so that a render without it does not pay for the import (start-up)."""
    cfg, table = derived.cfg, derived.table
    objects = storage.persistent_volume_claims(derived.graph, namespace, table)
    objects += backends.wait_leader_objects(derived.name, namespace, derived.services.values(), table)
    ctx = PodContext(
        dgd_name=derived.name,
        dgd_namespace=namespace,
        dgd_annotations=annotations,
        cfg=cfg,
        secrets=secrets,
        service_account=discovery.component_service_account(items, namespace, cfg.componentServiceAccountName),
        defaults=table,  # the rules read the same table set
    )
    if table.switch("S18"):  # 1.1: spec.labels and spec.annotations, for the PodCliqueSet's own metadata
        from krm_dynamo.graph import features11  # here: only a 1.1 render pays for it
        ctx.graph_metadata = features11.graph_metadata(derived.graph, table)
    # D2: Grove (one PodCliqueSet for the whole DGD) only when asked for and not vetoed by the DGD.
    grove_components: list[Component] | None = [] if derived.grove_mode else None
    graph = f"{namespace}/{derived.name}" if namespace else derived.name
    if ctx.kube_discovery:  # N04: from 1.0, per graph
        from krm_dynamo.render import kubediscovery  # here: only a release with discovery pays for it
        objects += kubediscovery.rbac_objects(namespace, ctx)
    if cfg.reviewAnnotation:
        objects = [_review(o, graph) for o in objects]
    for service, component in derived.services.items():
        built = _expand_service(component, derived.name, namespace, cfg, ctx, grove_components=grove_components)
        if ctx.service_features:  # O02: a GPU memory service's claim template (1.1)
            from krm_dynamo.render import features11 as pod_features  # here: 1.1 only
            built = pod_features.claim_templates(component, derived.name, namespace, table) + built
        objects += [_review(o, f"{graph} {service}") for o in built] if cfg.reviewAnnotation else built
    objects += _graph_objects(derived, namespace, graph)
    if grove_components:
        from krm_dynamo.render import grove  # here: only Grove mode pays for it
        pcs = grove.pod_clique_set(grove_components, namespace, ctx, derived.graph.topologyConstraint)
        services = ",".join(derived.services)
        objects += [_review(o, f"{graph} {services}") for o in pcs] if cfg.reviewAnnotation else pcs
    return objects


def _graph_objects(derived: DerivedGraph, namespace: str | None, graph: str) -> list[dict[str, Any]]:
    """The 1.x graph-level objects of its services: the endpoint picker's (N07) and the model Services (N06)."""
    objects: list[dict[str, Any]] = []
    table, review = derived.table, derived.cfg.reviewAnnotation
    if table.switch("N07"):  # one endpoint picker per graph (rules.epp)
        from krm_dynamo.render import epp  # here: 1.x only
        for component in derived.services.values():
            if epp.is_epp(component, table):
                made = epp.graph_objects(component, derived.name, namespace, table)
                objects += [_review(o, f"{graph} {component.key}") for o in made] if review else made
    if table.switch("N06"):
        from krm_dynamo.render import models  # here: 1.x only
        made = models.model_services(list(derived.services.values()), namespace, table)
        objects += [_review(o, graph) for o in made] if review else made
    return objects


REVIEW_ANNOTATION = "krm-dynamo.dev/review"


def _review(obj: dict[str, Any], source: str) -> dict[str, Any]:
    """``obj`` with the opt-in review annotation: ``<namespace>/<graph> <service>`` (setting reviewAnnotation)."""
    meta = dict(obj.get("metadata") or {})
    meta["annotations"] = {**(meta.get("annotations") or {}), REVIEW_ANNOTATION: source}
    return {**obj, "metadata": meta}


def _expand_service(component: Component, dgd_name: str, namespace: str | None, cfg: FunctionConfig,
                    ctx: PodContext, *,
                    grove_components: list[Component] | None = None) -> list[dict[str, Any]]:
    """Build the objects of one validated service.

    Single node: Deployment (+ Service, exposure, HPA). Multinode: LeaderWorkerSet and
    PodGroup per replica (``multinode``). Grove mode: the component joins
    ``grove_components`` for the DGD's PodCliqueSet; only Service and exposure are built here.
    """
    table = ctx.defaults
    frontend = component.component_type == defaults.COMPONENT_FRONTEND
    objects: list[dict[str, Any]] = []
    if table.switch("N01"):  # from 1.0 the Service follows the discovery backend
        from krm_dynamo.render import componentservice  # here: 1.x only
        objects = componentservice.services(component, namespace, ctx, grove=grove_components is not None)
    if table.switch("N02"):  # from 1.0 a frontend's Service is its component Service (N02's selector)
        frontend = False
    if grove_components is not None:
        from krm_dynamo.render import grove  # here: only Grove mode pays for it
        grove_components.append(component)
        if frontend:
            # Service labels and annotations (D4, D5); the selector names the Grove clique.
            objects.append(networking.frontend_service(
                component, namespace, component.labels, component.annotations, table,
                selector=grove.leader_selector(component, dgd_name, table)))
        return objects + networking.exposure(component, namespace, cfg, table)
    if component.multinode:
        from krm_dynamo.render import multinode  # here: only a multinode service pays for it
        objects = multinode.lws_objects(component, dgd_name, namespace, ctx) + objects
        if frontend:
            # The single-node pod label set (no role / instance-id); selector + role: leader (D6).
            objects.append(networking.frontend_service(component, namespace, pod_labels(component, ctx),
                                                       pod_annotations(component), table))
        return objects + networking.exposure(component, namespace, cfg, table)
    pod = build_pod_template(component, ctx)
    meta_labels, meta_annotations = _object_metadata(component, pod, ctx)
    objects = [workloads.deployment(component, namespace, pod, table, meta_labels, meta_annotations), *objects]
    if frontend:
        objects.append(networking.frontend_service(component, namespace, pod.labels, meta_annotations, table))
    objects += networking.exposure(component, namespace, cfg, table)
    if component.autoscaled:  # the HPA
        from krm_dynamo.render import autoscaling  # here: only an autoscaled service pays for it
        hpa = autoscaling.horizontal_pod_autoscaler(component, namespace, pod.labels, meta_annotations, table)
        objects += [hpa] if hpa is not None else []
    return objects


def _object_metadata(component: Component, pod: PodTemplate, ctx: PodContext) -> tuple[dict[str, str], dict[str, str]]:
    """``(labels, annotations)`` of a single-node service's Deployment (and frontend Service, HPA).

    0.6: the pod template's labels, and the service annotations then extraPodMetadata's, as on the
    pod template; from 1.0 no label map is shared with the pod template (L03) and the annotations
    are ``getKubeAnnotations``' (L01).
    """
    labels, annotations = pod.labels, pod.annotations
    table = ctx.defaults
    if table.switch("L03") or table.switch("L01"):  # here: a 0.6 render does not import componentservice
        from krm_dynamo.render import componentservice
        if table.switch("L03"):
            labels = componentservice.object_labels(component, ctx)
        found = componentservice.object_annotations(component, ctx)  # None without L01
        annotations = annotations if found is None else found
    return labels, annotations
