# SPDX-License-Identifier: Apache-2.0
"""``krm-dynamo explain``: every default the operator injects, with where it comes from.

Read straight from the tables in :mod:`krm_dynamo.defaults` (the ones rendering uses),
so what is printed is what is rendered. Every entry is ``{value, source}``. Imports
neither pydantic nor jsonschema.
"""

from __future__ import annotations

from typing import Any, Mapping

from krm_dynamo import defaults

OTHER = "other"  # any componentType but frontend / worker / planner, or none: the base defaults
COMPONENT_TYPES = (defaults.COMPONENT_FRONTEND, defaults.COMPONENT_WORKER, defaults.COMPONENT_PLANNER, OTHER)


class ExplainError(ValueError):
    """Unknown component type or backend; the message is one line."""


def _plain(value: Any) -> Any:
    """Tables hold tuples and read-only mappings; YAML wants lists and dicts."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _nest(table: defaults._Sourced, under: Mapping[str, str] | None = None) -> dict:
    """``{value, source}`` entries of a table, nested by the dotted item names.

    An item whose first name part is a key of ``under`` goes below ``under[part]``
    (``env.DYN_NAMESPACE`` -> ``container.env.DYN_NAMESPACE``).
    """
    out: dict[str, Any] = {}
    for item, value, source in table.sourced_items():
        parts = item.split(".")
        if under and parts[0] in under:
            parts.insert(0, under[parts[0]])
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = {"value": _plain(value), "source": source}
    return out


_CONTAINER_ITEMS = {head: "container" for head in ("command", "args", "ports", "env", "probes")}


def _placeholders(table: defaults.ComponentDefaults) -> dict:
    used = {value for _, value in table.env}
    return {name: meaning for name, meaning in defaults.ENV_PLACEHOLDERS.items() if name in used}


def component(component_type: str, backend: str | None = None,
              table: defaults.OperatorDefaults = defaults.CURRENT) -> dict:
    """The defaults of one component type (``frontend``, ``worker``, ``planner``, ``other``)."""
    if component_type not in COMPONENT_TYPES:
        raise ExplainError(
            f"explain: unknown component type {component_type!r} (expected one of {', '.join(COMPONENT_TYPES)})"
        )
    if backend is not None and component_type != defaults.COMPONENT_WORKER:
        raise ExplainError(
            f"explain: --backend applies to worker only (a {component_type} component gets no backend)"
        )
    component_defaults = table.for_component(None if component_type == OTHER else component_type)
    items = _nest(component_defaults, _CONTAINER_ITEMS)
    out: dict[str, Any] = {"container": items.pop("container"), "pod": items.pop("pod")}
    out["sharedMemory"] = _nest(defaults.SHARED_MEMORY)
    placeholders = _placeholders(component_defaults)
    if placeholders:
        out["envPlaceholders"] = placeholders
    if backend is not None:
        out["backend"] = {"name": backend, **_nest(_backend(backend, table))}
    return out


def _backend(name: str, table: defaults.OperatorDefaults) -> defaults.BackendDefaults:
    if name not in defaults.BACKEND_FRAMEWORKS:
        raise ExplainError(
            f"explain: unknown backend {name!r} (expected one of {', '.join(sorted(defaults.BACKEND_FRAMEWORKS))})"
        )
    return table.backends[name]


def explain(component_type: str | None = None, backend: str | None = None,
            table: defaults.OperatorDefaults = defaults.CURRENT) -> dict:
    """The document ``krm-dynamo explain`` prints: one component type, or all of them."""
    if backend is not None:
        _backend(backend, table)  # an unknown backend is reported before anything else
    head = {"operatorRelease": table.release}
    if component_type is not None:
        return {**head, "componentType": component_type, **component(component_type, backend, table)}
    if backend is not None:
        raise ExplainError("explain: --backend applies to worker only: name it (`krm-dynamo explain worker --backend ...`)")
    return {**head, "componentTypes": {ctype: component(ctype, None, table) for ctype in COMPONENT_TYPES}}


def parse_args(args: list[str]) -> tuple[str | None, str | None]:
    """``[COMPONENT_TYPE] [--backend NAME]`` -> (component type, backend)."""
    component_type = backend = None
    it = iter(args)
    for arg in it:
        if arg == "--backend" or arg.startswith("--backend="):
            value = arg.partition("=")[2] if "=" in arg else next(it, None)
            if not value:
                raise ExplainError("explain: --backend needs a value (vllm, sglang or trtllm)")
            if backend is not None:
                raise ExplainError("explain: --backend given twice")
            backend = value
        elif arg.startswith("-"):
            raise ExplainError(f"explain: unknown option {arg!r}")
        elif component_type is not None:
            raise ExplainError(f"explain: takes one component type, got {component_type!r} and {arg!r}")
        else:
            component_type = arg
    return component_type, backend
