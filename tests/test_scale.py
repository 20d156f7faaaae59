# SPDX-License-Identifier: Apache-2.0
"""Scale: 10,000 DGDs and 100,000 pass-through items finish, within stated memory bounds.

Each case is one real process of the entry point (function mode with a ResourceList on
stdin, or ``render`` on a file), run under a small wrapper process that reports the peak
RSS of its one child: a child forked straight from this (larger) test process would report
this process's high-water mark as its own, since Linux keeps it across fork and exec.
The bounds are about twice what was measured (2 cores, Python 3.11.7); the timeout only
guards against a hang (about ten times the measured time), it asserts no speed: linearity
is measured by ``benchmarks/bench.py``. The README's "Limits" section states these numbers.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from procs import REPO

MIB = 1024 * 1024

# Peak RSS bounds (measured value in the comment).
PLANNER_DGDS_10K_MAX_RSS = 300 * MIB  # 10,000 one-service DGDs, function mode: 142 MiB (written in parts)
CONFIGMAPS_100K_MAX_RSS = 900 * MIB  # 100,000 ConfigMaps, render: 434 MiB
MIX_MAX_RSS = 220 * MIB  # 1,000 frontend + worker DGDs among 10,000 ConfigMaps, render: 87 MiB

# Guards against a hang, not speed assertions (the children took 9-14 s, 10-16 s and 3-5 s under load).
TIMEOUT_S = 180

IMAGE = "nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.6.0"

# Runs argv[2:] with this process's stdin and stdout and writes its peak RSS in KiB to argv[1].
PEAK_RSS_WRAPPER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[2:])\n"
    "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
    "sys.exit(code)\n"
)


def planner_dgd(i: int) -> str:
    """A DGD with one planner service: one Deployment out."""
    return (
        "- apiVersion: nvidia.com/v1alpha1\n  kind: DynamoGraphDeployment\n"
        f"  metadata:\n    name: planner-{i}\n    namespace: demo\n"
        "  spec:\n    services:\n      Planner:\n        componentType: planner\n        replicas: 1\n"
        f"        extraPodSpec:\n          mainContainer:\n            image: {IMAGE}\n"
    )


def frontend_worker_dgd(i: int) -> str:
    """A vLLM DGD with a frontend and a GPU worker: two Deployments and the frontend's Service out."""
    return (
        "- apiVersion: nvidia.com/v1alpha1\n  kind: DynamoGraphDeployment\n"
        f"  metadata:\n    name: llm-{i}\n    namespace: demo\n"
        "  spec:\n    backendFramework: vllm\n    services:\n"
        "      Frontend:\n        componentType: frontend\n        replicas: 1\n"
        f"        extraPodSpec:\n          mainContainer:\n            image: {IMAGE}\n"
        "      Worker:\n        componentType: worker\n        replicas: 1\n"
        "        resources:\n          limits:\n            gpu: \"1\"\n"
        f"        extraPodSpec:\n          mainContainer:\n            image: {IMAGE}\n"
        "            command: [python3, -m, dynamo.vllm]\n"
    )


def config_map(i: int) -> str:
    return (
        f"- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: cm-{i}\n    namespace: demo\n"
        f"  data:\n    key: value-{i}\n"
    )


def resource_list(items: list[str]) -> str:
    return "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n" + "".join(items)


def documents(items: list[str]) -> str:
    """The same objects as a multi-document file for ``render`` (each item's list dash dropped)."""
    return "".join("---\n" + re.sub(r"(?m)^  ", "", item[2:]) for item in items)


def run_measured(tmp_path: Path, args: list[str], stdin: Path | None = None) -> tuple[int, bytes, int]:
    """``(exit code, stdout, peak RSS in bytes)`` of ``python -m krm_dynamo ARGS`` reading ``stdin``."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    peak = tmp_path / "peak-rss"
    out = tmp_path / "out.yaml"
    with (stdin or Path(os.devnull)).open("rb") as inp, out.open("wb") as outp:
        proc = subprocess.run(
            [sys.executable, "-c", PEAK_RSS_WRAPPER, str(peak), sys.executable, "-m", "krm_dynamo", *args],
            stdin=inp, stdout=outp, stderr=subprocess.PIPE, env=env, timeout=TIMEOUT_S,
        )
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    print(f"peak RSS {int(peak.read_text()) / 1024:.0f} MiB for {' '.join(args) or 'function mode'}")
    return proc.returncode, out.read_bytes(), int(peak.read_text()) * 1024


def resource_list_items(output: bytes) -> int:
    """Items in a ResourceList as krm-dynamo writes it (block style: one ``- `` line per item)."""
    items = output.split(b"\nresults:\n", 1)[0]
    return len(re.findall(rb"(?m)^- ", items))


def render_documents(output: bytes) -> int:
    return len(re.findall(rb"(?m)^kind: ", output))


def test_ten_thousand_dgds_in_function_mode(tmp_path: Path) -> None:
    stdin = tmp_path / "in.yaml"
    stdin.write_text(resource_list([planner_dgd(i) for i in range(10_000)]))
    _, output, peak = run_measured(tmp_path, [], stdin)
    assert resource_list_items(output) == 20_000  # each DGD (kept, local-config) and its planner Deployment
    assert peak < PLANNER_DGDS_10K_MAX_RSS, f"peak RSS {peak / MIB:.0f} MiB"


def test_hundred_thousand_pass_through_items_in_render(tmp_path: Path) -> None:
    source = tmp_path / "configmaps.yaml"
    source.write_text(documents([config_map(i) for i in range(100_000)]))
    _, output, peak = run_measured(tmp_path, ["render", str(source)])
    assert render_documents(output) == 100_000
    assert peak < CONFIGMAPS_100K_MAX_RSS, f"peak RSS {peak / MIB:.0f} MiB"


def test_dgds_among_pass_through_items_in_render(tmp_path: Path) -> None:
    items = [config_map(i) for i in range(10_000)]
    for i in range(1_000):
        items.insert(i * 10, frontend_worker_dgd(i))
    source = tmp_path / "mix.yaml"
    source.write_text(documents(items))
    _, output, peak = run_measured(tmp_path, ["render", str(source)])
    assert render_documents(output) == 10_000 + 3 * 1_000  # the DGDs themselves are local-config: not printed
    assert peak < MIX_MAX_RSS, f"peak RSS {peak / MIB:.0f} MiB"
