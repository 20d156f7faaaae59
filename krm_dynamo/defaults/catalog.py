# SPDX-License-Identifier: Apache-2.0
"""The catalogue of operator changes between ``60975b518`` (0.6) and the v1.1.0 cut, as data.

One row per change, under its catalogue ID (``S`` CRD schema, ``V`` admission webhooks,
``P`` pod spec, ``R`` probes, ``N_E`` env, ``T`` ports, ``B`` backends, ``M`` multinode,
``N`` networking, ``L`` labels, ``A`` autoscaling, ``O`` other objects, ``C`` operator
configuration, ``X`` after the v1.1.0 cut). The IDs are the ones every profile row and
switch in :mod:`.release` and :mod:`.profiles` cites as its source. They always have two
digits: ``R01`` or ``V01`` is a catalogued change, never the project's deviation ``R1`` or
validation rule ``V1`` of docs/decisions.md.

Columns:
    id: the catalogue ID.
    since: the first profile that must reproduce it: ``"1.0"`` (then also ``"1.1"``),
        ``"1.1"``, or ``""`` when neither cut changes what is generated (nothing to do).
    shape: ``data`` (a value in a table), ``logic`` (code behind a switch) or ``removal``.
    computable: ``pure`` (from the DGD and the functionConfig alone), ``partly``, or
        ``cluster`` (needs cluster state: read from the ResourceList or warned about, D14).
    summary: what changes, in a few words.
"""

from __future__ import annotations


class Change(tuple[str, str, str, str, str]):
    """One catalogued operator change: ``(id, since, shape, computable, summary)``, columns in the module
    docstring, read by name. A plain tuple subclass, not a ``NamedTuple``, whose class is built with
    ``eval`` on every import (~0.1 ms at start-up)."""

    __slots__ = ()

    def __new__(cls, id: str, since: str, shape: str, computable: str, summary: str) -> Change:
        return tuple.__new__(cls, (id, since, shape, computable, summary))

    @property
    def id(self) -> str:
        """The catalogue ID."""
        return self[0]

    @property
    def since(self) -> str:
        """The first profile that must reproduce it, or ""."""
        return self[1]

    @property
    def shape(self) -> str:
        """``data``, ``logic`` or ``removal``."""
        return self[2]

    @property
    def computable(self) -> str:
        """``pure``, ``partly`` or ``cluster``."""
        return self[3]

    @property
    def summary(self) -> str:
        """What changes, in a few words."""
        return self[4]

    def __repr__(self) -> str:
        return "Change(id={!r}, since={!r}, shape={!r}, computable={!r}, summary={!r})".format(*self)


