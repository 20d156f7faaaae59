# SPDX-License-Identifier: Apache-2.0
"""``krm_dynamo/kube/schemas.json``: generated from a maintained package, never drifting from it.

The file holds the Kubernetes 1.33 definitions of the types a DGD embeds, taken by
``scripts/generate_kube_schemas.py`` from the ``kubernetes-validate`` package. These tests
regenerate it and compare, check that every embedded type has the fields the operator's
CRD gives it (the CRD is what the API server prunes by), and render every real upstream
DGD without a single result from the check.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import yaml
from shared_files import SHARED, require

from krm_dynamo.core import expand
from krm_dynamo.kube import schemas

REPO = Path(__file__).resolve().parent.parent
DGD_CRD = SHARED / "crds" / "nvidia.com_dynamographdeployments.yaml"
REALWORLD = SHARED / "realworld" / "dynamo-60975b518"


def _generator() -> Any:
    script = REPO / "scripts" / "generate_kube_schemas.py"
    spec = importlib.util.spec_from_file_location("generate_kube_schemas", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_committed_file_is_what_the_script_generates():
    """Regenerated from the installed kubernetes-validate: byte-identical, so it cannot drift."""
    generator = _generator()
    committed = (REPO / "krm_dynamo" / "kube" / "schemas.json").read_text(encoding="utf-8")
    assert generator.generate() == committed, "run: python scripts/generate_kube_schemas.py"


def test_only_the_embedded_closure_is_kept():
    generator = _generator()
    source = generator.source_definitions()
    kept = schemas.definitions()
    assert sorted(kept) == generator.closure(source)
    assert len(kept) < len(source) / 4
    for root in generator.ROOTS:
        assert set(kept[root]["properties"]) == set(source[root]["properties"])


# --- the same fields as the operator's CRD ----------------------------------------------------


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schemas.definitions()[node["$ref"].rsplit("/", 1)[-1]]
    return node


def _compare(crd: dict[str, Any], kube: dict[str, Any], path: str, out: list[str], depth: int = 0) -> None:
    """Every object level of ``crd`` has exactly the property names of ``kube``."""
    kube = _resolve(kube)
    if depth > 14:
        return
    if "properties" in crd:
        if set(crd["properties"]) != set(kube.get("properties", {})):
            out.append(f"{path}: CRD only {sorted(set(crd['properties']) - set(kube.get('properties', {})))}, "
                       f"schema only {sorted(set(kube.get('properties', {})) - set(crd['properties']))}")
        for name in set(crd["properties"]) & set(kube.get("properties", {})):
            _compare(crd["properties"][name], kube["properties"][name], f"{path}.{name}", out, depth + 1)
    if isinstance(crd.get("items"), dict) and isinstance(kube.get("items"), dict):
        _compare(crd["items"], kube["items"], f"{path}[]", out, depth + 1)
    if isinstance(crd.get("additionalProperties"), dict) and isinstance(kube.get("additionalProperties"), dict):
        _compare(crd["additionalProperties"], kube["additionalProperties"], f"{path}.*", out, depth + 1)


def test_embedded_types_have_the_fields_of_the_operator_crd():
    crd = yaml.safe_load(require(DGD_CRD).read_text(encoding="utf-8"))
    root = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
    service = root["properties"]["services"]["additionalProperties"]["properties"]
    extra = service["extraPodSpec"]
    pod = {**extra, "properties": {k: v for k, v in extra["properties"].items() if k != "mainContainer"}}
    core, hpa = "io.k8s.api.core.v1.", "io.k8s.api.autoscaling.v2."
    pairs = [
        (pod, schemas.ref(core + "PodSpec"), "extraPodSpec"),
        (extra["properties"]["mainContainer"], schemas.ref(core + "Container"), "extraPodSpec.mainContainer"),
        (service["livenessProbe"], schemas.ref(core + "Probe"), "livenessProbe"),
        (service["readinessProbe"], schemas.ref(core + "Probe"), "readinessProbe"),
        (service["envs"]["items"], schemas.ref(core + "EnvVar"), "envs[]"),
        (root["properties"]["envs"]["items"], schemas.ref(core + "EnvVar"), "spec.envs[]"),
        (service["autoscaling"]["properties"]["metrics"]["items"], schemas.ref(hpa + "MetricSpec"), "metrics[]"),
        (service["autoscaling"]["properties"]["behavior"], schemas.ref(hpa + "HorizontalPodAutoscalerBehavior"),
         "behavior"),
    ]
    differences: list[str] = []
    for crd_node, kube_node, path in pairs:
        _compare(crd_node, kube_node, path, differences)
    assert differences == []


# --- real DGDs ---------------------------------------------------------------------------------


def test_real_dgds_give_no_schema_results():
    """Every DGD file of the upstream repository at the pinned operator commit passes the check."""
    files = sorted(require(REALWORLD).rglob("*.yaml"))
    assert len(files) > 30
    markers = ("(not part of a Kubernetes ", "(required in a Kubernetes ")
    found = []
    for path in files:
        docs = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if isinstance(d, dict)]
        dgds = [d for d in docs if d.get("kind") == "DynamoGraphDeployment"]
        _, results = expand(dgds)
        found += [f"{path.relative_to(REALWORLD)}: {r.field_path}: {r.message}" for r in results
                  if any(m in r.message for m in markers)]
    assert found == []
