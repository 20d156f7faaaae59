# SPDX-License-Identifier: Apache-2.0
"""Storage: PVC objects of ``spec.pvcs``, pod volumes from ``volumeMounts`` and shared memory.

Sources: operator ``dynamographdeployment_controller.go`` (``reconcilePVCs``),
``controller/common.go`` (``constructPVC``), ``graph.go`` (volume mounts,
``generateSharedMemoryVolumeAndMount``); D23.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from krm_dynamo import defaults
from krm_dynamo.graph.backend import Backend
from krm_dynamo.graph.volumes import SharedMemoryUse
from krm_dynamo.kube import fieldorder, quantity
from krm_dynamo.record import dataclass, field
from krm_dynamo.render.metadata import object_metadata

if TYPE_CHECKING:
    from krm_dynamo.api import v1alpha1


@dataclass
class PodVolumes:
    """Volumes and main-container mounts the operator adds, and the compilation-cache path."""

    volumes: list[dict[str, Any]] = field(default_factory=list)
    mounts: list[dict[str, Any]] = field(default_factory=list)
    cache_mount_path: str | None = None
    late_volume: dict[str, Any] | None = None  # P05: shared memory placed after the backend hook
    late_mount: dict[str, Any] | None = None


def pod_volumes(svc: v1alpha1.DynamoComponentDeploymentSharedSpec, backend: Backend,
                table: defaults.OperatorDefaults, shared_memory_use: SharedMemoryUse | None = None) -> PodVolumes:
    """Pod-spec step 10: one PVC volume per claim and one mount per ``volumeMounts[]`` entry, then shared memory.

    The same claim in two entries is one pod volume with two mounts (D31). The shared-memory
    volume and mount follow ``shared_memory_use`` (:func:`krm_dynamo.graph.volumes.shared_memory_use`:
    the user's own shared memory wins, D31; None adds both); a zero ``sharedMemory.size``
    keeps the default size, as the operator does. The input has passed the storage rules
    (``graph.rules.storage``); nothing is reported here.
    """
    shared_memory = table.shared_memory
    late = table.switch("P05")  # operator 1.1: added last, replacing the user's (render.features11)
    use = SharedMemoryUse() if late or shared_memory_use is None else shared_memory_use
    out = PodVolumes()
    for vm in svc.volumeMounts or []:
        mount_path = vm.mountPoint or backend.defaults.compilation_cache_mount
        if vm.useAsCompilationCache and out.cache_mount_path is None:
            out.cache_mount_path = mount_path
        if all(v["name"] != vm.name for v in out.volumes):
            out.volumes.append({"name": vm.name, "persistentVolumeClaim": {"claimName": vm.name}})
        out.mounts.append({"name": vm.name, "mountPath": mount_path})

    shm = svc.sharedMemory
    if shm is None or not shm.disabled:
        size = shared_memory.size_limit
        if shm is not None and shm.size is not None and quantity.parse(shm.size).value != 0:
            size = quantity.canonical(shm.size)
        volume = {"name": shared_memory.volume_name, "emptyDir": {"medium": shared_memory.medium, "sizeLimit": size}}
        mount = {"name": shared_memory.volume_name, "mountPath": shared_memory.mount_path}
        if late:
            out.late_volume, out.late_mount = volume, mount
            return out
        if use.add_volume:
            out.volumes.append(volume)
        if use.add_mount:
            out.mounts.append(mount)
    return out


def persistent_volume_claims(graph: v1alpha1.DynamoGraphDeploymentSpec, namespace: str | None,
                             table: defaults.OperatorDefaults) -> list[dict[str, Any]]:
    """One PVC per ``spec.pvcs[]`` entry with ``create: true``.

    The entries have passed the PVC rule (``graph.rules.graph.check_pvcs``): names unique,
    ``create: true`` entries complete with a positive size.
    """
    out: list[dict[str, Any]] = []
    for pvc in graph.pvcs or []:
        if not pvc.create or not pvc.name:  # a created PVC always has a name (the PVC rule)
            continue
        pvc_defaults = table.persistent_volume_claim  # read only for a PVC: its table is built on first read
        size = quantity.canonical(pvc.size)
        metadata = object_metadata(pvc.name, namespace, {}, {})
        obj = {
            "apiVersion": pvc_defaults.api_version,
            "kind": "PersistentVolumeClaim",
            "metadata": metadata,
            "spec": {
                "accessModes": [pvc.volumeAccessMode],
                "resources": {"requests": {"storage": size}},
                "storageClassName": pvc.storageClass,
            },
        }
        out.append(fieldorder.ordered(obj, "PersistentVolumeClaim"))
    return out
