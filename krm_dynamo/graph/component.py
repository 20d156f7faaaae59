# SPDX-License-Identifier: Apache-2.0
"""DGD-level processing: the component spec of each service (what the operator writes into each DCD).

The operator turns every service into a DynamoComponentDeployment first (``graph.go``
``GenerateDynamoComponentsDeployments``). The function does not emit DCDs (D2) but
computes the same content here, because every generated object derives from it: the
Dynamo namespace (D10), the default frontend ingress, the legacy
``DYN_DEPLOYMENT_CONFIG`` overrides and the backend.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

from krm_dynamo import defaults
from krm_dynamo.api import v1alpha1
from krm_dynamo.config import FunctionConfig
from krm_dynamo.graph.report import Report
from krm_dynamo.render import backends

DEPLOYMENT_CONFIG_ENV = "DYN_DEPLOYMENT_CONFIG"


@dataclass
class Component:
    """One service after DGD-level processing; everything later reads from this.

    Attributes:
        key: the ``spec.services`` key in its original case (``<svc>``).
        name: ``<dgd>-<lowercase(svc)>``, the name of every per-service object.
        path: field path of the service, ``spec.services.<svc>``.
        spec: the parsed service spec (read-only).
        dgd_envs, service_envs: the two env layers of D18, kept apart.
        resources: ``{"requests": {...}, "limits": {...}}`` with Dynamo keys
            (``cpu``, ``memory``, ``gpu``, ``custom``), after ``DYN_DEPLOYMENT_CONFIG``.
        ingress: the effective ingress spec (the user's, or the frontend default from functionConfig).
    """

    key: str
    name: str
    path: str
    spec: v1alpha1.DynamoComponentDeploymentSharedSpec
    component_type: str
    dynamo_namespace: str
    dgd_envs: list[dict]
    service_envs: list[dict]
    replicas: int | None
    resources: dict[str, dict[str, Any]]
    ingress: v1alpha1.IngressSpec | None
    backend: backends.Backend
    node_count: int
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)

    @property
    def main_container(self) -> dict:
        """The user's ``extraPodSpec.mainContainer`` (empty when unset)."""
        extra = self.spec.extraPodSpec
        return (extra.mainContainer if extra is not None else None) or {}


def effective_image(main_container: dict | None, default_image: str | None) -> str | None:
    """The main container's image (D15): the user's when it is a non-blank string, else ``defaultImage``.

    One rule for the builder and for V22, so a blank image never wins over ``defaultImage``.
    """
    image = (main_container or {}).get("image")
    if isinstance(image, str) and image.strip():
        return image
    return default_image or None


def component_name(dgd_name: str, key: str) -> str:
    """``<dgd>-<lowercase(svc)>``: only lower-casing, no other sanitising (as the operator)."""
    return f"{dgd_name}-{key.lower()}"


def dynamo_namespace(dgd_name: str, services: dict[str, v1alpha1.DynamoComponentDeploymentSharedSpec], report: Report) -> str:
    """One Dynamo namespace for the whole DGD (D10): all non-empty values must agree."""
    chosen: tuple[str, str] | None = None
    for key, svc in services.items():
        value = svc.dynamoNamespace or ""
        if not value:
            continue
        if chosen is None:
            chosen = (key, value)
        elif value != chosen[1]:
            report.error(
                f"spec.services.{key}.dynamoNamespace",
                f'expected every `dynamoNamespace` of the graph to agree, got "{value}" here but '
                f'"{chosen[1]}" in service `{chosen[0]}`',
            )
    return chosen[1] if chosen else defaults.DEFAULT_DYNAMO_NAMESPACE_PREFIX + dgd_name


def default_ingress(dgd_name: str, cfg: FunctionConfig) -> v1alpha1.IngressSpec:
    """The frontend ingress the operator builds from its flags (``graph.go`` ``GenerateDefaultIngressSpec``)."""
    return v1alpha1.IngressSpec(
        enabled=bool(cfg.istioGateway or cfg.ingressClassName),
        host=dgd_name,
        useVirtualService=bool(cfg.istioGateway),
        ingressControllerClassName=cfg.ingressClassName or None,
        tls=v1alpha1.IngressTLSSpec(secretName=cfg.ingressTlsSecretName) if cfg.ingressTlsSecretName else None,
        hostSuffix=cfg.ingressHostSuffix or None,
        virtualServiceGateway=cfg.istioGateway or None,
    )


def build_component(
    key: str,
    svc: v1alpha1.DynamoComponentDeploymentSharedSpec,
    *,
    dgd_name: str,
    graph: v1alpha1.DynamoGraphDeploymentSpec,
    namespace: str,
    cfg: FunctionConfig,
    report: Report,
) -> Component | None:
    """Compute the component spec of one service; report problems, None on error."""
    path = f"spec.services.{key}"
    ok = True
    component_type = svc.componentType or ""
    try:
        backend = backends.resolve(component_type, svc.extraPodSpec.mainContainer if svc.extraPodSpec else None,
                                   graph.backendFramework if graph.backendFramework in backends.SUPPORTED else None)
    except backends.BackendError as exc:
        report.error(f"{path}.extraPodSpec.mainContainer", str(exc))
        ok = False
        backend = None

    ingress = svc.ingress
    if ingress is None and component_type == defaults.COMPONENT_FRONTEND:
        ingress = default_ingress(dgd_name, cfg)

    dgd_envs = [copy.deepcopy(e) for e in graph.envs or []]
    service_envs = [copy.deepcopy(e) for e in svc.envs or []]
    replicas = svc.replicas
    resources = _resources(svc.resources)
    if not _apply_deployment_config(key, path, component_type, dgd_envs, service_envs, resources, report):
        ok = False
    else:
        workers = _deployment_config_workers(key, dgd_envs, service_envs)
        if workers is not None and replicas is None:
            if deployment_config_workers_problem(workers) is None:
                replicas = workers
            else:  # reported by validation (V24); never built
                ok = False

    node_count = svc.multinode.node_count if svc.multinode is not None else 1
    if not ok:
        return None
    return Component(
        key=key,
        name=component_name(dgd_name, key),
        path=path,
        spec=svc,
        component_type=component_type,
        dynamo_namespace=namespace,
        dgd_envs=dgd_envs,
        service_envs=service_envs,
        replicas=replicas,
        resources=resources,
        ingress=ingress,
        backend=backend,
        node_count=node_count,
        labels=dict(svc.labels or {}),
        annotations=dict(svc.annotations or {}),
    )


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


# --- legacy DYN_DEPLOYMENT_CONFIG (graph.go updateDynDeploymentConfig) -------------------


def _find_config_env(dgd_envs: list[dict], service_envs: list[dict]) -> tuple[dict | None, str]:
    for layer, where in ((service_envs, "envs"), (dgd_envs, "spec.envs")):
        for env in layer:
            if isinstance(env, dict) and env.get("name") == DEPLOYMENT_CONFIG_ENV:
                return env, where
    return None, ""


def _parse_config(env: dict) -> dict | None:
    try:
        config = json.loads(str(env.get("value") or ""))
    except ValueError:
        return None
    return config if isinstance(config, dict) else None


def _apply_deployment_config(key, path, component_type, dgd_envs, service_envs, resources, report) -> bool:
    """Parse the JSON, set a frontend's port, copy its resources; return False after reporting bad JSON (V24)."""
    env, where = _find_config_env(dgd_envs, service_envs)
    if env is None:
        return True
    config = _parse_config(env)
    if config is None:
        field_path = f"{path}.envs" if where == "envs" else "spec.envs"
        report.error(
            field_path,
            f"failed to parse {DEPLOYMENT_CONFIG_ENV}: expected its `value` to be a JSON object, "
            f'got "{env.get("value", "")}"',
        )
        return False
    entry = config.get(key)
    if not isinstance(entry, dict):
        return True
    if component_type == defaults.COMPONENT_FRONTEND:
        entry["port"] = defaults.FRONTEND_PORT
        env["value"] = _go_json(config)
    service_args = entry.get("ServiceArgs")
    res = service_args.get("resources") if isinstance(service_args, dict) else None
    if isinstance(res, dict):
        for kind in ("requests", "limits"):
            target = resources.setdefault(kind, {})
            for name in ("cpu", "memory", "gpu"):
                if res.get(name) not in (None, ""):
                    target[name] = str(res[name])
            if isinstance(res.get("custom"), dict) and res["custom"]:
                target["custom"] = {**target.get("custom", {}), **{k: str(v) for k, v in res["custom"].items()}}
    return True


def _deployment_config_workers(key, dgd_envs, service_envs) -> Any:
    env, _ = _find_config_env(dgd_envs, service_envs)
    config = _parse_config(env) if env is not None else None
    entry = config.get(key) if config else None
    args = entry.get("ServiceArgs") if isinstance(entry, dict) else None
    return args.get("workers") if isinstance(args, dict) else None


# The CRD types `replicas` as int32; `workers` stands in for it.
MAX_INT32 = defaults.MAX_INT32


def deployment_config_workers_problem(workers: Any) -> str | None:
    """Why a ``ServiceArgs.workers`` value cannot be a replica count, or None when it can.

    Accepted: a JSON integer from 0 to 2147483647 (the operator unmarshals it into an int32, so
    ``2.0``, ``"2"``, ``Infinity`` fail there too; a negative count is no replica count).
    """
    if isinstance(workers, int) and not isinstance(workers, bool) and 0 <= workers <= MAX_INT32:
        return None
    shown = json.dumps(workers) if not isinstance(workers, float) else repr(workers)
    return f"expected `ServiceArgs.workers` to be a whole number from 0 to {MAX_INT32}, got {shown}"


def deployment_config_workers(key: str, dgd_envs: list | None, service_envs: list | None) -> tuple[Any, str]:
    """``(workers, where)``: the raw ``ServiceArgs.workers`` of service ``key`` (None when absent)
    and where its env is (``envs`` of the service or ``spec.envs``)."""
    dgd, svc = list(dgd_envs or []), list(service_envs or [])
    _, where = _find_config_env(dgd, svc)
    return _deployment_config_workers(key, dgd, svc), where


def _go_json(value: Any) -> str:
    """JSON as Go's ``encoding/json`` writes a map: sorted keys, compact, HTML-safe escapes."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return (
        text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    )
