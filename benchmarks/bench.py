# SPDX-License-Identifier: Apache-2.0
"""Start-up, throughput, growth and memory of krm-dynamo, as ratios to baselines measured in the same run.

    python benchmarks/bench.py [--runs N] [--quick] [--only small|scale|kpt ...]

Every case is a pair of processes on the same input: krm-dynamo and an identity KRM
function written with PyYAML's C loader and dumper (what any Python KRM function must at
least pay). The two are run alternately, ``--runs`` times each; the table gives each one's
median wall time, the median of the paired ratios, and each one's peak RSS. Growth
compares krm-dynamo with itself (3,000 DGDs against 300, 10,000 against 1,000, and 100,000
pass-through ConfigMaps against 10,000; the RSS column then gives the large / small run's peak).
The package is byte-compiled first, as an installed package and the image are (PyYAML on the identity's side is too;
without bytecode every run would compile krm-dynamo's sources again). The machine is usually shared
and noisy: compare ratios, not times, and repeat a run before believing a change.
Nothing here asserts a time: this is a measuring tool, not a test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent

IMAGE = "nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.6.0"
# The identity function; GC_OFF pauses the collector as krm-dynamo does while reading and writing.
IDENTITY = (
    "#!{python}\n"
    "import gc, sys, yaml\n"
    "{gc}"
    "rl = yaml.load(sys.stdin.buffer.read(), Loader=yaml.CSafeLoader)\n"
    "sys.stdout.write(yaml.dump(rl, Dumper=yaml.CSafeDumper, sort_keys=False))\n"
)
GNU_TIME = "/usr/bin/time" if Path("/usr/bin/time").exists() else None  # for the peak RSS of one process
# krm-dynamo as pip installs it: a console script that imports the entry point (here from this checkout).
KRM = "#!{python}\nimport sys\nsys.path.insert(0, {repo!r})\nfrom krm_dynamo.cli import entry_point\nentry_point()\n"

GROUPS = ("small", "scale", "kpt")  # --only: the paired small cases, the growth and memory cases, kpt
TARGETS = {  # case -> the target for the ratio
    "bundled example (1 DGD)": 1.5,
    "1 DGD with 10 services": 1.6,
    "10 DGDs among 600 items": 1.2,
    "1,000 items, no DGD": 1.1,
    "300 DGDs vs identity on our output (gc off)": 1.0,
    "3,000 DGDs / 300 DGDs (krm-dynamo, time)": 11.0,
    "3,000 DGDs, peak RSS vs identity on our output": 2.0,
    "3,000 / 300 DGDs in files (kpt annotations), time": 11.0,
    "10,000 DGDs / 1,000 DGDs (krm-dynamo, time)": 11.0,
    "100,000 / 10,000 pass-through items, time": 11.0,
    "kpt fn eval --exec, bundled example": 1.1,
}


def deployment(i: int) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": f"app-{i}", "namespace": "demo", "labels": {"app": f"app-{i}"}},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": f"app-{i}"}},
            "template": {
                "metadata": {"labels": {"app": f"app-{i}"}},
                "spec": {"containers": [{"name": "c", "image": "busybox:1.36", "args": ["sleep", "3600"]}]},
            },
        },
    }


def dgd(i: int, workers: int = 1) -> dict[str, Any]:
    """A vLLM graph: a frontend and ``workers`` GPU workers (so 1 + workers services)."""
    services: dict[str, Any] = {
        "Frontend": {"componentType": "frontend", "replicas": 1, "extraPodSpec": {"mainContainer": {"image": IMAGE}}},
    }
    for w in range(workers):
        services[f"VllmWorker{w}"] = {
            "componentType": "worker",
            "replicas": 1 + w % 3,
            "envs": [{"name": "LOG_LEVEL", "value": "info"}],
            "resources": {"limits": {"gpu": "1"}, "requests": {"cpu": "4", "memory": "20Gi"}},
            "extraPodSpec": {"mainContainer": {
                "image": IMAGE, "command": ["/bin/sh", "-c"],
                "args": [f"python3 -m dynamo.vllm --model Qwen/Qwen3-0.6B --port {8000 + w}"]}},
        }
    return {"apiVersion": "nvidia.com/v1alpha1", "kind": "DynamoGraphDeployment",
            "metadata": {"name": f"llm-{i}", "namespace": "demo"}, "spec": {"backendFramework": "vllm",
                                                                           "services": services}}


def config_map(i: int) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"cm-{i}", "namespace": "demo"},
            "data": {"key": f"value-{i}"}}


def self_growth(cmd: list[str], small: Path, large: Path, runs: int) -> dict[str, float]:
    """krm-dynamo against itself: medians of times on ``large`` and ``small``, their ratio, and each one's peak RSS."""
    runs_small = [run_once(cmd, small) for _ in range(runs)]
    runs_large = [run_once(cmd, large) for _ in range(runs)]
    m = {"ours": statistics.median(t for t, _ in runs_large), "base": statistics.median(t for t, _ in runs_small),
         "ours_rss": max(r for _, r in runs_large), "base_rss": max(r for _, r in runs_small)}
    m["ratio"] = m["ours"] / m["base"]
    return m


