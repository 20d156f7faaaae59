# SPDX-License-Identifier: Apache-2.0
"""Semantic versions as the operator reads them (the origin-version annotation, B02 and V04).

The operator's library parses leniently (its default, coercing mode): an optional ``v``, missing
minor or patch numbers count as 0, leading zeros in the numbers are accepted, then a pre-release
after ``-`` (whose numeric identifiers must not start with 0) and build metadata after ``+``.
``strict=True`` also refuses leading zeros in the numbers (``01.2.3``), as semantic versioning
itself does. Order: the numbers, then a version without pre-release above any with one;
pre-release parts compare numerically when numeric (numbers before words), else as text.
"""

from __future__ import annotations

import re
from typing import Any

# Patterns, compiled on first use (start-up).
_PRE = r"(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)"
_TAIL = rf"(?:-({_PRE}(?:\.{_PRE})*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?"
_LENIENT = r"([0-9]+)"
_STRICT = r"(0|[1-9][0-9]*)"


def parse(text: str, *, strict: bool = False) -> tuple[Any, ...] | None:
    """A sort key of ``text`` as a semantic version; None when it is not one (``strict``: no
    leading zeros in the numbers either)."""
    number = _STRICT if strict else _LENIENT
    match = re.fullmatch(rf"v?{number}(?:\.{number})?(?:\.{number})?{_TAIL}", text)
    if match is None:
        return None
    core = (int(match.group(1)), int(match.group(2) or 0), int(match.group(3) or 0))
    if not match.group(4):
        return (*core, ((2,),))  # no pre-release: above every pre-release of the same numbers
    parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in match.group(4).split("."))
    return (*core, parts)


def is_valid(text: str, *, strict: bool = False) -> bool:
    """Whether ``text`` parses as a semantic version (``v1.0``, ``1.0.0-rc.1``; see :func:`parse`)."""
    return parse(text, strict=strict) is not None


def at_least(version: str | None, minimum: str) -> bool:
    """``version`` is a semantic version not below ``minimum``; an absent or invalid one is not."""
    got, want = parse(version or ""), parse(minimum)
    return got is not None and want is not None and got >= want
