# SPDX-License-Identifier: Apache-2.0
"""YAML text as ``sigs.k8s.io/yaml`` ``Marshal`` writes a Go value (go-yaml v2 underneath).

``Marshal`` writes the value as JSON first and re-reads that JSON as generic YAML, so the
text follows go-yaml v2's rules for maps and scalars: every map's keys sorted in go-yaml's
"natural" order (runs of digits compared as numbers), sequences not indented under their
key, a number that is whole written as an integer and any other float in Go's shortest
``%g`` form, a string quoted only when it would read back as something else (double quotes
when it resolves to another type, single quotes when its characters forbid the plain
style). The operator writes an EPP's EndpointPickerConfig into its ConfigMap this way
(N07). Strings are never folded at 80 columns as go-yaml does (D56).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

# Plain strings that YAML 1.1 (go-yaml v2 resolve) reads as another type. Not kio.scalars'
# _YAML11_WORDS on purpose: this is exactly go-yaml v2's table, so the bytes match the operator's
# ("=" stays plain here, as the operator writes it; "", .inf and .nan are words here, numbers there).
_OTHER_TYPES = frozenset({
    "", "~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True",
    "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", ".inf", ".Inf", ".INF", "+.inf",
    "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN", "<<",
})
_NUMBER = re.compile(r"[-+]?(0b[01_]+|0x[0-9a-fA-F_]+|0o?[0-7_]+|[0-9][0-9_]*|[0-9_]*\.[0-9_]*([eE][-+]?[0-9]+)?"
                     r"|[0-9][0-9_]*[eE][-+]?[0-9]+|[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?)")
_TIMESTAMP = re.compile(r"\d{4}-\d\d?-\d\d?([Tt ]|$).*")
_INDICATORS = "#,[]{}&*!|>'\"%@`"


def marshal(value: Any) -> str:
    """The YAML text of a JSON-like ``value`` (dicts, lists, str, int, float, bool, None)."""
    lines = _node(value, 0)
    return "\n".join(lines) + "\n"


def _node(value: Any, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(value, dict) and value:
        out = []
        for key in sorted(value, key=_natural_key):
            out += _entry(f"{pad}{scalar(str(key))}:", value[key], indent, nested_indent=indent + 2)
        return out
    if isinstance(value, list) and value:
        out = []
        for item in value:
            inner = _node(item, indent + 2)
            if _is_block(item):
                out.append(f"{pad}- {inner[0].lstrip()}")
                out += inner[1:]
            else:
                out.append(f"{pad}- {inner[0].strip()}")
        return out
    return [pad + scalar(value)]


def _entry(head: str, value: Any, indent: int, nested_indent: int) -> list[str]:
    if isinstance(value, dict) and value:
        return [head, *_node(value, nested_indent)]
    if isinstance(value, list) and value:
        return [head, *_node(value, indent)]  # go-yaml v2: a sequence sits at its key's indentation
    if isinstance(value, str) and "\n" in value:
        chomp = "" if value.endswith("\n") and not value.endswith("\n\n") else "+" if value.endswith("\n") else "-"
        body = value[:-1] if value.endswith("\n") else value
        return [f"{head} |{chomp}", *[(" " * nested_indent + line) if line else "" for line in body.split("\n")]]
    return [f"{head} {scalar(value)}"]


def _is_block(value: Any) -> bool:
    return isinstance(value, (dict, list)) and bool(value)


def scalar(value: Any) -> str:
    """One scalar (or an empty map or list) as go-yaml v2 writes it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_float(value)
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    text = str(value)
    if text in _OTHER_TYPES or _NUMBER.fullmatch(text) or _TIMESTAMP.fullmatch(text):
        return json.dumps(text, ensure_ascii=False)
    if _plain_forbidden(text):
        if any(ord(c) < 32 for c in text):
            return json.dumps(text, ensure_ascii=False)
        return "'" + text.replace("'", "''") + "'"
    return text


def _plain_forbidden(text: str) -> bool:
    first = text[0]
    if first in _INDICATORS or (first in "-?:" and (len(text) == 1 or text[1] == " ")):
        return True
    if text != text.strip() or ": " in text or " #" in text or text.endswith(":"):
        return True
    return any(ord(c) < 32 for c in text)


def go_float(value: float) -> str:
    """A float64 after a JSON round trip, as go-yaml v2 writes it.

    A whole number below 1e21 comes back from JSON as an integer; any other value is
    written with ``strconv.FormatFloat(f, 'g', -1, 64)`` (exponent form from 1e+06 and
    below 1e-04, at least two exponent digits).
    """
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    from decimal import Decimal  # here: only a config with a fractional or huge number pays for it

    parts = Decimal(repr(abs(value))).normalize().as_tuple()
    digits = "".join(str(d) for d in parts.digits)
    exp = len(digits) + int(parts.exponent) - 1
    sign = "-" if value < 0 else ""
    if exp < -4 or exp >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    return sign + format(Decimal(repr(abs(value))).normalize(), "f")


def _natural_key(key: Any) -> list[tuple[int, Any]]:
    """go-yaml v2's key order: runs of digits compare as numbers, a letter after any non-letter."""
    out: list[tuple[int, Any]] = []
    for run in re.findall(r"\d+|\D", str(key)):
        if run.isdigit():
            out.append((1, (int(run), len(run))))
        else:
            out.append((2 if run.isalpha() else 0, run))
    return out
