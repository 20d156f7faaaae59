# SPDX-License-Identifier: Apache-2.0
"""`.ci/run` keeps the habits: ../shared required up front, ruff and strict mypy before the tests."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import shared_files
from procs import REPO

SCRIPT = (REPO / ".ci/run").read_text(encoding="utf-8")
LINES = [line.strip() for line in SCRIPT.splitlines()]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
TEST_COMMAND = "pip install '.[test]' && python -m pytest"


def _first(prefix: str) -> int:
    return next(i for i, line in enumerate(LINES) if line.startswith(prefix))


def test_shared_is_checked_before_anything_is_installed():
    assert 'shared="${KRM_DYNAMO_SHARED:-../shared}"' in LINES
    assert "export KRM_DYNAMO_REQUIRE_SHARED=1" in LINES
    assert _first("for needed in conformance crds/") < _first("npm install") < LINES.index(TEST_COMMAND)


def test_lint_and_type_check_run_before_the_tests():
    ruff, mypy = LINES.index("ruff check krm_dynamo"), LINES.index("mypy")
    assert _first("pip install '.[test]'") < ruff < mypy < LINES.index(TEST_COMMAND)
    assert "set -euo pipefail" in LINES  # a finding (or pytest's exit 5: no tests) fails the run


def test_the_tools_come_with_the_test_extra_and_are_configured():
    extra = " ".join(PYPROJECT["project"]["optional-dependencies"]["test"])
    for tool in ("ruff>=", "mypy>=", "types-PyYAML"):
        assert tool in extra
    assert PYPROJECT["tool"]["mypy"]["strict"] is True
    assert PYPROJECT["tool"]["mypy"]["files"] == ["krm_dynamo"]
    assert set(PYPROJECT["tool"]["ruff"]["lint"]["select"]) >= {"E", "F", "W", "I", "UP", "B", "SIM", "RUF"}


def test_missing_shared_fails_where_required(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    missing = tmp_path / "conformance"
    monkeypatch.setattr(shared_files, "REQUIRED", True)
    with pytest.raises(pytest.fail.Exception, match="CI requires it"):
        shared_files.require(missing)
    monkeypatch.setattr(shared_files, "REQUIRED", False)
    with pytest.raises(pytest.skip.Exception, match="not found"):
        shared_files.require(missing)
    assert shared_files.require(tmp_path) == tmp_path
