# SPDX-License-Identifier: Apache-2.0
"""``krm-dynamo explain FILE --output mermaid``: a Mermaid flowchart of the rendered graph.

Drawn from the objects ``render`` prints (not from a second reading of the DGD): per DGD a
subgraph, per service a subgraph of the objects it becomes (Deployment, LeaderWorkerSet +
PodGroup, Grove clique, Service, Ingress / VirtualService, HPA), the PVCs the pods mount,
frontend -> worker traffic, and the platform endpoints NATS and etcd from the settings.
The subset emitted: ``flowchart LR``, ``subgraph id["label"]`` / ``end``, nodes
``id["label"]`` or ``id[("label")]``, edges ``a --> b`` and ``a -. "label" .-> b``.
"""

from __future__ import annotations

from typing import Any

from krm_dynamo.provenance import Rendered

_COMPONENT = "nvidia.com/dynamo-component"
_COMPONENT_TYPE = "nvidia.com/dynamo-component-type"


def _id(*parts: str) -> str:
    return "_".join("".join(c if c.isalnum() else "_" for c in p) for p in parts)


def _label(text: str) -> str:
    return '"' + text.replace('"', "#quot;") + '"'


def mermaid(rendered: Rendered, settings: dict[str, str] | None = None) -> str:
    """The flowchart text; ``settings`` maps ``natsServer`` / ``etcdEndpoints`` to their values."""
    lines = ["flowchart LR"]
    graphs: dict[str, list[dict[str, Any]]] = {}
    for obj, graph in zip(rendered.objects, rendered.graphs, strict=True):
        meta = (graph or {}).get("metadata") or {}
        name = str(meta.get("name") or "graph")
        graphs.setdefault(f"{meta['namespace']}/{name}" if meta.get("namespace") else name, []).append(obj)
    for graph_name, objects in graphs.items():
        lines += _graph(graph_name, objects)
    settings = settings or {}
    for key, title in (("natsServer", "NATS"), ("etcdEndpoints", "etcd")):
        if settings.get(key):
            lines.append(f"  {_id(key)}[({_label(title + ': ' + settings[key])})]")
            for graph_name in graphs:
                lines.append(f"  {_id('dgd', graph_name)} -.-> {_id(key)}")
    return "\n".join(lines) + "\n"


def _services(objects: list[dict[str, Any]]) -> dict[str, list[tuple[str, str]]]:
    """service -> [(kind, name)]; a PodCliqueSet contributes a clique per service."""
    out: dict[str, list[tuple[str, str]]] = {}
    # A PodGroup, Ingress or VirtualService carries no component label: it belongs to the service
    # whose LeaderWorkerSet or Service has its name.
    named = {str((o.get("metadata") or {}).get("name")): ((o.get("metadata") or {}).get("labels") or {}).get(_COMPONENT)
             for o in objects if o.get("kind") in ("LeaderWorkerSet", "Service")}
    for obj in objects:
        meta = obj.get("metadata") or {}
        kind, name = str(obj.get("kind")), str(meta.get("name"))
        if kind == "PodCliqueSet":
            for clique in ((obj.get("spec") or {}).get("template") or {}).get("cliques") or []:
                service = ((clique.get("labels") or {}).get(_COMPONENT)) or str(clique.get("name"))
                out.setdefault(service, []).append(("clique", str(clique.get("name"))))
            continue
        service = (meta.get("labels") or {}).get(_COMPONENT) or named.get(name)
        if service:
            out.setdefault(service, []).append((kind, name))
    return out


def _types(objects: list[dict[str, Any]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for obj in objects:
        labels = (obj.get("metadata") or {}).get("labels") or {}
        if labels.get(_COMPONENT) and labels.get(_COMPONENT_TYPE):
            out[labels[_COMPONENT]] = labels[_COMPONENT_TYPE]
        for clique in ((obj.get("spec") or {}).get("template") or {}).get("cliques") or []:
            clabels = clique.get("labels") or {}
            if clabels.get(_COMPONENT) and clabels.get(_COMPONENT_TYPE):
                out[clabels[_COMPONENT]] = clabels[_COMPONENT_TYPE]
    return out


def _graph(graph_name: str, objects: list[dict[str, Any]]) -> list[str]:
    """One DGD (``graph_name``: ``namespace/name``) as a subgraph; every id is scoped by it."""
    gid = _id("dgd", graph_name)
    lines = [f"  subgraph {gid}[{_label('DynamoGraphDeployment ' + graph_name)}]"]
    services = _services(objects)
    types = _types(objects)
    for service, members in services.items():
        sid = _id("svc", graph_name, service)
        lines.append(f"    subgraph {sid}[{_label(service + ' (' + types.get(service, 'component') + ')')}]")
        for kind, name in members:
            lines.append(f"      {_id(kind, graph_name, name)}[{_label(kind + ' ' + name)}]")
        lines.append("    end")
    for obj in objects:
        if obj.get("kind") == "PersistentVolumeClaim":
            name = str((obj.get("metadata") or {}).get("name"))
            lines.append(f"    {_id('PersistentVolumeClaim', graph_name, name)}[({_label('PVC ' + name)})]")
    lines.append("  end")
    frontends = [s for s in services if types.get(s) == "frontend"]
    for front in frontends:
        for service in services:
            if types.get(service) == "worker":
                lines.append(f"  {_id('svc', graph_name, front)} -. {_label('requests')} .-> "
                             f"{_id('svc', graph_name, service)}")
    lines += _claims(graph_name, objects)
    return lines


def _claims(graph_name: str, objects: list[dict[str, Any]]) -> list[str]:
    """An edge from each service to each PVC its pods mount."""
    claims = {str((o.get("metadata") or {}).get("name")) for o in objects if o.get("kind") == "PersistentVolumeClaim"}
    edges: list[str] = []
    for obj in objects:
        service = ((obj.get("metadata") or {}).get("labels") or {}).get(_COMPONENT)
        if not service or obj.get("kind") not in ("Deployment", "LeaderWorkerSet"):
            continue
        for claim in sorted(claims):
            if f"'claimName': '{claim}'" in str(obj):
                edge = f"  {_id('svc', graph_name, service)} --> {_id('PersistentVolumeClaim', graph_name, claim)}"
                if edge not in edges:
                    edges.append(edge)
    return edges
