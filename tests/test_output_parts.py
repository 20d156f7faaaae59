# SPDX-License-Identifier: Apache-2.0
"""The output ResourceList written in parts is byte for byte the document written at once.

``resource_list_parts`` formats the items a few at a time (so the emitter never holds the
whole output); joined, its parts must equal ``yamlio.dump`` of the whole
``{apiVersion, kind, items, functionConfig?, results?}`` document, which is how the output
was written before. Checked on generated item lists (hypothesis: odd keys, every scalar
kind, multi-line strings whose kept line breaks make the emitter end the document with
``...``, empty and non-mapping items, results and functionConfig present or absent, parts of
1 to 64 items), and through ``run_function`` on every golden and validation case, as
kustomize sends them and as kpt does. ``render``'s document stream, written in parts by
``yamlio.dump_all_parts``, is checked the same way.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from krm_dynamo import cli, core, kptview
from krm_dynamo.kio import resourcelist, scalars, yamlio
from krm_dynamo.kio.results import ERROR, INFO, WARNING, Result, sort_key

PROPERTY = settings(
    max_examples=400, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)
TESTS = Path(__file__).resolve().parent

# --- generated documents -----------------------------------------------------------------------

LINES = st.sampled_from(["", " ", "a", "  lead", "trail ", "#x", "- y", "? z", "...", "---", "\t", "é", "a: b", "\r"])
MULTI_LINE = st.builds(
    lambda lines, end: "\n".join(lines) + end,
    st.lists(LINES, min_size=1, max_size=4),
    st.sampled_from(["", "\n", "\n\n", "\n\n\n", " \n", "\n "]),
).filter(lambda s: "\n" in s)
WORDS = st.sampled_from(["", "x", "true", "no", "1", "0x1F", "1e400", "~", "null", "- a", "? b", ": c", "#d", "...",
                         "---", "'", '"', "a: b", "2001-12-14", "|", ">", "!x", "&a", "*a", "\u2028", "日本", " "])
STRINGS = st.one_of(WORDS, MULTI_LINE, st.text(st.characters(exclude_categories=("Cs",)), max_size=12))
SCALARS = st.one_of(
    STRINGS,
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.sampled_from([scalars.Timestamp("2001-12-14t21:59:43.10-05:00"), scalars.PlainDate("2001-1-2")]),
)
KEYS = st.one_of(
    WORDS,
    MULTI_LINE,  # written quoted: a key is never a block scalar
    st.sampled_from([scalars.PlainKey(k) for k in ("1", "true", "1.0", "null", "0x1F")]),
    st.sampled_from(["k" * 200, "long key " * 20]),  # 128 characters and more: a complex key (`? `)
)


def _containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.lists(children, max_size=4), st.dictionaries(KEYS, children, max_size=4))


VALUES = st.recursive(SCALARS, _containers, max_leaves=16)
ITEMS = st.one_of(
    st.dictionaries(KEYS, VALUES, max_size=5),
    st.builds(lambda name, extra: {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, **extra},
              WORDS, st.dictionaries(KEYS, VALUES, max_size=3)),
    VALUES,  # scalars and lists too: the function passes a non-mapping item through (with an error)
)
RESULTS = st.lists(
    st.builds(Result, STRINGS, st.sampled_from([ERROR, WARNING, INFO]),
              st.one_of(st.none(), st.dictionaries(KEYS, VALUES, max_size=3)), st.one_of(st.none(), WORDS)),
    max_size=3,
)
CONFIGS = st.one_of(st.none(), st.just({}), st.dictionaries(KEYS, VALUES, min_size=1, max_size=3))


def _at_once(items: list[Any], results: list[Result], function_config: Any, api_version: str) -> str:
    """The output as it was written before: the whole document in one dump."""
    out: dict[str, Any] = {"apiVersion": api_version, "kind": "ResourceList", "items": items}
    if function_config:
        out["functionConfig"] = function_config
    if results:
        out["results"] = [r.to_dict() for r in sorted(results, key=sort_key)]
    return yamlio.dump(out)


@PROPERTY
@given(st.lists(ITEMS, max_size=9), RESULTS, CONFIGS, st.sampled_from(resourcelist.RESOURCE_LIST_API_VERSIONS),
       st.sampled_from([1, 2, 3, 64]))
def test_parts_join_to_the_document_written_at_once(items: list[Any], results: list[Result], function_config: Any,
                                                    api_version: str, chunk: int) -> None:
    expected = _at_once(items, results, function_config, api_version)
    default, resourcelist._CHUNK_ITEMS = resourcelist._CHUNK_ITEMS, chunk
    try:
        assert resourcelist.write_resource_list(items, results, function_config, api_version) == expected
        released = list(items)
        parts = resourcelist.resource_list_parts(released, results, function_config, api_version, release=True)
        assert "".join(parts) == expected
    finally:
        resourcelist._CHUNK_ITEMS = default
    assert released == [None] * len(items)  # every item dropped once written


DOCUMENTS = st.one_of(st.dictionaries(KEYS, VALUES, max_size=4), ITEMS)


@PROPERTY
@given(st.lists(DOCUMENTS, max_size=8), st.sampled_from([1, 2, 3, 64]))
def test_render_stream_parts_join_to_the_stream_written_at_once(documents: list[Any], chunk: int) -> None:
    """``render``'s multi-document stream, written a few documents at a time (dump_all_parts)."""
    expected = yamlio.dump_all(documents)
    released = list(documents)
    assert "".join(yamlio.dump_all_parts(released, chunk, release=True)) == expected
    assert released == [None] * len(documents)


