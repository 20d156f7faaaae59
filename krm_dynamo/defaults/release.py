# SPDX-License-Identifier: Apache-2.0
"""The table set of each operator release, and the one selector every reader goes through.

Rendering (``PodContext.defaults``), validation, ``krm-dynamo explain`` and the
schema (the ``backendFramework`` enum) get their tables from :func:`for_release`. A later operator release is a new
:class:`OperatorDefaults` made with :func:`derive_release` from the one before (only
what changed is given) plus an entry in :data:`RELEASES`; builders do not change.

The 1.x table sets are built on first use (:class:`_LazyReleases`, from :mod:`.release_1x`), and
so are the tables only some DGDs read (``later_tables``) and 0.6's switches (no catalogue): every
``kustomize build`` pays for its imports, and a 0.6 DGD needs neither these tables nor the modules
that hold them. Whoever iterates :data:`RELEASES` (``explain``, ``schema``, the tests) still sees every release.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from krm_dynamo import record
from krm_dynamo.defaults import (
    backends,
    components,
    labels,
    launch,
    mergekinds,
    objects,
)
from krm_dynamo.defaults.sources import OPERATOR_COMMIT, Entries, Sourced
from krm_dynamo.record import dataclass

if TYPE_CHECKING:
    from krm_dynamo.defaults import catalog, multinode, optionalobjects, workerhash

T = TypeVar("T")

DEFAULT_RELEASE = "0.6"
LATEST = "1.1"  # what `operatorVersion: latest` selects
# The Kubernetes release whose types (PodSpec, Container, ...) a DGD embeds: the k8s.io/api
# module each operator builds against (go.mod: v0.33.3 at 60975b518, v0.34.3 at both 1.x cuts).
KUBERNETES_0_6 = "1.33"
KUBERNETES_1_X = "1.34"

# Logic switches with code behind them, each read as `table.switch("<ID>")` where its behaviour lives
# (a test checks every one has a reader). The rest are settled by a decision (BY_DESIGN) or belong to
# a release after 1.1.
IMPLEMENTED_SWITCHES = frozenset({
    "A01", "S10", "P06", "N_E02", "S04", "P03", "B01", "B02", "B03", "B04", "N_E09", "P02", "N04", "N01",
    "N02", "L03", "S14", "P11", "S15", "P12", "O02", "S16", "P13", "S18", "L02", "P08", "P05", "M01", "N_E07",
    "M03", "S17", "V01", "V06", "S09", "S11", "S12", "S02", "S08", "S13", "P10", "N07", "S05", "N06", "P04",
    "V05", "L01",
})

# Changes reproduced by a documented decision rather than by output: the operator-internal
# objects are never emitted (D2), and what only the cluster knows is warned about (D14).
# catalogue ID -> the decision (docs/decisions.md) that settles it.
BY_DESIGN: Mapping[str, str] = MappingProxyType({
    "A02": "D2", "O03": "D2", "O04": "D2", "P15": "D65", "P16": "D67", "V02": "D66",
})

# 0.6 has no endpoint picker, modelRef, Kubernetes discovery, 1.1 features, admission webhooks or
# CRD limits: the same empty table as NO_GAIE, NO_MODEL_REF, NO_KUBE_DISCOVERY, NO_FEATURES,
# ADMISSION_0_6 and profiles.SCHEMA_LIMITS_0_6, without importing their 1.x modules.
_NONE = Entries(values=MappingProxyType({}), sources={})


class _Later(Generic[T]):
    """A table of :attr:`OperatorDefaults.later_tables`, read as the attribute of its name."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, table: OperatorDefaults, owner: type | None = None) -> T:
        built: T = table.later_tables[self.name]()
        return built


