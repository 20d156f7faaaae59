# SPDX-License-Identifier: Apache-2.0
"""The legacy ``DYN_DEPLOYMENT_CONFIG`` env read as the operator's Go types read it.

The operator decodes the value into ``map[string]*DynDeploymentServiceConfig``
(``graph.go`` ``ParseDynDeploymentConfig``) for every service, so every entry must have
the Go shape, not only the service's own::

    {"<service>": {"ServiceArgs": {"workers": <int32>,
                                   "resources": {"cpu": "<str>", "memory": "<str>", "gpu": "<str>",
                                                 "custom": {"<name>": "<str>"}}}}}

Any level may be ``null``; other keys (``port``, ...) are ignored. Go matches struct
fields exactly or case-insensitively (``serviceArgs`` sets ``ServiceArgs``), the last
matching key winning; map keys (the service names) match exactly. A value of the wrong
type makes ``json.Unmarshal`` fail, and with it the whole DGD (D31). :func:`field` is that
lookup, for the derive step; :func:`shape_problems` lists the mismatches, for the rule.
"""

from __future__ import annotations

from typing import Any

from krm_dynamo.kube.gojson import NonJSONConstant
from krm_dynamo.record import dataclass

SERVICE_ARGS = "ServiceArgs"
WORKERS = "workers"
RESOURCES = "resources"
QUANTITIES = ("cpu", "memory", "gpu")
CUSTOM = "custom"
INT32 = (-(2**31), 2**31 - 1)  # *int32 in ServiceArgs


def _fold(name: str) -> str:
    # encoding/json folds case (the Kelvin sign and the long s included) to match field names.
    return name.upper().lower()


def field(obj: dict[str, Any], name: str) -> Any:
    """The value Go's decoder stores in the struct field ``name`` of ``obj`` (None when absent)."""
    folded = _fold(name)
    found = None
    for key, value in obj.items():
        if key == name or _fold(key) == folded:
            found = value
    return found


@dataclass(frozen=True)
class ShapeProblem:
    """One value Go cannot decode: ``where`` is a dotted path inside the JSON value.

    ``entry``: the top-level key it sits under; ``workers``: it is that entry's
    ``ServiceArgs.workers`` (a replica count has its own rule, V24).
    """

    entry: str | None
    where: str
    problem: str
    workers: bool = False


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {'true' if value else 'false'}"
    if isinstance(value, NonJSONConstant):
        return f"`{value.text}`, which is not JSON"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f'the string "{value}"'
    return "a list" if isinstance(value, list) else "an object"


def _expect(value: Any, ok: bool, where: str, what: str, entry: str | None, out: list[ShapeProblem]) -> bool:
    """Record a problem unless ``value`` is null or ``ok``; True when the value can be read further.

    ``NaN`` / ``Infinity`` are left to :func:`_constants`.
    """
    if value is None or isinstance(value, NonJSONConstant):
        return False
    if not ok:
        out.append(ShapeProblem(entry, where, f"expected `{where}` to be {what}, got {_kind(value)}"))
        return False
    return True


def _constants(value: Any, where: str, entry: str | None, out: list[ShapeProblem]) -> None:
    """``NaN`` / ``Infinity`` anywhere (Go's parser rejects the whole text)."""
    if isinstance(value, NonJSONConstant):
        out.append(ShapeProblem(entry, where, f"`{value.text}` at `{where}` is not JSON"))
    elif isinstance(value, dict):
        for key, item in value.items():
            _constants(item, f"{where}.{key}" if where else key, entry if entry is not None else key, out)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _constants(item, f"{where}[{i}]", entry, out)


def _workers(value: Any, where: str, entry: str) -> ShapeProblem | None:
    if value is None:
        return None
    ok = isinstance(value, int) and not isinstance(value, bool) and INT32[0] <= value <= INT32[1]
    if ok:
        return None
    return ShapeProblem(entry, where, f"expected `{where}` to be a whole number (a Go int32), got {_kind(value)}",
                        workers=True)


def _resources(res: dict[str, Any], where: str, entry: str, out: list[ShapeProblem]) -> None:
    for name in QUANTITIES:
        value = field(res, name)
        _expect(value, isinstance(value, str), f"{where}.{name}", "a string", entry, out)
    custom = field(res, CUSTOM)
    if _expect(custom, isinstance(custom, dict), f"{where}.{CUSTOM}", "an object", entry, out):
        for key, value in custom.items():
            _expect(value, isinstance(value, str), f"{where}.{CUSTOM}.{key}", "a string", entry, out)


def shape_problems(document: Any) -> list[ShapeProblem]:
    """Every value of a parsed ``DYN_DEPLOYMENT_CONFIG`` that the operator's Go types reject.

    ``document`` is the parsed JSON (a dict, or None for ``null``); other top-level values
    are a parse error of their own.
    """
    out: list[ShapeProblem] = []
    if not isinstance(document, dict):
        return out
    for key, entry in document.items():
        if not _expect(entry, isinstance(entry, dict), key, "an object", key, out):
            continue
        args = field(entry, SERVICE_ARGS)
        where = f"{key}.{SERVICE_ARGS}"
        if not _expect(args, isinstance(args, dict), where, "an object", key, out):
            continue
        workers = field(args, WORKERS)
        problem = _workers(workers, f"{where}.{WORKERS}", key)
        if problem is not None:
            out.append(problem)
        res = field(args, RESOURCES)
        if _expect(res, isinstance(res, dict), f"{where}.{RESOURCES}", "an object", key, out):
            _resources(res, f"{where}.{RESOURCES}", key, out)
    constants: list[ShapeProblem] = []
    _constants(document, "", None, constants)
    workers_at = {p.where for p in out if p.workers}
    out += [p for p in constants if p.where not in workers_at]
    return out
