# SPDX-License-Identifier: Apache-2.0
"""End-to-end wiring: the real orchestrators, and `krm-dynamo` from this checkout on PATH.

The tools are found here once: kpt and kubectl on PATH (Debian packages), standalone
kustomize v4 and v5 from `$KRM_DYNAMO_KUSTOMIZE`, `.ci/tools` (installed by `.ci/run`: v4.5.4
from npm, v5 with `go install`) or PATH; every test that takes the `kustomize` fixture runs
once per major version. A missing tool skips the tests that need it, with the reason,
except under `.ci/run`, which sets ``KRM_DYNAMO_E2E_REQUIRE_TOOLS=1`` so that a missing tool
fails.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from e2e_util import KUSTOMIZE_INSTALL, REPO, missing_tool, standalone_kustomize


@pytest.fixture(scope="session")
def kpt() -> str:
    return _tool("kpt", "kpt is not installed (Debian package google-cloud-cli-kpt)")


@pytest.fixture(scope="session")
def kubectl() -> str:
    return _tool("kubectl", "kubectl is not installed (Debian package kubectl)")


@pytest.fixture(scope="session", params=sorted(KUSTOMIZE_INSTALL), ids=lambda major: f"kustomize-v{major}")
def kustomize(request: pytest.FixtureRequest) -> str:
    """A standalone kustomize of each tested major version (v4.5.4, the newest v5)."""
    major = request.param
    path = standalone_kustomize(major)
    if path is None:
        missing_tool(
            f"no standalone kustomize v{major}: run `{KUSTOMIZE_INSTALL[major]}` "
            "or set KRM_DYNAMO_KUSTOMIZE to its path"
        )
    return path


@pytest.fixture(scope="session")
def git() -> str:
    return _tool("git", "git is not installed (kpt packages are diffed with git, as kpt's test runner does)")


def _tool(name: str, why: str) -> str:
    """The tool's path on PATH; else skip, or fail where CI requires the tools."""
    path = shutil.which(name)
    if path is None:
        missing_tool(why)
    return path


@pytest.fixture(scope="session")
def fn_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding `krm-dynamo` (this checkout, this interpreter) and, when one is
    found, a standalone `kustomize`. Tests put it first on PATH."""
    bin_dir = tmp_path_factory.mktemp("bin")
    wrapper = bin_dir / "krm-dynamo"
    wrapper.write_text(
        "#!/bin/sh\n"
        f'PYTHONPATH="{REPO}${{PYTHONPATH:+:$PYTHONPATH}}"\n'
        "export PYTHONPATH\n"
        f'exec "{sys.executable}" -m krm_dynamo "$@"\n'
    )
    wrapper.chmod(0o755)
    standalone = standalone_kustomize()
    if standalone is not None:
        (bin_dir / "kustomize").symlink_to(standalone)
    return bin_dir


@pytest.fixture()
def fn_env(fn_bin: Path) -> dict[str, str]:
    """The environment the orchestrators run in: the bin directory first on PATH."""
    env = {k: v for k, v in os.environ.items() if k not in ("KRM_DYNAMO_DEBUG", "PYTHONPATH")}
    env["PATH"] = os.pathsep.join([str(fn_bin), env.get("PATH", "")])
    return env