@pytest.mark.parametrize("later", [None, "clip\n", "keep\n\n", "strip\nx"])
@pytest.mark.parametrize("results", [[], [Result("done", INFO)], [Result("done", INFO, {"s": "r\n"})]])
def test_the_end_marker_follows_the_last_block_scalar_of_the_whole_document(later: str | None,
                                                                           results: list[Result]) -> None:
    """A `|+` scalar in an early part; libyaml's `...` at the end depends on the block scalars after it."""
    items: list[Any] = [{"script": "echo\n\n"}] + [{"n": i} for i in range(100)]
    if later is not None:
        items.append({"later": later})
    expected = _at_once(items, results, {"c": "x\n\n"} if later else None, "config.kubernetes.io/v1")
    text = resourcelist.write_resource_list(items, results, {"c": "x\n\n"} if later else None)
    assert text == expected


# --- every case through the function -----------------------------------------------------------


def _case_inputs() -> list[tuple[str, list[Any], Any]]:
    cases = []
    for case in sorted(p for p in (TESTS / "cases").iterdir() if p.is_dir()):
        docs = yamlio.load_documents((case / "input.yaml").read_text(encoding="utf-8"), "input.yaml")
        config_path = case / "fn-config.yaml"
        config = yamlio.load_documents(config_path.read_text(encoding="utf-8"), "fn")[0] if config_path.exists() \
            else None
        cases.append((f"cases/{case.name}", [d for d in docs if d is not None], config))
    for path in sorted((TESTS / "validation" / "cases").glob("*.yaml")):
        docs = yamlio.load_documents(path.read_text(encoding="utf-8"), path.name)
        cases.append((f"validation/{path.stem}", [d for d in docs if d is not None], None))
    return cases


CASE_INPUTS = _case_inputs()


def _as_kpt_sends(items: list[Any], name: str) -> list[Any]:
    """The items with the path, index and id annotations kpt's function runner adds."""
    out = []
    for i, item in enumerate(items):
        if isinstance(item, dict) and isinstance(item.get("metadata"), dict):
            meta = dict(item["metadata"])
            meta["annotations"] = {**(meta.get("annotations") or {}), "config.kubernetes.io/index": str(i),
                                   "config.kubernetes.io/path": f"{name}.yaml", "internal.config.kubernetes.io/id":
                                   str(i + 1), "internal.config.kubernetes.io/path": f"{name}.yaml"}
            item = {**item, "metadata": meta}
        out.append(item)
    return out


@pytest.mark.parametrize("kpt", [False, True], ids=["kustomize", "kpt"])
@pytest.mark.parametrize(("name", "items", "config"), CASE_INPUTS, ids=[c[0] for c in CASE_INPUTS])
def test_function_output_is_the_document_written_at_once(name: str, items: list[Any], config: Any,
                                                         kpt: bool) -> None:
    if kpt:
        items = _as_kpt_sends(items, name)
    document: dict[str, Any] = {"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": items}
    if config is not None:
        document["functionConfig"] = config
    stdout, stderr = io.StringIO(), io.StringIO()
    code = cli.run_function(io.BytesIO(yamlio.dump(document).encode()), stdout, stderr)
    out, results = core.expand(items, config)
    if kptview.run_by_kpt(items):
        results = kptview.with_files(results)
    assert kptview.run_by_kpt(items) or not kpt  # some cases come with kpt's annotations already
    assert code == (1 if any(r.severity == ERROR for r in results) else 0)
    assert stdout.getvalue() == _at_once(out, results, config, "config.kubernetes.io/v1")
