# SPDX-License-Identifier: Apache-2.0
"""Where a service's own volumes and mounts meet the ones the operator adds (D31).

The operator appends one PVC volume per ``volumeMounts[]`` entry and its shared-memory
volume (``shared-memory`` at ``/dev/shm``) to whatever the user wrote, so a user volume of
the same name or a user mount at the same path gives a pod the API server rejects
("Duplicate value"). One answer here, read by the storage rules (which report) and the
storage builder (which follows it):

* :func:`shared_memory_use`: the user's own shared memory wins over the default;
* :func:`pod_volume_names` / :func:`main_mount_paths`: every pod volume name and main
  container mount path the user asks for, with the field that asks for it.
"""

from __future__ import annotations

from typing import Any

from krm_dynamo.defaults.components import SharedMemoryDefaults
from krm_dynamo.graph.component import Component
from krm_dynamo.record import dataclass


@dataclass(frozen=True)
class SharedMemoryUse:
    """What the default shared-memory volume and mount become for one service.

    Attributes:
        add_volume: the default ``emptyDir`` volume is added.
        add_mount: the default mount at the shared-memory path is added.
        clashes: ``(field path, what)`` of each user entry that takes the default's volume
            name or mount path (empty when the default is added unchanged).
    """

    add_volume: bool = True
    add_mount: bool = True
    clashes: tuple[tuple[str, str], ...] = ()


def _items(value: Any) -> list[tuple[int, dict[str, Any]]]:
    return [(i, v) for i, v in enumerate(value) if isinstance(v, dict)] if isinstance(value, list) else []


def pod_volume_names(component: Component) -> list[tuple[str, str]]:
    """``(field path, name)`` of every pod volume the user asks for, in pod order.

    ``extraPodSpec.volumes`` first, then one PVC volume per ``volumeMounts[]`` entry
    (the same claim mounted twice is one volume: D31, the first entry names it).
    """
    out = [(f"{component.path}.extraPodSpec.volumes[{i}].name", str(v.get("name")))
           for i, v in _items(component.pod_fields.get("volumes")) if isinstance(v.get("name"), str)]
    claims: set[str] = set()
    for i, vm in enumerate(component.spec.volumeMounts or []):
        if vm.name and vm.name not in claims:
            claims.add(vm.name)
            out.append((f"{component.path}.volumeMounts[{i}].name", vm.name))
    return out


def main_mount_paths(component: Component, cache_mount: str | None) -> list[tuple[str, str]]:
    """``(field path, mount path)`` of every main-container mount the user asks for.

    ``mainContainer.volumeMounts`` first, then one per ``volumeMounts[]`` entry at its
    ``mountPoint`` (``cache_mount``, the backend's compilation-cache default, when a cache
    volume names none).
    """
    out = [(f"{component.mc_path}.volumeMounts[{i}].mountPath", str(m.get("mountPath")))
           for i, m in _items(component.main_container.get("volumeMounts")) if isinstance(m.get("mountPath"), str)]
    for i, vm in enumerate(component.spec.volumeMounts or []):
        path = vm.mountPoint or (cache_mount if vm.useAsCompilationCache else None)
        if vm.name and path:
            where = "mountPoint" if vm.mountPoint else "useAsCompilationCache"
            out.append((f"{component.path}.volumeMounts[{i}].{where}", path))
    return out


def _mounts_volume(component: Component, name: str) -> bool:
    """Some user container (main, sidecar, init) mounts the volume ``name``."""
    containers = [component.main_container]
    for key in ("containers", "initContainers"):
        containers += [c for _, c in _items(component.pod_fields.get(key))]
    return any(m.get("name") == name for c in containers for _, m in _items(c.get("volumeMounts")))


def shared_memory_use(component: Component, shm: SharedMemoryDefaults, cache_mount: str | None) -> SharedMemoryUse:
    """D31: the user's own shared memory wins over the default one.

    A user volume named like the default (``extraPodSpec.volumes``, or a PVC of that name)
    or a user mount at the default's path (``mainContainer.volumeMounts``, or a PVC
    ``mountPoint``) means neither the default volume nor the default mount is added; the
    default volume stays only when a user mount at that path uses it by name (then it is
    what that mount needs). Shared memory disabled: nothing is added, nothing clashes.
    """
    spec = component.spec.sharedMemory
    if spec is not None and spec.disabled:
        return SharedMemoryUse(add_volume=False, add_mount=False)
    volume_clashes = [(path, f'a volume named "{name}"')
                      for path, name in pod_volume_names(component) if name == shm.volume_name]
    mount_clashes = [(path, f'a mount at "{mount}"')
                     for path, mount in main_mount_paths(component, cache_mount) if mount == shm.mount_path]
    if not volume_clashes and not mount_clashes:
        return SharedMemoryUse()
    keep_volume = not volume_clashes and _mounts_volume(component, shm.volume_name)
    return SharedMemoryUse(add_volume=keep_volume, add_mount=False, clashes=tuple(volume_clashes + mount_clashes))
