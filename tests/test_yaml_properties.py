# SPDX-License-Identifier: Apache-2.0
"""Property-based tests of the YAML layer (hypothesis, 500 examples per property, deterministic).

* Every string comes back as the same string from a YAML 1.1 reader (PyYAML's default
  loader) and from a YAML 1.2 reader with go-yaml v3's meaning (ours), and strings go-yaml v3
  would quote are double-quoted as go-yaml v3 writes them.
* A generated pass-through item (tricky keys, scalars in every YAML spelling, tags, merges)
  keeps its meaning through the function, and a second run changes no byte.
* YAML-like noise never crashes the reader: a value, or one printable line naming the place.
"""

from __future__ import annotations

import io
import math

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from krm_dynamo import cli
from krm_dynamo.kio import scalars, yamlio

PROPERTY = settings(
    max_examples=500, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)

# --- strings ---------------------------------------------------------------------------------

DIGITS = st.text("0123456789", min_size=1, max_size=4)
NUMBER_LIKE = st.builds(
    lambda sign, prefix, body, dot, frac, exp, sep: sign + prefix + sep.join([body, body]) + dot + frac + exp,
    st.sampled_from(["", "+", "-"]),
    st.sampled_from(["", "0", "0x", "0X", "0o", "0b", "0B", "."]),
    st.text("0123456789abcdefABCDEF_", min_size=1, max_size=5),
    st.sampled_from(["", ".", ":", ":5"]),
    st.text("0123456789_", max_size=3),
    st.sampled_from(["", "e3", "E+3", "e-3", "e400", "e", "-05:00"]),
    st.sampled_from(["", "_", ":", "-"]),
)
DATE_LIKE = st.builds(
    lambda y, m, d, t: f"{y}-{m}-{d}{t}",
    st.text("0123456789", min_size=4, max_size=4),
    st.text("0123456789", min_size=1, max_size=2),
    st.text("0123456789", min_size=1, max_size=2),
    st.sampled_from(["", "T12:30:45Z", "t1:2:3.5+05:00", " 12:30:45", " 12:30:45.1", "T25:00:00Z", "x"]),
)
WORDS = st.sampled_from(
    [
        "y",
        "Y",
        "n",
        "N",
        "yes",
        "Yes",
        "YES",
        "no",
        "NO",
        "on",
        "On",
        "ON",
        "off",
        "Off",
        "OFF",
        "true",
        "True",
        "TRUE",
        "tRue",
        "false",
        "FALSE",
        "null",
        "Null",
        "NULL",
        "nULL",
        "~",
        "=",
        "<<",
        ".inf",
        ".Inf",
        "-.inf",
        "+.INF",
        ".NaN",
        ".nan",
        ".NAN",
        "nan",
        "inf",
        "1:20",
        "190:20:30.15",
        "0x1F",
        "0b1",
        "0o17",
        "0644",
        "1_000",
        "1e400",
        ".5",
        "1.",
        "-",
        "?",
        ":",
        "#",
        "!foo",
        "&",
        "*",
        "|",
        ">",
        "%",
        "@",
        "`",
        "[]",
        "{}",
        ",",
        "'",
        '"',
    ]
)
SAFE_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
STRINGS = st.one_of(NUMBER_LIKE, DATE_LIKE, WORDS, SAFE_TEXT, st.builds("{} {}".format, WORDS, WORDS))


@PROPERTY
@given(STRINGS)
def test_every_string_reads_back_as_the_same_string(value: str):
    """YAML 1.1 (PyYAML) and YAML 1.2 with go-yaml v3's meaning both read our output as the string."""
    text = yamlio.dump({"v": value})
    [ours] = yamlio.load_documents(text, "t")
    assert type(ours["v"]) is str and ours["v"] == value
    assert yaml.load(text, Loader=yaml.SafeLoader) == {"v": value}
    if "\n" not in value and value and _go_yaml_quotes(value):
        assert text.startswith('v: "'), text  # double quotes, as go-yaml v3 writes them


def _go_yaml_quotes(value: str) -> bool:
    # go-yaml v3's encoder: quoted when its resolver gives a non-string, or for YAML 1.1 booleans
    # and base-60 floats.
    resolved = scalars.resolve_plain(value)
    old_bool = value in {
        "y",
        "Y",
        "yes",
        "Yes",
        "YES",
        "on",
        "On",
        "ON",
        "n",
        "N",
        "no",
        "No",
        "NO",
        "off",
        "Off",
        "OFF",
    }
    return not isinstance(resolved, str) or isinstance(resolved, scalars.PlainDate) or old_bool


# --- pass-through items ----------------------------------------------------------------------

