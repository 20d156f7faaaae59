# SPDX-License-Identifier: Apache-2.0
"""The repository explains itself: no reference in code or tests points outside it.

Comments and docstrings may cite decisions and validation rules by ID (``D19``, ``R4``,
``V28``) only because ``docs/decisions.md`` defines every one of them; they may not cite
section numbers or the names of documents that are not in the repository. Paths to test
data outside the repository (conformance vectors, real-world DGDs, CRDs) are data, not
references, and stay allowed; so do seed section names (``seed "Health Probes by
Component Type > Worker Components"``), which name headings of the public Dynamo API
reference (docs/decisions.md, "Terms").
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DECISIONS = ROOT / "docs" / "decisions.md"
SELF = Path(__file__).resolve()

# Folders whose Python files are checked, and folders whose YAML comments are checked
# (test inputs explain themselves in a header comment).
CHECKED = ("krm_dynamo", "tests", "benchmarks")
CHECKED_YAML = ("tests",)

# Citations of documents outside the repository. Built from parts so that this file does
# not match itself.
_SPEC_FILES = ("operator" + "-behaviour", "multinode" + "-and-backends", "krm" + "-integration",
               "performance" + "-and-style", "seed-api" + "-reference")
_OUTSIDE = re.compile(
    "|".join(
        [
            "\u00a7",  # section sign
            r"\blesson\s+[0-9]+",
            r"shared/" + "spec",
            r"(?<!docs/)\bdecisions\.md",
            *(re.escape(name) for name in _SPEC_FILES),
        ]
    ),
    re.IGNORECASE,
)
# User-visible text that still cites the specification: ``krm-dynamo explain`` prints these
# default sources (tests/explain/worker.yaml pins one), so rewording them changes output and
# is left to the work on the default tables. Remove an entry when its text is reworded.
_KNOWN_OUTPUT = tuple(
    "operator" + "-behaviour \u00a7" + section for section in ("18", "10.4", "5.1, \u00a710.4", "10.5")
)
_ID = re.compile(r"\b([DRV][0-9]{1,2})\b")
_ANCHOR = re.compile(r'<a id="([a-z0-9-]+)"></a>')
_LINK = re.compile(r"decisions\.md#([A-Za-z0-9-]+)")


def _python_files() -> list[Path]:
    files: list[Path] = []
    for folder in CHECKED:
        files.extend(sorted((ROOT / folder).rglob("*.py")))
    return [f for f in files if f.resolve() != SELF]


def _known_output(line: str) -> bool:
    """The line holds one of the known output strings, inside a string literal."""
    return any(text in line and '"' in line.split(text)[0] for text in _KNOWN_OUTPUT)


def _yaml_comments() -> list[tuple[Path, int, str]]:
    return [
        (path, lineno, line)
        for folder in CHECKED_YAML
        for path in sorted((ROOT / folder).rglob("*.yaml"))
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if line.lstrip().startswith("#")
    ]


def _defined_ids() -> set[str]:
    """The anchors of docs/decisions.md, plus the operator-change IDs of the catalogue (``R01``, ``V01``:
    always with a leading zero, so never the project's ``R1`` / ``V1``), defined in defaults/catalog.py."""
    from krm_dynamo.defaults.catalog import BY_ID

    catalogue = {ident.lower() for ident in BY_ID if _ID.fullmatch(ident) and ident[1] == "0"}
    return set(_ANCHOR.findall(DECISIONS.read_text(encoding="utf-8"))) | catalogue


def _where(path: Path, lineno: int, line: str) -> str:
    return f"{path.relative_to(ROOT)}:{lineno}: {line.strip()[:120]}"


def test_decisions_document_defines_every_id() -> None:
    """docs/decisions.md has an anchor for D1–D34, R1–R9 and V1–V31."""
    defined = _defined_ids()
    expected = {f"d{i}" for i in range(1, 35)} | {f"r{i}" for i in range(1, 10)} | {f"v{i}" for i in range(1, 32)}
    assert sorted(expected - defined) == []


def test_no_reference_points_outside_the_repository() -> None:
    """No section signs, spec-file names or "lesson N" in code, tests, benchmarks or test-input comments."""
    found = [
        _where(path, lineno, line)
        for path in _python_files()
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _OUTSIDE.search(line) and not (path.is_relative_to(ROOT / "krm_dynamo") and _known_output(line))
    ]
    found += [_where(path, lineno, line) for path, lineno, line in _yaml_comments() if _OUTSIDE.search(line)]
    assert found == [], "references outside the repository:\n" + "\n".join(found)


def test_every_cited_id_is_defined() -> None:
    """Every D/R/V identifier used in code, tests or benchmarks is defined in docs/decisions.md."""
    defined = _defined_ids()
    found = [
        f"{_where(path, lineno, line)}  [{ident}]"
        for path in _python_files()
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        for ident in _ID.findall(line)
        if ident.lower() not in defined
    ]
    found += [
        f"{_where(path, lineno, line)}  [{ident}]"
        for path, lineno, line in _yaml_comments()
        for ident in _ID.findall(line)
        if ident.lower() not in defined
    ]
    assert found == [], "identifiers not defined in docs/decisions.md:\n" + "\n".join(found)


@pytest.mark.parametrize("doc", sorted(p.name for p in (ROOT / "docs").glob("*.md")) + ["../README.md"])
def test_links_into_decisions_resolve(doc: str) -> None:
    """Every ``decisions.md#anchor`` link in the docs and the README names an existing anchor."""
    defined = _defined_ids()
    text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
    assert sorted(set(_LINK.findall(text)) - defined) == []
