# SPDX-License-Identifier: Apache-2.0
"""The backend hooks: what each backend framework adds to a pod.

Resolution (operator ``graph.go`` ``determineBackendFramework``) lives in
:mod:`krm_dynamo.graph.backend`, run once per service by the derive step.

Hooks, run by :mod:`podtemplate` at its container and pod-spec backend steps: the
compilation-cache env (vLLM ``VLLM_CACHE_ROOT``, D8; only where the user has not set
it, R6), then :func:`update_container` / :func:`update_pod_spec` for multinode pods
(``backend_vllm.go``: Ray head / worker; ``backend_sglang.go``: ``--dist-init-addr``
flags; ``backend_trtllm.go``: SSH secret, ``mpirun`` leader, ``sshd`` workers). The
orchestrator's strings (leader address, host list, node rank) come from a
:class:`Deployer` (:data:`LWS` with the R3 host list, :data:`GROVE`). On worker pods the
backend's probe rule applies to every probe, the user's included (D28); leaders keep
theirs. Constants and script fragments are data in :mod:`defaults`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from krm_dynamo import defaults
from krm_dynamo.config import DEFAULTS as CONFIG_DEFAULTS
from krm_dynamo.graph.backend import (
    SGLANG_INVOCATION,
    Backend,
    gpus_per_node,
    is_python_command,
)
from krm_dynamo.record import dataclass


def compilation_cache_env(backend: Backend, cache_mount_path: str | None) -> list[dict[str, Any]]:
    """Env the backend adds for the effective compilation-cache mount path (D8)."""
    if cache_mount_path is None or not backend.defaults.compilation_cache_env:
        return []
    return [{"name": backend.defaults.compilation_cache_env, "value": cache_mount_path}]


def add_env_if_absent(env: list[dict[str, Any]], additions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Append backend env vars whose name is not yet set; the user's value wins (R6)."""
    names = {e.get("name") for e in env}
    return env + [e for e in additions if e["name"] not in names]


# --- deployers: leader address, host list, node rank ---------------------------------------


@dataclass(frozen=True)
class Deployer:
    """The strings a multinode orchestrator gives backends (``lws.go`` / ``grove.go``).

    Templates hold ``<svc>`` (the service name handed to backends) and ``<j>`` (a worker
    index); ``worker_hostname`` None means the deployer names no workers (test doubles).
    """

    name: str
    leader_hostname_template: str
    node_rank: str
    node_rank_needs_shell: bool
    worker_hostname: str | None = None
    first_worker_index: int = 1

    def leader_hostname(self, service_name: str) -> str:
        return self.leader_hostname_template.replace("<svc>", service_name)

    def hostnames(self, service_name: str, node_count: int) -> list[str]:
        """All host names, leader first (the TRT-LLM ``mpirun -H`` list)."""
        workers = [
            (self.worker_hostname or "").replace("<svc>", service_name).replace("<j>", str(self.first_worker_index + k))
            for k in range(node_count - 1)
        ]
        return [self.leader_hostname(service_name), *workers]


LWS = Deployer(
    name="lws",
    leader_hostname_template=defaults.LWS_LEADER_HOSTNAME,
    node_rank=defaults.LWS_NODE_RANK,
    node_rank_needs_shell=True,
    worker_hostname=defaults.LWS_WORKER_HOSTNAME,  # R3
    first_worker_index=defaults.LWS_FIRST_WORKER_INDEX,
)
GROVE = Deployer(
    name="grove",
    leader_hostname_template=defaults.GROVE_LEADER_HOSTNAME,
    node_rank=defaults.GROVE_NODE_RANK,
    node_rank_needs_shell=True,
    worker_hostname=defaults.GROVE_WORKER_HOSTNAME,
    first_worker_index=defaults.GROVE_FIRST_WORKER_INDEX,
)


