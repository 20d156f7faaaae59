# SPDX-License-Identifier: Apache-2.0
"""Validation of one DGD before anything is built (validation rules V1–V31, docs/decisions.md).

The loading phases are fixed, and every problem is a result, never an exception:

1. strict parse (:func:`krm_dynamo.api.parse.parse_spec`): types, enums, minimums and
   unknown fields (V28), every problem with its field path;
2. salvage (:func:`salvage`): when the parse failed, the offending values are dropped
   from a copy of the spec and it is parsed again, so that
3. the cross-field rules below still run on everything else. A rule's result at (or
   under) a dropped field is suppressed: the parse already reported that field.

Only when no rule reported an error is the DGD built; the builders then meet valid
input only. Each rule is a small function of one :class:`GraphCheck` (graph rules) or
:class:`ServiceCheck` (service rules) that reports into a :class:`Report`; the tables
:data:`GRAPH_RULES` and :data:`SERVICE_RULES` fix their order.

Where each validation rule lives:

* the strict parse (``api.parse``): types, V3 (enum), V9 ``nodeCount`` >= 2, V14, V28;
* here: V1, V2 (with label keys/values, volume and PVC names, service keys equal but
  for case, container names), V4, V5, V6/D23, V7, V8, V10, V11, V15–V20, V21, V22, V23,
  V24 (with ``ServiceArgs.workers``), V25, V26, V27, V29, V30, D22, the multinode
  fan-out cap (``defaults.MAX_SERVICE_PODS``) and the types of the PodSpec fields the
  builder sorts by;
* ``expander``: the DGD's ``metadata`` (name, namespace, annotations, labels);
* builders, because they need built objects: V9's LWS requirements and V13
  (``multinode``), V12 (``autoscaling``), V31 (``discovery``), D20/D21 info results.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any, Callable

from pydantic import ValidationError

from krm_dynamo import defaults
from krm_dynamo.api import messages, parse, v1alpha1
from krm_dynamo.config import FunctionConfig
from krm_dynamo.graph.component import (
    DEPLOYMENT_CONFIG_ENV,
    component_name,
    default_ingress,
    deployment_config_workers,
    deployment_config_workers_problem,
    dynamo_namespace,
    effective_image,
)
from krm_dynamo.graph.report import Report
from krm_dynamo.kio.results import Result
from krm_dynamo.kube import naming, quantity
from krm_dynamo.render import backends

_COMPONENT_TYPES = (defaults.COMPONENT_FRONTEND, defaults.COMPONENT_WORKER, defaults.COMPONENT_PLANNER)
_PROBE_KINDS = ("livenessProbe", "readinessProbe", "startupProbe")
_PROBE_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")


@dataclass
class GraphCheck:
    """What the graph rules look at."""

    name: str
    graph: v1alpha1.DynamoGraphDeploymentSpec
    cfg: FunctionConfig
    known_claims: set[str] = field(default_factory=set)
    grove_mode: bool = False  # D2: the whole DGD becomes one PodCliqueSet

    @property
    def services(self) -> dict[str, v1alpha1.DynamoComponentDeploymentSharedSpec]:
        """The services that are mappings (null ones are reported by V1)."""
        return {k: v for k, v in (self.graph.services or {}).items() if v is not None}


@dataclass
class ServiceCheck:
    """What the service rules look at; ``backend`` is filled in by :func:`check_backend`."""

    graph: GraphCheck
    key: str
    svc: v1alpha1.DynamoComponentDeploymentSharedSpec
    backend: backends.Backend | None = None

    @property
    def path(self) -> str:
        return f"spec.services.{self.key}"

    @property
    def name(self) -> str:
        return component_name(self.graph.name, self.key)

    @property
    def main(self) -> dict:
        extra = self.svc.extraPodSpec
        main = extra.mainContainer if extra is not None else None
        return main if isinstance(main, dict) else {}

    @property
    def mc_path(self) -> str:
        return f"{self.path}.extraPodSpec.mainContainer"


# --- phases ------------------------------------------------------------------------------


def load(spec: Any, report: Report) -> tuple[v1alpha1.DynamoGraphDeploymentSpec | None, bool, set[str]]:
    """Phases 1 and 2: ``(model, parsed_cleanly, dropped_paths)``; model None when nothing is left."""
    graph = parse.parse_spec(spec, report)
    if graph is not None:
        return graph, True, set()
    if not isinstance(spec, dict):
        return None, False, set()
    salvaged, dropped = salvage(spec)
    if salvaged is not None:
        parse.report_unknown_fields(salvaged, "spec", report)  # V28 still applies to what parsed
    return salvaged, False, dropped


def salvage(spec: dict, attempts: int = 25) -> tuple[v1alpha1.DynamoGraphDeploymentSpec | None, set[str]]:
    """Parse a copy of ``spec`` without the values the strict parse rejected.

    Returns the model (None if nothing sensible is left) and the field paths dropped.
    A bad list item becomes ``{}`` and a bad service ``null`` so that no index or key
    moves and every later result keeps its path.
    """
    doc = copy.deepcopy(spec)
    dropped: set[str] = set()
    for _ in range(attempts):
        try:
            return v1alpha1.DynamoGraphDeploymentSpec.model_validate(doc), dropped
        except ValidationError as exc:
            progressed = False
            for err in exc.errors(include_url=False):
                loc = _data_loc(err["loc"])
                if loc and _drop(doc, loc):
                    dropped.add(messages.field_path(("spec", *loc)))
                    progressed = True
            if not progressed:
                return None, dropped
    return None, dropped


def _data_loc(loc: tuple) -> tuple:
    """The part of a pydantic location that names data (``[key]`` marks a bad map key)."""
    parts = list(loc)
    if "[key]" in parts:
        parts = parts[: parts.index("[key]")]
    return tuple(parts)


def _drop(doc: Any, loc: tuple) -> bool:
    parent = doc
    for part in loc[:-1]:
        if isinstance(parent, dict) and part in parent:
            parent = parent[part]
        elif isinstance(parent, list) and isinstance(part, int) and part < len(parent):
            parent = parent[part]
        else:
            return False
    last = loc[-1]
    if isinstance(parent, list) and isinstance(last, int) and last < len(parent):
        if parent[last] == {}:
            return False
        parent[last] = {}
        return True
    if isinstance(parent, dict) and last in parent:
        if len(loc) == 2 and loc[0] == "services":
            if parent[last] is None:
                return False
            parent[last] = None  # V1 then names this service, and the others are still checked
        else:
            del parent[last]
        return True
    return False


def validate(name: str, graph: v1alpha1.DynamoGraphDeploymentSpec, cfg: FunctionConfig, known_claims: set[str],
             report: Report, dropped: set[str] = frozenset(), *, grove_mode: bool = False) -> None:
    """Phase 3: every cross-field rule, results under ``dropped`` paths left out."""
    scratch = Report(report.dgd)
    check = GraphCheck(name=name, graph=graph, cfg=cfg, known_claims=known_claims, grove_mode=grove_mode)
    for rule in GRAPH_RULES:
        rule(check, scratch)
    for key, svc in check.services.items():
        service = ServiceCheck(graph=check, key=key, svc=svc)
        for rule in SERVICE_RULES:
            rule(service, scratch)
    report.results.extend(r for r in scratch.results if not _under(r, dropped))


def _under(result: Result, dropped: set[str]) -> bool:
    path = result.field_path or ""
    return any(path == d or path.startswith((d + ".", d + "[")) for d in dropped)


# --- graph rules -------------------------------------------------------------------------


def check_graph_name(g: GraphCheck, report: Report) -> None:
    """V2: the graph name prefixes every object name (a DNS-1123 label) and is a label value."""
    if not naming.is_dns1123_label(g.name):
        report.error("metadata.name", naming.dns_label_message("the graph name (it prefixes every object name)", g.name))
    else:
        naming.check_label_value(g.name, "the graph name", "metadata.name", report)


def check_services_present(g: GraphCheck, report: Report) -> None:
    """V1: no service value is null; no services at all is a warning (the CRD allows it, nothing runs)."""
    services = g.graph.services or {}
    if not services:
        report.warning("spec.services", "no services in `spec.services`: the graph runs nothing, "
                       "so no workload objects are generated for it")
    for key, svc in services.items():
        if svc is None:
            report.error(f"spec.services.{key}", f"expected service `{key}` to be a mapping, got null")


def check_dynamo_namespace(g: GraphCheck, report: Report) -> None:
    """V4 (D10): non-empty values agree; the value is a label value (V2)."""
    services = g.services
    if not services:
        return
    errors = len(report.results)
    value = dynamo_namespace(g.name, services, report)
    if len(report.results) > errors:
        return
    source = next((f"spec.services.{k}.dynamoNamespace" for k, s in services.items() if s.dynamoNamespace),
                  "metadata.name")
    naming.check_label_value(value, "the Dynamo namespace", source, report)


def check_pvcs(g: GraphCheck, report: Report) -> None:
    """V5, V6/D23: PVC names present, unique and valid; ``create: true`` entries complete."""
    seen: dict[str, int] = {}
    for i, pvc in enumerate(g.graph.pvcs or []):
        where = f"spec.pvcs[{i}]"
        if not pvc.name:
            report.error(f"{where}.name", "expected `name`, the name of the PersistentVolumeClaim, found none")
            continue
        if pvc.name in seen:
            report.error(f"{where}.name", f'expected unique PVC names, "{pvc.name}" is also `spec.pvcs[{seen[pvc.name]}]`')
            continue
        seen[pvc.name] = i
        if not naming.is_dns1123_label(pvc.name):
            # It names the claim and, through volumeMounts, a pod volume (a DNS-1123 label).
            report.error(f"{where}.name", naming.dns_label_message("the PVC name", pvc.name))
            continue
        if not pvc.create:
            continue
        missing = [f for f in ("size", "storageClass", "volumeAccessMode") if getattr(pvc, f) in (None, "")]
        if missing:
            listed = ", ".join(f"`{f}`" for f in missing)
            report.error(
                f"{where}.{missing[0]}",
                f"When create is true, size, storageClass, and volumeAccessMode are required; missing {listed}",
            )
            continue
        _check_pvc_size(pvc.size, f"{where}.size", report)
        access_modes = defaults.for_release().persistent_volume_claim.access_modes
        if pvc.volumeAccessMode not in access_modes:
            modes = ", ".join(f'"{m}"' for m in access_modes)
            report.error(
                f"{where}.volumeAccessMode",
                f'expected `volumeAccessMode` to be one of {modes}, got "{pvc.volumeAccessMode}"',
            )


def _check_pvc_size(raw: Any, path: str, report: Report) -> None:
    try:
        parsed = quantity.parse(raw)
    except quantity.QuantityError as exc:
        report.error(path, f"invalid `size`: {exc}")
        return
    if not parsed.has_suffix:
        # D23: the seed reads the size in Gi, Kubernetes in bytes; a bare number is a mistake.
        report.error(path, f'expected `size` with a unit (the size is in Gi), got "{raw}": write {raw}Gi')
    elif parsed.value <= 0:
        report.error(path, f'expected `size` to be greater than zero, got "{raw}"')


def check_name_collisions(g: GraphCheck, report: Report) -> None:
    """V2: two service keys that differ only in case would name the same objects (``<dgd>-<lowercase(svc)>``)."""
    first: dict[str, str] = {}
    for key in g.graph.services or {}:
        lowered = key.lower()
        if lowered in first:
            report.error(
                f"spec.services.{key}",
                f'expected service keys to differ in more than case: `{key}` and `{first[lowered]}` both name '
                f'the objects "{component_name(g.name, key)}"',
            )
        else:
            first[lowered] = key


def check_graph_envs(g: GraphCheck, report: Report) -> None:
    """EnvVar names (CRD) and a parsable ``DYN_DEPLOYMENT_CONFIG`` (V24) in ``spec.envs``."""
    _check_envs(g.graph.envs, "spec.envs", report)


GRAPH_RULES: tuple[Callable[[GraphCheck, Report], None], ...] = (
    check_graph_name,
    check_services_present,
    check_dynamo_namespace,
    check_pvcs,
    check_graph_envs,
    check_name_collisions,
)


# --- service rules -----------------------------------------------------------------------


def check_service_names(s: ServiceCheck, report: Report) -> None:
    """V2: the key and ``<dgd>-<svc>`` name objects; the component types are label values."""
    frontend = s.svc.componentType == defaults.COMPONENT_FRONTEND
    if naming.is_dns1123_label(s.graph.name):  # else reported once, on metadata.name
        naming.check_service_key(s.key, s.name, frontend, s.path, report)
    for attr in ("componentType", "subComponentType"):
        value = getattr(s.svc, attr)
        if value:
            naming.check_label_value(value, f"`{attr}` (a label value)", f"{s.path}.{attr}", report)


def check_component_type(s: ServiceCheck, report: Report) -> None:
    """V29: a component type that differs from a known one only in case gets no defaults."""
    ctype = s.svc.componentType
    if ctype and ctype not in _COMPONENT_TYPES and ctype.lower() in _COMPONENT_TYPES:
        report.warning(
            f"{s.path}.componentType",
            f'componentType "{ctype}" gets no defaults: component types are case-sensitive, '
            f'did you mean "{ctype.lower()}"?',
        )


def check_main_container(s: ServiceCheck, report: Report) -> None:
    """Shapes of the main container fields the builder reads; sidecar containers have names (CRD)."""
    extra = s.svc.extraPodSpec
    if extra is None:
        return
    if extra.mainContainer is not None:
        _check_container_shape(extra.mainContainer, s.mc_path, report)
    pod = extra.pod_fields()
    main_name = s.main.get("name") or defaults.MAIN_CONTAINER
    containers = pod.get("containers")
    for i, container in enumerate(containers if isinstance(containers, list) else []):
        if not isinstance(container, dict) or not container.get("name"):
            report.error(f"{s.path}.extraPodSpec.containers[{i}].name", "expected every container to have a `name`, found none")
    for field_name in ("containers", "initContainers"):
        items = pod.get(field_name)
        for i, container in enumerate(items if isinstance(items, list) else []):
            name = container.get("name") if isinstance(container, dict) else None
            where = f"{s.path}.extraPodSpec.{field_name}[{i}]"
            if name is not None and not isinstance(name, str):
                report.error(f"{where}.name", f"expected `name` to be a string, got {_show(name)}")
            elif name == main_name:
                report.error(
                    f"{where}.name",
                    f'expected a container name other than "{main_name}", the name of the main container '
                    "(two containers of one pod cannot share a name)",
                )
            if isinstance(container, dict):
                _check_int_fields(container.get("ports"), "containerPort", f"{where}.ports", report)
    _check_int_fields(s.main.get("ports"), "containerPort", f"{s.mc_path}.ports", report)
    _check_int_fields(pod.get("tolerations"), "tolerationSeconds", f"{s.path}.extraPodSpec.tolerations", report)
    _check_int_fields(pod.get("topologySpreadConstraints"), "maxSkew",
                      f"{s.path}.extraPodSpec.topologySpreadConstraints", report)
    secrets = pod.get("imagePullSecrets")
    if secrets is not None and not isinstance(secrets, list):
        report.error(f"{s.path}.extraPodSpec.imagePullSecrets", f"expected `imagePullSecrets` to be a list, got {_show(secrets)}")
    for i, ref in enumerate(secrets if isinstance(secrets, list) else []):
        where = f"{s.path}.extraPodSpec.imagePullSecrets[{i}]"
        if not isinstance(ref, dict):
            report.error(where, f"expected a mapping with a `name`, got {_show(ref)}")
        elif ref.get("name") is not None and not isinstance(ref["name"], str):
            report.error(f"{where}.name", f"expected `name` to be a string, got {_show(ref['name'])}")


def _check_int_fields(items: Any, key: str, path: str, report: Report) -> None:
    """``items[i].key``, where set, is an integer (a Kubernetes int32/int64 field)."""
    for i, item in enumerate(items if isinstance(items, list) else []):
        value = item.get(key) if isinstance(item, dict) else None
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            report.error(f"{path}[{i}].{key}", f"expected `{key}` to be an integer, got {_show(value)}")


# Shapes of the main container fields the builder reads (a Kubernetes Container).
_STRING_FIELDS = ("name", "image", "workingDir", "imagePullPolicy")
_STRING_LIST_FIELDS = ("command", "args")
_MAPPING_LIST_FIELDS = ("env", "envFrom", "ports", "volumeMounts")
_MAPPING_FIELDS = ("resources", "securityContext", "lifecycle", *_PROBE_KINDS)


def _check_container_shape(container: dict, path: str, report: Report) -> None:
    for key in _STRING_FIELDS:
        if key in container and container[key] is not None and not isinstance(container[key], str):
            report.error(f"{path}.{key}", f"expected `{key}` to be a string, got {_show(container[key])}")
    for key in _STRING_LIST_FIELDS:
        value = container.get(key)
        if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            report.error(f"{path}.{key}", f"expected `{key}` to be a list of strings, got {_show(value)}")
    for key in _MAPPING_LIST_FIELDS:
        value = container.get(key)
        if value is not None and not (isinstance(value, list) and all(isinstance(v, dict) for v in value)):
            report.error(f"{path}.{key}", f"expected `{key}` to be a list of mappings, got {_show(value)}")
    for key in _MAPPING_FIELDS:
        value = container.get(key)
        if value is not None and not isinstance(value, dict):
            report.error(f"{path}.{key}", f"expected `{key}` to be a mapping, got {_show(value)}")
    if isinstance(container.get("env"), list):
        _check_env_names(container["env"], f"{path}.env", report)


def check_image(s: ServiceCheck, report: Report) -> None:
    """V22 (D15): an image in the main container, or functionConfig ``defaultImage``."""
    image = s.main.get("image")
    if image not in (None, "") and not isinstance(image, str):
        return  # wrong type: reported by check_main_container
    if effective_image(s.main, s.graph.cfg.defaultImage) is None:
        report.error(
            f"{s.mc_path}.image",
            "expected a container image in `extraPodSpec.mainContainer.image`, found none "
            "(or set `defaultImage` in the functionConfig)",
        )


def check_backend(s: ServiceCheck, report: Report) -> None:
    """V21: the worker's command agrees with ``backendFramework`` and names one backend."""
    explicit = s.graph.graph.backendFramework
    try:
        s.backend = backends.resolve(s.svc.componentType or "", s.main,
                                     explicit if explicit in backends.SUPPORTED else None)
    except backends.BackendError as exc:
        report.error(s.mc_path, str(exc))


