# SPDX-License-Identifier: Apache-2.0
"""The endpoint picker (``componentType: epp``, operator 1.0 on): its pod additions and its objects.

Pod: the main container's arguments name the graph's InferencePool, and it mounts the
EndpointPickerConfig (``<dgd>-epp-config``, or the user's ``eppConfig.configMapRef``) and a
cache ``emptyDir``; both volumes are part of the base pod (P10), and stay after a user's
``extraPodSpec.volumes`` (D59). Objects: the ConfigMap made from ``eppConfig.config`` (none
with a ``configMapRef``) and the InferencePool (N07); the EPP's Service on its gRPC port is
the one every component gets under Kubernetes discovery (N01, :mod:`.componentservice`).
Operator source: ``dynamo/component_epp.go``, ``dynamo/epp/config.go``,
``dynamo/epp/inference_pool.go``, ``controller/dynamographdeployment_controller.go``
(``reconcileEPPResources``). The component has passed the EPP rules (``graph.rules.epp``).
"""

from __future__ import annotations

from typing import Any

from krm_dynamo import defaults
from krm_dynamo.defaults.components import COMPONENT_EPP
from krm_dynamo.graph.component import Component
from krm_dynamo.kube import fieldorder
from krm_dynamo.render.metadata import object_metadata

POD_NAMESPACE_REFERENCE = "$(POD_NAMESPACE)"  # D55: the pod's own namespace, expanded by the kubelet


def is_epp(component: Component, table: defaults.OperatorDefaults) -> bool:
    """The component is an endpoint picker under a release that has them (P10)."""
    return component.component_type == COMPONENT_EPP and table.switch("P10")


def _fill(value: str, dgd_name: str, dgd_namespace: str | None) -> str:
    return value.replace("{dgd_name}", dgd_name).replace("{dgd_namespace}", dgd_namespace or POD_NAMESPACE_REFERENCE)


def with_epp_container(container: dict[str, Any], component: Component, dgd_name: str, dgd_namespace: str | None,
                       table: defaults.OperatorDefaults) -> dict[str, Any]:
    """The EPP's base container before ``mainContainer`` is laid over it: arguments filled in, mounts added.

    Without ``metadata.namespace`` the pool namespace argument is ``$(POD_NAMESPACE)`` (D55).
    Any other component is returned unchanged.
    """
    if not is_epp(component, table):
        return container
    gaie = table.epp.values
    if "command" in container and not container["command"]:
        del container["command"]  # an empty list: omitted from the operator's JSON
    container["args"] = [_fill(a, dgd_name, dgd_namespace) for a in container.get("args") or []]
    container["volumeMounts"] = [
        {"name": gaie["configVolume"], "readOnly": True, "mountPath": gaie["configMountPath"]},
        {"name": gaie["cacheVolume"], "mountPath": gaie["cacheMountPath"]},
    ]
    return container


def with_epp_volumes(pod_spec: dict[str, Any], component: Component, dgd_name: str,
                     table: defaults.OperatorDefaults) -> dict[str, Any]:
    """The EPP's base pod spec with its config and cache volumes (before ``extraPodSpec``)."""
    if not is_epp(component, table):
        return pod_spec
    gaie = table.epp.values
    name, key = config_map_source(component, dgd_name, table)
    pod_spec["volumes"] = [
        {"name": gaie["configVolume"],
         "configMap": {"name": name, "items": [{"key": key, "path": gaie["configKey"]}]}},
        {"name": gaie["cacheVolume"], "emptyDir": {}},
    ]
    return pod_spec


def keep_base_volumes(merged: dict[str, Any], base: dict[str, Any], component: Component,
                      table: defaults.OperatorDefaults) -> dict[str, Any]:
    """D59: an EPP keeps its config and cache volumes after a user's ``extraPodSpec.volumes``.

    The operator's merge replaces the base pod's volume list with the user's, while the main
    container still mounts ``epp-config`` and ``hf-cache``: the API server rejects that pod. Here
    the user's volumes come first, then the EPP's that the user does not name.
    """
    if not is_epp(component, table) or merged.get("volumes") == base.get("volumes"):
        return merged
    user = merged.get("volumes") or []
    names = {v.get("name") for v in user if isinstance(v, dict)}
    kept = [v for v in base.get("volumes") or [] if v["name"] not in names]
    merged["volumes"] = [*user, *kept]
    return merged