@dataclass(frozen=True)
class OperatorDefaults:
    """All defaults of one operator release.

    Attributes:
        release: the Dynamo release (``"0.6"``); ``operator_commit`` the upstream commit read.
        base, by_component_type: main container and pod per ``componentType`` (:meth:`for_component`).
        backend_frameworks: the values ``backendFramework`` accepts (the CRD enum, in its order).
        backends: per backend name, ``noop`` included.
        shared_memory, platform_env: every pod's shared memory; env names set from the functionConfig.
        naming: names the operator derives (GPU resource, Dynamo namespace prefix, namespace field).
        deployment, service: the objects of every single-node service (:mod:`.objects`).
        later_tables: name -> the function that builds a table only some DGDs read (0.6: imports
            its module then), read as an attribute of that name; :func:`derive_release` takes
            the names as fields: ``ingress``, ``virtual_service``, ``autoscaler``,
            ``persistent_volume_claim``, ``debugger`` (:mod:`.optionalobjects`),
            ``leader_worker_set``, ``pod_group``, ``grove`` (:mod:`.multinode`).
        labels, annotations: the keys the operator writes and reads.
        launch: the multinode launch strings (:mod:`.launch`).
        merge_kinds: the Go kind of each PodSpec / Container field, which decides how a
            user value merges over the defaults (:mod:`.mergekinds`, D29).
        worker_types: the ``componentType`` values that are workers (worker defaults, a backend).
        switches: catalogue ID -> enabled, for every logic or removal change of :mod:`.catalog`:
            the code of a change reads its switch (``table.switches["A01"]``), nothing else
            tells releases apart.
        reproduced: the catalogue IDs this table set reproduces completely (data rows and
            implemented switches); :meth:`not_reproduced` the rest that apply to the release.
        kubernetes_version: the Kubernetes release of the embedded type schemas checked
            against (``kube/schemas-<version>.json``).
        schema_limits: bounds and rules of the release's CRD (``maxServices``, ``maxPvcs``,
            ``sharedMemorySizeWhenDisabled``; none in 0.6).
        epp: the endpoint picker's objects (:mod:`.epp`, N07; empty before 1.0).
        model_ref: what ``modelRef`` adds (:mod:`.models`, S05, N06; empty before 1.0).
        kube_discovery: the Kubernetes service discovery rows (:mod:`.kubediscovery`; none in 0.6).
        features: the values of the 1.1 service features (:mod:`.features11`; empty before 1.1).
        admission: what the release's admission webhooks check and stamp (:mod:`.admission`;
            none in 0.6).
    """

    release: str
    operator_commit: str
    base: components.ComponentDefaults
    by_component_type: Mapping[str, components.ComponentDefaults]
    backend_frameworks: tuple[str, ...]
    backends: Mapping[str, backends.BackendDefaults]
    shared_memory: components.SharedMemoryDefaults
    platform_env: Entries
    naming: Entries
    deployment: objects.DeploymentDefaults
    service: objects.ServiceDefaults
    later_tables: Mapping[str, Callable[[], Any]]
    # The tables only some DGDs read, each built from ``later_tables`` when first read (not fields).
    ingress: ClassVar[_Later[optionalobjects.IngressDefaults]] = _Later()
    virtual_service: ClassVar[_Later[optionalobjects.VirtualServiceDefaults]] = _Later()
    autoscaler: ClassVar[_Later[optionalobjects.AutoscalerDefaults]] = _Later()
    persistent_volume_claim: ClassVar[_Later[optionalobjects.PersistentVolumeClaimDefaults]] = _Later()
    debugger: ClassVar[_Later[optionalobjects.DebuggerDefaults]] = _Later()
    leader_worker_set: ClassVar[_Later[multinode.LeaderWorkerSetDefaults]] = _Later()
    pod_group: ClassVar[_Later[multinode.PodGroupDefaults]] = _Later()
    grove: ClassVar[_Later[multinode.GroveDefaults]] = _Later()
    labels: Entries
    annotations: Entries
    launch: Entries
    merge_kinds: mergekinds.MergeKinds
    worker_types: tuple[str, ...] = (components.COMPONENT_WORKER,)  # profiles.WORKER_TYPES_0_6
    switches: Mapping[str, bool] = record.field(default_factory=lambda: MappingProxyType({}))
    reproduced: frozenset[str] = frozenset()
    kubernetes_version: str = KUBERNETES_0_6
    schema_limits: Entries = _NONE  # profiles.SCHEMA_LIMITS_0_6
    epp: Entries = _NONE
    model_ref: Entries = _NONE
    kube_discovery: Entries = _NONE
    features: Entries = _NONE
    admission: Entries = _NONE
    worker_hash: workerhash.WorkerHashDefaults | None = None  # M01, N_E07: from 1.0 (.workerhash)

    def switch(self, change_id: str) -> bool:
        """Whether the logic change ``change_id`` (a catalogue ID) is on in this release.

        Raises:
            KeyError: ``change_id`` is not a logic or removal change of the catalogue.
        """
        return self.switches[change_id]

    def includes(self, change_id: str) -> bool:
        """Whether the release has the catalogued change ``change_id`` (:func:`.catalog.applies`): never 0.6,
        the release every catalogued change comes after (the ID is not looked up then).

        Raises:
            KeyError: a later release, and ``change_id`` is not a catalogue ID.
        """
        if self.release == DEFAULT_RELEASE:
            return False
        from krm_dynamo.defaults import catalog  # here: a 0.6 run does not import the catalogue

        return catalog.applies(catalog.BY_ID[change_id], self.release)

    def not_reproduced(self) -> tuple[catalog.Change, ...]:
        """The catalogued changes of this release that the table set does not reproduce yet (0.6: none)."""
        if self.release == DEFAULT_RELEASE:
            return ()
        from krm_dynamo.defaults import catalog  # here: a 0.6 run does not import the catalogue

        return tuple(c for c in catalog.CATALOG if catalog.applies(c, self.release) and c.id not in self.reproduced)

    def for_component(self, component_type: str | None) -> components.ComponentDefaults:
        """Defaults for a ``componentType``, matched exactly (case-sensitive): any other gets ``base``."""
        return self.by_component_type.get(component_type or "", self.base)

    def object_tables(self) -> dict[str, Sourced]:
        """The object-level tables by kind, in the order ``explain`` prints them (1.x: the worker hash too)."""
        tables = self._kind_tables()
        if self.worker_hash is not None:
            tables["worker hash"] = self.worker_hash
        return tables

    def _kind_tables(self) -> dict[str, Sourced]:
        return {
            "Deployment": self.deployment, "Service": self.service, "Ingress": self.ingress,
            "VirtualService": self.virtual_service, "HorizontalPodAutoscaler": self.autoscaler,
            "PersistentVolumeClaim": self.persistent_volume_claim, "debugger": self.debugger,
            "LeaderWorkerSet": self.leader_worker_set, "PodGroup": self.pod_group, "PodCliqueSet": self.grove,
        }


