# SPDX-License-Identifier: Apache-2.0
"""Expand one ``DynamoGraphDeployment`` into the objects the operator would create.

The orchestration only: parse (``models``) -> DGD-level checks and component specs
(``component``) -> per service a pod template (``podtemplate``) wrapped in a
Deployment (``workloads``), a frontend Service, Ingress or VirtualService
(``networking``) and an HPA (``autoscaling``), plus the DGD's PVCs (``storage``).
Every problem is reported with a field path; any error means no objects at all.
"""

from __future__ import annotations

import copy

from krm_dynamo import autoscaling, defaults, discovery, models, naming, networking, storage, workloads
from krm_dynamo.component import Component, build_component, component_name, dynamo_namespace
from krm_dynamo.config import FunctionConfig
from krm_dynamo.diagnostics import Report
from krm_dynamo.podtemplate import PodContext, build_pod_template
from krm_dynamo.results import WARNING, Result

_COMPONENT_TYPES = (defaults.COMPONENT_FRONTEND, defaults.COMPONENT_WORKER, defaults.COMPONENT_PLANNER)


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


def _expand(dgd: dict, cfg: FunctionConfig, items: list, report: Report) -> list[dict]:
    metadata = dgd.get("metadata") if isinstance(dgd.get("metadata"), dict) else {}
    name = str(metadata.get("name") or "")
    namespace = str(metadata.get("namespace") or "") or None
    annotations = metadata.get("annotations") if isinstance(metadata.get("annotations"), dict) else {}
    annotations = {str(k): str(v) for k, v in annotations.items()}
    if not name:
        report.error("metadata.name", "expected `metadata.name`, the name of the graph, found none")
        return []
    naming.check_label_value(name, "the graph name", "metadata.name", report)

    graph = models.parse_spec(dgd.get("spec"), report)
    if graph is None:
        return []
    services = graph.services or {}
    if not services:
        report.error("spec.services", "expected at least one service in `spec.services`, found none")
        return []
    for key, svc in services.items():
        if svc is None:
            report.error(f"spec.services.{key}", f"expected service `{key}` to be a mapping, got null")
    if report.failed:
        return []
    if graph.backendFramework and graph.backendFramework not in ("sglang", "vllm", "trtllm"):
        report.error(
            "spec.backendFramework",
            f'expected `backendFramework` to be one of "sglang", "vllm", "trtllm", got "{graph.backendFramework}"',
        )

    dyn_ns = dynamo_namespace(name, services, report)
    ns_source = next((f"spec.services.{k}.dynamoNamespace" for k, s in services.items() if s.dynamoNamespace), "metadata.name")
    naming.check_label_value(dyn_ns, "the Dynamo namespace", ns_source, report)
    _check_env_names(graph.envs, "spec.envs", report)
    objects = storage.persistent_volume_claims(graph, namespace, report)

    secrets, bad_secrets = discovery.build_secret_index(items, namespace, cfg.registrySecrets)
    for secret, problem in bad_secrets:
        report.results.append(Result(f"cannot read the image pull secret, skipped: {problem}", WARNING, secret, "data"))
    ctx = PodContext(
        dgd_name=name,
        dgd_namespace=namespace,
        dgd_annotations=annotations,
        cfg=cfg,
        secrets=secrets,
        service_account=discovery.component_service_account(items, namespace, cfg.componentServiceAccountName),
        known_claims={p.name for p in graph.pvcs or [] if p.name} | discovery.pvc_names(items, namespace),
    )

    graph_ok = not report.failed
    for key, svc in services.items():
        objects += _expand_service(key, svc, name, namespace, graph, dyn_ns, cfg, ctx, report, build=graph_ok)
    return objects


def _expand_service(key, svc, dgd_name, namespace, graph, dyn_ns, cfg, ctx, report, *, build=True) -> list[dict]:
    path = f"spec.services.{key}"
    frontend = svc.componentType == defaults.COMPONENT_FRONTEND
    errors_before = _error_count(report)
    naming.check_service_key(key, component_name(dgd_name, key), frontend, path, report)
    _check_service(key, svc, path, cfg, report)
    if not build or _error_count(report) > errors_before:
        return []  # checked, but building on invalid input would only add noise
    if svc.multinode is not None:
        if svc.multinode.node_count < 2:
            report.error(
                f"{path}.multinode.nodeCount",
                f"expected `nodeCount` to be at least 2, got {svc.multinode.node_count}",
            )
        else:
            report.error(f"{path}.multinode", "multinode services are not supported yet")
        return []
    component = build_component(key, svc, dgd_name=dgd_name, graph=graph, namespace=dyn_ns, cfg=cfg, report=report)
    if component is None:
        return []
    _check_labels(component, report)
    autoscaling.validate(component, report)
    pod = build_pod_template(component, ctx, report)
    if pod is None:
        return []
    objects = [workloads.deployment(component, namespace, pod)]
    meta_annotations = pod.annotations  # service annotations ∪ extraPodMetadata.annotations (§12.3)
    if component.component_type == defaults.COMPONENT_FRONTEND:
        objects.append(networking.frontend_service(component, namespace, pod.labels, meta_annotations))
    objects += networking.exposure(component, namespace, cfg, report)
    hpa = autoscaling.horizontal_pod_autoscaler(component, namespace, pod.labels, meta_annotations,
                                                pod.main_container, report)
    if hpa is not None:
        objects.append(hpa)
    return objects


