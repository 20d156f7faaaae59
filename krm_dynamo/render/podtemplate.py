# SPDX-License-Identifier: Apache-2.0
"""Component spec -> pod template (operator-behaviour §6, steps 1–18).

The operator's merges (mergo v0.3.6 with override, §7) are restated as small pure
functions (:func:`merge_container`, :func:`merge_pod_spec`, :func:`merge_env`,
:func:`apply_probe`, :func:`canonicalize_pod_spec`) so each rule can be tested on
its own; :func:`build_pod_template` runs the steps in the operator's order.

The builder takes the pod's ``role`` (``main`` for single node; ``leader`` /
``worker`` for multinode) and the node count, so multinode orchestrators can reuse it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from krm_dynamo import defaults
from krm_dynamo.config import FunctionConfig
from krm_dynamo.graph.component import Component
from krm_dynamo.graph.discovery import SecretIndex
from krm_dynamo.graph.report import Report
from krm_dynamo.kube import quantity
from krm_dynamo.render import backends, storage

PROBE_KINDS = ("livenessProbe", "readinessProbe", "startupProbe")
PROBE_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")
ROLE_MAIN = "main"

# Container fields merged specially (not by the generic scalar/list/pointer rules).
_ENV_AND_PROBES = ("env", *PROBE_KINDS)
# Container fields that are structs (not pointers): mergo descends into them key by key.
_STRUCT_FIELDS = ("resources",)


class ProbeError(ValueError):
    """A user probe names no handler and there is no default probe to complete it (R4)."""


# --- merge rules (§7) ------------------------------------------------------------------


def _is_empty(value: Any) -> bool:
    """mergo's notion of an empty value: zero scalars, empty lists and maps, None."""
    return value is None or value is False or value == 0 and not isinstance(value, bool) or value in ("", [], {})


def merge_container(base: dict, user: dict) -> dict:
    """Lay ``extraPodSpec.mainContainer`` over the generated container (§7.1).

    Non-empty user scalars and lists replace (a list is never concatenated);
    pointer-like mappings (``securityContext``, ``lifecycle``, …) replace as a whole;
    ``resources`` is merged key by key inside ``limits`` / ``requests``; ``env`` is
    merged by name, the user's entry winning. Probes are not handled here
    (:func:`apply_probe`).
    """
    out = copy.deepcopy(base)
    for key, value in user.items():
        if key in PROBE_KINDS or _is_empty(value):
            continue
        if key == "env":
            out["env"] = merge_env(out.get("env") or [], value, sort=False)
        elif key in _STRUCT_FIELDS and isinstance(value, dict):
            merged = copy.deepcopy(out.get(key) or {})
            for sub, sub_value in value.items():
                if isinstance(sub_value, dict) and isinstance(merged.get(sub), dict):
                    merged[sub] = {**merged[sub], **copy.deepcopy(sub_value)}
                elif not _is_empty(sub_value):
                    merged[sub] = copy.deepcopy(sub_value)
            out[key] = merged
        else:
            out[key] = copy.deepcopy(value)
    return out


def merge_pod_spec(base: dict, user: dict) -> dict:
    """Lay ``extraPodSpec`` (without ``mainContainer``) over the base pod spec (§7.2)."""
    out = copy.deepcopy(base)
    for key, value in user.items():
        if _is_empty(value):
            continue
        out[key] = copy.deepcopy(value)
    return out


def merge_env(*layers: list, sort: bool = True) -> list[dict]:
    """Merge env lists by ``name``, a later layer replacing the whole EnvVar (§8.1).

    Entries keep the position of their first appearance; with ``sort`` the result is
    sorted by name, byte-wise (§8.2: ``DYNAMO_PORT`` before ``DYN_…``).
    """
    merged: dict[str, dict] = {}
    for layer in layers:
        for env in layer or []:
            if not isinstance(env, dict):
                continue
            merged[str(env.get("name", ""))] = copy.deepcopy(env)
    values = list(merged.values())
    if sort:
        values.sort(key=lambda e: str(e.get("name", "")).encode())
    return values


def has_handler(probe: dict) -> bool:
    """True when the probe names one of ``exec``, ``httpGet``, ``tcpSocket``, ``grpc``."""
    return any(probe.get(h) is not None for h in PROBE_HANDLERS)


