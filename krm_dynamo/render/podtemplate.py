# SPDX-License-Identifier: Apache-2.0
"""Component spec -> pod template, in the operator's step order.

:func:`build_pod_template` runs the steps for one pod role; the operator's merges live
in :mod:`krm_dynamo.render.merge` and the canonical list order in
:mod:`krm_dynamo.render.canonical`, each rule testable on its own.

The builder takes the pod's ``role`` (``main`` for single node; ``leader`` /
``worker`` for multinode) and the node count, so multinode orchestrators can reuse it.
The component has passed every rule (``graph.rules``): nothing here reports an input error.
"""

from __future__ import annotations

import copy
from typing import Any

from krm_dynamo import defaults
from krm_dynamo.config import FunctionConfig
from krm_dynamo.defaults.components import WORKER_HASH_PLACEHOLDER
from krm_dynamo.graph.component import Component
from krm_dynamo.graph.discovery import SecretIndex
from krm_dynamo.graph.volumes import shared_memory_use
from krm_dynamo.kube import quantity
from krm_dynamo.record import dataclass, field
from krm_dynamo.render import backends, storage
from krm_dynamo.render.canonical import canonicalize_pod_spec_with_main, unique_pull_secrets
from krm_dynamo.render.merge import (
    PROBE_KINDS,
    apply_probe,
    merge_container,
    merge_env,
    merge_pod_spec,
)
from krm_dynamo.render.metadata import pod_annotations, pod_labels
from krm_dynamo.render.resources import add_dynamo_resources, canonical_resource_lists

# --- the pipeline (graph.go GenerateBasePodSpec) --------------------------------------


@dataclass
class PodContext:
    """Everything outside the component spec that the pod depends on."""

    dgd_name: str
    dgd_namespace: str | None
    dgd_annotations: dict[str, str]
    cfg: FunctionConfig
    secrets: SecretIndex
    service_account: str
    defaults: defaults.OperatorDefaults = field(default_factory=defaults.for_release)  # the DGD's table set
    graph_metadata: tuple[dict[str, str], dict[str, str]] = ({}, {})  # S18: spec.labels, spec.annotations

    # The modules of the 1.x pod steps are imported where these are read: a 0.6 render pays for none.
    @property
    def kube_discovery(self) -> bool:
        """The release has a discovery backend (1.0 on), the steps of :mod:`.kubediscovery` apply."""
        return bool(self.defaults.kube_discovery.values)

    @property
    def service_features(self) -> bool:
        """The release has the 1.1 service features, the pod steps of :mod:`.features11` apply."""
        return bool(self.defaults.features.values)


@dataclass
class PodTemplate:
    """A built pod template plus what the workload wrappers need to know about it."""

    labels: dict[str, str]
    annotations: dict[str, str]
    spec: dict[str, Any]
    main_container: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        metadata: dict[str, Any] = {"labels": self.labels}
        if self.annotations:
            metadata["annotations"] = self.annotations
        return {"metadata": metadata, "spec": self.spec}


def render_env(template: tuple[tuple[str, str], ...], component: Component,
               ctx: PodContext) -> list[dict[str, Any]]:
    """A defaults env template rendered for ``component`` (placeholders, the downward API)."""
    out = []
    for name, value in template:
        if value.startswith(defaults.FIELD_REF_PLACEHOLDER):  # N_E01: the downward API
            path = value[len(defaults.FIELD_REF_PLACEHOLDER):-1]
            out.append({"name": name, "valueFrom": {"fieldRef": {"fieldPath": path}}})
            continue
        if value == WORKER_HASH_PLACEHOLDER:  # N_E07 (D60): a worker's hash label, when it has one
            hashing, table = ctx.defaults.worker_hash, ctx.defaults
            suffix = hashing.suffix(component.component_type, component.labels, table.worker_types) \
                if hashing is not None and table.switch("N_E07") else ""
            out += [{"name": name, "value": suffix}] if suffix else []
            continue
        if value == "{dgd_namespace}" and not ctx.dgd_namespace:
            # D17: no namespace yet (kustomize base); the pod reads its own at run time.
            out.append({"name": name, "valueFrom": {"fieldRef": {"fieldPath": defaults.DOWNWARD_NAMESPACE_FIELD}}})
            continue
        out.append({
            "name": name,
            "value": value.format(
                dynamo_namespace=component.dynamo_namespace,
                dgd_name=ctx.dgd_name,
                dgd_namespace=ctx.dgd_namespace or "",
                component_type=component.component_type,
            ),
        })
    return out


