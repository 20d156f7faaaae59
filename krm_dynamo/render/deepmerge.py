# SPDX-License-Identifier: Apache-2.0
"""The operator's merge from 1.0 on (P04): mergo v0.3.16, where a pointer set on both sides is merged deeply.

Operator 0.6 built with mergo v0.3.6, whose ``Merge(..., WithOverride)`` replaces a pointer
field (a probe, ``securityContext``, ``terminationGracePeriodSeconds``) wholesale with the user's
(D29, :mod:`krm_dynamo.render.merge`). From 1.0 the operator builds with v0.3.16
(``go.mod``), whose ``deepMerge`` follows a pointer that is set on both sides into the value it
points at: every non-zero user field wins, the generated fields the user leaves out stay, a
zero user value (``0``, ``false``, ``""``) no longer replaces a set one, and a list still
replaces the whole list when it is not empty. An ``IntOrString`` (a probe's ``port``) is a
struct to it, merged field by field: a number laid over a named port leaves the name in place.

Where the operator's result is rejected by the API server (two handlers in one probe, when a
user probe names another handler than the generated one) the user's handler replaces the
generated one (D58).
"""

from __future__ import annotations

import copy
from typing import Any

from krm_dynamo import defaults

PROBE_HANDLERS = defaults.PROBE_HANDLERS


def _is_zero(value: Any) -> bool:
    return value is None or value is False or (value == 0 and not isinstance(value, bool)) or value in ("", [], {})


def merge_value(base: Any, user: Any) -> Any:
    """``user`` laid over ``base`` as mergo v0.3.16 ``deepMerge`` with override does (JSON values)."""
    if isinstance(base, dict) and isinstance(user, dict):
        out = copy.deepcopy(base)
        for key, value in user.items():
            if value is None:
                continue
            if key not in out:
                out[key] = copy.deepcopy(value)
            elif key == "port" and isinstance(out[key], str) and isinstance(value, int):
                continue  # IntOrString merged field by field: the name stays (the type field is not replaced by 0)
            else:
                out[key] = merge_value(out[key], value)
        return out
    if _is_zero(user):
        return copy.deepcopy(base)
    return copy.deepcopy(user)


def merge_probe(current: dict[str, Any] | None, user: dict[str, Any]) -> dict[str, Any]:
    """A ``mainContainer`` probe merged into the generated one (P04); none generated: the user's.

    A user handler of another kind than the generated one replaces it (D58: the operator would
    keep both, which the API server rejects).
    """
    if current is None:
        return copy.deepcopy(user)
    base = copy.deepcopy(current)
    if any(user.get(h) is not None for h in PROBE_HANDLERS):
        for handler in PROBE_HANDLERS:
            if user.get(handler) is None:
                base.pop(handler, None)
    merged: dict[str, Any] = merge_value(base, user)
    return merged
