# SPDX-License-Identifier: Apache-2.0
"""YAML at the edge means what kpt and kustomize (go-yaml v3) say it means."""

import math

import pytest

from krm_dynamo.kio import scalars, yamlio


@pytest.mark.parametrize(
    "text, expected",
    [
        # YAML 1.2 booleans: only true/false; the YAML 1.1 spellings are strings.
        ("v: yes", "yes"),
        ("v: on", "on"),
        ("v: Off", "Off"),
        ("v: NO", "NO"),
        ("v: y", "y"),
        ("v: true", True),
        ("v: False", False),
        ("v: TRUE", True),
        # integers as go-yaml v3 reads them
        ("v: 42", 42),
        ("v: -7", -7),
        ("v: 0x1F", 31),
        ("v: 0o17", 15),
        ("v: 0b101", 5),
        ("v: 0644", 420),  # 1.1-style octal, still decoded by go-yaml v3
        ("v: 1_000", 1000),
        ("v: 1.5", 1.5),
        ("v: 1e3", 1000.0),
        # null
        ("v: ~", None),
        ("v: null", None),
        ("v:", None),
        # no timestamp type: a date stays text (written back plain, as it came)
        ("v: 2001-12-14", scalars.PlainDate("2001-12-14")),
        ("v: 2001-13-14", "2001-13-14"),  # not a date to go-yaml v3 either
        # go-yaml v3's ranges: beyond int64/uint64 a float, beyond float64 text
        ("v: 18446744073709551615", 18446744073709551615),
        ("v: 99999999999999999999", 1e20),
        ("v: 1e400", "1e400"),
        ("v: -1e400", "-1e400"),
        ("v: 0xFFFFFFFFFFFFFFFFFFFF", "0xFFFFFFFFFFFFFFFFFFFF"),
        ("v: 09", 9.0),  # not an octal: go-yaml v3 falls back to a float
        ("v: .5", 0.5),
        # explicit tags, as go-yaml v3 decodes them
        ("v: !!float 1", 1.0),
        ('v: !!int "12"', 12),
        ("v: !!str 12", "12"),
        ("v: !!timestamp 2001-12-14t21:59:43.10-05:00", scalars.Timestamp("2001-12-14t21:59:43.10-05:00")),
        ("v: !!binary aGVsbG8=", b"hello"),
        ("v: !!map x", "x"),  # a standard tag that does not fit a scalar: the text
        # quoted scalars are always strings
        ('v: "123"', "123"),
        ("v: 'true'", "true"),
        # YAML 1.1 sexagesimal is not a number any more
        ("v: 22:22", "22:22"),
    ],
)
def test_load_scalar_meaning(text, expected):
    """Each scalar loads to the value kyaml would see."""
    [doc] = yamlio.load_documents(text, "t.yaml")
    assert doc == {"v": expected}
    assert type(doc["v"]) is type(expected)


def test_load_infinity_and_nan():
    """Special floats load as floats."""
    [doc] = yamlio.load_documents("a: .inf\nb: -.Inf\nc: .NaN\n", "t.yaml")
    assert doc["a"] == math.inf and doc["b"] == -math.inf and math.isnan(doc["c"])


@pytest.mark.parametrize(
    "value, emitted",
    [
        # strings any YAML reader could take for something else are quoted
        ("yes", '"yes"'),
        ("on", '"on"'),
        ("NO", '"NO"'),
        ("true", '"true"'),
        ("123", '"123"'),
        ("0o17", '"0o17"'),
        ("0644", '"0644"'),
        ("1_000", '"1_000"'),
        ("2001-12-14", '"2001-12-14"'),
        ("null", '"null"'),
        ("", '""'),
        ("1.5", '"1.5"'),
        # text plain style cannot hold gets single quotes, as go-yaml writes it
        ("- x", "'- x'"),
        ("a: b", "'a: b'"),
        ("#x", "'#x'"),
        ('["generate"]', '\'["generate"]\''),
        ("x\ty", '"x\\ty"'),
        # ordinary text is plain
        ("a b c", "a b c"),
        ("25%", "25%"),
        ("nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.6.0", "nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.6.0"),
        ("8Gi", "8Gi"),
        # non-strings keep their type
        (True, "true"),
        (8000, "8000"),
        (None, "null"),
    ],
)
def test_dump_scalar(value, emitted):
    """The dumper quotes exactly the ambiguous strings."""
    assert yamlio.dump({"v": value}) == f"v: {emitted}\n"


