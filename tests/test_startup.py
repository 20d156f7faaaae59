# SPDX-License-Identifier: Apache-2.0
"""Start-up is paid on every `kustomize build`: heavy imports only when a DGD is present."""

import subprocess
import sys

from procs import REPO

PROBE = """
import io, sys
from krm_dynamo import cli
out, err = io.StringIO(), io.StringIO()
rc = cli.run_function(io.BytesIO(sys.stdin.buffer.read()), out, err)
heavy = sorted(m for m in ("pydantic", "jsonschema", "ruamel") if m in sys.modules)
print(rc, ",".join(heavy) or "-")
"""

NO_DGD = b"""apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: x
"""

WITH_DGD = NO_DGD + b"""- apiVersion: nvidia.com/v1alpha1
  kind: DynamoGraphDeployment
  metadata:
    name: llm
  spec:
    services:
      Planner:
        componentType: planner
        extraPodSpec:
          mainContainer:
            image: nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.6.0
"""


def heavy_modules_after(stdin: bytes) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE], input=stdin, capture_output=True, cwd=REPO, timeout=60, check=True
    )
    return proc.stdout.decode().strip()


def test_no_dgd_imports_neither_pydantic_nor_jsonschema():
    """A ResourceList without a DGD never loads the model and schema libraries."""
    assert heavy_modules_after(NO_DGD) == "0 -"


def test_dgd_loads_the_models():
    """With a DGD the typed models (pydantic) and the schema check of its embedded Kubernetes
    types (jsonschema) are loaded — the check above can fail."""
    assert heavy_modules_after(WITH_DGD) == "0 jsonschema,pydantic"


def test_no_dgd_builds_no_default_tables():
    """The sourced default tables are built only when a DGD is expanded."""
    probe = PROBE.replace('("pydantic", "jsonschema", "ruamel")', '("krm_dynamo.defaults", "dataclasses")')
    assert probe != PROBE
    proc = subprocess.run([sys.executable, "-c", probe], input=NO_DGD, capture_output=True, cwd=REPO, timeout=60,
                          check=True)
    assert proc.stdout.decode().strip() == "0 -"


def test_no_dgd_reads_no_kubernetes_schemas():
    """The embedded types' schemas (kube/schemas.json) are read only when a DGD is expanded."""
    modules = '("krm_dynamo.kube.schemas", "krm_dynamo.graph.embedded")'
    probe = PROBE.replace('("pydantic", "jsonschema", "ruamel")', modules)
    assert probe != PROBE
    for stdin, expected in ((NO_DGD, "0 -"), (WITH_DGD, "0 krm_dynamo.graph.embedded,krm_dynamo.kube.schemas")):
        proc = subprocess.run([sys.executable, "-c", probe], input=stdin, capture_output=True, cwd=REPO, timeout=60,
                              check=True)
        assert proc.stdout.decode().strip() == expected
