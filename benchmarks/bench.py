# SPDX-License-Identifier: Apache-2.0
"""Start-up and throughput of krm-dynamo, as ratios against baselines measured in the same run.

    python benchmarks/bench.py [--runs N]

Baselines: the bare interpreter (``python -c pass``) and an identity KRM function
written with PyYAML's C loader and dumper (what any Python KRM function must at least
pay). Each krm-dynamo case is reported as its median wall time and its ratio to the
identity function on the same input, so numbers from different machines compare.
Nothing here asserts a time: this is a measuring tool, not a test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from krm_dynamo.kio import yamlio  # noqa: E402

IDENTITY = (
    "import sys, yaml\n"
    "rl = yaml.load(sys.stdin.buffer.read(), Loader=yaml.CSafeLoader)\n"
    "sys.stdout.write(yaml.dump(rl, Dumper=yaml.CSafeDumper, sort_keys=False))\n"
)


def deployment(i: int) -> dict:
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


def dgd(i: int) -> dict:
    image = "nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.6.0"
    return {
        "apiVersion": "nvidia.com/v1alpha1",
        "kind": "DynamoGraphDeployment",
        "metadata": {"name": f"llm-{i}", "namespace": "demo"},
        "spec": {
            "services": {
                "Frontend": {"componentType": "frontend", "replicas": 1, "extraPodSpec": {"mainContainer": {"image": image}}},
                "VllmDecodeWorker": {
                    "componentType": "worker",
                    "replicas": 1,
                    "resources": {"limits": {"gpu": "1"}},
                    "extraPodSpec": {
                        "mainContainer": {
                            "image": image,
                            "command": ["/bin/sh", "-c"],
                            "args": ["python3 -m dynamo.vllm --model Qwen/Qwen3-0.6B"],
                        }
                    },
                },
            }
        },
    }


def resource_list(n_plain: int, n_dgd: int) -> bytes:
    items = [deployment(i) for i in range(n_plain)] + [dgd(i) for i in range(n_dgd)]
    return yamlio.dump({"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": items}).encode()


def median_time(cmd: list[str], data: bytes, runs: int) -> float:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(cmd, input=data, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        times.append(time.perf_counter() - start)
        if proc.returncode != 0:
            raise SystemExit(f"{cmd} failed: {proc.stderr.decode()}")
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        identity = Path(tmp) / "identity.py"
        identity.write_text(IDENTITY)
        bare = median_time([sys.executable, "-c", "pass"], b"", args.runs)
        print(f"{'case':<34} {'median':>9} {'x identity':>11} {'x bare python':>14}")
        print(f"{'python -c pass':<34} {bare * 1000:>7.1f}ms {'':>11} {1.0:>14.2f}")
        for label, n_plain, n_dgd in [
            ("10 Deployments, no DGD", 10, 0),
            ("10 Deployments + 1 DGD", 10, 1),
            ("1000 Deployments, no DGD", 1000, 0),
            ("1000 Deployments + 10 DGDs", 1000, 10),
        ]:
            data = resource_list(n_plain, n_dgd)
            base = median_time([sys.executable, str(identity)], data, args.runs)
            ours = median_time([sys.executable, "-m", "krm_dynamo"], data, args.runs)
            print(f"{'identity: ' + label:<34} {base * 1000:>7.1f}ms {1.0:>11.2f} {base / bare:>14.2f}")
            print(f"{'krm-dynamo: ' + label:<34} {ours * 1000:>7.1f}ms {ours / base:>11.2f} {ours / bare:>14.2f}")


if __name__ == "__main__":
    main()
