# SPDX-License-Identifier: Apache-2.0
"""D21: user values kept where the operator would force its own; one info result each.

Reported once per service here, not once per built pod role.
"""

from __future__ import annotations

from krm_dynamo.defaults.components import COMPONENT_EPP
from krm_dynamo.graph.report import Report
from krm_dynamo.graph.rules.context import ServiceCheck


def check_service_account_kept(s: ServiceCheck, report: Report) -> None:
    """A user ``serviceAccountName`` wins over the component type's (the planner's)."""
    if s.component.component_type == COMPONENT_EPP:
        return  # the EPP's account is merged like any field: the operator keeps the user's too (P10)
    default_sa = s.graph.table.for_component(s.component.component_type).pod.get("serviceAccountName")
    user_sa = s.component.pod_fields.get("serviceAccountName")
    if default_sa and user_sa and user_sa != default_sa:
        report.info(
            f"{s.path}.extraPodSpec.serviceAccountName",
            f'keeping the planner\'s service account "{user_sa}"; the operator would force "{default_sa}" (D21)',
        )


def check_scheduler_kept(s: ServiceCheck, report: Report) -> None:
    """A user ``schedulerName`` wins over Volcano on LeaderWorkerSet pods (gang scheduling on)."""
    if not s.component.multinode or s.graph.grove_mode or s.graph.cfg.gangScheduling != "volcano":
        return
    user = s.component.pod_fields.get("schedulerName")
    scheduler = s.graph.table.leader_worker_set.scheduler_name
    if user and user != scheduler:
        report.info(
            f"{s.path}.extraPodSpec.schedulerName",
            f'keeping the scheduler "{user}"; the operator would force "{scheduler}" on '
            "LeaderWorkerSet pods (D21)",
        )