@pytest.mark.parametrize(
    "value",
    ["yes", "Off", "0o17", "0644", "0x1F", "1e3", "~", "22:22", "2001-12-14", "a: b", "- x", "#x", "line\nbreak\n"],
)
def test_round_trip_keeps_meaning(value):
    """A string written out and read back is the same string."""
    [doc] = yamlio.load_documents(yamlio.dump({"v": value}), "t.yaml")
    assert doc == {"v": value}


def test_dump_never_emits_aliases():
    """A structure shared between items is written out twice, not as an anchor."""
    labels = {"app": "x"}
    text = yamlio.dump_all([{"metadata": {"labels": labels}}, {"metadata": {"labels": labels}}])
    assert "&" not in text and "*" not in text
    assert text == "metadata:\n  labels:\n    app: x\n---\nmetadata:\n  labels:\n    app: x\n"


def test_dump_is_block_style_with_literal_multiline_strings():
    """Block style throughout; scripts read as literal blocks; long lines are not folded."""
    long = "python3 -m dynamo.vllm " + "--flag value " * 30
    text = yamlio.dump({"args": [long.strip()], "script": "set -e\necho hi\n", "empty": {}})
    assert text == f"args:\n- {long.strip()}\nscript: |\n  set -e\n  echo hi\nempty: {{}}\n"


def test_dump_keeps_key_order():
    """Keys are written in insertion order, never sorted."""
    assert yamlio.dump({"kind": "A", "apiVersion": "v1"}) == "kind: A\napiVersion: v1\n"


def test_duplicate_keys_are_an_error():
    """go-yaml v3 rejects duplicate keys; so do we, naming both lines."""
    with pytest.raises(yamlio.InputError) as err:
        yamlio.load_documents("a: 1\nb: 2\na: 3\n", "dup.yaml")
    assert str(err.value) == 'dup.yaml:3:1: invalid YAML: mapping key "a" already defined at line 1'


def test_merge_keys_are_resolved():
    """`<<` merges an anchored mapping, as go-yaml v3 does."""
    [doc] = yamlio.load_documents("base: &b {x: 1}\nderived:\n  <<: *b\n  y: 2\n", "t.yaml")
    assert doc["derived"] == {"x": 1, "y": 2}


@pytest.mark.parametrize(
    "path, line",
    [
        ("spec", 3),
        ("spec.services", 4),
        ("spec.services.Frontend.replicas", 6),
        ("spec.pvcs[1].size", 10),
        ("spec.services.Missing.replicas", 4),  # the deepest existing ancestor
        (None, 1),
    ],
)
def test_line_of_field(path, line):
    """Messages in render mode can name the line of a field."""
    text = (
        "apiVersion: nvidia.com/v1alpha1\n"
        "kind: DynamoGraphDeployment\n"
        "spec:\n"
        "  services:\n"
        "    Frontend:\n"
        "      replicas: 1\n"
        "  pvcs:\n"
        "  - name: a\n"
        "  - name: b\n"
        "    size: 5\n"
    )
    [(_, node)] = yamlio.load_documents_with_nodes(text, "t.yaml")
    assert yamlio.line_of(node, path) == line


def test_decode_rejects_non_utf8():
    """Non-UTF-8 input is one clear error naming the byte."""
    with pytest.raises(yamlio.InputError) as err:
        yamlio.decode(b"a: \xe9t\xe9\n", "x.yaml")
    assert str(err.value) == "x.yaml: input must be UTF-8 encoded; byte 0xe9 at offset 3 is not valid UTF-8"


