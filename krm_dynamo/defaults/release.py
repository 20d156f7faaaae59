# SPDX-License-Identifier: Apache-2.0
"""The table set of each operator release, and the one selector every reader goes through.

Rendering (``PodContext.defaults``), validation, ``krm-dynamo explain`` and the
schema (the ``backendFramework`` enum) get their tables from :func:`for_release`. A later operator release is a new
:class:`OperatorDefaults` made with :func:`derive_release` from the one before (only
what changed is given) plus an entry in :data:`RELEASES`; builders do not change.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from krm_dynamo import record
from krm_dynamo.defaults import backends, components, labels, launch, mergekinds, multinode, objects
from krm_dynamo.defaults.sources import OPERATOR_COMMIT, Entries, Sourced
from krm_dynamo.record import dataclass


@dataclass(frozen=True)
class OperatorDefaults:
    """All defaults of one operator release.

    Attributes:
        release: the Dynamo release (``"0.6"``); ``operator_commit`` the upstream commit read.
        base, by_component_type: main container and pod per ``componentType`` (:meth:`for_component`).
        backend_frameworks: the values ``backendFramework`` accepts (the CRD enum, in its order).
        backends: per backend name, ``noop`` included.
        shared_memory, platform_env: every pod's shared memory; env names set from the functionConfig.
        naming: names the operator derives (GPU resource, Dynamo namespace prefix, namespace field).
        deployment … grove: the generated objects (:mod:`.objects`, :mod:`.multinode`).
        labels, annotations: the keys the operator writes and reads.
        launch: the multinode launch strings (:mod:`.launch`).
        merge_kinds: the Go kind of each PodSpec / Container field, which decides how a
            user value merges over the defaults (:mod:`.mergekinds`, D29).
    """

    release: str
    operator_commit: str
    base: components.ComponentDefaults
    by_component_type: Mapping[str, components.ComponentDefaults]
    backend_frameworks: tuple[str, ...]
    backends: Mapping[str, backends.BackendDefaults]
    shared_memory: components.SharedMemoryDefaults
    platform_env: Entries
    naming: Entries
    deployment: objects.DeploymentDefaults
    service: objects.ServiceDefaults
    ingress: objects.IngressDefaults
    virtual_service: objects.VirtualServiceDefaults
    autoscaler: objects.AutoscalerDefaults
    persistent_volume_claim: objects.PersistentVolumeClaimDefaults
    debugger: objects.DebuggerDefaults
    leader_worker_set: multinode.LeaderWorkerSetDefaults
    pod_group: multinode.PodGroupDefaults
    grove: multinode.GroveDefaults
    labels: Entries
    annotations: Entries
    launch: Entries
    merge_kinds: mergekinds.MergeKinds

    def for_component(self, component_type: str | None) -> components.ComponentDefaults:
        """Defaults for a ``componentType``, matched exactly (case-sensitive): any other gets ``base``."""
        return self.by_component_type.get(component_type or "", self.base)

    def object_tables(self) -> dict[str, Sourced]:
        """The object-level tables by kind, in the order ``explain`` prints them."""
        return {
            "Deployment": self.deployment,
            "Service": self.service,
            "Ingress": self.ingress,
            "VirtualService": self.virtual_service,
            "HorizontalPodAutoscaler": self.autoscaler,
            "PersistentVolumeClaim": self.persistent_volume_claim,
            "debugger": self.debugger,
            "LeaderWorkerSet": self.leader_worker_set,
            "PodGroup": self.pod_group,
            "PodCliqueSet": self.grove,
        }


def derive_release(previous: OperatorDefaults, *, release: str, operator_commit: str,
                   **changes: Any) -> OperatorDefaults:
    """The table set of a later release: ``previous`` with the tables in ``changes`` replaced.

    Raises:
        TypeError: a name in ``changes`` is not a field of :class:`OperatorDefaults`.
    """
    return record.replace(previous, release=release, operator_commit=operator_commit, **changes)


RELEASE_0_6 = OperatorDefaults(
    release="0.6",
    operator_commit=OPERATOR_COMMIT,
    base=components.BASE,
    by_component_type=MappingProxyType({
        components.COMPONENT_FRONTEND: components.FRONTEND,
        components.COMPONENT_WORKER: components.WORKER,
        components.COMPONENT_PLANNER: components.PLANNER,
    }),
    backend_frameworks=backends.BACKEND_FRAMEWORKS,
    backends=backends.BACKENDS,
    shared_memory=components.SHARED_MEMORY,
    platform_env=components.PLATFORM_ENV,
    naming=components.NAMING,
    deployment=objects.DEPLOYMENT,
    service=objects.SERVICE,
    ingress=objects.INGRESS,
    virtual_service=objects.VIRTUAL_SERVICE,
    autoscaler=objects.AUTOSCALER,
    persistent_volume_claim=objects.PERSISTENT_VOLUME_CLAIM,
    debugger=objects.DEBUGGER,
    leader_worker_set=multinode.LEADER_WORKER_SET,
    pod_group=multinode.POD_GROUP,
    grove=multinode.GROVE,
    labels=labels.LABELS,
    annotations=labels.ANNOTATIONS,
    launch=launch.LAUNCH,
    merge_kinds=mergekinds.MERGE_KINDS,
)

DEFAULT_RELEASE = RELEASE_0_6.release
RELEASES: Mapping[str, OperatorDefaults] = MappingProxyType({RELEASE_0_6.release: RELEASE_0_6})


class UnknownReleaseError(ValueError):
    """No table set for the operator release asked for; the message is one line."""


def for_release(version: str = DEFAULT_RELEASE) -> OperatorDefaults:
    """The table set of operator release ``version`` (``"0.6"``).

    Raises:
        UnknownReleaseError: no table set for ``version``.
    """
    try:
        return RELEASES[version]
    except KeyError:
        known = ", ".join(sorted(RELEASES))
        raise UnknownReleaseError(f"no defaults for operator release {version!r} (known: {known})") from None
