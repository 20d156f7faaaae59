# SPDX-License-Identifier: Apache-2.0
"""A stored custom-resource value as the operator's Go structs read it and ``json.Marshal`` writes it back.

The operator hashes ``json.Marshal`` of typed Go values (M01), so the bytes depend on the Go
types, not on how the user wrote the YAML: fields come out in struct declaration order, a field
tagged ``omitempty`` is left out when its Go value is empty (``false``, ``0``, ``""``, a nil
pointer, an empty slice or map; a struct never is), an untagged zero value is written
(``""``, ``0``, ``false``, ``null``, ``{}``), a field the struct does not have is dropped (the
API server prunes it first), maps come out with their keys sorted, strings HTML-escaped
(:func:`krm_dynamo.kube.gojson.dumps`) and quantities as Go writes them back
(:func:`krm_dynamo.kube.quantity.stored_string`: canonical, or the text as written when Go
keeps it).

Before the operator reads the object, the API server applies the CRD's ``default`` values
to fields absent (or null) under a present parent; :func:`encode` does that from ``defaults`` (schema
path -> value; ``[]`` steps into list items, ``{}`` into map values).

The struct layout is data (``golayout.json``, generated from the Go types by
``scripts/generate_go_layout.py``): per type, ``[json name, omitempty, descriptor]`` in
declaration order (``omitempty`` is ``"zero"`` for a field also tagged ``omitzero``, such as
``creationTimestamp``); a descriptor is a scalar kind (``string``, ``bool``, ``int``, ``float``,
``any``), a type name, ``["ptr"|"slice"|"map", descriptor]``, ``["inline", type]`` (an
embedded struct whose fields are promoted in place) or ``marshaler:<type>`` (a type with its
own ``MarshalJSON``).
"""

from __future__ import annotations

from typing import Any

from krm_dynamo.kube import gojson, quantity

Layout = dict[str, list[list[Any]]]
_ABSENT = object()  # a field the stored object does not have (Go: the zero value)


