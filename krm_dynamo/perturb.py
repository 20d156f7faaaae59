# SPDX-License-Identifier: Apache-2.0
"""The candidate origins of a render and how each is perturbed (for :mod:`krm_dynamo.provenance`).

* each leaf of each user DGD (``metadata.name``, ``namespace``, labels and annotations, every
  leaf of ``spec``), changed (a string gets a suffix, a number +1, a boolean flipped) or, when
  that does not render, removed; each service key, renamed;
* each functionConfig key that is set, and each key of a ``KrmDynamoConfig`` among the items: removed;
* each Secret, ServiceAccount and PersistentVolumeClaim of the ResourceList: removed.

Every perturbation is a copy; the inputs are never modified.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

from krm_dynamo import core
from krm_dynamo.config import is_config_object
from krm_dynamo.kio import sources
from krm_dynamo.kio.results import PATH_ANNOTATIONS
from krm_dynamo.leaves import Obj, Path, format_path

DISCOVERED_KINDS = ("Secret", "ServiceAccount", "PersistentVolumeClaim")
Origin = dict[str, Any]  # {"kind": "user" | "functionConfig" | "discovery", ...}


class Inputs:
    """What ``explain FILE`` renders: the items (annotated with their files, as ``render`` does),
    their line maps, and the functionConfig with the file it came from."""

    def __init__(self, items: list[Any], nodes: dict[int, Any], function_config: Obj | None,
                 config_file: str | None) -> None:
        self.items = items
        self.nodes = nodes  # id(item) -> LineNode
        self.function_config = function_config
        self.config_file = config_file


def read_inputs(paths: list[str], function_config: Obj | None = None, config_file: str | None = None) -> Inputs:
    """Read ``paths`` exactly as ``krm-dynamo render`` does (files, directories, ``-``).

    Raises:
        InputError: a file cannot be read or parsed.
    """
    from krm_dynamo.kio import limits

    items: list[Any] = []
    nodes: dict[int, Any] = {}
    budget = [limits.MAX_INPUT_BYTES]
    for path in paths:
        for doc, node, source, index in sources.read_sources(path, budget):
            items.append(sources.annotate_source(doc, source, index))
            nodes[id(items[-1])] = node
    return Inputs(items, nodes, function_config, config_file)


Perturb = Callable[[], list[tuple[list[Any], Obj | None]]]  # candidate (items, functionConfig) inputs


def origins(inputs: Inputs) -> Iterator[tuple[Origin, Perturb]]:
    """Every candidate origin and how to perturb it: user leaves, functionConfig keys, discovered objects."""
    for position, item in enumerate(inputs.items):
        if isinstance(item, dict) and item.get("kind") == core.DGD_KIND:
            yield from _user_origins(inputs, position)
    yield from _config_origins(inputs)
    for position, item in enumerate(inputs.items):
        if isinstance(item, dict) and item.get("kind") in DISCOVERED_KINDS:
            meta = item.get("metadata") or {}
            origin = {"kind": "discovery", "object": f"{item['kind']} {_qualified(meta)}", "file": _file(item)}
            rest = inputs.items[:position] + inputs.items[position + 1:]
            yield origin, _fixed([(rest, inputs.function_config)])


def _fixed(candidates: list[tuple[list[Any], Obj | None]]) -> Perturb:
    return lambda: candidates


def _qualified(meta: Obj) -> str:
    return f"{meta.get('namespace')}/{meta.get('name')}" if meta.get("namespace") else str(meta.get("name"))


def _file(item: Obj) -> str | None:
    annotations = (item.get("metadata") or {}).get("annotations") or {}
    return next((str(annotations[k]) for k in PATH_ANNOTATIONS if annotations.get(k)), None)


def user_leaves(dgd: Obj) -> Iterator[tuple[Path, Any]]:
    """The user's leaves of a DGD: name, labels, annotations (not the file bookkeeping), spec."""
    meta: Obj = dgd["metadata"] if isinstance(dgd.get("metadata"), dict) else {}
    yield ("metadata", "name"), meta.get("name")
    if meta.get("namespace"):
        yield ("metadata", "namespace"), meta.get("namespace")
    for field in ("labels", "annotations"):
        if isinstance(meta.get(field), dict):
            for key, value in meta[field].items():
                if key not in sources.RENDER_STRIP:
                    yield ("metadata", field, str(key)), value
    for path, value in _raw_leaves(dgd.get("spec"), ("spec",)):
        yield path, value


