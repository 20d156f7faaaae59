# SPDX-License-Identifier: Apache-2.0
"""Leaves of a Kubernetes object: ``{path: scalar}``, the unit :mod:`krm_dynamo.provenance` compares.

A path is a tuple of keys, with ``[name=x]`` for an entry of a list keyed by ``name`` (containers,
env, ports, volumes) and ``[i]`` for any other list entry; :func:`format_path` prints it as
``spec.template.spec.containers[name=main].env[name=X].value``.
"""

from __future__ import annotations

from typing import Any

Obj = dict[str, Any]
Path = tuple[str, ...]  # a leaf path: keys, and "[name=x]" / "[i]" for list entries


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


def entry_parts(value: list[Any]) -> list[str]:
    """The path part of each entry of a list: ``[name=x]`` when keyed by name, else ``[i]``."""
    names = _keys(value)
    return [f"[name={n}]" for n in names] if names is not None else [f"[{i}]" for i in range(len(value))]


def _keys(value: list[Any]) -> list[str] | None:
    names = [e.get("name") if isinstance(e, dict) else None for e in value]
    if all(isinstance(n, str) for n in names) and len(set(names)) == len(names):
        return [str(n) for n in names]
    return None


def identity(obj: Obj) -> tuple[str, str, str]:
    """``(kind, namespace, name)`` of a generated object."""
    meta = obj.get("metadata") or {}
    return str(obj.get("kind")), str(meta.get("namespace") or ""), str(meta.get("name") or "")
