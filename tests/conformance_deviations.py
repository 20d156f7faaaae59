# SPDX-License-Identifier: Apache-2.0
"""Deviations of the conformance cases: ``deviation`` turned into the project's form of ``expected``.

A case's ``deviation`` text cites decisions of docs/decisions.md (``D8``, ``R3``, …). Each cited
decision has a transform in :data:`DEVIATIONS` that rewrites the case's ``expected`` (whole objects
included) into what the project deliberately produces; a decision without a transform, or a text
that cites none, is a :class:`HarnessError`.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from conformance_format import HarnessError

from krm_dynamo import defaults


def r3(text: str, node_count: int) -> str:
    """R3 for one string: LWS worker addresses derived from the leader's (written out, not read from defaults)."""
    for j in range(1, node_count):
        text = text.replace(f"$(LWS_WORKER_{j}_ADDRESS)", f'$(echo "$LWS_LEADER_ADDRESS" | sed \'s/\\./-{j}\\./\')')
    return text


def _deep(value: Any, fn: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, list):
        return [_deep(v, fn) for v in value]
    if isinstance(value, dict):
        return {k: _deep(v, fn) for k, v in value.items()}
    return value


def _deviate_r3(case: dict) -> None:
    node_count = case["input"].get("nodeCount", 2)
    case["expected"] = _deep(case["expected"], lambda s: r3(s, node_count))


def _deviate_r2(case: dict) -> None:
    """R2: ``nvidia.com/selector: <dgd>-<svc>`` stays on both LWS pod templates."""
    lws = case["expected"]["leaderWorkerSet"]
    selector = lws["metadata"]["name"].rsplit("-", 1)[0]  # <dgd>-<svc>-<instance>
    for key in ("leaderTemplate", "workerTemplate"):
        lws["spec"]["leaderWorkerTemplate"][key]["metadata"]["labels"][defaults.LABEL_SELECTOR] = selector


def _deviate_d8(case: dict) -> None:
    """D8: VLLM_CACHE_ROOT is set to the effective cache mount instead of being absent."""
    container = case["expected"]["derived_exact"]["container"]
    excluded = container.pop("env_excludes")
    mount = container["volumeMounts_include"][0]["mountPath"]
    container["env_include"] = [{"name": name, "value": mount} for name in excluded if name == "VLLM_CACHE_ROOT"]
    if len(container["env_include"]) != len(excluded):
        raise HarnessError(f"D8 covers VLLM_CACHE_ROOT only, got env_excludes {excluded}")


def _deviate_d26(case: dict) -> None:
    """D26: TRT-LLM counts the GPU limit first (the operator reads the request first)."""
    for row in case["expected"]["cases"]:
        resources = row.get("resources") or {}
        limit = (resources.get("limits") or {}).get("gpu")
        if limit not in (None, "") and (resources.get("requests") or {}).get("gpu") not in (None, ""):
            row["gpusPerNode"] = int(limit)


# Decision ID cited in `deviation` -> transform of the case into the project's deviated form.
DEVIATIONS: dict[str, Callable[[dict], None]] = {
    "R2": _deviate_r2,
    "R3": _deviate_r3,
    "D8": _deviate_d8,
    "D26": _deviate_d26,
}
_DECISION = re.compile(r"\b([DR][0-9]{1,2})\b")


def apply_deviation(case: dict) -> dict:
    """A copy of ``case`` with ``expected`` in the project's form for every decision ``deviation`` cites."""
    case = copy.deepcopy(case)
    text = case.get("deviation")
    if text is None:
        return case
    ids = list(dict.fromkeys(_DECISION.findall(text)))
    if not ids and "VLLM_CACHE_ROOT" in text:
        ids = ["D8"]  # the shared cache case names no decision ID; its text is D8's rule
    if not ids:
        raise HarnessError(f"deviation names no decision the harness can map: {text!r}")
    for decision in ids:
        if decision not in DEVIATIONS:
            raise HarnessError(f"deviation cites {decision}, which has no transform in DEVIATIONS: {text!r}")
        try:
            DEVIATIONS[decision](case)
        except (KeyError, IndexError, TypeError) as exc:
            raise HarnessError(f"deviation {decision} does not apply to this case's expected ({exc!r})") from exc
    return case
