# SPDX-License-Identifier: Apache-2.0
"""``krm-dynamo explain``: every default the operator injects, with where it comes from.

Read straight from the table set :func:`krm_dynamo.defaults.for_release` selects (the
one rendering uses), so what is printed is what is rendered. Every entry is
``{value, source}``. Imports neither pydantic nor jsonschema.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from krm_dynamo import defaults

OTHER = "other"  # any componentType but frontend / worker / planner, or none: the base defaults
COMPONENT_TYPES = (*defaults.COMPONENT_TYPES, OTHER)


class ExplainError(ValueError):
    """Unknown component type or backend; the message is one line."""


def _nest(table: defaults.Sourced, under: Mapping[str, str] | None = None) -> dict[str, Any]:
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
        node[parts[-1]] = {"value": defaults.plain(value), "source": source}
    return out


_CONTAINER_ITEMS = {head: "container" for head in ("name", "command", "args", "ports", "env", "probes")}


def _placeholders(table: defaults.ComponentDefaults, release: defaults.OperatorDefaults) -> dict[str, str]:
    used = {value for _, value in table.env}
    meanings = dict(defaults.ENV_PLACEHOLDERS)
    naming = release.naming
    if "dynamoNamespaceForm" in naming.values:  # N_E02, S03: the 1.x rule replaces the 0.6 one
        dots = naming.values["dynamoNamespaceDotReplacement"]
        form = str(naming.values["dynamoNamespaceForm"]).replace("{namespace}", "<DGD namespace>").replace(
            "{dgd_name}", "<DGD name>")
        meanings["{dynamo_namespace}"] = (
            f'the Dynamo namespace: "{form}"'
            + (f' (dots in the name replaced by "{dots}")' if isinstance(dots, str) else "")
            + f'; "{naming.values["globalDynamoNamespace"]}" for a service with globalDynamoNamespace: true '
            f'({naming.sources["dynamoNamespaceForm"]}; {naming.sources["globalDynamoNamespace"]})')
    return {name: meaning for name, meaning in meanings.items() if name in used}


def component(component_type: str, backend: str | None = None,
              table: defaults.OperatorDefaults | None = None) -> dict[str, Any]:
    """The defaults of one component type (``frontend``, ``worker``, ``planner``, ``other``; from 1.0
    ``epp`` and the worker types ``prefill`` and ``decode``).

    Raises:
        ExplainError: unknown component type (naming the later release that has it, if one
            does), or ``backend`` for a type other than a worker.
    """
    table = table or defaults.for_release()
    _check_component_type(component_type, table)
    if backend is not None and component_type not in table.worker_types:
        raise ExplainError(
            f"explain: --backend applies to worker only (a {component_type} component gets no backend)"
        )
    component_defaults = table.for_component(None if component_type == OTHER else component_type)
    items = _nest(component_defaults, _CONTAINER_ITEMS)
    out: dict[str, Any] = {"container": items.pop("container"), "pod": items.pop("pod")}
    out["sharedMemory"] = _nest(table.shared_memory)
    placeholders = _placeholders(component_defaults, table)
    if placeholders:
        out["envPlaceholders"] = placeholders
    if backend is not None:
        out["backend"] = {"name": backend, **_nest(_backend(backend, table))}
    return out


def objects(table: defaults.OperatorDefaults | None = None) -> dict[str, Any]:
    """The object-level defaults (Deployment … PodCliqueSet), the label and annotation keys, env and naming."""
    table = table or defaults.for_release()
    out: dict[str, Any] = {kind: _nest(kind_table) for kind, kind_table in table.object_tables().items()}
    out["labels"] = _nest(table.labels)
    out["annotations"] = _nest(table.annotations)
    out["platformEnv"] = _nest(table.platform_env)
    out["naming"] = _nest(table.naming)
    if table.schema_limits.values:  # S06: from operator 0.7 on
        out["schemaLimits"] = _nest(table.schema_limits)
    if table.epp.values:  # N07: from operator 1.0 on
        out["endpointPicker"] = _nest(table.epp)
    if table.model_ref.values:  # S05, N06: from operator 0.7 on
        out["modelRef"] = _nest(table.model_ref)
    if table.admission.values:  # V03, V04, V06: the admission webhooks from operator 1.0 on
        out["admission"] = _nest(table.admission)
    if table.kube_discovery.values:  # C02, N04, N01: from operator 1.0 on
        out["kubeDiscovery"] = _nest(table.kube_discovery)
    if table.features.values:  # S14-S18, P11-P13, O02: the 1.1 service features
        out["features"] = _nest(table.features)
    return out


def _component_types(table: defaults.OperatorDefaults) -> tuple[str, ...]:
    """frontend, worker, planner, other, and a type of the release beyond them that is no worker (epp, 1.0 on)."""
    extra = [t for t in table.by_component_type if t not in COMPONENT_TYPES and t not in table.worker_types]
    return (*COMPONENT_TYPES, *extra)


def _known_types(table: defaults.OperatorDefaults) -> tuple[str, ...]:
    """The component types ``explain TYPE`` takes: :func:`_component_types` and every worker type
    (``prefill``, ``decode`` from 1.0: a worker's defaults, listed under ``worker`` in the full document)."""
    types = _component_types(table)
    return (*types, *[t for t in table.worker_types if t not in types])


def _check_component_type(component_type: str, table: defaults.OperatorDefaults) -> None:
    """Raises ExplainError for a type ``table``'s release does not know, naming the first later
    release that does (``epp`` under 0.6: from 1.0), as a DGD field of a later release is reported."""
    if component_type in _known_types(table):
        return
    from krm_dynamo.defaults.catalog import release_key  # here: only this error pays for the later tables

    for release in defaults.RELEASES:
        if release_key(release) > release_key(table.release) and component_type in _known_types(
                defaults.for_release(release)):
            raise ExplainError(f"explain: {component_type!r} is a component type from operator {release}: "
                               f"add --operator-version {release}")
    raise ExplainError(f"explain: unknown component type {component_type!r} "
                       f"(expected one of {', '.join(_known_types(table))})")


def _backend(name: str, table: defaults.OperatorDefaults) -> defaults.BackendDefaults:
    if name not in table.backend_frameworks:
        raise ExplainError(
            f"explain: unknown backend {name!r} (expected one of {', '.join(sorted(table.backend_frameworks))})"
        )
    return table.backends[name]


def explain(component_type: str | None = None, backend: str | None = None,
            table: defaults.OperatorDefaults | None = None) -> dict[str, Any]:
    """The document ``krm-dynamo explain`` prints: one component type, or everything.

    Raises:
        ExplainError: unknown component type or backend, or ``backend`` without ``worker``.
    """
    table = table or defaults.for_release()
    if backend is not None:
        _backend(backend, table)  # an unknown backend is reported before anything else
    head: dict[str, Any] = {"operatorRelease": table.release, "operatorCommit": table.operator_commit}
    head.update(release_status(table))
    if component_type is not None:
        return {**head, "componentType": component_type, **component(component_type, backend, table)}
    if backend is not None:
        raise ExplainError(
            "explain: --backend applies to worker only: name it (`krm-dynamo explain worker --backend ...`)"
        )
    return {**head, "componentTypes": {ctype: component(ctype, None, table) for ctype in _component_types(table)},
            "objects": objects(table), "multinodeLaunch": _nest(table.launch)}


def release_table(version: str) -> defaults.OperatorDefaults:
    """The table set of ``version`` (``0.6``, ``1.0``, ``1.1``, ``latest``)."""
    return defaults.for_release(version)


def release_status(table: defaults.OperatorDefaults) -> dict[str, Any]:
    """D34: for a release after 0.6, what the profile reproduces and what it does not yet.

    ``reproducedChanges``: catalogue ID -> what changed (``reproducedByDecision``: those of them settled by a
    decision of docs/decisions.md, ID -> decision); ``notYetReproduced``: catalogue ID -> what
    changes, for every change of the release the profile lacks (the run's warning counts them).
    """
    if table.release == defaults.DEFAULT_RELEASE:
        return {}
    missing = table.not_reproduced()
    return {
        "reproducedChanges": {i: defaults.catalog.BY_ID[i].summary for i in sorted(table.reproduced)},
        # Reproduced by a documented decision rather than by output (operator-internal, cluster state).
        "reproducedByDecision": {i: d for i, d in sorted(defaults.release.BY_DESIGN.items()) if i in table.reproduced},
        "notYetReproducedCount": len(missing),
        "notYetReproduced": {c.id: f"{c.summary} [{c.shape}, {c.computable}]" for c in missing},
    }


def parse_args(args: list[str]) -> tuple[str | None, str | None]:
    """``[COMPONENT_TYPE] [--backend NAME]`` -> (component type, backend).

    Raises:
        ExplainError: an unknown option, a missing or repeated ``--backend``, two component types.
    """
    component_type: str | None = None
    backend: str | None = None
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