def _raw_leaves(value: Any, prefix: Path) -> Iterator[tuple[Path, Any]]:
    """Leaves with plain list indexes (as the DGD's own field paths spell them)."""
    if isinstance(value, dict) and value:
        for key, item in value.items():
            yield from _raw_leaves(item, (*prefix, str(key)))
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            yield from _raw_leaves(item, (*prefix, f"[{index}]"))
    else:
        yield prefix, value


def _user_origins(inputs: Inputs, position: int) -> Iterator[tuple[Origin, Perturb]]:
    dgd = inputs.items[position]
    file, node = _file(dgd), inputs.nodes.get(id(dgd))
    services = (dgd.get("spec") or {}).get("services") if isinstance(dgd.get("spec"), dict) else None
    for key in services if isinstance(services, dict) else ():
        origin = {"kind": "user", "field": format_path(("spec", "services", str(key))) + " (the service name)",
                  "file": file, "line": line_of(node, ("spec", "services", str(key))), "value": str(key),
                  "graph": id(dgd)}
        yield origin, _perturbation(inputs, position, ("spec", "services", str(key)), rename=True)
    for path, value in user_leaves(dgd):
        origin = {"kind": "user", "field": format_path(path), "file": file, "line": line_of(node, path),
                  "value": value, "graph": id(dgd)}
        yield origin, _perturbation(inputs, position, path)


def line_of(node: Any, path: Path) -> int | None:
    """1-based line of ``path`` in a document's line map (its deepest existing ancestor)."""
    if node is None:
        return None
    line: int | None = node.line
    for part in path:
        children = node.children
        if part.startswith("[") and isinstance(children, list):
            index = int(part[1:-1])
            if not 0 <= index < len(children) or children[index] is None:
                break
            node = children[index]
            line = node.line
        elif isinstance(children, dict) and part in children:
            line, node = children[part]
            if node is None:
                break
        else:
            break
    return line


def _perturbation(inputs: Inputs, position: int, path: Path, *, rename: bool = False) -> Perturb:
    def candidates() -> list[tuple[list[Any], Obj | None]]:
        out = []
        for change in ("rename",) if rename else ("value", "remove"):
            dgd = copy.deepcopy(inputs.items[position])
            if _apply(dgd, path, change):
                items = list(inputs.items)
                items[position] = dgd
                out.append((items, inputs.function_config))
        return out
    return candidates


def _apply(doc: Any, path: Path, change: str) -> bool:
    """Change, remove or rename the field at ``path`` of ``doc`` in place; False when it cannot."""
    parent = doc
    for part in path[:-1]:
        parent = parent[int(part[1:-1])] if part.startswith("[") else parent[part]
    last = path[-1]
    key: Any = int(last[1:-1]) if last.startswith("[") else last
    if change == "rename":
        renamed = {(k + "x" if k == key else k): v for k, v in parent.items()}
        parent.clear()
        parent.update(renamed)
        return True
    if change == "remove":
        del parent[key]
        return True
    new = changed_value(parent[key])
    if new is None:
        return False
    parent[key] = new
    return True


def changed_value(value: Any) -> Any:
    """A different value of the same type (None when there is none to try)."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if isinstance(value, str):
        if value.isdigit():
            return str(int(value) + 1)
        return value + "x" if value else "x"
    return None


# Not origins but the context of the whole explanation: the operator release selects the table set
# every default is matched in (removing it would credit each release-specific default to the setting).
_CONTEXT_KEYS = ("apiVersion", "kind", "metadata", "operatorVersion")


def _config_origins(inputs: Inputs) -> Iterator[tuple[Origin, Perturb]]:
    """Each set key of the functionConfig and of a KrmDynamoConfig among the items (the operator
    release aside): removed."""
    fc = inputs.function_config
    if isinstance(fc, dict):
        data_key = "data" if fc.get("kind") == "ConfigMap" else None
        holder = fc.get("data") if data_key else fc
        for key in list(holder) if isinstance(holder, dict) else ():
            if key in _CONTEXT_KEYS:
                continue
            origin: Origin = {"kind": "functionConfig", "key": str(key), "file": inputs.config_file or "functionConfig"}
            yield origin, _fixed([(inputs.items, _without(fc, data_key, key))])
    for position, item in enumerate(inputs.items):
        if is_config_object(item):
            for key in [k for k in item if k not in _CONTEXT_KEYS]:
                items = list(inputs.items)
                items[position] = _without(item, None, key)
                yield {"kind": "functionConfig", "key": str(key), "file": _file(item)}, _fixed(
                    [(items, inputs.function_config)])


def _without(obj: Obj, data_key: str | None, key: Any) -> Obj:
    out = copy.deepcopy(obj)
    holder = out[data_key] if data_key else out
    del holder[key]
    return out
