# SPDX-License-Identifier: Apache-2.0
"""The operator's merges (mergo v0.3.6 with override), restated as small pure functions.

Moved out of ``podtemplate`` unchanged: :func:`merge_container`, :func:`merge_pod_spec`,
:func:`merge_env` and the probe rule :func:`apply_probe` (D9, R4), each testable on its own.
"""

from __future__ import annotations

import copy
from typing import Any

from krm_dynamo import defaults

PROBE_KINDS = defaults.PROBE_KINDS
PROBE_HANDLERS = defaults.PROBE_HANDLERS

# Container fields that are structs (not pointers): mergo descends into them key by key.
_STRUCT_FIELDS = ("resources",)


class ProbeError(ValueError):
    """A user probe names no handler and there is no default probe to complete it (R4)."""


def _is_empty(value: Any) -> bool:
    """mergo's notion of an empty value: zero scalars, empty lists and maps, None."""
    return value is None or value is False or (value == 0 and not isinstance(value, bool)) or value in ("", [], {})


def merge_container(base: dict[str, Any], user: dict[str, Any]) -> dict[str, Any]:
    """Lay ``extraPodSpec.mainContainer`` over the generated container.

    Non-empty user scalars and lists replace (a list is never concatenated);
    pointer-like mappings (``securityContext``, ``lifecycle``, …) replace as a whole;
    ``resources`` is merged key by key inside ``limits`` / ``requests``; ``env`` is
    merged by name, the user's entry winning. Probes are not handled here
    (:func:`apply_probe`).
    """
    out = copy.deepcopy(base)
    for key, value in user.items():
        if key in PROBE_KINDS or _is_empty(value):
            continue
        if key == "env":
            out["env"] = merge_env(out.get("env") or [], value, sort=False)
        elif key in _STRUCT_FIELDS and isinstance(value, dict):
            merged = copy.deepcopy(out.get(key) or {})
            for sub, sub_value in value.items():
                if isinstance(sub_value, dict) and isinstance(merged.get(sub), dict):
                    merged[sub] = {**merged[sub], **copy.deepcopy(sub_value)}
                elif not _is_empty(sub_value):
                    merged[sub] = copy.deepcopy(sub_value)
            out[key] = merged
        else:
            out[key] = copy.deepcopy(value)
    return out


def merge_pod_spec(base: dict[str, Any], user: dict[str, Any]) -> dict[str, Any]:
    """Lay ``extraPodSpec`` (without ``mainContainer``) over the base pod spec."""
    out = copy.deepcopy(base)
    for key, value in user.items():
        if _is_empty(value):
            continue
        out[key] = copy.deepcopy(value)
    return out


def merge_env(*layers: list[Any], sort: bool = True) -> list[dict[str, Any]]:
    """Merge env lists by ``name``, a later layer replacing the whole EnvVar.

    Entries keep the position of their first appearance; with ``sort`` the result is
    sorted by name, byte-wise (``DYNAMO_PORT`` before ``DYN_…``).
    """
    merged: dict[str, dict[str, Any]] = {}
    for layer in layers:
        for env in layer or []:
            if not isinstance(env, dict):
                continue
            merged[str(env.get("name", ""))] = copy.deepcopy(env)
    values = list(merged.values())
    if sort:
        values.sort(key=lambda e: str(e.get("name", "")).encode())
    return values


def has_handler(probe: dict[str, Any]) -> bool:
    """True when the probe names one of ``exec``, ``httpGet``, ``tcpSocket``, ``grpc``."""
    return any(probe.get(h) is not None for h in PROBE_HANDLERS)


def apply_probe(current: dict[str, Any] | None, user: dict[str, Any]) -> dict[str, Any]:
    """The probe rule (D9, R4): a user probe replaces or completes the current one.

    A user probe with a handler replaces the current probe as a whole; one without a
    handler is laid over the current probe (its handler and unset fields kept);
    without a current probe that is an error.

    Raises:
        ProbeError: the user probe names no handler and there is no probe to complete.
    """
    if has_handler(user):
        return copy.deepcopy(user)
    if current is None:
        raise ProbeError(
            "expected the probe to name a handler (`exec`, `httpGet`, `tcpSocket` or `grpc`): there is no "
            "default probe of this kind to complete"
        )
    return {**copy.deepcopy(current), **copy.deepcopy(user)}