def check_volume_mounts(s: ServiceCheck, report: Report) -> None:
    """V7, V8: names present and valid, a mount point or a backend default, a known claim."""
    for i, vm in enumerate(s.svc.volumeMounts or []):
        where = f"{s.path}.volumeMounts[{i}]"
        if not vm.name:
            report.error(f"{where}.name", "volumeMount.name is required when volumeMounts is set")
            continue
        if not naming.is_dns1123_label(vm.name):
            report.error(f"{where}.name", naming.dns_label_message("the volume name", vm.name))
            continue
        if not vm.mountPoint:
            if not vm.useAsCompilationCache:
                report.error(f"{where}.mountPoint",
                             "volumeMount.mountPoint is required when useAsCompilationCache is false")
                continue
            if s.backend is not None and s.backend.defaults.compilation_cache_mount is None:
                report.error(
                    f"{where}.mountPoint",
                    "volumeMount with useAsCompilationCache=true requires an explicit mountPoint for backend "
                    f"framework {s.backend.name} (no default available)",
                )
                continue
        elif not vm.mountPoint.startswith("/"):
            # The API server accepts it; container runtimes reject or deprecate relative destinations.
            report.warning(f"{where}.mountPoint",
                           f'expected `mountPoint` to be an absolute path, got "{vm.mountPoint}"')
        if vm.name not in s.graph.known_claims:
            report.warning(
                f"{where}.name",
                f'expected volume mount "{vm.name}" to name an entry of `spec.pvcs` or a PersistentVolumeClaim in '
                "the input, found neither; the claim must already exist in the cluster",
            )


