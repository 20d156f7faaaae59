# SPDX-License-Identifier: Apache-2.0
"""Storage: PVC objects of ``spec.pvcs``, pod volumes from ``volumeMounts`` and shared memory.

Sources: operator ``dynamographdeployment_controller.go`` (``reconcilePVCs``),
``controller/common.go`` (``constructPVC``), ``graph.go`` (volume mounts,
``generateSharedMemoryVolumeAndMount``); operator-behaviour §10.3, §10.4, §14.6; D23.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from krm_dynamo import defaults, fieldorder, models, quantity
from krm_dynamo.backends import Backend
from krm_dynamo.diagnostics import Report


@dataclass
class PodVolumes:
    """Volumes and main-container mounts the operator adds, and the compilation-cache path."""

    volumes: list[dict] = field(default_factory=list)
    mounts: list[dict] = field(default_factory=list)
    cache_mount_path: str | None = None


def pod_volumes(svc: models.Service, backend: Backend, path: str, known_claims: set[str],
                report: Report) -> PodVolumes:
    """Step 10 of §6: one PVC volume and mount per ``volumeMounts[]`` entry, then shared memory."""
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
        if vm.name not in known_claims:
            report.warning(
                f"{where}.name",
                f'volume mount "{vm.name}" names no entry of `spec.pvcs` and no PersistentVolumeClaim in the '
                "input; the claim must already exist in the cluster",
            )
        out.volumes.append({"name": vm.name, "persistentVolumeClaim": {"claimName": vm.name}})
        out.mounts.append({"name": vm.name, "mountPath": mount_path})

    shm = svc.sharedMemory
    if shm is None or not shm.disabled:
        size = defaults.SHARED_MEMORY_SIZE
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
            {"name": defaults.SHARED_MEMORY_VOLUME, "emptyDir": {"medium": "Memory", "sizeLimit": size}}
        )
        out.mounts.append({"name": defaults.SHARED_MEMORY_VOLUME, "mountPath": defaults.SHARED_MEMORY_MOUNT_PATH})
    return out


def persistent_volume_claims(graph: models.GraphSpec, namespace: str | None, report: Report) -> list[dict]:
    """One PVC per ``spec.pvcs[]`` entry with ``create: true``, validated (V5, D23)."""
    out: list[dict] = []
    seen: dict[str, int] = {}
    for i, pvc in enumerate(graph.pvcs or []):
        where = f"spec.pvcs[{i}]"
        if not pvc.name:
            report.error(f"{where}.name", "expected `name`, the name of the PersistentVolumeClaim, found none")
            continue
        if pvc.name in seen:
            report.error(f"{where}.name", f'expected unique PVC names, "{pvc.name}" is also `spec.pvcs[{seen[pvc.name]}]`')
            continue
        seen[pvc.name] = i
        if not pvc.create:
            continue
        missing = [f for f in ("size", "storageClass", "volumeAccessMode") if getattr(pvc, f) in (None, "")]
        if missing:
            listed = ", ".join(f"`{f}`" for f in missing)
            report.error(
                f"{where}.{missing[0]}",
                f"When create is true, size, storageClass, and volumeAccessMode are required; missing {listed}",
            )
            continue
        size = _pvc_size(pvc.size, f"{where}.size", report)
        if pvc.volumeAccessMode not in defaults.PVC_ACCESS_MODES:
            modes = ", ".join(f'"{m}"' for m in defaults.PVC_ACCESS_MODES)
            report.error(
                f"{where}.volumeAccessMode",
                f'expected `volumeAccessMode` to be one of {modes}, got "{pvc.volumeAccessMode}"',
            )
            continue
        if size is None:
            continue
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


def _pvc_size(raw: object, path: str, report: Report) -> str | None:
    try:
        parsed = quantity.parse(raw)
    except quantity.QuantityError as exc:
        report.error(path, f"invalid `size`: {exc}")
        return None
    if not parsed.has_suffix:
        # D23: the seed reads the size in Gi, Kubernetes in bytes; a bare number is a mistake.
        report.error(path, f'expected `size` with a unit (the size is in Gi), got "{raw}": write {raw}Gi')
        return None
    if parsed.value <= 0:
        report.error(path, f'expected `size` to be greater than zero, got "{raw}"')
        return None
    return parsed.canonical()
