# SPDX-License-Identifier: Apache-2.0
"""Where the project's shared reference material is: ``../shared`` beside the clone.

The conformance vectors and the upstream CRD are read from there at test time, never
copied into the repository. ``KRM_DYNAMO_SHARED`` points elsewhere. Without it the tests
that need it skip with the reason on a developer's machine, and fail under ``.ci/run``
(which sets ``KRM_DYNAMO_REQUIRE_SHARED=1``) or wherever ``CI`` is set: CI must never
pass by skipping them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("KRM_DYNAMO_SHARED") or REPO.parent / "shared")
REQUIRED = os.environ.get("KRM_DYNAMO_REQUIRE_SHARED") == "1" or os.environ.get("CI", "").lower() in ("1", "true")


def require(path: Path) -> Path:
    """``path`` (under :data:`SHARED`) if it exists; else skip, or fail where it is required."""
    if path.exists():
        return path
    reason = f"{path} not found: ../shared must be beside the clone (or set KRM_DYNAMO_SHARED)"
    if REQUIRED:
        pytest.fail(f"{reason}; CI requires it and never skips these tests", pytrace=False)
    pytest.skip(reason)