def check_replica_fanout(s: ServiceCheck, report: Report) -> None:
    """A multinode service on LWS gets one LeaderWorkerSet and PodGroup per replica: cap the pods it renders.

    ``defaults.MAX_SERVICE_PODS`` (replicas x nodeCount) is krm-dynamo's own bound, not the operator's
    (docs/compatibility.md); Grove renders one clique whatever the count, so it is not capped.
    """
    multinode = s.svc.multinode
    if multinode is None or multinode.node_count < 2 or s.graph.grove_mode:
        return
    replicas, where = s.svc.replicas, f"{s.path}.replicas"
    if replicas is None:
        workers, env_where = deployment_config_workers(s.key, s.graph.graph.envs, s.svc.envs)
        if deployment_config_workers_problem(workers) is not None:
            return  # absent (1 replica) or reported by check_service_envs
        replicas, where = workers, f"{s.path}.envs" if env_where == "envs" else "spec.envs"
    pods = replicas * multinode.node_count
    if pods > defaults.MAX_SERVICE_PODS:
        report.error(
            where,
            f"expected at most {defaults.MAX_SERVICE_PODS} pods per multinode service (replicas x nodeCount), got "
            f"{replicas} x {multinode.node_count} = {pods}: each replica is a LeaderWorkerSet and a PodGroup",
        )


