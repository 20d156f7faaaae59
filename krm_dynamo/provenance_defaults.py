# SPDX-License-Identifier: Apache-2.0
"""Which sourced default a leaf no input changes comes from (the other half of :mod:`krm_dynamo.provenance`).

A leaf that no perturbation of the input changes is a default. It is attributed to the row
of the selected release's table set (:func:`krm_dynamo.defaults.for_release`, the same
selector rendering uses) whose value equals the leaf's and whose item name ends like the
leaf's path (``probes.livenessProbe`` + ``httpGet.path`` matches
``containers[name=main].livenessProbe.httpGet.path``); the longest common ending wins.
Rows of the kind's own table come first, then the component type's, then the backend's and
the multinode launch table. A leaf whose *key* is a table value (a label or env name) and
whose value matches nothing is attributed to that key's row.
"""

from __future__ import annotations

from typing import Any

from krm_dynamo import defaults
from krm_dynamo.leaves import Path, flatten

Candidate = tuple[int, tuple[str, ...], Any, dict[str, Any]]  # (rank, tokens, value, source entry)

_KIND_TABLES = {"Deployment", "Service", "Ingress", "VirtualService", "HorizontalPodAutoscaler",
                "PersistentVolumeClaim", "LeaderWorkerSet", "PodGroup", "PodCliqueSet"}


def tokens(path: Path) -> tuple[str, ...]:
    """The names along a path: keys, and the names of keyed list entries (indexes dropped)."""
    out = []
    for part in path:
        if part.startswith("[name="):
            out.append(part[6:-1])
        elif not part.startswith("["):
            out.append(part)
    while len(out) > 1 and out[-1] == "value":  # env[name=X].value is the row env.X
        out.pop()
    return tuple(out)


class DefaultIndex:
    """The rows of one table set, flattened to leaves, for one (kind, component type, backend)."""

    def __init__(self, table: defaults.OperatorDefaults, kind: str, component_type: str | None,
                 backend: str | None) -> None:
        self.candidates: list[Candidate] = []
        self.backend = backend  # the DGD's backendFramework, when it names one
        self.keys: dict[str, dict[str, Any]] = {}
        object_tables = table.object_tables()
        if kind in object_tables:
            self._add(0, "default", kind, object_tables[kind])
        self._add(1, "default", component_type or "base", table.for_component(component_type))
        self._add(2, "default", "sharedMemory", table.shared_memory)
        for name in [backend] if backend in table.backends else list(table.backends):
            self._add(3, "backend", str(name), table.backends[str(name)])
        self._add(4, "multinode", "launch", table.launch)
        for name, other in object_tables.items():
            if name != kind and name not in _KIND_TABLES:
                self._add(5, "default", name, other)
        self._add(5, "default", "kubeDiscovery", table.kube_discovery)  # 1.x discovery objects (none in 0.6)
        for name, keyed in (("labels", table.labels), ("annotations", table.annotations),
                            ("platformEnv", table.platform_env), ("naming", table.naming)):
            for item, value, source in keyed.sourced_items():
                if isinstance(value, str):
                    self.keys.setdefault(value, {"kind": "default", "table": name, "item": item, "source": source})

    def _add(self, rank: int, kind: str, name: str, rows: defaults.Sourced) -> None:
        for item, value, source in rows.sourced_items():
            head = tuple(item.split("."))
            for sub, leaf in flatten(defaults.plain(value)).items():
                entry = {"kind": kind, "table": name, "item": item, "source": source}
                self.candidates.append((rank, tokens(head + sub), leaf, entry))

    def match(self, path: Path, value: Any, *, keys: bool = True) -> dict[str, Any] | None:
        """The source entry of the best row for a leaf, or None; ``keys``: also a row naming the leaf's key."""
        leaf = tokens(path)
        best: tuple[int, int] | None = None
        found: dict[str, Any] | None = None
        for rank, names, candidate, entry in self.candidates:
            if candidate != value or type(candidate) is not type(value) or not names or names[-1] != leaf[-1]:
                continue
            score = (_common_suffix(names, leaf), -rank)
            if best is None or score > best:
                best, found = score, entry
        if found is None and len(path) > 1 and path[-1] == "name" and path[-2].startswith("[name="):
            found = self._entry_named(leaf[:-1])  # the name of a keyed entry (env[name=X].name): the row X
        if found is None and path[-1] == "name":  # a row that names something (volumeName)
            found = next((entry for _, names, candidate, entry in self.candidates
                          if candidate == value and names and names[-1].endswith("Name")), None)
        if found is not None:
            return dict(found)
        if not keys:
            return None
        for name in reversed(leaf):
            if name in self.keys:
                return {**self.keys[name], "note": f"the key {name}"}
        return None


    def _entry_named(self, leaf: tuple[str, ...]) -> dict[str, Any] | None:
        best: tuple[int, int] | None = None
        found: dict[str, Any] | None = None
        for rank, names, _, entry in self.candidates:
            head = tuple(entry["item"].split("."))
            if len(leaf) < 2 or head[-2:] != leaf[-2:]:
                continue
            score = (_common_suffix(names, leaf), -rank)
            if best is None or score > best:
                best, found = score, entry
        return found


def _common_suffix(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    n = 0
    while n < len(a) and n < len(b) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n
