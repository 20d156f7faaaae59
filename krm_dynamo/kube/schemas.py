# SPDX-License-Identifier: Apache-2.0
"""The Kubernetes types a DGD embeds (PodSpec, Container, Probe, EnvVar, HPA v2 metrics and
behaviour, and every type under them), checked with ``jsonschema``.

The definitions are ``schemas-<version>.json`` beside this module: the Kubernetes OpenAPI
definitions of the version an operator release builds against (1.33 for 0.6, 1.34 for 1.x:
``OperatorDefaults.kubernetes_version``), generated from the maintained
``kubernetes-validate`` package by ``scripts/generate_kube_schemas.py`` (a test regenerates
them and fails on any difference). A file is read only when a :class:`Checker` of its
version first checks a value, which happens only when a DGD is expanded; a plainly valid value
decodes only the types it reads (:func:`definition`), an invalid one the whole file.
``jsonschema`` is the validator; it is imported only when a value is not plainly valid: a value
passes first through :func:`certainly_valid`, a strict reading of the same definitions that
knows only the keywords they use and answers "valid" or "not sure" — never "valid" where
``jsonschema`` would find a problem (a property test checks that). Valid input, the common
case, so never pays the ~30 ms of importing ``jsonschema`` (nor loads :mod:`.schemaproblems`,
which turns its errors into problems); every problem and every message still comes from it.

A check gives :class:`SchemaProblem` items, each one of three kinds:

* ``unknown``: a field the type does not define (the API server prunes it from a DGD,
  whose CRD embeds these types), with the closest known field name, if any;
* ``required``: a field the type requires is missing;
* ``type``: a value of the wrong JSON type (an integer is a whole number, never ``true``
  and never ``10.0``, as Kubernetes' typed decoding reads it; a list entry is never null).

A null field is unset, as the API server reads it.
"""

from __future__ import annotations

import functools
import json
import os
from typing import Any

from krm_dynamo.record import dataclass

UNKNOWN = "unknown"
REQUIRED = "required"
TYPE = "type"

_DIR = os.path.dirname(__file__)  # os.path: pathlib costs ~4 ms to import
DEFAULT_VERSION = "1.33"  # what a caller that names no version gets (operator 0.6's types)
_REF_PREFIX = "#/$defs/"

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class SchemaProblem:
    """One problem of a checked value.

    Attributes:
        kind: :data:`UNKNOWN`, :data:`REQUIRED` or :data:`TYPE`.
        loc: where, inside the checked value: the unknown or missing field itself, or the
            value of the wrong type (``("mainContainer", "env", 0, "value")``).
        type_name: the Kubernetes type that holds the field (``Container``); "" for ``type``.
        expected: for ``type``: what the value should be (``an integer``); else "".
        value: for ``type``: the value found; else None.
        suggestion: for ``unknown``: the type's closest field name, or None.
    """

    kind: str
    loc: Loc
    type_name: str = ""
    expected: str = ""
    value: Any = None
    suggestion: str | None = None


@functools.cache
def _text(version: str) -> str:
    with open(os.path.join(_DIR, f"schemas-{version}.json"), encoding="utf-8") as data:
        return data.read()


