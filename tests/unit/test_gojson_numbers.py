# SPDX-License-Identifier: Apache-2.0
"""Go's float64 text without ``decimal``: ``gojson.shortest_digits`` gives what ``Decimal`` gives.

``format_float`` (the JSON number text of ``DYN_DEPLOYMENT_CONFIG`` and of the worker hash) once read
the shortest digits with ``Decimal(repr(f)).normalize()``; it now reads them off ``repr`` in ``str``
and ``int`` operations, so that no run imports ``decimal`` for them. Both run here on thousands of
floats, every binade and the edges, and must agree on the digits and on the text.
"""

import random
import struct
import sys
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from krm_dynamo.kube import gojson


def _by_decimal(magnitude):
    parts = Decimal(repr(magnitude)).normalize().as_tuple()
    return "".join(str(d) for d in parts.digits), int(parts.exponent)


def _format_by_decimal(value):
    """format_float as it was written with Decimal (the reference)."""
    sign = "-" if str(value).startswith("-") else ""
    magnitude = abs(value)
    if magnitude == 0:
        return f"{sign}0"
    digits, exponent = _by_decimal(magnitude)
    point = len(digits) + exponent
    if gojson.E_FORM_BELOW <= magnitude < gojson.E_FORM_FROM:
        if exponent >= 0:
            return sign + digits + "0" * exponent
        if point > 0:
            return f"{sign}{digits[:point]}.{digits[point:]}"
        return f"{sign}0.{'0' * -point}{digits}"
    mantissa = digits[0] + (f".{digits[1:]}" if len(digits) > 1 else "")
    power = point - 1
    text = f"{sign}{mantissa}e{'-' if power < 0 else '+'}{abs(power):02d}"
    return text[:-2] + text[-1] if text[-4:-1] == "e-0" else text


def _assert_same(value):
    if value != 0:
        assert gojson.shortest_digits(abs(value)) == _by_decimal(abs(value)), repr(value)
    assert gojson.format_float(value) == _format_by_decimal(value), repr(value)


EDGES = [0.0, -0.0, 5e-324, -5e-324, sys.float_info.min, sys.float_info.max, 1e-6, 9.999999999999999e-7, 1e21,
         9.999999999999999e20, 1.0, 0.1, 0.5, 1.5, 100.0, 123456789.0, 1e16, 1e17, 1.7976931348623157e308,
         2.0**53, 2.0**53 + 2, 1e-7, 1.25e-7, 0.000123, 1e22, 1e100, 123.456]


def test_edges():
    for value in EDGES:
        _assert_same(value)
        _assert_same(-value)


def test_every_binade_and_random_bits():
    """Every exponent of a float64 with random mantissas, and random bit patterns: thousands of floats."""
    rng = random.Random(14)
    for biased in range(0, 2047):
        for _ in range(3):
            bits = (biased << 52) | rng.getrandbits(52)
            _assert_same(struct.unpack("<d", struct.pack("<Q", bits))[0])
    for _ in range(5000):
        value = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
        if value == value and abs(value) != float("inf"):
            _assert_same(value)


@settings(max_examples=2000)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_generated_floats(value):
    _assert_same(value)
