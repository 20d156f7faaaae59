# SPDX-License-Identifier: Apache-2.0
"""Scalars with go-yaml v3's meaning: what a plain or tagged scalar is, and when text needs quotes.

kpt and kustomize read YAML with go-yaml v3, so a scalar means what go-yaml v3's
``resolve`` says: ``true``/``false`` (three spellings each) are the only booleans,
integers are what Go's ``strconv.ParseInt(s, 0, 64)`` (then ``ParseUint``) accepts once
``_`` is removed, a float must be written in YAML style and stay finite (``1e400`` is text),
and a date is text. Explicit tags are checked the way go-yaml v3 checks them
(``!!bool abc`` is an error, ``!!float 1`` is ``1.0``) in :mod:`krm_dynamo.kio.tags`.

For writing, :func:`needs_quotes` is go-yaml v3's own rule (anything its resolver or a
YAML 1.1 reader would take for a non-string is double-quoted) widened to every YAML 1.1
form PyYAML and go-yaml v2 know, so that the output means the same to every reader.

Plain functions, no regular expression compiled at import (start-up is paid on every run).
"""

from __future__ import annotations

import re
from typing import Any

TAG_PREFIX = "tag:yaml.org,2002:"
STR = TAG_PREFIX + "str"
INT = TAG_PREFIX + "int"
FLOAT = TAG_PREFIX + "float"
BOOL = TAG_PREFIX + "bool"
NULL = TAG_PREFIX + "null"
TIMESTAMP = TAG_PREFIX + "timestamp"
BINARY = TAG_PREFIX + "binary"
MERGE = TAG_PREFIX + "merge"

_INF = float("inf")
_INT64_MIN = -(2**63)
_UINT64_MAX = 2**64 - 1

# go-yaml v3's resolveMap: exact spellings, looked up before any number parsing.
_SPECIAL: dict[str, Any] = {
    "true": True, "True": True, "TRUE": True,
    "false": False, "False": False, "FALSE": False,
    "~": None, "null": None, "Null": None, "NULL": None,
    ".nan": float("nan"), ".NaN": float("nan"), ".NAN": float("nan"),
    ".inf": _INF, ".Inf": _INF, ".INF": _INF,
    "+.inf": _INF, "+.Inf": _INF, "+.INF": _INF,
    "-.inf": -_INF, "-.Inf": -_INF, "-.INF": -_INF,
}  # fmt: skip
_MISSING = object()
# First characters that can start a non-string under go-yaml v3 (its resolveTable).
_NUMBER_START = "+-0123456789"
_WORD_START = "yYnNtTfFoO~"
_FLOAT_CHARS = "0123456789.eE+-"  # all a YAML-style float is written with
# The first characters (and the empty text) of plain text that may mean something other than the
# text: any other plain scalar is its text, which a caller can see without calling resolve_plain.
MAY_RESOLVE = frozenset(("", *_NUMBER_START, *_WORD_START, "."))
# YAML 1.1 booleans go-yaml v3 still quotes (isOldBool), plus the 1.1 nulls and booleans. Not
# kube.goyaml's _OTHER_TYPES on purpose: that one is go-yaml v2's exact table (the operator's bytes);
# this one quotes for every YAML 1.1 reader (also "=", PyYAML's value tag), and the .inf/.nan
# words and "" are handled by needs_quotes before it.
_YAML11_WORDS = frozenset(
    (
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF",
        "true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL", "~", "=", "<<",
    )
)  # fmt: skip


class PlainKey(str):
    """A mapping key written as a plain non-string scalar (``1``, ``true``, ``1.0``, ``null``).

    go-yaml v3 keeps such keys apart by their text (``1``, ``true`` and ``1.0`` are three
    keys; a Python dict would fold them into one), and Kubernetes reads them as strings:
    so the key is its text, and it is written back plain, exactly as it came.
    """

    __slots__ = ()


class PlainDate(str):
    """An untagged plain scalar go-yaml v3 reads as a timestamp (``2001-12-14``): text here, written back plain.

    The function treats it as the string it is to Kubernetes; writing it back exactly as it
    came keeps whatever each reader made of the original.
    """

    __slots__ = ()


class Timestamp(str):
    """A scalar tagged ``!!timestamp``: its text, written back with the tag (go-yaml v3 keeps it a time)."""

    __slots__ = ()


def resolve_plain(text: str) -> Any:
    """The value of an untagged plain scalar: None, bool, int, float or the text itself."""
    if not text:
        return None
    first = text[0]
    if first in _WORD_START or first == ".":
        value = _SPECIAL.get(text, _MISSING)
        if value is not _MISSING:
            return value
        return _dot_float(text) if first == "." else text
    if first not in _NUMBER_START:
        return text
    value = _SPECIAL.get(text, _MISSING)
    if value is not _MISSING:
        return value
    if len(text) > 4 and text[4] == "-" and text[:4].isdigit():
        return PlainDate(text) if is_timestamp(text) else text  # never a number
    return _number(text)


def implicit_tag(text: str) -> str:
    """The tag go-yaml v3 gives ``text`` written plain (``STR`` for anything that stays text)."""
    first = text[:1]
    if first and first not in _NUMBER_START and first not in _WORD_START and first != ".":
        return STR
    return _tag_of(resolve_plain(text))


def _tag_of(value: Any) -> str:
    if value is None:
        return NULL
    kind = type(value)
    if kind is bool:
        return BOOL
    if kind is int:
        return INT
    if kind is float:
        return FLOAT
    return STR


