# SPDX-License-Identifier: Apache-2.0
"""How ``krm-dynamo explain FILE`` prints its document: text, JSON, or YAML with a comment per line.

The document is :func:`krm_dynamo.explain_file.explain_file`'s (its shape is documented there
and in the README). The YAML form is the rendered objects themselves, each leaf line followed
by ``# <origin>``; it loads back to exactly the objects ``render`` prints.
"""

from __future__ import annotations

import json
from typing import Any

from krm_dynamo.kio import yamlio
from krm_dynamo.leaves import entry_parts, format_path


def summary(source: dict[str, Any]) -> str:
    """One short phrase for a source entry: ``user spec.x (dgd.yaml:12)``, ``default worker probes.x``, …"""
    kind = source["kind"]
    if kind == "user":
        where = f" ({source['file']}:{source['line']})" if source.get("file") and source.get("line") else ""
        derived = " (derived)" if source.get("relation") == "derived" else ""
        also = f" (placed by {len(source['dependsOn'])} more)" if source.get("dependsOn") else ""
        return f"user {source['field']}{where}{derived}{also}"
    if kind == "functionConfig":
        return f"functionConfig {source['key']} ({source.get('file')})"
    if kind == "discovery":
        return f"discovered {source['object']}" + (f" ({source['file']})" if source.get("file") else "")
    if kind in ("default", "backend", "multinode") and "item" in source:
        role = f" role {source['role']}" if source.get("role") else ""
        chosen = source.get("selectedBy")
        chosen = chosen if isinstance(chosen, list) else [chosen] if chosen else []
        selected = (", selected by " + ", ".join(str(c.get("field") or c.get("key")) for c in chosen)) if chosen else ""
        return f"{kind} {source['table']}.{source['item']}{role}{selected}"
    if "rewrites" in source:
        role = f" ({source['role']})" if source.get("role") else ""
        backend = f" ({source['backend']} launch)" if source.get("backend") else ""
        return f"{kind} rewrite{role}{backend} of {summary(source['rewrites'])}"
    return f"{kind}: {source.get('detail', '')}"


def origin_text(field: dict[str, Any]) -> str:
    """``default worker.probes.livenessProbe: <source>`` or ``merge of: a; b``."""
    sources = field["sources"]
    if len(sources) > 1:
        return ("merge of: " if field["origin"] == "merge" else "") + "; ".join(summary(s) for s in sources)
    first = sources[0]
    text = summary(first)
    if first.get("source"):
        text += f" [{first['source']}]"
    return text


def as_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=False) + "\n"


def as_text(document: dict[str, Any]) -> str:
    """Per object a header, then ``path  value  origin`` aligned in columns."""
    lines = [f"# operator release {document['operatorRelease']}; {document['renders']} renders"]
    for obj in document["objects"]:
        where = f"{obj['namespace']}/" if obj.get("namespace") else ""
        service = f" (service {obj['service']})" if obj.get("service") else ""
        lines.append(f"\n{obj['kind']} {where}{obj['name']}{service}")
        if obj.get("generatedBecauseOf"):
            lines.append("  generated because of: " + "; ".join(summary(s) for s in obj["generatedBecauseOf"]))
        rows = [(f["path"], _short(f["value"]), origin_text(f)) for f in obj["fields"]]
        width_path = min(max((len(r[0]) for r in rows), default=0), 72)
        width_value = min(max((len(r[1]) for r in rows), default=0), 32)
        lines += [f"  {p.ljust(width_path)}  {v.ljust(width_value)}  {o}" for p, v, o in rows]
    lines += [f"note: {note}" for note in document.get("notes", [])]
    return "\n".join(lines) + "\n"


def _short(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, str) else value
    return text if len(text) <= 32 else text[:29] + "..."


def as_yaml(document: dict[str, Any], objects: list[dict[str, Any]]) -> str:
    """The objects as YAML documents; every line that ends a leaf carries ``# <origin>``."""
    by_object = {(o["kind"], o.get("namespace"), o["name"]): o for o in document["objects"]}
    docs = []
    for obj in objects:
        meta = obj.get("metadata") or {}
        entry = by_object.get((obj.get("kind"), meta.get("namespace"), meta.get("name")))
        if entry is None:
            continue
        origins = {f["path"]: origin_text(f) for f in entry["fields"]}
        lines: list[str] = []
        _emit(obj, (), 0, lines, origins, in_list=False)
        docs.append("\n".join(lines) + "\n")
    return "---\n".join(docs)


def _scalar(value: Any) -> str:
    if isinstance(value, dict | list) or (isinstance(value, str) and ("\n" in value or value != value.strip())):
        return json.dumps(value)  # flow / double-quoted: valid YAML on one line
    return yamlio.dump(value).strip().removesuffix("...").strip()


def _comment(origins: dict[str, str], path: tuple[str, ...]) -> str:
    text = origins.get(format_path(path))
    return f"  # {text}" if text else ""


def _emit(value: Any, path: tuple[str, ...], indent: int, lines: list[str], origins: dict[str, str], *,
          in_list: bool) -> None:
    pad = " " * indent
    if isinstance(value, dict):
        for position, (key, item) in enumerate(value.items()):
            lead = pad if not (in_list and position == 0) else ""
            key_text = _scalar(str(key))
            child = (*path, str(key))
            if isinstance(item, dict | list) and item:
                lines.append(f"{lead}{key_text}:")
                _emit(item, child, indent + (2 if isinstance(item, dict) else 0), lines, origins, in_list=False)
            else:
                lines.append(f"{lead}{key_text}: {_scalar(item)}{_comment(origins, child)}")
        return
    for item, part in zip(value, entry_parts(value), strict=True):
        child = (*path, part)
        if isinstance(item, dict) and item:
            nested: list[str] = []
            _emit(item, child, indent + 2, nested, origins, in_list=True)
            lines.append(f"{pad}- {nested[0]}")
            lines += nested[1:]
        elif isinstance(item, list) and item:
            lines.append(f"{pad}-")
            _emit(item, child, indent + 2, lines, origins, in_list=False)
        else:
            lines.append(f"{pad}- {_scalar(item)}{_comment(origins, child)}")
