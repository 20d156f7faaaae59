# SPDX-License-Identifier: Apache-2.0
"""Provenance of a rendered DGD: for every leaf of every generated object, where its value comes from.

Design: *differential rendering*. Provenance is not computed by a second implementation of
the rules (which could drift from the builders); it is observed on the one code path that
renders, :func:`krm_dynamo.core.expand`:

1. render the input as given (the *base*: exactly what ``render`` prints);
2. for each candidate origin, render again with that origin perturbed, and record which
   leaves of the base output change:

   * each leaf of each user DGD (``metadata.name`` and ``namespace``, its labels and
     annotations, every leaf of ``spec``, and each service key): the value changed (a string gets a suffix, a number
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

The origins and their perturbations are in :mod:`krm_dynamo.perturb`, the leaves in
:mod:`krm_dynamo.leaves`; the attribution of each leaf in :mod:`krm_dynamo.explain_file`.
"""

from __future__ import annotations

from typing import Any

from krm_dynamo import core
from krm_dynamo.config import is_config_object
from krm_dynamo.kio import sources
from krm_dynamo.kio.results import has_errors
from krm_dynamo.leaves import Obj, Path, flatten, flatten_like, format_path, identity
from krm_dynamo.ownership import strip_marker
from krm_dynamo.perturb import Inputs, Origin, origins, read_inputs, user_leaves

__all__ = ["MAX_RENDERS", "Inputs", "Path", "Probe", "Rendered", "changed_leaves", "flatten", "format_path",
           "probe", "read_inputs", "render", "user_leaves"]

MAX_RENDERS = 2000  # perturbed renders per explain run (a DGD with ~1000 leaves)


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
