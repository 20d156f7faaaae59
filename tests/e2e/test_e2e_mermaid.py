# SPDX-License-Identifier: Apache-2.0
"""`explain FILE --output mermaid` parses with Mermaid's own parser (the one GitHub runs).

The parser runs under node on jsdom (`tests/e2e/mermaid_parse.mjs`), from the modules `.ci/run`
installs into `.ci/tools/mermaid` (or `$KRM_DYNAMO_MERMAID_MODULES`, a node_modules directory).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from e2e_util import REPO, missing_tool
from procs import run_krm

MODULES = Path(os.environ.get("KRM_DYNAMO_MERMAID_MODULES", REPO / ".ci/tools/mermaid/node_modules"))
GRAPHS = [
    ("kustomization-examples/vllm-agg/dgd.yaml", None),
    ("tests/cases/pvc-compilation-cache/input.yaml", None),
    ("tests/cases/multinode-grove/input.yaml", "tests/cases/multinode-grove/fn-config.yaml"),
    ("tests/cases/multinode-vllm-lws/input.yaml", None),
    ("tests/cases/virtualservice/input.yaml", "tests/cases/virtualservice/fn-config.yaml"),
]


def test_diagrams_parse_with_mermaid(tmp_path: Path):
    node = shutil.which("node")
    if node is None or not (MODULES / "mermaid").is_dir() or not (MODULES / "jsdom").is_dir():
        missing_tool(f"no node with mermaid and jsdom in {MODULES}: run "
                     "`npm install --prefix .ci/tools/mermaid mermaid@11.17.2 jsdom@29.1.1`")
    (tmp_path / "node_modules").symlink_to(MODULES.resolve())
    script = tmp_path / "parse.mjs"
    script.write_text((Path(__file__).parent / "mermaid_parse.mjs").read_text(encoding="utf-8"), encoding="utf-8")
    files = []
    for index, (graph, config) in enumerate(GRAPHS):
        args = ["explain", str(REPO / graph), "--output", "mermaid"]
        if config and (REPO / config).exists():
            args += ["--function-config", str(REPO / config)]
        proc = run_krm(*args)
        assert proc.returncode == 0, proc.stderr.decode()
        files.append(tmp_path / f"graph{index}.mmd")
        files[-1].write_bytes(proc.stdout)
    broken = tmp_path / "broken.mmd"
    broken.write_text('flowchart LR\n  a[["x"] -->\n', encoding="utf-8")
    ok = subprocess.run([node, str(script), *map(str, files)], capture_output=True, cwd=tmp_path, timeout=120)
    assert ok.returncode == 0, ok.stderr.decode()
    bad = subprocess.run([node, str(script), str(broken)], capture_output=True, cwd=tmp_path, timeout=120)
    assert bad.returncode == 1 and b"broken.mmd" in bad.stderr  # the parser does reject a broken diagram
