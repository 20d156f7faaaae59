# SPDX-License-Identifier: Apache-2.0
"""Where a default comes from, as data, and the base class of every sourced table.

A source is one string of ``; ``-separated parts: an operator file at upstream
commit ``60975b518`` (paths under ``deploy/cloud/operator/``, optionally followed by
the Go identifier), a section of the seed API reference (:func:`seed`), and a
project decision (``D…``/``R…``, with a short phrase saying what it decides).
``krm-dynamo explain`` prints these strings next to the values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

from krm_dynamo import record

OPERATOR_COMMIT = "60975b518"

_OP = "deploy/cloud/operator/internal/"
OP_CONSTS = _OP + "consts/consts.go"
OP_GRAPH = _OP + "dynamo/graph.go"
OP_GROVE = _OP + "dynamo/grove.go"
OP_LWS = _OP + "dynamo/lws.go"
OP_COMMON = _OP + "dynamo/component_common.go"
OP_FRONTEND = _OP + "dynamo/component_frontend.go"
OP_WORKER = _OP + "dynamo/component_worker.go"
OP_PLANNER = _OP + "dynamo/component_planner.go"
OP_VLLM = _OP + "dynamo/backend_vllm.go"
OP_SGLANG = _OP + "dynamo/backend_sglang.go"
OP_TRTLLM = _OP + "dynamo/backend_trtllm.go"
OP_DCD_CONTROLLER = _OP + "controller/dynamocomponentdeployment_controller.go"
OP_DGD_CONTROLLER = _OP + "controller/dynamographdeployment_controller.go"
OP_CONTROLLER_COMMON = _OP + "controller/common.go"
OP_MAIN = "deploy/cloud/operator/cmd/main.go"
OP_API_TYPES = "deploy/cloud/operator/api/v1alpha1/dynamographdeployment_types.go"


def seed(*sections: str) -> str:
    """A seed API reference section, outermost first: ``seed "Environment Variables > All Components"``."""
    return 'seed "' + " > ".join(sections) + '"'


def src(*parts: str) -> str:
    """One source string from its parts (file, seed section, decision), ``; ``-separated."""
    return "; ".join(parts)


def camel(name: str) -> str:
    """``publish_not_ready_addresses`` -> ``publishNotReadyAddresses`` (item names use the API spelling)."""
    if "_" not in name:
        return name
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


# Leaves, asked first: ``isinstance(value, Mapping)`` is an ABC check, the slow one.
_LEAVES = (str, int, float, type(None))


def frozen(value: Any) -> Any:
    """A read-only copy (mappings -> ``MappingProxyType``, lists -> tuples), so callers cannot change a table."""
    if isinstance(value, _LEAVES):
        return value
    if isinstance(value, Mapping):
        return MappingProxyType({k: frozen(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(frozen(v) for v in value)
    return value


def plain(value: Any) -> Any:
    """A fresh, mutable copy of a table value for the output: mappings -> dicts, tuples -> lists."""
    if isinstance(value, _LEAVES):
        return value
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def plain_dict(value: Mapping[str, Any]) -> dict[str, Any]:
    """:func:`plain` of a mapping, typed."""
    return {k: plain(v) for k, v in value.items()}


def plain_list(value: Sequence[Any]) -> list[Any]:
    """:func:`plain` of a tuple or list, typed."""
    return [plain(v) for v in value]


class Sourced:
    """A table whose every item (see :meth:`items`) carries its source in ``sources``.

    Subclasses are frozen dataclasses with a ``sources`` field. By default every other
    field is one item, named in the API spelling (:func:`camel`); a subclass whose
    fields hold several items overrides :meth:`items`. Checked when the table is built:
    an item without a source, or a source naming no item, is a programming error and
    fails at import.
    """

    sources: Mapping[str, str]

    def items(self) -> list[tuple[str, object]]:
        """``(item, value)`` in table order."""
        return [(camel(f.name), getattr(self, f.name)) for f in record.fields(self)  # type: ignore[arg-type]
                if f.name != "sources"]

    def source(self, item: str) -> str:
        """Where the value of ``item`` (``env.DYN_SYSTEM_PORT``, ``probes.livenessProbe``, …) comes from."""
        return self.sources[item]

    def sourced_items(self) -> list[tuple[str, object, str]]:
        """``(item, value, source)`` for every item, in table order."""
        return [(item, value, self.sources[item]) for item, value in self.items()]

    def __post_init__(self) -> None:
        names = [item for item, _ in self.items()]
        ordered = {n: self.sources.get(n) for n in names}
        # Every item has a source and no source is left over: the one check of the common case.
        if not all(ordered.values()) or len(ordered) != len(self.sources):
            missing = [n for n in names if not self.sources.get(n)]
            stray = sorted(set(self.sources) - set(names))
            raise ValueError(
                f"{type(self).__name__}: items without a source {missing}, sources without an item {stray}"
            )
        object.__setattr__(self, "sources", MappingProxyType(ordered))



@record.dataclass(frozen=True)
class Entries(Sourced):
    """Named values with their sources, for key sets (label and annotation keys).

    Attributes:
        values: item name -> value, in the order ``explain`` prints them.
        sources: item name -> source.
    """

    values: Mapping[str, object]
    sources: Mapping[str, str] = record.field(default_factory=dict)

    def items(self) -> list[tuple[str, object]]:
        return list(self.values.items())


def value(table: Entries, item: str) -> Any:
    """The value of ``item`` in an :class:`Entries` table (typed ``Any`` for its readers, e.g. the 1.1
    feature table of :mod:`.features11`, whose builders read it through this one accessor).

    Raises:
        KeyError: ``table`` has no ``item``.
    """
    return table.values[item]
