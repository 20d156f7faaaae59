# SPDX-License-Identifier: Apache-2.0
"""The event writer (yamlio.dump_all) gives exactly the text of PyYAML's representer and serializer.

Until 2026-11 the output was written by a ``CSafeDumper`` subclass: representers made a node
tree, the serializer asked the resolver for each node's implicit flags. The writer now emits the
events itself. Here that former dumper is the reference: on many generated values (every kind
of string the quoting rules know, keys the loader keeps as written, numbers, booleans, null,
binary data, dates and timestamps, nested mappings and lists) both write the same bytes.
"""

from __future__ import annotations

import math
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_yaml_properties import STRINGS

from krm_dynamo.kio import scalars, yamlio

PROPERTY = settings(
    max_examples=800, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)
_MAP, _SEQ = scalars.TAG_PREFIX + "map", scalars.TAG_PREFIX + "seq"


class ReferenceDumper(yaml.CSafeDumper):
    """The former dumper, as it was: block style, alias-free, strings quoted by scalars.needs_quotes."""

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            return scalars.implicit_tag(value) if implicit[0] else scalars.STR
        return _SEQ if kind is yaml.SequenceNode else _MAP

    def represent_data(self, data: Any) -> yaml.Node:
        representer = _REPRESENTERS.get(type(data))
        if representer is not None:
            node: yaml.Node = representer(self, data)
            return node
        fallback: yaml.Node = super().represent_data(data)
        return fallback


def _represent_str(dumper: ReferenceDumper, data: str) -> yaml.ScalarNode:
    if "\n" in data:
        return yaml.ScalarNode(scalars.STR, data, style="|")
    if scalars.needs_quotes(data):
        return yaml.ScalarNode(scalars.STR, data, style='"')
    return yaml.ScalarNode(scalars.STR, data)


def _represent_dict(dumper: ReferenceDumper, data: dict[Any, Any]) -> yaml.MappingNode:
    represent = dumper.represent_data
    pairs = [
        (yaml.ScalarNode(scalars.implicit_tag(k), str(k)) if type(k) is scalars.PlainKey else represent(k),
         represent(v))
        for k, v in data.items()
    ]
    return yaml.MappingNode(_MAP, pairs, flow_style=False)


_REPRESENTERS: dict[type, Any] = {
    str: _represent_str,
    dict: _represent_dict,
    list: lambda dumper, data: yaml.SequenceNode(_SEQ, [dumper.represent_data(i) for i in data], flow_style=False),
    scalars.PlainKey: lambda dumper, data: _represent_str(dumper, str(data)),
    scalars.Timestamp: lambda dumper, data: yaml.ScalarNode(scalars.TIMESTAMP, str(data)),
    scalars.PlainDate: lambda dumper, data: yaml.ScalarNode(scalars.STR, str(data)),
}


def reference_dump_all(documents: list[Any]) -> str:
    text: str = yaml.dump_all(documents, Dumper=ReferenceDumper, sort_keys=False, default_flow_style=False,
                              allow_unicode=True, width=2**31 - 1, indent=2)
    return text


TEXTS = st.one_of(
    STRINGS, st.text(max_size=12), st.sampled_from(["a\nb", "x\n", "\n", " lead", "trail ", "a: b", "- x"])
)
PLAIN_KEYS = st.sampled_from(["1", "true", "1.0", "~", "null", "0x1F", "-5", "2001-12-14", "1e3", ".5", "FALSE"])
SCALARS = st.one_of(
    TEXTS,
    st.integers(min_value=-(2**70), max_value=2**70),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.binary(max_size=20),
    st.builds(scalars.PlainKey, PLAIN_KEYS),
    st.builds(scalars.Timestamp, st.sampled_from(["2001-12-14", "2001-12-14t21:59:43.10-05:00", "x"])),
    st.builds(scalars.PlainDate, st.sampled_from(["2001-12-14", "2002-1-2", "2001-12-14 21:59:43.10"])),
)
KEYS = st.one_of(TEXTS, st.builds(scalars.PlainKey, PLAIN_KEYS), st.integers(-5, 5), st.booleans())
VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(KEYS, children, max_size=4)),
    max_leaves=25,
)


@PROPERTY
@given(st.lists(VALUES, min_size=1, max_size=3))
def test_the_writer_writes_what_the_former_dumper_wrote(documents: list[Any]):
    """Byte for byte the same stream, for every kind of value the loader and the builders make."""
    assert yamlio.dump_all(documents) == reference_dump_all(documents)


@PROPERTY
@given(TEXTS)
def test_a_string_event_carries_the_flags_the_serializer_derived(text: str):
    """text_event's shortcut (a plain string needs no resolver call) gives the serializer's flags."""
    event = yamlio.text_event(text)
    plain = scalars.implicit_tag(text) == scalars.STR
    assert event.implicit == (plain, True)
    assert event.style == ("|" if "\n" in text else '"' if scalars.needs_quotes(text) else None)


def test_special_floats_and_repeated_strings():
    values = {"a": [math.inf, -math.inf, math.nan, 1e300, 0.5, 1.0], "b": ["x", "x", "true", "true"], "x": "x"}
    assert yamlio.dump_all([values, values]) == reference_dump_all([values, values])


@PROPERTY
@given(st.lists(VALUES, min_size=1, max_size=3))
def test_the_reader_fast_path_reads_what_the_full_path_reads(documents: list[Any]):
    """The loader's inline path for plain scalars (no line tracking) builds the values its general path builds."""
    text = yamlio.dump_all(documents) + "---\nm: &a {x: 1, '<<': 2}\nn: {<<: *a, y: !!str 3, <<x: 4}\nk: *a\n"
    assert _read(yamlio.load_documents, text) == _read(yamlio.load_documents_with_nodes, text, with_lines=True)


def _read(load: Any, text: str, with_lines: bool = False) -> str:
    """The values (with the types of keys and scalars) or the error message, as text to compare."""
    try:
        documents = load(text, "t")
    except yamlio.InputError as exc:
        return f"error: {exc}"
    values = [value for value, _lines in documents] if with_lines else documents
    return repr([(value, _types(value)) for value in values])


def _types(value: Any) -> Any:
    if isinstance(value, dict):
        return [(type(k).__name__, _types(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_types(item) for item in value]
    return type(value).__name__


@PROPERTY
@given(TEXTS)
def test_plain_text_outside_may_resolve_is_its_text(text: str):
    """The reader's shortcut: a plain scalar whose first character is not in MAY_RESOLVE is a string."""
    if text[:1] not in scalars.MAY_RESOLVE:
        assert scalars.resolve_plain(text) is text
