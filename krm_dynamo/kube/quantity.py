# SPDX-License-Identifier: Apache-2.0
"""Kubernetes ``resource.Quantity``: parse and serialise exactly as the API machinery does.

The operator builds typed objects, so every quantity it writes (container resources,
``emptyDir.sizeLimit``, PVC ``storage``) reaches the cluster in the canonical form
Kubernetes serialises: ``"1000m"`` -> ``"1"``, ``"0.5"`` -> ``"500m"``, ``"1024Mi"`` ->
``"1Gi"``, ``"1000"`` -> ``"1k"``. The rules below restate
``k8s.io/apimachinery/pkg/api/resource`` (``CanonicalizeBytes``): the value keeps the
family of the suffix it was written with (binary, decimal SI, decimal exponent); a
binary value below 1024 or with a fraction falls back to decimal SI. Arithmetic is exact,
so nothing is rounded but sub-nano precision (rounded up, as Kubernetes does): a whole number
with an optional whole-number suffix (``"2"``, ``"8Gi"``, ``"10k"``, nearly every real value)
is an ``int``, computed with integer arithmetic; anything else (a fraction, ``m``/``u``/``n``,
an exponent, an error) takes :class:`decimal.Decimal`, imported only then (tests/unit/
test_quantity.py runs both paths on every input and compares).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from krm_dynamo.record import dataclass

if TYPE_CHECKING:
    from decimal import Decimal

BINARY_SI = "BinarySI"
DECIMAL_SI = "DecimalSI"
DECIMAL_EXPONENT = "DecimalExponent"

# suffix -> (base, exponent)
_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_DECIMAL_BY_EXP = {exp: suffix for suffix, exp in _DECIMAL.items()}
_BINARY_BY_EXP = {exp: suffix for suffix, exp in _BINARY.items()}
# The suffixes of whole multiples: 2^10.. and 10^0.. (integer arithmetic, :func:`_whole`).
_WHOLE_SCALE = {**{s: 2**e for s, e in _BINARY.items()}, **{s: 10**e for s, e in _DECIMAL.items() if e > 0}}

# Compiled by ``re`` on first use (it keeps them): the common values never need it.
_SYNTAX = r"^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))([A-Za-z]*|[eE][+-]?[0-9]+)$"

# Kubernetes stores a quantity as an int64 scaled value (``inf.Dec`` beyond that) and the
# API server rejects anything it cannot round-trip; no real resource comes near either
# bound. The function accepts exponents in [-MAX_EXPONENT, MAX_EXPONENT] and absolute
# values up to MAX_VALUE (2^63-1 times the largest suffix, E = 10^18, rounded up to 10^37),
# and reports anything beyond as an error instead of computing with it.
MAX_EXPONENT = 100
MAX_VALUE = 10**37


class QuantityError(ValueError):
    """A value that is not a Kubernetes quantity; the message says what was wrong."""


@dataclass(frozen=True)
class Quantity:
    """A parsed quantity: exact value and the suffix family it was written in."""

    value: int | Decimal  # int for a whole number read by the integer path; equal either way
    format: str
    has_suffix: bool

    def canonical(self) -> str:
        """The string Kubernetes would serialise this quantity as."""
        return _canonical(self.value, self.format)


def parse(raw: object) -> Quantity:
    """Parse a quantity given as a string or a YAML number (int-or-string fields).

    Raises:
        QuantityError: for anything Kubernetes' ``ParseQuantity`` would reject.
    """
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        raise QuantityError(f"expected a quantity such as \"2\", \"500m\" or \"20Gi\", got {raw!r}")
    text = _number_text(raw)
    whole = _whole(text)
    return whole if whole is not None else _parse_decimal(text)


def _whole(text: str) -> Quantity | None:
    """``text`` as a whole number with a whole-number suffix (or none), exactly in ``int``; else None.

    None for anything else, including every error: :func:`_parse_decimal` reads those. The same
    value, family and suffix as that path gives (tests/unit/test_quantity.py compares them).
    """
    if text[-2:] in _BINARY:
        suffix, fmt = text[-2:], BINARY_SI
    elif text[-1:] in _WHOLE_SCALE:
        suffix, fmt = text[-1:], DECIMAL_SI
    else:
        suffix, fmt = "", DECIMAL_SI
    number = text[: len(text) - len(suffix)]
    digits = number[1:] if number[:1] in ("+", "-") else number
    if not (digits.isascii() and digits.isdigit()) or len(number) > 100:
        return None  # not [0-9]+ (str.isdigit alone takes other digits), or the range error
    value = int(digits) * _WHOLE_SCALE.get(suffix, 1)
    if value > MAX_VALUE:
        return None  # the range error
    return Quantity(value=-value if number[0] == "-" else value, format=fmt, has_suffix=bool(suffix))


def _parse_decimal(text: str) -> Quantity:
    """:func:`parse` of ``text`` (stripped) in :class:`decimal.Decimal`: every value, every error."""
    # here: only a value the integer path does not take (a fraction, m/u/n, an exponent) pays for it
    from decimal import ROUND_UP, Decimal, DecimalException, localcontext

    match = re.match(_SYNTAX, text)
    if not match:
        raise QuantityError(f'"{text}" is not a quantity (expected a number with an optional unit such as "20Gi")')
    number, suffix = match.groups()
    if suffix in _BINARY:
        fmt, scale = BINARY_SI, Decimal(2) ** _BINARY[suffix]
    elif suffix in _DECIMAL:
        fmt, scale = DECIMAL_SI, Decimal(10) ** _DECIMAL[suffix]
    elif not suffix.isalpha():  # the syntax's other form: [eE][+-]?[0-9]+ ("1En" is a unit, unknown)
        exponent = int(suffix[1:]) if len(suffix) <= 12 else MAX_EXPONENT + 1
        if abs(exponent) > MAX_EXPONENT:
            raise QuantityError(
                f'"{text}" is out of range (the exponent must be between -{MAX_EXPONENT} and {MAX_EXPONENT})'
            )
        fmt, scale = DECIMAL_EXPONENT, Decimal(10) ** exponent
    else:
        raise QuantityError(
            f'"{text}" has an unknown unit "{suffix}" '
            "(expected one of Ki, Mi, Gi, Ti, Pi, Ei, n, u, m, k, M, G, T, P, E)"
        )
    if len(number) > 100:
        raise QuantityError(f'"{text[:40]}..." is out of range (more than 100 digits)')
    try:
        with localcontext() as ctx:
            ctx.prec = 200
            value = Decimal(number) * scale
            if abs(value) > MAX_VALUE:
                raise QuantityError(f'"{text}" is out of range (at most 1e37)')
            # Kubernetes keeps at most nano precision and rounds away from zero.
            nano = Decimal("1e-9")
            if value != value.quantize(nano, rounding=ROUND_UP):
                value = value.quantize(nano, rounding=ROUND_UP)
    except DecimalException as exc:
        raise QuantityError(f'"{text}" is out of range ({type(exc).__name__})') from exc
    return Quantity(value=value, format=fmt, has_suffix=bool(suffix))


def canonical(raw: object) -> str:
    """Shorthand: parse and serialise canonically."""
    return parse(raw).canonical()


def _number_text(raw: str | int | float) -> str:
    if isinstance(raw, str):
        return raw.strip()
    if isinstance(raw, int):
        return str(raw)
    text = repr(raw)
    return text[:-2] if text.endswith(".0") else text


def _canonical(value: int | Decimal, fmt: str) -> str:
    if value == 0:
        return "0"
    if fmt == BINARY_SI:
        if -1024 < value < 1024 or not (isinstance(value, int) or value == value.to_integral_value()):
            fmt = DECIMAL_SI
        else:
            return _binary(int(value))
    sign, mantissa, exponent = _int_parts(value) if isinstance(value, int) else _decimal_parts(value)
    if fmt == DECIMAL_SI and exponent in _DECIMAL_BY_EXP:
        suffix = _DECIMAL_BY_EXP[exponent]
    else:
        suffix = "" if exponent == 0 else f"e{exponent}"
    return f"{sign}{mantissa}{suffix}"


def _int_parts(value: int) -> tuple[str, int, int]:
    """:func:`_decimal_parts` of a nonzero ``int``, in integer arithmetic."""
    sign = "-" if value < 0 else ""
    mantissa, exponent = abs(value), 0
    while mantissa % 10 == 0:
        mantissa //= 10
        exponent += 1
    shift = exponent % 3
    return sign, mantissa * 10**shift, exponent - shift


def _decimal_parts(value: Decimal) -> tuple[str, int, int]:
    """Integer mantissa and an exponent that is a multiple of 3 (rounded down)."""
    from decimal import localcontext  # loaded already: ``value`` is a Decimal

    sign = "-" if value < 0 else ""
    with localcontext() as ctx:
        ctx.prec = 200
        _, digits, exponent = abs(value).normalize().as_tuple()
    if not isinstance(exponent, int):  # NaN or infinity: the syntax above never lets one through
        raise QuantityError(f"{value} is not a finite quantity")
    mantissa = int("".join(map(str, digits)))
    shift = exponent % 3  # Python's modulo is non-negative: this rounds the exponent down
    return sign, mantissa * 10**shift, exponent - shift


def _binary(value: int) -> str:
    sign = "-" if value < 0 else ""
    amount, exponent = abs(value), 0
    while amount % 1024 == 0 and exponent < 60:
        amount //= 1024
        exponent += 10
    return f"{sign}{amount}{_BINARY_BY_EXP.get(exponent, '')}"


def stored_string(raw: object) -> str:
    """The string a Go ``resource.Quantity`` read from ``raw`` writes back (``MarshalJSON``).

    ``raw`` is a value as read from YAML (a string, int or float). ``ParseQuantity`` keeps the
    text as written when its fast int64 path finds it already canonical by a digit test, and
    ``MarshalJSON`` writes that text unchanged: ``"1E3"``, ``"+2"``, ``"01"``, ``"1e0"`` and
    ``"1Ki"`` stay as written; anything else comes out as :func:`canonical` does (``"1000m"``
    -> ``"1"``, ``"0.5Gi"`` -> ``"512Mi"``). A YAML number reaches Go as the JSON number Go
    writes for it. Raises :class:`QuantityError` like :func:`parse`.
    """
    from krm_dynamo.kube import gojson  # here: only the worker hash needs Go's number text

    parse(raw)  # the errors
    if isinstance(raw, int) and not -(2**63) <= raw < 2**63:
        raw = float(raw)  # the API server reads an integer beyond int64 as a float64
    text = gojson.format_float(raw) if isinstance(raw, float) else str(raw).strip()
    parsed = parse(text)
    return text if text == "0" or _kept(text) else _canonical(parsed.value, parsed.format)


def _kept(text: str) -> bool:
    """``ParseQuantity``'s "the number is in canonical form, reuse the string" test."""
    match = re.match(_SYNTAX, text)
    assert match is not None  # parse() accepted it
    number, suffix = match.groups()
    digits = number.lstrip("+-").lstrip("0")
    num, _, denom = digits.partition(".")
    num = num or "0"
    if suffix in _BINARY:
        exponent = _BINARY[suffix]
        precision = 15 - len(num) - exponent * 3 // 10 - 1
        if denom or precision < 0:
            return False
        return int(num) << exponent <= 2**63 - 1 and int(num) & 7 != 0
    exponent = _DECIMAL[suffix] if suffix in _DECIMAL else int(suffix[1:])
    scale = exponent - len(denom)
    shifted = num + denom
    if 18 - len(shifted) < 0 or scale < -9:
        return False
    return scale % 3 == 0 and not shifted.endswith("000") and shifted[0] != "0"

