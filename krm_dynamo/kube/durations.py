# SPDX-License-Identifier: Apache-2.0
"""Go durations (``time.ParseDuration`` / ``Duration.String``), for Grove's ``terminationDelay``.

Kept apart from ``grove`` so that the configuration can check a duration without
importing the model stack.
"""

from __future__ import annotations

import re

_UNITS = {"ns": 1, "us": 10**3, "µs": 10**3, "μs": 10**3, "ms": 10**6, "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9}
# Compiled when first used (``re`` keeps it): only a run that reads a duration pays for it.
_PART = r"([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)"


def parse_duration(text: str) -> int:
    """Nanoseconds of a Go duration string (``15m``, ``4h``, ``1h30m``, ``0``).

    Raises:
        ValueError: not a Go duration.
    """
    s = text.strip()
    sign = -1 if s.startswith("-") else 1
    s = s.lstrip("+-")
    if s == "0":
        return 0
    if not s:
        raise ValueError(f'invalid duration "{text}"')
    total, pos = 0, 0
    part = re.compile(_PART)
    while pos < len(s):
        m = part.match(s, pos)
        if not m or m.group(1) in ("", "."):
            raise ValueError(f'invalid duration "{text}": expected a number and a unit (ns, us, ms, s, m, h)')
        whole, _, frac = m.group(1).partition(".")
        unit = _UNITS[m.group(2)]
        total += int(whole or 0) * unit + (int(frac) * unit // 10 ** len(frac) if frac else 0)
        pos = m.end()
    return sign * total


def format_duration(ns: int) -> str:
    """Go's ``Duration.String()``: ``15m0s``, ``4h0m0s``, ``1.5s``, ``500ms``."""
    if ns == 0:
        return "0s"
    sign, u = ("-" if ns < 0 else ""), abs(ns)
    if u < 10**9:
        for unit, div in (("ms", 10**6), ("µs", 10**3), ("ns", 1)):
            if u >= div:
                return sign + _fraction(u, div) + unit
    seconds, frac = divmod(u, 10**9)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    out = f"{hours}h" if hours else ""
    if hours or minutes:
        out += f"{minutes}m"
    out += _fraction(secs * 10**9 + frac, 10**9) + "s"
    return sign + out


def _fraction(value: int, div: int) -> str:
    whole, rest = divmod(value, div)
    digits = len(str(div)) - 1
    return f"{whole}.{rest:0{digits}d}".rstrip("0") if rest else str(whole)
