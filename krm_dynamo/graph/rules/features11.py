# SPDX-License-Identifier: Apache-2.0
"""Rules of the operator 1.1 features: ``frontendSidecar``, ``gpuMemoryService``, ``failover``
and the graph's ``spec.labels`` / ``spec.annotations`` (S14, S15, S16, S18; V05).

Two kinds: the CRD's schema for the fields (the parse keeps them as written, so their shape is
checked here: required fields, types, enums, bounds), and the operator's validating webhook
(``webhook/validation/shared.go`` ``validateFrontendSidecar``, ``validateGPUMemoryService``,
``validateFailover``; ``dynamographdeployment.go`` ``validateFailoverRequiresDiscoveryMode``)
plus the one check the operator makes while building the pod (failover needs vLLM,
``failover.go`` ``buildFailoverPod``). A field of a later release never gets here
(:mod:`krm_dynamo.api.releases` drops it). Each rule runs where its field's switch is on (S14,
S15, S16): the webhook's rules for these fields (their part of V05) come with the field, which
exists from 1.1; the switch ``V05`` itself is read by the EPP rules, its 1.0 part
(:mod:`krm_dynamo.graph.rules.epp`).
"""

from __future__ import annotations

from typing import Any

from krm_dynamo import defaults
from krm_dynamo.api import shapes
from krm_dynamo.defaults.admission import ANNOTATION_KUBE_DISCOVERY_MODE
from krm_dynamo.defaults.features11 import value
from krm_dynamo.graph import features11
from krm_dynamo.graph.derive import DerivedGraph
from krm_dynamo.graph.report import Report
from krm_dynamo.graph.rules.context import ServiceCheck, mapping, show
from krm_dynamo.kube import naming

_MODES = tuple(shapes.MODES)
_FIELDS = {  # the known keys, from the table the schema shows
    "frontendSidecar": shapes.known(shapes.FRONTEND_SIDECAR),
    "gpuMemoryService": shapes.known(shapes.GPU_MEMORY_SERVICE),
    "failover": shapes.known(shapes.FAILOVER),
}


def _shape(spec: Any, path: str, name: str, report: Report) -> bool:
    """The field is a mapping; unknown keys are warned about (the API server prunes them)."""
    return mapping(spec, path, _FIELDS[name], report) is not None


def _check_mode(spec: dict[str, Any], path: str, report: Report) -> None:
    mode = spec.get("mode")
    if mode is not None and mode not in _MODES:
        report.error(f"{path}.mode", f'expected `mode` to be "intraPod" or "interPod", got {show(mode)}')


def _check_enabled(spec: dict[str, Any], path: str, report: Report) -> None:
    if "enabled" not in spec:
        report.error(path, "expected `enabled` (true or false), found none: the CRD requires it")
    elif not isinstance(spec["enabled"], bool):
        report.error(f"{path}.enabled", f"expected `enabled` to be true or false, got {show(spec['enabled'])}")


def check_frontend_sidecar(s: ServiceCheck, report: Report) -> None:
    """``frontendSidecar``: ``image`` a string (required), ``args`` strings, ``envFromSecret`` a
    string, ``envs`` env vars with a name; no ``extraPodSpec.containers`` entry of the sidecar's name."""
    spec, path = s.svc.frontendSidecar, f"{s.path}.frontendSidecar"
    if spec is None or not s.graph.table.switch("S14") or not _shape(spec, path, "frontendSidecar", report):
        return
    image = spec.get("image")
    if not isinstance(image, str) or not image.strip():
        found = "found none" if image is None else f"got {show(image)}"
        report.error(f"{path}.image", f"expected `image`, the sidecar's container image, {found}")
    args = spec.get("args")
    if args is not None and not (isinstance(args, list) and all(isinstance(a, str) for a in args)):
        report.error(f"{path}.args", f"expected `args` to be a list of strings, got {show(args)}")
    secret = spec.get("envFromSecret")
    if secret is not None and not isinstance(secret, str):
        report.error(f"{path}.envFromSecret", f"expected `envFromSecret` to be a Secret name, got {show(secret)}")
    envs = spec.get("envs")
    if envs is not None and not (isinstance(envs, list)
                                 and all(isinstance(e, dict) and isinstance(e.get("name"), str) for e in envs)):
        report.error(f"{path}.envs", f"expected `envs` to be a list of env vars with a `name`, got {show(envs)}")
    name = value(s.graph.table.features, "frontendSidecarName")
    for i, container in enumerate(s.component.pod_fields.get("containers") or []):
        if isinstance(container, dict) and container.get("name") == name:
            report.error(f"{s.path}.extraPodSpec.containers[{i}].name",
                         f'cannot add the frontend sidecar: a container named "{name}" is already in '
                         "extraPodSpec.containers (the operator's webhook rejects it)")


def check_gpu_memory_service(s: ServiceCheck, report: Report) -> None:
    """``gpuMemoryService``: its schema; when enabled, ``intraPod`` only, a worker type, and a GPU
    count of at least 1 (``limits.gpu``, else ``requests.gpu``, a whole number)."""
    spec, path = s.svc.gpuMemoryService, f"{s.path}.gpuMemoryService"
    if spec is None or not s.graph.table.switch("S15") or not _shape(spec, path, "gpuMemoryService", report):
        return
    _check_enabled(spec, path, report)
    _check_mode(spec, path, report)
    device_class = spec.get("deviceClassName")
    if device_class is not None and not isinstance(device_class, str):
        report.error(f"{path}.deviceClassName", f"expected `deviceClassName` to be a string, got {show(device_class)}")
    if spec.get("enabled") is not True:
        return
    if spec.get("mode") == "interPod":
        report.error(f"{path}.mode", 'mode "interPod" is not yet supported by the operator')
    if s.component.component_type not in s.graph.table.worker_types:
        types = ", ".join(s.graph.table.worker_types)
        report.error(path, f"the GPU memory service is only supported for workers (componentType one of {types}), "
                           f"got {show(s.component.component_type)}")
    count = features11.gpu_count(s.svc)
    if count is None or count < 1:
        _gpu_count_error(s, path, report)
        return
    _check_device_class(s, device_class or value(s.graph.table.features, "gmsDeviceClassName"), path, report)


