# SPDX-License-Identifier: Apache-2.0
"""vLLM multinode launch (``backend_vllm.go``).

Operator 0.6: the Ray rewrite of the ``args`` only (:func:`vllm_multinode_args`). From
operator 1.0 (B01, B02) the rewrite follows the parallelism the launch asks for
(:func:`vllm_container`): a tensor/pipeline world larger than one node's GPUs runs
distributed, with vLLM's multiprocessing executor (``mp``) when :func:`uses_mp` says so, else
Ray; a data-parallel world larger than one node gets vLLM's hybrid load-balancing flags;
anything else is left alone. An ``mp`` worker pod waits for its leader in an init container
(B03, :func:`wait_for_leader`), which from operator 1.1 runs a script from a ConfigMap per DGD
(O01, :func:`wait_leader_config_map`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from krm_dynamo import defaults
from krm_dynamo.kube import fieldorder
from krm_dynamo.render.backends.common import PodRole, add_env_if_absent, launch_values
from krm_dynamo.render.backends.flags import inject_flags, joined
from krm_dynamo.render.metadata import object_metadata

# Patterns are compiled on first use (start-up cost).
_PLACEHOLDER = r"<([a-z][a-z-]*)>"
_KUBELET_VAR = r"\$\((\w+)\)"
_INT = r"[+-]?[0-9]+"


def fill(template: str, **values: Any) -> str:
    """``template`` with each ``<name>`` of ``values`` replaced in one pass (other ``<…>`` kept)."""
    return re.sub(_PLACEHOLDER, lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), template)


# --- operator 0.6 ------------------------------------------------------------------------------


def vllm_multinode_args(args: list[Any] | None, role: str, leader_hostname: str) -> list[Any] | None:
    """0.6: leader ``ray start --head … && <args>`` (unchanged when empty); worker: Ray worker only."""
    if role == defaults.ROLE_LEADER:
        if not args:
            return args
        leader_args = defaults.VLLM_LEADER_ARGS.replace("<port>", str(defaults.RAY_HEAD_PORT))
        return [leader_args.replace("<args>", " ".join(args))]
    if role == defaults.ROLE_WORKER:
        worker_args = defaults.VLLM_WORKER_ARGS.replace("<port>", str(defaults.RAY_HEAD_PORT))
        return [worker_args.replace("<leader>", leader_hostname)]
    return args


# --- the executor choice (B02) -------------------------------------------------------------------


def uses_mp(annotations: Mapping[str, str], table: defaults.OperatorDefaults) -> bool:
    """Multiprocessing (``mp``) rather than Ray: the executor annotation (``mp``/``ray``, any case),
    else the origin version at least the gate's (an invalid executor value falls through)."""
    if not table.switch("B02"):
        return False
    launch = launch_values(table)
    override = annotations.get(launch["vllm.executorAnnotation"])
    if override is not None and override.lower() in ("mp", "ray"):
        return override.lower() == "mp"
    from krm_dynamo.kube import semver  # here: only a 1.x vLLM pod without the executor annotation reads it

    return semver.at_least(annotations.get(launch["vllm.originAnnotation"]), launch["vllm.mpMinOriginVersion"])


# --- operator 1.x rewrite (B01, B02, B04) --------------------------------------------------------


def _flag(tokens: list[str], name: str) -> int:
    """The integer after the first ``name`` that has one (1 when none)."""
    for i, token in enumerate(tokens[:-1]):
        if token == name and re.fullmatch(_INT, tokens[i + 1]):
            return int(tokens[i + 1])
    return 1


def container_gpus(resources: Mapping[str, Any] | None) -> int:
    """GPUs of one node for the vLLM decision: the GPU limit as an integer, else 0."""
    value = str(((resources or {}).get("limits") or {}).get("gpu") or "")
    return int(value) if re.fullmatch(_INT, value) else 0


