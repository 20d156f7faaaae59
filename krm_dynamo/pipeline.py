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
from krm_dynamo.graph import features11 as graph_features
from krm_dynamo.graph.component import Component
from krm_dynamo.graph.derive import DerivedGraph, derive
from krm_dynamo.graph.discovery import Inventory, SecretIndex
from krm_dynamo.graph.report import Report
from krm_dynamo.kio.display import show_value
from krm_dynamo.kio.results import WARNING, Result
from krm_dynamo.kube import naming
from krm_dynamo.render import (
    autoscaling,
    backends,
    componentservice,
    epp,
    features11,
    grove,
    kubediscovery,
    models,
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
    derived = derive(name, graph, cfg, known_claims=known_claims, grove_mode=grove.enabled(cfg, annotations),
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


def _secret_index(items: Inventory, namespace: str | None, cfg: FunctionConfig, report: Report) -> SecretIndex:
    """The image pull secrets of the input; a Secret that cannot be read is skipped with a warning on it."""
    secrets, bad_secrets = discovery.build_secret_index(items, namespace, cfg.registrySecrets)
    for secret, problem, where in bad_secrets:
        report.results.append(Result(f"cannot read the image pull secret, skipped: {problem}", WARNING, secret, where))
    return secrets


def _render(derived: DerivedGraph, namespace: str | None, annotations: dict[str, str], secrets: SecretIndex,
            items: Inventory) -> list[dict[str, Any]]:
    """Build the objects of a valid derived graph (the builders report nothing)."""
    cfg = derived.cfg
    objects = storage.persistent_volume_claims(derived.graph, namespace, derived.table)
    objects += backends.wait_leader_objects(derived.name, namespace, derived.services.values(), derived.table)
    ctx = PodContext(
        dgd_name=derived.name,
        dgd_namespace=namespace,
        dgd_annotations=annotations,
        cfg=cfg,
        secrets=secrets,
        service_account=discovery.component_service_account(items, namespace, cfg.componentServiceAccountName),
        defaults=derived.table,  # the rules read the same table set
        graph_metadata=graph_features.graph_metadata(derived.graph, derived.table),
    )
    # D2: Grove (one PodCliqueSet for the whole DGD) only when asked for and not vetoed by the DGD.
    grove_components: list[Component] | None = [] if derived.grove_mode else None
    graph = f"{namespace}/{derived.name}" if namespace else derived.name
    objects += kubediscovery.rbac_objects(namespace, ctx)  # N04: from 1.0, per graph
    if cfg.reviewAnnotation:
        objects = [_review(o, graph) for o in objects]
    for service, component in derived.services.items():
        built = _expand_service(component, derived.name, namespace, cfg, ctx, grove_components=grove_components)
        built = features11.claim_templates(component, derived.name, namespace, ctx.defaults) + built  # O02
        objects += [_review(o, f"{graph} {service}") for o in built] if cfg.reviewAnnotation else built
    for component in derived.services.values():
        if epp.is_epp(component, derived.table):  # N07: one endpoint picker per graph (rules.epp)
            made = epp.graph_objects(component, derived.name, namespace, derived.table)
            objects += [_review(o, f"{graph} {component.key}") for o in made] if cfg.reviewAnnotation else made
    made = models.model_services(list(derived.services.values()), namespace, derived.table)  # N06
    objects += [_review(o, graph) for o in made] if cfg.reviewAnnotation else made
    if grove_components:
        pcs = grove.pod_clique_set(grove_components, namespace, ctx, derived.graph.topologyConstraint)
        services = ",".join(derived.services)
        objects += [_review(o, f"{graph} {services}") for o in pcs] if cfg.reviewAnnotation else pcs
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
    frontend = component.component_type == defaults.COMPONENT_FRONTEND
    objects: list[dict[str, Any]] = []
    if ctx.defaults.switch("N01"):  # from 1.0 the Service follows the discovery backend
        objects = componentservice.services(component, namespace, ctx, grove=grove_components is not None)
    if ctx.defaults.switch("N02"):  # from 1.0 a frontend's Service is its component Service (N02's selector)
        frontend = False
    if grove_components is not None:
        grove_components.append(component)
        if frontend:
            # Service labels and annotations (D4, D5); the selector names the Grove clique.
            objects.append(networking.frontend_service(
                component, namespace, component.labels, component.annotations, ctx.defaults,
                selector=grove.leader_selector(component, dgd_name, ctx.defaults)))
        return objects + networking.exposure(component, namespace, cfg, ctx.defaults)
    if component.multinode:
        objects = multinode.lws_objects(component, dgd_name, namespace, ctx) + objects
        if frontend:
            # The single-node pod label set (no role / instance-id); selector + role: leader (D6).
            objects.append(networking.frontend_service(component, namespace, pod_labels(component, ctx),
                                                       pod_annotations(component), ctx.defaults))
        return objects + networking.exposure(component, namespace, cfg, ctx.defaults)
    pod = build_pod_template(component, ctx)
    meta_labels = pod.labels
    if ctx.defaults.switch("L03"):  # from 1.0 no label map is shared with the pod template
        meta_labels = componentservice.object_labels(component, ctx)
    # 0.6: service annotations, then extraPodMetadata's, as on the pod template; from 1.0 L01's
    meta_annotations = componentservice.object_annotations(component, ctx)
    meta_annotations = pod.annotations if meta_annotations is None else meta_annotations
    objects = [workloads.deployment(component, namespace, pod, ctx.defaults, meta_labels, meta_annotations),
               *objects]
    if frontend:
        objects.append(networking.frontend_service(component, namespace, pod.labels, meta_annotations, ctx.defaults))
    objects += networking.exposure(component, namespace, cfg, ctx.defaults)
    hpa = autoscaling.horizontal_pod_autoscaler(component, namespace, pod.labels, meta_annotations, ctx.defaults)
    if hpa is not None:
        objects.append(hpa)
    return objects
