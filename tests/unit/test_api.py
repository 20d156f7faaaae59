# SPDX-License-Identifier: Apache-2.0
"""``krm_dynamo.api``: the parse's results and messages, and the API names they use."""

from __future__ import annotations

import subprocess
import sys

import pytest
from procs import REPO

from krm_dynamo.api import messages, parse, v1alpha1
from krm_dynamo.graph.report import Report


def _parse(spec: object) -> tuple[v1alpha1.DynamoGraphDeploymentSpec | None, list[tuple[str, str | None, str]]]:
    report = Report({})
    model = parse.parse_spec(spec, report)
    return model, [(r.severity, r.field_path, r.message) for r in report.results]


def test_messages_needs_no_pydantic():
    """Modules on the no-DGD path may show values and paths without loading the models."""
    probe = "import sys, krm_dynamo.api.messages; print('pydantic' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, cwd=REPO, check=True, timeout=60)
    assert out.stdout.decode().strip() == "False"


@pytest.mark.parametrize(("loc", "path"), [
    (("spec",), "spec"),
    (("spec", "pvcs", 0, "size"), "spec.pvcs[0].size"),
    (("spec", "services", "Frontend", "envs", 2, "name"), "spec.services.Frontend.envs[2].name"),
])
def test_field_path(loc, path):
    assert messages.field_path(loc) == path


@pytest.mark.parametrize(("value", "shown"), [
    ("2", '"2"'), (None, "null"), (True, "true"), (False, "false"), ({}, "a mapping"), ([1], "a list"),
    (3, "3"), (1.5, "1.5"),
])
def test_show_value_speaks_yaml(value, shown):
    assert messages.show_value(value) == shown


def test_every_problem_of_a_spec_is_reported_with_its_path():
    model, results = _parse({"services": {"W": {"replicas": "2", "multinode": {"nodeCount": 1}}},
                             "pvcs": [{"name": "a", "size": [1]}]})
    assert model is None
    assert sorted(results) == [
        ("error", "spec.pvcs[0].size", 'expected a quantity such as "2", "500m" or "20Gi", got a list'),
        ("error", "spec.services.W.multinode.nodeCount", "expected `nodeCount` to be at least 2, got 1"),
        ("error", "spec.services.W.replicas", 'expected `replicas` to be an integer, got "2"'),
    ]


def test_a_spec_that_is_no_mapping():
    assert _parse(["a"]) == (None, [("error", "spec", "expected `spec` to be a mapping, got list")])
    assert _parse(None)[0] == v1alpha1.DynamoGraphDeploymentSpec()


def test_unknown_fields_name_the_api_type_and_suggest_a_field():
    model, results = _parse({"services": {"W": {"imagee": "x", "ingress": {"hots": "a"},
                                                "extraPodSpec": {"nodeSelector": {}}}},
                             "backendFramwork": "vllm"})
    assert model is not None
    assert results == [
        ("warning", "spec.backendFramwork", ("unknown field `backendFramwork` is ignored "
                                             "(not part of DynamoGraphDeploymentSpec); "
                                             "did you mean `backendFramework`?")),
        ("warning", "spec.services.W.imagee",
         ("unknown field `imagee` is ignored (not part of a service spec (DynamoComponentDeploymentSharedSpec)); "
          "did you mean `extraPodSpec.mainContainer.image`?")),
        ("warning", "spec.services.W.ingress.hots",
         "unknown field `hots` is ignored (not part of IngressSpec); did you mean `host`?"),
    ]
