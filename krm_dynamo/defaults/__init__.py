# SPDX-License-Identifier: Apache-2.0
"""Operator defaults, as data: one table per operator release.

Everything the Dynamo operator injects into a component lives here, each value with
the source it was taken from: the seed API reference ("seed", section name), the
operator source at upstream commit ``60975b518`` (paths under
``deploy/cloud/operator/``), or a project decision (``D…``/``R…`` in
``decisions.md``). In the component, shared-memory and backend tables the source is
data (``sources``, one string per item, checked at import; ``krm-dynamo explain``
prints it); elsewhere it is a comment. Code elsewhere only reads these tables, so
supporting a later operator release means adding a new :class:`OperatorDefaults`
value, not editing the pod-template builder.

Env values may contain the placeholders ``{dynamo_namespace}``, ``{dgd_name}`` and
``{dgd_namespace}``; the pod-template builder fills them in (``{dgd_namespace}`` on a
DGD without namespace becomes a downward-API reference, D17).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Mapping

# --- constants (deploy/cloud/operator/internal/consts/consts.go) -------------------------

MAIN_CONTAINER = "main"  # consts.go MainContainerName; component_common.go
# Step 9 (D13): operator-level env names, set from the functionConfig only when configured
# (dynamocomponentdeployment_controller.go / graph.go: the operator's --nats-address, --etcd-address,
# --model-express-url, --prometheus-endpoint flags).
ENV_NATS_SERVER = "NATS_SERVER"
ENV_ETCD_ENDPOINTS = "ETCD_ENDPOINTS"
ENV_MODEL_EXPRESS_URL = "MODEL_EXPRESS_URL"
ENV_PROMETHEUS_ENDPOINT = "PROMETHEUS_ENDPOINT"
# Frontend Service, Ingress and VirtualService (§14.2–14.4; dynamocomponentdeployment_controller.go,
# generateService / generateIngress / generateVirtualService).
FRONTEND_SERVICE_PROTOCOL = "TCP"  # corev1.ProtocolTCP
INGRESS_PATH = "/"  # the one rule routes every path to the frontend
INGRESS_PATH_TYPE = "Prefix"  # networkingv1.PathTypePrefix
INGRESS_API_VERSION = "networking.k8s.io/v1"
VIRTUAL_SERVICE_API_VERSION = "networking.istio.io/v1beta1"  # istio client-go networking/v1beta1
FRONTEND_PORT = 8000  # consts.go DynamoServicePort; seed "Port Configurations"
FRONTEND_PORT_NAME = "http"  # consts.go DynamoContainerPortName
SYSTEM_PORT = 9090  # consts.go DynamoSystemPort; seed "Port Configurations"
SYSTEM_PORT_NAME = "system"  # consts.go DynamoSystemPortName
PLANNER_METRICS_PORT = 9085  # consts.go DynamoPlannerMetricsPort; seed "Port Configurations"
PLANNER_METRICS_PORT_NAME = "metrics"  # consts.go DynamoMetricsPortName
MPI_SSH_PORT = 2222  # consts.go MpiRunSshPort; seed "Backend-Specific Configurations" (multinode)

COMPONENT_FRONTEND = "frontend"  # consts.go ComponentTypeFrontend
COMPONENT_WORKER = "worker"  # consts.go ComponentTypeWorker
COMPONENT_PLANNER = "planner"  # consts.go ComponentTypePlanner

# Labels (consts.go KubeLabel*)
LABEL_COMPONENT = "nvidia.com/dynamo-component"
LABEL_DYNAMO_NAMESPACE = "nvidia.com/dynamo-namespace"
LABEL_GRAPH_NAME = "nvidia.com/dynamo-graph-deployment-name"
LABEL_METRICS_ENABLED = "nvidia.com/metrics-enabled"
LABEL_COMPONENT_TYPE = "nvidia.com/dynamo-component-type"
LABEL_SUB_COMPONENT_TYPE = "nvidia.com/dynamo-sub-component-type"
LABEL_SELECTOR = "nvidia.com/selector"
LABEL_COMPONENT_POD = "nvidia.com/dynamo-component-pod"  # marks ServiceAccounts for pods (§10.2)

# Annotations (consts.go KubeAnnotation*)
ANNOTATION_ENABLE_METRICS = "nvidia.com/enable-metrics"
ANNOTATION_ENABLE_GROVE = "nvidia.com/enable-grove"
ANNOTATION_DISABLE_PULL_SECRET_DISCOVERY = "nvidia.com/disable-image-pull-secret-discovery"
ANNOTATION_DEPLOYMENT_STRATEGY = "nvidia.com/deployment-strategy"
ANNOTATION_ENABLE_DEBUG_MODE = "nvidia.com/enable-debug-mode"
ANNOTATION_STEALING_TRAFFIC_DEBUG = "nvidia.com/enable-stealing-traffic-debug-mode"

GPU_RESOURCE = "nvidia.com/gpu"  # consts.go KubeResourceGPUNvidia
PLANNER_SERVICE_ACCOUNT = "planner-serviceaccount"  # consts.go PlannerServiceAccountName; seed "Service Account"
DEFAULT_DYNAMO_NAMESPACE_PREFIX = "dynamo-"  # graph.go getDynamoNamespace: "dynamo-" + <dgd>

HPA_DEFAULT_CPU_UTILIZATION = 80  # seed "Autoscaling Defaults"; dynamocomponentdeployment_controller.go generateHPA

INGRESS_DEFAULT_HOST_SUFFIX = "local"  # graph.go GenerateComponentIngress: host suffix when unset
PVC_ACCESS_MODES = ("ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod")  # core/v1 (V5)

# Frontend readiness command, exactly these characters (component_frontend.go; seed "Frontend Components").
FRONTEND_READY_CMD = 'curl -s http://localhost:${DYNAMO_PORT}/health | jq -e ".status == \\"healthy\\""'

# Deployment strategies by the nvidia.com/deployment-strategy annotation
# (dynamocomponentdeployment_controller.go generateDeployment; operator-behaviour §14.1).
DEFAULT_DEPLOYMENT_STRATEGY = MappingProxyType(
    {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}
)
DEPLOYMENT_STRATEGIES: Mapping[str, Mapping] = MappingProxyType(
    {
        "RollingUpdate": DEFAULT_DEPLOYMENT_STRATEGY,
        "Recreate": {"type": "Recreate"},
        "RampedSlowRollout": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
        "BestEffortControlledRollout": {
            "type": "RollingUpdate",
            "rollingUpdate": {"maxSurge": 0, "maxUnavailable": "20%"},
        },
    }
)

# Debugger sidecar for nvidia.com/enable-debug-mode: "true"
# (dynamocomponentdeployment_controller.go; operator-behaviour §15). The image is
# functionConfig `debuggerImage` (operator env INTERNAL_IMAGES_DEBUGGER).
DEBUGGER_CONTAINER = MappingProxyType(
    {
        "name": "debugger",
        "command": ["sleep", "infinity"],
        "resources": {"limits": {"cpu": "1000m", "memory": "1000Mi"}, "requests": {"cpu": "100m", "memory": "100Mi"}},
        "securityContext": {"capabilities": {"add": ["SYS_PTRACE"]}},
        "stdin": True,
        "tty": True,
    }
)


# Multinode ports and probes of the backends (backend_<name>.go; seed "Backend-Specific Configurations")
RAY_HEAD_PORT = 6379  # backend_vllm.go VLLMPort; seed "Ray Head Port: 6379"
SGLANG_DIST_INIT_PORT = 29500  # backend_sglang.go SGLangPort; seed "Distribution Init Port: 29500"
# backend_trtllm.go; seed "TensorRT-LLM": worker readiness on the SSH port, 20 / 20 / 5 / 10
TRTLLM_WORKER_READINESS_PROBE = MappingProxyType(
    {
        "tcpSocket": {"port": MPI_SSH_PORT},
        "initialDelaySeconds": 20,
        "periodSeconds": 20,
        "timeoutSeconds": 5,
        "failureThreshold": 10,
    }
)
PROBE_KINDS = ("livenessProbe", "readinessProbe", "startupProbe")
PROBE_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")  # a Kubernetes probe names one of these


# --- sources ------------------------------------------------------------------------------
# Where a value comes from, as data (shown by `krm-dynamo explain`): operator files at 60975b518,
# seed API reference sections, project decisions (decisions.md).

_OP = "deploy/cloud/operator/internal/"
OP_CONSTS = _OP + "consts/consts.go"
OP_GRAPH = _OP + "dynamo/graph.go"
OP_COMMON = _OP + "dynamo/component_common.go"
OP_FRONTEND = _OP + "dynamo/component_frontend.go"
OP_WORKER = _OP + "dynamo/component_worker.go"
OP_PLANNER = _OP + "dynamo/component_planner.go"
OP_VLLM = _OP + "dynamo/backend_vllm.go"
OP_SGLANG = _OP + "dynamo/backend_sglang.go"
OP_TRTLLM = _OP + "dynamo/backend_trtllm.go"


def seed(*sections: str) -> str:
    """A seed API reference section, outermost first: ``seed "Environment Variables > All Components"``."""
    return 'seed "' + " > ".join(sections) + '"'


def src(*parts: str) -> str:
    """One source string from its parts (file, seed section, decision), ``; ``-separated."""
    return "; ".join(parts)


class _Sourced:
    """A table whose every item (see :meth:`items`) carries its source in ``sources``.

    Checked when the table is built: an item without a source, or a source naming no
    item, is a programming error and fails at import.
    """

    sources: Mapping[str, str]

    def items(self) -> list[tuple[str, object]]:  # pragma: no cover - overridden
        raise NotImplementedError

    def source(self, item: str) -> str:
        """Where the value of ``item`` (``env.DYN_SYSTEM_PORT``, ``probes.livenessProbe``, …) comes from."""
        return self.sources[item]

    def sourced_items(self) -> list[tuple[str, object, str]]:
        """``(item, value, source)`` for every item, in table order."""
        return [(item, value, self.sources[item]) for item, value in self.items()]

    def __post_init__(self) -> None:
        names = [item for item, _ in self.items()]
        missing = [n for n in names if not self.sources.get(n)]
        stray = sorted(set(self.sources) - set(names))
        if missing or stray:
            raise ValueError(f"{type(self).__name__}: items without a source {missing}, sources without an item {stray}")
        object.__setattr__(self, "sources", MappingProxyType({n: self.sources[n] for n in names}))


# --- per component type ----------------------------------------------------------------


@dataclass(frozen=True)
class ComponentDefaults(_Sourced):
    """What the operator puts into the main container and pod of one component type.

    Attributes:
        command, args: container command and args (a user list replaces each, §7.1).
        ports: container ports, in the operator's order.
        env: ``(name, value template)`` pairs, before sorting.
        probes: probe kind (``livenessProbe``, ``readinessProbe``, ``startupProbe``) -> probe.
        pod: pod-level defaults (``terminationGracePeriodSeconds``, ``restartPolicy``,
            ``serviceAccountName``).
        sources: item -> where its value comes from; items are ``command``, ``args``
            (when set), ``ports.<name>``, ``env.<NAME>``, ``probes.<kind>``, ``pod.<field>``.
    """

    command: tuple[str, ...]
    args: tuple[str, ...] = ()
    ports: tuple[Mapping, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    probes: Mapping[str, Mapping] = field(default_factory=dict)
    pod: Mapping[str, object] = field(default_factory=dict)
    sources: Mapping[str, str] = field(default_factory=dict)

    def items(self) -> list[tuple[str, object]]:
        out: list[tuple[str, object]] = [("command", self.command)]
        if self.args:
            out.append(("args", self.args))
        out += [(f"ports.{p['name']}", p) for p in self.ports]
        out += [(f"env.{name}", value) for name, value in self.env]
        out += [(f"probes.{kind}", probe) for kind, probe in self.probes.items()]
        out += [(f"pod.{key}", value) for key, value in self.pod.items()]
        return out


def _derive(base: ComponentDefaults, sources: Mapping[str, str], **changes) -> ComponentDefaults:
    """``base`` with ``changes``: inherited items keep the base's sources, ``sources`` adds or replaces."""
    return replace(base, **changes, sources={**base.sources, **sources})