def test_decode_strips_bom():
    """A UTF-8 byte order mark is not part of the document."""
    assert yamlio.decode("\ufeffa: 1".encode(), "x") == "a: 1"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("v: 0x_", "0x_"),  # digits missing: text, as go-yaml's ParseInt fails too
        ("v: 0b_", "0b_"),
        ("v: ._", "._"),
        ("v: !!set {b, a, c}", {"b": None, "a": None, "c": None}),  # written order, not hash order
        ("v: !!omap [{p: 1}, {q: 2}]", [{"p": 1}, {"q": 2}]),
    ],
)
def test_odd_scalars_and_collections_load_deterministically(text, expected):
    """Scalars that only look like numbers stay text; sets and ordered maps keep their order."""
    [doc] = yamlio.load_documents(text, "t.yaml")
    assert doc == {"v": expected}
    assert list(yamlio.load_documents(yamlio.dump(doc), "t.yaml")[0]["v"]) == list(expected)


@pytest.mark.parametrize(
    "text, message",
    [
        ("v: !!bool abc", "t.yaml:1:4: invalid YAML: cannot decode !!str `abc` as a !!bool"),
        ("v: !!bool yes", "t.yaml:1:4: invalid YAML: cannot decode !!str `yes` as a !!bool"),
        ("v: !!int abc", "t.yaml:1:4: invalid YAML: cannot decode !!str `abc` as a !!int"),
        ("v: !!int 1.5", "t.yaml:1:4: invalid YAML: cannot decode !!float `1.5` as a !!int"),
        ("v: !!float abc", "t.yaml:1:4: invalid YAML: cannot decode !!str `abc` as a !!float"),
        (
            "v: !!float 18446744073709551615",
            "t.yaml:1:4: invalid YAML: "
            "cannot decode !!int `18446744073709551615` as a !!float",
        ),
        ("v: !!null abc", "t.yaml:1:4: invalid YAML: cannot decode !!str `abc` as a !!null"),
        ("v: !!timestamp 2001-02-30", "t.yaml:1:4: invalid YAML: cannot decode !!str `2001-02-30` as a !!timestamp"),
        ('v: !!binary "***"', "t.yaml:1:4: invalid YAML: !!binary value contains invalid base64 data"),
        ("v: !custom x", 't.yaml:1:4: invalid YAML: unknown tag "!custom" (only the standard YAML tags are read)'),
        ("a: &a [*a]", "t.yaml:1:8: invalid YAML: anchor 'a' value contains itself"),
        ("a: &a {b: *a}", "t.yaml:1:11: invalid YAML: anchor 'a' value contains itself"),
        ("a: *b", "t.yaml:1:4: invalid YAML: unknown anchor 'b' referenced"),
        ("{a: 1, 'a': 2}", 't.yaml:1:8: invalid YAML: mapping key "a" already defined at line 1'),
        ("{1: a, '1': b}", 't.yaml:1:8: invalid YAML: mapping key "1" already defined at line 1'),
        ("{<<: {a: 1}, <<: {b: 2}}", 't.yaml:1:14: invalid YAML: mapping key "<<" already defined at line 1'),
        ("{<<: [1]}", "t.yaml:1:9: invalid YAML: map merge requires map or sequence of maps as the value"),
        (
            "{b: &x [1], c: {<<: *x}}",
            "t.yaml:1:23: invalid YAML: map merge requires map or sequence of maps as the value",
        ),
        ("{? [a]: 1}", "t.yaml:1:4: invalid YAML: a mapping or list used as a mapping key is not supported"),
        (
            "a: b\x07c\n",
            "t.yaml:1: invalid YAML: "
            "character U+0007 is not allowed in YAML (control characters are not allowed)",
        ),
        (
            "a: b\n\nc: d\x1b[31m\n",
            "t.yaml:3: invalid YAML: "
            "character U+001B is not allowed in YAML (control characters are not allowed)",
        ),
    ],
)
def test_input_go_yaml_v3_refuses_is_one_line_naming_the_place(text, message):
    """Tags, aliases, keys and merges are refused where go-yaml v3 refuses them, with its words."""
    with pytest.raises(yamlio.InputError) as err:
        yamlio.load_documents(text, "t.yaml")
    assert str(err.value) == message


