# SPDX-License-Identifier: Apache-2.0
"""Rules of the endpoint picker (``componentType: epp``, ``eppConfig``; operator 1.0 on).

The operator's validating webhook (``webhook/validation/shared.go`` ``validateEPPConfig``,
the EPP part of V05): an EPP runs on one node with one replica and needs ``eppConfig`` with
exactly one of ``configMapRef`` (with a name) and ``config``. The CRD types ``config`` as an
EndpointPickerConfig (``plugins`` and ``schedulingProfiles`` required); the operator reads it
into that type, so fields the type lacks are dropped (warned here). The webhook's check that
the cluster serves the InferencePool API needs the cluster and is not made.
"""

from __future__ import annotations

from typing import Any

from krm_dynamo.api import shapes
from krm_dynamo.defaults.epp import COMPONENT_EPP
from krm_dynamo.graph.derive import DerivedGraph
from krm_dynamo.graph.report import Report
from krm_dynamo.graph.rules.context import ServiceCheck, mapping, show

_CONFIG_FIELDS = shapes.known(shapes.ENDPOINT_PICKER_CONFIG)
_PYTHON_TYPES: dict[str, type | tuple[type, ...]] = {"integer": int, "number": (int, float), "string": str}
_DETECTOR_FIELDS = {  # the saturation detector's fields and their types, from the table the schema shows
    key: _PYTHON_TYPES[node["type"]]
    for key, node in shapes.ENDPOINT_PICKER_CONFIG["properties"]["saturationDetector"]["properties"].items()
}


def check_single_epp(g: DerivedGraph, report: Report) -> None:
    """D57: at most one EPP service per graph (its ConfigMap and InferencePool are one per graph).

    With an EPP, a worker of another type than the pool selects (``prefill``, ``decode``) is warned
    about: the InferencePool never routes to it.
    """
    if not g.table.switch("S13"):
        return
    epps = [c for c in g.services.values() if c.component_type == COMPONENT_EPP]
    for c in epps[1:]:
        report.error(f"{c.path}.componentType",
                     f"expected at most one service of componentType epp in a graph, `{epps[0].key}` is one already: "
                     "the operator makes one InferencePool per graph and would pick either")
    if not epps:
        return
    selected = str(g.table.epp.values["poolSelectorComponentType"])
    for c in g.services.values():
        if c.component_type in g.table.worker_types and c.component_type != selected:
            report.warning(f"{c.path}.componentType",
                           f'the InferencePool selects pods of componentType "{selected}" only: this '
                           f'"{c.component_type}" service is not in the pool (use componentType {selected} with '
                           f"subComponentType {c.component_type})")


def check_epp(s: ServiceCheck, report: Report) -> None:
    """The webhook's EPP rules, and the shape of ``eppConfig`` (read as written)."""
    epp_config = s.svc.eppConfig
    if s.component.component_type != COMPONENT_EPP or not s.graph.table.switch("S13"):
        if epp_config is not None:
            report.warning(f"{s.path}.eppConfig", "`eppConfig` is read only for componentType epp: ignored here")
        return
    if s.graph.table.switch("V05"):  # the webhook's EPP rules, from 1.0
        _check_epp_webhook(s, report)
    _check_epp_mounts(s, report)
    path = f"{s.path}.eppConfig"
    if not isinstance(epp_config, dict):
        return
    ref, config = epp_config.get("configMapRef"), epp_config.get("config")
    if ref is not None and config is None:
        _check_ref(ref, f"{path}.configMapRef", report)
    elif config is not None and ref is None:
        _check_config(config, f"{path}.config", report)
    mapping(epp_config, path, shapes.known(shapes.EPP_CONFIG), report)  # a mapping here: its unknown keys


def _check_epp_webhook(s: ServiceCheck, report: Report) -> None:
    """V05 (EPP part): one node, one replica, and ``eppConfig`` with exactly one of
    ``configMapRef`` and ``config``. The webhook's check that the cluster serves the
    InferencePool API is cluster state and not made."""
    if s.component.multinode:
        report.error(f"{s.path}.multinode", "EPP component cannot be multinode (nodeCount must be 1)")
    if s.svc.replicas is not None and s.svc.replicas != 1:
        report.error(f"{s.path}.replicas", f"EPP component must have exactly 1 replica (found {s.svc.replicas})")
    path, epp_config = f"{s.path}.eppConfig", s.svc.eppConfig
    if not isinstance(epp_config, dict):
        found = "none" if epp_config is None else show(epp_config)
        report.error(path, f"expected `eppConfig` with `configMapRef` or `config` for an EPP component, got {found}")
        return
    ref, config = epp_config.get("configMapRef"), epp_config.get("config")
    if ref is None and config is None:
        report.error(path, "either configMapRef or config must be specified (no default configuration provided)")
    elif ref is not None and config is not None:
        report.error(path, "configMapRef and config are mutually exclusive, only one can be specified")