def in_file(obj: dict[str, Any], i: int) -> dict[str, Any]:
    """``obj`` as kpt hands it over: with the file it came from (generated objects then get files too)."""
    path = f"graphs{i % 7}/dgd-{i}.yaml"
    obj["metadata"]["annotations"] = {"config.kubernetes.io/path": path, "internal.config.kubernetes.io/path": path}
    return obj


def resource_list(items: list[Any]) -> bytes:
    doc = {"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": items}
    return yaml.dump(doc, Dumper=yaml.CSafeDumper, sort_keys=False).encode()


def bundled_example() -> bytes:
    text = (REPO / "kustomization-examples" / "vllm-agg" / "dgd.yaml").read_text()
    return resource_list([yaml.load(text, Loader=yaml.CSafeLoader)])


def run_once(cmd: list[str], stdin: Path, stdout: int | Any = subprocess.DEVNULL) -> tuple[float, float]:
    """``(wall seconds, peak RSS MiB)`` of one process reading ``stdin``.

    The peak RSS is GNU time's (``%M``): a child of this (larger) process would report
    this process's peak as its own, since Linux keeps the high-water mark across fork and exec.
    """
    with stdin.open("rb") as inp, tempfile.NamedTemporaryFile("r") as rss:
        wrapped = [GNU_TIME, "-f", "%M", "-o", rss.name, *cmd] if GNU_TIME else cmd
        start = time.perf_counter()
        code = subprocess.call(wrapped, stdin=inp, stdout=stdout, stderr=subprocess.DEVNULL)
        elapsed = time.perf_counter() - start
        peak = float(rss.read().strip().splitlines()[-1]) / 1024 if GNU_TIME else float("nan")
    if code not in (0, 1):  # 1: the function reported an error result (still a measured run)
        raise SystemExit(f"{cmd} failed with exit code {code}")
    return elapsed, peak


def paired(ours: list[str], base: list[str], stdin: Path, runs: int) -> dict[str, float]:
    """Alternate ``ours`` and ``base`` on the same input; medians of times, of paired ratios, of RSS."""
    times: list[tuple[float, float]] = []
    rss: list[tuple[float, float]] = []
    for i in range(runs):
        pair = [run_once(ours, stdin), run_once(base, stdin)] if i % 2 == 0 else \
            list(reversed([run_once(base, stdin), run_once(ours, stdin)]))
        times.append((pair[0][0], pair[1][0]))
        rss.append((pair[0][1], pair[1][1]))
    return {
        "ours": statistics.median(t for t, _ in times),
        "base": statistics.median(b for _, b in times),
        "ratio": statistics.median(t / b for t, b in times),
        "ours_rss": max(r for r, _ in rss),
        "base_rss": max(b for _, b in rss),
    }


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def output_of(cmd: list[str], stdin: Path, target: Path) -> Path:
    with target.open("wb") as out:
        run_once(cmd, stdin, stdout=out.fileno())
    return target


class Table:
    def __init__(self) -> None:
        print(f"{'case':<48} {'krm-dynamo':>11} {'baseline':>10} {'ratio':>7} {'target':>7} "
              f"{'met':>4} {'RSS MiB':>15}")

    def row(self, case: str, m: dict[str, float], ratio_key: str = "ratio") -> None:
        ratio = m[ratio_key]
        target = TARGETS[case]
        met = "yes" if ratio <= target else "NO"
        rss = f"{m['ours_rss']:.0f} / {m['base_rss']:.0f}" if "ours_rss" in m else ""
        print(f"{case:<48} {m['ours'] * 1000:>9.1f}ms {m['base'] * 1000:>8.1f}ms {ratio:>6.2f}x "
              f"{target:>6.2f}x {met:>4} {rss:>15}", flush=True)


