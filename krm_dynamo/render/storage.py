# SPDX-License-Identifier: Apache-2.0
"""Storage: PVC objects of ``spec.pvcs``, pod volumes from ``volumeMounts`` and shared memory.

Sources: operator ``dynamographdeployment_controller.go`` (``reconcilePVCs``),
``controller/common.go`` (``constructPVC``), ``graph.go`` (volume mounts,
``generateSharedMemoryVolumeAndMount``); D23.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from krm_dynamo import defaults
from krm_dynamo.api import v1alpha1
from krm_dynamo.graph.report import Report
from krm_dynamo.kube import fieldorder, quantity
from krm_dynamo.render.backends import Backend


@dataclass
class PodVolumes:
    """Volumes and main-container mounts the operator adds, and the compilation-cache path."""

    volumes: list[dict] = field(default_factory=list)
    mounts: list[dict] = field(default_factory=list)
    cache_mount_path: str | None = None


def pod_volumes(svc: v1alpha1.DynamoComponentDeploymentSharedSpec, backend: Backend, path: str, report: Report,
                table: defaults.OperatorDefaults | None = None) -> PodVolumes:
    """Pod-spec step 10: one PVC volume and mount per ``volumeMounts[]`` entry, then shared memory.

    The input has passed ``validation`` (V7, V8, V20 are reported there, once per
    service however many pod roles are built); the errors below are a safety net.
    """
    shared_memory = (table or defaults.for_release()).shared_memory
    out = PodVolumes()
    for i, vm in enumerate(svc.volumeMounts or []):
        where = f"{path}.volumeMounts[{i}]"
        if not vm.name:
            report.error(f"{where}.name", "volumeMount.name is required when volumeMounts is set")
            continue
        mount_path = vm.mountPoint or None
        if mount_path is None:
            if not vm.useAsCompilationCache:
                report.error(
                    f"{where}.mountPoint",
                    "volumeMount.mountPoint is required when useAsCompilationCache is false",
                )
                continue
            mount_path = backend.defaults.compilation_cache_mount
            if mount_path is None:
                report.error(
                    f"{where}.mountPoint",
                    "volumeMount with useAsCompilationCache=true requires an explicit mountPoint for backend "
                    f"framework {backend.name} (no default available)",
                )
                continue
        if vm.useAsCompilationCache and out.cache_mount_path is None:
            out.cache_mount_path = mount_path
        out.volumes.append({"name": vm.name, "persistentVolumeClaim": {"claimName": vm.name}})
        out.mounts.append({"name": vm.name, "mountPath": mount_path})

    shm = svc.sharedMemory
    if shm is None or not shm.disabled:
        size = shared_memory.size_limit
        if shm is not None and shm.size is not None:
            try:
                parsed = quantity.parse(shm.size)
            except quantity.QuantityError as exc:
                report.error(f"{path}.sharedMemory.size", f"invalid `size`: {exc}")
                parsed = None
            if parsed is not None:
                if parsed.value <= 0:
                    report.error(
                        f"{path}.sharedMemory.size",
                        f'expected `size` to be greater than zero, got "{shm.size}" (use `disabled: true` to '
                        "turn shared memory off)",
                    )
                else:
                    size = parsed.canonical()
        out.volumes.append(
            {"name": shared_memory.volume_name, "emptyDir": {"medium": shared_memory.medium, "sizeLimit": size}}
        )
        out.mounts.append({"name": shared_memory.volume_name, "mountPath": shared_memory.mount_path})
    return out


def persistent_volume_claims(graph: v1alpha1.DynamoGraphDeploymentSpec, namespace: str | None, report: Report,
                             table: defaults.OperatorDefaults | None = None) -> list[dict]:
    """One PVC per ``spec.pvcs[]`` entry with ``create: true``.

    The entries have passed ``validation.check_pvcs`` (V5, V6/D23), which owns the
    messages; an entry that would not pass is skipped here, never half-built.
    """
    pvc_defaults = (table or defaults.for_release()).persistent_volume_claim
    out: list[dict] = []
    seen: set[str] = set()
    for pvc in graph.pvcs or []:
        if not pvc.name or pvc.name in seen:
            continue
        seen.add(pvc.name)
        if not pvc.create or pvc.storageClass in (None, "") or pvc.volumeAccessMode not in pvc_defaults.access_modes:
            continue
        try:
            parsed = quantity.parse(pvc.size)
        except quantity.QuantityError:
            continue
        if not parsed.has_suffix or parsed.value <= 0:
            continue
        size = parsed.canonical()
        metadata = {"name": pvc.name}
        if namespace:
            metadata["namespace"] = namespace
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
