# SPDX-License-Identifier: Apache-2.0
"""The fast parse (no pydantic) against the full parse: generated, and equal on every DGD tried.

* the plain classes are generated from the pydantic models and committed: regenerating
  gives the committed text, so they cannot drift from the models;
* on generated valid and invalid DGDs (hypothesis, 1,000 examples), the fast parse
  accepts only what the full parse accepts without a warning, builds the same values,
  accepts every such spec, and the whole expansion (objects and results) is the same
  with it and without it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from krm_dynamo.api import codegen, fastparse, parse, v1alpha1, v1alpha1_light
from krm_dynamo.api.fastparse import Model
from krm_dynamo.config import FunctionConfig
from krm_dynamo.graph.report import Report
from krm_dynamo.kio import yamlio
from krm_dynamo.pipeline import expand_graph

IMAGE = "nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.6.0"


def test_generated_module_is_current() -> None:
    """``python -m krm_dynamo.api.codegen`` was run after the last change to the models."""
    assert codegen.TARGET.read_text() == codegen.render()


def test_generator_refuses_an_unknown_field_type() -> None:
    with pytest.raises(ValueError, match="does not know"):
        codegen.kind_of(set[int])


# --- generated DGDs --------------------------------------------------------------------------

def _valid_and_invalid(valid: st.SearchStrategy[Any], invalid: st.SearchStrategy[Any],
                       bad: bool) -> st.SearchStrategy[Any]:
    """Valid values (or null, which every field accepts); with ``bad``, sometimes an invalid one."""
    if not bad:
        return st.one_of(valid, valid, valid, valid, st.none())
    return st.one_of(valid, valid, valid, valid, valid, valid, invalid, st.none())


_WORDS = st.sampled_from(["", "a", "x1", "vllm", "sglang", "trtllm", "frontend", "worker", "planner", "prefill",
                          "decode", "main", "hf-token", "cache", "/cache", "10Gi", "ReadWriteMany", "llm.example"])
_BAD_SCALARS = st.sampled_from([1, 2.5, True, "true", [], {}, [1], {"a": 1}])
_INT32 = st.one_of(st.integers(-3, 6), st.sampled_from([2147483647, 0, 1, 2]))
_BAD_INT32 = st.sampled_from([2147483648, -2**40, "2", 2.0, True, False, [], {}])
_QUANTITY = st.one_of(st.sampled_from(["1", "2", "500m", "20Gi", "1.5", "abc", "", "-1"]), st.integers(0, 8),
                      st.sampled_from([0.5, 2.0]))
_BAD_QUANTITY = st.sampled_from([True, [], {}, ["1"]])
_STRMAP = st.dictionaries(_WORDS, _WORDS, max_size=3)
_BAD_STRMAP = st.sampled_from([{"a": 1}, {1: "a"}, {"a": None}, "a", [], {"a": {"b": "c"}}])
_OBJECT = st.sampled_from([{}, {"image": IMAGE}, {"httpGet": {"path": "/health", "port": 8000}},
                           {"args": ["--x"], "command": ["python3"]}, {"name": "A", "value": "1"},
                           {"nodeSelector": {"gpu": "yes"}}, {"image": ""}, {"image": 3}])
_BAD_OBJECT = st.sampled_from(["x", [], 1, {1: "a"}, [{"a": 1}]])
_ENVS = st.lists(st.sampled_from([{"name": "A", "value": "1"}, {"name": "B"}, {"name": "A", "value": "2"},
                                  {"name": "DYN_DEPLOYMENT_CONFIG", "value": '{"Frontend": {"port": 1}}'},
                                  {"value": "x"}, {}]), max_size=3)
_BAD_ENVS = st.sampled_from([[1], ["x"], {"name": "A"}, "A=1", [{1: "a"}]])
_BACKEND = st.sampled_from(["vllm", "sglang", "trtllm", ""])
_BAD_BACKEND = st.sampled_from(["VLLM", "tensorrt", 1, True])

_LEAVES: dict[str, tuple[st.SearchStrategy[Any], st.SearchStrategy[Any]]] = {
    "str": (_WORDS, _BAD_SCALARS.filter(lambda v: not isinstance(v, str))),
    "bool": (st.booleans(), st.sampled_from(["true", 1, 0, "yes", []])),
    "int32": (_INT32, _BAD_INT32),
    "quantity": (_QUANTITY, _BAD_QUANTITY),
    "strmap": (_STRMAP, _BAD_STRMAP),
    "dict": (_OBJECT, _BAD_OBJECT),
    "dictlist": (_ENVS, _BAD_ENVS),
    "backend": (_BACKEND, _BAD_BACKEND),
    "quantitymap": (st.dictionaries(st.sampled_from(["rdma/ib", "nvidia.com/mig"]), _QUANTITY, max_size=2),
                    st.sampled_from([{"a": True}, {1: "1"}, "x"])),
}
_UNKNOWN = st.sampled_from([{}, {}, {}, {}, {"bogus": 1}, {"image": IMAGE}, {"replica": 2}])


def _model(cls: Model, bad: bool) -> st.SearchStrategy[Any]:
    """A mapping for ``cls`` from its generated field table; ``bad``: invalid values and unknown fields too."""
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for name, kind, arg in cls.FIELDS:
        if kind == "model":
            fields[name] = _valid_and_invalid(_model(arg, bad), _BAD_OBJECT, bad)
        elif kind == "models":
            fields[name] = _valid_and_invalid(st.lists(_model(arg, bad), max_size=2), _BAD_OBJECT, bad)
        elif kind == "modelmap":
            continue  # the services: built below
        elif kind == "later":
            continue  # a later release's field: the full parse reports it (tests/test_operator_versions.py)
        else:
            fields[name] = _valid_and_invalid(*_LEAVES[kind], bad)
    body = st.fixed_dictionaries({}, optional=fields)
    extra = st.dictionaries(st.sampled_from(["tolerations", "volumes", "serviceAccountName", "schedulerName"]),
                            st.sampled_from([[], [{"name": "v"}], "sa", "volcano"]), max_size=2) \
        if cls.EXTRA_ALLOWED else (_UNKNOWN if bad else st.just({}))
    return st.tuples(body, extra).map(lambda pair: {**pair[1], **pair[0]})


def _service(bad: bool) -> st.SearchStrategy[Any]:
    """A service, usually with an image and a component type so that it gets as far as the builders."""
    base = _model(v1alpha1_light.DynamoComponentDeploymentSharedSpec, bad)
    typed = st.tuples(base, st.sampled_from(["frontend", "worker", "planner", "main", None]), st.booleans())

    def finish(parts: tuple[dict[str, Any], str | None, bool]) -> dict[str, Any]:
        svc, component_type, image = parts
        if component_type is not None and "componentType" not in svc:
            svc["componentType"] = component_type
        pod = svc.get("extraPodSpec")
        if image and (pod is None or isinstance(pod, dict)):
            pod = dict(pod or {})
            container = pod.get("mainContainer")
            if container is None or isinstance(container, dict):
                pod["mainContainer"] = {"image": IMAGE, **(container or {})}
            svc["extraPodSpec"] = pod
        return svc

    return typed.map(finish)


def _spec(bad: bool) -> st.SearchStrategy[Any]:
    names = st.sampled_from(["Frontend", "VllmWorker", "Planner", "Decode", "prefill"])
    service = st.one_of(_service(bad), _service(bad), _service(bad), st.none(), st.sampled_from(["x", 1])) \
        if bad else _service(bad)
    services = _valid_and_invalid(st.dictionaries(names, service, max_size=3),
                                  st.sampled_from([[], "x", {1: {}}]), bad)
    return st.tuples(_model(v1alpha1_light.DynamoGraphDeploymentSpec, bad), services).map(
        lambda pair: {**pair[0], "services": pair[1]})


# Half the specs valid throughout (the fast parse must take them), half with invalid values and unknown fields.
_SPEC = st.one_of(_spec(False), _spec(True))


# --- comparisons -----------------------------------------------------------------------------

def _same(fast: Any, full: Any, path: str = "spec") -> None:
    """The plain objects hold the values the models hold, field by field."""
    if isinstance(full, v1alpha1.BaseModel):
        assert fast.light_model.name == type(full).__name__, path
        for name in type(full).model_fields:
            _same(getattr(fast, name), getattr(full, name), f"{path}.{name}")
        assert (fast.model_extra or {}) == (full.model_extra or {}), path
        if isinstance(full, v1alpha1.ExtraPodSpec):
            assert fast.pod_fields() == full.pod_fields(), path
        if isinstance(full, v1alpha1.MultinodeSpec):
            assert fast.node_count == full.node_count, path
    elif isinstance(full, dict):
        assert type(fast) is dict and list(fast) == list(full), path
        for key in full:
            _same(fast[key], full[key], f"{path}.{key}")
    elif isinstance(full, list):
        assert type(fast) is list and len(fast) == len(full), path
        for i, (a, b) in enumerate(zip(fast, full, strict=True)):
            _same(a, b, f"{path}[{i}]")
    else:
        assert type(fast) is type(full) and fast == full, path


def _run(dgd: dict[str, Any], monkeypatch: pytest.MonkeyPatch, *, fast: bool) -> tuple[str, list[Any]]:
    with monkeypatch.context() as m:
        if not fast:
            m.setattr(fastparse, "parse", lambda spec: None)
        objects, results = expand_graph(dgd, FunctionConfig(), [])
    return yamlio.dump(objects), [(r.message, r.severity, r.field_path) for r in results]


@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(spec=_SPEC)
def test_fast_parse_equals_full_parse(spec: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    report = Report({})
    full = parse.parse_spec(spec, report)
    fast = fastparse.parse(spec)
    if full is None or report.results:
        assert fast is None  # invalid, or valid with a warning: the full parse decides and says why
    else:
        assert fast is not None, "a valid spec without warnings must not need pydantic"
        _same(fast, full)
    dgd = {"apiVersion": "nvidia.com/v1alpha1", "kind": "DynamoGraphDeployment",
           "metadata": {"name": "llm", "namespace": "ns"}, "spec": spec}
    with_fast = _run(dgd, monkeypatch, fast=True)
    assert with_fast == _run(dgd, monkeypatch, fast=False)
    event("fast parse" if fast is not None else "full parse")
    event("objects built" if with_fast[0] != "[]\n" else "no objects")


CASES = sorted((Path(__file__).parent / "cases").glob("*/input.yaml"))


@pytest.mark.parametrize("case", CASES, ids=[c.parent.name for c in CASES])
def test_golden_inputs_expand_the_same_with_either_parse(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every DGD of the golden cases: the same objects and results whichever parse runs."""
    items = yamlio.load_documents(case.read_text(), str(case))
    dgds = [i for i in items if isinstance(i, dict) and i.get("kind") == "DynamoGraphDeployment"]
    assert dgds
    for dgd in dgds:
        assert _run(dgd, monkeypatch, fast=True) == _run(dgd, monkeypatch, fast=False)


@pytest.mark.parametrize("key", ["self", "values", "model", "cls", "name"])
def test_a_pod_field_named_like_a_python_parameter(key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unknown PodSpec field takes the fast parse's keyword arguments: ``self`` among them once
    crashed it. Either parse gives the same objects and the unknown-field warning."""
    spec = {"services": {"Frontend": {"componentType": "frontend",
                                      "extraPodSpec": {key: 1, "mainContainer": {"image": "i"}}}}}
    dgd = {"apiVersion": "nvidia.com/v1alpha1", "kind": "DynamoGraphDeployment",
           "metadata": {"name": "llm", "namespace": "ns"}, "spec": spec}
    with_fast = _run(dgd, monkeypatch, fast=True)
    assert with_fast == _run(dgd, monkeypatch, fast=False)
    assert [(severity, path) for _, severity, path in with_fast[1]] == [
        ("warning", f"spec.services.Frontend.extraPodSpec.{key}")]
