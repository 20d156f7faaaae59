# SPDX-License-Identifier: Apache-2.0
"""Shared pytest wiring: test helpers importable by name, and ``--update-goldens``."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parent
# tests/ has no __init__.py: make its helper modules (k8s_validate) importable by name.
if str(TESTS_DIR) not in sys.path:
    sys.path.insert(0, str(TESTS_DIR))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="rewrite tests/cases/*/expected.yaml and results.yaml from the actual run (review the diff!)",
    )


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    """True when the run was asked to rewrite the golden files (expected.yaml, results.yaml)."""
    return bool(request.config.getoption("--update-goldens"))
