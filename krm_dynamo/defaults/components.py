# SPDX-License-Identifier: Apache-2.0
"""What the operator puts into the main container and pod of each component type.

One :class:`ComponentDefaults` per ``componentType`` (frontend, worker, planner; any
other type, or none, gets :data:`BASE`): container name, command, args, ports, env,
probes and pod fields, each with its source. Also the shared-memory volume every pod
gets and the env names set from the functionConfig.

Env values may contain the placeholders ``{dynamo_namespace}``, ``{dgd_name}`` and
``{dgd_namespace}``; the pod-template builder fills them in (:data:`ENV_PLACEHOLDERS`).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from krm_dynamo.defaults.sources import (
    OP_COMMON,
    OP_CONSTS,
    OP_DCD_CONTROLLER,
    OP_FRONTEND,
    OP_GRAPH,
    OP_PLANNER,
    OP_WORKER,
    Entries,
    Sourced,
    seed,
    src,
)
from krm_dynamo.record import dataclass, field, replace

COMPONENT_FRONTEND = "frontend"  # consts.go ComponentTypeFrontend
COMPONENT_WORKER = "worker"  # consts.go ComponentTypeWorker
COMPONENT_PLANNER = "planner"  # consts.go ComponentTypePlanner
COMPONENT_TYPES = (COMPONENT_FRONTEND, COMPONENT_WORKER, COMPONENT_PLANNER)
# consts.go ComponentTypeEPP (operator 1.0 on; its tables are in .epp). Here, beside the other type
# names, so that the rules and builders that only compare a type need not import the 1.x tables.
COMPONENT_EPP = "epp"

MAIN_CONTAINER = "main"  # consts.go MainContainerName; the name of the main container in every table
FRONTEND_PORT = 8000  # consts.go DynamoServicePort; seed "Port Configurations"
FRONTEND_PORT_NAME = "http"  # consts.go DynamoContainerPortName
SYSTEM_PORT = 9090  # consts.go DynamoSystemPort; seed "Port Configurations"
SYSTEM_PORT_NAME = "system"  # consts.go DynamoSystemPortName
PLANNER_METRICS_PORT = 9085  # consts.go DynamoPlannerMetricsPort; seed "Port Configurations"
PLANNER_METRICS_PORT_NAME = "metrics"  # consts.go DynamoMetricsPortName
PLANNER_SERVICE_ACCOUNT = "planner-serviceaccount"  # consts.go PlannerServiceAccountName; seed "Service Account"
GPU_RESOURCE = "nvidia.com/gpu"  # the container resource of Dynamo's `gpu` (NAMING below)
DEFAULT_DYNAMO_NAMESPACE_PREFIX = "dynamo-"  # "dynamo-" + <DGD name> (NAMING below)
DOWNWARD_NAMESPACE_FIELD = "metadata.namespace"  # a pod's own namespace (NAMING below)
PROBE_KINDS = ("livenessProbe", "readinessProbe", "startupProbe")
PROBE_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")  # a Kubernetes probe names one of these

# Frontend readiness command, exactly these characters (component_frontend.go; seed "Frontend Components").
FRONTEND_READY_CMD = 'curl -s http://localhost:${DYNAMO_PORT}/health | jq -e ".status == \\"healthy\\""'

# Env names the operator sets from its own flags; here from the functionConfig, only when
# configured (D13). The operator flags are --nats-address, --etcd-address,
# --model-express-url and --prometheus-endpoint.
ENV_NATS_SERVER = "NATS_SERVER"
ENV_ETCD_ENDPOINTS = "ETCD_ENDPOINTS"
ENV_MODEL_EXPRESS_URL = "MODEL_EXPRESS_URL"
ENV_PROMETHEUS_ENDPOINT = "PROMETHEUS_ENDPOINT"
_ENV_ALL = seed("Environment Variables", "All Components")
_D13 = "D13 (set only when the functionConfig field is set)"
PLATFORM_ENV = Entries(
    values=MappingProxyType({
        "natsServer": ENV_NATS_SERVER,
        "etcdEndpoints": ENV_ETCD_ENDPOINTS,
        "modelExpressUrl": ENV_MODEL_EXPRESS_URL,
        "prometheusEndpoint": ENV_PROMETHEUS_ENDPOINT,
    }),
    sources={
        "natsServer": src(OP_DCD_CONTROLLER, f"{OP_GRAPH} (operator flag --nats-address)", _D13),
        "etcdEndpoints": src(OP_DCD_CONTROLLER, f"{OP_GRAPH} (operator flag --etcd-address)", _D13),
        "modelExpressUrl": src(OP_DCD_CONTROLLER, f"{OP_GRAPH} (operator flag --model-express-url)", _D13),
        "prometheusEndpoint": src(OP_DCD_CONTROLLER, f"{OP_GRAPH} (operator flag --prometheus-endpoint)", _D13),
    },
)

NAMING = Entries(
    values=MappingProxyType({
        "gpuResource": GPU_RESOURCE,
        "dynamoNamespacePrefix": DEFAULT_DYNAMO_NAMESPACE_PREFIX,
        "namespaceFieldPath": DOWNWARD_NAMESPACE_FIELD,
    }),
    sources={
        "gpuResource": src(f"{OP_CONSTS} KubeResourceGPUNvidia", "resources.limits.gpu becomes this limit"),
        "dynamoNamespacePrefix": src(f"{OP_GRAPH} getDynamoNamespace",
                                     "D10 (no dynamoNamespace: dynamo-<DGD name> for every service)"),
        "namespaceFieldPath": src("D17 (a DGD without namespace: DYN_PARENT_DGD_K8S_NAMESPACE from the downward API)",
                                  _ENV_ALL),
    },
)


@dataclass(frozen=True)
class ComponentDefaults(Sourced):
    """What the operator puts into the main container and pod of one component type.

    Attributes:
        command, args: container command and args (a user list replaces each).
        name: the main container's name.
        ports: container ports, in the operator's order.
        env: ``(name, value template)`` pairs, before sorting.
        probes: probe kind (``livenessProbe``, ``readinessProbe``, ``startupProbe``) -> probe.
        pod: pod-level defaults (``terminationGracePeriodSeconds``, ``restartPolicy``,
            ``serviceAccountName``).
        sources: item -> where its value comes from; items are ``name``, ``command``, ``args``
            (when set), ``ports.<name>``, ``env.<NAME>``, ``probes.<kind>``, ``pod.<field>``.
    """

    command: tuple[str, ...]
    args: tuple[str, ...] = ()
    name: str = MAIN_CONTAINER
    ports: tuple[Mapping[str, Any], ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    probes: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    pod: Mapping[str, object] = field(default_factory=dict)
    sources: Mapping[str, str] = field(default_factory=dict)

    def items(self) -> list[tuple[str, object]]:
        out: list[tuple[str, object]] = [("name", self.name), ("command", self.command)]
        if self.args:
            out.append(("args", self.args))
        out += [(f"ports.{p['name']}", p) for p in self.ports]
        out += [(f"env.{name}", value) for name, value in self.env]
        out += [(f"probes.{kind}", probe) for kind, probe in self.probes.items()]
        out += [(f"pod.{key}", value) for key, value in self.pod.items()]
        return out


def derive(base: ComponentDefaults, sources: Mapping[str, str], **changes: Any) -> ComponentDefaults:
    """``base`` with ``changes``: inherited items keep the base's sources, ``sources`` adds or replaces."""
    return replace(base, **changes, sources={**base.sources, **sources})


