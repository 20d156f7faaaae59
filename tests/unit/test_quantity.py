# SPDX-License-Identifier: Apache-2.0
"""Kubernetes quantity parsing and canonical serialisation (as the operator's resource mapping writes them)."""

import pytest
from hypothesis import given, settings
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


@pytest.mark.parametrize("raw", ["", "abc", "1.2.3", "2gi", "1Gb", "Gi", "--1", True, None, [1], "1e", "1 Gi", "1En"])
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


# --- the integer path and the Decimal path agree -------------------------------------------------
# parse() reads a whole number with a whole-number suffix in int arithmetic (no `decimal` import) and
# everything else in Decimal. Both paths run on every string below and must give the same value,
# family, suffix flag, canonical and stored strings, or the same error.

_ALL_SUFFIXES = ["", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei",
                 "e0", "e3", "E3", "e-2", "E+6", "e100", "e101", "e-100", "e", "E", "i", "K", "mi", "gi", "Gb", "Mii"]
_NUMBERS = ["0", "00", "1", "7", "01", "10", "999", "1000", "1023", "1024", "1536", "4096", "1000000",
            "123456789", str(2**63 - 1), str(2**63), str(10**18), str(10**19 - 1), str(10**36), str(10**37),
            str(10**37 + 1), "9" * 37, "9" * 38, "1" * 100, "1" * 101, "0" * 99 + "5", "0.5", "1.", ".5", "1.5",
            "0.001", "1.0000000001", "12.340", "", ".", "1.2.3", "١٢", "²", "1_000", "0x10", "1 ", "Ki"]


def _outcome(path, text):
    try:
        parsed = path(text)
    except quantity.QuantityError as exc:
        return ("error", str(exc))
    return (parsed.value, parsed.format, parsed.has_suffix, parsed.canonical())


def _assert_same(text):
    stripped = quantity._number_text(text)  # what parse() reads of a string, an int or a float
    fast, exact = _outcome(quantity.parse, text), _outcome(quantity._parse_decimal, stripped)
    assert fast == exact, text
    # The integer path took it exactly when the value is an int (else parse() is the Decimal path itself).
    assert isinstance(fast[0], int) == (quantity._whole(stripped) is not None), text
    assert not isinstance(exact[0], int), text


def test_both_paths_agree_on_every_suffix_sign_and_number():
    """Every sign x number x suffix (whole, fractional, exponents, out of range, invalid): both paths agree."""
    count = 0
    for sign in ("", "+", "-", "--", "+-"):
        for number in _NUMBERS:
            for suffix in _ALL_SUFFIXES:
                _assert_same(f"{sign}{number}{suffix}")
                _assert_same(f"{sign}{number}{suffix} ")
                count += 2
    assert count > 5000


@settings(max_examples=2000)
@given(
    st.sampled_from(["", "+", "-"]),
    st.one_of(st.integers(min_value=0, max_value=10**40), st.text("0123456789.eE+-", max_size=12)),
    st.sampled_from(_ALL_SUFFIXES),
)
def test_both_paths_agree_on_generated_quantities(sign, number, suffix):
    """Random numbers (big ones, junk) with every suffix: the integer path gives what Decimal gives."""
    _assert_same(f"{sign}{number}{suffix}")
    _assert_same(f" {sign}{number}{suffix}\n")


@settings(max_examples=1000)
@given(st.one_of(st.integers(min_value=-(10**40), max_value=10**40), st.floats(allow_nan=False)))
def test_both_paths_agree_on_yaml_numbers(raw):
    """A YAML int or float (int-or-string fields): both paths agree."""
    _assert_same(raw)


def test_whole_numbers_do_not_import_decimal():
    """The common values ("1", "8Gi", "10k") never load the decimal module (~0.7 ms at start-up)."""
    import subprocess
    import sys

    probe = ("import sys; from krm_dynamo.kube import quantity\n"
             "print([quantity.canonical(v) for v in ('1', 8, '8Gi', '10k', '-2Mi')], 'decimal' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['1', '8', '8Gi', '10k', '-2Mi'] False"