def config_map_source(component: Component, dgd_name: str, table: defaults.OperatorDefaults) -> tuple[str, str]:
    """``(ConfigMap name, key)`` the EPP reads its config from: the user's ``configMapRef`` or the generated one."""
    gaie = table.epp.values
    ref = (component.spec.eppConfig or {}).get("configMapRef")
    if isinstance(ref, dict):
        return str(ref["name"]), str(ref.get("key") or gaie["configKey"])
    return _fill(str(gaie["configMapName"]), dgd_name, None), str(gaie["configKey"])


def graph_objects(epp: Component, dgd_name: str, namespace: str | None,
                  table: defaults.OperatorDefaults) -> list[dict[str, Any]]:
    """N07: the DGD-level objects of its EPP service: the config ConfigMap (unless referenced) and the
    InferencePool; none before 1.0."""
    if not table.switch("N07"):
        return []
    gaie = table.epp.values
    labels = {defaults.LABEL_GRAPH_NAME: dgd_name, defaults.LABEL_COMPONENT: epp.key,
              defaults.LABEL_COMPONENT_TYPE: COMPONENT_EPP}
    objects = []
    config = (epp.spec.eppConfig or {}).get("config")
    if isinstance(config, dict) and not isinstance((epp.spec.eppConfig or {}).get("configMapRef"), dict):
        from krm_dynamo.kube import goyaml  # only for a graph with an EPP (start-up cost)

        name, key = config_map_source(epp, dgd_name, table)
        objects.append(fieldorder.ordered({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": object_metadata(name, namespace, labels, {}),
            "data": {key: goyaml.marshal(endpoint_picker_config(config, table))},
        }, "ConfigMap"))
    pool = {
        "apiVersion": gaie["inferencePoolApiVersion"], "kind": "InferencePool",
        "metadata": object_metadata(_fill(str(gaie["poolName"]), dgd_name, None), namespace, labels, {}),
        "spec": {
            "selector": {"matchLabels": {defaults.LABEL_COMPONENT_TYPE: gaie["poolSelectorComponentType"],
                                         defaults.LABEL_DYNAMO_NAMESPACE: epp.dynamo_namespace}},
            "targetPorts": [{"number": gaie["poolTargetPort"]}],
            "endpointPickerRef": {"kind": gaie["endpointPickerKind"], "name": epp.name,
                                  "port": {"number": gaie["endpointPickerPort"]}},
        },
    }
    objects.append(fieldorder.ordered(pool, "InferencePool"))
    return objects


def endpoint_picker_config(config: dict[str, Any], table: defaults.OperatorDefaults) -> dict[str, Any]:
    """``eppConfig.config`` read into the typed EndpointPickerConfig and written back as the operator does.

    Fields the type does not have are dropped; ``plugins`` and ``schedulingProfiles`` (and each
    plugin's ``parameters`` and each profile plugin's ``weight``) are always written, ``null``
    when unset; ``featureGates`` and ``saturationDetector`` only when set, the detector's zero
    numbers left out and its ``metricsStalenessThreshold`` always written as a Go duration.
    The config has passed the EPP rules.
    """
    gaie = table.epp.values
    out: dict[str, Any] = {"apiVersion": gaie["configApiVersion"], "kind": gaie["configKind"]}
    plugins = config.get("plugins")
    out["plugins"] = None if plugins is None else [
        {"name": p.get("name") or "", "type": p.get("type") or "", "parameters": p.get("parameters")}
        for p in plugins]
    profiles = config.get("schedulingProfiles")
    out["schedulingProfiles"] = None if profiles is None else [
        {"name": p.get("name") or "",
         "plugins": None if p.get("plugins") is None else [
             {"pluginRef": s.get("pluginRef") or "", "weight": s.get("weight")} for s in p["plugins"]]}
        for p in profiles]
    if config.get("featureGates"):
        out["featureGates"] = list(config["featureGates"])
    detector = config.get("saturationDetector")
    if isinstance(detector, dict):
        from krm_dynamo.kube import durations  # only for a graph with an EPP (start-up cost)

        sd: dict[str, Any] = {}
        for name in ("queueDepthThreshold", "kvCacheUtilThreshold"):
            if detector.get(name):
                sd[name] = detector[name]
        staleness = detector.get("metricsStalenessThreshold")
        sd["metricsStalenessThreshold"] = durations.format_duration(durations.parse_duration(staleness or "0s"))
        out["saturationDetector"] = sd
    return out