def check_shared_memory(s: ServiceCheck, report: Report) -> None:
    """V20, V23: a given shared-memory size parses and is positive."""
    shm = s.svc.sharedMemory
    if shm is None or shm.disabled or shm.size is None:
        return
    path = f"{s.path}.sharedMemory.size"
    try:
        parsed = quantity.parse(shm.size)
    except quantity.QuantityError as exc:
        report.error(path, f"invalid `size`: {exc}")
        return
    if parsed.value <= 0:
        report.error(path, f'expected `size` to be greater than zero, got "{shm.size}" (use `disabled: true` to '
                           "turn shared memory off)")


def check_resources(s: ServiceCheck, report: Report) -> None:
    """V23 for ``resources`` and ``mainContainer.resources``; V27 a GPU request without a limit."""
    res = s.svc.resources
    for kind in ("requests", "limits"):
        item = getattr(res, kind) if res is not None else None
        if item is None:
            continue
        for name in ("cpu", "memory", "gpu"):
            raw = getattr(item, name)
            _check_quantity(raw, f"{s.path}.resources.{kind}.{name}", kind, name, report)
            if isinstance(raw, (int, float)) and s.graph.cfg.graphDeployment == "keep":
                report.warning(
                    f"{s.path}.resources.{kind}.{name}",
                    f'expected `{name}` to be a string (the CRD types it so, and the API server rejects the live '
                    f'DGD), got the number {raw}; write "{raw}"',
                )
        for name, raw in (item.custom or {}).items():
            _check_quantity(raw, f"{s.path}.resources.{kind}.custom.{name}", kind, name, report)
    user = s.main.get("resources")
    if isinstance(user, dict):
        for kind in ("requests", "limits"):
            values = user.get(kind)
            if values is not None and not isinstance(values, dict):
                report.error(f"{s.mc_path}.resources.{kind}", f"expected `{kind}` to be a mapping, got {_show(values)}")
                continue
            for name, raw in (values or {}).items():
                _check_quantity(raw, f"{s.mc_path}.resources.{kind}.{name}", kind, name, report)
    if res is not None and res.requests is not None and res.requests.gpu not in (None, ""):
        if res.limits is None or res.limits.gpu in (None, ""):
            report.warning(
                f"{s.path}.resources.requests.gpu",
                "`requests.gpu` is set without `limits.gpu`: the operator emits only the GPU limit, so the pod "
                "gets no GPU; set `limits.gpu`",
            )