def _gpu_count_error(s: ServiceCheck, path: str, report: Report) -> None:
    """The webhook's ``strconv.Atoi`` of the GPU count failed or gave less than 1: at the value's field
    when there is one (out of the 64-bit range said as such), else at ``gpuMemoryService``."""
    where, raw = features11.gpu_field(s.svc)
    if not where:
        report.error(path, "the GPU memory service requires `resources.limits.gpu` of at least 1 (a whole number)")
        return
    text = str(raw)[1:] if str(raw)[:1] in "+-" else str(raw)
    beyond = text.isascii() and text.isdigit() and features11.gpu_count(s.svc) is None
    why = " (more than a 64-bit integer holds)" if beyond else ""
    report.error(f"{s.path}.resources.{where}.gpu",
                 f"expected a whole GPU count of at least 1 for the GPU memory service, got {show(raw)}{why}: "
                 "the operator's admission webhook rejects it")


def _check_device_class(s: ServiceCheck, device_class: str, path: str, report: Report) -> None:
    """D50: the DeviceClass is cluster state, looked up among the input's DeviceClasses (D14)."""
    known = s.graph.device_classes
    if device_class in known:
        return
    found = f"not among the input's DeviceClasses ({', '.join(sorted(known))})" if known else \
        "not in the input (add it, annotated `config.kubernetes.io/local-config: \"true\"` so that it is not " \
        "applied, to have it checked)"
    report.warning(path, f'the DeviceClass "{device_class}" is {found}: the operator creates the '
                         "ResourceClaimTemplate, and so the pods, only where it exists (D50)")


def check_failover(s: ServiceCheck, report: Report) -> None:
    """``failover``: its schema; when enabled, the GPU memory service enabled in the same mode,
    ``intraPod`` only, and a vLLM worker."""
    spec, path = s.svc.failover, f"{s.path}.failover"
    if spec is None or not s.graph.table.switch("S16") or not _shape(spec, path, "failover", report):
        return
    _check_enabled(spec, path, report)
    _check_mode(spec, path, report)
    shadows = spec.get("numShadows")
    if shadows is not None and (not isinstance(shadows, int) or isinstance(shadows, bool) or shadows != 1):
        report.error(f"{path}.numShadows", f"expected `numShadows` to be 1 (the CRD's only value), got {show(shadows)}")
    if spec.get("enabled") is not True:
        return
    gms = s.svc.gpuMemoryService
    if not features11.enabled(s.svc, "gpuMemoryService"):
        report.error(path, "failover requires `gpuMemoryService.enabled: true`")
    elif isinstance(gms, dict) and spec.get("mode") and gms.get("mode") and spec["mode"] != gms["mode"]:
        report.error(f"{path}.mode", f"failover.mode {show(spec['mode'])} must match gpuMemoryService.mode "
                                     f"{show(gms['mode'])}")
    if spec.get("mode") == "interPod":
        report.error(f"{path}.mode", 'mode "interPod" is not yet supported by the operator')
    backend = s.backend.name if s.backend is not None else None
    supported = value(s.graph.table.features, "failoverBackends")
    if backend is not None and backend not in supported:
        report.error(path, f"failover is currently supported only for vLLM (detected: {backend})")


def check_failover_discovery_mode(g: DerivedGraph, report: Report) -> None:
    """A graph with failover carries ``nvidia.com/dynamo-kube-discovery-mode: container`` (each engine
    needs its own discovery identity)."""
    if not any(features11.enabled(c.spec, "failover") for c in g.services.values()):
        return
    if g.annotations.get(ANNOTATION_KUBE_DISCOVERY_MODE) != "container":
        report.error("metadata.annotations", f'failover requires per-container Kubernetes discovery: set the '
                                             f'annotation `{ANNOTATION_KUBE_DISCOVERY_MODE}: "container"` on the graph')


def check_graph_metadata(g: DerivedGraph, report: Report) -> None:
    """``spec.labels`` and ``spec.annotations``: maps of strings, valid label keys and values and
    annotation keys; the reserved selector label is not among the labels (R7)."""
    for name in ("labels", "annotations"):
        found = getattr(g.graph, name, None)
        if found is None:
            continue
        path = f"spec.{name}"
        if not isinstance(found, dict):
            report.error(path, f"expected `{name}` to be a mapping of strings to strings, got {show(found)}")
            continue
        bad = [(k, v) for k, v in found.items() if not (isinstance(k, str) and isinstance(v, str))]
        if bad:
            report.error(path, f"expected `{name}` to map strings to strings, got {show(bad[0][0])}: "
                               f"{show(bad[0][1])} (quote the value)")
            continue
        for key, item in found.items():
            if name == "labels":
                naming.check_label(key, item, path, report)
            else:
                naming.check_qualified_name(key, "an annotation key", path, report)
        if name == "labels" and defaults.LABEL_SELECTOR in found:
            report.error(path, f"expected label `{defaults.LABEL_SELECTOR}` to be unset (it selects the pods of "
                               "each service's Deployment)")
