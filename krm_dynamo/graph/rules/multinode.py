# SPDX-License-Identifier: Apache-2.0
"""Rules about multinode services: the pod fan-out cap and the LeaderWorkerSet requirements.

The LeaderWorkerSet rules restate the operator's checks on the built LWS pod templates
(``checkMainContainer`` and the LWS template checks of ``dynamocomponentdeployment_controller.go``)
on the derived values: the main container keeps its name, both pods get a ``command`` and
``args`` after the backend's multinode rewrite, and worker pods get a GPU limit. Grove
builds no LeaderWorkerSet, so they apply in component mode only.
"""

from __future__ import annotations

from typing import Any

from krm_dynamo import defaults
from krm_dynamo.graph.backend import is_python_command
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


def _launch(s: ServiceCheck) -> dict[str, dict[str, bool]] | None:
    """Per role, whether the main container has a ``command`` and ``args`` after the multinode rewrite.

    The user's non-empty list replaces the component type's default; then the backend's
    rewrite (``render.backends.update_container``): TRT-LLM sets both on every pod; vLLM
    gives the worker Ray's ``args`` and leaves empty leader ``args`` empty; SGLang adds its
    flags to the ``args`` of every pod launched by a python ``command``. None when the
    command or args have the wrong type (reported by the container rules).
    """
    user_command, user_args = s.main.get("command"), s.main.get("args")
    if not all(v is None or isinstance(v, list) for v in (user_command, user_args)):
        return None
    table = s.graph.table.for_component(s.svc.componentType)
    command: list[Any] = list(user_command or []) or list(table.command)
    args: list[Any] = list(user_args or []) or list(table.args)
    backend = s.backend.name if s.backend is not None else defaults.NOOP_BACKEND
    python_launch = bool(command) and is_python_command(str(command[0]))
    out: dict[str, dict[str, bool]] = {}
    for role in ROLES:
        rewritten = {"trtllm": True, "vllm": role == defaults.ROLE_WORKER, "sglang": python_launch}.get(backend, False)
        out[role] = {"command": bool(command) or backend == "trtllm", "args": bool(args) or rewritten}
    return out
