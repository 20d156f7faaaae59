# SPDX-License-Identifier: Apache-2.0
"""The backend hooks: what each backend framework adds to a pod.

Resolution (operator ``graph.go`` ``determineBackendFramework``) lives in
:mod:`krm_dynamo.graph.backend`, run once per service by the derive step.

Hooks, run by :mod:`krm_dynamo.render.podtemplate` at its container and pod-spec backend
steps: the compilation-cache env (vLLM ``VLLM_CACHE_ROOT``, D8; only where the user has not
set it, R6), then :func:`update_container` / :func:`update_pod_spec` for multinode pods, one
module per backend (:mod:`.vllm`: Ray, and from operator 1.0 multiprocessing and data
parallelism; :mod:`.sglang`: ``--dist-init-addr`` flags; :mod:`.trtllm`: SSH secret,
``mpirun`` leader, ``sshd`` workers). The orchestrator's strings (leader address, host list,
node rank) come from a :class:`Deployer` of the release's launch table. On worker pods the
backend's probe rule applies to every probe, the user's included (D28); leaders keep
theirs. Constants and script fragments are data in :mod:`krm_dynamo.defaults`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from krm_dynamo import defaults
from krm_dynamo.graph.backend import Backend, gpus_per_node
from krm_dynamo.render.backends.common import (
    GROVE,
    LWS,
    Deployer,
    PodRole,
    add_env_if_absent,
    compilation_cache_env,
    release_deployer,
    worker_probes,
)

# A backend's module (and .flags, which they share) is imported when a multinode pod needs it (each
# run pays for its imports): the names it lends to this package are resolved on first use (:func:`__getattr__`).
_LENT = {
    "shell_quote": "flags",
    "sglang_flags": "sglang",
    "trtllm_leader_script": "trtllm",
    "trtllm_worker_script": "trtllm",
    "uses_mp": "vllm",
    "vllm_multinode_args": "vllm",
}

# What code outside the package reads (the rest is imported from the modules themselves).
__all__ = [
    "GROVE", "LWS", "Deployer", "PodRole", "add_env_if_absent", "compilation_cache_env", "gpus_per_node",
    "release_deployer", "sglang_flags", "shell_quote", "split_env", "trtllm_leader_script", "trtllm_worker_script",
    "update_container", "update_pod_spec", "uses_mp", "vllm_multinode_args", "wait_leader_objects",
]


def update_container(backend: Backend, container: dict[str, Any], pod: PodRole) -> dict[str, Any]:
    """Backend container hook, multinode part (pod-spec step 11: vLLM, SGLang, TRT-LLM rewrites).

    Runs after the env is final (the TRT-LLM ``-x`` list reads it). Single-node pods and
    the ``noop`` backend are returned unchanged, but for ``pod.deferred_env`` (N_E09: from
    operator 1.0 the compilation-cache env comes after the sorted env and the hook's own).
    Worker pods get the backend's probe rule on every probe, the user's included (D28).
    """
    if not pod.multinode or backend.name == defaults.NOOP_BACKEND:
        return _deferred_env(container, pod)
    out = {k: (list(v) if isinstance(v, list) else v) for k, v in container.items()}
    worker = pod.role == defaults.ROLE_WORKER
    if worker:
        worker_probes(out, backend.defaults.multinode_worker_probes)
    if backend.name == "vllm":
        from krm_dynamo.render.backends import vllm

        if pod.release.switch("B01"):
            out = vllm.vllm_container(out, pod)
        else:
            args = vllm.vllm_multinode_args(out.get("args"), pod.role, pod.deployer.leader_hostname(pod.service_name))
            if args is not None:
                out["args"] = args
    elif backend.name == "sglang":
        from krm_dynamo.render.backends import sglang

        out = sglang.inject_sglang_flags(out, *sglang.sglang_flags(pod), pod.release)
    elif backend.name == "trtllm":
        from krm_dynamo.render.backends import trtllm

        trtllm.trtllm_container(out, pod, backend.defaults.multinode_env)
    return _deferred_env(out, pod)


def split_env(env: list[dict[str, Any]], cache_env: list[dict[str, Any]],
              table: defaults.OperatorDefaults) -> tuple[list[dict[str, Any]], tuple[dict[str, Any], ...]]:
    """``(env to sort, env the container hook appends last)``: 0.6 sorts the compilation-cache env
    with the rest (added only when absent, R6); from operator 1.0 it comes after (N_E09)."""
    if table.switch("N_E09"):
        return env, tuple(cache_env)
    return add_env_if_absent(env, cache_env), ()


def _deferred_env(container: dict[str, Any], pod: PodRole) -> dict[str, Any]:
    if not pod.deferred_env:
        return container
    env = add_env_if_absent(list(container.get("env") or []), [dict(e) for e in pod.deferred_env])
    return {**container, "env": env}


def wait_leader_objects(dgd_name: str, namespace: str | None, components: Iterable[Any],
                        table: defaults.OperatorDefaults) -> list[dict[str, Any]]:
    """O01: the wait-for-leader ConfigMap of a DGD with any multinode service (operator 1.1; none before)."""
    if not any(component.multinode for component in components):
        return []
    from krm_dynamo.render.backends.vllm import wait_leader_config_map

    config_map = wait_leader_config_map(dgd_name, namespace, table)
    return [config_map] if config_map is not None else []


def update_pod_spec(backend: Backend, pod_spec: dict[str, Any], pod: PodRole) -> dict[str, Any]:
    """Backend pod hook (step 15): TRT-LLM multinode mounts the MPI SSH secret as a volume; from
    operator 1.0 a vLLM ``mp`` worker waits for its leader in an init container (B03). A single-node
    pod is returned unchanged (and imports no backend's module)."""
    if not pod.multinode:
        return pod_spec
    if backend.name == "vllm":
        from krm_dynamo.render.backends.vllm import wait_for_leader

        return wait_for_leader(pod_spec, pod)
    if backend.name != "trtllm":
        return pod_spec
    from krm_dynamo.render.backends.trtllm import ssh_volume

    volumes = list(pod_spec.get("volumes") or [])
    if any(isinstance(v, dict) and v.get("name") == pod.secret_name for v in volumes):
        return pod_spec  # a second volume of one name would be rejected; the user's wins
    return {**pod_spec, "volumes": [*volumes, ssh_volume(pod.secret_name)]}


def __getattr__(name: str) -> Any:
    """The functions of :data:`__all__` that live in a backend's module, imported on first use."""
    module = _LENT.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    # __import__, not importlib: the importlib package is one more module on every run.
    return getattr(__import__(f"{__name__}.{module}", fromlist=[name]), name)
