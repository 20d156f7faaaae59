# SPDX-License-Identifier: Apache-2.0
"""Semantic versions as the operator reads them (the origin-version annotation, B02 and V04).

The operator parses leniently: an optional ``v``, missing minor or patch numbers count as 0, a
pre-release after ``-`` and build metadata after ``+``. Order: the numbers, then a version
without pre-release above any with one; pre-release parts compare numerically when numeric
(numbers before words), else as text.
"""

from __future__ import annotations

import re
from typing import Any

_SEMVER = (r"v?([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?"  # compiled on first use (start-up)
           r"(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?")


def parse(text: str) -> tuple[Any, ...] | None:
    """A sort key of ``text`` as a semantic version; None when it is not one."""
    match = re.fullmatch(_SEMVER, text)
    if match is None:
        return None
    core = (int(match.group(1)), int(match.group(2) or 0), int(match.group(3) or 0))
    if not match.group(4):
        return (*core, ((2,),))  # no pre-release: above every pre-release of the same numbers
    parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in match.group(4).split("."))
    return (*core, parts)


def at_least(version: str | None, minimum: str) -> bool:
    """``version`` is a semantic version not below ``minimum``; an absent or invalid one is not."""
    got, want = parse(version or ""), parse(minimum)
    return got is not None and want is not None and got >= want
