# SPDX-License-Identifier: Apache-2.0
"""Names of generated workloads that become pod names or DNS labels, checked as their webhooks do (D31).

* Grove mode: Grove names the headless Service of the PodCliqueSet ``<dgd>-0``, so the graph
  name must start with a letter (a Service name is a DNS-1035 label). Grove's webhook rejects a
  PodCliqueSet whose names, added up, leave no room in a pod name: ``len(PodCliqueSet) +
  len(clique)`` for a single-node service, ``len(PodCliqueSet) + len(scaling group) +
  len(clique)`` for each clique of a multinode service, at most
  ``defaults.limits.GROVE_MAX_COMBINED_NAME`` (45). The PodCliqueSet is the DGD, the scaling
  group the lower-cased service key, the cliques ``<svc>`` or ``<svc>-ldr`` / ``<svc>-wkr``.
* LeaderWorkerSet mode: each replica's LeaderWorkerSet and PodGroup are named ``<dgd>-<svc>-<i>``;
  the LeaderWorkerSet names a headless Service after itself, so the name must be a DNS-1035
  label (a letter first, at most 63 characters), as the frontend Service name already is.
* Grove mode, not a name: the webhook also rejects cliques and scaling groups with 0 replicas.

Names that are already invalid as ``<dgd>-<svc>`` are reported by the service-name rule only.
"""

from __future__ import annotations

from krm_dynamo import defaults
from krm_dynamo.defaults.limits import GROVE_MAX_COMBINED_NAME
from krm_dynamo.graph.derive import DerivedGraph
from krm_dynamo.graph.report import Report
from krm_dynamo.graph.rules.context import ServiceCheck
from krm_dynamo.kube import naming


def check_grove_service_name(g: DerivedGraph, report: Report) -> None:
    """Grove mode: the PodCliqueSet's headless Service ``<dgd>-0`` needs a graph name that starts with a letter."""
    if g.grove_mode and naming.is_dns1123_label(g.name) and not g.name[0].isalpha():
        report.error(
            "metadata.name",
            f'expected the graph name to start with a letter in Grove mode: Grove names the headless Service of '
            f'the PodCliqueSet "{g.name}-0" (a Service name is a DNS-1035 label), got "{g.name}"',
        )


def check_grove_pod_names(s: ServiceCheck, report: Report) -> None:
    """Grove mode: the PodCliqueSet, scaling group and clique names fit Grove's 45 characters."""
    if not s.graph.grove_mode or not naming.is_dns1123_label(s.name):
        return
    pcs = s.graph.name
    base = s.key.lower()
    parts = [("PodCliqueSet", pcs)]
    if s.component.multinode:
        grove = s.graph.table.grove
        clique = max((f"{base}-{grove.leader_suffix}", f"{base}-{grove.worker_suffix}"), key=len)
        parts += [("PodCliqueScalingGroup", base), ("PodClique", clique)]
    else:
        parts.append(("PodClique", base))
    total = sum(len(name) for _, name in parts)
    if total <= GROVE_MAX_COMBINED_NAME:
        return
    shown = " + ".join(f'{kind} "{name}" ({len(name)})' for kind, name in parts)
    report.error(
        s.path,
        f"expected the Grove names that make up a pod name to have at most {GROVE_MAX_COMBINED_NAME} characters "
        f"together (Grove's webhook rejects the PodCliqueSet otherwise), got {shown} = {total}: shorten the "
        "graph name or the service name",
    )


def check_lws_names(s: ServiceCheck, report: Report) -> None:
    """LeaderWorkerSet mode: ``<dgd>-<svc>-<i>`` of every replica is a DNS-1035 label."""
    c = s.component
    if not c.multinode or s.graph.grove_mode or not naming.is_dns1123_label(s.name):
        return
    replicas = 1 if c.replicas is None else c.replicas
    if replicas < 1:
        return  # no LeaderWorkerSet at all
    first, last = f"{s.name}-0", f"{s.name}-{replicas - 1}"
    # A frontend's Service has the same first letter and is reported by the service-name rule.
    if not first[0].isalpha() and c.component_type != defaults.COMPONENT_FRONTEND:
        report.error(
            s.path,
            f'expected the LeaderWorkerSet name "{first}" (`<graph name>-<service name>-<replica>`) to start with '
            "a letter (a DNS-1035 label: the LeaderWorkerSet names its headless Service after itself)",
        )
    elif len(last) > naming.MAX_LABEL:
        report.error(
            s.path,
            f'expected the LeaderWorkerSet name "{last}" (`<graph name>-<service name>-<replica>`) to have at most '
            f"{naming.MAX_LABEL} characters (a DNS-1035 label: the LeaderWorkerSet names its headless Service after "
            f"itself), got {len(last)}",
        )


def check_grove_replicas(s: ServiceCheck, report: Report) -> None:
    """Grove mode: Grove's webhook rejects a clique or scaling group with 0 replicas (``minAvailable`` is 1)."""
    if not s.graph.grove_mode or s.component.replicas != 0:
        return
    what = "scaling group" if s.component.multinode else "clique"
    report.error(
        f"{s.path}.replicas",  # Grove mode takes no replicas from DYN_DEPLOYMENT_CONFIG
        f"expected `replicas` to be at least 1 in Grove mode, got 0: Grove's webhook rejects a {what} with "
        "0 replicas (remove the service to run none)",
    )

