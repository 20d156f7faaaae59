# SPDX-License-Identifier: Apache-2.0
"""The pod steps of the operator 1.1 service features, in the operator's order.

After the backend's pod hook, ``graph.go`` ``GenerateBasePodSpec`` appends the frontend
sidecar (P11), then applies the GPU memory service (P12: the GPU becomes a shared DRA claim,
the ``gms-server`` init sidecar is added), then clones the first container into failover
engines (P13). :func:`apply_pod_features` runs the three; :func:`resource_claim_template`
builds the claim template a GPU memory service needs (O02). The values come from the release's
feature table (:mod:`krm_dynamo.defaults.features11`); the component passed the rules of
:mod:`krm_dynamo.graph.rules.features11`, so nothing here reports.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from krm_dynamo import defaults, record
from krm_dynamo.defaults.sources import value
from krm_dynamo.graph import features11 as derived
from krm_dynamo.graph.component import Component
from krm_dynamo.kube import fieldorder
from krm_dynamo.render.merge import PROBE_KINDS, merge_env
from krm_dynamo.render.metadata import object_metadata
from krm_dynamo.render.storage import PodVolumes

if TYPE_CHECKING:
    from krm_dynamo.render.podtemplate import PodContext


def place_shared_memory(pod_spec: dict[str, Any], container: dict[str, Any], volumes: PodVolumes) -> None:
    """P05 (``shared_memory.go`` ``ApplySharedMemoryVolumeAndMount``, operator 1.1): after the backend's
    container hook, every pod volume of the shared memory's name and every main-container mount of its
    name or path is dropped, and the shared-memory volume and mount are added last. Nothing when
    there is no late shared memory (before 1.1, or shared memory disabled)."""
    volume, mount = volumes.late_volume, volumes.late_mount
    if volume is None or mount is None:
        return
    pod_spec["volumes"] = [v for v in pod_spec.get("volumes") or [] if v.get("name") != volume["name"]] + [volume]
    kept = [m for m in container.get("volumeMounts") or []
            if m.get("name") != mount["name"] and m.get("mountPath") != mount["mountPath"]]
    container["volumeMounts"] = [*kept, mount]


def apply_pod_features(pod_spec: dict[str, Any], component: Component, ctx: PodContext,
                       node_count: int) -> dict[str, Any]:
    """The frontend sidecar, the GPU memory service and failover on a built pod spec (1.1 only)."""
    table = ctx.defaults
    svc = component.spec
    if table.switch("P11") and derived.feature(svc, "frontendSidecar") is not None:
        _add_frontend_sidecar(pod_spec, component, ctx)
    if table.switch("P12") and derived.enabled(svc, "gpuMemoryService"):
        _apply_gpu_memory_service(pod_spec, resource_claim_template_name(ctx.dgd_name, component.key, table), table)
    if table.switch("P13") and derived.enabled(svc, "failover"):
        _build_failover_pod(pod_spec, node_count, table)
    return pod_spec


# --- P11: the frontend sidecar ----------------------------------------------------------------


def frontend_sidecar(component: Component, ctx: PodContext) -> dict[str, Any]:
    """The ``sidecar-frontend`` container (``graph.go`` ``generateFrontendSidecar``).

    The frontend's base container of the release, rendered for the service's graph and Dynamo
    namespace as a frontend, with the sidecar's image, ``args`` (when given), ``envFromSecret``
    and ``envs`` over the frontend env; the operator-level env under everything; env sorted by name.
    """
    from krm_dynamo.render import podtemplate  # here: podtemplate calls this module

    spec = derived.feature(component.spec, "frontendSidecar") or {}
    frontend = ctx.defaults.for_component(defaults.COMPONENT_FRONTEND)
    as_frontend = record.replace(component, component_type=defaults.COMPONENT_FRONTEND)
    container = podtemplate.base_container(frontend)
    container["name"] = value(ctx.defaults.features, "frontendSidecarName")
    container["image"] = spec["image"]
    if spec.get("args"):
        container["args"] = list(spec["args"])
    if spec.get("envFromSecret") is not None:
        container["envFrom"] = [{"secretRef": {"name": spec["envFromSecret"]}}]
    container["env"] = merge_env(podtemplate.platform_env(ctx.cfg),
                                 podtemplate.render_env(frontend.env, as_frontend, ctx),
                                 copy.deepcopy(spec.get("envs") or []))
    return container


def _add_frontend_sidecar(pod_spec: dict[str, Any], component: Component, ctx: PodContext) -> None:
    sidecar = frontend_sidecar(component, ctx)
    pod_spec["containers"] = [*pod_spec["containers"], sidecar]
    if component.annotations.get(defaults.ANNOTATION_DISABLE_PULL_SECRET_DISCOVERY) == "true":
        return
    found = ctx.secrets.secrets_for(sidecar["image"])
    if found:  # appended, each name once
        known = {s.get("name") for s in pod_spec.get("imagePullSecrets") or []}
        new = [{"name": n} for n in dict.fromkeys(found) if n not in known]
        pod_spec["imagePullSecrets"] = [*(pod_spec.get("imagePullSecrets") or []), *new]


# --- P12 / O02: the GPU memory service ----------------------------------------------------------


def resource_claim_template_name(dgd_name: str, service: str, table: defaults.OperatorDefaults) -> str:
    """``<dgd>-<lowercase(svc)>-gpu`` (``dra.go`` ``ResourceClaimTemplateName``)."""
    return str(value(table.features, "resourceClaimTemplateName")).format(dgd_name=dgd_name, service=service.lower())


def _apply_gpu_memory_service(pod_spec: dict[str, Any], template_name: str, table: defaults.OperatorDefaults) -> None:
    """``dra.ApplyClaim`` then ``gms.EnsureServerSidecar`` on the pod's FIRST container (as the operator:
    with user ``extraPodSpec.containers`` that is the first of those, not the main container)."""
    features = table.features
    claim = value(features, "gmsClaimName")
    first = pod_spec["containers"][0]
    if not any(c.get("name") == claim for c in pod_spec.get("resourceClaims") or []):
        resources = dict(first.get("resources") or {})
        for kind in ("limits", "requests"):
            if isinstance(resources.get(kind), dict):
                rest = {k: v for k, v in resources[kind].items() if k != defaults.GPU_RESOURCE}
                resources[kind] = rest
                if not rest:  # an empty ResourceList is omitted
                    del resources[kind]
        resources["claims"] = [*(resources.get("claims") or []), {"name": claim}]
        first["resources"] = resources
        pod_spec["tolerations"] = [*(pod_spec.get("tolerations") or []),
                                   defaults.plain_dict(value(features, "gmsToleration"))]
        pod_spec["resourceClaims"] = [*(pod_spec.get("resourceClaims") or []),
                                      {"name": claim, "resourceClaimTemplateName": template_name}]
    _ensure_shared_volume(pod_spec, first, features)
    server = value(features, "gmsServerName")
    if not any(c.get("name") == server for c in pod_spec.get("initContainers") or []):
        pod_spec["initContainers"] = [*(pod_spec.get("initContainers") or []), _gms_server(first, features)]


def _ensure_shared_volume(pod_spec: dict[str, Any], first: dict[str, Any], features: Any) -> None:
    name, path, env = (value(features, k) for k in ("gmsVolumeName", "gmsMountPath", "gmsSocketDirEnv"))
    if not any(v.get("name") == name for v in pod_spec.get("volumes") or []):
        pod_spec["volumes"] = [*(pod_spec.get("volumes") or []), {"name": name, "emptyDir": {}}]
    if not any(m.get("name") == name for m in first.get("volumeMounts") or []):
        first["volumeMounts"] = [*(first.get("volumeMounts") or []), {"name": name, "mountPath": path}]
    if not any(e.get("name") == env for e in first.get("env") or []):
        first["env"] = [*(first.get("env") or []), {"name": env, "value": path}]


def _gms_server(first: dict[str, Any], features: Any) -> dict[str, Any]:
    """The ``gms-server`` init sidecar (``gms.go`` ``Container``), on the first container's image."""
    name, path, env = (value(features, k) for k in ("gmsVolumeName", "gmsMountPath", "gmsSocketDirEnv"))
    server: dict[str, Any] = {"name": value(features, "gmsServerName")}
    if first.get("image"):
        server["image"] = first["image"]
    server.update({
        "command": list(value(features, "gmsServerCommand")),
        "env": [{"name": env, "value": path}],
        "volumeMounts": [{"name": name, "mountPath": path}],
        "resources": {"claims": [{"name": value(features, "gmsClaimName")}]},
        "restartPolicy": value(features, "gmsServerRestartPolicy"),
        "startupProbe": defaults.plain_dict(value(features, "gmsStartupProbe")),
    })
    return server


