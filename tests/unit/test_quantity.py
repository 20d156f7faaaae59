# SPDX-License-Identifier: Apache-2.0
"""Kubernetes quantity parsing and canonical serialisation (as the operator's resource mapping writes them)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from krm_dynamo.kube import quantity


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1000m", "1"),
        ("0.5", "500m"),
        ("1024Mi", "1Gi"),
        ("1000", "1k"),
        ("1", "1"),
        ("10", "10"),
        ("100m", "100m"),
        ("40Gi", "40Gi"),
        ("8Gi", "8Gi"),
        ("1000Mi", "1000Mi"),  # not a whole number of Gi: stays binary in Mi
        ("0.5Gi", "512Mi"),
        ("1.5Gi", "1536Mi"),
        ("1.5Ki", "1536"),  # binary value that is not a multiple of 1024
        ("512Ki", "512Ki"),
        ("100Ki", "100Ki"),
        ("1e3", "1e3"),  # exponent notation keeps its family
        ("12e6", "12e6"),
        ("2048", "2048"),
        ("1500000", "1500k"),
        ("0", "0"),
        ("0Gi", "0"),
        ("-1", "-1"),
        ("0.1m", "100u"),
        ("1.5n", "2n"),  # sub-nano precision is rounded up
        ("+2", "2"),
        (50, "50"),
        (0.5, "500m"),
        ("1Ei", "1Ei"),
        (" 2Gi ", "2Gi"),
    ],
)
def test_canonical(raw, expected):
    """Every value serialises as Kubernetes' typed Quantity would."""
    assert quantity.canonical(raw) == expected


@pytest.mark.parametrize("raw", ["", "abc", "1.2.3", "2gi", "1Gb", "Gi", "--1", True, None, [1], "1e", "1 Gi"])
def test_invalid(raw):
    """Anything ParseQuantity rejects raises QuantityError with a readable message."""
    with pytest.raises(quantity.QuantityError):
        quantity.parse(raw)


@pytest.mark.parametrize(
    ("raw", "has_suffix", "fmt"),
    [
        ("50", False, quantity.DECIMAL_SI),
        (50, False, quantity.DECIMAL_SI),
        ("50Gi", True, quantity.BINARY_SI),
        ("50G", True, quantity.DECIMAL_SI),
        ("5e1", True, quantity.DECIMAL_EXPONENT),
    ],
)
def test_suffix_and_format(raw, has_suffix, fmt):
    """The suffix family is kept (it decides the canonical form); a bare number has none (D23)."""
    parsed = quantity.parse(raw)
    assert (parsed.has_suffix, parsed.format) == (has_suffix, fmt)


def test_exact_value():
    """Values are exact decimals, not floats."""
    from decimal import Decimal

    assert quantity.parse("1.5Gi").value == Decimal(1610612736)
    assert quantity.parse("100m").value == Decimal("0.1")


_SUFFIXES = ["", "m", "k", "M", "G", "Ki", "Mi", "Gi", "Ti", "e3", "e-2", "u", "n"]


@given(
    st.integers(min_value=0, max_value=10**12),
    st.integers(min_value=0, max_value=999),
    st.sampled_from(_SUFFIXES),
)
def test_canonical_is_stable_and_exact(whole, fraction, suffix):
    """Serialising keeps the value (to nano precision) and is idempotent."""
    raw = f"{whole}.{fraction:03d}{suffix}" if fraction else f"{whole}{suffix}"
    once = quantity.canonical(raw)
    assert quantity.canonical(once) == once
    assert quantity.parse(once).value == quantity.parse(raw).value