def _http_probe(path: str, port: str, **timing: int) -> dict[str, Any]:
    return {"httpGet": {"path": path, "port": port}, **timing}


def _port(name: str, number: int) -> Mapping[str, Any]:
    return MappingProxyType({"name": name, "containerPort": number, "protocol": "TCP"})


_POD_DEFAULTS = seed("Pod Specification Defaults")

BASE = ComponentDefaults(
    command=("/bin/sh", "-c"),
    env=(
        ("DYN_NAMESPACE", "{dynamo_namespace}"),
        ("DYN_PARENT_DGD_K8S_NAME", "{dgd_name}"),
        ("DYN_PARENT_DGD_K8S_NAMESPACE", "{dgd_namespace}"),
    ),
    pod=MappingProxyType({"terminationGracePeriodSeconds": 60, "restartPolicy": "Always"}),
    sources={
        "name": src(f"{OP_CONSTS} MainContainerName", OP_COMMON),
        "command": OP_COMMON,
        "env.DYN_NAMESPACE": src(OP_COMMON, _ENV_ALL, "D10 (one Dynamo namespace per DGD)"),
        "env.DYN_PARENT_DGD_K8S_NAME": src(OP_COMMON, _ENV_ALL),
        "env.DYN_PARENT_DGD_K8S_NAMESPACE": src(OP_COMMON, _ENV_ALL, "D17 (DGD without namespace: downward API)"),
        "pod.terminationGracePeriodSeconds": src(OP_COMMON, _POD_DEFAULTS),
        "pod.restartPolicy": src(OP_COMMON, _POD_DEFAULTS),
    },
)

