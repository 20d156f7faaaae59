# SPDX-License-Identifier: Apache-2.0
"""``krm-dynamo explain FILE``: the rendered objects of a DGD, each leaf with its origin.

The origins are observed by :mod:`krm_dynamo.provenance` (differential rendering on the
render path itself) and, for defaults, matched to the sourced tables
(:mod:`krm_dynamo.provenance_defaults`). The document (``--output json``) is::

    {"apiVersion": "krm-dynamo.dev/explain/v1",
     "operatorRelease": "0.6",
     "objects": [{"kind", "namespace", "name", "service", "graph",
                  "fields": [{"path", "value", "origin", "sources": [...]}]}],
     "renders": <int>, "notes": [<str>]}

``origin`` is one of ``user``, ``default``, ``functionConfig``, ``discovery``, ``backend``,
``multinode``, ``merge`` (several origins), ``renderer`` (fixed by the builder, no table
row); each source is ``{"kind", ...}`` with ``field``/``file``/``line``/``relation``
(user), ``key``/``file`` (functionConfig), ``object``/``file`` (discovery),
``table``/``item``/``source`` (default, backend, multinode), ``role`` (multinode).
"""

from __future__ import annotations

from typing import Any

from krm_dynamo import defaults
from krm_dynamo.provenance import Inputs, Path, Probe, format_path, probe
from krm_dynamo.provenance_defaults import DefaultIndex

API_VERSION = "krm-dynamo.dev/explain/v1"
MULTINODE_KINDS = ("LeaderWorkerSet", "PodCliqueSet")
_COMPONENT = "nvidia.com/dynamo-component"
_COMPONENT_TYPE = "nvidia.com/dynamo-component-type"


class ExplainFileError(ValueError):
    """The input renders with errors, or a filter matches nothing; the message is one line."""


class NoMatchError(ExplainFileError):
    """The filters match no generated object; the message names the filters and what there is."""


def selected(obj: dict[str, Any], service: str | None, object_name: str | None) -> bool:
    """Whether a rendered object passes ``--service`` (its ``nvidia.com/dynamo-component`` label)
    and ``--object`` (``KIND/NAME`` or ``NAME``)."""
    meta = obj.get("metadata") or {}
    if service is not None and (meta.get("labels") or {}).get(_COMPONENT) != service:
        return False
    return object_name is None or object_name in (f"{obj.get('kind')}/{meta.get('name')}", meta.get("name"))


def field_selected(path: str, field: str | None) -> bool:
    """Whether a leaf's path passes ``--field`` (the path itself or a path below it)."""
    return field is None or path == field or path.startswith(field)


def _no_match(objects: list[dict[str, Any]], service: str | None, object_name: str | None,
              field: str | None) -> NoMatchError:
    given = " ".join(f"--{name} {value}" for name, value in (("service", service), ("object", object_name),
                                                             ("field", field)) if value is not None)
    names = [f"{o.get('kind')}/{(o.get('metadata') or {}).get('name')}" for o in objects]
    services = sorted({str(label) for o in objects
                       if (label := ((o.get("metadata") or {}).get("labels") or {}).get(_COMPONENT)) is not None})
    shown = ", ".join(names[:12]) + (f" and {len(names) - 12} more" if len(names) > 12 else "")
    return NoMatchError(f"explain: no generated object matches {given} (objects: {shown or 'none'}; "
                        f"services: {', '.join(services) or 'none'})")


def explain_file(inputs: Inputs, table: defaults.OperatorDefaults | None = None, *, service: str | None = None,
                 object_name: str | None = None, field: str | None = None) -> dict[str, Any]:
    """The provenance document of ``inputs`` (shape in the module docstring).

    Raises:
        ExplainFileError: the input does not render (run ``render`` for the errors).
        NoMatchError: ``service``, ``object_name`` and ``field`` match no generated object.
    """
    table = table or defaults.for_release()
    result = probe(inputs)
    if result is None:
        raise ExplainFileError("explain: the input has errors and renders nothing (`krm-dynamo render` shows them)")
    objects = []
    for index, obj in enumerate(result.base.objects):
        if not selected(obj, service, object_name):
            continue
        entry = _object_entry(result, index, table)
        if field is not None:
            entry["fields"] = [f for f in entry["fields"] if field_selected(f["path"], field)]
            if not entry["fields"]:
                continue
        objects.append(entry)
    if not objects and (service, object_name, field) != (None, None, None):
        raise _no_match(result.base.objects, service, object_name, field)
    return {"apiVersion": API_VERSION, "operatorRelease": table.release, "objects": objects,
            "renders": result.renders, "notes": result.notes}


def _object_entry(result: Probe, index: int, table: defaults.OperatorDefaults) -> dict[str, Any]:
    obj = result.base.objects[index]
    meta = obj.get("metadata") or {}
    labels = meta.get("labels") or {}
    graph = result.base.graphs[index]
    gmeta = (graph or {}).get("metadata") or {}
    spec = (graph or {}).get("spec") or {}
    backend = spec.get("backendFramework") if isinstance(spec, dict) else None
    indexes: dict[str | None, DefaultIndex] = {}
    user_values = result.user.get(id(graph), []) if graph is not None else []
    fields = []
    for path, value in result.leaves[index].items():
        ctype = _component_type(obj, path)
        if ctype not in indexes:
            indexes[ctype] = DefaultIndex(table, str(obj.get("kind")), ctype, backend)
        origin, sources = _classify(obj, path, value, result.found.get((index, path), []), indexes[ctype],
                                    user_values)
        fields.append({"path": format_path(path), "value": value, "origin": origin, "sources": sources})
    exists_by = [_source(o, None) for o in result.exists_by.get(index, [])]
    return {"kind": obj.get("kind"), "namespace": meta.get("namespace"), "name": meta.get("name"),
            "service": labels.get(_COMPONENT), "graph": gmeta.get("name"),
            "generatedBecauseOf": [{k: v for k, v in s.items() if k != "relation"} for s in exists_by],
            "fields": fields}