def claim_templates(component: Component, dgd_name: str, namespace: str | None,
                    table: defaults.OperatorDefaults) -> list[dict[str, Any]]:
    """The service's ``ResourceClaimTemplate`` when its GPU memory service is enabled (1.1), else none."""
    if not (table.switch("O02") and derived.enabled(component.spec, "gpuMemoryService")):
        return []
    return [fieldorder.ordered(resource_claim_template(component, dgd_name, namespace, table), "ResourceClaimTemplate")]


def resource_claim_template(component: Component, dgd_name: str, namespace: str | None,
                            table: defaults.OperatorDefaults) -> dict[str, Any]:
    """O02: the ``ResourceClaimTemplate`` of a service with the GPU memory service (``dra.go``
    ``GenerateResourceClaimTemplate``): ``count`` is the GPU limit (else the GPU request) of one pod."""
    features = table.features
    spec = derived.feature(component.spec, "gpuMemoryService") or {}
    device_class = spec.get("deviceClassName") or value(features, "gmsDeviceClassName")
    request = {"deviceClassName": device_class, "allocationMode": value(features, "resourceClaimAllocationMode"),
               "count": derived.gpu_count(component.spec)}
    return {
        "apiVersion": value(features, "resourceClaimTemplateApiVersion"),
        "kind": "ResourceClaimTemplate",
        "metadata": object_metadata(resource_claim_template_name(dgd_name, component.key, table), namespace, {}, {}),
        "spec": {"spec": {"devices": {"requests": [
            {"name": value(features, "resourceClaimRequestName"), "exactly": request}]}}},
    }