def _check_quantity(raw: Any, path: str, kind: str, name: str, report: Report) -> None:
    if raw is None or raw == "":
        return
    try:
        quantity.parse(raw)
    except quantity.QuantityError as exc:
        report.error(path, f"parse {kind} {name} quantity: {exc}")


def check_autoscaling(s: ServiceCheck, report: Report) -> None:
    """V10, V11: enabled autoscaling needs 1 <= minReplicas <= maxReplicas, both set.

    V13: on a multinode service or in Grove mode no HPA is generated, so the bounds
    do not matter; one warning says the block is ignored.
    """
    scaling = s.svc.autoscaling
    if scaling is None or not scaling.enabled:
        return
    path = f"{s.path}.autoscaling"
    multinode_service = s.svc.multinode is not None and s.svc.multinode.node_count > 1
    if multinode_service or s.graph.grove_mode:
        where = "in Grove mode" if s.graph.grove_mode else "on a multinode service"
        report.warning(path, f"`autoscaling` is ignored {where}: no HorizontalPodAutoscaler is generated")
        return
    low, high = scaling.minReplicas, scaling.maxReplicas
    if low is None:
        report.error(f"{path}.minReplicas", "expected `minReplicas` (at least 1) when autoscaling is enabled, found none")
    elif low < 1:
        report.error(f"{path}.minReplicas", f"expected `minReplicas` to be at least 1 when autoscaling is enabled, got {low}")
    if high is None:
        report.error(f"{path}.maxReplicas", "expected `maxReplicas` when autoscaling is enabled, found none")
    elif low is not None and low >= 1 and high < low:
        report.error(f"{path}.maxReplicas", f"expected `maxReplicas` to be at least `minReplicas` ({low}), got {high}")
    elif low is not None and low >= 1 and high == low:
        report.warning(f"{path}.maxReplicas", f"`maxReplicas` equals `minReplicas` ({low}): the autoscaler can never scale")


