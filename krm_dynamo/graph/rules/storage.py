# SPDX-License-Identifier: Apache-2.0
"""Rules about a service's volumes: PVC mounts, shared memory, ``emptyDir`` size limits."""

from __future__ import annotations

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
    """A given shared-memory size parses and is positive."""
    shm = s.svc.sharedMemory
    if shm is None or shm.disabled or shm.size is None:
        return
    path = f"{s.path}.sharedMemory.size"
    try:
        parsed = quantity.parse(shm.size)
    except quantity.QuantityError as exc:
        report.error(path, f"invalid `size`: {exc}")
        return
    if parsed.value <= 0:
        report.error(path, f'expected `size` to be greater than zero, got "{shm.size}" (use `disabled: true` to '
                           "turn shared memory off)")


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