# --- P13 / T03: failover ------------------------------------------------------------------------


def _build_failover_pod(pod_spec: dict[str, Any], node_count: int, table: defaults.OperatorDefaults) -> None:
    """``failover.go`` ``buildFailoverPod``: the first container becomes the engines, the rest follow;
    then the vLLM overrides (the only backend failover supports: a rule rejects the others)."""
    features = table.features
    first, *sidecars = pod_spec["containers"]
    engines = [_engine(first, i, features) for i in range(int(value(features, "failoverEngineCount")))]
    pod_spec["containers"] = [*engines, *sidecars]
    for container in pod_spec["containers"]:
        if str(container.get("name", "")).startswith("engine-"):
            _vllm_overrides(container, node_count, features)


def _engine(base: dict[str, Any], i: int, features: Any) -> dict[str, Any]:
    engine = copy.deepcopy(base)
    name = str(value(features, "failoverEngineName")).format(i=i)
    port_name = str(value(features, "failoverPortName")).format(i=i)
    port = int(value(features, "failoverBasePort")) + i
    engine["name"] = name
    engine["ports"] = [{"name": port_name, "containerPort": port, "protocol": "TCP"}]
    dropped = set(value(features, "failoverDroppedEnv"))
    engine["env"] = [e for e in engine.get("env") or [] if e.get("name") not in dropped] + [
        {"name": "ENGINE_ID", "value": str(i)},
        {"name": "CONTAINER_NAME", "value": name},
        {"name": "FAILOVER_LOCK_PATH", "value": value(features, "failoverLockPath")},
        {"name": "DYN_SYSTEM_STARTING_HEALTH_STATUS", "value": value(features, "failoverStartingHealthStatus")},
        {"name": "DYN_SYSTEM_PORT", "value": str(port)},
        {"name": "DYN_SYSTEM_ENABLED", "value": "true"},
    ]
    for kind in PROBE_KINDS:
        probe = engine.get(kind)
        if isinstance(probe, dict) and isinstance(probe.get("httpGet"), dict):
            probe["httpGet"]["port"] = port_name
    return engine


def _vllm_overrides(container: dict[str, Any], node_count: int, features: Any) -> None:
    """``failover_vllm.go`` ``applyVLLMOverrides`` on one engine container."""
    suffix = str(container["name"])[len("engine-"):]
    i = derived.atoi(suffix) or 0  # Go: a failed Atoi is 0 (the operator names its engines engine-<i>)
    nixl = int(value(features, "vllmNixlSideChannelBasePort")) + i
    kv_events = int(value(features, "vllmKvEventBasePort")) + i
    container["env"] = [*(container.get("env") or []),
                        {"name": "DYN_VLLM_GMS_SHADOW_MODE", "value": "true"},
                        {"name": "VLLM_NIXL_SIDE_CHANNEL_PORT", "value": str(nixl)},
                        {"name": "DYN_VLLM_KV_EVENT_PORT", "value": str(kv_events)}]
    if i > 0:
        flag = str(value(features, "vllmMasterPortFlag"))
        offset = i * int(value(features, "vllmMasterPortStride"))
        if _has_flag(container, flag):
            _stagger(container, flag, offset)
        else:
            container["args"] = [*(container.get("args") or []), flag,
                                 str(int(value(features, "vllmMasterBasePort")) + offset)]
    if node_count > 1:
        container["env"].append({"name": "NNODES", "value": str(node_count)})


def _has_flag(container: dict[str, Any], flag: str) -> bool:
    args = [str(a) for a in container.get("args") or []]
    command = [str(c) for c in container.get("command") or []]
    return any(a == flag or flag + " " in a for a in args) or any(flag + " " in c for c in command)


def _stagger(container: dict[str, Any], flag: str, offset: int) -> None:
    """``staggerFlagValue``: the flag's port plus ``offset``, in the first place it is found."""
    args = container.get("args") or []
    for i, arg in enumerate(args):
        port = derived.atoi(str(args[i + 1])) if arg == flag and i + 1 < len(args) else None
        if port is not None:
            args[i + 1] = str(port + offset)
            return
    for key in ("args", "command"):
        items = container.get(key) or []
        for i, item in enumerate(items):
            if flag + " " not in str(item):
                continue
            digits = ""
            for ch in str(item).split(flag + " ")[1]:
                if ch not in "0123456789":
                    break
                digits += ch
            port = derived.atoi(digits) if digits else None  # Go: Atoi of "" or beyond int64 fails
            if port is not None:
                items[i] = str(item).replace(f"{flag} {digits}", f"{flag} {port + offset}", 1)
                return
