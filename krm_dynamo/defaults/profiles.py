# SPDX-License-Identifier: Apache-2.0
"""The tables that changed in the operator's 1.0 and 1.1 releases, each row with its catalogue ID.

Only the pure data changes of :mod:`.catalog` live here (a probe, a port, an env var, a
strategy); :mod:`.release` builds the 1.0 and 1.1 table sets from 0.6 with them. A row's
source names the catalogue ID first, then the operator file and line at the v1.1.0 cut
``01a4b6d6d`` (paths under ``deploy/operator/``), where the catalogue located it.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from krm_dynamo import record
from krm_dynamo.defaults import components, multinode, objects
from krm_dynamo.defaults.components import (
    FRONTEND_PORT_NAME,
    PLANNER,
    SYSTEM_PORT,
    SYSTEM_PORT_NAME,
    ComponentDefaults,
    derive,
)
from krm_dynamo.defaults.sources import Entries, frozen, src

RELEASE_1_0_COMMIT = "db88c9530"  # the v1.0.0 cut (version bump to 1.0.0)
RELEASE_1_1_COMMIT = "01a4b6d6d"  # the v1.1.0 cut (version bump to 1.1.0)

_OP = "deploy/operator/internal/"


def at_cut(path: str, line: int, *, commit: str = RELEASE_1_1_COMMIT, root: str = _OP) -> str:
    """``<operator file>:<line> @ <commit>``: where the catalogue found a change. ``path`` is under
    ``root`` (the operator's ``internal/`` by default); ``commit`` the v1.1.0 cut unless given
    (:data:`RELEASE_1_0_COMMIT` for a line read at the v1.0.0 cut)."""
    return f"{root}{path}:{line} @ {commit}"


NIXL_PORT = 19090  # consts.go: the worker's NIXL telemetry port (T01)
NIXL_PORT_NAME = "nixl"


def _port(name: str, number: int) -> Any:
    return MappingProxyType({"name": name, "containerPort": number, "protocol": "TCP"})


def _http_probe(path: str, port: str, **timing: int) -> dict[str, Any]:
    return {"httpGet": {"path": path, "port": port}, **timing}


# --- 1.0 (every change first in 0.6.1 .. 1.0.0) ---------------------------------------------

_R01 = src("R01", at_cut("dynamo/component_frontend.go", 50))
_N_E06 = src("N_E06", at_cut("dynamo/component_frontend.go", 80))


def frontend_1_0(frontend: ComponentDefaults) -> ComponentDefaults:
    """R01 HTTP probes on /live and /health; N_E06 ``DYN_NAMESPACE_PREFIX``."""
    return derive(
        frontend,
        env=(*frontend.env, ("DYN_NAMESPACE_PREFIX", "{dynamo_namespace}")),
        probes=MappingProxyType({
            "livenessProbe": _http_probe("/live", FRONTEND_PORT_NAME, initialDelaySeconds=15, periodSeconds=10,
                                         timeoutSeconds=1, failureThreshold=3),
            "readinessProbe": _http_probe("/health", FRONTEND_PORT_NAME, initialDelaySeconds=10, periodSeconds=10,
                                          timeoutSeconds=3, failureThreshold=3),
        }),
        sources={"env.DYN_NAMESPACE_PREFIX": _N_E06, "probes.livenessProbe": _R01, "probes.readinessProbe": _R01},
    )


_R02 = src("R02", at_cut("dynamo/component_worker.go", 50))
_N_E05 = src("N_E05", at_cut("dynamo/component_worker.go", 99))


def worker_1_0(worker: ComponentDefaults) -> ComponentDefaults:
    """R02 probe timings; T01 the ``nixl`` port; N_E03, N_E04 and N_E05 env."""
    probes = dict(worker.probes)
    probes["livenessProbe"] = _http_probe("/live", SYSTEM_PORT_NAME, periodSeconds=5, timeoutSeconds=4,
                                          failureThreshold=1)
    probes["readinessProbe"] = _http_probe("/health", SYSTEM_PORT_NAME, periodSeconds=10, timeoutSeconds=4,
                                           failureThreshold=3)
    return derive(
        worker,
        ports=(*worker.ports, _port(NIXL_PORT_NAME, NIXL_PORT)),
        env=(
            *worker.env,
            ("DYN_HEALTH_CHECK_ENABLED", "false"),
            ("NIXL_TELEMETRY_ENABLE", "n"),
            ("NIXL_TELEMETRY_EXPORTER", "prometheus"),
            ("NIXL_TELEMETRY_PROMETHEUS_PORT", str(NIXL_PORT)),
            (multinode.ENV_WORKER_SUFFIX, components.WORKER_HASH_PLACEHOLDER),
        ),
        probes=MappingProxyType(probes),
        sources={
            "ports.nixl": src("T01", at_cut("consts/consts.go", 27)),
            "env.DYN_SYSTEM_ENABLED": src("N_E03 (the same value as 0.6)", at_cut("dynamo/component_worker.go", 83)),
            "env.DYN_HEALTH_CHECK_ENABLED": src("N_E04", at_cut("dynamo/component_worker.go", 95)),
            "env.NIXL_TELEMETRY_ENABLE": _N_E05,
            "env.NIXL_TELEMETRY_EXPORTER": _N_E05,
            "env.NIXL_TELEMETRY_PROMETHEUS_PORT": _N_E05,
            f"env.{multinode.ENV_WORKER_SUFFIX}": src("N_E07", at_cut("dynamo/component_worker.go", 115),
                                                       "only when the worker-hash label is set (D60)"),
            "probes.livenessProbe": _R02,
            "probes.readinessProbe": _R02,
        },
    )


_P01 = src("P01", at_cut("dynamo/graph.go", 974), "a user securityContext replaces it whole")


def with_security_context(table: ComponentDefaults) -> ComponentDefaults:
    """P01: ``securityContext.fsGroup: 1000`` on every pod (a pointer field: a user value replaces it)."""
    return derive(table, pod=MappingProxyType({**table.pod, "securityContext": frozen({"fsGroup": 1000})}),
                  sources={"pod.securityContext": _P01})


_P07 = src("P07", at_cut("controller/dynamocomponentdeployment_controller.go", 1006))
_ROLLING = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}

# P07: only RollingUpdate and Recreate are left; the two gradual strategies roll like
# RollingUpdate, whose maxSurge and maxUnavailable two annotations may set (25 % each otherwise).
DEPLOYMENT_1_0 = objects.DeploymentDefaults(
    api_version=objects.DEPLOYMENT.api_version,
    default_strategy=objects.DEPLOYMENT.default_strategy,
    strategies=frozen({**objects.DEPLOYMENT.strategies, "RampedSlowRollout": _ROLLING,
                       "BestEffortControlledRollout": _ROLLING}),
    rolling_update_annotations=frozen({"maxSurge": "nvidia.com/deployment-rolling-update-max-surge",
                                       "maxUnavailable": "nvidia.com/deployment-rolling-update-max-unavailable"}),
    sources={**objects.DEPLOYMENT.sources, "strategies.RampedSlowRollout": _P07,
             "strategies.BestEffortControlledRollout": _P07,
             "rollingUpdateAnnotations.maxSurge": src(_P07, "an integer string becomes a number (intstr.Parse)"),
             "rollingUpdateAnnotations.maxUnavailable": src(_P07, "an integer string becomes a number")},
)

_TYPES = "deploy/operator/api/v1alpha1/dynamographdeployment_types.go"
_S06_PVCS = src("S06", f"{_TYPES}:70 @ {RELEASE_1_1_COMMIT}", "the API server rejects a longer list")
_S06_SERVICES = src("S06", f"{_TYPES}:74 @ {RELEASE_1_1_COMMIT}", "the API server rejects a larger map")

# S06: the CRD bounds the size of spec.services and spec.pvcs (0.6: unbounded, no items).
SCHEMA_LIMITS_0_6 = Entries(values=MappingProxyType({}), sources={})
SCHEMA_LIMITS_1_0 = Entries(
    values=MappingProxyType({"maxServices": 25, "maxPvcs": 100}),
    sources={"maxServices": _S06_SERVICES, "maxPvcs": _S06_PVCS},
)

# --- 1.1 (every change first in 1.1.0) ------------------------------------------------------

# S19: a CEL rule of the 1.1 CRD rejects sharedMemory.size together with disabled: true.
SCHEMA_LIMITS_1_1 = Entries(
    values=MappingProxyType({**SCHEMA_LIMITS_1_0.values, "sharedMemorySizeWhenDisabled": "rejected"}),
    sources={**SCHEMA_LIMITS_1_0.sources,
             "sharedMemorySizeWhenDisabled": src("S19", "deploy/operator/api/v1alpha1/common.go:74 @ "
                                                 f"{RELEASE_1_1_COMMIT}", "0.6 ignores the size")},
)

_P09 = src("P09", "R03", at_cut("dynamo/component_planner.go", 40))


def planner_1_1(planner: ComponentDefaults = PLANNER) -> ComponentDefaults:
    """P09/R03/T02: the planner's ``system`` port, ``DYN_SYSTEM_PORT`` and probes."""
    return derive(
        planner,
        ports=(*planner.ports, _port(SYSTEM_PORT_NAME, SYSTEM_PORT)),
        env=(*planner.env, ("DYN_SYSTEM_PORT", str(SYSTEM_PORT))),
        probes=MappingProxyType({
            "livenessProbe": _http_probe("/live", SYSTEM_PORT_NAME, periodSeconds=5, timeoutSeconds=4,
                                         failureThreshold=1),
            "readinessProbe": _http_probe("/health", SYSTEM_PORT_NAME, periodSeconds=10, timeoutSeconds=4,
                                          failureThreshold=3),
            "startupProbe": _http_probe("/live", SYSTEM_PORT_NAME, periodSeconds=10, timeoutSeconds=5,
                                        failureThreshold=720),
        }),
        sources={
            "ports.system": src("T02", at_cut("dynamo/component_planner.go", 35)),
            "env.DYN_SYSTEM_PORT": _P09,
            "probes.livenessProbe": _P09,
            "probes.readinessProbe": _P09,
            "probes.startupProbe": _P09,
        },
    )


# N_E01: from 1.0 every component's base env adds DYN_COMPONENT, the pod's name, namespace and UID
# (downward API) and DYN_DISCOVERY_BACKEND=kubernetes (the operator's discovery backend unless it is
# configured as etcd, C02); merged env is sorted by name, so the order here does not matter.
_N_E01 = src("N_E01", at_cut("dynamo/component_common.go", 101))
_N_E01_POD = src("N_E01", at_cut("dynamo/component_common.go", 132))
_N_E01_DISCOVERY = src("N_E01", at_cut("dynamo/component_common.go", 139),
                       "C02: an etcd backend omits it (kube_discovery etcdOmitsEnv)")
BASE_ENV_1_0 = (
    ("DYN_COMPONENT", "{component_type}"),
    ("POD_NAME", "{fieldRef:metadata.name}"),
    ("POD_NAMESPACE", "{fieldRef:metadata.namespace}"),
    ("POD_UID", "{fieldRef:metadata.uid}"),
    ("DYN_DISCOVERY_BACKEND", "kubernetes"),
)


def with_base_env(table: ComponentDefaults) -> ComponentDefaults:
    """N_E01: ``table`` with the 1.x base env added (every component type, the base included)."""
    sources = {"env.DYN_COMPONENT": _N_E01, "env.POD_NAME": _N_E01_POD, "env.POD_NAMESPACE": _N_E01_POD,
               "env.POD_UID": _N_E01_POD, "env.DYN_DISCOVERY_BACKEND": _N_E01_DISCOVERY}
    return derive(table, sources, env=(*table.env, *BASE_ENV_1_0))


# N_E02 / S03: the Dynamo namespace from 1.0 is per component, ``<namespace>-<DGD name>``, or the
# shared ``dynamo`` for a service with ``globalDynamoNamespace: true``; from 1.1 dots in the DGD
# name become "-" (an endpoint path is split on dots).
_N_E02 = src("N_E02", "deploy/operator/api/v1alpha1/dynamocomponentdeployment_types.go:375 @ 01a4b6d6d")
_S03 = src("S03", at_cut("consts/consts.go", 73))


def naming_1_0(naming: Entries, *, dot_replacement: str | None) -> Entries:
    """The 0.6 naming rows plus the 1.x Dynamo namespace form (N_E02) and the global one (S03)."""
    return Entries(
        values=MappingProxyType({**naming.values, "dynamoNamespaceForm": "{namespace}-{dgd_name}",
                                 "dynamoNamespaceDotReplacement": dot_replacement,
                                 "globalDynamoNamespace": "dynamo"}),
        sources=MappingProxyType({**naming.sources, "dynamoNamespaceForm": _N_E02,
                                  "dynamoNamespaceDotReplacement": _N_E02 + " (from 1.1; none in 1.0)",
                                  "globalDynamoNamespace": _S03}),
    )


# N_E10 / C01: from 1.0 the operator reads these addresses from its settings file (infrastructure.*)
# and sets each env only when the address is set; its Helm chart leaves etcd out by default.
_N_E10 = "N_E10; C01 (settings file infrastructure.{field}); " + at_cut("dynamo/graph.go", 937)
PLATFORM_ENV_1_0 = Entries(
    values=components.PLATFORM_ENV.values,
    sources={key: _N_E10.format(field=field) for key, field in (
        ("natsServer", "natsAddress"), ("etcdEndpoints", "etcdAddress"),
        ("modelExpressUrl", "modelExpressURL"), ("prometheusEndpoint", "prometheusEndpoint"))},
)
# M02 / M03: the Grove tables. Which path the operator picks by itself changed in 1.1 (its Helm
# chart no longer turns Grove on); this function keeps LeaderWorkerSets unless asked (D2).
_M02_1_0 = src("M02", at_cut("controller/dynamographdeployment_controller.go", 385),
               "1.0: orchestrators.grove.enabled unset means auto-detect")
_M02_1_1 = src("M02", "deploy/operator/cmd/main.go:392 @ 01a4b6d6d",
               "1.1: enabled = Helm global.grove.enabled or global.grove.install (both false by default)")
_M03 = at_cut("dynamo/graph.go", 1463)


def grove_1_0(grove: multinode.GroveDefaults) -> multinode.GroveDefaults:
    """M02: the 1.0 operator still takes the Grove path whenever the cluster serves grove.io."""
    return record.replace(grove, sources={**grove.sources, "operatorSelection": _M02_1_0})


def grove_1_1(grove: multinode.GroveDefaults) -> multinode.GroveDefaults:
    """M02: Grove off unless the Helm values turn it on; M03: minAvailable per role (its system labels set
    again after the user's are the row ``podLabelsAfterExtraPodMetadata`` of the discovery table)."""
    return record.replace(
        grove,
        operator_selection="off unless Helm global.grove.enabled or global.grove.install is true",
        multinode_min_available_is_replicas=True,
        topology_domains=("region", "zone", "datacenter", "block", "rack", "host", "numa"),
        sources={**grove.sources, "operatorSelection": _M02_1_1,
                 "topologyDomains": src("S17", at_cut("dynamo/grove.go", 255),
                                        "Grove v0.1.0-alpha.6 PodCliqueSet CRD enum of packDomain",
                                        "D31 (another value is an error: the API server rejects the object)"),
                 "multinodeMinAvailableIsReplicas": src("M03", _M03, "leader 1, worker nodeCount - 1")},
    )


_M04 = src("M04", at_cut("controller/dynamocomponentdeployment_controller.go", 728),
           "<component name>-<i>; the operator's worker hash in the name is left out (D60)")


def leader_worker_set_1_0(lws: multinode.LeaderWorkerSetDefaults) -> multinode.LeaderWorkerSetDefaults:
    """M04: the same objects per replica, named after the component (D60); the worker hash is a label (M01)."""
    return record.replace(lws, sources={**lws.sources, "replicas": src(lws.sources["replicas"], _M04)})


# S20: prefill and decode are worker types from 0.7 on (worker defaults and a backend).
WORKER_TYPES_0_6 = (components.COMPONENT_WORKER,)
WORKER_TYPES_1_0 = (components.COMPONENT_WORKER, "prefill", "decode")

# Which data changes each profile reproduces completely (the rest are listed by explain).
# S07 (replicas at least 0) holds in every release: the model's Replicas type has that minimum.
DATA_1_0 = (
    "B05",
    "B06",
    "B07",
    "C01",
    "C02",
    "N_E10",
    "N_E01",
    "N_E03",
    "N_E04",
    "N_E05",
    "N_E06",
    "M02",
    "M04",
    "P01",
    "P07",
    "R01",
    "R02",
    "R04",
    "S03",
    "S06",
    "S07",
    "S20",
    "T01",
    "T03",
    "V03",
    "V04",
    "L04",
)
DATA_1_1 = (
    *DATA_1_0,
    "O01",
    "N_E08",
    "N03",
    "P09",
    "P14",
    "R03",
    "S19",
    "T02",
)
