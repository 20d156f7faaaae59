# SPDX-License-Identifier: Apache-2.0
"""``krm_dynamo/kube/schemas-<version>.json``: generated from a maintained package, never drifting from it.

The files hold the Kubernetes 1.33 (operator 0.6) and 1.34 (operators 1.0 and 1.1)
definitions of the types a DGD embeds, taken by ``scripts/generate_kube_schemas.py`` from the
``kubernetes-validate`` package. These tests regenerate them and compare, check that every
embedded type has the fields the CRD of each operator release gives it (the CRD is what the
API server prunes by), and render every real upstream DGD without a single result from the
check.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from shared_files import SHARED, require

from krm_dynamo import defaults
from krm_dynamo.core import expand
from krm_dynamo.kube import schemas

REPO = Path(__file__).resolve().parent.parent


def _generator() -> Any:
    script = REPO / "scripts" / "generate_kube_schemas.py"
    spec = importlib.util.spec_from_file_location("generate_kube_schemas", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("version", ["1.33.0", "1.34.0"])
def test_committed_file_is_what_the_script_generates(version):
    """Regenerated from the installed kubernetes-validate: byte-identical, so it cannot drift."""
    generator = _generator()
    assert generator.KUBERNETES_VERSIONS == ("1.33.0", "1.34.0")
    committed = generator.output(version).read_text(encoding="utf-8")
    assert generator.generate(version) == committed, "run: python scripts/generate_kube_schemas.py"


@pytest.mark.parametrize("version", ["1.33.0", "1.34.0"])
def test_only_the_embedded_closure_is_kept(version):
    generator = _generator()
    source = generator.source_definitions(version)
    kept = schemas.definitions(version.rsplit(".", 1)[0])
    assert sorted(kept) == generator.closure(source)
    assert len(kept) < len(source) / 4
    for root in generator.ROOTS:
        assert set(kept[root]["properties"]) == set(source[root]["properties"])


@pytest.mark.parametrize("version", ["1.33", "1.34"])
def test_one_definition_parsed_alone_is_the_one_of_the_whole_document(version):
    """``schemas.definition`` decodes one type from where the generator writes it: for every type of
    the file it equals the whole document's, and a name the file lacks is None."""
    whole = schemas.definitions(version)
    for name, value in whole.items():
        schemas.definition.cache_clear()
        assert schemas.definition(name, version) == value, name
    assert schemas.definition("io.k8s.api.core.v1.NoSuchType", version) is None
    assert schemas.definition("", version) is None


def test_a_valid_dgd_decodes_only_the_types_it_reads():
    """The bundled example is plainly valid: its check decodes a few types, never the whole document."""
    from krm_dynamo.graph import embedded

    dgd = yaml.safe_load((REPO / "kustomization-examples" / "vllm-agg" / "dgd.yaml").read_text())
    for cache in (schemas._document, schemas.definition, embedded._checker):
        cache.cache_clear()
    _, results = expand([dgd], None)
    assert not [r for r in results if r.severity == "error"]
    assert schemas._document.cache_info().currsize == 0
    assert 0 < schemas.definition.cache_info().currsize < 10


def test_each_release_reads_the_kubernetes_types_its_operator_builds_against():
    """go.mod's k8s.io/api: v0.33.3 at the 0.6 commit, v0.34.3 at the 1.0 and 1.1 cuts."""
    assert {r: defaults.for_release(r).kubernetes_version for r in ("0.6", "1.0", "1.1")} == {
        "0.6": "1.33", "1.0": "1.34", "1.1": "1.34"}
    assert schemas.kubernetes_version("1.34") == "1.34.0"


# --- the same fields as the operator's CRD ----------------------------------------------------


def _resolve(node: dict[str, Any], version: str) -> dict[str, Any]:
    while "$ref" in node:
        node = schemas.definitions(version)[node["$ref"].rsplit("/", 1)[-1]]
    return node


def _compare(crd: dict[str, Any], kube: dict[str, Any], path: str, out: list[str], depth: int = 0,
             version: str = "1.33") -> None:
    """Every object level of ``crd`` has exactly the property names of ``kube``."""
    kube = _resolve(kube, version)
    if depth > 14:
        return
    if "properties" in crd:
        if set(crd["properties"]) != set(kube.get("properties", {})):
            out.append(f"{path}: CRD only {sorted(set(crd['properties']) - set(kube.get('properties', {})))}, "
                       f"schema only {sorted(set(kube.get('properties', {})) - set(crd['properties']))}")
        for name in set(crd["properties"]) & set(kube.get("properties", {})):
            _compare(crd["properties"][name], kube["properties"][name], f"{path}.{name}", out, depth + 1, version)
    if isinstance(crd.get("items"), dict) and isinstance(kube.get("items"), dict):
        _compare(crd["items"], kube["items"], f"{path}[]", out, depth + 1, version)
    if isinstance(crd.get("additionalProperties"), dict) and isinstance(kube.get("additionalProperties"), dict):
        _compare(crd["additionalProperties"], kube["additionalProperties"], f"{path}.*", out, depth + 1, version)


@pytest.mark.parametrize(("crd_file", "version"), [
    ("nvidia.com_dynamographdeployments.yaml", "1.33"),
    ("v1.0.0/nvidia.com_dynamographdeployments.yaml", "1.34"),
    ("v1.1.0/nvidia.com_dynamographdeployments.yaml", "1.34"),
])
def test_embedded_types_have_the_fields_of_the_operator_crd(crd_file, version):
    crd = yaml.safe_load(require(SHARED / "crds" / crd_file).read_text(encoding="utf-8"))
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
        _compare(crd_node, kube_node, path, differences, version=version)
    assert differences == []


# --- real DGDs ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("corpus", "release"), [
    ("dynamo-60975b518", "0.6"), ("dynamo-v1.0.0", "1.0"), ("dynamo-v1.0.0", "1.1")])
def test_real_dgds_give_no_schema_results(corpus, release):
    """Every DGD file of the upstream repository at an operator cut passes the check of that release.

    The files of the v1.0.0 cut use only fields of 1.0, so 1.x reads every field of them: no
    "unknown field" and no "exists from operator". (Some files of the 0.6 corpus set fields that
    0.6 does not have, such as ``pvc``, which 0.6 drops with a warning.)
    """
    root = require(SHARED / "realworld" / corpus)
    files = sorted(root.rglob("*.yaml"))
    assert len(files) > 30
    markers = ("(not part of a Kubernetes ", "(required in a Kubernetes ")
    if release != "0.6":
        markers += ("unknown field", "exists from operator")
    config = {"apiVersion": "fn.krm-dynamo.dev/v1alpha1", "kind": "KrmDynamoConfig", "metadata": {"name": "c"},
              "operatorVersion": release}
    found = []
    for path in files:
        docs = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if isinstance(d, dict)]
        dgds = [d for d in docs if d.get("kind") == "DynamoGraphDeployment"]
        _, results = expand(dgds, config)
        found += [f"{path.relative_to(root)}: {r.field_path}: {r.message}" for r in results
                  if any(m in r.message for m in markers)]
    assert found == []