def apply_probe(current: dict | None, user: dict) -> dict:
    """The probe rule of §9.2 (D9, R4).

    A user probe with a handler replaces the current probe as a whole; one without a
    handler is laid over the current probe (its handler and unset fields kept);
    without a current probe that is an error.

    Raises:
        ProbeError: the user probe names no handler and there is no probe to complete.
    """
    if has_handler(user):
        return copy.deepcopy(user)
    if current is None:
        raise ProbeError(
            "expected the probe to name a handler (`exec`, `httpGet`, `tcpSocket` or `grpc`): there is no "
            "default probe of this kind to complete"
        )
    return {**copy.deepcopy(current), **copy.deepcopy(user)}


# --- canonicalisation (§13; controller_common/pod.go CanonicalizePodSpec) -----------------


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _key_bytes(*parts: Any) -> tuple:
    return tuple(_text(p).encode() for p in parts)


def _number_key(value: Any) -> tuple:
    """A total order over what a user may write for a numeric field: numbers by value (unset as 0), then text.

    A wrong type (``tolerationSeconds: "x"``) is a validation error; this only keeps the sort from failing.
    """
    if value is None:
        return (0, 0, b"")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value == value:  # NaN is not ordered
        return (0, value, b"")
    return (1, 0, _text(value).encode())


def _env_from_key(source: dict) -> tuple:
    prefix = _text(source.get("prefix"))
    if isinstance(source.get("configMapRef"), dict):
        return _key_bytes(f"cm:{_text(source['configMapRef'].get('name'))}:{prefix}")
    if isinstance(source.get("secretRef"), dict):
        return _key_bytes(f"sec:{_text(source['secretRef'].get('name'))}:{prefix}")
    return _key_bytes(f"other:{prefix}")


def _sort_list(value: Any, key) -> Any:
    if not isinstance(value, list):
        return value
    return sorted(value, key=lambda item: key(item) if isinstance(item, dict) else (b"",))


def canonicalize_container(container: dict) -> dict:
    """Sort a container's env, envFrom, ports, volume mounts and capabilities (§13)."""
    out = dict(container)
    if "env" in out:
        out["env"] = _sort_list(out["env"], lambda e: _key_bytes(e.get("name")))
    if "envFrom" in out:
        out["envFrom"] = _sort_list(out["envFrom"], _env_from_key)
    if "ports" in out:
        out["ports"] = _sort_list(out["ports"], lambda p: (_text(p.get("name")).encode(), _number_key(p.get("containerPort"))))
    if "volumeMounts" in out:
        out["volumeMounts"] = _sort_list(out["volumeMounts"], lambda m: _key_bytes(m.get("name"), m.get("mountPath")))
    caps = (out.get("securityContext") or {}).get("capabilities") if isinstance(out.get("securityContext"), dict) else None
    if isinstance(caps, dict):
        caps = dict(caps)
        for key in ("add", "drop"):
            if isinstance(caps.get(key), list):
                caps[key] = sorted(caps[key], key=lambda v: _text(v).encode())
        out["securityContext"] = {**out["securityContext"], "capabilities": caps}
    return out


def _items_key(item: dict) -> tuple:
    return _key_bytes(item.get("key"), item.get("path"))


def _canonicalize_volume(volume: dict) -> dict:
    out = dict(volume)
    for source in ("configMap", "secret"):
        if isinstance(out.get(source), dict) and isinstance(out[source].get("items"), list):
            out[source] = {**out[source], "items": _sort_list(out[source]["items"], _items_key)}
    if isinstance(out.get("downwardAPI"), dict) and isinstance(out["downwardAPI"].get("items"), list):
        out["downwardAPI"] = {
            **out["downwardAPI"],
            "items": _sort_list(out["downwardAPI"]["items"], lambda i: _key_bytes(i.get("path"))),
        }
    projected = out.get("projected")
    if isinstance(projected, dict) and isinstance(projected.get("sources"), list):
        sources = []
        for src in projected["sources"]:
            if isinstance(src, dict):
                src = dict(src)
                for kind in ("configMap", "secret"):
                    if isinstance(src.get(kind), dict) and isinstance(src[kind].get("items"), list):
                        src[kind] = {**src[kind], "items": _sort_list(src[kind]["items"], _items_key)}
                if isinstance(src.get("downwardAPI"), dict) and isinstance(src["downwardAPI"].get("items"), list):
                    src["downwardAPI"] = {
                        **src["downwardAPI"],
                        "items": _sort_list(src["downwardAPI"]["items"], lambda i: _key_bytes(i.get("path"))),
                    }
            sources.append(src)
        out["projected"] = {**projected, "sources": _sort_list(sources, _projection_key)}
    return out


