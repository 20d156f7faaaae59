# SPDX-License-Identifier: Apache-2.0
"""The table sets of operator 1.0 and 1.1, derived from 0.6's (:mod:`.release`).

Imported only when a 1.x table set is first asked for (``release.RELEASES``), so that a 0.6
run neither builds them nor imports the 1.x table modules they read. Each differs from
the release before only in what the catalogue says changed (rows of :mod:`.profiles` and
the 1.x modules, switches from :func:`.release.switches`).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from krm_dynamo.defaults import (
    admission,
    catalog,
    components,
    kubediscovery,
    launch_1x,
    mergekinds_1x,
    multinode,
    profiles,
    workerhash,
)
from krm_dynamo.defaults import epp as epp_defaults
from krm_dynamo.defaults import models as model_defaults
from krm_dynamo.defaults.features11 import FEATURES_1_1
from krm_dynamo.defaults.release import (
    BY_DESIGN,
    IMPLEMENTED_SWITCHES,
    KUBERNETES_1_X,
    RELEASE_0_6,
    OperatorDefaults,
    derive_release,
    switches,
)


def _release_1x(release: str, commit: str, data: tuple[str, ...], **changes: Any) -> OperatorDefaults:
    on = switches(release)
    reproduced = frozenset(data) | {i for i in IMPLEMENTED_SWITCHES if on[i]} | {
        i for i in BY_DESIGN if catalog.applies(catalog.BY_ID[i], release)}
    return derive_release(RELEASE_0_6, release=release, operator_commit=commit, switches=on,
                          reproduced=reproduced, worker_types=profiles.WORKER_TYPES_1_0,
                          platform_env=profiles.PLATFORM_ENV_1_0,
                          kubernetes_version=KUBERNETES_1_X,
                          merge_kinds=mergekinds_1x.MERGE_KINDS_1_0,
                          **{"worker_hash": workerhash.WORKER_HASH, **changes})


def _by_component_type(frontend: components.ComponentDefaults, worker: components.ComponentDefaults,
                       planner: components.ComponentDefaults,
                       epp: components.ComponentDefaults) -> Mapping[str, components.ComponentDefaults]:
    table = {components.COMPONENT_FRONTEND: frontend, components.COMPONENT_PLANNER: planner,
             epp_defaults.COMPONENT_EPP: epp}  # S13, P10
    table.update(dict.fromkeys(profiles.WORKER_TYPES_1_0, worker))  # S20
    return MappingProxyType(table)


def _SEC(table: components.ComponentDefaults) -> components.ComponentDefaults:
    """P01 and N_E01: every component type, the base included."""
    return profiles.with_security_context(profiles.with_base_env(table))


def release_1_0() -> OperatorDefaults:
    """The operator 1.0 table set: 0.6's with the rows and switches of 1.0."""
    frontend = _SEC(profiles.frontend_1_0(components.FRONTEND))
    worker = _SEC(profiles.worker_1_0(components.WORKER))
    return _release_1x(
        "1.0", profiles.RELEASE_1_0_COMMIT, profiles.DATA_1_0,
        base=_SEC(components.BASE),
        by_component_type=_by_component_type(frontend, worker, _SEC(components.PLANNER),
                                             _SEC(epp_defaults.epp_1_0())),
        epp=epp_defaults.GAIE,
        model_ref=model_defaults.MODEL_REF,
        deployment=profiles.DEPLOYMENT_1_0,
        schema_limits=profiles.SCHEMA_LIMITS_1_0,
        admission=admission.ADMISSION_1_0,
        naming=profiles.naming_1_0(components.NAMING, dot_replacement=None),
        launch=launch_1x.LAUNCH_1_0,
        kube_discovery=kubediscovery.KUBE_DISCOVERY_1_0,
        grove=profiles.grove_1_0(multinode.GROVE),
        leader_worker_set=profiles.leader_worker_set_1_0(multinode.LEADER_WORKER_SET),
    )


def release_1_1(release_1_0: OperatorDefaults) -> OperatorDefaults:
    """The operator 1.1 table set: 0.6's with the rows and switches of 1.1, sharing 1.0's tables where equal."""
    frontend = release_1_0.by_component_type[components.COMPONENT_FRONTEND]
    worker = release_1_0.by_component_type[components.COMPONENT_WORKER]
    return _release_1x(
        "1.1", profiles.RELEASE_1_1_COMMIT, profiles.DATA_1_1,
        base=release_1_0.base,
        by_component_type=_by_component_type(frontend, worker, _SEC(profiles.planner_1_1()),
                                             _SEC(epp_defaults.epp_1_1())),
        epp=epp_defaults.GAIE,
        model_ref=model_defaults.MODEL_REF,
        deployment=profiles.DEPLOYMENT_1_0,
        schema_limits=profiles.SCHEMA_LIMITS_1_1,
        features=FEATURES_1_1,
        admission=admission.ADMISSION_1_1,
        naming=profiles.naming_1_0(components.NAMING, dot_replacement="-"),
        launch=launch_1x.LAUNCH_1_1,
        kube_discovery=kubediscovery.KUBE_DISCOVERY_1_1,
        grove=profiles.grove_1_1(multinode.GROVE),
        leader_worker_set=release_1_0.leader_worker_set,
    )
