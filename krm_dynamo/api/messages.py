# SPDX-License-Identifier: Apache-2.0
"""The words of a parse result: field paths, values as the user wrote them, type errors.

Plain text helpers without pydantic, so modules on the no-DGD path may use them too.
A parse error reads ``expected `replicas` to be an integer, got "2"``: the field's own
name, what the API types it as, and the value in YAML terms (never a Python repr).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from krm_dynamo.kio import display

_VALUE_ERROR_PREFIX = "Value error, "  # how pydantic prefixes the text of a validator's ValueError

# pydantic error type -> what the field is expected to be.
_EXPECTED = {
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "a string",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "list_type": "a list",
}


def field_path(loc: tuple[str | int, ...]) -> str:
    """The user's path of a location: ``("spec", "pvcs", 0, "size")`` -> ``spec.pvcs[0].size``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


# One vocabulary for values in every message (the edge's): ``"text"``, ``null``, ``a mapping``.
show_value = display.show_value
kind_name = display.type_name


def error_message(err: Mapping[str, Any]) -> str:
    """The message of one pydantic error (an item of ``ValidationError.errors()``).

    Names the innermost field of ``err["loc"]``; a validator's own ``ValueError`` text is
    used as written (an int32 bound gets the field's name put in front).
    """
    name = next((str(p) for p in reversed(err["loc"]) if isinstance(p, str)), "value")
    msg = str(err["msg"]).removeprefix(_VALUE_ERROR_PREFIX)
    kind = err["type"]
    found = show_value(err.get("input"))
    if kind in _EXPECTED:
        return f"expected `{name}` to be {_EXPECTED[kind]}, got {found}"
    if kind == "greater_than_equal":
        return f"expected `{name}` to be at least {err['ctx']['ge']}, got {found}"
    if kind == "value_error":
        return msg if not msg.startswith("expected at most") else f"expected `{name}` to be{msg[len('expected'):]}"
    return f"invalid `{name}`: {msg}"