def _projection_key(source: dict) -> tuple:
    if isinstance(source.get("configMap"), dict):
        return _key_bytes(f"cm:{_text(source['configMap'].get('name'))}")
    if isinstance(source.get("secret"), dict):
        return _key_bytes(f"sec:{_text(source['secret'].get('name'))}")
    if source.get("downwardAPI") is not None:
        return _key_bytes("downward:")
    if isinstance(source.get("serviceAccountToken"), dict):
        return _key_bytes(f"sat:{_text(source['serviceAccountToken'].get('audience'))}")
    return _key_bytes("z:other")


def canonicalize_pod_spec(spec: dict) -> dict:
    """Sort every list of a pod spec as the operator's ``CanonicalizePodSpec`` does (§13).

    Sorts are stable (the operator's are not; only equal keys could tell, and pull
    secrets are de-duplicated by name first, R5).
    """
    return _canonicalize_pod_spec(spec, None)[0]


def _canonicalize_pod_spec(spec: dict, main_index: int | None) -> tuple[dict, dict | None]:
    """:func:`canonicalize_pod_spec`, also returning the canonical ``containers[main_index]`` itself."""
    out = dict(spec)
    main = None
    for key in ("containers", "initContainers", "ephemeralContainers"):
        if isinstance(out.get(key), list):
            containers = [canonicalize_container(c) if isinstance(c, dict) else c for c in out[key]]
            if key == "containers" and main_index is not None:
                main = containers[main_index]
            out[key] = _sort_list(containers, lambda c: _key_bytes(c.get("name")))
    if isinstance(out.get("imagePullSecrets"), list):
        seen: set = set()
        unique = []
        for ref in out["imagePullSecrets"]:
            name = ref.get("name") if isinstance(ref, dict) else None
            marker = name if isinstance(name, str) or name is None else repr(name)  # a wrong type is a V2 error
            if marker in seen:
                continue
            seen.add(marker)
            unique.append(ref)
        out["imagePullSecrets"] = _sort_list(unique, lambda r: _key_bytes(r.get("name")))
    if isinstance(out.get("volumes"), list):
        volumes = [_canonicalize_volume(v) if isinstance(v, dict) else v for v in out["volumes"]]
        out["volumes"] = _sort_list(volumes, lambda v: _key_bytes(v.get("name")))
    if isinstance(out.get("tolerations"), list):
        out["tolerations"] = _sort_list(
            out["tolerations"],
            lambda t: (*_key_bytes(t.get("key"), t.get("operator"), t.get("value"), t.get("effect")),
                       _number_key(t.get("tolerationSeconds"))),
        )
    if isinstance(out.get("topologySpreadConstraints"), list):
        out["topologySpreadConstraints"] = _sort_list(
            out["topologySpreadConstraints"],
            lambda c: (*_key_bytes(c.get("topologyKey"), c.get("whenUnsatisfiable")), _number_key(c.get("maxSkew"))),
        )
    if isinstance(out.get("hostAliases"), list):
        aliases = []
        for alias in out["hostAliases"]:
            if isinstance(alias, dict) and isinstance(alias.get("hostnames"), list):
                alias = {**alias, "hostnames": sorted(alias["hostnames"], key=lambda h: _text(h).encode())}
            aliases.append(alias)
        out["hostAliases"] = _sort_list(aliases, lambda a: _key_bytes(a.get("ip")))
    dns = out.get("dnsConfig")
    if isinstance(dns, dict):
        dns = dict(dns)
        if isinstance(dns.get("options"), list):
            dns["options"] = _sort_list(dns["options"], lambda o: _key_bytes(o.get("name"), o.get("value")))
        for key in ("nameservers", "searches"):
            if isinstance(dns.get(key), list):
                dns[key] = sorted(dns[key], key=lambda v: _text(v).encode())
        out["dnsConfig"] = dns
    return out, main


# --- resources (§11; controller_common/resource.go GetResourcesConfig) --------------------


