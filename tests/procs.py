# SPDX-License-Identifier: Apache-2.0
"""Run krm-dynamo as a real process, as orchestrators do, on this checkout's source."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def run_krm(*args: str, stdin: bytes | str = b"", cwd: Path | None = None) -> subprocess.CompletedProcess:
    """``python -m krm_dynamo ARGS`` with bytes in and out, importing this checkout."""
    data = stdin.encode() if isinstance(stdin, str) else stdin
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    return subprocess.run(
        [sys.executable, "-m", "krm_dynamo", *args],
        input=data,
        capture_output=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )
