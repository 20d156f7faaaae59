# SPDX-License-Identifier: Apache-2.0
"""Operator defaults, as data: every value the operator injects, with where it comes from.

Modules, one concern each:

* :mod:`.sources` — operator file names, :func:`seed` / :func:`src`, the sourced-table base.
* :mod:`.components` — main container and pod per component type, shared memory.
* :mod:`.backends` — vLLM / SGLang / TRT-LLM: compilation cache, multinode env, ports, probes.
* :mod:`.launch` — multinode launch strings (deployer addresses, TRT-LLM scripts).
* :mod:`.objects` — Deployment, Service; :mod:`.optionalobjects` — Ingress, VirtualService,
  HPA, PVC, debugger sidecar.
* :mod:`.multinode` — LeaderWorkerSet, PodGroup, Grove PodCliqueSet.
* :mod:`.labels` — label and annotation keys, pod roles.
* :mod:`.catalog` — the catalogued operator changes after 0.6; :mod:`.profiles` — the
  tables the 1.0 and 1.1 releases changed, each row citing its change;
* :mod:`.release` — the table set of each operator release and :func:`for_release`, the
  one selector rendering, validation, ``schema`` and ``explain`` read.
* :mod:`.limits` — input bounds (not defaults).

The names below are the ones code elsewhere uses: keys, names and numbers that are the
same in every release. Values that a release may change are read from the table set
(``for_release()``, on the render context as ``ctx.defaults``), never from a constant.
This package is imported only when a DGD is expanded or ``explain`` or ``schema`` runs.
"""

from __future__ import annotations

from krm_dynamo.defaults.backends import (
    BACKEND_FRAMEWORKS,
    MPI_SSH_PORT,
    NOOP_BACKEND,
    RAY_HEAD_PORT,
    SGLANG_DIST_INIT_PORT,
    BackendDefaults,
)
from krm_dynamo.defaults.components import (
    COMPONENT_FRONTEND,
    COMPONENT_PLANNER,
    COMPONENT_TYPES,
    COMPONENT_WORKER,
    DEFAULT_DYNAMO_NAMESPACE_PREFIX,
    DOWNWARD_NAMESPACE_FIELD,
    ENV_ETCD_ENDPOINTS,
    ENV_MODEL_EXPRESS_URL,
    ENV_NATS_SERVER,
    ENV_PLACEHOLDERS,
    ENV_PROMETHEUS_ENDPOINT,
    FIELD_REF_PLACEHOLDER,
    FRONTEND_PORT,
    FRONTEND_PORT_NAME,
    GPU_RESOURCE,
    MAIN_CONTAINER,
    PLANNER_METRICS_PORT,
    PLANNER_METRICS_PORT_NAME,
    PLANNER_SERVICE_ACCOUNT,
    PROBE_HANDLERS,
    PROBE_KINDS,
    SYSTEM_PORT,
    SYSTEM_PORT_NAME,
    ComponentDefaults,
    SharedMemoryDefaults,
)
from krm_dynamo.defaults.labels import (
    ANNOTATION_DEPLOYMENT_STRATEGY,
    ANNOTATION_DISABLE_PULL_SECRET_DISCOVERY,
    ANNOTATION_ENABLE_DEBUG_MODE,
    ANNOTATION_ENABLE_GROVE,
    ANNOTATION_ENABLE_METRICS,
    ANNOTATION_GROUP_NAME,
    ANNOTATION_KAI_QUEUE,
    ANNOTATION_STEALING_TRAFFIC_DEBUG,
    LABEL_COMPONENT,
    LABEL_COMPONENT_POD,
    LABEL_COMPONENT_TYPE,
    LABEL_DYNAMO_NAMESPACE,
    LABEL_GRAPH_NAME,
    LABEL_INSTANCE_ID,
    LABEL_KAI_QUEUE,
    LABEL_METRICS_ENABLED,
    LABEL_ROLE,
    LABEL_SELECTOR,
    LABEL_SUB_COMPONENT_TYPE,
    METRICS_ENABLED_VALUE,
    ROLE_LEADER,
    ROLE_MAIN,
    ROLE_WORKER,
)
from krm_dynamo.defaults.launch import (
    GROVE_FIRST_WORKER_INDEX,
    GROVE_LEADER_HOSTNAME,
    GROVE_NODE_RANK,
    GROVE_WORKER_HOSTNAME,
    LWS_FIRST_WORKER_INDEX,
    LWS_LEADER_HOSTNAME,
    LWS_NODE_RANK,
    LWS_WORKER_HOSTNAME,
    MPIRUN_EXPORTED_ENV,
    SGLANG_FLAGS,
    SGLANG_LEADER_RANK,
    SGLANG_SHELL_COMMAND,
    SHELL_COMMAND,
    SHELLS,
    SSH_KEY_MOUNT_PATH,
    SSH_SECRET_DEFAULT_MODE,
    TRTLLM_LEADER_SETUP,
    TRTLLM_MPIRUN,
    TRTLLM_WORKER_SCRIPT,
    VLLM_LEADER_ARGS,
    VLLM_WORKER_ARGS,
)
from krm_dynamo.defaults.limits import MAX_INT32, MAX_SERVICE_PODS
from krm_dynamo.defaults.release import (
    ALIASES,
    DEFAULT_RELEASE,
    LATEST,
    RELEASES,
    OperatorDefaults,
    UnknownReleaseError,
    derive_release,
    for_release,
)
from krm_dynamo.defaults.sources import (
    Entries,
    Sourced,
    plain,
    plain_dict,
    plain_list,
    seed,
    src,
)

__all__ = [
    "ALIASES", "ANNOTATION_DEPLOYMENT_STRATEGY", "ANNOTATION_DISABLE_PULL_SECRET_DISCOVERY",
    "ANNOTATION_ENABLE_DEBUG_MODE",
    "ANNOTATION_ENABLE_GROVE", "ANNOTATION_ENABLE_METRICS", "ANNOTATION_GROUP_NAME", "ANNOTATION_KAI_QUEUE",
    "ANNOTATION_STEALING_TRAFFIC_DEBUG", "BACKEND_FRAMEWORKS", "COMPONENT_FRONTEND", "COMPONENT_PLANNER",
    "COMPONENT_TYPES", "COMPONENT_WORKER", "DEFAULT_DYNAMO_NAMESPACE_PREFIX", "DEFAULT_RELEASE",
    "DOWNWARD_NAMESPACE_FIELD", "ENV_ETCD_ENDPOINTS",
    "ENV_MODEL_EXPRESS_URL", "ENV_NATS_SERVER", "ENV_PLACEHOLDERS", "ENV_PROMETHEUS_ENDPOINT",
    "FIELD_REF_PLACEHOLDER", "FRONTEND_PORT",
    "FRONTEND_PORT_NAME", "GPU_RESOURCE", "GROVE_FIRST_WORKER_INDEX", "GROVE_LEADER_HOSTNAME", "GROVE_NODE_RANK",
    "GROVE_WORKER_HOSTNAME", "LABEL_COMPONENT", "LABEL_COMPONENT_POD", "LABEL_COMPONENT_TYPE",
    "LABEL_DYNAMO_NAMESPACE", "LABEL_GRAPH_NAME", "LABEL_INSTANCE_ID", "LABEL_KAI_QUEUE", "LABEL_METRICS_ENABLED",
    "LABEL_ROLE", "LABEL_SELECTOR", "LABEL_SUB_COMPONENT_TYPE", "LATEST", "LWS_FIRST_WORKER_INDEX",
    "LWS_LEADER_HOSTNAME",
    "LWS_NODE_RANK", "LWS_WORKER_HOSTNAME", "MAIN_CONTAINER", "MAX_INT32", "MAX_SERVICE_PODS",
    "METRICS_ENABLED_VALUE", "MPIRUN_EXPORTED_ENV", "MPI_SSH_PORT", "NOOP_BACKEND", "PLANNER_METRICS_PORT",
    "PLANNER_METRICS_PORT_NAME", "PLANNER_SERVICE_ACCOUNT", "PROBE_HANDLERS", "PROBE_KINDS", "RAY_HEAD_PORT",
    "RELEASES",
    "ROLE_LEADER", "ROLE_MAIN", "ROLE_WORKER", "SGLANG_DIST_INIT_PORT", "SGLANG_FLAGS", "SGLANG_LEADER_RANK",
    "SGLANG_SHELL_COMMAND", "SHELLS",
    "SHELL_COMMAND", "SSH_KEY_MOUNT_PATH", "SSH_SECRET_DEFAULT_MODE", "SYSTEM_PORT", "SYSTEM_PORT_NAME",
    "TRTLLM_LEADER_SETUP", "TRTLLM_MPIRUN", "TRTLLM_WORKER_SCRIPT",
    "VLLM_LEADER_ARGS", "VLLM_WORKER_ARGS", "BackendDefaults", "ComponentDefaults",
    "Entries", "OperatorDefaults", "SharedMemoryDefaults", "Sourced", "UnknownReleaseError", "derive_release",
    "for_release", "plain", "plain_dict", "plain_list", "seed", "src",
]
