# SPDX-License-Identifier: Apache-2.0
"""The endpoint picker (``componentType: epp``, operator 1.0 on) and the objects made for it.

An EPP service is the Gateway API inference extension's endpoint picker for the graph's
workers. The operator gives its main container gRPC ports and probes, a fixed argument list
naming the graph's InferencePool, and mounts its EndpointPickerConfig from a ConfigMap; the
DGD controller creates that ConfigMap (from ``eppConfig.config``) and the InferencePool.
Sources: ``dynamo/component_epp.go`` (P10, R04, T03), ``dynamo/epp/config.go`` and
``dynamo/epp/inference_pool.go`` (N07), at the v1.1.0 cut; the same in 1.0 except the
two env rows marked 1.1. The EPP's Service port is a row of :mod:`.kubediscovery` (N01).

Values may contain ``{dgd_name}`` and ``{dgd_namespace}``, filled in by
:mod:`krm_dynamo.render.epp`.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from krm_dynamo.defaults.components import BASE, FRONTEND_PORT, ComponentDefaults, derive
from krm_dynamo.defaults.profiles import at_cut
from krm_dynamo.defaults.sources import Entries, src

COMPONENT_EPP = "epp"  # consts.go ComponentTypeEPP
EPP_GRPC_PORT = 9002  # consts.go EPPGRPCPort (T03)
EPP_GRPC_PORT_NAME = "grpc"  # consts.go EPPGRPCPortName
EPP_HEALTH_PORT = 9003
EPP_SERVICE_ACCOUNT = "epp-serviceaccount"  # consts.go EPPServiceAccountName

_P10 = src("P10", at_cut("dynamo/component_epp.go", 26))
_P10_ENV = src("P10", at_cut("dynamo/component_epp.go", 89))
_P10_ARGS = src("P10", at_cut("dynamo/component_epp.go", 116))
_P10_POD = src("P10", at_cut("dynamo/component_epp.go", 141))
_R04 = src("R04", at_cut("dynamo/component_epp.go", 85))
_T03 = src("T03", at_cut("consts/consts.go", 24))
_N07_CONFIG = src("N07", at_cut("dynamo/epp/config.go", 30))
_N07_POOL = src("N07", at_cut("dynamo/epp/inference_pool.go", 34))

def _port(name: str, number: int) -> Any:
    return MappingProxyType({"name": name, "containerPort": number, "protocol": "TCP"})


def _grpc_probe(**timing: int) -> dict[str, Any]:
    return {"grpc": {"port": EPP_HEALTH_PORT, "service": "inference-extension"}, **timing}


# The pool name, namespace and group and the config path the EPP is started with.
EPP_ARGS = (
    "-pool-name", "{dgd_name}-pool",
    "-pool-namespace", "{dgd_namespace}",
    "-pool-group", "inference.networking.k8s.io",
    "-v", "4",
    "--zap-encoder", "json",
    "-grpc-port", str(EPP_GRPC_PORT),
    "-grpc-health-port", str(EPP_HEALTH_PORT),
    "-config-file", "/etc/epp/epp-config-dynamo.yaml",
)


def epp_1_0(base: ComponentDefaults = BASE) -> ComponentDefaults:
    """P10 / R04 / T03: the EPP's main container and pod over ``base`` (operator 1.0)."""
    return derive(
        base,
        command=(),  # an empty list, which the operator's JSON leaves out: the image's entrypoint runs
        args=EPP_ARGS,
        ports=(_port(EPP_GRPC_PORT_NAME, EPP_GRPC_PORT), _port("grpc-health", EPP_HEALTH_PORT),
               _port("metrics", 9090)),
        env=(*base.env, ("USE_STREAMING", "true"), ("RUST_LOG", "debug,dynamo_llm::kv_router=trace")),
        probes=MappingProxyType({
            "livenessProbe": _grpc_probe(initialDelaySeconds=5, periodSeconds=10),
            "readinessProbe": _grpc_probe(initialDelaySeconds=5, periodSeconds=10),
            "startupProbe": _grpc_probe(periodSeconds=10, failureThreshold=180),
        }),
        pod=MappingProxyType({**base.pod, "terminationGracePeriodSeconds": 130,
                              "serviceAccountName": EPP_SERVICE_ACCOUNT}),
        sources={
            "command": _P10,
            "args": src(_P10_ARGS, "-pool-namespace: the DGD's namespace, else $(POD_NAMESPACE) (D55)"),
            "ports.grpc": _T03, "ports.grpc-health": _T03, "ports.metrics": _T03,
            "env.USE_STREAMING": _P10_ENV, "env.RUST_LOG": _P10_ENV,
            "probes.livenessProbe": _R04, "probes.readinessProbe": _R04,
            "probes.startupProbe": src(_R04, "10 s x 180: thirty minutes to find workers"),
            "pod.terminationGracePeriodSeconds": _P10_POD,
            "pod.serviceAccountName": src(_P10_POD, "consts.go EPPServiceAccountName (the installation's account)"),
        },
    )