CATALOG: tuple[Change, ...] = tuple(Change(*row) for row in (
    ("S01", "", "removal", "pure", "legacy spec.dynamoGraph no longer in the CRD (never read; no output change)"),
    ("S02", "1.0", "logic", "pure", "service resources.claims: DRA claims copied onto the main container"),
    ("S03", "1.0", "data", "pure", "service globalDynamoNamespace: the shared Dynamo namespace `dynamo`"),
    ("S04", "1.0", "removal", "pure", "service dynamoNamespace ignored, with a webhook warning"),
    ("S05", "1.0", "logic", "pure", "service modelRef: base-model label, annotation and headless Service"),
    ("S06", "1.0", "data", "pure", "schema bounds: at most 100 PVCs and 25 services"),
    ("S07", "1.0", "data", "pure", "schema: service replicas at least 0"),
    ("S08", "1.0", "logic", "pure", "resources gpuType: GPU count under a custom resource name"),
    ("S09", "1.0", "logic", "pure", "service scalingAdapter (operator-internal scaling adapter object)"),
    ("S10", "1.0", "removal", "pure", "service autoscaling ignored, with a webhook warning"),
    ("S11", "1.0", "logic", "cluster", "spec.restart: ordered restarts driven by the controller"),
    ("S12", "1.0", "logic", "cluster", "service checkpoint: snapshot and restore"),
    ("S13", "1.0", "logic", "pure", "service eppConfig and componentType epp"),
    ("S14", "1.1", "logic", "pure", "service frontendSidecar: a frontend container beside the worker"),
    ("S15", "1.1", "logic", "pure", "service gpuMemoryService"),
    ("S16", "1.1", "logic", "pure", "service failover (vLLM engines with shadows)"),
    ("S17", "1.1", "logic", "partly", "topologyConstraint on the graph and on services"),
    ("S18", "1.1", "logic", "pure", "spec.labels and spec.annotations copied to every generated object"),
    ("S19", "1.1", "data", "pure", "schema rule: sharedMemory.size forbidden when disabled"),
    ("S20", "1.0", "data", "pure", "componentType prefill and decode count as workers"),
    ("S21", "", "data", "cluster", "status fields (written by the operator; never rendered)"),
    ("V01", "1.0", "logic", "pure", "validating admission webhook rules on create"),
    ("V02", "1.0", "logic", "cluster", "update-time immutability rules (need the live object)"),
    ("V03", "1.0", "data", "pure", "name length bound: graph name plus service name (Grove naming)"),
    ("V04", "1.0", "data", "pure", "annotation values checked (origin version, vLLM executor, discovery mode)"),
    ("V05", "1.0", "logic", "partly", "webhook rules for EPP, GPU memory service, failover, sidecar, topology"),
    ("V06", "1.0", "logic", "pure", "defaulting webhook"),
    ("P01", "1.0", "data", "pure", "pod securityContext fsGroup 1000 unless the user sets securityContext"),
    ("P02", "1.0", "logic", "pure", "service account of the Kubernetes discovery RBAC on every pod"),
    ("P03", "1.0", "logic", "pure", "no reordering (canonicalisation) of the pod spec lists"),
    ("P04", "1.0", "logic", "pure", "merge library upgrade: pointer fields merged deeply"),
    ("P05", "1.1", "logic", "pure", "shared memory volume placement and de-duplication"),
    ("P06", "1.0", "removal", "pure", "debug-mode annotations ignored (no debugger sidecar)"),
    ("P07", "1.0", "data", "pure", "Deployment strategy annotations: RollingUpdate or Recreate only"),
    ("P08", "1.1", "logic", "pure", "GPU requests set beside GPU limits"),
    ("P09", "1.1", "data", "pure", "planner: system port, DYN_SYSTEM_PORT and probes"),
    ("P10", "1.0", "logic", "pure", "EPP component defaults"),
    ("P11", "1.1", "logic", "pure", "frontend sidecar container content"),
    ("P12", "1.1", "logic", "partly", "GPU memory service pod changes"),
    ("P13", "1.1", "logic", "pure", "failover pod (vLLM only)"),
    ("P14", "1.1", "data", "pure", "replicas default 1"),
    ("P15", "1.0", "logic", "cluster", "restart annotation on pods"),
    ("P16", "1.0", "logic", "cluster", "checkpoint/restore injection"),
    ("R01", "1.0", "data", "pure", "frontend probes: HTTP /live and /health, shorter timings"),
    ("R02", "1.0", "data", "pure", "worker probes: timeout 4, readiness failureThreshold 3"),
    ("R03", "1.1", "data", "pure", "planner probes (see P09)"),
    ("R04", "1.0", "data", "pure", "EPP probes (gRPC)"),
    ("R05", "", "data", "pure", "multinode probe handling (unchanged)"),
    ("N_E01", "1.0", "data", "pure", "base env: DYN_COMPONENT, POD_NAME/NAMESPACE/UID, DYN_DISCOVERY_BACKEND; sorted"),
    ("N_E02", "1.0", "logic", "pure", "DYN_NAMESPACE is <namespace>-<graph name>"),
    ("N_E03", "1.0", "data", "pure", "worker DYN_SYSTEM_ENABLED=true (removed in 0.7, back in 0.8)"),
    ("N_E04", "1.0", "data", "pure", "worker DYN_HEALTH_CHECK_ENABLED=false"),
    ("N_E05", "1.0", "data", "pure", "worker NIXL telemetry env"),
    ("N_E06", "1.0", "data", "pure", "frontend DYN_NAMESPACE_PREFIX (EPP too from 1.1)"),
    ("N_E07", "1.0", "logic", "pure", "worker DYN_NAMESPACE_WORKER_SUFFIX"),
    ("N_E08", "1.1", "data", "pure", "container-mode Kubernetes discovery env"),
    ("N_E09", "1.0", "logic", "pure", "order of backend-added env"),
    ("N_E10", "1.0", "data", "pure", "NATS/etcd env only when those are installed"),
    ("T01", "1.0", "data", "pure", "worker port nixl 19090"),
    ("T02", "1.1", "data", "pure", "planner port system 9090"),
    ("T03", "1.0", "data", "pure", "EPP ports (1.0) and failover engine ports (1.1)"),
    ("B01", "1.0", "logic", "pure", "vLLM multinode command rewrite (GPUs per node, ray flag, hybrid LB)"),
    ("B02", "1.0", "logic", "pure", "vLLM multiprocessing executor for TP/PP multinode"),
    ("B03", "1.0", "logic", "pure", "vLLM wait-for-leader init container"),
    ("B04", "1.0", "logic", "pure", "shell quoting of sh -c rewrites"),
    ("B05", "1.0", "data", "pure", "SGLang leader address on LeaderWorkerSets"),
    ("B06", "1.0", "data", "pure", "TRT-LLM leader and worker scripts"),
    ("B07", "1.0", "data", "pure", "Grove host names use the lower-cased service key"),
    ("M01", "1.0", "logic", "partly", "worker names carry a spec hash (a deviation we keep out)"),
    ("M02", "1.0", "data", "pure", "Grove selection (unchanged default: LeaderWorkerSet)"),
    ("M03", "1.0", "logic", "pure", "Grove PodCliqueSet content"),
    ("M04", "1.0", "data", "partly", "LeaderWorkerSet and PodGroup names and labels"),
    ("N01", "1.0", "logic", "pure", "a Service for every component"),
    ("N02", "1.0", "logic", "pure", "Service selector and labels"),
    ("N03", "1.1", "data", "pure", "Service names with dots replaced by dashes"),
    ("N04", "1.0", "logic", "pure", "Kubernetes discovery ServiceAccount, Role and RoleBinding per graph"),
    ("N05", "", "data", "pure", "Ingress and VirtualService (unchanged)"),
    ("N06", "1.0", "logic", "pure", "headless Service per model (modelRef)"),
    ("N07", "1.0", "logic", "pure", "Gateway API inference extension objects for an EPP service"),
    ("L01", "1.0", "logic", "pure", "Deployment and Service metadata annotations"),
    ("L02", "1.1", "logic", "pure", "service labels and spec.labels on generated objects"),
    ("L03", "1.0", "logic", "pure", "no label-map aliasing between objects"),
    ("L04", "1.0", "data", "pure", "new pod-template labels (base model, worker hash, discovery)"),
    ("A01", "1.0", "removal", "pure", "no HorizontalPodAutoscaler"),
    ("A02", "1.0", "logic", "pure", "scaling adapter object per service (operator-internal)"),
    ("O01", "1.1", "data", "pure", "wait-for-leader ConfigMap"),
    ("O02", "1.1", "logic", "partly", "ResourceClaimTemplate for the GPU memory service"),
    ("O03", "1.0", "logic", "partly", "DynamoComponentDeployment (operator-internal, not emitted: D2)"),
    ("O04", "1.1", "data", "cluster", "MPI SSH secret generated by the operator"),
    ("C01", "1.0", "data", "pure", "operator settings file replaces flags"),
    ("C02", "1.0", "data", "pure", "discovery backend setting (default kubernetes)"),
    ("X01", "", "data", "pure", "LeaderWorkerSet leader host change after the v1.1.0 cut (not in a cut)"),
))

BY_ID = {change.id: change for change in CATALOG}


def applies(change: Change, release: str) -> bool:
    """True when the profile of ``release`` (``"1.0"``, ``"1.1"``) must reproduce ``change``."""
    return bool(change.since) and release_key(change.since) <= release_key(release)


def release_key(release: str) -> tuple[int, ...]:
    """The sort key of a numbered operator release (``"0.6"`` -> ``(0, 6)``): compare releases
    with it, never as strings. Raises ValueError for a name such as ``"latest"`` (resolve it first)."""
    return tuple(int(part) for part in release.split("."))