def check_ingress(s: ServiceCheck, report: Report) -> None:
    """V15–V19 on the effective ingress (the user's, or a frontend's default from functionConfig)."""
    frontend = s.svc.componentType == defaults.COMPONENT_FRONTEND
    ingress = s.svc.ingress
    user_written = ingress is not None
    if ingress is None and frontend:
        ingress = default_ingress(s.graph.name, s.graph.cfg)
    if ingress is None or not ingress.enabled:
        return
    path = f"{s.path}.ingress"
    failed = False
    if not ingress.host:
        report.error(f"{path}.host", "expected `host` when the ingress is enabled, found none")
        failed = True
    if ingress.hostSuffix == "":
        report.error(f"{path}.hostSuffix",
                     'expected `hostSuffix` to be unset or non-empty, got "" (the host would end with a dot)')
        failed = True
    if failed:
        return
    from krm_dynamo.render.networking import (
        ingress_host,  # the host exactly as the builder writes it
    )

    host = ingress_host(ingress)
    if not naming.is_dns1123_subdomain(host):
        suffix_bad = ingress.hostSuffix is not None and not naming.is_dns1123_subdomain(ingress.hostSuffix)
        where = f"{path}.hostSuffix" if suffix_bad else f"{path}.host"
        report.error(where if user_written else path,
                     f'expected the ingress host to be a DNS name (lower-case letters, digits, "-" and "."), got "{host}"')
        return
    use_vs = bool(ingress.useVirtualService)
    if not use_vs and not ingress.ingressControllerClassName:
        report.warning(
            f"{path}.ingressControllerClassName",
            "the ingress is enabled but no `ingressControllerClassName` is set (nor functionConfig "
            "`ingressClassName`): no Ingress is generated, the component is not exposed",
        )
        return
    if not frontend:
        report.warning(
            path,
            f'ingress enabled on a service of componentType "{s.svc.componentType or ""}": only frontends get a '
            f'Service, so the backend Service "{s.name}" will not exist',
        )
    if ingress.hostSuffix is None:
        report.warning(
            f"{path}.hostSuffix" if user_written else path,
            f'no `hostSuffix` set: the host becomes "{host}" (operator default suffix `.local`)',
        )
    if use_vs and not (ingress.virtualServiceGateway or s.graph.cfg.istioGateway):
        report.warning(
            f"{path}.virtualServiceGateway",
            "no `virtualServiceGateway` and no functionConfig `istioGateway`: the VirtualService is bound to "
            "no gateway and applies inside the mesh only",
        )


