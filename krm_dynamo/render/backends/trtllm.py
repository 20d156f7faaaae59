# SPDX-License-Identifier: Apache-2.0
"""TRT-LLM multinode launch (``backend_trtllm.go``): SSH secret, ``mpirun`` leader, ``sshd`` workers."""

from __future__ import annotations

from typing import Any

from krm_dynamo import defaults
from krm_dynamo.graph.backend import gpus_per_node, is_python_command
from krm_dynamo.render.backends.common import PodRole, add_env_if_absent, launch_values
from krm_dynamo.render.backends.flags import joined


def trtllm_original_command(command: list[Any] | None, args: list[Any] | None, quote: bool = False) -> str:
    """The launch pasted into the leader's ``mpirun`` line; a python launch's parts quoted when ``quote`` (B04)."""
    command, args = list(command or []), list(args or [])
    if command and is_python_command(str(command[0])):
        return joined(command + args, quote)
    if args:
        return " ".join(str(a) for a in args)
    return " ".join(str(c) for c in command)


def trtllm_leader_script(container: dict[str, Any], pod: PodRole) -> str:
    """The leader's one-string ``/bin/sh -c`` script: SSH set-up, then ``mpirun`` over all nodes.

    From operator 1.0 (B06) an LWS leader first waits until the workers' names resolve.
    """
    table = pod.release
    launch = launch_values(table)
    names = set(launch["trtllm.mpirunExportedEnv"])
    names.update(str(e.get("name")) for e in container.get("env") or [] if isinstance(e, dict) and e.get("name"))
    exports = " ".join(f"-x {name}" for name in sorted(names, key=lambda n: n.encode()))
    hosts = pod.deployer.hostnames(pod.service_name, pod.node_count)
    command = trtllm_original_command(container.get("command"), container.get("args"), table.switch("B04"))
    mpirun = (
        launch["trtllm.mpirun"].replace("<n>", str(pod.node_count * gpus_per_node(pod.resources)))
        .replace("<hosts>", ",".join(hosts))
        .replace("<exports>", exports)
        .replace("<command>", command)
    )
    wait = [launch["trtllm.dnsWait"].replace("<workers>", " ".join(hosts[1:]))] if pod.deployer.dns_wait else []
    return " && ".join((*launch["trtllm.leaderSetup"], *wait, mpirun))


def trtllm_worker_script(table: defaults.OperatorDefaults | None = None) -> str:
    """The worker's one-string script: SSH set-up, host keys, ``sshd`` on 2222 in the foreground."""
    table = table if table is not None else defaults.for_release()
    return " && ".join(launch_values(table)["trtllm.workerScript"])


def ssh_volume_mount(secret_name: str) -> dict[str, Any]:
    return {"name": secret_name, "mountPath": defaults.SSH_KEY_MOUNT_PATH, "readOnly": True}


def ssh_volume(secret_name: str) -> dict[str, Any]:
    return {"name": secret_name, "secret": {"secretName": secret_name, "defaultMode": defaults.SSH_SECRET_DEFAULT_MODE}}


def trtllm_container(out: dict[str, Any], pod: PodRole, multinode_env: tuple[tuple[str, str], ...]) -> None:
    """The TRT-LLM container rewrite of a multinode pod, in place: mount, env, leader or worker script."""
    out["volumeMounts"] = [*(out.get("volumeMounts") or []), ssh_volume_mount(pod.secret_name)]
    out["env"] = add_env_if_absent(list(out.get("env") or []), [{"name": n, "value": v} for n, v in multinode_env])
    worker = pod.role == defaults.ROLE_WORKER
    script = trtllm_worker_script(pod.release) if worker else trtllm_leader_script(out, pod)  # reads the launch
    out["command"] = list(defaults.SHELL_COMMAND)
    out["args"] = [script]