def _check_epp_mounts(s: ServiceCheck, report: Report) -> None:
    """A user mount list replaces the EPP's config mount (D32); a user volume list keeps its volumes (D59)."""
    gaie = s.graph.table.epp.values
    mounts = s.main.get("volumeMounts")
    if isinstance(mounts, list) and mounts and not any(
            isinstance(m, dict) and m.get("name") == gaie["configVolume"] for m in mounts):
        report.warning(f"{s.mc_path}.volumeMounts",
                       f"replaces the EPP's mounts (the operator's merge): without `{gaie['configVolume']}` at "
                       f"{gaie['configMountPath']} the EPP cannot read its config")
    volumes = s.component.pod_fields.get("volumes")
    if isinstance(volumes, list) and volumes:
        report.info(f"{s.path}.extraPodSpec.volumes",
                    f"the EPP's `{gaie['configVolume']}` and `{gaie['cacheVolume']}` volumes are kept after these; the "
                    "operator's merge would drop them while the EPP still mounts them (D59)")


def _check_ref(ref: Any, path: str, report: Report) -> None:
    if not isinstance(ref, dict) or not isinstance(ref.get("name"), str) or not ref["name"]:
        report.error(f"{path}.name", "eppConfig.configMapRef.name is required")
        return
    if not isinstance(ref.get("key"), str) or not ref["key"]:
        # The CRD types configMapRef as a ConfigMapKeySelector, whose `key` is required: the API server
        # rejects the DGD without it.
        report.error(f"{path}.key", f"eppConfig.configMapRef.key is required (the key of the configuration in the "
                                    f"ConfigMap), got {show(ref.get('key'))}")


def _check_config(config: Any, path: str, report: Report) -> None:
    if not isinstance(config, dict):
        report.error(path, f"expected `config` to be an EndpointPickerConfig mapping, got {show(config)}")
        return
    for key in config:
        if key not in _CONFIG_FIELDS:
            report.warning(f"{path}.{key}", f"`{key}` is not a field of EndpointPickerConfig: the operator drops it")
    _check_list(config, "plugins", path, report, required=("type",), strings=("name", "type"))
    profiles = _check_list(config, "schedulingProfiles", path, report, required=("name", "plugins"), strings=("name",))
    for i, profile in profiles:
        where = f"{path}.schedulingProfiles[{i}]"
        for j, ref in _check_list(profile, "plugins", where, report, required=("pluginRef",), strings=("pluginRef",)):
            weight = ref.get("weight")
            if weight is not None and (not isinstance(weight, int) or isinstance(weight, bool)):
                report.error(f"{where}.plugins[{j}].weight", f"expected `weight` to be an integer, got {show(weight)}")
    gates = config.get("featureGates")
    if gates is not None and (not isinstance(gates, list) or not all(isinstance(x, str) for x in gates)):
        report.error(f"{path}.featureGates", f"expected `featureGates` to be a list of strings, got {show(gates)}")
    detector = config.get("saturationDetector")
    if detector is not None:
        _check_detector(detector, f"{path}.saturationDetector", report)


def _check_list(parent: dict[str, Any], name: str, path: str, report: Report, *, required: tuple[str, ...],
                strings: tuple[str, ...]) -> list[tuple[int, dict[str, Any]]]:
    """``parent[name]`` is a list of mappings with the ``required`` keys and string ``strings``; the good items."""
    items = parent.get(name)
    if not isinstance(items, list):
        found = "none" if items is None else show(items)
        report.error(f"{path}.{name}", f"expected `{name}`, a list (required by the CRD), got {found}")
        return []
    good = []
    for i, item in enumerate(items):
        where = f"{path}.{name}[{i}]"
        missing = [k for k in required if not isinstance(item, dict) or item.get(k) is None]
        wrong = [k for k in strings if isinstance(item, dict) and item.get(k) is not None
                 and not isinstance(item[k], str)]
        if missing or wrong:
            report.error(where, f"expected {', '.join(f'`{k}`' for k in required)} "
                                f"({', '.join(strings)} strings), got {show(item)}")
            continue
        good.append((i, item))
    return good


def _check_detector(detector: Any, path: str, report: Report) -> None:
    if not isinstance(detector, dict):
        report.error(path, f"expected `saturationDetector` to be a mapping, got {show(detector)}")
        return
    for key, value in detector.items():
        kind = _DETECTOR_FIELDS.get(key)
        if kind is None:
            report.warning(f"{path}.{key}", f"`{key}` is not a field of the saturation detector: the operator drops it")
        elif value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
            report.error(f"{path}.{key}", f"expected `{key}` to be a {'duration' if kind is str else 'number'}, "
                                          f"got {show(value)}")
    staleness = detector.get("metricsStalenessThreshold")
    if isinstance(staleness, str):
        from krm_dynamo.kube import durations  # only for a graph with an EPP (start-up cost)

        try:
            durations.parse_duration(staleness)
        except ValueError:
            report.error(f"{path}.metricsStalenessThreshold",
                         f'expected a Go duration (for example "200ms"), got {show(staleness)}')