def test_keys_are_kept_apart_by_their_text_and_written_back_plain():
    """`1`, `true` and `1.0` are three keys to go-yaml v3; they stay three, written as they came."""
    [doc] = yamlio.load_documents("{1: a, true: b, 1.0: c, null: d, 0x1F: e, x: f}", "t.yaml")
    assert list(doc) == ["1", "true", "1.0", "null", "0x1F", "x"]
    assert all(type(k) is scalars.PlainKey for k in list(doc)[:5])
    assert yamlio.dump(doc) == "1: a\ntrue: b\n1.0: c\nnull: d\n0x1F: e\nx: f\n"
    # a key used as a value is text like any other, quoted where a reader could misread it
    assert yamlio.dump({"v": list(doc)[1]}) == 'v: "true"\n'


def test_merge_keys_follow_go_yaml_v3():
    """Explicit keys win over merged ones; among merged mappings the earlier wins."""
    [doc] = yamlio.load_documents("a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc:\n  <<: [*a, *b]\n  x: 3\n", "t.yaml")
    assert doc["c"] == {"x": 3, "y": 1, "z": 2}


def test_tagged_and_plain_dates_are_written_back_as_they_came():
    """An explicit !!timestamp keeps its tag; a plain date stays plain; a quoted one stays quoted."""
    text = 'a: !!timestamp 2001-12-14t21:59:43.10-05:00\nb: 2001-12-14\nc: "2001-12-14"\n2001-12-15: d\n'
    [doc] = yamlio.load_documents(text, "t.yaml")
    assert yamlio.dump(doc) == text


def test_binary_is_written_back_as_binary():
    """!!binary keeps its tag and bytes."""
    [doc] = yamlio.load_documents("a: !!binary aGVsbG8=\n", "t.yaml")
    assert yamlio.load_documents(yamlio.dump(doc), "t.yaml") == [{"a": b"hello"}]


@pytest.mark.parametrize(
    "value",
    ["y", "Y", "n", "N", "yes", "No", "on", "OFF", "~", "null", "NULL", "0b1", "0x1F", "1_000", "0o17", "0644",
     "1:20", "190:20:30.15", ".inf", "-.Inf", ".NaN", "1e400", "1e3", "2001-12-14", "2001-1-2",
     "2001-12-14 21:59:43.10", "2001-12-14t21:59:43.10-05:00", "=", "<<", "+1", ".5", "1."],
)
def test_strings_any_reader_could_misread_are_double_quoted(value):
    """go-yaml v3's own rule, widened to every YAML 1.1 form: the string comes back a string everywhere."""
    import yaml

    assert yamlio.dump({"v": value}) == f'v: "{value}"\n'
    assert yaml.safe_load(yamlio.dump({"v": value})) == {"v": value}  # a YAML 1.1 reader (PyYAML)


@pytest.mark.parametrize("text, message", [
    ("spec:\n  a: [frontend\n  b: 1\n",
     "f.yaml:3:4: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence opened at line 2, "
     "column 6)"),
    ("a: {b: 1\nc: 2\n",
     "f.yaml:2:2: invalid YAML: did not find expected ',' or '}' (while parsing a flow mapping opened at line 1, "
     "column 4)"),
    ("a: [\n", "f.yaml:2:1: invalid YAML: did not find expected node content (while parsing a flow node)"),
])
def test_an_unclosed_bracket_is_named_where_it_opened(text: str, message: str) -> None:
    """libyaml notices an unclosed bracket on a later line: the message names where it opened too."""
    with pytest.raises(yamlio.InputError) as err:
        yamlio.load_documents(text, "f.yaml")
    assert str(err.value) == message
