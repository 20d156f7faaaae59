# SPDX-License-Identifier: Apache-2.0
"""D35: ``warningsAsErrors`` turns every warning about the input into an error, in every front end."""

from __future__ import annotations

from pathlib import Path

import yaml
from procs import run_krm

DGD = """\
apiVersion: nvidia.com/v1alpha1
kind: DynamoGraphDeployment
metadata:
  name: llm
  namespace: demo
spec:
  services:
    Frontend:
      componentType: frontend
      replicaz: 2
      extraPodSpec:
        mainContainer:
          image: nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.6.0
"""
TYPO = ("[error] nvidia.com/v1alpha1/DynamoGraphDeployment/demo/llm spec.services.Frontend.replicaz: "
        "unknown field `replicaz` is ignored (not part of a service spec (DynamoComponentDeploymentSharedSpec)); "
        "did you mean `replicas`?")


def _config(tmp_path: Path, **settings: object) -> str:
    body = {"apiVersion": "fn.krm-dynamo.dev/v1alpha1", "kind": "KrmDynamoConfig", "metadata": {"name": "c"},
            **settings}
    (tmp_path / "cfg.yaml").write_text(yaml.safe_dump(body))
    return "cfg.yaml"


def test_render_fails_on_a_typo_with_the_setting(tmp_path: Path):
    (tmp_path / "dgd.yaml").write_text(DGD)
    plain = run_krm("render", "dgd.yaml", cwd=tmp_path)
    assert plain.returncode == 0
    assert plain.stderr.decode() == "dgd.yaml:10: " + TYPO.replace("[error]", "[warning]") + "\n"
    strict = run_krm("render", "--function-config", _config(tmp_path, warningsAsErrors=True), "dgd.yaml",
                     cwd=tmp_path)
    assert strict.returncode == 1
    assert strict.stdout == b""  # never half an output
    assert strict.stderr.decode() == "dgd.yaml:10: " + TYPO + "\n"


def test_function_mode_reports_the_warning_as_an_error_result(tmp_path: Path):
    config = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
              "data": {"warningsAsErrors": "true"}}
    resource_list = {"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList",
                     "items": [yaml.safe_load(DGD)], "functionConfig": config}
    proc = run_krm(stdin=yaml.safe_dump(resource_list))
    assert proc.returncode == 1
    out = yaml.safe_load(proc.stdout)
    assert [(r["severity"], r["field"]["path"]) for r in out["results"] if r["severity"] != "info"] == [
        ("error", "spec.services.Frontend.replicaz")]


def test_a_clean_dgd_renders_under_a_complete_1x_profile(tmp_path: Path):
    """1.1 reproduces every catalogued change: no notice, so a clean DGD renders with warningsAsErrors."""
    (tmp_path / "dgd.yaml").write_text(DGD.replace("      replicaz: 2\n", ""))
    proc = run_krm("render", "--function-config",
                   _config(tmp_path, warningsAsErrors=True, operatorVersion="1.1"), "dgd.yaml", cwd=tmp_path)
    lines = proc.stderr.decode().splitlines()
    assert proc.returncode == 0, lines
    assert not [line for line in lines if line.startswith(("[warning]", "[error]"))]


def test_the_notice_of_an_incomplete_profile_stays_a_warning():
    """The notice of an incomplete profile (kept for a later release) is about the tool, not the input."""
    from krm_dynamo.core import _as_errors
    from krm_dynamo.kio.results import Result

    notice = Result("operatorVersion 9.9: the output follows the operator 9.9 profile, which does not yet "
                    "reproduce 1 catalogued operator changes", "warning")
    other = Result("unknown field `replicaz`", "warning", {"kind": "DynamoGraphDeployment"}, "spec")
    assert [r.severity for r in _as_errors([notice, other])] == ["warning", "error"]
