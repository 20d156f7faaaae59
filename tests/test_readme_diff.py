# SPDX-License-Identifier: Apache-2.0
"""The README's `krm-dynamo diff` excerpt is real output of the bundled example, not a sketch.

The summary lines must be exactly what the command prints; every run of diff lines between two
``…`` must appear, contiguous and in order, in its output. When a profile changes the output,
this test says the README must follow.
"""

from __future__ import annotations

import re

from procs import REPO, run_krm

COMMAND = "krm-dynamo diff --from 0.6 --to 1.1 kustomization-examples/vllm-agg/"


def _excerpt() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```console\n\$ " + re.escape(COMMAND) + r"\n(.*?)```", text, re.S)
    assert block is not None, "README: no console block for the diff example"
    return block.group(1).splitlines()


def test_readme_diff_excerpt_is_the_real_output():
    proc = run_krm(*COMMAND.split()[1:], cwd=REPO)
    assert proc.returncode == 1, proc.stderr.decode()  # the releases differ
    actual = proc.stdout.decode().splitlines()
    excerpt = _excerpt()
    summary = excerpt[:excerpt.index("")]
    assert summary == actual[:actual.index("")]
    chunks: list[list[str]] = [[]]
    for line in excerpt[len(summary) + 1:]:
        if line == "…":
            chunks.append([])
        else:
            chunks[-1].append(line)
    position = 0
    for chunk in (c for c in chunks if c):
        found = next((i for i in range(position, len(actual) - len(chunk) + 1)
                      if actual[i:i + len(chunk)] == chunk), None)
        assert found is not None, f"README diff excerpt not in the output (in order): {chunk}"
        position = found + len(chunk)