def _component_type(obj: dict[str, Any], path: Path) -> str | None:
    """The componentType a leaf belongs to: the object's label, or in a PodCliqueSet its clique's."""
    labels = (obj.get("metadata") or {}).get("labels") or {}
    if obj.get("kind") == "PodCliqueSet" and len(path) > 3 and path[3].startswith("[name="):
        for clique in ((obj.get("spec") or {}).get("template") or {}).get("cliques") or []:
            if isinstance(clique, dict) and f"[name={clique.get('name')}]" == path[3]:
                return (clique.get("labels") or {}).get(_COMPONENT_TYPE)
    value = labels.get(_COMPONENT_TYPE)
    if value is None:  # from 1.0 a Deployment's own labels lack it (L03); its pod template has it
        template = (obj.get("spec") or {}).get("template") or {}
        value = ((template.get("metadata") or {}).get("labels") or {}).get(_COMPONENT_TYPE)
    return value if isinstance(value, str) else None


def role_of(path: Path) -> str | None:
    """``leader`` or ``worker`` for a leaf in a multinode pod template, else None."""
    text = format_path(path)
    if "leaderTemplate" in text or "-ldr" in text:
        return "leader"
    if "workerTemplate" in text or "-wkr" in text:
        return "worker"
    return None


def _classify(obj: dict[str, Any], path: Path, value: Any, found: list[dict[str, Any]], index: DefaultIndex,
              user_values: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    if found:
        sources = _scoped([_source(o, value) for o in found])
        rewrite = _rewrite(obj, path, value, sources, index)
        if rewrite is not None:
            return rewrite
        exact = [s for s in sources if s.get("relation") == "value"]
        if len(sources) > 1 and len(exact) == 1:  # the user's value, placed by its siblings (an env's name)
            return "user", [{**exact[0], "dependsOn": [s for s in sources if s is not exact[0]]}]
        if len(sources) > 1:
            derived = all(s.get("relation") == "derived" for s in sources)
            entry = index.match(path, value, keys=False) if derived else None
            if entry is not None:  # a default the user's fields select (componentType, backend), none sets
                return str(entry["kind"]), [{**entry, "selectedBy": sources}]
            return "merge", sources
        only = sources[0]
        if only["kind"] == "user" and only["relation"] == "derived":
            entry = index.match(path, value, keys=False)
            if entry is not None:  # e.g. the componentType selects the table the default comes from
                return str(entry["kind"]), [{**entry, "selectedBy": only}]
        return str(only["kind"]), sources
    entry = index.match(path, value)
    if entry is not None:
        role = role_of(path)
        if entry["kind"] == "multinode" and role is not None:
            entry["role"] = role
        return str(entry["kind"]), [entry]
    service = str(((obj.get("metadata") or {}).get("labels") or {}).get(_COMPONENT))
    own = f"spec.services.{service}."  # a value both the service and the graph give: the service's first
    for user in sorted(user_values, key=lambda u: not str(u["field"]).startswith(own)):
        if isinstance(value, str) and len(value) > 1 and user["value"] == value:
            return "user", [{**_source(user, value), "relation": "value (matched)"}]
    return "renderer", [{"kind": "renderer", "detail": f"set by the {obj.get('kind')} builder"}]


def _scoped(sources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Without the DGD's namespace when it only scopes another origin (which Secrets are discovered)."""
    kept = [s for s in sources if not (s.get("field") == "metadata.namespace" and s.get("relation") == "derived")]
    return kept or sources


def _rewrite(obj: dict[str, Any], path: Path, value: Any, sources: list[dict[str, Any]],
             index: DefaultIndex) -> tuple[str, list[dict[str, Any]]] | None:
    """A launch line (command, args) the user's fields decide but that differs from them: a multinode
    rewrite (LeaderWorkerSet, PodCliqueSet; with the role) or a backend rewrite."""
    if not _is_launch(path) or not any(s.get("relation") == "derived" for s in sources):
        return None
    role = role_of(path)
    if obj.get("kind") in MULTINODE_KINDS and role is not None:
        backend = {"backend": index.backend} if index.backend else {}
        return "multinode", [{"kind": "multinode", "role": role, **backend, "rewrites": s} for s in sources]
    if index.match(path, value, keys=False) is not None:
        return None  # the component type's own launch line, a default
    if index.backend is not None or any("backendFramework" in str(s.get("field")) for s in sources):
        return "backend", [{"kind": "backend", "backend": index.backend, "rewrites": s} for s in sources]
    return None


def _is_launch(path: Path) -> bool:
    """A container's command or args: where backends rewrite the user's launch line."""
    return any(part in ("command", "args") for part in path)


def _source(origin: dict[str, Any], value: Any) -> dict[str, Any]:
    out = {k: v for k, v in origin.items() if k != "value" and v is not None}
    if origin["kind"] == "user":
        same = origin.get("value") == value and type(origin.get("value")) is type(value)
        out["relation"] = "value" if same else "derived"
    return out
