# SPDX-License-Identifier: Apache-2.0
"""JSON as Go's ``encoding/json`` reads it into ``any`` and writes a ``map[string]any`` back.

The operator reads ``DYN_DEPLOYMENT_CONFIG`` with ``json.Unmarshal`` and, for a frontend,
writes it back with ``json.Marshal`` (``graph.go`` ``updateDynDeploymentConfig``). Through
``any`` every JSON number becomes a float64, so the text that comes back is Go's, not the
user's: compact, map keys sorted byte-wise, ``1.0`` written ``1``, ``1e3`` written ``1000``.

Reading (:func:`loads`) keeps what Python's ``json`` gives (``int`` / ``float``) so that a
typed reader can still tell ``2`` from ``2.0``; ``NaN`` and ``Infinity``, which Go's parser
rejects, come back as :class:`NonJSONConstant` for the caller to report. Writing
(:func:`dumps`) follows ``encoding/json`` ``encode.go``: floats per :func:`format_float`,
strings with ``<``, ``>``, ``&``, U+2028 and U+2029 escaped (HTML-safe), ``\\b`` / ``\\f``
short escapes and other control characters as ``\\u00XX``.
"""

from __future__ import annotations

import math
import re
from typing import Any

from krm_dynamo.kio import limits

# encoding/json encode.go floatEncoder: exponent form below 1e-6 and from 1e21 on.
E_FORM_BELOW = 1e-6
E_FORM_FROM = 1e21


class NonJSONConstant(float):
    """``NaN``, ``Infinity`` or ``-Infinity`` in the text: Python reads them, Go's parser does not."""

    def __new__(cls, text: str) -> NonJSONConstant:
        value = super().__new__(cls, float(text.replace("Infinity", "inf")))
        value.text = text
        return value

    text: str


class NegativeZero(int):
    """The JSON integer ``-0``: 0 to a typed reader, ``-0`` to a float64 (Go writes it back as ``-0``)."""


def _parse_int(text: str) -> int:
    return NegativeZero(0) if text == "-0" else int(text)


class TooDeep(ValueError):
    """JSON text nested deeper than :data:`krm_dynamo.kio.limits.MAX_JSON_DEPTH` levels."""


# A JSON string, escapes included: its brackets do not nest anything. Compiled when first used
# (``re`` keeps them): only a graph with JSON text pays for it.
_STRING = r'"(?:[^"\\]|\\.)*"'
_BRACKETS = r"[\[\]{}]"


def nesting_depth(text: str) -> int:
    """How deep arrays and objects nest in JSON ``text`` (``[[1]]`` is 2); linear in the text.

    Counted on the text, before any parse, so that no recursion runs on a deep value.
    Brackets inside strings do not count; in text that is not JSON the count is a bound only.
    """
    depth = deepest = 0
    for bracket in re.compile(_BRACKETS).findall(re.compile(_STRING, re.DOTALL).sub("", text)):
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def loads(text: str) -> Any:
    """Parse JSON text; numbers as Python reads them, non-JSON constants as :class:`NonJSONConstant`.

    Raises:
        TooDeep: arrays and objects nest deeper than ``limits.MAX_JSON_DEPTH`` levels.
        ValueError: the text is not JSON (``json.JSONDecodeError``).
    """
    if nesting_depth(text) > limits.MAX_JSON_DEPTH:
        raise TooDeep(f"JSON nested deeper than {limits.MAX_JSON_DEPTH} levels (the limit)")

    import json  # only for a graph that sets DYN_DEPLOYMENT_CONFIG

    return json.loads(text, parse_constant=NonJSONConstant, parse_int=_parse_int)


def float64_problem(value: Any, *, constants: bool = True) -> str | None:
    """Why Go's ``json.Unmarshal`` into ``any`` fails on a parsed value, or None.

    Go rejects numbers beyond float64 (``1e400``) and, with ``constants``, ``NaN`` /
    ``Infinity`` (not JSON at all).
    """
    if isinstance(value, NonJSONConstant):
        return f"`{value.text}` is not JSON" if constants else None
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return None
    if isinstance(value, (int, float)):
        try:
            return None if math.isfinite(float(value)) else f"the number {value!r} does not fit a float64"
        except OverflowError:
            return "a number has more digits than a float64 holds"
    items = value.values() if isinstance(value, dict) else value
    for item in items:
        problem = float64_problem(item, constants=constants)
        if problem:
            return problem
    return None


def format_float(value: float) -> str:
    """A float64 as ``encoding/json`` writes it.

    ``strconv.FormatFloat(f, 'f', -1, 64)`` (the shortest digits that read back as ``f``, no
    exponent) when ``f`` is 0 or ``1e-6 <= |f| < 1e21``; otherwise ``'e'`` with the shortest
    digits and a two-digit exponent, ``e-07`` then shortened to ``e-7``. ``-0`` stays ``-0``.

    Raises:
        ValueError: ``value`` is NaN or infinite (Go's ``UnsupportedValueError``).
    """
    if not math.isfinite(value):
        raise ValueError(f"unsupported value: {value!r}")
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    magnitude = abs(value)
    if magnitude == 0:
        return f"{sign}0"
    digits, exponent = shortest_digits(magnitude)  # value = int(digits) * 10**exponent
    point = len(digits) + exponent  # value = 0.<digits> * 10**point
    if E_FORM_BELOW <= magnitude < E_FORM_FROM:
        if exponent >= 0:
            return sign + digits + "0" * exponent
        if point > 0:
            return f"{sign}{digits[:point]}.{digits[point:]}"
        return f"{sign}0.{'0' * -point}{digits}"
    mantissa = digits[0] + (f".{digits[1:]}" if len(digits) > 1 else "")
    power = point - 1
    text = f"{sign}{mantissa}e{'-' if power < 0 else '+'}{abs(power):02d}"
    if text[-4:-1] == "e-0":  # encode.go: clean up e-09 to e-9
        text = text[:-2] + text[-1]
    return text


def shortest_digits(magnitude: float) -> tuple[str, int]:
    """``(digits, exponent)`` of a finite float > 0: ``magnitude == int(digits) * 10**exponent``.

    The shortest digits that read back as ``magnitude`` (``repr``'s, as strconv's shortest mode
    gives them), no leading or trailing zeros: ``1500.0`` is ``("15", 2)``, ``1e-07`` ``("1", -7)``.
    Read off the ``repr`` text in ``str`` and ``int`` operations, what ``Decimal(repr(f)).normalize()``
    gives (tests/unit/test_gojson_numbers.py compares them) without importing ``decimal``.
    """
    mantissa, _, power = repr(magnitude).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    trimmed = digits.rstrip("0")
    return trimmed, int(power or 0) - len(fraction) + len(digits) - len(trimmed)


def _string(text: str) -> str:
    import json

    out = json.dumps(text, ensure_ascii=False)
    return (
        out.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    )


def dumps(value: Any) -> str:
    """``json.Marshal`` of a value read into ``any``: compact, keys sorted, numbers as float64.

    Raises:
        ValueError: a number that is no finite float64 (see :func:`any_problem`).
    """
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, (int, float)):
        if isinstance(value, NegativeZero):
            return "-0"
        try:
            return format_float(float(value))
        except OverflowError as exc:
            raise ValueError(str(exc)) from None
    if isinstance(value, dict):
        # Go sorts map keys byte-wise on their UTF-8 form, which is code-point order.
        body = ",".join(f"{_string(k)}:{dumps(value[k])}" for k in sorted(value))
        return "{" + body + "}"
    return "[" + ",".join(dumps(item) for item in value) + "]"