def epp_1_1(base: ComponentDefaults = BASE) -> ComponentDefaults:
    """:func:`epp_1_0` plus the two env vars of operator 1.1 (N_E06 for the EPP)."""
    table = epp_1_0(base)
    return derive(
        table,
        env=(*table.env, ("DYN_ENFORCE_DISAGG", "false"), ("DYN_NAMESPACE_PREFIX", "{dynamo_namespace}")),
        sources={"env.DYN_ENFORCE_DISAGG": src("P10", at_cut("dynamo/component_epp.go", 99), "from 1.1"),
                 "env.DYN_NAMESPACE_PREFIX": src("N_E06", at_cut("dynamo/component_epp.go", 103), "from 1.1")},
    )


# N07: the EPP's config volume and cache and the graph's InferencePool (its Service: kubediscovery, N01).
GAIE = Entries(
    values=MappingProxyType({
        "configMapName": "{dgd_name}-epp-config",
        "configKey": "epp-config-dynamo.yaml",
        "configApiVersion": "inference.networking.x-k8s.io/v1alpha1",
        "configKind": "EndpointPickerConfig",
        "configVolume": "epp-config",
        "configMountPath": "/etc/epp",
        "cacheVolume": "hf-cache",
        "cacheMountPath": "/home/nonroot/.cache",
        "inferencePoolApiVersion": "inference.networking.k8s.io/v1",
        "poolName": "{dgd_name}-pool",
        "poolTargetPort": FRONTEND_PORT,
        "poolSelectorComponentType": "worker",
        "endpointPickerKind": "Service",
        "endpointPickerPort": EPP_GRPC_PORT,
    }),
    sources={
        "configMapName": _N07_CONFIG,
        "configKey": _N07_CONFIG,
        "configApiVersion": src(_N07_CONFIG, "gateway-api-inference-extension apix/config/v1alpha1"),
        "configKind": _N07_CONFIG,
        "configVolume": _N07_CONFIG,
        "configMountPath": src(_N07_CONFIG, "read-only"),
        "cacheVolume": src(_P10_POD, "an emptyDir for model config downloads"),
        "cacheMountPath": src("P10", at_cut("dynamo/component_epp.go", 132)),
        "inferencePoolApiVersion": src(_N07_POOL, "gateway-api-inference-extension api/v1"),
        "poolName": _N07_POOL,
        "poolTargetPort": src(_N07_POOL, "consts.go DynamoServicePort"),
        "poolSelectorComponentType": src(_N07_POOL, "with the EPP service's Dynamo namespace"),
        "endpointPickerKind": _N07_POOL,
        "endpointPickerPort": src(_N07_POOL, "consts.go EPPGRPCPort"),
    },
)
NO_GAIE = Entries(values=MappingProxyType({}), sources={})  # 0.6: no endpoint picker