def platform_env(cfg: FunctionConfig) -> list[dict[str, Any]]:
    """Step 9: operator-level env from functionConfig, only when configured (D13)."""
    pairs = (
        (defaults.ENV_NATS_SERVER, cfg.natsServer),
        (defaults.ENV_ETCD_ENDPOINTS, cfg.etcdEndpoints),
        (defaults.ENV_MODEL_EXPRESS_URL, cfg.modelExpressUrl),
        (defaults.ENV_PROMETHEUS_ENDPOINT, cfg.prometheusEndpoint),
    )
    return [{"name": name, "value": value} for name, value in pairs if value]


def base_container(component_defaults: defaults.ComponentDefaults) -> dict[str, Any]:
    """Step 2: the main container of a component type, before any user input (env aside)."""
    container: dict[str, Any] = {"name": component_defaults.name, "command": list(component_defaults.command)}
    if component_defaults.args:
        container["args"] = list(component_defaults.args)
    if component_defaults.ports:
        container["ports"] = [dict(p) for p in component_defaults.ports]
    for kind in PROBE_KINDS:
        if kind in component_defaults.probes:
            container[kind] = defaults.plain_dict(component_defaults.probes[kind])
    return container


def build_pod_template(component: Component, ctx: PodContext, *,
                       role: str = defaults.ROLE_MAIN, node_count: int = 1,
                       deployer: backends.Deployer = backends.LWS, service_name: str | None = None,
                       debug_sidecar: bool = True) -> PodTemplate:
    """Build the pod template of one pod role of a validated component, in the operator's step order.

    The component has passed every rule (``graph.rules``); nothing is reported here.

    ``role``/``node_count`` select the backend's multinode rewrites (the container and pod
    hooks), with ``deployer`` (LWS or Grove strings) and ``service_name`` (the name handed
    to backends; Grove: the services key verbatim). ``debug_sidecar`` is False under
    Grove, which has no DCD controller to add it.
    """
    component_defaults = ctx.defaults.for_component(component.component_type)
    backend = component.backend
    assert backend is not None, "a component that passed the backend rule has a backend"
    container = _main_container(component, component_defaults, ctx)
    grove = deployer.name == backends.GROVE.name
    env = _main_env(component, ctx, component_defaults, grove=grove)  # C02, N_E08 in the defaults layer
    add_dynamo_resources(container, component, ctx.defaults)

    discovered = _pull_secrets(component, ctx)
    # envFromSecret after any mainContainer.envFrom.
    if component.spec.envFromSecret:
        secret_ref = {"secretRef": {"name": component.spec.envFromSecret}}
        container["envFrom"] = [*(container.get("envFrom") or []), secret_ref]

    # PVC and shared-memory volumes and mounts.
    shm_use = shared_memory_use(component, ctx.defaults.shared_memory, backend.defaults.compilation_cache_mount)
    volumes = storage.pod_volumes(component.spec, backend, ctx.defaults, shm_use)
    if volumes.mounts:
        container["volumeMounts"] = list(container.get("volumeMounts") or []) + volumes.mounts

    # Backend container hook: compilation-cache env (D8/R6), then the multinode
    # rewrites, which read the final env (TRT-LLM `-x` list) and set the worker probes (D28).
    env, deferred_env = backends.split_env(env, backends.compilation_cache_env(backend, volumes.cache_mount_path),
                                           ctx.defaults)
    container["env"] = merge_env(env)
    pod_role = backends.PodRole(
        role=role, node_count=node_count, service_name=component.name if service_name is None else service_name,
        deployer=backends.release_deployer(deployer, ctx.defaults), resources=component.resources,
        secret_name=ctx.cfg.mpiRunSecretName, table=ctx.defaults, dgd_name=ctx.dgd_name, deferred_env=deferred_env,
        annotations=dict(component.annotations),  # with the DGD's propagated keys (derived)
    )
    container = backends.update_container(backend, container, pod_role)

    pod_spec, user_pod = _pod_spec(component, component_defaults, ctx.defaults, ctx.dgd_name)
    _add_user_items(pod_spec, user_pod, container, volumes, discovered)
    if ctx.kube_discovery:
        from krm_dynamo.render import kubediscovery  # here: only a release with discovery pays for it
        kubediscovery.set_service_account(pod_spec, component, ctx, grove=grove)  # P02, before the backend pod hook
    pod_spec = backends.update_pod_spec(backend, pod_spec, pod_role)  # TRT-LLM multinode: the MPI SSH volume
    if ctx.service_features:
        from krm_dynamo.render import features11  # here: 1.1 only
        pod_spec = features11.apply_pod_features(pod_spec, component, ctx, node_count)  # S14, S15, S16
    pod_spec, main = _finish_pod_spec(pod_spec, container, component, ctx, debug_sidecar)
    return PodTemplate(labels=pod_labels(component, ctx), annotations=pod_annotations(component), spec=pod_spec,
                       main_container=main)


