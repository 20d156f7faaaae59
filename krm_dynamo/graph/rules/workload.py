# SPDX-License-Identifier: Apache-2.0
"""What the workload controllers' API validation refuses in a pod template the DGD would give them.

A single-node service becomes a Deployment and a multinode one a LeaderWorkerSet, whose pod
templates become StatefulSets. The API server validates both templates as "run forever"
pods: ``restartPolicy`` must be ``Always`` and ``activeDeadlineSeconds`` must be unset
(Kubernetes apps validation: "activeDeadlineSeconds in ReplicaSet / StatefulSet is not
Supported"). The operator merges the user's ``extraPodSpec`` over its own ``Always`` and
creates the object anyway, which the API server then rejects; a DGD cannot be applied then,
so it is an error here (V32). Grove creates plain Pods from its cliques, where both fields
are allowed, so Grove mode is exempt.
"""

from __future__ import annotations

from krm_dynamo.graph.report import Report
from krm_dynamo.graph.rules.context import ServiceCheck, show

_ALWAYS = "Always"


def check_workload_pod_template(s: ServiceCheck, report: Report) -> None:
    """V32: ``extraPodSpec.restartPolicy`` other than ``Always`` or any ``activeDeadlineSeconds``
    on a service that becomes a Deployment or a LeaderWorkerSet."""
    if s.graph.grove_mode:
        return
    pod = s.component.pod_fields
    kind = "LeaderWorkerSet (its StatefulSets)" if s.component.multinode else "Deployment"
    policy = pod.get("restartPolicy")
    if policy not in (None, "", _ALWAYS):  # "" is unset: the operator's merge keeps Always
        report.error(f"{s.path}.extraPodSpec.restartPolicy",
                     f"must be Always (or unset) on a service that becomes a {kind}, got {show(policy)}; "
                     "the API server rejects any other value")
    deadline = pod.get("activeDeadlineSeconds")
    if deadline is not None:
        report.error(f"{s.path}.extraPodSpec.activeDeadlineSeconds",
                     f"must not be set on a service that becomes a {kind} (got {show(deadline)}): the API "
                     "server rejects it there; a serving pod runs until it is replaced")