@functools.cache
def _document(version: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(_text(version))
    return document


@functools.cache
def definition(name: str, version: str = DEFAULT_VERSION) -> dict[str, Any] | None:
    """``definitions(version).get(name)``, parsed alone: a valid DGD reads a few of the ~120 types.

    The generator writes each definition once, at the start of a line, as ``"<name>": {...}``
    (``indent=0``); the value there is decoded by itself. Where the name is not found exactly
    once so, the whole document answers (tests/test_kube_schemas.py compares every definition).
    """
    text, key = _text(version), f'\n{json.dumps(name)}: '
    at = text.find(key)
    if at < 0 or text.find(key, at + 1) >= 0:
        return definitions(version).get(name)
    value: dict[str, Any] = json.JSONDecoder().raw_decode(text, at + len(key))[0]
    return value


def definitions(version: str = DEFAULT_VERSION) -> dict[str, Any]:
    """The generated definitions (``$defs``) of Kubernetes ``version`` (``"1.34"``), by full name
    such as ``io.k8s.api.core.v1.Container``.

    Raises:
        FileNotFoundError: no generated file for ``version``.
    """
    defs: dict[str, Any] = _document(version)["$defs"]
    return defs


def kubernetes_version(version: str = DEFAULT_VERSION) -> str:
    """The full Kubernetes version the file of ``version`` comes from (``1.33.0``)."""
    return str(_document(version)["kubernetesVersion"])


def has_field(type_name: str, field: str, version: str) -> bool:
    """Whether the Kubernetes type ``type_name`` (its short name, ``PodSpec``) of ``version`` has ``field``."""
    return any(d.get("title") == type_name and field in d.get("properties", {})
               for d in definitions(version).values())


def ref(name: str) -> dict[str, Any]:
    """A schema that is the definition ``name``."""
    return {"$ref": _REF_PREFIX + name}


def embedded(name: str, extra_properties: dict[str, Any] | None = None, *,
             version: str = DEFAULT_VERSION) -> dict[str, Any]:
    """The definition ``name`` as a CRD embeds it: its own ``required`` list cleared.

    ``extra_properties`` adds fields beside the type's own (a DGD's ``extraPodSpec`` is a
    PodSpec plus ``mainContainer``). Nested types keep their ``required`` lists.
    """
    found = definition(name, version)
    if found is None:
        raise KeyError(name)
    schema = {k: v for k, v in found.items() if k != "required"}
    if extra_properties:
        schema["properties"] = {**schema["properties"], **extra_properties}
    return schema


class Checker:
    """A ``jsonschema`` validator of ``schema`` (which may use :func:`ref` and :func:`embedded`)
    over the definitions of Kubernetes ``version``, compiled the first time a value is not
    plainly valid; build once, reuse."""

    def __init__(self, schema: dict[str, Any], version: str = DEFAULT_VERSION) -> None:
        self._schema = schema
        self._version = version
        self._validator: Any = None

    def problems(self, value: Any) -> list[SchemaProblem]:
        """Every problem of ``value``, ordered by location; [] when it is valid."""
        if certainly_valid(self._schema, value, self._version):
            return []
        # here: only a value that is not plainly valid pays for the validator and its messages
        from krm_dynamo.kube import schemaproblems

        if self._validator is None:
            self._validator = schemaproblems.validator_class()({**self._schema, "$defs": definitions(self._version)})
        return schemaproblems.problems(self._validator, value, self._version)


# --- the plain-validity pre-check --------------------------------------------------------------

# The keywords the generated definitions use; a schema with any other keyword is "not sure".
_KNOWN_KEYWORDS = frozenset({"type", "$ref", "properties", "additionalProperties", "required", "items", "anyOf",
                             "title", "description"})


def _is_type(value: Any, kind: str) -> bool:
    """``value`` is of the JSON type ``kind`` as the validator reads it (Kubernetes integers)."""
    if kind == "null":
        return value is None
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "string":
        return isinstance(value, str)
    if kind == "array":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, dict)
    return False  # an unknown type name: not sure


def certainly_valid(schema: Any, value: Any, version: str = DEFAULT_VERSION) -> bool:
    """True only when ``value`` is valid against ``schema`` as :class:`Checker`'s validator reads it
    (False means "not sure": the validator then decides).

    Iterative, so a deep value cannot exhaust the stack; ``$ref`` points into the
    :func:`definitions` of Kubernetes ``version``.
    """
    stack: list[tuple[Any, Any]] = [(schema, value)]
    while stack:
        sub, instance = stack.pop()
        if sub is True:
            continue
        if not isinstance(sub, dict) or not sub.keys() <= _KNOWN_KEYWORDS:
            return False
        if "$ref" in sub:
            if len(sub) > 1 or not sub["$ref"].startswith(_REF_PREFIX):
                return False
            stack.append((definition(sub["$ref"].removeprefix(_REF_PREFIX), version), instance))
            continue
        if "anyOf" in sub:
            if not any(certainly_valid(branch, instance, version) for branch in sub["anyOf"]):
                return False
            rest = {k: v for k, v in sub.items() if k != "anyOf"}
            if rest.keys() - {"title", "description"}:
                stack.append((rest, instance))
            continue
        kinds = sub.get("type")
        if kinds is not None and not any(_is_type(instance, k) for k in ([kinds] if isinstance(kinds, str) else kinds)):
            return False
        if isinstance(instance, dict) and not _object_parts(sub, instance, stack):
            return False
        if isinstance(instance, list) and "items" in sub:
            if any(item is None for item in instance):
                return False  # a null list entry is a problem for the validator
            stack.extend((sub["items"], item) for item in instance)
    return True


def _object_parts(sub: dict[str, Any], instance: dict[Any, Any], stack: list[tuple[Any, Any]]) -> bool:
    """Check ``required`` and ``additionalProperties`` now; push each property for checking."""
    if any(key not in instance for key in sub.get("required", ())):
        return False
    properties = sub.get("properties", {})
    extra = sub.get("additionalProperties", True)
    for key, item in instance.items():
        if isinstance(key, str) and key in properties:
            stack.append((properties[key], item))
        elif extra is False:
            return False
        elif extra is not True:
            stack.append((extra, item))
    return True