def vllm_container(out: dict[str, Any], pod: PodRole) -> dict[str, Any]:
    """The 1.x launch rewrite of a multinode pod's container (returned changed or as is)."""
    table = pod.release
    tokens = [t for arg in out.get("args") or [] for t in str(arg).split()]
    gpus = container_gpus(pod.resources)
    world = _flag(tokens, "--tensor-parallel-size") * _flag(tokens, "--pipeline-parallel-size")
    mp = uses_mp(pod.annotations, table)
    if gpus and world > gpus:
        out = _mp(out, pod) if mp else _ray(out, pod)
    elif gpus and world * _flag(tokens, "--data-parallel-size") > gpus:
        out = _data_parallel(out, pod, tokens, gpus // world)
    if mp:
        name, field_path = launch_values(table)["vllm.mpEnv"]
        env = {"name": name, "valueFrom": {"fieldRef": {"fieldPath": field_path}}}
        out["env"] = add_env_if_absent(list(out.get("env") or []), [env])
    return out


def _inject(out: dict[str, Any], pod: PodRole, flags: str, needs_shell: bool) -> dict[str, Any]:
    launch = launch_values(pod.release)
    return inject_flags(out, flags, needs_shell, "vllm", quote_args=True,
                        quote_command=bool(launch["shellQuote.commandTokens"]), shell=("sh", "-c"))


def _mp(out: dict[str, Any], pod: PodRole) -> dict[str, Any]:
    launch = launch_values(pod.release)
    flags = fill(launch["vllm.mpFlags"], n=pod.node_count, leader=pod.deployer.leader_hostname(pod.service_name),
                 port=launch["vllm.mpMasterPort"])
    needs_shell = False
    if pod.role == defaults.ROLE_LEADER:
        flags += " " + launch["vllm.mpLeaderFlags"]
    elif pod.role == defaults.ROLE_WORKER:
        needs_shell = pod.deployer.node_rank_needs_shell
        flags += " " + fill(launch["vllm.mpWorkerFlags"], rank=pod.deployer.node_rank)
    return _inject(out, pod, flags, needs_shell)


def _ray(out: dict[str, Any], pod: PodRole) -> dict[str, Any]:
    launch = launch_values(pod.release)
    if pod.role == defaults.ROLE_LEADER:
        quote = bool(launch["shellQuote.rayLeader"])
        out["args"] = [fill(launch["vllm.rayLeaderArgs"], port=defaults.RAY_HEAD_PORT,
                            command=joined(list(out.get("command") or []), quote),
                            args=joined(list(out.get("args") or []), quote))]
    elif pod.role == defaults.ROLE_WORKER:
        out["args"] = [fill(launch["vllm.workerArgs"], port=defaults.RAY_HEAD_PORT,
                            leader=pod.deployer.leader_hostname(pod.service_name))]
    out["command"] = list(launch["vllm.rayCommand"])  # every role, main included
    return out


def _data_parallel(out: dict[str, Any], pod: PodRole, tokens: list[str], local: int) -> dict[str, Any]:
    launch = launch_values(pod.release)
    total = _flag(tokens, "--data-parallel-size")
    total = local * pod.node_count if total == 1 else total
    if pod.role == defaults.ROLE_LEADER:
        start, needs_shell = "0", False
    elif pod.role == defaults.ROLE_WORKER:
        start = fill(launch["vllm.dataParallelWorkerStartRank"], local=local, rank=pod.deployer.node_rank)
        needs_shell = True  # arithmetic expansion
    else:
        return _inject(out, pod, "", False)
    items = [item for item in launch["vllm.dataParallelFlags"]
             if not (item.startswith("--data-parallel-size ") and "--data-parallel-size" in tokens)]
    values = {"total": total, "local": local, "start": start, "port": launch["vllm.dataParallelRpcPort"],
              "leader": pod.deployer.leader_hostname(pod.service_name)}
    return _inject(out, pod, " ".join(fill(item, **values) for item in items), needs_shell)


# --- the wait-for-leader init container (B03) and its ConfigMap (O01) -----------------------------


def wait_for_leader(pod_spec: dict[str, Any], pod: PodRole) -> dict[str, Any]:
    """An ``mp`` worker pod with the init container that waits for the leader (and, from 1.1, the script volume)."""
    table = pod.release
    worker = pod.multinode and pod.role == defaults.ROLE_WORKER
    if not (worker and table.switch("B03") and uses_mp(pod.annotations, table)):
        return pod_spec
    launch = launch_values(table)
    suffix = launch["vllm.waitLeader.configMapSuffix"]
    containers = pod_spec.get("containers") or []
    if not containers or (suffix and not pod.dgd_name):
        return pod_spec
    host = pod.deployer.leader_hostname(pod.service_name)
    if launch["vllm.waitLeader.shellHost"]:
        host = re.sub(_KUBELET_VAR, r"${\1}", host)  # the shell expands it: the deployer's env comes later
    init: dict[str, Any] = {"name": launch["vllm.waitLeader.name"]}
    if containers[0].get("image"):
        init["image"] = containers[0]["image"]
    init["command"] = [fill(part, host=host, port=launch["vllm.mpMasterPort"])
                       for part in launch["vllm.waitLeader.command"]]
    out = dict(pod_spec)
    if suffix:  # 1.1: the script comes from the DGD's ConfigMap
        volume = launch["vllm.waitLeader.volume"]
        init["volumeMounts"] = [{"name": volume, "mountPath": launch["vllm.waitLeader.mountPath"], "readOnly": True}]
        volume_source = {"name": volume, "configMap": {"name": f"{pod.dgd_name}-{suffix}"}}
        out["volumes"] = [*(out.get("volumes") or []), volume_source]
    out["initContainers"] = [*(out.get("initContainers") or []), init]
    return out


def wait_leader_config_map(dgd_name: str, namespace: str | None,
                           table: defaults.OperatorDefaults) -> dict[str, Any] | None:
    """O01: the ConfigMap with the wait-for-leader script, once per DGD with a multinode service
    (the caller decides that); None before operator 1.1."""
    launch = launch_values(table)
    suffix = launch.get("vllm.waitLeader.configMapSuffix")
    if not suffix:
        return None
    key, script = launch["vllm.waitLeader.scriptKey"], launch["vllm.waitLeader.script"]
    metadata = object_metadata(f"{dgd_name}-{suffix}", namespace, {defaults.LABEL_GRAPH_NAME: dgd_name}, {})
    return fieldorder.ordered({"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata, "data": {key: script}},
                              "ConfigMap")