def _main_container(component: Component, component_defaults: defaults.ComponentDefaults,
                    ctx: PodContext) -> dict[str, Any]:
    """The base container with ``mainContainer`` (env apart) and the user probes over it (D9, R4, D22)."""
    user_main = component.main_container
    table = ctx.defaults
    base = base_container(component_defaults)
    if table.switch("P10"):  # an endpoint picker's arguments and mounts
        from krm_dynamo.render import epp  # here: 1.x only
        base = epp.with_epp_container(base, component, ctx.dgd_name, ctx.dgd_namespace, table)
    deep = table.switch("P04")  # the 1.x merge of pointer fields (render.deepmerge)
    container = merge_container(base, {k: v for k, v in user_main.items() if k != "env"}, table.merge_kinds, deep)
    if "resources" in container:
        container["resources"] = canonical_resource_lists(container["resources"])
    if component.image:  # D15, derived once (the image rule ensures there is one)
        container["image"] = component.image

    # D22: service-level probes win over mainContainer ones (the probe rule ensures each completes).
    candidates = [(kind, user_main.get(kind)) for kind in PROBE_KINDS]
    candidates += [(kind, getattr(component.spec, kind)) for kind in PROBE_KINDS]
    for i, (kind, probe) in enumerate(candidates):
        from_main = i < len(PROBE_KINDS) and kind != "startupProbe"  # mainContainer.startupProbe replaces
        if isinstance(probe, dict) and deep and from_main:  # P04: mainContainer liveness / readiness merged into
            from krm_dynamo.render import deepmerge  # here: 1.x only
            container[kind] = deepmerge.merge_probe(container.get(kind), probe)
        elif isinstance(probe, dict):
            container[kind] = apply_probe(container.get(kind), probe)
    return container


def _pull_secrets(component: Component, ctx: PodContext) -> list[str]:
    """Image pull secrets discovered for the main container's image (D14, R5)."""
    if component.image and component.annotations.get(defaults.ANNOTATION_DISABLE_PULL_SECRET_DISCOVERY) != "true":
        return ctx.secrets.secrets_for(component.image)
    return []


def _main_env(component: Component, ctx: PodContext,
              component_defaults: defaults.ComponentDefaults, *, grove: bool = False) -> list[dict[str, Any]]:
    """D18: platform < defaults < DGD envs < mainContainer.env < service envs (merged by name, unsorted)."""
    user_env = component.main_container.get("env")
    env = render_env(component_defaults.env, component, ctx)
    if ctx.kube_discovery:
        from krm_dynamo.render import kubediscovery  # here: only a release with discovery pays for it
        env = kubediscovery.default_env(env, component, ctx, grove=grove)
    return merge_env(
        platform_env(ctx.cfg),
        env,
        component.dgd_envs,
        user_env if isinstance(user_env, list) else [],
        component.service_envs,
        sort=False,
    )