def _error_count(report: Report) -> int:
    return sum(1 for r in report.results if r.severity == "error")


# Shapes of the main container fields the builder reads (a Kubernetes Container).
_STRING_FIELDS = ("name", "image", "workingDir", "imagePullPolicy")
_STRING_LIST_FIELDS = ("command", "args")
_MAPPING_LIST_FIELDS = ("env", "envFrom", "ports", "volumeMounts")
_MAPPING_FIELDS = ("resources", "securityContext", "lifecycle", "livenessProbe", "readinessProbe", "startupProbe")


def _check_container_shape(container: dict, path: str, report: Report) -> None:
    """Type errors in the fields of ``mainContainer`` that the builder reads."""
    for key in _STRING_FIELDS:
        if key in container and container[key] is not None and not isinstance(container[key], str):
            report.error(f"{path}.{key}", f"expected `{key}` to be a string, got {container[key]!r}")
    for key in _STRING_LIST_FIELDS:
        value = container.get(key)
        if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            report.error(f"{path}.{key}", f"expected `{key}` to be a list of strings, got {value!r}")
    for key in _MAPPING_LIST_FIELDS:
        value = container.get(key)
        if value is not None and not (isinstance(value, list) and all(isinstance(v, dict) for v in value)):
            report.error(f"{path}.{key}", f"expected `{key}` to be a list of mappings, got {value!r}")
    for key in _MAPPING_FIELDS:
        value = container.get(key)
        if value is not None and not isinstance(value, dict):
            report.error(f"{path}.{key}", f"expected `{key}` to be a mapping, got {value!r}")


def _check_env_names(envs: list | None, path: str, report: Report) -> None:
    """EnvVar entries must be mappings with a non-empty `name` (the CRD's EnvVar schema)."""
    for i, env in enumerate(envs or []):
        if not isinstance(env, dict) or not isinstance(env.get("name"), str) or not env.get("name"):
            report.error(f"{path}[{i}].name", f"expected every env entry to have a string `name`, got {env!r}")


def _check_service(key: str, svc: models.Service, path: str, cfg: FunctionConfig, report: Report) -> None:
    """Per-service checks that need no component spec (V14, V27, V29, V30, D22, env and container names)."""
    _check_env_names(svc.envs, f"{path}.envs", report)
    main = svc.extraPodSpec.mainContainer if svc.extraPodSpec else None
    if main:
        _check_container_shape(main, f"{path}.extraPodSpec.mainContainer", report)
        if isinstance(main.get("env"), list):
            _check_env_names(main["env"], f"{path}.extraPodSpec.mainContainer.env", report)
    containers = svc.extraPodSpec.pod_fields().get("containers") if svc.extraPodSpec else None
    for i, container in enumerate(containers if isinstance(containers, list) else []):
        if not isinstance(container, dict) or not container.get("name"):
            report.error(f"{path}.extraPodSpec.containers[{i}].name", "expected every container to have a `name`")
    if svc.replicas is not None and svc.replicas < 0:
        report.error(f"{path}.replicas", f"expected `replicas` to be 0 or more, got {svc.replicas}")
    ctype = svc.componentType
    if ctype and ctype not in _COMPONENT_TYPES and ctype.lower() in _COMPONENT_TYPES:
        report.warning(
            f"{path}.componentType",
            f'componentType "{ctype}" gets no defaults: component types are case-sensitive, '
            f'did you mean "{ctype.lower()}"?',
        )
    res = svc.resources
    if res is not None and res.requests is not None and res.requests.gpu not in (None, ""):
        if res.limits is None or res.limits.gpu in (None, ""):
            report.warning(
                f"{path}.resources.requests.gpu",
                "`requests.gpu` is set without `limits.gpu`: the operator emits only the GPU limit, so the pod "
                "gets no GPU; set `limits.gpu`",
            )
    if (svc.annotations or {}).get(defaults.ANNOTATION_STEALING_TRAFFIC_DEBUG) == "true":
        report.warning(
            f"{path}.annotations",
            f"`{defaults.ANNOTATION_STEALING_TRAFFIC_DEBUG}` is not supported: no debug Deployment or Services "
            "are generated and the annotation is otherwise ignored (R9)",
        )
    if svc.startupProbe is not None and cfg.graphDeployment == "keep":
        report.warning(
            f"{path}.startupProbe",
            "service-level `startupProbe` is beyond the operator's CRD, which prunes it from the live DGD; "
            "use `extraPodSpec.mainContainer.startupProbe` to keep both in agreement",
        )


def _check_labels(component: Component, report: Report) -> None:
    """R7: the selector label must keep its value, or the Deployment would not match its pods."""
    extra = component.spec.extraPodMetadata
    for where, labels in (("labels", component.labels), ("extraPodMetadata.labels", extra.labels if extra else None)):
        value = (labels or {}).get(defaults.LABEL_SELECTOR)
        if value is not None and value != component.name:
            report.error(
                f"{component.path}.{where}",
                f'expected label `{defaults.LABEL_SELECTOR}` to be unset or "{component.name}" (it selects the '
                f'pods of the Deployment), got "{value}"',
            )
