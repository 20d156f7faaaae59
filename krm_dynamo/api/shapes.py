# SPDX-License-Identifier: Apache-2.0
"""Shapes of the 1.x fields that the models keep as written: one table for the schema and the rules.

The models read ``frontendSidecar``, ``gpuMemoryService``, ``failover``, ``topologyConstraint``,
``modelRef``, ``scalingAdapter``, ``checkpoint``, ``eppConfig`` and ``spec.restart`` as written
(``Any``), and their rules (:mod:`krm_dynamo.graph.rules`) check the shape. Each constant here is a
JSON Schema (draft-07) object node with the field names, types, enums and bounds of the operator's
CRD (1.0 and 1.1 give these fields one shape): ``krm-dynamo schema`` puts it on the field (hover
text and completion in editors), and the rules take their known keys (:func:`known`) and enums
(:func:`enum`) from it, so the two cannot drift.

A level whose unknown keys a rule warns about is closed (``additionalProperties: false``, as every
Dynamo type in the schema); ``required`` lists what a rule reports as missing. Levels no rule
checks (``checkpoint.identity``, ``eppConfig.configMapRef``, the EPP plugin entries) stay open.
Plain dictionaries only: the rules import this module on the render path.
"""

from __future__ import annotations

from typing import Any

MODES = ["intraPod", "interPod"]  # gpuMemoryService.mode and failover.mode (the CRD enum)
TOPOLOGY_DOMAIN = r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$"  # a packDomain: a lower-case DNS label


def _obj(description: str, properties: dict[str, Any], required: tuple[str, ...] = (), *,
         closed: bool = True) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "object", "properties": properties}
    if description:
        node["description"] = description
    if required:
        node["required"] = list(required)
    if closed:
        node["additionalProperties"] = False
    return node


def _scalar(json_type: str, description: str, **bounds: Any) -> dict[str, Any]:
    return {"type": json_type, "description": description, **bounds}


def _list(description: str, items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "description": description, "items": items}


def known(shape: dict[str, Any]) -> tuple[str, ...]:
    """The field names of an object node, in the table's order (the order results list them in)."""
    return tuple(shape["properties"])


def enum(shape: dict[str, Any], name: str) -> tuple[str, ...]:
    """The allowed values of string field ``name`` of an object node."""
    return tuple(shape["properties"][name]["enum"])


FRONTEND_SIDECAR = _obj("", {
    "image": _scalar("string", "Container image of the frontend that runs beside the worker (required)."),
    "args": _list("Arguments of the frontend sidecar's command.", {"type": "string"}),
    "envFromSecret": _scalar("string", "Name of a Secret whose keys become environment variables of the sidecar."),
    "envs": _list("Environment variables of the sidecar (Kubernetes EnvVar list, each with a `name`).",
                  {"type": "object", "required": ["name"]}),
}, ("image",))

GPU_MEMORY_SERVICE = _obj("", {
    "enabled": _scalar("boolean", "Run the GPU memory service for the component's engine (required)."),
    "mode": _scalar("string", "Where the service runs: `intraPod` (the default; the only one the operator "
                              "supports yet) or `interPod`.", enum=MODES),
    "deviceClassName": _scalar("string", "DeviceClass of the GPU claim the service shares (default "
                                         "`gpu.nvidia.com`)."),
}, ("enabled",))

FAILOVER = _obj("", {
    "enabled": _scalar("boolean", "Keep shadow engines ready to take over from the active one (required); needs "
                                  "the GPU memory service."),
    "mode": _scalar("string", "Where the shadow engines run: `intraPod` (the default; the only one the operator "
                              "supports yet) or `interPod`; the same as `gpuMemoryService.mode`.", enum=MODES),
    "numShadows": _scalar("integer", "Number of shadow engines; 1, the only value allowed.", minimum=1, maximum=1),
}, ("enabled",))

_PACK_DOMAIN = _scalar("string", "Topology level (a lower-case DNS label, such as `rack` or `zone`) all pods "
                                 "are packed into.", pattern=TOPOLOGY_DOMAIN)

TOPOLOGY_CONSTRAINT = _obj("", {"packDomain": _PACK_DOMAIN}, ("packDomain",))  # a service's (required)

GRAPH_TOPOLOGY_CONSTRAINT = _obj("", {
    "topologyProfile": _scalar("string", "Name of the cluster's ClusterTopology whose levels the domains name "
                                         "(required).", minLength=1),
    "packDomain": _PACK_DOMAIN,
}, ("topologyProfile",))

