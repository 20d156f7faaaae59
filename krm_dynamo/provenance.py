# SPDX-License-Identifier: Apache-2.0
"""Provenance of a rendered DGD: for every leaf of every generated object, where its value comes from.

Design: *differential rendering*. Provenance is not computed by a second implementation of
the rules (which could drift from the builders); it is observed on the one code path that
renders, :func:`krm_dynamo.core.expand`:

1. render the input as given (the *base*: exactly what ``render`` prints);
2. for each candidate origin, render again with that origin perturbed, and record which
   leaves of the base output change:

   * each leaf of each user DGD (``metadata.name``, its labels and annotations, every leaf of
     ``spec``, and each service key): the value changed (a string gets a suffix, a number
     +1, a boolean flipped), or, when that does not render, the key removed;
   * each functionConfig key that is set (removed);
   * each Secret, ServiceAccount and PersistentVolumeClaim of the ResourceList (removed);

3. a leaf that only user field F changes is "the user's field F" (with its file and line,
   as ``render`` reports them); a leaf several origins change is a merge of them; a leaf in a
   multinode object (LeaderWorkerSet, PodCliqueSet) or a backend worker whose value differs
   from the user's is a multinode or backend rewrite of it; a leaf no perturbation changes is
   matched against the sourced default tables of the selected operator release
   (:mod:`krm_dynamo.provenance_defaults`).

Cost: one render per origin (two when the changed value does not render), ~1-5 ms each: a
DGD with 100 leaves takes well under a second. The number of renders is bounded by
:data:`MAX_RENDERS`; origins past the bound are not probed and are listed in ``notes``.

A perturbation only shows what that one origin decides: a value two origins give alike
(a pull secret both listed by the user and discovered) changes with neither; it is then
matched by value (user leaves first, then the tables).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

from krm_dynamo import core
from krm_dynamo.config import is_config_object
from krm_dynamo.kio import sources
from krm_dynamo.kio.results import PATH_ANNOTATIONS, has_errors
from krm_dynamo.ownership import strip_marker

MAX_RENDERS = 2000  # perturbed renders per explain run (a DGD with ~1000 leaves)
DISCOVERED_KINDS = ("Secret", "ServiceAccount", "PersistentVolumeClaim")

Obj = dict[str, Any]
Path = tuple[str, ...]  # a leaf path: keys, and "[name=x]" / "[i]" for list entries
Origin = dict[str, Any]  # {"kind": "user" | "functionConfig" | "discovery", ...}


def format_path(path: Path) -> str:
    """``("spec", "template", "[name=main]")`` -> ``spec.template[name=main]``; odd keys as ``["a.b/c"]``."""
    out = ""
    for part in path:
        if part.startswith("["):
            out += part
        elif part and all(c.isalnum() or c in "_-" for c in part):
            out += ("." if out else "") + part
        else:
            out += '["' + part.replace('"', '\\"') + '"]'
    return out


def flatten(value: Any, prefix: Path = ()) -> dict[Path, Any]:
    """Leaves of ``value``: ``{path: scalar}``; an empty mapping or list is a leaf of its own.

    A list whose entries are mappings with distinct string ``name`` fields is keyed by name
    (``[name=main]``), so a leaf keeps its path when another entry comes or goes.
    """
    out: dict[Path, Any] = {}
    if isinstance(value, dict):
        if not value:
            return {prefix: {}}
        for key, item in value.items():
            out.update(flatten(item, (*prefix, str(key))))
        return out
    if isinstance(value, list):
        if not value:
            return {prefix: []}
        names = _keys(value)
        for index, item in enumerate(value):
            out.update(flatten(item, (*prefix, f"[name={names[index]}]" if names else f"[{index}]")))
        return out
    return {prefix: value}


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


class Rendered:
    """One render: the generated objects (as ``render`` prints them) and the DGD each came from."""

    def __init__(self, objects: list[Obj], graphs: list[Obj | None]) -> None:
        self.objects = objects
        self.graphs = graphs  # the input DGD of each object (None when it cannot be told)


def render(items: list[Any], function_config: Obj | None) -> Rendered | None:
    """The generated objects of one ``core.expand`` run; None when it reports an error."""
    out, results = core.expand(items, function_config)
    if has_errors(results):
        return None
    given = {id(item) for item in items}
    dgds = {_key(item): item for item in items if isinstance(item, dict) and item.get("kind") == core.DGD_KIND}
    objects: list[Obj] = []
    graphs: list[Obj | None] = []
    current: Obj | None = next(iter(dgds.values())) if len(dgds) == 1 else None
    for item in out:
        if not isinstance(item, dict):
            continue
        if item.get("kind") == core.DGD_KIND:
            current = dgds.get(_key(item), current)  # generated objects follow their DGD
            continue
        if id(item) in given or is_config_object(item):
            continue
        objects.append(strip_marker(sources.strip_source(item)))
        graphs.append(current)
    return Rendered(objects, graphs)


def _key(item: Obj) -> tuple[Any, Any]:
    meta: Obj = item["metadata"] if isinstance(item.get("metadata"), dict) else {}
    return meta.get("namespace"), meta.get("name")


def identity(obj: Obj) -> tuple[str, str, str]:
    """``(kind, namespace, name)`` of a generated object."""
    meta = obj.get("metadata") or {}
    return str(obj.get("kind")), str(meta.get("namespace") or ""), str(meta.get("name") or "")


def changed_leaves(base: list[dict[Path, Any]], base_objects: list[Obj],
                   other: Rendered) -> tuple[set[tuple[int, Path]], set[int]]:
    """``(object index, path)`` of the base leaves that differ in ``other``, and the indexes of
    the base objects ``other`` does not generate at all.

    Objects are paired by position when both renders give the same kinds in the same order
    (a renamed graph or service renames every object), else by identity; entries of keyed
    lists likewise by position when both lists have the same length (a renamed Grove clique).
    """
    if [o.get("kind") for o in base_objects] == [o.get("kind") for o in other.objects]:
        pairs: list[Obj | None] = list(other.objects)
    else:
        by_id = {identity(o): o for o in other.objects}
        pairs = [by_id.get(identity(o)) for o in base_objects]
    changed: set[tuple[int, Path]] = set()
    gone: set[int] = set()
    for index, leaves in enumerate(base):
        partner = pairs[index]
        if partner is None:
            gone.add(index)
            continue
        theirs = flatten_like(partner, base_objects[index])
        changed.update((index, path) for path, value in leaves.items()
                       if path not in theirs or theirs[path] != value or type(theirs[path]) is not type(value))
    return changed, gone


def flatten_like(value: Any, base: Any, prefix: Path = ()) -> dict[Path, Any]:
    """:func:`flatten` of ``value``, its keyed list entries named as ``base``'s at the same position
    when both lists are keyed and have the same length."""
    if isinstance(value, dict) and isinstance(base, dict) and value:
        out: dict[Path, Any] = {}
        for key, item in value.items():
            out.update(flatten_like(item, base.get(key), (*prefix, str(key))))
        return out
    if isinstance(value, list) and isinstance(base, list) and value and len(value) == len(base):
        mine, theirs = _keys(value), _keys(base)
        if mine is not None and theirs is not None:
            out = {}
            for item, twin, key in zip(value, base, theirs, strict=True):
                out.update(flatten_like(item, twin, (*prefix, f"[name={key}]")))
            return out
        out = {}
        for index, (item, twin) in enumerate(zip(value, base, strict=True)):
            out.update(flatten_like(item, twin, (*prefix, f"[{index}]")) if mine is None
                       else flatten(item, (*prefix, f"[name={mine[index]}]")))
        return out
    return flatten(value, prefix)


def _keys(value: list[Any]) -> list[str] | None:
    names = [e.get("name") if isinstance(e, dict) else None for e in value]
    if all(isinstance(n, str) for n in names) and len(set(names)) == len(names):
        return [str(n) for n in names]
    return None


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


def _config_origins(inputs: Inputs) -> Iterator[tuple[Origin, Perturb]]:
    """Each set key of the functionConfig and of a KrmDynamoConfig among the items: removed."""
    fc = inputs.function_config
    if isinstance(fc, dict):
        data_key = "data" if fc.get("kind") == "ConfigMap" else None
        holder = fc.get("data") if data_key else fc
        for key in list(holder) if isinstance(holder, dict) else ():
            if key in ("apiVersion", "kind", "metadata"):
                continue
            origin: Origin = {"kind": "functionConfig", "key": str(key), "file": inputs.config_file or "functionConfig"}
            yield origin, _fixed([(inputs.items, _without(fc, data_key, key))])
    for position, item in enumerate(inputs.items):
        if is_config_object(item):
            for key in [k for k in item if k not in ("apiVersion", "kind", "metadata")]:
                items = list(inputs.items)
                items[position] = _without(item, None, key)
                yield {"kind": "functionConfig", "key": str(key), "file": _file(item)}, _fixed(
                    [(items, inputs.function_config)])


def _without(obj: Obj, data_key: str | None, key: Any) -> Obj:
    out = copy.deepcopy(obj)
    holder = out[data_key] if data_key else out
    del holder[key]
    return out


class Probe:
    """The outcome of the differential renders: the base, and the origins of each base leaf."""

    def __init__(self, base: Rendered, leaves: list[dict[Path, Any]]) -> None:
        self.base = base
        self.leaves = leaves  # per object: path -> value
        self.found: dict[tuple[int, Path], list[Origin]] = {}
        self.exists_by: dict[int, list[Origin]] = {}  # object index -> origins without which it is not generated
        self.notes: list[str] = []
        self.renders = 1
        self.user: dict[int, list[Origin]] = {}  # id(DGD) -> its user origins (to match a value no change moves)


def probe(inputs: Inputs, max_renders: int = MAX_RENDERS) -> Probe | None:
    """Render the base and every perturbation; None when the base itself has errors."""
    base = render(inputs.items, inputs.function_config)
    if base is None:
        return None
    result = Probe(base, [flatten(o) for o in base.objects])
    skipped = 0
    for origin, perturb in origins(inputs):
        if origin["kind"] == "user":
            result.user.setdefault(origin.pop("graph"), []).append(origin)
        if result.renders >= max_renders:
            skipped += 1
            continue
        for items, fc in perturb():
            result.renders += 1
            other = render(items, fc)
            if other is not None:
                changed, gone = changed_leaves(result.leaves, base.objects, other)
                for where in changed:
                    result.found.setdefault(where, []).append(origin)
                for index in gone:
                    result.exists_by.setdefault(index, []).append(origin)
                break
        else:
            result.notes.append(f"not probed: {_label(origin)} (no changed input renders)")
    if skipped:
        result.notes.append(f"not probed: {skipped} origins past the bound of {max_renders} renders")
    return result


def _label(origin: Origin) -> str:
    return str(origin.get("field") or origin.get("key") or origin.get("object"))
