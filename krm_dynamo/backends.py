# SPDX-License-Identifier: Apache-2.0
"""Backend framework resolution and the single-node backend hooks.

Rules from ``multinode-and-backends.md`` §2 (operator ``graph.go``
``determineBackendFramework``): only workers have a backend; it is detected from the
user's ``mainContainer`` command and args and checked against the DGD's explicit
``backendFramework``. The container hook adds the compilation-cache env (vLLM
``VLLM_CACHE_ROOT``, D8) only where the user has not set it (R6).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from krm_dynamo import defaults

SUPPORTED = ("sglang", "vllm", "trtllm")  # CRD enum of backendFramework (V3)


def _pattern(backend: str) -> re.Pattern:
    # graph.go: python[0-9.]*\s+[^|&;]*-m\s+[^|&;]*dynamo\.<backend>[^|&;]*
    return re.compile(rf"python[0-9.]*\s+[^|&;]*-m\s+[^|&;]*dynamo\.{backend}[^|&;]*")


_PATTERNS = {backend: _pattern(backend) for backend in ("vllm", "sglang", "trtllm")}


class BackendError(ValueError):
    """Backend resolution failed; the message is the operator's wording."""


@dataclass(frozen=True)
class Backend:
    """The resolved backend of one component and its defaults."""

    name: str
    defaults: defaults.BackendDefaults


def detect(command: list | None, args: list | None) -> list[str]:
    """Backends whose launch pattern matches ``command + args`` joined with spaces."""
    joined = " ".join(str(part) for part in [*(command or []), *(args or [])])
    return [name for name, pattern in _PATTERNS.items() if pattern.search(joined)]


def resolve(component_type: str | None, main_container: dict | None, explicit: str | None,
            table: defaults.OperatorDefaults = defaults.CURRENT) -> Backend:
    """Resolve the backend of one component (multinode-and-backends §2).

    Raises:
        BackendError: several backends detected, detected and explicit differ, or an
            explicit value outside the CRD enum.
    """
    if component_type != defaults.COMPONENT_WORKER:
        return Backend(defaults.NOOP_BACKEND, table.backends[defaults.NOOP_BACKEND])
    container = main_container or {}
    command = container.get("command") if isinstance(container.get("command"), list) else None
    args = container.get("args") if isinstance(container.get("args"), list) else None
    found = detect(command, args)
    if len(found) > 1:
        raise BackendError(
            "could not determine backend framework: multiple backend frameworks detected from command: "
            + ", ".join(f'"{name}"' for name in found)
        )
    detected = found[0] if found else ""
    if explicit and explicit not in SUPPORTED:
        raise BackendError(f"unsupported backend framework: {explicit}")
    if detected and explicit and detected != explicit:
        raise BackendError(
            f'backend framework mismatch: detected "{detected}" from command but explicitly configured as "{explicit}"'
        )
    name = detected or explicit or defaults.NOOP_BACKEND
    return Backend(name, table.backends[name])


def compilation_cache_env(backend: Backend, cache_mount_path: str | None) -> list[dict]:
    """Env the backend adds for the effective compilation-cache mount path (D8)."""
    if cache_mount_path is None or not backend.defaults.compilation_cache_env:
        return []
    return [{"name": backend.defaults.compilation_cache_env, "value": cache_mount_path}]


def add_env_if_absent(env: list[dict], additions: list[dict]) -> list[dict]:
    """Append backend env vars whose name is not yet set; the user's value wins (R6)."""
    names = {e.get("name") for e in env}
    return env + [e for e in additions if e["name"] not in names]
