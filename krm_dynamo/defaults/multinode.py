# SPDX-License-Identifier: Apache-2.0
"""What the operator puts into the objects of a multinode service and of Grove mode.

Component mode: a LeaderWorkerSet and a Volcano PodGroup per replica
(``dynamocomponentdeployment_controller.go``: ``generateLeaderWorkerSet``,
``generateLeader/WorkerPodTemplateSpec``, ``generateVolcanoPodGroup``). Grove mode:
one PodCliqueSet for the DGD (``graph.go`` ``GenerateGrovePodCliqueSet``, field names
of Grove v0.1.0-alpha.2).
"""

from __future__ import annotations

from collections.abc import Mapping

from krm_dynamo.defaults.sources import (
    OP_CONSTS,
    OP_DCD_CONTROLLER,
    OP_DGD_CONTROLLER,
    OP_GRAPH,
    OP_MAIN,
    Sourced,
    src,
)
from krm_dynamo.record import dataclass, field


@dataclass(frozen=True)
class LeaderWorkerSetDefaults(Sourced):
    """One LeaderWorkerSet per service replica.

    Attributes:
        replicas: ``spec.replicas`` of each LWS (service replicas become separate objects).
        service_replicas: how many LWS (and PodGroups) a service without ``replicas`` gets.
        startup_policy: ``spec.startupPolicy``.
        scheduler_name: put on both pod templates under gang scheduling (D21: a user value
            wins; D27: none with ``gangScheduling: none``).
    """

    api_version: str
    replicas: int
    service_replicas: int
    startup_policy: str
    scheduler_name: str
    sources: Mapping[str, str] = field(default_factory=dict)


_LWS = f"{OP_DCD_CONTROLLER} generateLeaderWorkerSet"
LEADER_WORKER_SET = LeaderWorkerSetDefaults(
    api_version="leaderworkerset.x-k8s.io/v1",
    replicas=1,
    service_replicas=1,
    startup_policy="LeaderCreated",
    scheduler_name="volcano",
    sources={
        "apiVersion": src(_LWS, "sigs.k8s.io/lws api/leaderworkerset/v1"),
        "replicas": src(_LWS, "one LeaderWorkerSet per service replica"),
        "serviceReplicas": src(_LWS, "an unset service replicas counts as 1 (the Kubernetes default)"),
        "startupPolicy": _LWS,
        "schedulerName": src(f"{OP_DCD_CONTROLLER} generateLeaderPodTemplateSpec, generateWorkerPodTemplateSpec",
                             "D21 (a user value wins)", "D27 (none with gangScheduling: none)"),
    },
)


@dataclass(frozen=True)
class PodGroupDefaults(Sourced):
    """The Volcano PodGroup gang-scheduling one LWS replica (``spec.minMember`` is the node count)."""

    api_version: str
    sources: Mapping[str, str] = field(default_factory=dict)


POD_GROUP = PodGroupDefaults(
    api_version="scheduling.volcano.sh/v1beta1",
    sources={"apiVersion": src(f"{OP_DCD_CONTROLLER} generateVolcanoPodGroup", "D27 (none with gangScheduling: none)")},
)


