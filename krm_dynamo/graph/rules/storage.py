# SPDX-License-Identifier: Apache-2.0
"""Rules about a service's volumes: PVC mounts, shared memory, clashes with the operator's volumes (D31)."""

from __future__ import annotations

from krm_dynamo import defaults
from krm_dynamo.graph import volumes
from krm_dynamo.graph.report import Report
from krm_dynamo.graph.rules.context import ServiceCheck
from krm_dynamo.kube import naming, quantity


def check_volume_mounts(s: ServiceCheck, report: Report) -> None:
    """Names present and valid, a mount point or a backend default, a known claim."""
    for i, vm in enumerate(s.svc.volumeMounts or []):
        where = f"{s.path}.volumeMounts[{i}]"
        if not vm.name:
            report.error(f"{where}.name", "volumeMount.name is required when volumeMounts is set")
            continue
        if not naming.is_dns1123_label(vm.name):
            report.error(f"{where}.name", naming.dns_label_message("the volume name", vm.name))
            continue
        if not vm.mountPoint:
            if not vm.useAsCompilationCache:
                report.error(f"{where}.mountPoint",
                             "volumeMount.mountPoint is required when useAsCompilationCache is false")
                continue
            if s.backend is not None and s.backend.defaults.compilation_cache_mount is None:
                report.error(
                    f"{where}.mountPoint",
                    "volumeMount with useAsCompilationCache=true requires an explicit mountPoint for backend "
                    f"framework {s.backend.name} (no default available)",
                )
                continue
        elif not vm.mountPoint.startswith("/"):
            # The API server accepts it; container runtimes reject or deprecate relative destinations.
            report.warning(f"{where}.mountPoint",
                           f'expected `mountPoint` to be an absolute path, got "{vm.mountPoint}"')
        if vm.name not in s.graph.known_claims:
            report.warning(
                f"{where}.name",
                f'expected volume mount "{vm.name}" to name an entry of `spec.pvcs` or a PersistentVolumeClaim in '
                "the input, found neither; the claim must already exist in the cluster",
            )


def check_shared_memory(s: ServiceCheck, report: Report) -> None:
    """A given shared-memory size parses and is not negative; zero keeps the default (as the operator does).

    With ``disabled: true`` a size is ignored, and rejected where the release's CRD says so (S19).
    """
    shm = s.svc.sharedMemory
    if shm is not None and shm.disabled and shm.size is not None \
            and s.graph.table.schema_limits.values.get("sharedMemorySizeWhenDisabled") == "rejected":
        report.error(f"{s.path}.sharedMemory.size", "expected no `size` when `disabled` is true (the CRD of "
                                                    f"operator {s.graph.table.release} rejects both together)")
        return
    if shm is None or shm.disabled or shm.size is None:
        return
    path = f"{s.path}.sharedMemory.size"
    try:
        parsed = quantity.parse(shm.size)
    except quantity.QuantityError as exc:
        report.error(path, f"invalid `size`: {exc}")
        return
    if parsed.value < 0:
        report.error(path, f'expected `size` to be greater than zero, got "{shm.size}" (use `disabled: true` to '
                           "turn shared memory off)")
    elif parsed.value == 0 and not s.graph.table.switch("V01"):  # from 1.0 the webhook rejects it (V01)
        default = s.graph.table.shared_memory.size_limit
        report.warning(path, f'`size` "{shm.size}" is zero: the default size {default} is used, as the operator '
                             "does (use `disabled: true` to turn shared memory off)")


def check_shared_memory_clashes(s: ServiceCheck, report: Report) -> None:
    """D31: a user volume or mount that takes the default shared memory's name or path wins; say so."""
    table = s.graph.table.shared_memory
    cache = s.backend.defaults.compilation_cache_mount if s.backend is not None else None
    use = volumes.shared_memory_use(s.component, table, cache)
    if s.graph.table.switch("P05"):
        for path, what in use.clashes:
            report.warning(path, f"{what} is dropped: operator 1.1 replaces it with its own shared memory (volume "
                                 f'"{table.volume_name}" at "{table.mount_path}"), added last')
        return
    for path, what in use.clashes:
        added = "mount is" if use.add_volume else "volume and mount are"  # the volume stays when a mount names it
        report.warning(
            path,
            f"{what} is used instead of the default shared memory (volume \"{table.volume_name}\" at "
            f"\"{table.mount_path}\"): the default {added} not added (the operator adds its own as well, and the "
            "API server rejects the duplicate) (D31)",
        )
    size = s.svc.sharedMemory.size if s.svc.sharedMemory is not None else None
    if use.clashes and not use.add_volume and size is not None:
        report.warning(f"{s.path}.sharedMemory.size", "`size` is ignored: your own volume is used for shared memory")