def derive_release(previous: OperatorDefaults, *, release: str, operator_commit: str,
                   **changes: Any) -> OperatorDefaults:
    """The table set of a later release: ``previous`` with the tables in ``changes`` replaced (a table of
    :attr:`OperatorDefaults.later_tables` by its name too).

    Raises:
        TypeError: a name in ``changes`` is not a field of :class:`OperatorDefaults`.
    """
    later = {name: _given(changes.pop(name)) for name in previous.later_tables if name in changes}
    if later:
        changes["later_tables"] = MappingProxyType({**previous.later_tables, **later})
    return record.replace(previous, release=release, operator_commit=operator_commit, **changes)


def _given(table: object) -> Callable[[], object]:
    return lambda: table


def _later(name: str) -> Callable[[], object]:
    """The builder of 0.6's table ``name`` (in upper case) of :mod:`.multinode` or :mod:`.optionalobjects`."""
    def build() -> object:
        # here: only a DGD that reads the table (a multinode service, an Ingress, ...) or explain pays for it
        if name in ("LEADER_WORKER_SET", "POD_GROUP", "GROVE"):
            from krm_dynamo.defaults import multinode
            return getattr(multinode, name)
        from krm_dynamo.defaults import optionalobjects
        return getattr(optionalobjects, name)
    return build


class _SwitchesOf06(Mapping[str, bool]):
    """0.6's switches without the catalogue: every catalogued change comes after 0.6, so each is off. A switch
    the code reads (:data:`IMPLEMENTED_SWITCHES`) is answered here; any other ID, iteration and ``len`` read
    :func:`switches` (the catalogue): an unknown ID still raises KeyError (tests/unit/test_defaults.py)."""

    def __getitem__(self, change_id: str) -> bool:
        return False if change_id in IMPLEMENTED_SWITCHES else switches(DEFAULT_RELEASE)[change_id]

    def __iter__(self) -> Iterator[str]:
        return iter(switches(DEFAULT_RELEASE))

    def __len__(self) -> int:
        return len(switches(DEFAULT_RELEASE))