PLAIN_SCALARS = st.one_of(
    st.sampled_from(
        [
            "1",
            "-7",
            "0x1F",
            "0o17",
            "0b101",
            "0644",
            "09",
            "1_000",
            "1.5",
            "1e3",
            "1e400",
            "-1e400",
            "99999999999999999999",
            "18446744073709551615",
            ".inf",
            "-.Inf",
            ".NaN",
            "true",
            "False",
            "TRUE",
            "null",
            "~",
            "y",
            "n",
            "yes",
            "off",
            "2001-12-14",
            "2001-1-2",
            "1:20",
            "abc",
            "a-b",
            "ü",
            "日本",
        ]
    ),
    NUMBER_LIKE.filter(lambda s: s[:1] not in "-?:" and "#" not in s),
)
TAGGED = st.sampled_from(
    [
        "!!str 12",
        "!!int 0x1F",
        "!!float 1",
        "!!bool true",
        "!!null ~",
        "!!timestamp 2001-12-14",
        "!!timestamp 2001-12-14t21:59:43.10-05:00",
        "!!binary aGVsbG8=",
        '"quoted: yes"',
        "'single'",
        '""',
        '"a\\tb"',
    ]
)
SCALARS = st.one_of(PLAIN_SCALARS, TAGGED)
KEYS = st.one_of(
    st.sampled_from(
        ["1", "true", "1.0", "null", "~", "0x1F", "y", "on", "2001-12-14", "1e400", "'1'", '"true"', "a", "b", "c"]
    ),
    st.text("abcxyz", min_size=1, max_size=3),
)


def _flow(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    mapping = st.lists(st.tuples(KEYS, children), max_size=4, unique_by=lambda kv: _key_text(kv[0])).map(
        lambda pairs: "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"
    )
    sequence = st.lists(children, max_size=4).map(lambda items: "[" + ", ".join(items) + "]")
    return st.one_of(mapping, sequence)


def _key_text(key: str) -> str:
    return key[1:-1] if key[:1] in "'\"" else key  # go-yaml v3 compares keys by their text


VALUES = st.recursive(SCALARS, _flow, max_leaves=12)
MERGES = st.sampled_from(["", "  base: &b {x: 1, y: [1, 2]}\n  merged: {<<: *b, y: 3}\n", "  twice: [&t {a: 1}, *t]\n"])


@PROPERTY
@given(st.lists(VALUES, min_size=1, max_size=3), MERGES)
def test_pass_through_items_keep_their_meaning(values: list[str], merges: str):
    """What go-yaml v3 reads from the item is what it reads from our output; a second run is identical."""
    body = "".join(f"  v{i}: {v}\n" for i, v in enumerate(values)) + merges
    text = (
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: example.com/v1\n  kind: Thing\n"
    )
    text += "  metadata: {name: n}\n  spec:\n" + body.replace("\n  ", "\n    ").replace("  v", "    v", 1)
    try:
        [doc] = yamlio.load_documents(text, "in")
    except yamlio.InputError:
        assume(False)  # the generator spelled something that is not YAML (`0:`); not the point here
    code, out, err = _run(text)
    assert (code, err) == (0, "")
    [result] = yamlio.load_documents(out, "out")
    assert _meaning(result["items"][0]["spec"]) == _meaning(doc["items"][0]["spec"])
    assert _run(out) == (0, out, "")


def _run(text: str) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    code = cli.run_function(io.BytesIO(text.encode()), stdout, stderr)
    return code, stdout.getvalue(), stderr.getvalue()


def _meaning(value: object) -> object:
    """A value with its exact type at every level (1, True and 1.0 differ; so do key kinds)."""
    if isinstance(value, dict):
        return ("map", [(_meaning(k), _meaning(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("seq", [_meaning(v) for v in value])
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    return (type(value).__name__, value)


# --- noise -------------------------------------------------------------------------------------

TOKENS = st.sampled_from(
    [
        "a",
        ": ",
        "- ",
        "\n",
        "  ",
        "{",
        "}",
        "[",
        "]",
        ",",
        "&a ",
        "*a",
        "<<: ",
        "!!bool ",
        "!!int ",
        "!!binary ",
        "!x ",
        "? ",
        "|\n",
        ">\n",
        '"',
        "'",
        "#",
        "---\n",
        "...\n",
        "1",
        "1e400",
        "true",
        "~",
        "\t",
        "\x00",
        "\x1b",
        "\u2028",
        "é",
        "%YAML 1.2\n",
        "%TAG ! tag:x,2000:\n",
        "\\",
        "@",
    ]
)


@PROPERTY
@given(st.lists(TOKENS, max_size=40).map("".join))
def test_noise_is_a_value_or_one_line(text: str):
    """Never an exception other than InputError; its message is one printable line naming the source."""
    try:
        yamlio.load_documents(text, "noise.yaml")
    except yamlio.InputError as exc:
        message = str(exc)
        assert message.startswith("noise.yaml") and message.isprintable(), message
