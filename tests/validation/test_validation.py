# SPDX-License-Identifier: Apache-2.0
"""The validation corpus: one invalid DGD per file, one mistake each (issue 5; validation rules V1–V31).

Every ``cases/<name>.yaml`` is a DGD whose header states the one result it must give::

    # severity: error
    # path: spec.services.Frontend.replicas
    # message: expected `replicas` to be an integer

and whose body marks with ``# <--`` the line that result must point at in ``render``
mode. Each case runs through the project's interfaces: :func:`krm_dynamo.core.expand`
(exactly that one error, or that one warning; nothing generated on error) and the
``render`` command (``file:line: [severity] <resource> <path>: <message>`` on stderr,
exit code 1 on error). A few run the real CLI in a subprocess, in both modes.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from krm_dynamo import cli
from krm_dynamo.core import expand
from krm_dynamo.kio import yamlio

CASES_DIR = Path(__file__).resolve().parent / "cases"
CASES = sorted(p.stem for p in CASES_DIR.glob("*.yaml"))
MARKER = "# <--"
REPO = Path(__file__).resolve().parents[2]
DGD_REF = {"apiVersion": "nvidia.com/v1alpha1", "kind": "DynamoGraphDeployment", "name": "llm", "namespace": "ns"}
IMG = "nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.6.0"


def _case(name: str) -> tuple[Path, dict, list]:
    path = CASES_DIR / f"{name}.yaml"
    text = path.read_text(encoding="utf-8")
    expect = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        key, sep, value = line[2:].partition(": ")
        if sep and key in ("severity", "path", "message"):
            expect[key] = value
    assert set(expect) == {"severity", "path", "message"}, f"{name}: header needs severity, path and message"
    marked = [i + 1 for i, line in enumerate(text.splitlines()) if line.rstrip().endswith(MARKER)]
    assert len(marked) == 1, f"{name}: mark exactly one line with `{MARKER}`"
    expect["line"] = marked[0]
    items = [d for d in yamlio.load_documents(text, str(path)) if d is not None]
    assert len(items) == 1
    return path, expect, items


def _generated(out: list, items: list) -> list:
    return [o for o in out if o.get("kind") != "DynamoGraphDeployment" and o not in items]


def test_corpus_size():
    errors = [n for n in CASES if _case(n)[1]["severity"] == "error"]
    assert len(errors) >= 30, f"expected at least 30 invalid DGDs, found {len(errors)}"


@pytest.mark.parametrize("name", CASES)
def test_one_mistake_one_result(name: str):
    """core.expand: exactly the stated result at the stated path, with resourceRef and file."""
    _path, expect, items = _case(name)
    items[0]["metadata"]["annotations"] = {"config.kubernetes.io/path": f"cases/{name}.yaml"}
    out, results = expand(items)
    problems = [r for r in results if r.severity in ("error", "warning")]
    shown = [f"{r.severity} {r.field_path}: {r.message}" for r in problems]
    assert [(r.severity, r.field_path) for r in problems] == [(expect["severity"], expect["path"])], shown
    result = problems[0]
    assert expect["message"] in result.message, shown
    wire = result.to_dict()
    assert wire["resourceRef"] == {**DGD_REF, "name": items[0]["metadata"]["name"]}
    assert wire["field"] == {"path": expect["path"]}
    assert wire["file"] == {"path": f"cases/{name}.yaml"}
    generated = _generated(out, items)
    if expect["severity"] == "error":
        assert generated == [], "a DGD with an error must contribute nothing"
    else:
        assert generated, "a warning must not stop the expansion"


@pytest.mark.parametrize("name", CASES)
def test_render_names_file_and_line(name: str):
    """render mode (the CLI's code, in process): the stderr line carries `file:line`."""
    path, expect, items = _case(name)
    dgd = items[0]["metadata"]["name"]
    stdout, stderr = io.StringIO(), io.StringIO()
    code = cli.run_render([str(path)], stdout, stderr)
    source = os.path.normpath(str(path)).replace(os.sep, "/")
    prefix = (f"{source}:{expect['line']}: [{expect['severity']}] nvidia.com/v1alpha1/DynamoGraphDeployment/ns/{dgd} "
              f"{expect['path']}: ")
    lines = stderr.getvalue().splitlines()
    assert [line for line in lines if line.startswith(prefix) and expect["message"] in line], lines
    assert code == (1 if expect["severity"] == "error" else 0)
    if expect["severity"] == "error":
        assert stdout.getvalue() == ""


def _run_cli(args: list[str], stdin: bytes | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("KRM_DYNAMO_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "krm_dynamo", *args], input=stdin, capture_output=True,
                          env=env, cwd=CASES_DIR, timeout=60)


@pytest.mark.parametrize(
    "name", ["replicas-string", "missing-image", "pvc-unitless-size", "volume-mount-unknown-claim"]
)
def test_real_cli_render(name: str):
    """The installed entry point, as a user runs it: `krm-dynamo render FILE`."""
    _, expect, _ = _case(name)
    proc = _run_cli(["render", f"{name}.yaml"])
    err = proc.stderr.decode()
    assert "Traceback" not in err
    assert f"{name}.yaml:{expect['line']}: [{expect['severity']}] " in err
    assert f"{expect['path']}: " in err and expect["message"] in err
    assert proc.returncode == (1 if expect["severity"] == "error" else 0)


# --- several mistakes, several DGDs ------------------------------------------------------

FIVE_MISTAKES = f"""
apiVersion: nvidia.com/v1alpha1
kind: DynamoGraphDeployment
metadata:
  name: llm
  namespace: ns
spec:
  pvcs:
    - name: model-cache
      create: true
      storageClass: standard
      size: 50
      volumeAccessMode: ReadWriteMany
  services:
    Frontend:
      componentType: frontend
      replicas: "2"
      autoscaling:
        enabled: true
        minReplicas: 4
        maxReplicas: 2
    VllmWorker:
      componentType: worker
      multinode:
        nodeCount: 1
      extraPodSpec:
        mainContainer:
          image: {IMG}
          command: [python3, -m, dynamo.vllm]
"""


def test_five_mistakes_five_errors():
    """Structural and cross-field mistakes in one DGD are all reported in one run, once each."""
    items = [yaml.safe_load(FIVE_MISTAKES)]
    out, results = expand(items)
    errors = sorted(r.field_path for r in results if r.severity == "error")
    assert errors == [
        "spec.pvcs[0].size",  # no unit (D23)
        "spec.services.Frontend.autoscaling.maxReplicas",  # below minReplicas (V10)
        "spec.services.Frontend.extraPodSpec.mainContainer.image",  # no image (V22)
        "spec.services.Frontend.replicas",  # a string (strict parse)
        "spec.services.VllmWorker.multinode.nodeCount",  # below 2 (V9)
    ], [(r.field_path, r.message) for r in results]
    assert _generated(out, items) == []


GOOD = f"""
apiVersion: nvidia.com/v1alpha1
kind: DynamoGraphDeployment
metadata:
  name: good
  namespace: ns
  annotations:
    config.kubernetes.io/path: good.yaml
spec:
  services:
    Frontend:
      componentType: frontend
      extraPodSpec:
        mainContainer:
          image: {IMG}
"""
BAD = """
apiVersion: nvidia.com/v1alpha1
kind: DynamoGraphDeployment
metadata:
  name: bad
  namespace: ns
  annotations:
    config.kubernetes.io/path: bad.yaml
spec:
  services:
    Frontend:
      componentType: frontend
      replicas: -3
"""


def test_bad_and_good_dgd_in_one_list():
    """The bad DGD is reported and contributes nothing; the good one is still expanded."""
    items = [yaml.safe_load(BAD), yaml.safe_load(GOOD)]
    out, results = expand(items)
    errors = [r for r in results if r.severity == "error"]
    assert {(r.resource_ref["name"], r.field_path) for r in errors} == {
        ("bad", "spec.services.Frontend.replicas"),
        ("bad", "spec.services.Frontend.extraPodSpec.mainContainer.image"),
    }
    names = {(o["kind"], o["metadata"]["name"]) for o in out}
    assert ("Deployment", "good-frontend") in names
    assert not any(n.startswith("bad-") for _, n in names)


def test_bad_and_good_dgd_function_mode():
    """The KRM function over stdin: exit code 1, results with field and file, good DGD expanded."""
    resource_list = {
        "apiVersion": "config.kubernetes.io/v1",
        "kind": "ResourceList",
        "items": [yaml.safe_load(BAD), yaml.safe_load(GOOD)],
    }
    proc = _run_cli([], stdin=yaml.safe_dump(resource_list).encode())
    assert proc.returncode == 1
    assert b"Traceback" not in proc.stderr
    out = yaml.safe_load(proc.stdout)
    errors = [r for r in out["results"] if r["severity"] == "error"]
    assert {"message": "expected `replicas` to be at least 0, got -3", "severity": "error",
            "resourceRef": {**DGD_REF, "name": "bad"}, "field": {"path": "spec.services.Frontend.replicas"},
            "file": {"path": "bad.yaml"}} in errors
    kinds = [(i["kind"], i["metadata"]["name"]) for i in out["items"]]
    assert ("Deployment", "good-frontend") in kinds and ("Service", "good-frontend") in kinds
    assert "bad.yaml" in proc.stderr.decode() and "spec.services.Frontend.replicas" in proc.stderr.decode()


# --- the phases on their own -------------------------------------------------------------


def test_salvage_keeps_paths_and_suppresses_duplicates():
    """A value the strict parse rejects is dropped, and no rule reports it a second time."""
    from krm_dynamo.graph import validation

    spec = {
        "pvcs": [{"name": "a", "create": True, "storageClass": "s", "volumeAccessMode": "ReadWriteOnce", "size": True}],
        "services": {"A": {"volumeMounts": ["oops", {"name": "a", "mountPoint": 3}]}, "B": 7},
    }
    graph, dropped = validation.salvage(spec)
    assert graph is not None
    assert dropped == {"spec.pvcs[0].size", "spec.services.A.volumeMounts[0]",
                       "spec.services.A.volumeMounts[1].mountPoint", "spec.services.B"}
    assert graph.services["B"] is None and graph.services["A"].volumeMounts[1].name == "a"
    assert spec["services"]["B"] == 7, "the input is not modified"


def test_unknown_fields_still_reported_when_the_parse_fails():
    """V28 warnings come with the structural errors, not only after they are fixed."""
    dgd = yaml.safe_load(GOOD)
    dgd["spec"]["services"]["Frontend"].update({"replicas": "2", "replica": 2})
    _, results = expand([dgd])
    assert [(r.severity, r.field_path) for r in results if r.severity != "info"] == [
        ("error", "spec.services.Frontend.replicas"),
        ("warning", "spec.services.Frontend.replica"),
    ]