def container_resources(resources: dict[str, dict[str, Any]]) -> dict[str, dict[str, str]]:
    """Map Dynamo resources to container ``requests`` / ``limits`` (GPU limit only), quantities canonical.

    The quantities have passed the resource rules (``graph.rules.resources``).
    """
    out: dict[str, dict[str, str]] = {}
    for kind in ("requests", "limits"):
        item = resources.get(kind)
        if not item:
            continue
        values: dict[str, str] = {}
        for name, target in (("cpu", "cpu"), ("memory", "memory"), ("gpu", defaults.GPU_RESOURCE)):
            if name == "gpu" and kind == "requests":
                continue  # requests.gpu is never emitted (the GPU request defaults from the limit)
            if name in item:
                values[target] = quantity.canonical(item[name])
        for name, raw in (item.get("custom") or {}).items():
            values[name] = quantity.canonical(raw)
        if values:
            out[kind] = values
    return out


def _canonical_resource_lists(resources: Any) -> Any:
    """Canonical quantities inside a user container's ``resources`` (typed in the operator).

    The quantities have passed the resource rules (``graph.rules.resources``).
    """
    if not isinstance(resources, dict):
        return resources
    out = dict(resources)
    for kind in ("limits", "requests"):
        if isinstance(out.get(kind), dict):
            out[kind] = {
                name: quantity.canonical(raw) for name, raw in out[kind].items()
            }
            if not out[kind]:
                del out[kind]
    return out


# --- the pipeline (§6) -----------------------------------------------------------------


@dataclass
class PodContext:
    """Everything outside the component spec that the pod depends on."""

    dgd_name: str
    dgd_namespace: str | None
    dgd_annotations: dict[str, str]
    cfg: FunctionConfig
    secrets: SecretIndex
    service_account: str
    table: defaults.OperatorDefaults = defaults.CURRENT


@dataclass
class PodTemplate:
    """A built pod template plus what the workload wrappers need to know about it."""

    labels: dict[str, str]
    annotations: dict[str, str]
    spec: dict
    main_container: dict

    def as_dict(self) -> dict:
        metadata: dict[str, Any] = {"labels": self.labels}
        if self.annotations:
            metadata["annotations"] = self.annotations
        return {"metadata": metadata, "spec": self.spec}


def pod_labels(component: Component, ctx: PodContext) -> dict[str, str]:
    """Pod template labels in the order of §12.1 (later keys overwrite earlier ones)."""
    labels = {
        defaults.LABEL_COMPONENT: component.key,
        defaults.LABEL_DYNAMO_NAMESPACE: component.dynamo_namespace,
        defaults.LABEL_GRAPH_NAME: ctx.dgd_name,
    }
    if metrics_enabled(component, ctx):
        labels[defaults.LABEL_METRICS_ENABLED] = "true"
    if component.component_type:
        labels[defaults.LABEL_COMPONENT_TYPE] = component.component_type
    if component.spec.subComponentType:
        labels[defaults.LABEL_SUB_COMPONENT_TYPE] = component.spec.subComponentType
    labels[defaults.LABEL_SELECTOR] = component.name
    labels.update(component.labels)  # D4
    extra = component.spec.extraPodMetadata
    labels.update((extra.labels if extra else None) or {})
    return labels


def pod_annotations(component: Component) -> dict[str, str]:
    """Service annotations (D5), then ``extraPodMetadata.annotations`` (§12.2)."""
    annotations = dict(component.annotations)
    extra = component.spec.extraPodMetadata
    annotations.update((extra.annotations if extra else None) or {})
    return annotations


def metrics_enabled(component: Component, ctx: PodContext) -> bool:
    """The metrics label unless the effective ``nvidia.com/enable-metrics`` is exactly "false"."""
    key = defaults.ANNOTATION_ENABLE_METRICS
    value = ctx.dgd_annotations.get(key) if key in ctx.dgd_annotations else component.annotations.get(key)
    return value != "false"