MODEL_REF = _obj("", {
    "name": _scalar("string", "Name of the model (required).", minLength=1),
    "revision": _scalar("string", "Revision of the model, for example a commit or a tag."),
}, ("name",))

SCALING_ADAPTER = _obj("", {
    "enabled": _scalar("boolean", "Let the operator's scaling adapter own the component's replica count "
                                  "(default false)."),
})

CHECKPOINT = _obj("", {
    "enabled": _scalar("boolean", "Snapshot the engine once and restore new pods from it (default false); "
                                  "needs `checkpointRef` or an `identity` with `model` and `backendFramework`."),
    "mode": _scalar("string", "Who takes the checkpoint: `Auto` (the default, the operator) or `Manual`.",
                    enum=["Auto", "Manual"]),
    "checkpointRef": _scalar("string", "Name of an existing checkpoint to restore from."),
    "identity": _obj("What the checkpoint is of: pods of the same identity share it.", {
        "model": _scalar("string", "The model served (required in an identity)."),
        "backendFramework": _scalar("string", "Backend of the engine (required in an identity).",
                                    enum=["vllm", "sglang", "trtllm"]),
        "dynamoVersion": _scalar("string", "Dynamo version of the engine."),
        "tensorParallelSize": _scalar("integer", "Tensor parallel size (default 1).", minimum=1),
        "pipelineParallelSize": _scalar("integer", "Pipeline parallel size (default 1).", minimum=1),
        "dtype": _scalar("string", "Data type of the weights, for example `bfloat16`."),
        "maxModelLen": _scalar("integer", "Longest context the engine serves, in tokens.", minimum=1),
        "extraParameters": {"type": "object", "additionalProperties": {"type": "string"},
                            "description": "Further settings that tell checkpoints apart, as strings."},
    }, closed=False),
})

RESTART = _obj("", {
    "id": _scalar("string", "Restart token (required): every new value restarts the services.", minLength=1),
    "strategy": _obj("How the services restart.", {
        "type": _scalar("string", "`Sequential` (the default: one service after the other) or `Parallel` (all "
                                  "at once).", enum=["Sequential", "Parallel"]),
        "order": _list("Service names in the order a sequential restart takes them; every service once.",
                       {"type": "string"}),
    }),
}, ("id",))

_PLUGIN = _obj("", {
    "type": _scalar("string", "Plugin type (required)."),
    "name": _scalar("string", "Name the profiles refer to the plugin by (default: its type)."),
    "parameters": {"description": "Settings of the plugin, as the plugin reads them."},
}, ("type",), closed=False)

_PROFILE_PLUGIN = _obj("", {
    "pluginRef": _scalar("string", "Name of a plugin of `plugins` (required)."),
    "weight": _scalar("integer", "Weight of a scorer plugin."),
}, ("pluginRef",), closed=False)

ENDPOINT_PICKER_CONFIG = _obj("The endpoint picker's configuration written inline (an EndpointPickerConfig).", {
    "apiVersion": _scalar("string", "API version of the EndpointPickerConfig."),
    "kind": _scalar("string", "Kind, `EndpointPickerConfig`."),
    "plugins": _list("Plugins the picker loads (required).", _PLUGIN),
    "schedulingProfiles": _list("Scheduling profiles, each a list of plugin references (required).", _obj("", {
        "name": _scalar("string", "Name of the profile (required)."),
        "plugins": _list("Plugins of the profile (required).", _PROFILE_PLUGIN),
    }, ("name", "plugins"), closed=False)),
    "featureGates": _list("Feature gates of the picker to turn on.", {"type": "string"}),
    "saturationDetector": _obj("When the pool counts as saturated.", {
        "queueDepthThreshold": _scalar("integer", "Waiting-queue length from which a pod is saturated."),
        "kvCacheUtilThreshold": _scalar("number", "KV-cache utilization (0 to 1) from which a pod is saturated."),
        "metricsStalenessThreshold": _scalar("string", "Age (a Go duration such as `200ms`) from which a "
                                                       "pod's metrics are stale."),
    }),
}, ("plugins", "schedulingProfiles"))

EPP_CONFIG = _obj("", {
    "configMapRef": _obj("A ConfigMap holding the configuration (not with `config`).", {
        "name": _scalar("string", "Name of the ConfigMap (required)."),
        "key": _scalar("string", "Key of the configuration in the ConfigMap (required)."),
        "optional": _scalar("boolean", "Whether the ConfigMap may be missing."),
    }, ("name", "key"), closed=False),
    "config": ENDPOINT_PICKER_CONFIG,
})