@dataclass(frozen=True)
class PodRole:
    """Where a pod sits in a multinode service: what the backend hooks need besides the container.

    Attributes:
        role: ``main`` (single node), ``leader`` or ``worker``.
        node_count: number of nodes of the service (1 = single node).
        service_name: the name handed to backends (Grove: the services key verbatim).
        deployer: the orchestrator's strings (:data:`LWS`, :data:`GROVE`).
        resources: the service's Dynamo resources (``{"limits": {"gpu": …}, …}``).
        secret_name: the MPI SSH secret (functionConfig ``mpiRunSecretName``).
    """

    role: str = defaults.ROLE_MAIN
    node_count: int = 1
    service_name: str = ""
    deployer: Deployer = LWS
    resources: dict[str, Any] | None = None
    secret_name: str = CONFIG_DEFAULTS["mpiRunSecretName"]

    @property
    def multinode(self) -> bool:
        return self.node_count > 1




def _worker_probes(container: dict[str, Any], changes: Mapping[str, Mapping[str, Any] | None]) -> None:
    """Multinode worker probes (``BackendDefaults.multinode_worker_probes``): None removes the
    probe, a mapping replaces it, whoever wrote it (D28; the rules tell the user)."""
    for kind, probe in changes.items():
        if probe is None:
            container.pop(kind, None)
        else:
            container[kind] = {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in probe.items()}


# --- vLLM (backend_vllm.go, S: the simple Ray rewrite, command untouched) -------------------


def vllm_multinode_args(args: list[Any] | None, role: str, leader_hostname: str) -> list[Any] | None:
    """Leader: ``ray start --head … && <args>`` (unchanged when empty); worker: Ray worker only."""
    if role == defaults.ROLE_LEADER:
        if not args:
            return args
        leader_args = defaults.VLLM_LEADER_ARGS.replace("<port>", str(defaults.RAY_HEAD_PORT))
        return [leader_args.replace("<args>", " ".join(args))]
    if role == defaults.ROLE_WORKER:
        worker_args = defaults.VLLM_WORKER_ARGS.replace("<port>", str(defaults.RAY_HEAD_PORT))
        return [worker_args.replace("<leader>", leader_hostname)]
    return args


# --- SGLang (backend_sglang.go) -------------------------------------------------------------


def sglang_flags(pod: PodRole) -> tuple[str, bool]:
    """``--dist-init-addr <leader>:29500 --nnodes N --node-rank R`` and whether it needs a shell."""
    leader = pod.deployer.leader_hostname(pod.service_name)
    if pod.role == defaults.ROLE_LEADER:
        rank, needs_shell = defaults.SGLANG_LEADER_RANK, False
    else:
        rank, needs_shell = pod.deployer.node_rank, pod.deployer.node_rank_needs_shell
    flags = (defaults.SGLANG_FLAGS.replace("<port>", str(defaults.SGLANG_DIST_INIT_PORT))
             .replace("<n>", str(pod.node_count)).replace("<rank>", rank).replace("<leader>", leader))
    return flags, needs_shell


def inject_sglang_flags(container: dict[str, Any], flags: str, needs_shell: bool) -> dict[str, Any]:
    """Put the multinode flags into the launch (``backend_sglang.go``); the container is returned changed or as is."""
    out = dict(container)
    command = list(out.get("command") or [])
    args = list(out.get("args") or [])
    if command and is_python_command(command[0]):
        if not needs_shell:
            out["args"] = args + flags.split(" ")
        else:
            launch = " ".join(command) + (" " + " ".join(args) if args else "")
            out["command"] = list(defaults.SGLANG_SHELL_COMMAND)
            out["args"] = [f"exec {launch} {flags}"]
        return out
    for i, arg in enumerate(args):
        rewritten = SGLANG_INVOCATION.sub(lambda m: f"{m.group(1)} {flags}{m.group(2)}", arg)
        if rewritten != arg:
            args[i] = rewritten
            out["args"] = args
            break
    return out


# --- TRT-LLM (backend_trtllm.go) ------------------------------------------------------------


def trtllm_original_command(command: list[Any] | None, args: list[Any] | None) -> str:
    """The launch pasted into the leader's ``mpirun`` line (unquoted)."""
    command, args = list(command or []), list(args or [])
    if command and is_python_command(command[0]):
        return " ".join(command + args)
    if args:
        return " ".join(args)
    return " ".join(command)


