# SPDX-License-Identifier: Apache-2.0
"""The problems of a value that is not plainly valid, found by ``jsonschema`` (:class:`.schemas.Checker`).

Apart from :mod:`.schemas` because valid input, the common case, never needs it: the plain-validity
pre-check (:func:`.schemas.certainly_valid`) answers for it; only a value it is not sure of loads
this module and ``jsonschema``, and every problem and message comes from here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any

from krm_dynamo.kube.schemas import _REF_PREFIX, REQUIRED, TYPE, UNKNOWN, Loc, SchemaProblem, definitions

# JSON Schema type -> what a message says a field is expected to be.
_EXPECTED = {
    "integer": "an integer",
    "number": "a number",
    "string": "a string",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping",
}

# ... and what a list of that type is called.
_PLURAL = {"integer": "integers", "number": "numbers", "string": "strings", "boolean": "booleans", "object": "mappings"}


def problems(validator: Any, value: Any, version: str) -> list[SchemaProblem]:
    """Every problem ``validator`` (of :func:`validator_class`) finds in ``value``, ordered by location."""
    found: dict[tuple[str, Loc], SchemaProblem] = {}
    for error in validator.iter_errors(value):
        for problem in _problems(error, version):
            found.setdefault((problem.kind, problem.loc), problem)
    return sorted(found.values(), key=lambda p: (_sort_key(p.loc), p.kind))


def _problems(error: Any, version: str) -> Iterator[SchemaProblem]:
    """The problems one ``jsonschema`` error stands for."""
    loc: Loc = tuple(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "additionalProperties" and error.validator_value is False:
        known = list(schema.get("properties", {}))
        for key in error.instance:
            if key not in known:
                yield SchemaProblem(UNKNOWN, (*loc, key), schema.get("title", ""), suggestion=_closest(str(key), known))
    elif error.validator == "required":
        for key in error.validator_value:
            if isinstance(error.instance, dict) and key not in error.instance:
                yield SchemaProblem(REQUIRED, (*loc, key), schema.get("title", ""))
    elif error.validator in ("type", "anyOf"):
        yield SchemaProblem(TYPE, loc, expected=_expected(schema, version), value=error.instance)
    else:  # not in the generated keywords; kept general so a new keyword is still reported
        yield SchemaProblem(TYPE, loc, expected=f"valid ({error.validator})", value=error.instance)


def _expected(schema: dict[str, Any], version: str) -> str:
    """``an integer`` / ``a list of strings`` / ``a string or an integer``: what a (sub)schema allows, null aside."""
    while "$ref" in schema:
        schema = definitions(version)[schema["$ref"].removeprefix(_REF_PREFIX)]
    words: list[str] = []
    for branch in schema.get("anyOf", [schema]):
        kinds = branch.get("type", [])
        for kind in [kinds] if isinstance(kinds, str) else kinds:
            word = _EXPECTED.get(kind, kind) + _of_items(branch, kind)
            if kind != "null" and word not in words:
                words.append(word)
    return " or ".join(words) or "valid"


def _of_items(schema: dict[str, Any], kind: str) -> str:
    """`` of strings`` / `` of mappings`` after "a list"; "" when the items are not typed."""
    items = schema.get("items")
    if kind != "array" or not isinstance(items, dict):
        return ""
    if "$ref" in items:
        return " of mappings"  # every referenced definition of a list is an object type
    declared = items.get("type", [])
    kinds = [k for k in ([declared] if isinstance(declared, str) else declared) if k != "null"]
    return f" of {_PLURAL[kinds[0]]}" if len(kinds) == 1 and kinds[0] in _PLURAL else ""


def _closest(key: str, known: list[str]) -> str | None:
    """The known field ``key`` probably means; case is ignored (``livenessprobe``)."""
    from krm_dynamo.kio import display

    return display.closest(key, known, ignore_case=True)


def _sort_key(loc: Loc) -> tuple[tuple[int, int, str], ...]:
    return tuple((0, p, "") if isinstance(p, int) else (1, 0, p) for p in loc)


@functools.cache
def validator_class() -> Callable[[dict[str, Any]], Any]:
    """Draft 2020-12 with Kubernetes integers (``true`` and ``10.0`` are not integers) and lists
    without null entries (the generated types allow null everywhere, which means "unset" for a
    field; a list entry cannot be unset: the API server rejects it, and a builder could not use it)."""
    import jsonschema  # type: ignore[import-untyped]  # here only: ~30 ms, paid only with a DGD

    def is_integer(_checker: Any, value: Any) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    def items(validator: Any, schema: Any, instance: Any, _parent: Any) -> Iterator[Any]:
        if not validator.is_type(instance, "array"):
            return
        for index, item in enumerate(instance):
            if item is None:
                yield jsonschema.ValidationError("null entry", validator="type", instance=None, schema=schema,
                                                 path=(index,))
            else:
                yield from validator.descend(item, schema, path=index)

    base = jsonschema.Draft202012Validator
    checker = base.TYPE_CHECKER.redefine("integer", is_integer)
    cls: Callable[[dict[str, Any]], Any] = jsonschema.validators.extend(
        base, validators={"items": items}, type_checker=checker)
    return cls
