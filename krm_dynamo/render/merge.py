# SPDX-License-Identifier: Apache-2.0
"""The operator's merges (mergo v0.3.6 with override), restated as small pure functions.

:func:`merge_container`, :func:`merge_pod_spec` (each field by its Go kind,
:mod:`krm_dynamo.defaults.mergekinds`, D29), :func:`merge_env` and the probe rule
:func:`apply_probe` (D9, R4), each testable on its own.
"""

from __future__ import annotations

import copy
from typing import Any

from krm_dynamo import defaults
from krm_dynamo.defaults import mergekinds
from krm_dynamo.defaults.mergekinds import MergeKinds

PROBE_KINDS = defaults.PROBE_KINDS
PROBE_HANDLERS = defaults.PROBE_HANDLERS

_SCALARS = (str, int, float, type(None))  # bool is an int


def copy_value(value: Any) -> Any:
    """A deep copy of a JSON value (dicts, lists, scalars), what ``copy.deepcopy`` makes of it at a
    quarter of its cost: no memo (the output is written without aliases) and no dispatch. Anything
    else is handed to ``copy.deepcopy``."""
    kind = type(value)
    if kind is dict:
        return {k: copy_value(v) for k, v in value.items()}
    if kind is list:
        return [copy_value(v) for v in value]
    return value if isinstance(value, _SCALARS) else copy.deepcopy(value)


class ProbeError(ValueError):
    """A user probe names no handler and there is no default probe to complete it (R4)."""


def _is_empty(value: Any) -> bool:
    """mergo's notion of an empty value: zero scalars, empty lists and maps, None."""
    return value is None or value is False or (value == 0 and not isinstance(value, bool)) or value in ("", [], {})


def _merge_field(out: dict[str, Any], key: str, value: Any, kind: str, kinds: MergeKinds, deep: bool = False) -> None:
    """Lay one user field over ``out[key]`` by its Go kind (mergo v0.3.6 ``deepMerge`` with override).

    ``deep``: a pointer set on both sides is merged into (P04, mergo v0.3.16: :mod:`.deepmerge`).
    """
    if value is None:
        return  # a nil pointer, slice or map: nothing to merge
    if kind == mergekinds.POINTER and deep and key in out:
        from krm_dynamo.render import deepmerge  # here: only a release with P04 (1.0 on) imports it

        out[key] = deepmerge.merge_value(out[key], value)
    elif kind == mergekinds.POINTER:
        out[key] = copy.deepcopy(value)  # D29: false, 0, "" and {} replace too
    elif kind == mergekinds.MAP and isinstance(value, dict):
        current = out.get(key)
        merged = dict(current) if isinstance(current, dict) else {}
        merged.update((k, copy.deepcopy(v)) for k, v in value.items() if v is not None)
        if merged:
            out[key] = merged
    elif kind == mergekinds.STRUCT and isinstance(value, dict):
        current = out.get(key)
        merged = copy.deepcopy(current) if isinstance(current, dict) else {}
        for sub, sub_value in value.items():
            _merge_field(merged, sub, sub_value, kinds.resource_requirements.get(sub, mergekinds.SCALAR), kinds)
        out[key] = merged
    elif not _is_empty(value):
        out[key] = copy.deepcopy(value)


def merge_container(base: dict[str, Any], user: dict[str, Any], kinds: MergeKinds | None = None,
                    deep: bool = False) -> dict[str, Any]:
    """Lay ``extraPodSpec.mainContainer`` over the generated container (mergo v0.3.6 with override).

    Each field by its Go kind in ``kinds`` (the release's :class:`MergeKinds`): pointer fields
    (``securityContext``, ``lifecycle``, ``restartPolicy``) replace with any non-null value;
    other scalars and lists replace only when non-empty (a list is never concatenated);
    ``resources`` merges inside ``limits`` / ``requests`` key by key; ``env`` merges by name,
    the user's entry winning. Probes are not handled here (:func:`apply_probe`).
    """
    kinds = kinds or defaults.for_release().merge_kinds
    out: dict[str, Any] = copy_value(base)
    for key, value in user.items():
        if key in PROBE_KINDS:
            continue
        if key == "env":
            if not _is_empty(value):
                out["env"] = merge_env(out.get("env") or [], value, sort=False)
            continue
        _merge_field(out, key, value, kinds.container_kind(key), kinds, deep)
    return out


def merge_pod_spec(base: dict[str, Any], user: dict[str, Any], kinds: MergeKinds | None = None,
                   deep: bool = False) -> dict[str, Any]:
    """Lay ``extraPodSpec`` (without ``mainContainer``) over the base pod spec, each field by its Go kind.

    ``terminationGracePeriodSeconds: 0``, ``automountServiceAccountToken: false`` and
    ``enableServiceLinks: false`` are pointers and replace the default (D29); a zero
    ``serviceAccountName`` or ``hostNetwork`` does not. With ``deep`` (P04) a set pointer is
    merged into instead, except ``securityContext``: the operator adds its default only after
    the merge, when the user gives none (P01).
    """
    kinds = kinds or defaults.for_release().merge_kinds
    out: dict[str, Any] = copy_value(base)
    for key, value in user.items():
        _merge_field(out, key, value, kinds.pod_spec_kind(key), kinds, deep and key != "securityContext")
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
            merged[str(env.get("name", ""))] = copy_value(env)
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