def check_labels(s: ServiceCheck, report: Report) -> None:
    """V25 (R7): the selector label keeps its value; user labels and annotations are valid keys/values."""
    extra = s.svc.extraPodMetadata
    ingress = s.svc.ingress
    for where, labels in (("labels", s.svc.labels), ("extraPodMetadata.labels", extra.labels if extra else None),
                          ("ingress.labels", ingress.labels if ingress else None)):
        for key, value in (labels or {}).items():
            naming.check_label(key, value, f"{s.path}.{where}", report)
        value = (labels or {}).get(defaults.LABEL_SELECTOR)
        if where != "ingress.labels" and value is not None and value != s.name:
            report.error(
                f"{s.path}.{where}",
                f'expected label `{defaults.LABEL_SELECTOR}` to be unset or "{s.name}" (it selects the '
                f'pods of the Deployment), got "{value}"',
            )
    for where, keys in (("annotations", s.svc.annotations),
                        ("extraPodMetadata.annotations", extra.annotations if extra else None),
                        ("ingress.annotations", ingress.annotations if ingress else None)):
        for key in keys or {}:
            naming.check_qualified_name(key, "an annotation key", f"{s.path}.{where}", report)


def check_probes(s: ServiceCheck, report: Report) -> None:
    """V26 (R4): a user probe without a handler needs a default probe of that kind to complete."""
    table = defaults.for_release().for_component(s.svc.componentType)
    multinode = s.svc.multinode is not None  # multinode probe rules are the multinode builder's
    for kind in _PROBE_KINDS:
        for probe, path in ((s.main.get(kind), f"{s.mc_path}.{kind}"), (getattr(s.svc, kind), f"{s.path}.{kind}")):
            if not isinstance(probe, dict):
                continue  # absent, or a wrong type reported by check_main_container
            if any(probe.get(h) is not None for h in _PROBE_HANDLERS):
                continue
            if kind not in table.probes and not multinode:
                report.error(
                    path,
                    "expected the probe to name a handler (`exec`, `httpGet`, `tcpSocket` or `grpc`): there is no "
                    "default probe of this kind to complete",
                )