def _pod_spec(component: Component, component_defaults: defaults.ComponentDefaults,
              table: defaults.OperatorDefaults, dgd_name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(pod spec, user pod fields)``: the base pod spec with ``extraPodSpec`` laid over it (D29)."""
    pod_spec = defaults.plain_dict(component_defaults.pod)
    user_pod = component.pod_fields  # a user service account wins (D21; noted by the rules)
    if not table.switch("P10"):
        return merge_pod_spec(pod_spec, user_pod, table.merge_kinds, table.switch("P04")), user_pod
    from krm_dynamo.render import epp  # an endpoint picker's volumes, kept after the user's

    pod_spec = epp.with_epp_volumes(pod_spec, component, dgd_name, table)
    merged = merge_pod_spec(pod_spec, user_pod, table.merge_kinds, table.switch("P04"))
    return epp.keep_base_volumes(merged, pod_spec, component, table), user_pod


def _add_user_items(pod_spec: dict[str, Any], user_pod: dict[str, Any], container: dict[str, Any],
                    volumes: storage.PodVolumes, discovered: list[str]) -> None:
    """Our containers, volumes and pull secrets after the user's, quantities canonical as typed objects serialise.

    (The quantities have passed the resource and storage rules.)
    """
    user_containers = _list(user_pod.get("containers"))
    for sidecar in user_containers:
        if isinstance(sidecar, dict) and "resources" in sidecar:
            sidecar["resources"] = canonical_resource_lists(sidecar["resources"])
    if "initContainers" in pod_spec and isinstance(pod_spec["initContainers"], list):
        for init in pod_spec["initContainers"]:
            if isinstance(init, dict) and "resources" in init:
                init["resources"] = canonical_resource_lists(init["resources"])
    user_volumes = _list(pod_spec.get("volumes"))  # the user's list, else the base pod's (P10)
    for volume in user_volumes:
        empty_dir = volume.get("emptyDir") if isinstance(volume, dict) else None
        if isinstance(empty_dir, dict) and empty_dir.get("sizeLimit") is not None:
            empty_dir["sizeLimit"] = quantity.canonical(empty_dir["sizeLimit"])
    pod_spec["containers"] = [*user_containers, container]
    pod_spec["volumes"] = user_volumes + volumes.volumes
    if volumes.late_volume is not None:  # P05 (operator 1.1)
        from krm_dynamo.render.features11 import place_shared_memory  # here: 1.1 only
        place_shared_memory(pod_spec, container, volumes)
    pod_spec["imagePullSecrets"] = _list(user_pod.get("imagePullSecrets")) + [{"name": n} for n in discovered]
    for key in ("volumes", "imagePullSecrets"):
        if not pod_spec[key]:
            del pod_spec[key]


def _finish_pod_spec(pod_spec: dict[str, Any], container: dict[str, Any], component: Component,
                     ctx: PodContext, debug_sidecar: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """Canonical list order, the service account (D14), the debugger sidecar; ``(pod spec, main container)``."""
    main_index = next((i for i, c in enumerate(pod_spec["containers"]) if c is container), None)
    main: dict[str, Any] | None = container
    if ctx.defaults.switch("P03"):
        # From operator 1.0 no list is sorted: the build order stays (user containers, volumes and
        # pull secrets first); pull secrets are only de-duplicated by name.
        if "imagePullSecrets" in pod_spec:
            pod_spec["imagePullSecrets"] = unique_pull_secrets(pod_spec["imagePullSecrets"])
    else:
        pod_spec, main = canonicalize_pod_spec_with_main(pod_spec, main_index)
    if not pod_spec.get("serviceAccountName") and ctx.service_account:
        pod_spec["serviceAccountName"] = ctx.service_account
    # The debugger sidecar is the last container (P06: none from operator 1.0 on).
    debug = component.annotations.get(defaults.ANNOTATION_ENABLE_DEBUG_MODE) == "true"
    if debug_sidecar and debug and not ctx.defaults.switch("P06"):
        pod_spec["containers"] = pod_spec["containers"] + [debugger_container(ctx.cfg.debuggerImage, ctx.defaults)]
        pod_spec["shareProcessNamespace"] = ctx.defaults.debugger.share_process_namespace
    return pod_spec, main if main is not None else container


def debugger_container(image: str, table: defaults.OperatorDefaults) -> dict[str, Any]:
    """The debugger sidecar of ``table`` with canonical quantities (``1000m`` serialises as ``1``)."""
    container = defaults.plain_dict(table.debugger.container)
    container = {"name": container.pop("name"), "image": image, **container}
    resources = container["resources"]
    for kind in resources:
        resources[kind] = {k: quantity.canonical(v) for k, v in resources[kind].items()}
    return container


def _list(value: Any) -> list[Any]:
    return copy.deepcopy(value) if isinstance(value, list) else []
