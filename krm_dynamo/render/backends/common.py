# SPDX-License-Identifier: Apache-2.0
"""What every backend hook shares: the deployer strings, the pod's place, env helpers.

The orchestrator's strings (leader address, host list, node rank) come from a
:class:`Deployer`, built from the release's launch table (:func:`deployer_for`); the
pod's place in a multinode service is a :class:`PodRole`. Shell quoting and the flag
injection of the multinode rewrites live in :mod:`.flags` (imported by the backend modules).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from krm_dynamo import defaults
from krm_dynamo.config import DEFAULTS as CONFIG_DEFAULTS
from krm_dynamo.defaults.launch import LAUNCH
from krm_dynamo.record import dataclass, field


def compilation_cache_env(backend: Any, cache_mount_path: str | None) -> list[dict[str, Any]]:
    """Env the backend adds for the effective compilation-cache mount path (D8)."""
    if cache_mount_path is None or not backend.defaults.compilation_cache_env:
        return []
    return [{"name": backend.defaults.compilation_cache_env, "value": cache_mount_path}]


def add_env_if_absent(env: list[dict[str, Any]], additions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Append backend env vars whose name is not yet set; the user's value wins (R6)."""
    names = {e.get("name") for e in env}
    return env + [e for e in additions if e["name"] not in names]


# --- deployers: leader address, host list, node rank ---------------------------------------


@dataclass(frozen=True)
class Deployer:
    """The strings a multinode orchestrator gives backends (``lws.go`` / ``grove.go``).

    Templates hold ``<svc>`` (the service name handed to backends), ``<svc-lower>`` (the same,
    lower-cased: operator 1.x Grove, B07) and ``<j>`` (a worker index); ``worker_hostname``
    None means the deployer names no workers (test doubles). ``dns_wait``: the TRT-LLM leader
    waits until the workers' names resolve (operator 1.x LWS, B06).
    """

    name: str
    leader_hostname_template: str
    node_rank: str
    node_rank_needs_shell: bool
    worker_hostname: str | None = None
    first_worker_index: int = 1
    dns_wait: bool = False

    def leader_hostname(self, service_name: str) -> str:
        return _service(self.leader_hostname_template, service_name)

    def hostnames(self, service_name: str, node_count: int) -> list[str]:
        """All host names, leader first (the TRT-LLM ``mpirun -H`` list)."""
        workers = [
            _service(self.worker_hostname or "", service_name).replace("<j>", str(self.first_worker_index + k))
            for k in range(node_count - 1)
        ]
        return [self.leader_hostname(service_name), *workers]


def _service(template: str, service_name: str) -> str:
    return template.replace("<svc-lower>", service_name.lower()).replace("<svc>", service_name)


def deployer_for(name: str, launch: Mapping[str, Any]) -> Deployer:
    """The ``lws`` or ``grove`` deployer of a release's launch table (``table.launch.values``)."""
    return Deployer(
        name=name,
        leader_hostname_template=launch[f"{name}.leaderHostname"],
        node_rank=launch[f"{name}.nodeRank"],
        node_rank_needs_shell=True,  # both ranks are shell expressions
        worker_hostname=launch[f"{name}.workerHostname"],
        first_worker_index=launch[f"{name}.firstWorkerIndex"],
        dns_wait=bool(launch.get(f"{name}.dnsWait", False)),
    )


LWS = deployer_for("lws", LAUNCH.values)
GROVE = deployer_for("grove", LAUNCH.values)


def launch_values(table: defaults.OperatorDefaults) -> Mapping[str, Any]:
    """The release's launch strings (:mod:`krm_dynamo.defaults.launch`), by key."""
    values: Mapping[str, Any] = table.launch.values
    return values


def release_deployer(deployer: Deployer, table: defaults.OperatorDefaults) -> Deployer:
    """``deployer`` with the strings of ``table``'s release (LWS and Grove; any other as given)."""
    return deployer_for(deployer.name, launch_values(table)) if deployer.name in ("lws", "grove") else deployer


@dataclass(frozen=True)
class PodRole:
    """Where a pod sits in a multinode service: what the backend hooks need besides the container.

    Attributes:
        role: ``main`` (single node), ``leader`` or ``worker``.
        node_count: number of nodes of the service (1 = single node).
        service_name: the name handed to backends (Grove: the services key verbatim).
        deployer: the orchestrator's strings (:data:`LWS`, :data:`GROVE`).
        resources: the service's Dynamo resources (``{"limits": {"gpu": …}, …}``).
        secret_name: the MPI SSH secret (functionConfig ``mpiRunSecretName``).
        table: the release's table set (None: 0.6).
        annotations: the service annotations the backend reads, DGD values and the origin
            version already applied (the derived ``Component.annotations``).
        dgd_name: the DGD's name (the wait-for-leader ConfigMap, operator 1.1).
        deferred_env: backend env the container hook appends after its own (N_E09).
    """

    role: str = defaults.ROLE_MAIN
    node_count: int = 1
    service_name: str = ""
    deployer: Deployer = LWS
    resources: dict[str, Any] | None = None
    secret_name: str = CONFIG_DEFAULTS["mpiRunSecretName"]
    table: defaults.OperatorDefaults | None = None
    annotations: Mapping[str, str] = field(default_factory=dict)
    dgd_name: str = ""
    deferred_env: tuple[Mapping[str, Any], ...] = ()

    @property
    def multinode(self) -> bool:
        return self.node_count > 1

    @property
    def release(self) -> defaults.OperatorDefaults:
        return self.table if self.table is not None else defaults.for_release()


def worker_probes(container: dict[str, Any], changes: Mapping[str, Mapping[str, Any] | None]) -> None:
    """Multinode worker probes (``BackendDefaults.multinode_worker_probes``): None removes the
    probe, a mapping replaces it, whoever wrote it (D28; the rules tell the user)."""
    for kind, probe in changes.items():
        if probe is None:
            container.pop(kind, None)
        else:
            container[kind] = {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in probe.items()}
