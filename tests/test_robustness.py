# SPDX-License-Identifier: Apache-2.0
"""Mutation test: no value at any spec path makes the expansion crash.

For a few golden inputs (tests/cases), the value at each path of the DGD's ``spec`` (every
mapping key and list item, walked depth-first) is replaced by each value of
:data:`REPLACEMENTS`; :func:`krm_dynamo.core.expand` must return results (never raise) and
no result may be an "internal error". Paths are sampled deterministically (every n-th) so
that the whole run stays within a few seconds.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from krm_dynamo.core import expand
from krm_dynamo.kio import yamlio

CASES_DIR = Path(__file__).resolve().parent / "cases"
CASES = ("vllm-agg", "extra-pod-spec", "multinode-trtllm-lws", "autoscaling-metrics-behavior", "merge-edge-cases")
REPLACEMENTS = (None, [], {}, "x", -1, 2**40, 1e300, "1e300", "ü", True)
MAX_PATHS_PER_CASE = 120  # paths kept per case after deterministic sampling


def _load(name: str) -> tuple[list, dict | None]:
    case = CASES_DIR / name
    items = yamlio.load_documents((case / "input.yaml").read_text(encoding="utf-8"), str(case / "input.yaml"))
    cfg_file = case / "fn-config.yaml"
    cfg = None
    if cfg_file.exists():
        docs = yamlio.load_documents(cfg_file.read_text(encoding="utf-8"), str(cfg_file))
        cfg = docs[0] if docs else None
    return items, cfg


def _paths(value, prefix=()) -> list[tuple]:
    out = []
    if isinstance(value, dict):
        for key, item in value.items():
            out.append(prefix + (key,))
            out += _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out.append(prefix + (i,))
            out += _paths(item, prefix + (i,))
    return out


def _sample(paths: list[tuple]) -> list[tuple]:
    if len(paths) <= MAX_PATHS_PER_CASE:
        return paths
    step = len(paths) / MAX_PATHS_PER_CASE
    return [paths[int(i * step)] for i in range(MAX_PATHS_PER_CASE)]


def _dgd_index(items: list) -> int:
    return next(i for i, item in enumerate(items) if isinstance(item, dict) and item.get("kind") == "DynamoGraphDeployment")


def _cases():
    for name in CASES:
        items, _ = _load(name)
        spec = items[_dgd_index(items)]["spec"]
        for path in _sample(_paths(spec)):
            yield pytest.param(name, path, id=f"{name}:{'.'.join(map(str, path))}")


@pytest.mark.parametrize(("case", "path"), list(_cases()))
def test_no_value_crashes_the_expansion(case, path):
    items, cfg = _load(case)
    index = _dgd_index(items)
    for replacement in REPLACEMENTS:
        mutated = copy.deepcopy(items)
        parent = mutated[index]["spec"]
        for part in path[:-1]:
            parent = parent[part]
        parent[path[-1]] = copy.deepcopy(replacement)
        try:
            _, results = expand(mutated, copy.deepcopy(cfg))
        except Exception as exc:  # noqa: BLE001 - the point of the test
            pytest.fail(f"spec.{'.'.join(map(str, path))} = {replacement!r}: {type(exc).__name__}: {exc}")
        internal = [r.message for r in results if r.message.startswith("internal error")]
        assert not internal, f"spec.{'.'.join(map(str, path))} = {replacement!r}: {internal}"