_FRONTEND_PROBES = seed("Health Probes by Component Type", "Frontend Components")
_FRONTEND_ENV = seed("Environment Variables", "Frontend Components")
FRONTEND = derive(
    BASE,
    command=("python3",),
    args=("-m", "dynamo.frontend"),
    ports=(_port(FRONTEND_PORT_NAME, FRONTEND_PORT),),
    env=(*BASE.env, ("DYNAMO_PORT", str(FRONTEND_PORT)), ("DYN_HTTP_PORT", str(FRONTEND_PORT))),
    probes=MappingProxyType({
        "livenessProbe": _http_probe(
            "/health", FRONTEND_PORT_NAME,
            initialDelaySeconds=60, periodSeconds=60, timeoutSeconds=30, failureThreshold=10,
        ),
        "readinessProbe": {
            "exec": {"command": ["/bin/sh", "-c", FRONTEND_READY_CMD]},
            "initialDelaySeconds": 60,
            "periodSeconds": 60,
            "timeoutSeconds": 30,
            "failureThreshold": 10,
        },
    }),
    sources={
        "command": src(OP_FRONTEND, "replaces the base command"),
        "args": OP_FRONTEND,
        "ports.http": src(OP_FRONTEND, f"{OP_CONSTS} DynamoServicePort, DynamoContainerPortName",
                          seed("Port Configurations", "Frontend Components")),
        "env.DYNAMO_PORT": src(OP_FRONTEND, _FRONTEND_ENV),
        "env.DYN_HTTP_PORT": src(OP_FRONTEND, _FRONTEND_ENV),
        "probes.livenessProbe": src(OP_FRONTEND, _FRONTEND_PROBES),
        "probes.readinessProbe": src(OP_FRONTEND, _FRONTEND_PROBES),
    },
)

_WORKER_PROBES = seed("Health Probes by Component Type", "Worker Components")
_WORKER_ENV = seed("Environment Variables", "Worker Components")
WORKER = derive(
    BASE,
    ports=(_port(SYSTEM_PORT_NAME, SYSTEM_PORT),),
    env=(
        *BASE.env,
        ("DYN_SYSTEM_ENABLED", "true"),
        ("DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS", '["generate"]'),
        ("DYN_SYSTEM_PORT", str(SYSTEM_PORT)),
    ),
    probes=MappingProxyType({
        "livenessProbe": _http_probe("/live", SYSTEM_PORT_NAME, periodSeconds=5, timeoutSeconds=30, failureThreshold=1),
        "readinessProbe": _http_probe(
            "/health", SYSTEM_PORT_NAME, periodSeconds=10, timeoutSeconds=30, failureThreshold=60
        ),
        "startupProbe": _http_probe(
            "/live", SYSTEM_PORT_NAME, periodSeconds=10, timeoutSeconds=5, failureThreshold=720
        ),
    }),
    sources={
        "ports.system": src(OP_WORKER, f"{OP_CONSTS} DynamoSystemPort, DynamoSystemPortName",
                            seed("Port Configurations", "Worker Components")),
        "env.DYN_SYSTEM_ENABLED": src(OP_WORKER, _WORKER_ENV),
        "env.DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS": src(OP_WORKER, _WORKER_ENV),
        "env.DYN_SYSTEM_PORT": src(OP_WORKER, _WORKER_ENV),
        "probes.livenessProbe": src(OP_WORKER, _WORKER_PROBES),
        "probes.readinessProbe": src(OP_WORKER, _WORKER_PROBES),
        "probes.startupProbe": src(
            OP_WORKER, _WORKER_PROBES, "failureThreshold 720 (10 s x 720: two hours), as the seed states"
        ),
    },
)

