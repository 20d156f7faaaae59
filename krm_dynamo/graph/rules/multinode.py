# SPDX-License-Identifier: Apache-2.0
"""Rules about multinode services: the pod fan-out cap, the LeaderWorkerSet requirements, the launch.

The LeaderWorkerSet rules restate the operator's checks on the built LWS pod templates
(``checkMainContainer`` and the LWS template checks of ``dynamocomponentdeployment_controller.go``)
on the derived values: the main container keeps its name, both pods get a ``command`` and
``args`` after the backend's multinode rewrite, and worker pods get a GPU limit. Grove
builds no LeaderWorkerSet, so they apply in component mode only.
"""

from __future__ import annotations

from typing import Any

from krm_dynamo import defaults
from krm_dynamo.graph.backend import gpus_per_node, invocation, is_python_command
from krm_dynamo.graph.report import Report
from krm_dynamo.graph.rules.context import ServiceCheck

ROLES = (defaults.ROLE_LEADER, defaults.ROLE_WORKER)


def check_replica_fanout(s: ServiceCheck, report: Report) -> None:
    """A multinode service on LWS gets one LeaderWorkerSet and PodGroup per replica: cap the pods it renders.

    ``defaults.MAX_SERVICE_PODS`` (replicas x nodeCount) is krm-dynamo's own bound, not the operator's
    (docs/compatibility.md); Grove renders one clique whatever the count, so it is not capped.
    """
    c = s.component
    if not c.multinode or s.graph.grove_mode or c.replicas is None:
        return  # unset replicas (and no valid `workers`): one replica
    where = f"{s.path}.replicas" if s.svc.replicas is not None else c.workers_path
    pods = c.replicas * c.node_count
    if pods > defaults.MAX_SERVICE_PODS:
        report.error(
            where,
            f"expected at most {defaults.MAX_SERVICE_PODS} pods per multinode service (replicas x nodeCount), got "
            f"{c.replicas} x {c.node_count} = {pods}: each replica is a LeaderWorkerSet and a PodGroup",
        )


def check_lws_requirements(s: ServiceCheck, report: Report) -> None:
    """The operator's checks on the LeaderWorkerSet pod templates of a multinode service."""
    c = s.component
    if not c.multinode or s.graph.grove_mode or s.was_dropped(f"{s.path}.multinode"):
        return  # (a rejected `nodeCount` is no evidence of a multinode service)
    name = s.main.get("name")
    if isinstance(name, str) and name and name != defaults.MAIN_CONTAINER:
        report.error(
            f"{s.mc_path}.name",
            f'expected the main container of a multinode service to keep the name "{defaults.MAIN_CONTAINER}", '
            f'got "{name}" (the operator fails with "main container not found in pod spec")',
        )
    launch = _launch(s)
    if launch is not None:
        for field_name, operator_message in (
            ("command", "container Command cannot be nil for LWS pod"),
            ("args", "container Args cannot be empty for LWS pod"),
        ):
            roles = [role for role in ROLES if not launch[role][field_name]]
            if roles:
                report.error(
                    f"{s.mc_path}.{field_name}",
                    f"expected `{field_name}` on the main container of a multinode service: the "
                    f"{' and '.join(roles)} pod of the LeaderWorkerSet would have none (the operator fails with "
                    f'"{operator_message}")',
                )
    gpu = (c.resources.get("limits") or {}).get("gpu")
    if gpu is None or str(gpu) == "":
        report.error(
            f"{s.path}.resources.limits.gpu",
            "expected `resources.limits.gpu` on a multinode service: every LeaderWorkerSet worker pod needs a GPU "
            'limit (the operator fails with "GPU limit is not set for LWS worker pod")',
        )


def check_launch(s: ServiceCheck, report: Report) -> None:
    """Warn where the backend's multinode rewrite yields a launch that will not work (LWS and Grove).

    What the leader runs after the rewrite (``render.backends.update_container``): vLLM
    leaves ``command`` alone and puts ``ray start … && <args>`` into ``args``; SGLang adds
    its flags after a python ``command`` or inside an ``args`` item that invokes it;
    TRT-LLM's ``mpirun -n`` counts the GPUs per node.
    """
    c = s.component
    if not c.multinode or s.was_dropped(f"{s.path}.multinode"):
        return
    launch = _merged_launch(s)
    if launch is None:
        return
    command, args = [str(part) for part in launch[0]], [str(part) for part in launch[1]]
    backend = s.backend.name if s.backend is not None else defaults.NOOP_BACKEND
    # From operator 1.0 (B01) the vLLM rewrite sets its own shell or adds flags to the launch.
    ray_args_only = not s.graph.table.switch("B01")
    if backend == "vllm" and ray_args_only and not (command and command[0].rsplit("/", 1)[-1] in defaults.SHELLS):
        report.warning(
            f"{s.mc_path}.command",
            f"the multinode vLLM rewrite puts `ray start … && <args>` into `args` and leaves `command` "
            f"{command!r} alone, so the launch only works under a shell: use the default command "
            "(`/bin/sh -c`) with the whole launch line in `args`",
        )
    elif backend == "sglang" and not _sglang_flags_added(command, args):
        report.warning(
            f"{s.mc_path}.args",
            "no `python … sglang` invocation found in `args` (nor a python `command`): the multinode flags "
            "`--dist-init-addr`, `--nnodes` and `--node-rank` were not added, so the nodes will not find "
            "each other",
        )
    elif backend == "trtllm" and gpus_per_node(c.resources) == 0:
        report.warning(
            f"{s.path}.resources.limits.gpu",
            "no GPU count on a multinode TRT-LLM service: the leader runs `mpirun -n 0`; set `resources.limits.gpu`",
        )


