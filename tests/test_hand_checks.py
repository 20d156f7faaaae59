# SPDX-License-Identifier: Apache-2.0
"""Checks written by hand for start-up's sake answer exactly as the patterns they stand for.

Compiling a regular expression costs a run more start-up than using it: the name checks of
``kube.naming`` are character checks, and ``scalars.needs_quotes`` compiles its YAML 1.1
number pattern only for text that pattern could match. Hypothesis compares each with the
pattern itself (kept here as the reference) on text made of the characters that matter,
line breaks included: the name checks read a pattern as Go does, ``$`` at the very end of the
text (``re.fullmatch``; with ``re.match`` Python's ``$`` also matches before a final line break).
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from krm_dynamo.kio import scalars
from krm_dynamo.kube import naming

PROPERTY = settings(
    max_examples=1000, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)

PATTERNS = {
    naming._dns1123_label: r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
    naming._dns1035_label: r"^[a-z]([-a-z0-9]*[a-z0-9])?$",
    naming._label_value: r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$",
    naming._service_key_chars: r"^[a-z0-9-]+$",
    naming._dns1123_subdomain: r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$",
    naming._qualified_name: r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$",
}
NAME_TEXT = st.one_of(
    st.text("az09AZ-_.\n", max_size=8),
    st.text("ab-.", max_size=6).map(lambda t: t + "\n"),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=6),
    st.sampled_from(["", "\n", "a\n", "a\n\n", "\na", "a.b\n", "a..b", ".a", "a.", "-a", "a-",
                     "ä", "\uff21", "\u0663"]),
)


@PROPERTY
@given(NAME_TEXT)
def test_name_checks_answer_as_their_patterns(value: str) -> None:
    for check, pattern in PATTERNS.items():
        assert check(value) == bool(re.fullmatch(pattern, value)), (check.__name__, value)


@PROPERTY
@given(st.one_of(st.text("0123456789+-._:eEbxoabcdefgABCDEFGinfINFnaNAtTZ \t%Gim", max_size=12),
                 st.text(st.characters(exclude_categories=("Cs",)), max_size=8)))
def test_quoting_skips_the_number_pattern_only_where_it_cannot_match(value: str) -> None:
    expected = scalars.needs_quotes(value)
    if value and value[0] in "+-0123456789." and isinstance(scalars.resolve_plain(value), str) \
            and not scalars.is_timestamp(value):
        expected = re.fullmatch(scalars._YAML11_NUMBER, value) is not None
    assert scalars.needs_quotes(value) == expected