def kpt_case(tmp: Path, krm: Path, identity: Path, runs: int) -> dict[str, float] | None:
    """``kpt fn eval --exec`` on a package holding the bundled example: krm-dynamo against the identity."""
    kpt = shutil.which("kpt")
    if kpt is None:
        print("(kpt not found: the kpt case is skipped)")
        return None
    package = tmp / "package"
    package.mkdir()
    shutil.copy(REPO / "kustomization-examples" / "vllm-agg" / "dgd.yaml", package / "dgd.yaml")
    empty = write(tmp / "empty", b"")

    def cmd(fn: Path) -> list[str]:
        return [kpt, "fn", "eval", str(package), "--exec", str(fn), "-o", "stdout"]

    return paired(cmd(krm), cmd(identity), empty, runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=11,
                        help="paired runs per case (default 11; the kpt case twice as many)")
    parser.add_argument("--quick", action="store_true", help="3 paired runs, 1 for the large cases")
    parser.add_argument("--only", action="append", choices=GROUPS,
                        help="run only this group of cases (repeatable; default: all)")
    args = parser.parse_args()
    groups = set(args.only or GROUPS)
    runs = 3 if args.quick else args.runs
    big_runs = 1 if args.quick else max(3, runs // 3)

    # Bytecode as installed (__pycache__ is ignored by git); runs with PYTHONDONTWRITEBYTECODE still read it.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "krm_dynamo")], check=True)
    print(f"Python {sys.version.split()[0]} on {os.cpu_count()} CPUs; paired runs: {runs} ({big_runs} large)")
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        identity = write(tmp / "identity.py", IDENTITY.format(python=sys.executable, gc="").encode())
        identity_gc_off = write(tmp / "identity_gc_off.py",
                                IDENTITY.format(python=sys.executable, gc="gc.disable()\n").encode())
        krm = write(tmp / "krm-dynamo", KRM.format(repo=str(REPO), python=sys.executable).encode())
        for script in (identity, identity_gc_off, krm):
            script.chmod(0o755)
        ours, base, base_gc_off = [str(krm)], [sys.executable, str(identity)], [sys.executable, str(identity_gc_off)]
        table = Table()

        if "small" in groups:
            cases = [
                ("bundled example (1 DGD)", bundled_example()),
                ("1 DGD with 10 services", resource_list([dgd(0, workers=9)])),
                ("10 DGDs among 600 items", resource_list([deployment(i) for i in range(590)]
                                                          + [dgd(i) for i in range(10)])),
                ("1,000 items, no DGD", resource_list([deployment(i) for i in range(1000)])),
            ]
            for case, data in cases:
                table.row(case, paired(ours, base, write(tmp / "in.yaml", data), runs))
        if "scale" in groups:
            in300 = write(tmp / "in300.yaml", resource_list([dgd(i) for i in range(300)]))
            out300 = output_of(ours, in300, tmp / "out300.yaml")
            m300 = paired(ours, base_gc_off, in300, big_runs)
            # Same volume of YAML: the identity reads and writes krm-dynamo's own output.
            on_output = [run_once(base_gc_off, out300) for _ in range(big_runs)]
            m300["base"] = statistics.median(t for t, _ in on_output)
            m300["base_rss"] = max(r for _, r in on_output)
            m300["ratio"] = m300["ours"] / m300["base"]
            table.row("300 DGDs vs identity on our output (gc off)", m300)

            in3000 = write(tmp / "in3000.yaml", resource_list([dgd(i) for i in range(3000)]))
            out3000 = output_of(ours, in3000, tmp / "out3000.yaml")
            t3000 = [run_once(ours, in3000) for _ in range(big_runs)]
            base3000 = [run_once(base_gc_off, out3000) for _ in range(big_runs)]
            growth = {"ours": statistics.median(t for t, _ in t3000), "base": m300["ours"]}
            growth["ratio"] = growth["ours"] / growth["base"]
            table.row("3,000 DGDs / 300 DGDs (krm-dynamo, time)", growth)
            memory = {"ours": growth["ours"], "base": statistics.median(t for t, _ in base3000),
                      "ours_rss": max(r for _, r in t3000), "base_rss": max(r for _, r in base3000)}
            memory["ratio"] = memory["ours_rss"] / memory["base_rss"]
            table.row("3,000 DGDs, peak RSS vs identity on our output", memory)

            files300 = write(tmp / "files300.yaml", resource_list([in_file(dgd(i), i) for i in range(300)]))
            files3000 = write(tmp / "files3000.yaml", resource_list([in_file(dgd(i), i) for i in range(3000)]))
            f300 = statistics.median(run_once(ours, files300)[0] for _ in range(big_runs))
            f3000 = statistics.median(run_once(ours, files3000)[0] for _ in range(big_runs))
            table.row("3,000 / 300 DGDs in files (kpt annotations), time",
                      {"ours": f3000, "base": f300, "ratio": f3000 / f300})

            in1k = write(tmp / "in1k.yaml", resource_list([dgd(i) for i in range(1_000)]))
            in10k = write(tmp / "in10k.yaml", resource_list([dgd(i) for i in range(10_000)]))
            table.row("10,000 DGDs / 1,000 DGDs (krm-dynamo, time)", self_growth(ours, in1k, in10k, big_runs))
            cm10k = write(tmp / "cm10k.yaml", resource_list([config_map(i) for i in range(10_000)]))
            cm100k = write(tmp / "cm100k.yaml", resource_list([config_map(i) for i in range(100_000)]))
            table.row("100,000 / 10,000 pass-through items, time", self_growth(ours, cm10k, cm100k, big_runs))
        if "kpt" in groups:
            # Twice the paired runs: kpt's own ~120 ms dwarfs the difference measured here.
            kpt = kpt_case(tmp, krm, identity, 2 * runs)
            if kpt is not None:
                table.row("kpt fn eval --exec, bundled example", kpt)
    print("ratio: median of paired ratios (growth and memory: ratio of medians / of peaks); "
          "RSS: ours / baseline (growth: large / small)")


if __name__ == "__main__":
    main()
