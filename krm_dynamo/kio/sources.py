# SPDX-License-Identifier: Apache-2.0
"""``render``'s inputs: files, directories and stdin to KRM objects that know where they came from.

Only what the user named is read: a file, the ``*.yaml``/``*.yml`` files below a directory
(hidden ones and kustomization files left out), or ``-`` for stdin; special files are
refused (:mod:`krm_dynamo.kio.files`). Every document must be a KRM object, a mapping with
``apiVersion`` and ``kind``, as ``kustomize build`` requires. Each object is annotated
with its file and index the way kpt does it, so results can name the file; the
annotations are stripped again on output, as ``kustomize build`` strips them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import Any

from krm_dynamo.kio import files, limits
from krm_dynamo.kio.resourcelist import RESOURCE_LIST_KIND
from krm_dynamo.kio.results import INDEX_ANNOTATIONS, PATH_ANNOTATIONS
from krm_dynamo.kio.yamlio import InputError, decode, load_documents_with_nodes

RENDER_STRIP = PATH_ANNOTATIONS + INDEX_ANNOTATIONS  # what `kustomize build` strips too
_NOT_RESOURCES = {"kustomization.yaml", "kustomization.yml", "Kustomization"}


def read_all(paths: list[str]) -> tuple[list[Any], dict[int, Any], dict[int, Any]]:
    """``(items, nodes, originals)`` of everything under ``paths``, read once (``-`` is stdin).

    ``items`` are annotated with their file and index (:func:`annotate_source`); ``nodes`` and
    ``originals`` map ``id(item)`` to its line map and to the document as read.

    Raises:
        InputError: a path cannot be read or parsed, or the inputs exceed the size or object limits.
    """
    items: list[Any] = []
    nodes: dict[int, Any] = {}
    originals: dict[int, Any] = {}
    budget = [limits.MAX_INPUT_BYTES]  # bytes left to read, over all inputs
    for path in paths:
        for doc, node, source, index in read_sources(path, budget):
            items.append(annotate_source(doc, source, index))
            nodes[id(items[-1])] = node
            originals[id(items[-1])] = doc
            if len(items) > limits.MAX_ITEMS:
                raise InputError(f"{source}: more than {limits.MAX_ITEMS} objects (the limit for one run)")
    return items, nodes, originals


def read_sources(path: str, budget: list[int]) -> Iterable[tuple[Any, Any, str, int]]:
    """Yield ``(document, lines, source, index)`` for every KRM object under ``path``.

    ``budget`` holds the bytes still allowed (the input size limit spans all paths).
    """
    if path == "-":
        names = ["-"]
    elif os.path.isdir(path):
        names = _yaml_files(path)
    elif os.path.lexists(path):
        names = [path]
    else:
        raise InputError(f"{path}: no such file or directory")
    for name in names:
        source = "stdin" if name == "-" else os.path.normpath(name).replace(os.sep, "/")
        if name == "-":
            data = files.read_stream(sys.stdin.buffer, "stdin", budget[0])
        else:
            data = files.read_file(source, budget[0])
        budget[0] -= len(data)
        docs = load_documents_with_nodes(decode(data, source), source)
        index = 0
        for doc, node in docs:
            if doc is None:
                continue
            if isinstance(doc, dict) and doc.get("kind") == RESOURCE_LIST_KIND and isinstance(doc.get("items"), list):
                for item in doc["items"]:  # `kpt fn source | krm-dynamo render -`
                    yield item, None, source, index
                    index += 1
                continue
            _check_krm_object(doc, node, source)
            yield doc, node, source, index
            index += 1


def _check_krm_object(doc: Any, node: Any, source: str) -> None:
    """A document must be a KRM object: a mapping with a string apiVersion and kind (as kustomize requires).

    Raises:
        InputError: ``{source}:{line}: this YAML document is not a KRM object: ...``, saying what it
            is instead, and (:func:`_kustomize_hint`) what to do when a kustomization is beside it.
    """
    if isinstance(doc, dict):
        fields = ("apiVersion", "kind")
        if all(_is_name(doc.get(f)) for f in fields):
            return
        missing = [f for f in fields if doc.get(f) is None]
        wrong = [_what_is_wrong(f, doc[f]) for f in fields if f not in missing and not _is_name(doc[f])]
        what = "; ".join(([f"it has no {' and no '.join(missing)}"] if missing else []) + wrong)
    else:
        from krm_dynamo.kio.display import type_name  # here: only this error pays for it

        what = f"it is a {type_name(doc)}, not a mapping"
    raise InputError(f"{source}:{node.line}: this YAML document is not a KRM object: {what} (render reads only "
                     f"Kubernetes objects, as kustomize build does with resources){_kustomize_hint(source)}")


def _is_name(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def _what_is_wrong(field: str, value: Any) -> str:
    """``its kind is a list, not a string`` (``""``: ``its kind is empty``)."""
    if value == "":
        return f"its {field} is empty"
    from krm_dynamo.kio.display import type_name  # here: only this error pays for it

    return f"its {field} is a {type_name(value)}, not a string"


def _kustomize_hint(source: str) -> str:
    """What to do when the document sits beside a kustomization: it is kustomize's own input."""
    directory = os.path.dirname(source) or "."
    if source == "stdin" or not any(os.path.exists(os.path.join(directory, name)) for name in _NOT_RESOURCES):
        return ""
    return ("; a kustomization is beside it, so it is likely kustomize's own configuration (`configurations:` "
            "fieldSpecs, a patch): run `kustomize build --enable-alpha-plugins --enable-exec` on the kustomization "
            "(it runs the function), or render only the DGD's file")


def _yaml_files(directory: str) -> list[str]:
    found = []
    for root, dirs, names in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if name.startswith(".") or name in _NOT_RESOURCES:
                continue
            if name.endswith((".yaml", ".yml")):
                found.append(os.path.join(root, name))
    return found


def annotate_source(doc: Any, source: str, index: int) -> Any:
    """Record where a document came from, as kpt does, so results can name the file.

    Items whose metadata or annotations are not mappings are left exactly as they are
    (the core reports what is wrong with them, if they matter).
    """
    if not isinstance(doc, dict):
        return doc
    meta = doc.get("metadata")
    if meta is not None and not isinstance(meta, dict):
        return doc
    annotations = (meta or {}).get("annotations")
    if annotations is not None and not isinstance(annotations, dict):
        return doc
    added = {k: (source if "path" in k else str(index)) for k in RENDER_STRIP if k not in (annotations or {})}
    if not added:
        return doc
    new_meta = dict(meta or {})
    new_meta["annotations"] = {**(annotations or {}), **added}
    new_doc = dict(doc)
    new_doc["metadata"] = new_meta
    return new_doc


def strip_source(item: Any) -> Any:
    """Remove the path and index annotations, as ``kustomize build`` does."""
    if not isinstance(item, dict) or not isinstance(item.get("metadata"), dict):
        return item
    annotations = item["metadata"].get("annotations")
    if not isinstance(annotations, dict) or not any(k in annotations for k in RENDER_STRIP):
        return item
    kept = {k: v for k, v in annotations.items() if k not in RENDER_STRIP}
    meta = {k: v for k, v in item["metadata"].items() if k != "annotations"}
    if kept:
        meta["annotations"] = kept
    out = dict(item)
    out["metadata"] = meta
    return out