def trtllm_leader_script(container: dict[str, Any], pod: PodRole) -> str:
    """The leader's one-string ``/bin/sh -c`` script: SSH set-up, then ``mpirun`` over all nodes."""
    names = set(defaults.MPIRUN_EXPORTED_ENV)
    names.update(str(e.get("name")) for e in container.get("env") or [] if isinstance(e, dict) and e.get("name"))
    exports = " ".join(f"-x {name}" for name in sorted(names, key=lambda n: n.encode()))
    mpirun = (
        defaults.TRTLLM_MPIRUN.replace("<n>", str(pod.node_count * gpus_per_node(pod.resources)))
        .replace("<hosts>", ",".join(pod.deployer.hostnames(pod.service_name, pod.node_count)))
        .replace("<exports>", exports)
        .replace("<command>", trtllm_original_command(container.get("command"), container.get("args")))
    )
    return " && ".join((*defaults.TRTLLM_LEADER_SETUP, mpirun))


def trtllm_worker_script() -> str:
    """The worker's one-string script: SSH set-up, host keys, ``sshd`` on 2222 in the foreground."""
    return " && ".join(defaults.TRTLLM_WORKER_SCRIPT)


def ssh_volume_mount(secret_name: str) -> dict[str, Any]:
    return {"name": secret_name, "mountPath": defaults.SSH_KEY_MOUNT_PATH, "readOnly": True}


def ssh_volume(secret_name: str) -> dict[str, Any]:
    return {"name": secret_name, "secret": {"secretName": secret_name, "defaultMode": defaults.SSH_SECRET_DEFAULT_MODE}}


# --- the hooks ------------------------------------------------------------------------------


def update_container(backend: Backend, container: dict[str, Any], pod: PodRole) -> dict[str, Any]:
    """Backend container hook, multinode part (pod-spec step 11: vLLM, SGLang, TRT-LLM rewrites).

    Runs after the env is final (the TRT-LLM ``-x`` list reads it). Single-node pods and
    the ``noop`` backend are returned unchanged. Worker pods get the backend's probe rule on
    every probe, the user's included (D28).
    """
    if not pod.multinode or backend.name == defaults.NOOP_BACKEND:
        return container
    out = {k: (list(v) if isinstance(v, list) else v) for k, v in container.items()}
    worker = pod.role == defaults.ROLE_WORKER
    if worker:
        _worker_probes(out, backend.defaults.multinode_worker_probes)
    if backend.name == "vllm":
        args = vllm_multinode_args(out.get("args"), pod.role, pod.deployer.leader_hostname(pod.service_name))
        if args is not None:
            out["args"] = args
    elif backend.name == "sglang":
        out = inject_sglang_flags(out, *sglang_flags(pod))
    elif backend.name == "trtllm":
        out["volumeMounts"] = [*(out.get("volumeMounts") or []), ssh_volume_mount(pod.secret_name)]
        out["env"] = add_env_if_absent(list(out.get("env") or []),
                                       [{"name": n, "value": v} for n, v in backend.defaults.multinode_env])
        script = trtllm_worker_script() if worker else trtllm_leader_script(out, pod)  # reads the original launch
        out["command"] = list(defaults.SHELL_COMMAND)
        out["args"] = [script]
    return out


def update_pod_spec(backend: Backend, pod_spec: dict[str, Any], pod: PodRole) -> dict[str, Any]:
    """Backend pod hook (step 15): TRT-LLM multinode mounts the MPI SSH secret as a volume."""
    if not pod.multinode or backend.name != "trtllm":
        return pod_spec
    volumes = list(pod_spec.get("volumes") or [])
    if any(isinstance(v, dict) and v.get("name") == pod.secret_name for v in volumes):
        return pod_spec  # a second volume of one name would be rejected; the user's wins
    return {**pod_spec, "volumes": [*volumes, ssh_volume(pod.secret_name)]}
