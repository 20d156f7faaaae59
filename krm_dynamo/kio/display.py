# SPDX-License-Identifier: Apache-2.0
"""How messages show a value a user wrote: one vocabulary for every "got ..." in results.

YAML names for the types (``mapping``, ``list``, ``string``, ``boolean``, ``integer``,
``number``, ``null``), and scalars as they are written in YAML (``"text"``, ``true``,
``null``, ``8000``). Plain functions and one small table: imported on every call.
"""

from __future__ import annotations

_TYPE_NAMES: dict[type, str] = {
    dict: "mapping",
    list: "list",
    str: "string",
    bool: "boolean",
    int: "integer",
    float: "number",
    type(None): "null",
}


def type_name(value: object) -> str:
    """The YAML name of the value's type (``mapping``, ``integer``, ...); else the Python name."""
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def show_value(value: object) -> str:
    """A value as a message shows it: ``"text"``, ``null``, ``true``, ``8000``, ``a mapping``, ``a list``."""
    if isinstance(value, str):
        return f'"{value}"'
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return f"a {type_name(value)}"
    return str(value)


def describe(key: str, value: object) -> str:
    """``key "value"``, or ``no key`` when the value is absent (None)."""
    return f"no {key}" if value is None else f'{key} "{value}"'