class Encoder:
    """``json.Marshal`` of values typed by a :data:`Layout`, with CRD defaulting first."""

    def __init__(self, types: Layout, defaults: dict[str, Any]) -> None:
        self.types = types
        self.defaults = defaults

    def encode(self, value: Any, desc: Any, path: str = "") -> str:
        """The Go JSON of ``value`` (a YAML-read value or :data:`_ABSENT`) of type ``desc``."""
        if isinstance(desc, list):
            return self._composite(value, desc, path)
        if desc in _SCALARS:
            return _scalar(value, desc)
        if desc.startswith("marshaler:"):
            return self._marshaler(value, desc[len("marshaler:"):], path)
        if not isinstance(value, dict):  # the zero struct: no CRD defaults below an absent parent
            return self._struct({}, desc, None)
        return self._struct(value, desc, path)

    def _composite(self, value: Any, desc: list[Any], path: str) -> str:
        kind, inner = desc
        if kind == "ptr":
            return "null" if value is None or value is _ABSENT else self.encode(value, inner, path)
        if kind == "slice":
            if not isinstance(value, list):
                return "null"
            return "[" + ",".join(self.encode(v, inner, path + "[]") for v in value) + "]"
        if not isinstance(value, dict):  # map
            return "null"
        # The API server drops a null map value (no map here is nullable or has a default).
        keys = sorted((k for k in value if value[k] is not None), key=lambda k: str(k).encode())
        return "{" + ",".join(f"{gojson.dumps(str(k))}:{self.encode(value[k], inner, path + '{}')}"
                              for k in keys) + "}"

    def fields(self, value: dict[str, Any], type_name: str, path: str | None) -> list[str]:
        """``"name":value`` of every field a struct writes, in declaration order.

        ``path`` is the struct's schema path for the CRD defaults; None for a zero struct.
        """
        out: list[str] = []
        for name, omitempty, desc in self.types[type_name]:
            if name == "":  # an embedded struct: its fields in its place
                out += self.fields(value, desc[1], path)
                continue
            sub = None if path is None else f"{path}.{name}" if path else name
            item = value.get(name, _ABSENT)
            if (item is _ABSENT or item is None) and sub in self.defaults:
                item = self.defaults[sub]  # the API server defaults a null too (no field here is nullable)
            if omitempty and (_empty(item, desc) or (omitempty == "zero" and (item is _ABSENT or item is None))):
                continue  # "zero": also ``omitzero``, a struct left out at its zero value (an unset metav1.Time)
            out.append(f"{gojson.dumps(name)}:{self.encode(item, desc, sub or '')}")
        return out

    def _struct(self, value: dict[str, Any], type_name: str, path: str | None) -> str:
        return "{" + ",".join(self.fields(value, type_name, path)) + "}"

    def _marshaler(self, value: Any, type_name: str, path: str) -> str:
        if type_name == "resource.Quantity":
            return gojson.dumps("0" if value is _ABSENT or value is None else quantity.stored_string(value))
        if type_name == "intstr.IntOrString":
            if isinstance(value, int) and not isinstance(value, bool):
                return str(value)
            return gojson.dumps(value) if isinstance(value, str) else "0"
        if type_name == "v1alpha1.ExtraPodSpec":
            return self._extra_pod_spec(value if isinstance(value, dict) else {}, path)
        # metav1.Time, Duration, FieldsV1, json.RawMessage: only under fields the hash leaves out.
        return "null" if value is _ABSENT or value is None else gojson.dumps(value)

    def _extra_pod_spec(self, value: dict[str, Any], path: str) -> str:
        """``ExtraPodSpec.MarshalJSON``: the pod spec fields (only when one is set), then
        ``containers`` and ``mainContainer``, both left out when empty."""
        pod_fields = [f for f in self.types["v1.PodSpec"] if f[0] != "containers"]
        has_pod = any(f[0] in value for f in pod_fields)
        out = self.fields(value, "v1.PodSpec", path) if has_pod else []
        out = [f for f in out if not f.startswith('"containers":')]
        containers = value.get("containers")
        if isinstance(containers, list) and containers:
            out.append('"containers":' + self.encode(containers, ["slice", "v1.Container"], path + ".containers"))
        main = value.get("mainContainer")
        if main is not None:
            out.append('"mainContainer":' + self.encode(main, "v1.Container", path + ".mainContainer"))
        return "{" + ",".join(out) + "}"


_SCALARS = frozenset({"string", "bool", "int", "float", "any", "bytes"})


def _scalar(value: Any, kind: str) -> str:
    if value is _ABSENT or value is None:
        return {"string": '""', "bool": "false", "int": "0", "float": "0"}.get(kind, "null")
    if kind == "int" and isinstance(value, (int, float)) and not isinstance(value, bool) and value == int(value):
        return str(int(value))  # a typed Go integer: exact (gojson.dumps writes numbers as float64)
    if kind == "string" and isinstance(value, (int, float)) and not isinstance(value, bool):
        # A number where Go reads a string (``gpu: 1``): the API server would refuse it, the
        # rules read it as its text, so the hash is the one of the quoted value (D73).
        return gojson.dumps(gojson.format_float(value) if isinstance(value, float) else str(value))
    return gojson.dumps(value)


def _empty(value: Any, desc: Any) -> bool:
    """Go's ``isEmptyValue`` of the value the decoder leaves in a field of type ``desc``."""
    if value is _ABSENT or value is None:  # a JSON null leaves a non-pointer field at its zero value
        if isinstance(desc, list) or desc in _SCALARS:
            return True
        return bool(desc.startswith("marshaler:") and desc not in _STRUCT_LIKE)  # a struct is never empty
    if isinstance(desc, list):
        if desc[0] == "ptr":
            return False
        if isinstance(value, dict):  # null values are dropped (see _composite)
            return all(v is None for v in value.values())
        return isinstance(value, list) and len(value) == 0
    if desc in ("string", "bytes"):
        return bool(value == "")
    if desc in ("bool", "int", "float"):
        return not value
    return False  # a struct, or a type with its own MarshalJSON that is a struct


# Struct types with a MarshalJSON are never empty for omitempty.
_STRUCT_LIKE = frozenset({"marshaler:resource.Quantity", "marshaler:intstr.IntOrString",
                          "marshaler:v1.Duration", "marshaler:v1.Time"})