def _render_env(template: tuple[tuple[str, str], ...], component: Component, ctx: PodContext) -> list[dict]:
    out = []
    for name, value in template:
        if value == "{dgd_namespace}" and not ctx.dgd_namespace:
            # D17: no namespace yet (kustomize base); the pod reads its own at run time.
            out.append({"name": name, "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}})
            continue
        out.append({
            "name": name,
            "value": value.format(
                dynamo_namespace=component.dynamo_namespace,
                dgd_name=ctx.dgd_name,
                dgd_namespace=ctx.dgd_namespace or "",
            ),
        })
    return out


def _platform_env(cfg: FunctionConfig) -> list[dict]:
    """Step 9: operator-level env from functionConfig, only when configured (D13)."""
    pairs = (
        (defaults.ENV_NATS_SERVER, cfg.natsServer),
        (defaults.ENV_ETCD_ENDPOINTS, cfg.etcdEndpoints),
        (defaults.ENV_MODEL_EXPRESS_URL, cfg.modelExpressUrl),
        (defaults.ENV_PROMETHEUS_ENDPOINT, cfg.prometheusEndpoint),
    )
    return [{"name": name, "value": value} for name, value in pairs if value]


def base_container(component_defaults: defaults.ComponentDefaults) -> dict:
    """Step 2: the main container of a component type, before any user input (env aside)."""
    container: dict[str, Any] = {"name": defaults.MAIN_CONTAINER, "command": list(component_defaults.command)}
    if component_defaults.args:
        container["args"] = list(component_defaults.args)
    if component_defaults.ports:
        container["ports"] = [dict(p) for p in component_defaults.ports]
    for kind in PROBE_KINDS:
        if kind in component_defaults.probes:
            container[kind] = copy.deepcopy(dict(component_defaults.probes[kind]))
    return container


def build_pod_template(component: Component, ctx: PodContext, report: Report, *,
                       role: str = ROLE_MAIN, node_count: int = 1,
                       deployer: backends.Deployer = backends.LWS, service_name: str | None = None,
                       debug_sidecar: bool = True) -> PodTemplate:
    """Build the pod template of one pod role of a validated component, in the operator's step order.

    The component has passed every rule (``graph.rules``); ``report`` gets info results only.

    ``role``/``node_count`` select the backend's multinode rewrites (steps 11 and 15),
    with ``deployer`` (LWS or Grove strings) and ``service_name`` (the name handed to
    backends; Grove: the services key verbatim). ``debug_sidecar`` is False under
    Grove, which has no DCD controller to add it (multinode-and-backends §6.2).
    """
    path = component.path
    mc_path = f"{path}.extraPodSpec.mainContainer"
    component_defaults = ctx.table.for_component(component.component_type)
    user_main = component.main_container

    # Steps 2–3: base container, mainContainer merged over it (env and probes apart).
    container = merge_container(base_container(component_defaults), {k: v for k, v in user_main.items() if k != "env"})
    if "resources" in container:
        container["resources"] = _canonical_resource_lists(container["resources"])
    image = component.image  # D15, derived once (the image rule ensures there is one)
    if image:
        container["image"] = image

    probe_from_user = {kind: False for kind in PROBE_KINDS}
    user_probes = [(kind, user_main.get(kind), f"{mc_path}.{kind}") for kind in PROBE_KINDS]
    # Step 5 (and D22): service-level probes win over mainContainer ones.
    user_probes += [(kind, getattr(component.spec, kind), f"{path}.{kind}") for kind in PROBE_KINDS]
    for kind, probe, _ in user_probes:
        if isinstance(probe, dict):  # the probe rule ensures apply_probe has a probe to complete
            container[kind] = apply_probe(container.get(kind), probe)
            probe_from_user[kind] = True

    # Steps 4 and 9 (D18): platform < defaults < DGD envs < mainContainer.env < service envs.
    env = merge_env(
        _platform_env(ctx.cfg),
        _render_env(component_defaults.env, component, ctx),
        component.dgd_envs,
        user_main.get("env") if isinstance(user_main.get("env"), list) else [],
        component.service_envs,
        sort=False,
    )

    # Step 6: Dynamo resources key by key over the container's.
    mapped = container_resources(component.resources)
    if mapped:
        current = container.get("resources") if isinstance(container.get("resources"), dict) else {}
        merged = dict(current)
        for kind, values in mapped.items():
            merged[kind] = {**(current.get(kind) or {}), **values}
        container["resources"] = merged

    # Step 7: image pull secrets of the main container's image (D14, R5).
    discovered: list[str] = []
    if image and component.annotations.get(defaults.ANNOTATION_DISABLE_PULL_SECRET_DISCOVERY) != "true":
        discovered = ctx.secrets.secrets_for(image)

    # Step 8: envFromSecret after any mainContainer.envFrom.
    if component.spec.envFromSecret:
        container["envFrom"] = list(container.get("envFrom") or []) + [
            {"secretRef": {"name": component.spec.envFromSecret}}
        ]

    # Step 10: PVC and shared-memory volumes and mounts.
    assert component.backend is not None, "a component that passed the backend rule has a backend"
    volumes = storage.pod_volumes(component.spec, component.backend)
    if volumes.mounts:
        container["volumeMounts"] = list(container.get("volumeMounts") or []) + volumes.mounts

    # Step 11: backend container hook: compilation-cache env (D8/R6), then the multinode
    # rewrites, which read the final env (TRT-LLM `-x` list) and keep user probes (D9).
    env = backends.add_env_if_absent(env, backends.compilation_cache_env(component.backend, volumes.cache_mount_path))
    container["env"] = merge_env(env)
    pod_role = backends.PodRole(
        role=role,
        node_count=node_count,
        service_name=component.name if service_name is None else service_name,
        deployer=deployer,
        resources=component.resources,
        secret_name=ctx.cfg.mpiRunSecretName,
        user_probes=frozenset(kind for kind, user in probe_from_user.items() if user),
    )
    if component.backend is not None:
        container = backends.update_container(component.backend, container, pod_role)

    # Steps 12–13: base pod spec, extraPodSpec over it.
    pod_spec = copy.deepcopy(dict(component_defaults.pod))
    user_pod = component.spec.extraPodSpec.pod_fields() if component.spec.extraPodSpec else {}
    default_sa = pod_spec.get("serviceAccountName")
    user_sa = user_pod.get("serviceAccountName")
    if default_sa and user_sa and user_sa != default_sa:
        report.info(
            f"{path}.extraPodSpec.serviceAccountName",
            f'keeping the planner\'s service account "{user_sa}"; the operator would force "{default_sa}" (D21)',
        )
    pod_spec = merge_pod_spec(pod_spec, user_pod)

    # Step 14: our items after the user's (their quantities canonical, as typed objects serialise).
    # (The quantities have passed the resource and storage rules.)
    user_containers = _list(user_pod.get("containers"))
    for sidecar in user_containers:
        if isinstance(sidecar, dict) and "resources" in sidecar:
            sidecar["resources"] = _canonical_resource_lists(sidecar["resources"])
    if "initContainers" in pod_spec and isinstance(pod_spec["initContainers"], list):
        for init in pod_spec["initContainers"]:
            if isinstance(init, dict) and "resources" in init:
                init["resources"] = _canonical_resource_lists(init["resources"])
    user_volumes = _list(user_pod.get("volumes"))
    for volume in user_volumes:
        empty_dir = volume.get("emptyDir") if isinstance(volume, dict) else None
        if isinstance(empty_dir, dict) and empty_dir.get("sizeLimit") is not None:
            empty_dir["sizeLimit"] = quantity.canonical(empty_dir["sizeLimit"])
    pod_spec["containers"] = user_containers + [container]
    pod_spec["volumes"] = user_volumes + volumes.volumes
    pod_spec["imagePullSecrets"] = _list(user_pod.get("imagePullSecrets")) + [{"name": n} for n in discovered]
    for key in ("volumes", "imagePullSecrets"):
        if not pod_spec[key]:
            del pod_spec[key]

    # Step 15: backend pod hook (TRT-LLM multinode: the MPI SSH secret volume).
    if component.backend is not None:
        pod_spec = backends.update_pod_spec(component.backend, pod_spec, pod_role)

    # Step 16: canonical list order.
    main_index = next((i for i, c in enumerate(pod_spec["containers"]) if c is container), None)
    pod_spec, main = _canonicalize_pod_spec(pod_spec, main_index)

    # Step 17: service account when still unset (D14).
    if not pod_spec.get("serviceAccountName") and ctx.service_account:
        pod_spec["serviceAccountName"] = ctx.service_account

    # Step 18: debugger sidecar, last container (§15).
    if debug_sidecar and component.annotations.get(defaults.ANNOTATION_ENABLE_DEBUG_MODE) == "true":
        pod_spec["containers"] = pod_spec["containers"] + [debugger_container(ctx.cfg.debuggerImage)]
        pod_spec["shareProcessNamespace"] = True

    return PodTemplate(
        labels=pod_labels(component, ctx),
        annotations=pod_annotations(component),
        spec=pod_spec,
        main_container=main if main is not None else container,
    )


def debugger_container(image: str) -> dict:
    """The debugger sidecar of §15 with canonical quantities (``1000m`` serialises as ``1``)."""
    container = copy.deepcopy(dict(defaults.DEBUGGER_CONTAINER))
    container = {"name": container.pop("name"), "image": image, **container}
    resources = container["resources"]
    for kind in resources:
        resources[kind] = {k: quantity.canonical(v) for k, v in resources[kind].items()}
    return container


def _list(value: Any) -> list:
    return copy.deepcopy(value) if isinstance(value, list) else []
