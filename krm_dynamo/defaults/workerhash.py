# SPDX-License-Identifier: Apache-2.0
"""The worker hash of operators 1.0 and 1.1 (M01, N_E07): one sourced table.

Its label and env names stay in :mod:`.multinode` (the 0.6 builders read the label too).
Imported only by :mod:`.release_1x`: a 0.6 run neither builds nor imports it.
"""

from __future__ import annotations

from collections.abc import Mapping

from krm_dynamo.defaults.multinode import ENV_WORKER_SUFFIX, LABEL_WORKER_HASH
from krm_dynamo.defaults.sources import Sourced, src
from krm_dynamo.record import dataclass, field

_OP_1X = "deploy/operator/internal/"


@dataclass(frozen=True)
class WorkerHashDefaults(Sourced):
    """The operator's hash over the specs of all worker services (from 1.0).

    Attributes:
        label: the label that carries it on the worker pods and objects.
        env: the worker env var the runtime appends to its Dynamo namespace (``<ns>-<hash>``).
        length: hex digits kept of the SHA-256.
        excluded_fields: service fields zeroed before hashing (they do not change the pod).
        later_fields: service fields by the release that adds them (an earlier release's API
            server prunes them, so they are not part of its hash).
    """

    label: str
    env: str
    length: int
    excluded_fields: tuple[str, ...]
    later_fields: Mapping[str, str]
    sources: Mapping[str, str] = field(default_factory=dict)

    def suffix(self, component_type: str, labels: Mapping[str, str], worker_types: tuple[str, ...]) -> str:
        """N_E07: what ``DYN_NAMESPACE_WORKER_SUFFIX`` carries: a worker's hash label, "" for none.

        The operator's hash on the Deployment / LeaderWorkerSet path (D60), a user value on Grove.
        """
        return labels.get(self.label, "") if component_type in worker_types else ""


_HASH = src("M01", f"{_OP_1X}dynamo/hash.go:49 @ 01a4b6d6d", "ComputeDGDWorkersSpecHash")
WORKER_HASH = WorkerHashDefaults(
    label=LABEL_WORKER_HASH,
    env=ENV_WORKER_SUFFIX,
    length=8,
    excluded_fields=("annotations", "labels", "serviceName", "componentType", "subComponentType",
                     "dynamoNamespace", "replicas", "autoscaling", "scalingAdapter", "ingress", "modelRef",
                     "eppConfig"),
    later_fields={"frontendSidecar": "1.1", "topologyConstraint": "1.1", "gpuMemoryService": "1.1",
                  "failover": "1.1"},
    sources={
        "label": src("M01", f"{_OP_1X}consts/consts.go:57 @ 01a4b6d6d", "on worker pods and objects",
                     "D60 (names keep the stable form)"),
        "env": src("N_E07", f"{_OP_1X}dynamo/component_worker.go:115 @ 01a4b6d6d", "worker types only"),
        "length": _HASH,
        "excludedFields": src("M01", f"{_OP_1X}dynamo/hash.go:84 @ 01a4b6d6d", "stripNonPodTemplateFields"),
        "laterFields": src("S14", "S15", "S16", "S17",
                           "deploy/operator/api/v1alpha1/dynamocomponentdeployment_types.go:140-162 @ 01a4b6d6d",
                           "fields of the 1.1 CRD"),
    },
)
