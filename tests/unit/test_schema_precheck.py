# SPDX-License-Identifier: Apache-2.0
"""The plain-validity pre-check of embedded Kubernetes types never says "valid" where the
``jsonschema`` validator finds a problem (it may say "not sure" where the validator finds none).

Values are generated from the definitions themselves (every field of a type, with values of the
right and of wrong types, unknown keys, nulls, lists for mappings), so the check covers every
keyword the generated definitions use.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from krm_dynamo.kube import schemaproblems, schemas

TYPES = ["io.k8s.api.core.v1.Container", "io.k8s.api.core.v1.PodSpec", "io.k8s.api.core.v1.Probe",
         "io.k8s.api.core.v1.EnvVar", "io.k8s.api.autoscaling.v2.MetricSpec",
         "io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerBehavior", "io.k8s.api.core.v1.Volume"]

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=False, width=16),
                    st.sampled_from(["", "x", "80", "TCP"]))


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = schemas.definitions()[schema["$ref"].removeprefix("#/$defs/")]
    return schema


def values(schema: dict[str, Any], depth: int = 0) -> st.SearchStrategy[Any]:
    """Mostly-valid values for ``schema``, with every kind of mistake mixed in."""
    schema = _resolve(schema)
    if depth > 3:
        return SCALARS
    wrong = st.one_of(SCALARS, st.just([]), st.just({}), st.just({"unknownField": 1}))
    kinds = schema.get("type", [])
    kinds = [kinds] if isinstance(kinds, str) else kinds
    if "object" in kinds and "properties" in schema:
        props = schema["properties"]
        keys = st.lists(st.sampled_from(sorted(props)), max_size=4, unique=True)
        def build(chosen: list[str]) -> st.SearchStrategy[dict[str, Any]]:
            fields = {k: values(props[k], depth + 1) for k in chosen}
            return st.fixed_dictionaries(fields, optional={"unknownField": SCALARS, "Name": SCALARS})
        return st.one_of(keys.flatmap(build), wrong)
    if "array" in kinds and isinstance(schema.get("items"), dict):
        return st.one_of(st.lists(values(schema["items"], depth + 1), max_size=3), wrong)
    return st.one_of(wrong, SCALARS)


@settings(max_examples=600, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(TYPES).flatmap(lambda name: st.tuples(st.just(name), values(schemas.ref(name)))))
def test_certainly_valid_is_never_wrong(case: tuple[str, Any]) -> None:
    name, value = case
    schema = schemas.embedded(name)
    if schemas.certainly_valid(schema, value):
        checker = schemas.Checker(schema)
        checker._validator = schemaproblems.validator_class()({**schema, "$defs": schemas.definitions()})
        assert [e.message for e in checker._validator.iter_errors(value)] == []


def test_plainly_valid_values_skip_the_validator_and_problems_still_reach_it():
    container = schemas.embedded("io.k8s.api.core.v1.Container")
    assert schemas.certainly_valid(container, {"name": "main", "image": "x", "ports": [{"containerPort": 80}]})
    for value in ({"name": "main", "ports": [{"containerPort": 80.0}]}, {"comand": ["x"]},
                  {"env": [None]}, {"env": [{"value": "no name"}]}, {"args": "not a list"}):
        assert not schemas.certainly_valid(container, value), value
        assert schemas.Checker(container).problems(value), value