def check_pod_volume_names(s: ServiceCheck, report: Report) -> None:
    """D31: no two pod volumes share a name (``extraPodSpec.volumes`` and one volume per claim mounted)."""
    shm_name = s.graph.table.shared_memory.volume_name
    seen: dict[str, str] = {}
    for path, name in volumes.pod_volume_names(s.component):
        if name in seen and name != shm_name:  # the default's name: the user's wins (check_shared_memory_clashes)
            report.error(path, f'expected pod volume names to be unique, got "{name}" again (first at {seen[name]}): '
                               "the API server rejects two volumes of one name")
        seen.setdefault(name, path)
    secret = s.graph.cfg.mpiRunSecretName
    if _trtllm_multinode(s) and secret in seen:
        report.warning(seen[secret], f'a volume named "{secret}" takes the place of the MPI SSH secret volume that '
                                     "TRT-LLM multinode pods get: the default is not added (D31)")


def check_main_mount_paths(s: ServiceCheck, report: Report) -> None:
    """D31: no two main-container mounts share a path (``mainContainer.volumeMounts``, ``volumeMounts``, SSH keys)."""
    cache = s.backend.defaults.compilation_cache_mount if s.backend is not None else None
    seen: dict[str, str] = {}
    for path, mount in volumes.main_mount_paths(s.component, cache):
        if mount in seen:
            report.error(path, f'expected mount paths of the main container to be unique, got "{mount}" again (first '
                               f"at {seen[mount]}): the API server rejects two mounts at one path")
        seen.setdefault(mount, path)
    if _trtllm_multinode(s) and defaults.SSH_KEY_MOUNT_PATH in seen:
        report.error(seen[defaults.SSH_KEY_MOUNT_PATH],
                     f'expected no mount at "{defaults.SSH_KEY_MOUNT_PATH}" on a multinode TRT-LLM service: the '
                     "operator mounts the MPI SSH secret there (two mounts at one path are rejected)")


def check_sidecar_mount_paths(s: ServiceCheck, report: Report) -> None:
    """V33: no two mounts of one sidecar or init container share a path (``extraPodSpec.containers`` and
    ``initContainers`` are copied as written; the API server rejects the pod otherwise)."""
    pod = s.component.pod_fields
    for field_name in ("containers", "initContainers"):
        items = pod.get(field_name)
        for i, container in enumerate(items if isinstance(items, list) else []):
            mounts = container.get("volumeMounts") if isinstance(container, dict) else None
            seen: dict[str, str] = {}
            for j, mount in enumerate(mounts if isinstance(mounts, list) else []):
                where = f"{s.path}.extraPodSpec.{field_name}[{i}].volumeMounts[{j}].mountPath"
                path = mount.get("mountPath") if isinstance(mount, dict) else None
                if isinstance(path, str) and path in seen:
                    report.error(where, f'expected mount paths of a container to be unique, got "{path}" again '
                                        f"(first at {seen[path]}): the API server rejects two mounts at one path")
                elif isinstance(path, str):
                    seen[path] = where


def _trtllm_multinode(s: ServiceCheck) -> bool:
    return s.component.multinode and s.backend is not None and s.backend.name == "trtllm"


def check_empty_dirs(s: ServiceCheck, report: Report) -> None:
    """An ``emptyDir.sizeLimit`` of ``extraPodSpec.volumes`` is a quantity (the builder writes it canonical)."""
    volumes = s.component.pod_fields.get("volumes")
    for i, volume in enumerate(volumes if isinstance(volumes, list) else []):
        empty_dir = volume.get("emptyDir") if isinstance(volume, dict) else None
        if isinstance(empty_dir, dict) and empty_dir.get("sizeLimit") is not None:
            try:
                quantity.canonical(empty_dir["sizeLimit"])
            except quantity.QuantityError as exc:
                report.error(f"{s.path}.extraPodSpec.volumes[{i}].emptyDir.sizeLimit", f"invalid `sizeLimit`: {exc}")