def _number(text: str) -> Any:
    """go-yaml v3 for text starting with a digit or sign: int, float or the text itself."""
    plain = text.replace("_", "") if "_" in text else text
    value = _go_int(plain)
    if value is not None:
        return value
    if not plain.lstrip(_FLOAT_CHARS):
        try:
            number = float(plain)  # within digits, '.', 'e', signs: exactly go-yaml's yamlStyleFloat
        except ValueError:
            return text
        if number not in (_INF, -_INF):
            return number
    return text  # out of range (1e400) or not a number: text to go-yaml too


def _go_int(plain: str) -> int | None:
    """``strconv.ParseInt(plain, 0, 64)``, else ``ParseUint(plain, 0, 64)``; None when both fail."""
    negative = plain[0] == "-"
    signed = plain[0] in "+-"
    digits = plain[1:] if signed else plain
    base = 10
    if len(digits) > 1 and digits[0] == "0":
        prefix = digits[1]
        if prefix in "xX":
            base, digits = 16, digits[2:]
        elif prefix in "oO":
            base, digits = 8, digits[2:]
        elif prefix in "bB":
            base, digits = 2, digits[2:]
        else:
            base, digits = 8, digits[1:]  # 0644: the YAML 1.1 octal go-yaml v3 still reads
    if not digits or not digits.isascii() or not digits.isalnum():
        return None
    try:
        value = int(digits, base)
    except ValueError:
        return None
    if negative:
        value = -value
    if value < _INT64_MIN or value > _UINT64_MAX or (signed and value >= 2**63):
        return None  # ParseUint takes no sign; beyond both ranges go-yaml tries a float
    return value


def _dot_float(text: str) -> Any:
    """Text starting with '.': ``strconv.ParseFloat`` on it (``.5``, ``.5e3``), else the text."""
    if len(text) < 2 or text[1] not in _FLOAT_CHARS[:10] or text.lstrip(_FLOAT_CHARS + "_"):
        return text
    try:
        number = float(text)
    except ValueError:
        return text
    return text if number in (_INF, -_INF) else number


# --- timestamps ----------------------------------------------------------------------------

_timestamp_re: re.Pattern[str] | None = None


def is_timestamp(text: str) -> bool:
    """go-yaml v3's ``parseTimestamp``: ``2006-1-2``, with ``T``/``t`` time and zone, or a space and time.

    Go's ``time.Parse`` checks ranges too: the month, the day within the month, hour < 24,
    minute and second < 60.
    """
    global _timestamp_re
    if len(text) < 8 or text[4] != "-" or not text[:4].isdigit() or not text.isascii():
        return False
    if _timestamp_re is None:
        _timestamp_re = re.compile(
            r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"
            r"(?:[Tt]([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:[.,][0-9]+)?(?:Z|[-+]([0-9]{2}):([0-9]{2}))"
            r"| +([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:[.,][0-9]+)?)?"
        )
    match = _timestamp_re.fullmatch(text)
    if match is None:
        return False
    year, month, day = (int(g) for g in match.group(1, 2, 3))
    if not 1 <= month <= 12 or not 1 <= day <= _days_in(year, month):
        return False
    clock = match.group(4, 5, 6) if match.group(4) else match.group(9, 10, 11)
    if clock[0] is not None:
        hour, minute, second = (int(g) for g in clock)
        if hour > 23 or minute > 59 or second > 59:
            return False
    zone = match.group(7, 8)
    return zone[0] is None or (int(zone[0]) <= 24 and int(zone[1]) <= 60)


def _days_in(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


# --- writing -------------------------------------------------------------------------------

_yaml11_re: re.Pattern[str] | None = None


def needs_quotes(text: str) -> bool:
    """True when a reader could take ``text`` written plain for anything but this string.

    go-yaml v3's rule (its resolver, YAML 1.1 booleans, sexagesimal floats) plus every
    implicit type of YAML 1.1 (PyYAML, go-yaml v2): ints in base 2, 8, 16 and 60, floats,
    booleans, nulls, timestamps, ``<<`` and ``=``.
    """
    if not text:
        return True
    first = text[0]
    if first in _WORD_START or first in "=<":
        return text in _YAML11_WORDS
    if first not in _NUMBER_START and first != ".":
        return False
    if not isinstance(resolve_plain(text), str) or is_timestamp(text):
        return True
    if text.lstrip(_YAML11_NUMBER_CHARS) or _DIGITS.isdisjoint(text):
        # A character no YAML 1.1 number or timestamp is written with (`8Gi`, `25%`), or no digit
        # (`-c`; `.inf` and `.nan` resolved above): the pattern cannot match, and need not be compiled.
        return False
    global _yaml11_re
    if _yaml11_re is None:
        _yaml11_re = re.compile(_YAML11_NUMBER)
    return _yaml11_re.fullmatch(text) is not None


# Every character _YAML11_NUMBER can match (digits, signs, `.`, `_`, `:`, exponents, `0b`/`0x`
# and hex digits, `inf`/`nan`, a timestamp's `T`, blanks and `Z`).
_YAML11_NUMBER_CHARS = "0123456789+-._:eEbxabcdefABCDEFinfINFnaNATt \tZ"
_DIGITS = frozenset("0123456789")
# PyYAML's YAML 1.1 int, float and timestamp resolvers, go-yaml v3's base-60 float check,
# and the YAML 1.2 core float (``1e400`` is text to go-yaml v3, infinity to a 1.2 reader).
_YAML11_NUMBER = (
    r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|"
    r"[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+"
    r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?"
    r"|[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
    r"|[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
    r"|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9]"
    r"(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?"
)
