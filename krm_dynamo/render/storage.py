# SPDX-License-Identifier: Apache-2.0
"""Storage: PVC objects of ``spec.pvcs``, pod volumes from ``volumeMounts`` and shared memory.

Sources: operator ``dynamographdeployment_controller.go`` (``reconcilePVCs``),
``controller/common.go`` (``constructPVC``), ``graph.go`` (volume mounts,
``generateSharedMemoryVolumeAndMount``); operator-behaviour §10.3, §10.4, §14.6; D23.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from krm_dynamo import defaults
from krm_dynamo.api import models
from krm_dynamo.kube import fieldorder, quantity
from krm_dynamo.render.backends import Backend


@dataclass
class PodVolumes:
    """Volumes and main-container mounts the operator adds, and the compilation-cache path."""

    volumes: list[dict] = field(default_factory=list)
    mounts: list[dict] = field(default_factory=list)
    cache_mount_path: str | None = None


def pod_volumes(svc: models.Service, backend: Backend) -> PodVolumes:
    """Step 10 of §6: one PVC volume and mount per ``volumeMounts[]`` entry, then shared memory.

    The input has passed the storage rules (``graph.rules.storage``); nothing is reported here.
    """
    out = PodVolumes()
    for vm in svc.volumeMounts or []:
        mount_path = vm.mountPoint or backend.defaults.compilation_cache_mount
        if vm.useAsCompilationCache and out.cache_mount_path is None:
            out.cache_mount_path = mount_path
        out.volumes.append({"name": vm.name, "persistentVolumeClaim": {"claimName": vm.name}})
        out.mounts.append({"name": vm.name, "mountPath": mount_path})

    shm = svc.sharedMemory
    if shm is None or not shm.disabled:
        size = defaults.SHARED_MEMORY_SIZE
        if shm is not None and shm.size is not None:
            size = quantity.canonical(shm.size)
        out.volumes.append(
            {"name": defaults.SHARED_MEMORY_VOLUME, "emptyDir": {"medium": defaults.SHARED_MEMORY_MEDIUM, "sizeLimit": size}}
        )
        out.mounts.append({"name": defaults.SHARED_MEMORY_VOLUME, "mountPath": defaults.SHARED_MEMORY_MOUNT_PATH})
    return out


def persistent_volume_claims(graph: models.GraphSpec, namespace: str | None) -> list[dict]:
    """One PVC per ``spec.pvcs[]`` entry with ``create: true``.

    The entries have passed the PVC rule (``graph.rules.graph.check_pvcs``): names unique,
    ``create: true`` entries complete with a positive size.
    """
    out: list[dict] = []
    for pvc in graph.pvcs or []:
        if not pvc.create:
            continue
        size = quantity.canonical(pvc.size)
        metadata = {"name": pvc.name}
        if namespace:
            metadata["namespace"] = namespace
        obj = {
            "apiVersion": "v1",
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
