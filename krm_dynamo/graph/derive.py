# SPDX-License-Identifier: Apache-2.0
"""The derive step: every value of the DGD and its services computed once.

Runs after the parse (on the salvaged model too) and before the rules, so the rules and
the builders read the same values: object names, the Dynamo namespace (D10), the backend,
the effective image (D15), the effective ingress (the frontend default included) and its
host, and the legacy ``DYN_DEPLOYMENT_CONFIG`` env (``graph.go`` ``updateDynDeploymentConfig``),
parsed once per env entry, with its port rewrite, resources and ``workers``. Nothing here
reports: a value that cannot be derived is kept as data for its rule to report.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from krm_dynamo import defaults
from krm_dynamo.api import v1alpha1_light
from krm_dynamo.config import FunctionConfig
from krm_dynamo.graph import embedded
from krm_dynamo.graph.backend import BackendError, resolve
from krm_dynamo.graph.component import (
    GRAPH_ENVS,
    SERVICE_ENVS,
    Component,
    DeploymentConfig,
    service_metadata,
)
from krm_dynamo.kube import gojson
from krm_dynamo.record import dataclass, field

if TYPE_CHECKING:
    from krm_dynamo.api import v1alpha1

DEPLOYMENT_CONFIG_ENV = "DYN_DEPLOYMENT_CONFIG"
MAX_INT32 = defaults.MAX_INT32  # the CRD types `replicas` as int32; `workers` stands in for it


@dataclass
class NamespaceConflict:
    """A service whose ``dynamoNamespace`` disagrees with the first one set (D10)."""

    key: str
    value: str
    first_key: str
    first_value: str


@dataclass
class DerivedGraph:
    """The DGD after the derive step; what the rules and the builders read.

    Attributes:
        name: ``metadata.name``, the graph name.
        graph: the parsed (possibly salvaged) spec.
        services: the services that are mappings, by key, in input order.
        dynamo_namespace: the Dynamo namespace: 0.6, the one value (first non-empty value, else
            ``dynamo-<name>``); from 1.0 (N_E02) ``<namespace>-<name>`` (a service with
            ``globalDynamoNamespace`` has ``dynamo``, on its :class:`Component`).
        namespace_source: field path the Dynamo namespace comes from.
        namespace_conflicts: services whose non-empty value disagrees (D10).
        k8s_namespace: ``metadata.namespace`` (None when unset).
        graph_configs: the ``DYN_DEPLOYMENT_CONFIG`` entries of ``spec.envs``.
        known_claims: PVC names of ``spec.pvcs`` and of the input's PersistentVolumeClaims.
        grove_mode: the whole DGD becomes one PodCliqueSet (D2).
        annotations: ``metadata.annotations`` as the release's defaulting webhook leaves them
            (:func:`krm_dynamo.graph.defaulting.dgd_annotations`; V06).
        embedded_problems: schema problems of ``spec.envs`` (each service's are on its
            :class:`Component`); ``graph.envs`` is without the unknown fields (D31).
        cluster_topologies: the input's Grove ClusterTopologies, name -> level domains (D62).
    """

    name: str
    graph: v1alpha1.DynamoGraphDeploymentSpec
    cfg: FunctionConfig
    table: defaults.OperatorDefaults
    services: dict[str, Component]
    dynamo_namespace: str
    namespace_source: str
    namespace_conflicts: list[NamespaceConflict] = field(default_factory=list)
    k8s_namespace: str | None = None
    graph_configs: list[DeploymentConfig] = field(default_factory=list)
    known_claims: set[str] = field(default_factory=set)
    grove_mode: bool = False
    annotations: dict[str, str] = field(default_factory=dict)
    embedded_problems: list[embedded.EmbeddedProblem] = field(default_factory=list)
    device_classes: frozenset[str] = frozenset()  # the DRA DeviceClasses of the input (D50)
    cluster_topologies: dict[str, list[str]] = field(default_factory=dict)  # S17: name -> domains (D62)


def component_name(dgd_name: str, key: str) -> str:
    """``<dgd>-<lowercase(svc)>``: only lower-casing, no other sanitising."""
    return f"{dgd_name}-{key.lower()}"


def effective_image(main_container: dict[str, Any] | None, default_image: str | None) -> str | None:
    """The main container's image (D15): the user's when it is a non-blank string, else ``defaultImage``."""
    image = (main_container or {}).get("image")
    if isinstance(image, str) and image.strip():
        return image
    return default_image or None


def default_ingress(dgd_name: str, cfg: FunctionConfig) -> v1alpha1.IngressSpec:
    """The frontend ingress the operator builds from its flags (``GenerateDefaultIngressSpec``)."""
    # The plain class, not the pydantic model: same attributes, no pydantic import for valid input.
    return v1alpha1_light.IngressSpec(
        enabled=bool(cfg.istioGateway or cfg.ingressClassName),
        host=dgd_name,
        useVirtualService=bool(cfg.istioGateway),
        ingressControllerClassName=cfg.ingressClassName or None,
        tls=v1alpha1_light.IngressTLSSpec(secretName=cfg.ingressTlsSecretName) if cfg.ingressTlsSecretName else None,
        hostSuffix=cfg.ingressHostSuffix or None,
        virtualServiceGateway=cfg.istioGateway or None,
    )


def ingress_host(ingress: v1alpha1.IngressSpec, table: defaults.OperatorDefaults) -> str:
    """The host of the Ingress or VirtualService.

    ``hostPrefix + host + "." + (hostSuffix or the table's suffix, "local")``.
    """
    suffix = ingress.hostSuffix if ingress.hostSuffix is not None else table.ingress.host_suffix
    return f"{ingress.hostPrefix or ''}{ingress.host or ''}.{suffix}"


def deployment_configs(envs: list[Any] | None, where: str) -> list[DeploymentConfig]:
    """Every ``DYN_DEPLOYMENT_CONFIG`` entry of an env list, its value parsed once (as Go reads it)."""
    out: list[DeploymentConfig] = []
    for i, env in enumerate(envs or []):
        if isinstance(env, dict) and env.get("name") == DEPLOYMENT_CONFIG_ENV:
            try:
                document = gojson.loads(str(env.get("value") or ""))
            except ValueError as exc:
                too_deep = isinstance(exc, gojson.TooDeep)
                out.append(DeploymentConfig(i, where, env.get("value", ""), None, too_deep=too_deep))
                continue
            # Go unmarshals JSON null into a nil map: no entries, and written back as `null`.
            config = {} if document is None else document if isinstance(document, dict) else None
            out.append(DeploymentConfig(i, where, env.get("value", ""), config, document))
    return out


def deployment_config_workers_problem(workers: Any) -> str | None:
    """Why a ``ServiceArgs.workers`` value cannot be a replica count, or None when it can.

    Accepted: a JSON integer from 0 to 2147483647 (the operator unmarshals it into an int32, so
    ``2.0``, ``"2"``, ``Infinity`` fail there too; a negative count is no replica count).
    """
    if isinstance(workers, int) and not isinstance(workers, bool) and 0 <= workers <= MAX_INT32:
        return None
    import json  # here: only a DGD with this env pays for it

    shown = json.dumps(workers) if not isinstance(workers, float) else repr(workers)
    return f"expected `ServiceArgs.workers` to be a whole number from 0 to {MAX_INT32}, got {shown}"


def derive(name: str, graph: v1alpha1.DynamoGraphDeploymentSpec, cfg: FunctionConfig, *,
           known_claims: set[str] | None = None, grove_mode: bool = False,
           table: defaults.OperatorDefaults | None = None, namespace: str | None = None,
           annotations: dict[str, str] | None = None, device_classes: frozenset[str] = frozenset()
           ) -> DerivedGraph:
    """Derive the DGD named ``name`` with the operator tables ``table`` (default: the default release);
    null services (a rule reports them) are left out.

    Embedded Kubernetes types are checked against their schemas first (:mod:`krm_dynamo.graph.embedded`):
    everything derived, and every object built, reads the values without unknown fields (D31).
    """
    table = table or defaults.for_release()
    graph, graph_problems = embedded.check_graph(graph, table.kubernetes_version)
    specs = {k: v for k, v in (graph.services or {}).items() if v is not None}
    if table.switch("N_E02"):
        dynamo_ns, source = dynamo_namespace_1x(name, namespace, table), "metadata.name"
        conflicts: list[NamespaceConflict] = []
    else:
        dynamo_ns, source, conflicts = _dynamo_namespace(name, specs)
    out = DerivedGraph(
        name=name, graph=graph, cfg=cfg, table=table, services={}, dynamo_namespace=dynamo_ns,
        namespace_source=source, namespace_conflicts=conflicts, k8s_namespace=namespace,
        graph_configs=deployment_configs(graph.envs, GRAPH_ENVS),
        known_claims=set(known_claims or ()), grove_mode=grove_mode, embedded_problems=graph_problems,
        annotations=dict(annotations or {}), device_classes=device_classes,
    )
    if table.switch("V06"):  # the 1.x defaulting webhook; here: a 0.6 run does not import graph.defaulting
        from krm_dynamo.graph import defaulting
        out.annotations = defaulting.dgd_annotations(out.annotations, table)
    for key, svc in specs.items():
        cleaned, problems = embedded.check_service(svc, component_path(key), table.kubernetes_version)
        out.services[key] = _component(out, key, cleaned)
        out.services[key].embedded_problems = problems
    return out


def component_path(key: str) -> str:
    """Field path of the service ``key``: ``spec.services.<key>``."""
    return f"spec.services.{key}"


def _dynamo_namespace(name: str, services: dict[str, v1alpha1.DynamoComponentDeploymentSharedSpec]
                      ) -> tuple[str, str, list[NamespaceConflict]]:
    """``(value, source path, conflicts)``: the first non-empty value wins, the others must agree (D10)."""
    chosen: tuple[str, str] | None = None
    conflicts: list[NamespaceConflict] = []
    for key, svc in services.items():
        value = svc.dynamoNamespace or ""
        if not value:
            continue
        if chosen is None:
            chosen = (key, value)
        elif value != chosen[1]:
            conflicts.append(NamespaceConflict(key, value, chosen[0], chosen[1]))
    if chosen is None:
        return defaults.DEFAULT_DYNAMO_NAMESPACE_PREFIX + name, "metadata.name", conflicts
    return chosen[1], f"spec.services.{chosen[0]}.dynamoNamespace", conflicts


def dynamo_namespace_1x(name: str, namespace: str | None, table: defaults.OperatorDefaults) -> str:
    """N_E02 (operator 1.0 on): ``<namespace>-<DGD name>``, dots in the name replaced from 1.1.

    Without ``metadata.namespace`` the namespace the DGD lands in is unknown here; ``default``
    stands in (a rule warns).
    """
    naming = table.naming.values
    dots = naming["dynamoNamespaceDotReplacement"]
    graph = name.replace(".", dots) if isinstance(dots, str) else name
    return str(naming["dynamoNamespaceForm"]).format(namespace=namespace or "default", dgd_name=graph)


def _service_dynamo_namespace(g: DerivedGraph, svc: v1alpha1.DynamoComponentDeploymentSharedSpec) -> str:
    """S03: a service with ``globalDynamoNamespace: true`` is in the shared namespace (1.0 on)."""
    if g.table.switch("N_E02") and svc.globalDynamoNamespace is True:
        return str(g.table.naming.values["globalDynamoNamespace"])
    return g.dynamo_namespace


def _component(g: DerivedGraph, key: str, svc: v1alpha1.DynamoComponentDeploymentSharedSpec) -> Component:
    component_type = svc.componentType or ""
    ingress = svc.ingress
    labels, annotations = service_metadata(g.graph, svc, g.annotations, g.table)  # S18
    if ingress is None and component_type == defaults.COMPONENT_FRONTEND:
        ingress = default_ingress(g.name, g.cfg)
    component = Component(
        key=key, name=component_name(g.name, key), path=component_path(key), spec=svc,
        component_type=component_type, dynamo_namespace=_service_dynamo_namespace(g, svc),
        dgd_envs=[copy.deepcopy(e) for e in g.graph.envs or []],
        service_envs=[copy.deepcopy(e) for e in svc.envs or []],
        replicas=svc.replicas,
        resources=_resources(svc.resources), ingress=ingress, backend=None,
        node_count=svc.multinode.node_count if svc.multinode is not None else 1,
        labels=labels, annotations=annotations, pod_annotations=dict(svc.annotations or {}),
        service_configs=deployment_configs(svc.envs, SERVICE_ENVS),
    )
    if g.table.switch("V06"):  # the defaulting webhook's replicas (P14, 1.1): set, so `workers` is not read
        from krm_dynamo.graph import defaulting  # here: 1.x only
        component.replicas = defaulting.service_replicas(svc.replicas, g.table)
    if g.table.switch("S11"):  # 1.x only, so its module is imported here (start-up)
        from krm_dynamo.graph.restart import stamp_restart_id
        stamp_restart_id(component.annotations, component.pod_annotations, g.graph.restart)
    # A01: from operator 0.8 on autoscaling is ignored (no HPA; replicas kept).
    component.autoscaled = bool(svc.autoscaling and svc.autoscaling.enabled) and not g.table.switch("A01")
    if ingress is not None and ingress.enabled:
        component.ingress_host = ingress_host(ingress, g.table)
    component.image = effective_image(component.main_container, g.cfg.defaultImage)
    explicit = g.graph.backendFramework
    try:
        component.backend = resolve(component_type, component.main_container,
                                    explicit if explicit in g.table.backend_frameworks else None, g.table)
    except BackendError as exc:
        component.backend_error = str(exc)
    configs = component.service_configs or g.graph_configs
    if configs and not g.grove_mode:  # the operator's Grove path never reads DYN_DEPLOYMENT_CONFIG
        component.deployment_config = configs[0]
        _apply_deployment_config(component, configs[0])
    return component


def _resources(resources: v1alpha1.Resources | None) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for kind in ("requests", "limits"):
        item = getattr(resources, kind) if resources is not None else None
        if item is None:
            continue
        values: dict[str, Any] = {}
        for name in ("cpu", "memory", "gpu"):
            value = getattr(item, name)
            if value is not None and value != "":
                values[name] = value
        if item.custom:
            values["custom"] = dict(item.custom)
        out[kind] = values
    return out


def _apply_deployment_config(component: Component, found: DeploymentConfig) -> None:
    """``DYN_DEPLOYMENT_CONFIG`` on the service (component mode): frontend port, resources, ``workers``.

    A frontend always writes the value back as Go's ``encoding/json`` does (a frontend's
    entry gets ``port: 8000`` first), entry or not. Then the service's entry, read with
    the Go field rules, copies ``ServiceArgs.resources`` over the service's and gives
    ``ServiceArgs.workers`` as the replica count when ``replicas`` is unset. A value Go
    cannot read is left for the rules (``graph.rules.envs``) to report.
    """
    if found.config is None:
        return
    from krm_dynamo.graph import deployment_config  # here: only a DGD with the legacy env pays for it

    if component.component_type == defaults.COMPONENT_FRONTEND and gojson.float64_problem(found.document) is None:
        document = copy.deepcopy(found.document)
        entry = document.get(component.key) if isinstance(document, dict) else None
        if isinstance(entry, dict):
            entry["port"] = defaults.FRONTEND_PORT
        layer = component.service_envs if found.where == SERVICE_ENVS else component.dgd_envs
        layer[found.index]["value"] = gojson.dumps(document)
    entry = found.config.get(component.key)
    service_args = deployment_config.field(entry, deployment_config.SERVICE_ARGS) if isinstance(entry, dict) else None
    if not isinstance(service_args, dict):
        return
    res = deployment_config.field(service_args, deployment_config.RESOURCES)
    if isinstance(res, dict):
        _apply_config_resources(component, res)
    component.workers = deployment_config.field(service_args, deployment_config.WORKERS)
    if component.workers is not None and component.replicas is None \
            and deployment_config_workers_problem(component.workers) is None:
        component.replicas = component.workers


def _apply_config_resources(component: Component, res: dict[str, Any]) -> None:
    """``ServiceArgs.resources`` over both ``requests`` and ``limits``, recorded for the quantity rule.

    As the operator: a given ``cpu`` / ``memory`` / ``gpu`` replaces the service's (``""``
    unsets it), and a given ``custom`` replaces the service's whole ``custom`` map.
    """
    from krm_dynamo.graph import deployment_config  # the legacy env's Go field rules
    for kind in ("requests", "limits"):
        target = component.resources.setdefault(kind, {})
        for name in deployment_config.QUANTITIES:
            value = deployment_config.field(res, name)
            if not isinstance(value, str):
                continue  # unset, or a type the rules report
            target.pop(name, None)
            if value:
                target[name] = value
                component.config_resources.append((kind, name, name, value))
        custom = deployment_config.field(res, deployment_config.CUSTOM)
        if isinstance(custom, dict):
            values = {k: v if isinstance(v, str) else "" for k, v in custom.items()}  # Go reads null as ""
            target.pop("custom", None)
            if values:
                target["custom"] = values
            component.config_resources += [(kind, f"custom.{k}", k, v) for k, v in values.items()]