PLANNER = derive(
    BASE,
    ports=(_port(PLANNER_METRICS_PORT_NAME, PLANNER_METRICS_PORT),),
    env=(*BASE.env, ("PLANNER_PROMETHEUS_PORT", str(PLANNER_METRICS_PORT))),
    pod=MappingProxyType({**BASE.pod, "serviceAccountName": PLANNER_SERVICE_ACCOUNT}),
    sources={
        "ports.metrics": src(OP_PLANNER, f"{OP_CONSTS} DynamoPlannerMetricsPort, DynamoMetricsPortName",
                             seed("Port Configurations", "Planner Components")),
        "env.PLANNER_PROMETHEUS_PORT": src(OP_PLANNER, seed("Environment Variables", "Planner Components")),
        "pod.serviceAccountName": src(OP_PLANNER, f"{OP_CONSTS} PlannerServiceAccountName", seed("Service Account"),
                                      "D21 (a user value wins)"),
    },
)


# --- shared memory (every component type) -------------------------------------------------


@dataclass(frozen=True)
class SharedMemoryDefaults(Sourced):
    """The RAM-backed ``emptyDir`` every pod gets unless ``sharedMemory.disabled``.

    Items: ``volumeName``, ``medium``, ``sizeLimit`` (a quantity; ``sharedMemory.size``
    replaces it), ``mountPath``.
    """

    volume_name: str
    medium: str
    size_limit: str
    mount_path: str
    sources: Mapping[str, str] = field(default_factory=dict)


SHARED_MEMORY = SharedMemoryDefaults(
    volume_name="shared-memory",
    medium="Memory",
    size_limit="8Gi",
    mount_path="/dev/shm",
    sources={
        "volumeName": src(f"{OP_CONSTS} KubeValueNameSharedMemory", f"{OP_GRAPH} generateSharedMemoryVolumeAndMount"),
        "medium": src(f"{OP_GRAPH} generateSharedMemoryVolumeAndMount (corev1.StorageMediumMemory)",
                      seed("Shared Memory Configuration")),
        "sizeLimit": src(OP_GRAPH, seed("Shared Memory Configuration"), "sharedMemory.size replaces it"),
        "mountPath": src(OP_GRAPH, seed("Shared Memory Configuration")),
    },
)

# What the placeholders of env value templates stand for (shown by `krm-dynamo explain`).
ENV_PLACEHOLDERS: Mapping[str, str] = MappingProxyType({
    "{dynamo_namespace}": 'the Dynamo namespace: the dynamoNamespace of the services, else "dynamo-<DGD name>" '
                          f"({OP_GRAPH} getDynamoNamespace; D10)",
    "{dgd_name}": "the DGD's metadata.name",
    "{dgd_namespace}": "the DGD's metadata.namespace; without one, valueFrom.fieldRef metadata.namespace (D17)",
    "{component_type}": "the service's componentType (empty when unset)",
    "{worker_hash}": "a worker's nvidia.com/dynamo-worker-hash label (N_E07, D60); without one the env var is left out",
    "{fieldRef:metadata.name}": "not a value: valueFrom.fieldRef metadata.name (the pod's name)",
    "{fieldRef:metadata.namespace}": "not a value: valueFrom.fieldRef metadata.namespace (the pod's namespace)",
    "{fieldRef:metadata.uid}": "not a value: valueFrom.fieldRef metadata.uid (the pod's UID)",
})
WORKER_HASH_PLACEHOLDER = "{worker_hash}"  # N_E07: an env row left out when the value is empty
FIELD_REF_PLACEHOLDER = "{fieldRef:"  # an env template "{fieldRef:<path>}" becomes valueFrom.fieldRef
