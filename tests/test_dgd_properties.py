# SPDX-License-Identifier: Apache-2.0
"""Property-based tests at the DGD level (hypothesis, 500 examples per property, deterministic).

Generated DynamoGraphDeployments (valid ones and mutated ones) with generated pass-through
items go through the real entry points, :func:`krm_dynamo.cli.run_function` on a
ResourceList and :func:`krm_dynamo.core.expand` on its items. For every input:

* never an internal error: no exception escapes, no message says "internal error";
* exit 0, or exit 1 with at least one error result; every message is one printable line;
* on exit 0, every generated object is strictly valid against its schema (Kubernetes
  built-in kinds, and the LeaderWorkerSet / PodGroup / PodCliqueSet schemas in tests/schemas/);
* the same input gives the same bytes, and a run on the output changes nothing (kpt re-renders);
* pass-through items come out with the meaning they went in with.

A valid graph must also exit 0. The YAML layer itself has its own properties
(tests/test_yaml_properties.py).
"""

from __future__ import annotations

import copy
import io
import math
from typing import Any

import pytest
from dgd_strategies import PASS_THROUGH, PASS_THROUGH_PREFIX, VALID_GRAPHS, mutated
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from k8s_validate import validate_object

from krm_dynamo import cli, core
from krm_dynamo.kio import yamlio

PROPERTY = settings(
    max_examples=500,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    report_multiple_bugs=False,
)


def resource_list(case: dict[str, Any], before: list[Any], after: list[Any]) -> str:
    body: dict[str, Any] = {
        "apiVersion": "config.kubernetes.io/v1",
        "kind": "ResourceList",
        "items": [*before, case["dgd"], *after],
    }
    if case["functionConfig"] is not None:
        body["functionConfig"] = case["functionConfig"]
    return yamlio.dump(body)


def run(text: str) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    code = cli.run_function(io.BytesIO(text.encode()), stdout, stderr)
    return code, stdout.getvalue(), stderr.getvalue()


def one_line(message: Any) -> bool:
    return isinstance(message, str) and message.isprintable() and "internal error" not in message


def meaning(value: Any) -> Any:
    """A value with its exact type at every level (1, True and 1.0 differ)."""
    if isinstance(value, dict):
        return ("map", [(meaning(k), meaning(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("seq", [meaning(v) for v in value])
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    return (type(value).__name__, value)


def check_run(text: str, pass_through: int) -> tuple[int, list[Any]]:
    """Run once and check every property of one run; the exit code and the generated objects."""
    code, out, err = run(text)
    assert code in (0, 1), (code, err)
    assert all(one_line(line) for line in err.splitlines()), err
    [given_list] = yamlio.load_documents(text, "in")
    [output] = yamlio.load_documents(out, "out")
    results = output.get("results") or []
    assert all(one_line(r.get("message")) for r in results), results
    errors = [r for r in results if r.get("severity") == "error"]
    assert bool(errors) == (code == 1), (code, results)
    # Pass-through items (all but the DGD) keep their meaning, in their order.
    given_items = [i for i in given_list["items"] if i.get("kind") != "DynamoGraphDeployment"]
    kept = [i for i in output["items"] if i.get("kind") != "DynamoGraphDeployment" and not _generated(i)]
    assert len(given_items) == pass_through
    assert [meaning(i) for i in kept] == [meaning(i) for i in given_items]
    # Deterministic bytes, and a second run (kpt re-rendering its own output) changes nothing.
    assert run(text) == (code, out, err)
    again_code, again, _ = run(out)
    if (given_list.get("functionConfig") or {}).get("graphDeployment") == "drop":
        # The DGD is gone from the output: its objects come back as plain items, results differ.
        [second] = yamlio.load_documents(again, "again")
        assert yamlio.dump(second["items"]) == yamlio.dump(output["items"])
    else:
        assert (again_code, again) == (code, out)
    return code, [i for i in output["items"] if _generated(i)]


def _generated(item: Any) -> bool:
    if item.get("kind") == "DynamoGraphDeployment":
        return False
    meta = item.get("metadata")
    return not (isinstance(meta, dict) and str(meta.get("name")).startswith(PASS_THROUGH_PREFIX))


def check_expand(text: str, code: int) -> None:
    """core.expand on the same items: no exception, one-line results, the items left untouched."""
    [given_list] = yamlio.load_documents(text, "in")
    items, config = given_list["items"], given_list.get("functionConfig")
    snapshot = copy.deepcopy(items)
    _, results = core.expand(items, config)
    assert meaning(items) == meaning(snapshot)
    assert all(one_line(r.message) for r in results)
    assert any(r.severity == "error" for r in results) == (code == 1)


@PROPERTY
@given(VALID_GRAPHS, PASS_THROUGH, PASS_THROUGH)
def test_valid_graphs_expand_to_schema_valid_objects(case, before, after):
    """A valid graph: exit 0, every generated object schema-valid, stable bytes, pass-through kept."""
    text = resource_list(case, before, after)
    code, generated = check_run(text, len(before) + len(after))
    assert code == 0, run(text)[2]
    assert generated
    problems = [p for obj in generated for p in validate_object(obj)]
    assert not problems, problems


@PROPERTY
@given(mutated(), PASS_THROUGH, st.booleans())
def test_mutated_graphs_are_an_error_or_schema_valid(case, items, first):
    """A mutated graph: never an internal error; exit 1 with errors, or exit 0 with valid objects."""
    text = resource_list(case, items if first else [], [] if first else items)
    code, generated = check_run(text, len(items))
    if code == 0:
        problems = [p for obj in generated for p in validate_object(obj)]
        assert not problems, problems
    check_expand(text, code)


# --- regressions these properties found ------------------------------------------------------


@pytest.mark.parametrize("metadata", [[{"name": "g"}], "g", {"name": "g", "annotations": ["a"]}])
def test_a_dgd_with_metadata_not_a_mapping_is_kept_as_written(metadata):
    """Its metadata was replaced by `{annotations: {local-config}}`: the user's text was lost,
    and a second run gave another error. It is an error, and the DGD comes back as written."""
    case = {
        "dgd": {
            "apiVersion": "nvidia.com/v1alpha1",
            "kind": "DynamoGraphDeployment",
            "metadata": metadata,
            "spec": {"services": {}},
        },
        "functionConfig": None,
    }
    text = resource_list(case, [], [])
    code, out, _ = run(text)
    assert code == 1
    [output] = yamlio.load_documents(out, "out")
    assert output["items"] == [case["dgd"]]
    assert run(out)[:2] == (code, out)