@dataclass(frozen=True)
class GroveDefaults(Sourced):
    """The PodCliqueSet of a DGD in Grove mode.

    Attributes:
        replicas: ``spec.replicas`` of the PodCliqueSet.
        publish_not_ready_addresses: ``headlessServiceConfig.publishNotReadyAddresses``.
        startup_any_order, startup_explicit: ``cliqueStartupType`` without / with a
            TRT-LLM multinode service (its leader starts after its workers).
        termination_delay: used when functionConfig ``groveTerminationDelay`` is unset.
        clique_replicas: replicas of a single-node clique whose service sets none (R8).
        leader_replicas: replicas of the leader clique of a multinode service.
        min_available: ``minAvailable`` of every clique and scaling group.
        leader_suffix, worker_suffix: clique names of a multinode service, ``<svc>-<suffix>``.
        kai_scheduler, kai_default_queue: ``schedulerName`` and the ``kai.scheduler/queue``
            label under functionConfig ``kaiScheduler``, the queue when the DGD names none.
        multinode_min_available_is_replicas: the leader and worker cliques of a multinode
            service get ``minAvailable`` = their replicas (1.1, M03), else ``min_available``.
        operator_selection: when the operator takes the Grove path by itself (M02); this
            function takes it only when asked (functionConfig ``multinodeOrchestrator``, D2).
        topology_domains: the ``packDomain`` values Grove's PodCliqueSet accepts (S17, 1.1;
            none before: the field does not exist).
    """

    api_version: str
    replicas: int
    publish_not_ready_addresses: bool
    startup_any_order: str
    startup_explicit: str
    termination_delay: str
    clique_replicas: int
    leader_replicas: int
    min_available: int
    leader_suffix: str
    worker_suffix: str
    kai_scheduler: str
    kai_default_queue: str
    multinode_min_available_is_replicas: bool = False
    operator_selection: str = "auto-detect: whenever the cluster serves grove.io"
    topology_domains: tuple[str, ...] = ()
    sources: Mapping[str, str] = field(default_factory=dict)


_PCS = f"{OP_GRAPH} GenerateGrovePodCliqueSet"
GROVE = GroveDefaults(
    api_version="grove.io/v1alpha1",
    replicas=1,
    publish_not_ready_addresses=True,
    startup_any_order="CliqueStartupTypeAnyOrder",
    startup_explicit="CliqueStartupTypeExplicit",
    termination_delay="15m",
    clique_replicas=1,
    leader_replicas=1,
    min_available=1,
    leader_suffix="ldr",
    worker_suffix="wkr",
    kai_scheduler="kai-scheduler",
    kai_default_queue="dynamo",
    sources={
        "apiVersion": src(_PCS, "Grove v0.1.0-alpha.2"),
        "replicas": _PCS,
        "publishNotReadyAddresses": src(_PCS, "the headless Service of the cliques"),
        "startupAnyOrder": _PCS,
        "startupExplicit": src(f"{OP_GRAPH} applyCliqueStartupDependencies", "TRT-LLM multinode: leader after workers"),
        "terminationDelay": src(f"{OP_MAIN} --grove-termination-delay (binary default)",
                                "functionConfig groveTerminationDelay replaces it"),
        "cliqueReplicas": src(_PCS, "R8 (an unset replicas is 1; the operator dereferences it)"),
        "leaderReplicas": src(_PCS, "one leader; the worker clique has nodeCount - 1"),
        "minAvailable": src(_PCS, "every clique and scaling group"),
        "leaderSuffix": f"{OP_CONSTS} GroveRoleSuffixLeader",
        "workerSuffix": f"{OP_CONSTS} GroveRoleSuffixWorker",
        "kaiScheduler": src(_PCS, "functionConfig kaiScheduler"),
        "kaiDefaultQueue": src(f"{OP_CONSTS} DefaultKaiSchedulerQueue", "when nvidia.com/kai-scheduler-queue is unset"),
        "multinodeMinAvailableIsReplicas": src(_PCS, "0.6: minAvailable 1 on every clique"),
        "operatorSelection": src(f"{OP_DGD_CONTROLLER} (grove.io detected)", 'unless nvidia.com/enable-grove: "false"',
                                 "D2 (here: only with multinodeOrchestrator: grove)"),
        "topologyDomains": src(_PCS, "no topologyConstraint before 1.1"),
    },
)


# --- 1.x: the worker hash's label and env (M01, N_E07); its table is in .workerhash ------------

LABEL_WORKER_HASH = "nvidia.com/dynamo-worker-hash"
ENV_WORKER_SUFFIX = "DYN_NAMESPACE_WORKER_SUFFIX"