def check_service_envs(s: ServiceCheck, report: Report) -> None:
    """EnvVar names and ``DYN_DEPLOYMENT_CONFIG`` (V24) in the service's ``envs``; its ``workers`` a replica count."""
    _check_envs(s.svc.envs, f"{s.path}.envs", report)
    workers, where = deployment_config_workers(s.key, s.graph.graph.envs, s.svc.envs)
    problem = deployment_config_workers_problem(workers) if workers is not None else None
    if problem:
        report.error(f"{s.path}.envs" if where == "envs" else "spec.envs",
                     f"{DEPLOYMENT_CONFIG_ENV} of service `{s.key}`: {problem}")


def check_annotations(s: ServiceCheck, report: Report) -> None:
    """V30 (R9): stealing-traffic debug mode is not supported."""
    if (s.svc.annotations or {}).get(defaults.ANNOTATION_STEALING_TRAFFIC_DEBUG) == "true":
        report.warning(
            f"{s.path}.annotations",
            f"`{defaults.ANNOTATION_STEALING_TRAFFIC_DEBUG}` is not supported: no debug Deployment or Services "
            "are generated and the annotation is otherwise ignored (R9)",
        )


def check_startup_probe_kept(s: ServiceCheck, report: Report) -> None:
    """D22: a live DGD loses the service-level ``startupProbe`` (beyond the CRD)."""
    if s.svc.startupProbe is not None and s.graph.cfg.graphDeployment == "keep":
        report.warning(
            f"{s.path}.startupProbe",
            "service-level `startupProbe` is beyond the operator's CRD, which prunes it from the live DGD; "
            "use `extraPodSpec.mainContainer.startupProbe` to keep both in agreement",
        )


SERVICE_RULES: tuple[Callable[[ServiceCheck, Report], None], ...] = (
    check_service_names,
    check_component_type,
    check_main_container,
    check_image,
    check_backend,  # before check_volume_mounts, which needs the backend
    check_volume_mounts,
    check_replica_fanout,
    check_shared_memory,
    check_resources,
    check_autoscaling,
    check_ingress,
    check_labels,
    check_probes,
    check_service_envs,
    check_annotations,
    check_startup_probe_kept,
)


# --- helpers -----------------------------------------------------------------------------


def _check_envs(envs: list | None, path: str, report: Report) -> None:
    _check_env_names(envs, path, report)
    for env in envs or []:
        if isinstance(env, dict) and env.get("name") == DEPLOYMENT_CONFIG_ENV:
            try:
                config = json.loads(str(env.get("value") or ""))
            except ValueError:
                config = None
            if not isinstance(config, dict):
                report.error(
                    path,
                    f"failed to parse {DEPLOYMENT_CONFIG_ENV}: expected its `value` to be a JSON object, "
                    f'got "{env.get("value", "")}"',
                )


def _check_env_names(envs: list | None, path: str, report: Report) -> None:
    """EnvVar entries must be mappings with a non-empty `name` (the CRD's EnvVar schema)."""
    for i, env in enumerate(envs or []):
        if not isinstance(env, dict) or not isinstance(env.get("name"), str) or not env.get("name"):
            found = _show(env.get("name")) if isinstance(env, dict) else _show(env)
            report.error(f"{path}[{i}].name", f"expected every env entry to have a string `name`, got {found}")


def _show(value: Any) -> str:
    return messages.show_value(value)