def switches(release: str) -> Mapping[str, bool]:
    """Every logic or removal change of the catalogue, on when ``release`` includes it."""
    from krm_dynamo.defaults import catalog  # here: a 0.6 run does not import the catalogue (_SwitchesOf06)

    # catalog.applies(c, release) depends on c.since alone: asked once per ``since`` value, not per change.
    key = catalog.release_key(release)
    on = {since: bool(since) and catalog.release_key(since) <= key for since in {c.since for c in catalog.CATALOG}}
    return MappingProxyType({c.id: on[c.since] for c in catalog.CATALOG if c.shape != "data"})


RELEASE_0_6 = OperatorDefaults(
    release="0.6",
    operator_commit=OPERATOR_COMMIT,
    base=components.BASE,
    by_component_type=MappingProxyType({
        components.COMPONENT_FRONTEND: components.FRONTEND,
        components.COMPONENT_WORKER: components.WORKER,
        components.COMPONENT_PLANNER: components.PLANNER,
    }),
    backend_frameworks=backends.BACKEND_FRAMEWORKS,
    backends=backends.BACKENDS,
    shared_memory=components.SHARED_MEMORY,
    platform_env=components.PLATFORM_ENV,
    naming=components.NAMING,
    deployment=objects.DEPLOYMENT,
    service=objects.SERVICE,
    later_tables=MappingProxyType({name.lower(): _later(name) for name in (
        "INGRESS", "VIRTUAL_SERVICE", "AUTOSCALER", "PERSISTENT_VOLUME_CLAIM", "DEBUGGER",
        "LEADER_WORKER_SET", "POD_GROUP", "GROVE")}),
    labels=labels.LABELS,
    annotations=labels.ANNOTATIONS,
    launch=launch.LAUNCH,
    merge_kinds=mergekinds.MERGE_KINDS,
    switches=_SwitchesOf06(),
)


class _LazyReleases(Mapping[str, OperatorDefaults]):
    """Release -> table set, each built by its function on first access and kept (read-only).

    Iteration and ``len`` need no table; ``values()`` and ``items()`` build them all.
    """

    def __init__(self, builders: Mapping[str, Callable[[], OperatorDefaults]]) -> None:
        self._builders = builders
        self._built: dict[str, OperatorDefaults] = {}

    def __getitem__(self, release: str) -> OperatorDefaults:
        table = self._built.get(release)
        if table is None:
            table = self._built[release] = self._builders[release]()
        return table

    def __iter__(self) -> Iterator[str]:
        return iter(self._builders)

    def __len__(self) -> int:
        return len(self._builders)


def _release_1_0() -> OperatorDefaults:
    from krm_dynamo.defaults import release_1x

    return release_1x.release_1_0()


def _release_1_1() -> OperatorDefaults:
    from krm_dynamo.defaults import release_1x

    return release_1x.release_1_1(RELEASES["1.0"])


RELEASES: Mapping[str, OperatorDefaults] = _LazyReleases({
    DEFAULT_RELEASE: lambda: RELEASE_0_6, "1.0": _release_1_0, "1.1": _release_1_1,
})
ALIASES: Mapping[str, str] = MappingProxyType({"latest": LATEST})


def __getattr__(name: str) -> OperatorDefaults:
    """``RELEASE_1_0`` and ``RELEASE_1_1``: the table sets of :data:`RELEASES`, built on first use."""
    release = {"RELEASE_1_0": "1.0", "RELEASE_1_1": "1.1"}.get(name)
    if release is not None:
        return RELEASES[release]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class UnknownReleaseError(ValueError):
    """No table set for the operator release asked for; the message is one line."""


def for_release(version: str = DEFAULT_RELEASE) -> OperatorDefaults:
    """The table set of operator release ``version`` (``"0.6"``, ``"1.0"``, ``"1.1"`` or ``"latest"``).

    Raises:
        UnknownReleaseError: no table set for ``version``.
    """
    try:
        return RELEASES[ALIASES.get(version, version)]
    except KeyError:
        known = ", ".join([*sorted(RELEASES), *ALIASES])
        raise UnknownReleaseError(f"no defaults for operator release {version!r} (known: {known})") from None