def _http_probe(path: str, port: str, **timing: int) -> dict:
    return {"httpGet": {"path": path, "port": port}, **timing}


_ENV_ALL = seed("Environment Variables", "All Components")
_POD_DEFAULTS = seed("Pod Specification Defaults")

BASE = ComponentDefaults(
    command=("/bin/sh", "-c"),
    env=(
        ("DYN_NAMESPACE", "{dynamo_namespace}"),
        ("DYN_PARENT_DGD_K8S_NAME", "{dgd_name}"),
        ("DYN_PARENT_DGD_K8S_NAMESPACE", "{dgd_namespace}"),
    ),
    pod={"terminationGracePeriodSeconds": 60, "restartPolicy": "Always"},
    sources={
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
FRONTEND = _derive(
    BASE,
    command=("python3",),
    args=("-m", "dynamo.frontend"),
    ports=({"name": FRONTEND_PORT_NAME, "containerPort": FRONTEND_PORT, "protocol": "TCP"},),
    env=BASE.env + (("DYNAMO_PORT", str(FRONTEND_PORT)), ("DYN_HTTP_PORT", str(FRONTEND_PORT))),
    probes={
        "livenessProbe": _http_probe(
            "/health", FRONTEND_PORT_NAME, initialDelaySeconds=60, periodSeconds=60, timeoutSeconds=30, failureThreshold=10
        ),
        "readinessProbe": {
            "exec": {"command": ["/bin/sh", "-c", FRONTEND_READY_CMD]},
            "initialDelaySeconds": 60,
            "periodSeconds": 60,
            "timeoutSeconds": 30,
            "failureThreshold": 10,
        },
    },
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
WORKER = _derive(
    BASE,
    ports=({"name": SYSTEM_PORT_NAME, "containerPort": SYSTEM_PORT, "protocol": "TCP"},),
    env=BASE.env
    + (
        ("DYN_SYSTEM_ENABLED", "true"),
        ("DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS", '["generate"]'),
        ("DYN_SYSTEM_PORT", str(SYSTEM_PORT)),
    ),
    probes={
        "livenessProbe": _http_probe("/live", SYSTEM_PORT_NAME, periodSeconds=5, timeoutSeconds=30, failureThreshold=1),
        "readinessProbe": _http_probe(
            "/health", SYSTEM_PORT_NAME, periodSeconds=10, timeoutSeconds=30, failureThreshold=60
        ),
        "startupProbe": _http_probe("/live", SYSTEM_PORT_NAME, periodSeconds=10, timeoutSeconds=5, failureThreshold=720),
    },
    sources={
        "ports.system": src(OP_WORKER, f"{OP_CONSTS} DynamoSystemPort, DynamoSystemPortName",
                            seed("Port Configurations", "Worker Components")),
        "env.DYN_SYSTEM_ENABLED": src(OP_WORKER, _WORKER_ENV),
        "env.DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS": src(OP_WORKER, _WORKER_ENV),
        "env.DYN_SYSTEM_PORT": src(OP_WORKER, _WORKER_ENV),
        "probes.livenessProbe": src(OP_WORKER, _WORKER_PROBES),
        "probes.readinessProbe": src(OP_WORKER, _WORKER_PROBES),
        "probes.startupProbe": src(
            OP_WORKER, _WORKER_PROBES, "failureThreshold 720 as the seed states (operator-behaviour §18)"
        ),
    },
)

PLANNER = _derive(
    BASE,
    ports=({"name": PLANNER_METRICS_PORT_NAME, "containerPort": PLANNER_METRICS_PORT, "protocol": "TCP"},),
    env=BASE.env + (("PLANNER_PROMETHEUS_PORT", str(PLANNER_METRICS_PORT)),),
    pod={**BASE.pod, "serviceAccountName": PLANNER_SERVICE_ACCOUNT},
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
class SharedMemoryDefaults(_Sourced):
    """The RAM-backed ``emptyDir`` every pod gets unless ``sharedMemory.disabled`` (§10.3)."""

    volume_name: str
    medium: str
    size: str
    mount_path: str
    sources: Mapping[str, str] = field(default_factory=dict)

    def items(self) -> list[tuple[str, object]]:
        return [("volumeName", self.volume_name), ("medium", self.medium), ("sizeLimit", self.size),
                ("mountPath", self.mount_path)]


SHARED_MEMORY = SharedMemoryDefaults(
    volume_name="shared-memory",
    medium="Memory",
    size="8Gi",
    mount_path="/dev/shm",
    sources={
        "volumeName": src(f"{OP_CONSTS} KubeValueNameSharedMemory", f"{OP_GRAPH} generateSharedMemoryVolumeAndMount"),
        "medium": src(f"{OP_GRAPH} generateSharedMemoryVolumeAndMount (corev1.StorageMediumMemory)",
                      seed("Shared Memory Configuration")),
        "sizeLimit": src(OP_GRAPH, seed("Shared Memory Configuration"), "sharedMemory.size replaces it"),
        "mountPath": src(OP_GRAPH, seed("Shared Memory Configuration")),
    },
)
SHARED_MEMORY_VOLUME = SHARED_MEMORY.volume_name
SHARED_MEMORY_MEDIUM = SHARED_MEMORY.medium
SHARED_MEMORY_MOUNT_PATH = SHARED_MEMORY.mount_path
SHARED_MEMORY_SIZE = SHARED_MEMORY.size

# What the placeholders of env value templates stand for (shown by `krm-dynamo explain`).
ENV_PLACEHOLDERS: Mapping[str, str] = MappingProxyType({
    "{dynamo_namespace}": 'the Dynamo namespace: the dynamoNamespace of the services, else "dynamo-<DGD name>" '
                          f"({OP_GRAPH} getDynamoNamespace; D10)",
    "{dgd_name}": "the DGD's metadata.name",
    "{dgd_namespace}": "the DGD's metadata.namespace; without one, valueFrom.fieldRef metadata.namespace (D17)",
})


# --- per backend -----------------------------------------------------------------------


@dataclass(frozen=True)
class BackendDefaults(_Sourced):
    """Backend-specific values (backend_<name>.go; multinode-and-backends §11, §12).

    Attributes:
        compilation_cache_mount: default mount path of a ``useAsCompilationCache``
            volume without ``mountPoint``; None means the user must give one.
        compilation_cache_env: env var set to the effective cache mount path (D8), if any.
        multinode_env: env vars added to every multinode pod (R6: only when absent).
        multinode_ports: ``(name, port)`` the backend's multinode launch uses (not container ports).
        multinode_worker_probes: probe kind -> what a multinode worker pod gets instead of the
            default probe: None removes it, a mapping replaces it (D9: user probes are kept).
        sources: item -> where its value comes from; items are ``compilationCache.mountPath``,
            ``compilationCache.env`` (both always, None included), ``multinode.env.<NAME>``,
            ``multinode.ports.<name>``, ``multinode.workerProbes.<kind>``.
    """

    compilation_cache_mount: str | None = None
    compilation_cache_env: str | None = None
    multinode_env: tuple[tuple[str, str], ...] = ()
    multinode_ports: tuple[tuple[str, int], ...] = ()
    multinode_worker_probes: Mapping[str, Mapping | None] = field(default_factory=dict)
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


# The CRD enum of `backendFramework` (api/v1alpha1 dynamographdeployment_types.go; seed "Enum: [sglang vllm trtllm]")
BACKEND_FRAMEWORKS = ("sglang", "vllm", "trtllm")
NOOP_BACKEND = "noop"
_D9 = "D9 (user probes are kept)"


def _probes_changed(backend: str) -> str:
    return seed("Health Probes by Component Type", "Multinode Deployment Probe Modifications", backend)


_NO_DEFAULT_MOUNT = "no default: a compilation-cache volume needs an explicit mountPoint (operator-behaviour §10.4)"
BACKENDS: Mapping[str, BackendDefaults] = MappingProxyType(
    {
        "vllm": BackendDefaults(
            compilation_cache_mount="/root/.cache/vllm",
            compilation_cache_env="VLLM_CACHE_ROOT",
            multinode_ports=(("rayHead", RAY_HEAD_PORT),),
            multinode_worker_probes={"livenessProbe": None, "readinessProbe": None, "startupProbe": None},
            sources={
                "compilationCache.mountPath": src(
                    OP_VLLM, seed("Environment Variables", "VLLM Backend (with compilation cache)"),
                    "the default path: operator-behaviour §5.1, §10.4",
                ),
                "compilationCache.env": src(
                    OP_VLLM, seed("Environment Variables", "VLLM Backend (with compilation cache)"),
                    "D8 (set to the effective mount path, the default included)", "R6 (a user value wins)",
                ),
                "multinode.ports.rayHead": src(f"{OP_VLLM} VLLMPort", seed("Backend-Specific Configurations", "VLLM")),
                **{f"multinode.workerProbes.{k}": src(OP_VLLM, _probes_changed("VLLM Backend"), "removed on worker pods", _D9)
                   for k in PROBE_KINDS},
            },
        ),
        "sglang": BackendDefaults(
            multinode_ports=(("distInit", SGLANG_DIST_INIT_PORT),),
            multinode_worker_probes={"livenessProbe": None, "readinessProbe": None, "startupProbe": None},
            sources={
                "compilationCache.mountPath": src(OP_SGLANG, _NO_DEFAULT_MOUNT),
                "compilationCache.env": src(OP_SGLANG, "no env var (operator-behaviour §10.5)"),
                "multinode.ports.distInit": src(f"{OP_SGLANG} SGLangPort",
                                                seed("Backend-Specific Configurations", "SGLang")),
                **{f"multinode.workerProbes.{k}": src(OP_SGLANG, _probes_changed("SGLang Backend"), "removed on worker pods", _D9)
                   for k in PROBE_KINDS},
            },
        ),
        "trtllm": BackendDefaults(
            multinode_env=(("OMPI_MCA_orte_keep_fqdn_hostnames", "1"),),
            multinode_ports=(("ssh", MPI_SSH_PORT),),
            multinode_worker_probes={
                "livenessProbe": None,
                "readinessProbe": TRTLLM_WORKER_READINESS_PROBE,
                "startupProbe": None,
            },
            sources={
                "compilationCache.mountPath": src(OP_TRTLLM, _NO_DEFAULT_MOUNT),
                "compilationCache.env": src(OP_TRTLLM, "no env var (operator-behaviour §10.5)"),
                "multinode.env.OMPI_MCA_orte_keep_fqdn_hostnames": src(
                    OP_TRTLLM, seed("Backend-Specific Configurations", "TensorRT-LLM"), "R6 (a user value wins)"
                ),
                "multinode.ports.ssh": src(f"{OP_CONSTS} MpiRunSshPort",
                                           seed("Backend-Specific Configurations", "TensorRT-LLM")),
                **{f"multinode.workerProbes.{k}": src(
                    OP_TRTLLM, _probes_changed("TensorRT-LLM Backend"),
                    "replaced on worker pods: tcpSocket on the SSH port, 20 / 20 / 5 / 10" if k == "readinessProbe"
                    else "removed on worker pods", _D9,
                ) for k in PROBE_KINDS},
            },
        ),
        NOOP_BACKEND: BackendDefaults(
            sources={
                "compilationCache.mountPath": src(
                    f"{OP_GRAPH} (noop: every non-worker, and a worker with no backend found)", _NO_DEFAULT_MOUNT
                ),
                "compilationCache.env": src(OP_GRAPH, "no env var"),
            },
        ),
    }
)


# --- the table of one operator release -------------------------------------------------


@dataclass(frozen=True)
class OperatorDefaults:
    """All defaults of one operator release; pick one with :data:`TABLES`."""

    release: str
    base: ComponentDefaults
    by_component_type: Mapping[str, ComponentDefaults]
    backends: Mapping[str, BackendDefaults]

    def for_component(self, component_type: str | None) -> ComponentDefaults:
        """Defaults for a ``componentType``, matched exactly (case-sensitive, §5.2)."""
        return self.by_component_type.get(component_type or "", self.base)


OPERATOR_60975B518 = OperatorDefaults(
    release="60975b518",
    base=BASE,
    by_component_type=MappingProxyType(
        {COMPONENT_FRONTEND: FRONTEND, COMPONENT_WORKER: WORKER, COMPONENT_PLANNER: PLANNER}
    ),
    backends=BACKENDS,
)

TABLES: Mapping[str, OperatorDefaults] = MappingProxyType({OPERATOR_60975B518.release: OPERATOR_60975B518})
CURRENT = OPERATOR_60975B518


# --- multinode: roles, labels, orchestrator objects (multinode-and-backends §3–§7) --------

ROLE_MAIN = "main"  # single-node pod (graph.go RoleMain)
ROLE_LEADER = "leader"  # graph.go RoleLeader
ROLE_WORKER = "worker"  # graph.go RoleWorker

LABEL_ROLE = "role"  # lws.go / dynamocomponentdeployment_controller.go: role label on LWS templates
LABEL_INSTANCE_ID = "instance-id"  # dynamocomponentdeployment_controller.go generateLeaderWorkerSet
ANNOTATION_GROUP_NAME = "scheduling.k8s.io/group-name"  # generateLeaderPodTemplateSpec (Volcano gang)
VOLCANO_SCHEDULER = "volcano"  # generateLeader/WorkerPodTemplateSpec: schedulerName (D21, D27)

LWS_API_VERSION = "leaderworkerset.x-k8s.io/v1"  # multinode-and-backends §0
LWS_STARTUP_POLICY = "LeaderCreated"  # generateLeaderWorkerSet
VOLCANO_API_VERSION = "scheduling.volcano.sh/v1beta1"  # generateVolcanoPodGroup
GROVE_API_VERSION = "grove.io/v1alpha1"  # grove.go; Grove v0.1.0-alpha.2 field names

# Deployer strings (§7). `<svc>` is the service name handed to backends, `<j>` a worker index.
# The kubelet expands $(VAR) in command/args; LWS and Grove inject the variables.
LWS_LEADER_HOSTNAME = "$(LWS_LEADER_ADDRESS)"  # lws.go GetLeaderHostname
LWS_NODE_RANK = "$(LWS_WORKER_INDEX)"  # lws.go GetNodeRank (needs a shell)
# R3 (upstream 17e224762, settled form): worker j's address from the leader's, j = 1 … nodeCount-1
LWS_WORKER_HOSTNAME = "$(echo \"$LWS_LEADER_ADDRESS\" | sed 's/\\./-<j>\\./')"
LWS_FIRST_WORKER_INDEX = 1
# grove.go GetLeaderHostname / GetHostNames / GetNodeRank: `<svc>` = services key as written (§7.1)
GROVE_LEADER_HOSTNAME = "$(GROVE_PCSG_NAME)-$(GROVE_PCSG_INDEX)-<svc>-ldr-0.$(GROVE_HEADLESS_SERVICE)"
GROVE_WORKER_HOSTNAME = "$(GROVE_PCSG_NAME)-$(GROVE_PCSG_INDEX)-<svc>-wkr-<j>.$(GROVE_HEADLESS_SERVICE)"
GROVE_FIRST_WORKER_INDEX = 0
GROVE_NODE_RANK = "$((GROVE_PCLQ_POD_INDEX + 1))"  # needs a shell (not a kubelet reference)

# Grove PodCliqueSet (graph.go GenerateGrovePodCliqueSet; multinode-and-backends §6)
GROVE_LEADER_SUFFIX = "ldr"  # consts.go GroveRoleSuffixLeader
GROVE_WORKER_SUFFIX = "wkr"  # consts.go GroveRoleSuffixWorker
GROVE_STARTUP_ANY_ORDER = "CliqueStartupTypeAnyOrder"
GROVE_STARTUP_EXPLICIT = "CliqueStartupTypeExplicit"  # applyCliqueStartupDependencies (TRT-LLM multinode)
GROVE_TERMINATION_DELAY = "15m"  # operator flag --grove-termination-delay, binary default (§6.1)
KAI_SCHEDULER = "kai-scheduler"  # graph.go: KAI scheduler name
LABEL_KAI_QUEUE = "kai.scheduler/queue"  # graph.go: clique label with the KAI queue
ANNOTATION_KAI_QUEUE = "nvidia.com/kai-scheduler-queue"  # consts.go KubeAnnotationKaiSchedulerQueue
KAI_DEFAULT_QUEUE = "dynamo"  # consts.go DefaultKaiSchedulerQueue

# --- backend multinode constants (backend_<name>.go; seed "Backend-Specific Configurations") --

SHELL_COMMAND = ("/bin/sh", "-c")  # backend_trtllm.go: leader and worker command
SGLANG_SHELL_COMMAND = ("sh", "-c")  # backend_sglang.go: python command that needs a shell
SHELLS = ("sh", "bash", "dash", "ash", "zsh", "ksh")  # basenames counted as a shell for the vLLM warning (§8)

SSH_KEY_MOUNT_PATH = "/ssh-pk"  # backend_trtllm.go: SSH secret mount (read-only)
SSH_SECRET_DEFAULT_MODE = 420  # backend_trtllm.go UpdatePodSpec: 0644
# backend_trtllm.go setupLeaderContainer: names always exported with `mpirun -x` (§10.3)
MPIRUN_EXPORTED_ENV = (
    "CUDA_VISIBLE_DEVICES", "MODEL_PATH", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_ENDPOINT",
    "TOKENIZERS_PARALLELISM", "NCCL_DEBUG", "NCCL_IB_DISABLE", "NCCL_P2P_DISABLE", "TENSORRT_LLM_CACHE_DIR",
    "HF_HOME", "TRANSFORMERS_CACHE", "HF_DATASETS_CACHE", "PATH", "LD_LIBRARY_PATH", "PYTHONPATH", "HOME", "USER",
)
# backend_trtllm.go: SSH set-up shared by leader and worker (§10.3 fragments 2–8; the `\n` are literal)
_SSH_SETUP = (
    f"ls -la {SSH_KEY_MOUNT_PATH}/",
    f"cp {SSH_KEY_MOUNT_PATH}/private.key ~/.ssh/id_rsa",
    f"cp {SSH_KEY_MOUNT_PATH}/private.key.pub ~/.ssh/id_rsa.pub",
    f"cp {SSH_KEY_MOUNT_PATH}/private.key.pub ~/.ssh/authorized_keys",
    "chmod 600 ~/.ssh/id_rsa ~/.ssh/authorized_keys",
    "chmod 644 ~/.ssh/id_rsa.pub ~/.ssh/authorized_keys",
    f"printf 'Host *\\nIdentityFile ~/.ssh/id_rsa\\nStrictHostKeyChecking no\\nPort {MPI_SSH_PORT}\\n' > ~/.ssh/config",
)
TRTLLM_LEADER_SETUP = ("mkdir -p ~/.ssh",) + _SSH_SETUP  # §10.3 fragments 1–8
# §10.3 fragment 9; <n>, <hosts>, <exports>, <command> filled in by backends.trtllm_leader_script
TRTLLM_MPIRUN = (
    "mpirun --oversubscribe -n <n> -H <hosts> --mca pml ob1 --mca plm_rsh_args "
    f"\"-p {MPI_SSH_PORT} -o StrictHostKeyChecking=no -i ~/.ssh/id_rsa\" <exports> "
    "bash -c 'source /opt/dynamo/venv/bin/activate && trtllm-llmapi-launch <command>'"
)
TRTLLM_WORKER_SCRIPT = (  # §10.4 fragments 1–14
    ("mkdir -p ~/.ssh ~/.ssh/host_keys ~/.ssh/run",)
    + _SSH_SETUP
    + (
        "ssh-keygen -t rsa -f ~/.ssh/host_keys/ssh_host_rsa_key -N ''",
        "ssh-keygen -t ecdsa -f ~/.ssh/host_keys/ssh_host_ecdsa_key -N ''",
        "ssh-keygen -t ed25519 -f ~/.ssh/host_keys/ssh_host_ed25519_key -N ''",
        f"printf 'Port {MPI_SSH_PORT}\\nHostKey ~/.ssh/host_keys/ssh_host_rsa_key\\nHostKey ~/.ssh/host_keys/ssh_host_ecdsa_key"
        "\\nHostKey ~/.ssh/host_keys/ssh_host_ed25519_key\\nPidFile ~/.ssh/run/sshd.pid\\nPermitRootLogin yes"
        "\\nPasswordAuthentication no\\nPubkeyAuthentication yes\\nAuthorizedKeysFile ~/.ssh/authorized_keys\\n' "
        "> ~/.ssh/sshd_config",
        "mkdir -p /run/sshd",
        "/usr/sbin/sshd -D -f ~/.ssh/sshd_config",
    )
)

# --- bounds (docs/compatibility.md, last table) ---------------------------------------------
# The CRD types `replicas`, `multinode.nodeCount`, `autoscaling.minReplicas`/`maxReplicas` as int32.
MAX_INT32 = 2**31 - 1
# krm-dynamo's own cap on the pods one service renders (replicas x nodeCount): a multinode service
# gets one LeaderWorkerSet and one PodGroup per replica, so a typo such as `replicas: 100000000`
# would otherwise build millions of objects. Not an operator limit; raise it here if ever needed.
MAX_SERVICE_PODS = 10_000
