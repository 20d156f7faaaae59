# SPDX-License-Identifier: Apache-2.0
"""Container resource names as the API server checks them (``validateContainerResourceName``).

Kubernetes ``pkg/apis/core/validation``: a container's ``requests`` / ``limits`` key is a
qualified name (``[prefix/]name``). Without a prefix it must be a standard container
resource: ``cpu``, ``memory``, ``ephemeral-storage`` or ``hugepages-<size>``. With a prefix
it is native when the prefix contains ``kubernetes.io/``, else an extended resource
(``nvidia.com/gpu``), which must not start with ``requests.``. Names such as
``requests.cpu`` or ``limits.memory`` are resource-quota names, never container ones.
"""

from __future__ import annotations

from krm_dynamo.kube import naming

STANDARD_CONTAINER_RESOURCES = ("cpu", "memory", "ephemeral-storage")
HUGEPAGES_PREFIX = "hugepages-"
QUOTA_PREFIXES = ("requests.", "limits.")
NATIVE_PREFIX = "kubernetes.io/"
GPU_NAMES = ("gpu", "gpus", "nvidia.com/gpu")  # spellings of the GPU (hint: nvidia.com/gpu)


def container_resource_problem(name: str) -> str | None:
    """Why the API server rejects ``name`` as a container resource name, with a hint; None when valid."""
    problem = _problem(name)
    if problem is not None and name.lower() in GPU_NAMES:
        return f'"{name}" is not a resource name Kubernetes accepts: write "nvidia.com/gpu", or use the service\'s ' \
               "`resources.limits.gpu`"
    return problem


def _problem(name: str) -> str | None:
    for prefix in QUOTA_PREFIXES:
        if name.startswith(prefix):
            return (f'"{name}" is a resource-quota name; in a container write "{name[len(prefix):]}" under '
                    f"`{prefix[:-1]}`")
    if not naming.is_qualified_name(name):
        return (f'"{name}" is not a qualified name ([prefix/]name: at most 63 letters, digits, "-", "_", "." '
                "starting and ending with a letter or digit; the prefix a lower-case DNS subdomain)")
    if "/" not in name and name not in STANDARD_CONTAINER_RESOURCES and not name.startswith(HUGEPAGES_PREFIX):
        return (f'"{name}" has no prefix, so it must be one of cpu, memory, ephemeral-storage or '
                f'hugepages-<size>; other resources need a prefix, such as "example.com/{name}"')
    return None
