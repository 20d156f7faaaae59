# SPDX-License-Identifier: Apache-2.0
"""What each backend (vLLM, SGLang, TRT-LLM, and ``noop``) adds to a component.

One :class:`BackendDefaults` per backend: the compilation-cache mount and env, and
for multinode services the env, ports and worker-probe changes. The launch rewrites
themselves (Ray, ``--dist-init-addr``, ``mpirun``) are strings in :mod:`.launch`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from krm_dynamo.defaults.components import PROBE_KINDS
from krm_dynamo.defaults.sources import (
    OP_CONSTS,
    OP_GRAPH,
    OP_SGLANG,
    OP_TRTLLM,
    OP_VLLM,
    Sourced,
    seed,
    src,
)
from krm_dynamo.record import dataclass, field

# The CRD enum of `backendFramework` (api/v1alpha1 dynamographdeployment_types.go; seed "Enum: [sglang vllm trtllm]").
BACKEND_FRAMEWORKS = ("sglang", "vllm", "trtllm")
NOOP_BACKEND = "noop"  # graph.go: every non-worker, and a worker with no backend found

RAY_HEAD_PORT = 6379  # backend_vllm.go VLLMPort; seed "Ray Head Port: 6379"
SGLANG_DIST_INIT_PORT = 29500  # backend_sglang.go SGLangPort; seed "Distribution Init Port: 29500"
MPI_SSH_PORT = 2222  # consts.go MpiRunSshPort; seed "Backend-Specific Configurations" (TensorRT-LLM)
# backend_trtllm.go; seed "TensorRT-LLM": worker readiness on the SSH port, 20 / 20 / 5 / 10
TRTLLM_WORKER_READINESS_PROBE: Mapping[str, Any] = MappingProxyType(
    {
        "tcpSocket": {"port": MPI_SSH_PORT},
        "initialDelaySeconds": 20,
        "periodSeconds": 20,
        "timeoutSeconds": 5,
        "failureThreshold": 10,
    }
)


@dataclass(frozen=True)
class BackendDefaults(Sourced):
    """Backend-specific values (``backend_<name>.go``).

    Attributes:
        compilation_cache_mount: default mount path of a ``useAsCompilationCache``
            volume without ``mountPoint``; None means the user must give one.
        compilation_cache_env: env var set to the effective cache mount path (D8), if any.
        multinode_env: env vars added to every multinode pod (R6: only when absent).
        multinode_ports: ``(name, port)`` the backend's multinode launch uses (not container ports).
        multinode_worker_probes: probe kind -> what a multinode worker pod gets instead of the
            probe: None removes it, a mapping replaces it, the user's probes included (D28).
        sources: item -> where its value comes from; items are ``compilationCache.mountPath``,
            ``compilationCache.env`` (both always, None included), ``multinode.env.<NAME>``,
            ``multinode.ports.<name>``, ``multinode.workerProbes.<kind>``.
    """

    compilation_cache_mount: str | None = None
    compilation_cache_env: str | None = None
    multinode_env: tuple[tuple[str, str], ...] = ()
    multinode_ports: tuple[tuple[str, int], ...] = ()
    multinode_worker_probes: Mapping[str, Mapping[str, Any] | None] = field(default_factory=dict)
    sources: Mapping[str, str] = field(default_factory=dict)

    def items(self) -> list[tuple[str, object]]:
        out: list[tuple[str, object]] = [
            ("compilationCache.mountPath", self.compilation_cache_mount),
            ("compilationCache.env", self.compilation_cache_env),
        ]
        out += [(f"multinode.env.{name}", value) for name, value in self.multinode_env]
        out += [(f"multinode.ports.{name}", port) for name, port in self.multinode_ports]
        out += [(f"multinode.workerProbes.{kind}", probe) for kind, probe in self.multinode_worker_probes.items()]
        return out


_D28 = "D28 (every probe of a worker pod, the user's included)"
_REMOVED = "removed on worker pods"
_NO_DEFAULT_MOUNT = "no default: a compilation-cache volume needs an explicit mountPoint"
_NO_ENV = "no env var (the operator only logs the mount)"
_ALL_REMOVED: Mapping[str, Mapping[str, Any] | None] = MappingProxyType(dict.fromkeys(PROBE_KINDS))


def _probes_changed(backend: str) -> str:
    return seed("Health Probes by Component Type", "Multinode Deployment Probe Modifications", backend)


VLLM = BackendDefaults(
    compilation_cache_mount="/root/.cache/vllm",
    compilation_cache_env="VLLM_CACHE_ROOT",
    multinode_ports=(("rayHead", RAY_HEAD_PORT),),
    multinode_worker_probes=_ALL_REMOVED,
    sources={
        "compilationCache.mountPath": src(
            OP_VLLM, seed("Environment Variables", "VLLM Backend (with compilation cache)"),
            "the default path when mountPoint is empty",
        ),
        "compilationCache.env": src(
            OP_VLLM, seed("Environment Variables", "VLLM Backend (with compilation cache)"),
            "D8 (set to the effective mount path, the default included)", "R6 (a user value wins)",
        ),
        "multinode.ports.rayHead": src(f"{OP_VLLM} VLLMPort", seed("Backend-Specific Configurations", "VLLM")),
        **{f"multinode.workerProbes.{k}": src(OP_VLLM, _probes_changed("VLLM Backend"), _REMOVED, _D28)
           for k in PROBE_KINDS},
    },
)

SGLANG = BackendDefaults(
    multinode_ports=(("distInit", SGLANG_DIST_INIT_PORT),),
    multinode_worker_probes=_ALL_REMOVED,
    sources={
        "compilationCache.mountPath": src(OP_SGLANG, _NO_DEFAULT_MOUNT),
        "compilationCache.env": src(OP_SGLANG, _NO_ENV),
        "multinode.ports.distInit": src(f"{OP_SGLANG} SGLangPort", seed("Backend-Specific Configurations", "SGLang")),
        **{f"multinode.workerProbes.{k}": src(OP_SGLANG, _probes_changed("SGLang Backend"), _REMOVED, _D28)
           for k in PROBE_KINDS},
    },
)

TRTLLM = BackendDefaults(
    multinode_env=(("OMPI_MCA_orte_keep_fqdn_hostnames", "1"),),
    multinode_ports=(("ssh", MPI_SSH_PORT),),
    multinode_worker_probes=MappingProxyType({
        "livenessProbe": None,
        "readinessProbe": TRTLLM_WORKER_READINESS_PROBE,
        "startupProbe": None,
    }),
    sources={
        "compilationCache.mountPath": src(OP_TRTLLM, _NO_DEFAULT_MOUNT),
        "compilationCache.env": src(OP_TRTLLM, _NO_ENV),
        "multinode.env.OMPI_MCA_orte_keep_fqdn_hostnames": src(
            OP_TRTLLM, seed("Backend-Specific Configurations", "TensorRT-LLM"), "R6 (a user value wins)"
        ),
        "multinode.ports.ssh": src(
            f"{OP_CONSTS} MpiRunSshPort", seed("Backend-Specific Configurations", "TensorRT-LLM")
        ),
        **{f"multinode.workerProbes.{k}": src(
            OP_TRTLLM, _probes_changed("TensorRT-LLM Backend"),
            "replaced on worker pods: tcpSocket on the SSH port, 20 / 20 / 5 / 10" if k == "readinessProbe"
            else _REMOVED, _D28,
        ) for k in PROBE_KINDS},
    },
)

NOOP = BackendDefaults(
    sources={
        "compilationCache.mountPath": src(
            f"{OP_GRAPH} (noop: every non-worker, and a worker with no backend found)", _NO_DEFAULT_MOUNT
        ),
        "compilationCache.env": src(OP_GRAPH, "no env var"),
    },
)

BACKENDS: Mapping[str, BackendDefaults] = MappingProxyType(
    {"vllm": VLLM, "sglang": SGLANG, "trtllm": TRTLLM, NOOP_BACKEND: NOOP}
)
