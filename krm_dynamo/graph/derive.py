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
from krm_dynamo.graph.backend import BackendError, resolve
from krm_dynamo.graph.component import (
    GRAPH_ENVS,
    SERVICE_ENVS,
    Component,
    DeploymentConfig,
)
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
        dynamo_namespace: the one Dynamo namespace (first non-empty value, else ``dynamo-<name>``).
        namespace_source: field path the Dynamo namespace comes from.
        namespace_conflicts: services whose non-empty value disagrees (D10).
        graph_configs: the ``DYN_DEPLOYMENT_CONFIG`` entries of ``spec.envs``.
        known_claims: PVC names of ``spec.pvcs`` and of the input's PersistentVolumeClaims.
        grove_mode: the whole DGD becomes one PodCliqueSet (D2).
    """

    name: str
    graph: v1alpha1.DynamoGraphDeploymentSpec
    cfg: FunctionConfig
    table: defaults.OperatorDefaults
    services: dict[str, Component]
    dynamo_namespace: str
    namespace_source: str
    namespace_conflicts: list[NamespaceConflict] = field(default_factory=list)
    graph_configs: list[DeploymentConfig] = field(default_factory=list)
    known_claims: set[str] = field(default_factory=set)
    grove_mode: bool = False


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
    """Every ``DYN_DEPLOYMENT_CONFIG`` entry of an env list, its value parsed once."""
    out: list[DeploymentConfig] = []
    for i, env in enumerate(envs or []):
        if isinstance(env, dict) and env.get("name") == DEPLOYMENT_CONFIG_ENV:
            try:
                import json  # here: only a DGD with this env pays for it

                config = json.loads(str(env.get("value") or ""))
            except ValueError:
                config = None
            out.append(DeploymentConfig(i, where, env.get("value", ""), config if isinstance(config, dict) else None))
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
           table: defaults.OperatorDefaults | None = None) -> DerivedGraph:
    """Derive the DGD named ``name`` with the operator tables ``table`` (default: the default release);
    null services (a rule reports them) are left out."""
    table = table or defaults.for_release()
    specs = {k: v for k, v in (graph.services or {}).items() if v is not None}
    namespace, source, conflicts = _dynamo_namespace(name, specs)
    out = DerivedGraph(
        name=name, graph=graph, cfg=cfg, table=table, services={}, dynamo_namespace=namespace,
        namespace_source=source, namespace_conflicts=conflicts,
        graph_configs=deployment_configs(graph.envs, GRAPH_ENVS),
        known_claims=set(known_claims or ()), grove_mode=grove_mode,
    )
    for key, svc in specs.items():
        out.services[key] = _component(out, key, svc)
    return out


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


def _component(g: DerivedGraph, key: str, svc: v1alpha1.DynamoComponentDeploymentSharedSpec) -> Component:
    component_type = svc.componentType or ""
    ingress = svc.ingress
    if ingress is None and component_type == defaults.COMPONENT_FRONTEND:
        ingress = default_ingress(g.name, g.cfg)
    component = Component(
        key=key, name=component_name(g.name, key), path=f"spec.services.{key}", spec=svc,
        component_type=component_type, dynamo_namespace=g.dynamo_namespace,
        dgd_envs=[copy.deepcopy(e) for e in g.graph.envs or []],
        service_envs=[copy.deepcopy(e) for e in svc.envs or []],
        replicas=svc.replicas, resources=_resources(svc.resources), ingress=ingress, backend=None,
        node_count=svc.multinode.node_count if svc.multinode is not None else 1,
        labels=dict(svc.labels or {}), annotations=dict(svc.annotations or {}),
        service_configs=deployment_configs(svc.envs, SERVICE_ENVS),
    )
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
    if configs:
        component.deployment_config = configs[0]
        _apply_deployment_config(component, configs[0])
    return component


def _resources(resources: v1alpha1.Resources | None) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    if resources is None:
        return out
    for kind in ("requests", "limits"):
        item = getattr(resources, kind)
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
    """The service's entry of ``DYN_DEPLOYMENT_CONFIG``: frontend port, resources, ``workers``.

    The operator sets a frontend's ``port`` in the JSON (and writes it back, as Go's
    ``encoding/json`` does), then copies ``ServiceArgs.resources`` over the service's and
    takes ``ServiceArgs.workers`` as the replica count when ``replicas`` is unset.
    """
    entry = found.config.get(component.key) if found.config is not None else None
    if found.config is None or not isinstance(entry, dict):
        return
    if component.component_type == defaults.COMPONENT_FRONTEND:
        config = copy.deepcopy(found.config)
        config[component.key]["port"] = defaults.FRONTEND_PORT
        layer = component.service_envs if found.where == SERVICE_ENVS else component.dgd_envs
        layer[found.index]["value"] = go_json(config)
    service_args = entry.get("ServiceArgs")
    if not isinstance(service_args, dict):
        return
    res = service_args.get("resources")
    if isinstance(res, dict):
        _apply_config_resources(component, res)
    component.workers = service_args.get("workers")
    if component.workers is not None and component.replicas is None \
            and deployment_config_workers_problem(component.workers) is None:
        component.replicas = component.workers


def _apply_config_resources(component: Component, res: dict[str, Any]) -> None:
    """``ServiceArgs.resources`` over the service's resources, recorded for the quantity rule."""
    for kind in ("requests", "limits"):
        target = component.resources.setdefault(kind, {})
        for name in ("cpu", "memory", "gpu"):
            if res.get(name) not in (None, ""):
                target[name] = str(res[name])
                component.config_resources.append((kind, name, name, target[name]))
        custom = res.get("custom")
        if isinstance(custom, dict) and custom:
            values = {k: str(v) for k, v in custom.items()}
            target["custom"] = {**target.get("custom", {}), **values}
            component.config_resources += [(kind, f"custom.{k}", k, v) for k, v in values.items()]


def go_json(value: Any) -> str:
    """JSON as Go's ``encoding/json`` writes a map: sorted keys, compact, HTML-safe escapes."""
    import json  # here: only a DGD with this env pays for it

    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return (
        text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    )
