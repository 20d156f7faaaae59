# SPDX-License-Identifier: Apache-2.0
"""The values of the operator 1.1 service features: frontend sidecar, GPU memory service, failover.

One :class:`~krm_dynamo.defaults.sources.Entries` table per release (:data:`FEATURES_1_1`;
empty before 1.1, where the features do not exist). Each row cites its catalogue ID and the
operator line at the v1.1.0 cut; the builders of :mod:`krm_dynamo.render.features11` and the
rules of :mod:`krm_dynamo.graph.rules.features11` read them, never a literal of their own.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from krm_dynamo.defaults.components import SYSTEM_PORT
from krm_dynamo.defaults.profiles import at_cut
from krm_dynamo.defaults.sources import Entries, frozen, src

_GMS = "gms/gms.go"
_DRA = "dra/dra.go"
_FAILOVER = "dynamo/failover.go"
_FAILOVER_VLLM = "dynamo/failover_vllm.go"

NO_FEATURES = Entries(values=MappingProxyType({}), sources={})

_VALUES = {
    # P11: the frontend container beside a service.
    "frontendSidecarName": "sidecar-frontend",
    # P12: the GPU memory service.
    "gmsClaimName": "intrapod-shared-gpu",
    "gmsDeviceClassName": "gpu.nvidia.com",
    "gmsToleration": frozen({"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}),
    "gmsVolumeName": "gms-shared",
    "gmsMountPath": "/shared",
    "gmsSocketDirEnv": "GMS_SOCKET_DIR",
    "gmsServerName": "gms-server",
    "gmsServerCommand": ("python3", "-m", "gpu_memory_service.cli.server"),
    "gmsServerRestartPolicy": "Always",
    "gmsStartupProbe": frozen({"exec": {"command": ["test", "-f", "/shared/gms-ready"]},
                               "periodSeconds": 1, "failureThreshold": 300}),
    # O02: the claim template of a service with the GPU memory service.
    "resourceClaimTemplateApiVersion": "resource.k8s.io/v1",
    "resourceClaimTemplateName": "{dgd_name}-{service}-gpu",
    "resourceClaimRequestName": "gpus",
    "resourceClaimAllocationMode": "ExactCount",
    # P13 / T03: failover engines.
    "failoverEngineCount": 2,
    "failoverEngineName": "engine-{i}",
    "failoverPortName": "system-{i}",
    "failoverBasePort": SYSTEM_PORT,
    "failoverDroppedEnv": ("DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS", "DYN_SYSTEM_PORT", "DYN_SYSTEM_ENABLED",
                           "DYN_HEALTH_CHECK_ENABLED", "CONTAINER_NAME"),
    "failoverLockPath": "/shared/failover.lock",
    "failoverStartingHealthStatus": "notready",
    "failoverBackends": ("vllm",),
    "vllmNixlSideChannelBasePort": 5600,
    "vllmKvEventBasePort": 20080,
    "vllmMasterPortFlag": "--master-port",
    "vllmMasterBasePort": 29500,
    "vllmMasterPortStride": 100,
}

_GMS_SOURCE = src("P12", at_cut(_GMS, 40))
_DRA_SOURCE = src("P12", at_cut(_DRA, 35), "the claim name at line 26")
_O02 = src("O02", at_cut(_DRA, 104))
_P13 = src("P13", at_cut(_FAILOVER, 36))
_P13_VLLM = src("P13", at_cut(_FAILOVER_VLLM, 24))

_SOURCES = {
    "frontendSidecarName": src("P11", at_cut("consts/consts.go", 126)),
    "gmsClaimName": _DRA_SOURCE,
    "gmsDeviceClassName": src("S15", at_cut(_DRA, 28)),
    "gmsToleration": _DRA_SOURCE,
    **dict.fromkeys(("gmsVolumeName", "gmsMountPath", "gmsSocketDirEnv", "gmsServerName", "gmsServerCommand",
                     "gmsServerRestartPolicy", "gmsStartupProbe"), _GMS_SOURCE),
    **dict.fromkeys(("resourceClaimTemplateApiVersion", "resourceClaimTemplateName", "resourceClaimRequestName",
                     "resourceClaimAllocationMode"), _O02),
    "failoverEngineCount": _P13,
    "failoverEngineName": _P13,
    "failoverPortName": src("T03", at_cut(_FAILOVER, 68)),
    "failoverBasePort": src("T03", at_cut("consts/consts.go", 20)),
    "failoverDroppedEnv": _P13,
    "failoverLockPath": _P13,
    "failoverStartingHealthStatus": _P13,
    "failoverBackends": _P13,
    **dict.fromkeys(("vllmNixlSideChannelBasePort", "vllmKvEventBasePort", "vllmMasterPortFlag",
                     "vllmMasterBasePort", "vllmMasterPortStride"), _P13_VLLM),
}

FEATURES_1_1 = Entries(values=MappingProxyType(_VALUES), sources=_SOURCES)


def value(table: Entries, item: str) -> Any:
    """The value of ``item`` in a release's feature table (typed ``Any`` for its readers)."""
    return table.values[item]