def _sglang_flags_added(command: list[str], args: list[str]) -> bool:
    """The leader's launch carries ``--dist-init-addr`` after the SGLang rewrite."""
    if command and is_python_command(command[0]):
        return True
    if any(invocation("sglang").search(arg) for arg in args):
        return True
    return "--dist-init-addr" in " ".join(command + args)


def _merged_launch(s: ServiceCheck) -> tuple[list[Any], list[Any]] | None:
    """``(command, args)`` of the main container before the rewrite: the user's non-empty lists,
    else the component type's defaults; None when either has the wrong type (a container rule's case)."""
    user_command, user_args = s.main.get("command"), s.main.get("args")
    if not all(v is None or isinstance(v, list) for v in (user_command, user_args)):
        return None
    table = s.graph.table.for_component(s.svc.componentType)
    return list(user_command or []) or list(table.command), list(user_args or []) or list(table.args)


def _launch(s: ServiceCheck) -> dict[str, dict[str, bool]] | None:
    """Per role, whether the main container has a ``command`` and ``args`` after the multinode rewrite.

    The backend's rewrite (``render.backends.update_container``): TRT-LLM sets both on every
    pod; vLLM gives the worker Ray's ``args`` and leaves empty leader ``args`` empty; SGLang
    adds its flags to the ``args`` of every pod launched by a python ``command``. None when
    the command or args have the wrong type (reported by the container rules).
    """
    launch = _merged_launch(s)
    if launch is None:
        return None
    command, args = launch
    backend = s.backend.name if s.backend is not None else defaults.NOOP_BACKEND
    python_launch = bool(command) and is_python_command(str(command[0]))
    out: dict[str, dict[str, bool]] = {}
    for role in ROLES:
        # From operator 1.0 (B01) vLLM rewrites only a launch whose args ask for more GPUs than a node has.
        vllm_worker_args = role == defaults.ROLE_WORKER and not s.graph.table.switch("B01")
        rewritten = {"trtllm": True, "vllm": vllm_worker_args, "sglang": python_launch}.get(backend, False)
        out[role] = {"command": bool(command) or backend == "trtllm", "args": bool(args) or rewritten}
    return out


def check_worker_probes(s: ServiceCheck, report: Report) -> None:
    """D28: on multinode worker pods the backend's probe rule takes the user's probes too; say which.

    vLLM and SGLang remove every probe of a worker pod, TRT-LLM removes liveness and startup
    and replaces readiness with its TCP check on the SSH port (``BackendDefaults.
    multinode_worker_probes``); the leader keeps the user's probes. One info result per user
    probe kind, at the field that set it (the service-level probe wins over ``mainContainer``'s).
    """
    c = s.component
    if not c.multinode or s.backend is None or s.was_dropped(f"{s.path}.multinode"):
        return
    for kind, replacement in s.backend.defaults.multinode_worker_probes.items():
        if isinstance(getattr(s.svc, kind, None), dict):
            path = f"{s.path}.{kind}"
        elif isinstance(s.main.get(kind), dict):
            path = f"{s.mc_path}.{kind}"
        else:
            continue
        own = f"replaced by the backend's own ({_handler(replacement)}) on" if replacement is not None else ""
        change = own or "removed from"
        report.info(
            path,
            f"the user's `{kind}` is {change} the worker pods of this multinode {s.backend.name} service, as the "
            "operator does: a worker pod does not serve the probe; the leader keeps it (D28)",
        )


def _handler(probe: Any) -> str:
    """``tcpSocket :2222`` for a probe mapping (the handler and its port)."""
    for handler in defaults.PROBE_HANDLERS:
        spec = probe.get(handler)
        if spec is not None:
            port = spec.get("port") if hasattr(spec, "get") else None
            return f"{handler} :{port}" if port is not None else handler
    return "no handler"

