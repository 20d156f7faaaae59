# SPDX-License-Identifier: Apache-2.0
"""``krm-dynamo schema``: the DGD's JSON Schema from the function's models, checked against the upstream CRD.

The CRD in ``../shared/crds/`` (next to the repository) is read for the comparison only;
nothing of it is copied into the project. The comparison walks both schemas together over
the Dynamo-defined levels (embedded Kubernetes types such as ``extraPodSpec`` or probes
are pass-through objects in the models and are not descended into) and asserts the exact
list of differences, each one documented.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from shared_files import SHARED, require

from krm_dynamo import cli
from krm_dynamo.api import schema, shapes
from krm_dynamo.kio import yamlio

REPO = Path(__file__).resolve().parents[1]
DGD_CRD = SHARED / "crds" / "nvidia.com_dynamographdeployments.yaml"
CASES = REPO / "tests" / "cases"

# Every difference between the models and the CRD, with the reason it is allowed.
EXPECTED_DIFFERENCES = {
    # D22: a service-level startupProbe is accepted beyond the CRD (the schema marks it x-krm-dynamo-beyond-crd).
    "extra: spec.services.*.startupProbe",
    # The CRD requires nodeCount but defaults it to 2 first, so `multinode: {}` is valid; the
    # schema states the default instead of `required`, so editors accept `multinode: {}` too.
    "required: spec.services.*.multinode: CRD ['nodeCount'], models []",
    # The function rejects negative replicas (the API server would reject the Deployment).
    "minimum: spec.services.*.replicas: CRD None, models 0",
    # Editors: the DGD name prefixes every object name and is a label value; the CRD only says object.
    "extra: metadata.annotations",
    "extra: metadata.labels",
    "extra: metadata.name",
    "extra: metadata.namespace",
    # Every Kubernetes object has these; the CRD leaves them to the API server.
    "required: : CRD [], models ['apiVersion', 'kind', 'metadata']",
    "required: metadata: CRD [], models ['name']",
}


@pytest.fixture(scope="module")
def dgd_schema() -> dict:
    return schema.dgd_schema()


def test_schema_command_prints_the_schema():
    out = io.StringIO()
    assert cli.run_schema([], out) == 0
    printed = json.loads(out.getvalue())
    assert printed == schema.dgd_schema()


def test_schema_is_an_editor_ready_json_schema(dgd_schema):
    """A valid draft-07 document with $schema, title and the apiVersion/kind constants (yaml-language-server)."""
    jsonschema.Draft7Validator.check_schema(dgd_schema)
    assert dgd_schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert dgd_schema["title"]
    assert dgd_schema["properties"]["apiVersion"]["const"] == "nvidia.com/v1alpha1"
    assert dgd_schema["properties"]["kind"]["const"] == "DynamoGraphDeployment"
    service = dgd_schema["definitions"]["DynamoComponentDeploymentSharedSpec"]
    assert service["properties"]["startupProbe"]["x-krm-dynamo-beyond-crd"] is True
    node_count = dict(dgd_schema["definitions"]["MultinodeSpec"]["properties"]["nodeCount"])
    assert node_count.pop("description")
    assert node_count == {"type": "integer", "minimum": 2, "default": 2}


def test_definitions_are_the_api_types(dgd_schema):
    """Each definition is named and titled as the operator's Go type (nvidia.com/v1alpha1)."""
    assert dgd_schema["properties"]["spec"]["$ref"] == "#/definitions/DynamoGraphDeploymentSpec"
    assert sorted(dgd_schema["definitions"]) == sorted(API_TYPES)
    for name, definition in dgd_schema["definitions"].items():
        assert definition["title"] == name
        assert definition["description"], name
        assert "``" not in definition["description"], name


# The API types of a DGD spec, and the fields the operator's generated API reference
# describes for each (it lists the Autoscaling and SharedMemorySpec fields without a
# description and has no section for the last four types). The test below wants a
# description on every property anyway; this list keeps the reference's own ones pinned.
API_TYPES = {
    "DynamoGraphDeploymentSpec": ["pvcs", "services", "envs", "backendFramework"],
    "DynamoComponentDeploymentSharedSpec": [
        "annotations", "labels", "serviceName", "componentType", "subComponentType", "dynamoNamespace",
        "resources", "autoscaling", "envs", "envFromSecret", "volumeMounts", "ingress", "sharedMemory",
        "extraPodMetadata", "extraPodSpec", "livenessProbe", "readinessProbe", "replicas", "multinode"],
    "IngressSpec": ["enabled", "host", "useVirtualService", "virtualServiceGateway", "hostPrefix", "annotations",
                    "labels", "tls", "hostSuffix", "ingressControllerClassName"],
    "IngressTLSSpec": ["secretName"],
    "MultinodeSpec": ["nodeCount"],
    "PVC": ["create", "name", "storageClass", "size", "volumeAccessMode"],
    "VolumeMount": ["name", "mountPoint", "useAsCompilationCache"],
    "Autoscaling": [],
    "SharedMemorySpec": [],
    "Resources": [],
    "ResourceItem": [],
    "ExtraPodMetadata": [],
    "ExtraPodSpec": [],
}


def _descriptions(node: dict, path: str, root: dict, seen: set[str]) -> dict[str, str | None]:
    """``{field path: description}`` of every property under ``node``, through $refs and containers."""
    out: dict[str, str | None] = {}
    for name, prop in (node.get("properties") or {}).items():
        sub = f"{path}.{name}" if path else name
        out[sub] = prop.get("description")
        target = prop
        for key in ("items", "additionalProperties"):
            if isinstance(target.get(key), dict):
                target = target[key]
                sub += "[]" if key == "items" else ".*"
        if "$ref" in target:
            ref = target["$ref"].rsplit("/", 1)[1]
            if ref not in seen:
                out.update(_descriptions(root["definitions"][ref], sub, root, seen | {ref}))
        else:
            out.update(_descriptions(target, sub, root, seen))
    return out


def test_every_property_has_a_description(dgd_schema):
    """Editors show hover text for every field of a DGD, the API reference's described fields first of all."""
    described = _descriptions(dgd_schema, "", dgd_schema, set())
    assert len(described) > 60
    assert [path for path, text in described.items() if not text] == []
    for type_name, fields in API_TYPES.items():
        properties = dgd_schema["definitions"][type_name]["properties"]
        for name in fields:
            assert properties[name].get("description"), f"{type_name}.{name}"


def _dgds_in(path: Path) -> list[dict]:
    docs = yamlio.load_documents(path.read_text(encoding="utf-8"), str(path))
    return [d for d in docs if isinstance(d, dict) and d.get("kind") == "DynamoGraphDeployment"]


def test_every_valid_golden_dgd_passes_the_schema(dgd_schema):
    """The schema is not stricter than the function: every DGD of an expected.yaml case validates."""
    validators = {"0.6": jsonschema.Draft7Validator(dgd_schema)}
    checked = 0
    for case in sorted(CASES.iterdir()):
        if not (case / "expected.yaml").exists():
            continue
        config = case / "fn-config.yaml"
        release = str((yaml.safe_load(config.read_text()) if config.exists() else {}).get("operatorVersion", "0.6"))
        if release not in validators:  # a case of a later operator release: that release's schema
            validators[release] = jsonschema.Draft7Validator(schema.dgd_schema(release))
        validator = validators[release]
        for dgd in _dgds_in(case / "input.yaml"):
            problems = [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(dgd)]
            assert not problems, f"{case.name}: {problems}"
            checked += 1
    assert checked >= 10


@pytest.mark.parametrize(("mutation", "path"), [
    ({"replicas": "2"}, ["spec", "services", "Frontend", "replicas"]),
    ({"multinode": {"nodeCount": 1}}, ["spec", "services", "Frontend", "multinode", "nodeCount"]),
    ({"replica": 2}, ["spec", "services", "Frontend"]),
])
def test_schema_flags_what_the_function_flags(dgd_schema, mutation, path):
    dgd = {"apiVersion": "nvidia.com/v1alpha1", "kind": "DynamoGraphDeployment", "metadata": {"name": "llm"},
           "spec": {"services": {"Frontend": {"componentType": "frontend", **mutation}}}}
    errors = list(jsonschema.Draft7Validator(dgd_schema).iter_errors(dgd))
    assert [list(e.absolute_path) for e in errors] == [path]


# --- comparison with the upstream CRD ----------------------------------------------------


def _resolve(node: dict, root: dict) -> dict:
    while "$ref" in node:
        node = root["definitions"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _types(node: dict) -> set[str]:
    if node.get("x-kubernetes-int-or-string"):
        return {"int-or-string"}
    if "type" in node:
        return {node["type"]}
    return {t for sub in node.get("anyOf", []) for t in _types(sub)}


def compare(crd: dict, model: dict, root: dict, path: str, out: list[str]) -> None:
    """Differences between a CRD node and a model schema node, recursively."""
    model = _resolve(model, root)
    if crd.get("x-kubernetes-int-or-string"):
        if not model.get("x-kubernetes-int-or-string"):
            out.append(f"type: {path}: CRD int-or-string, models {sorted(_types(model))}")
        return
    crd_type = crd.get("type")
    if crd_type and _types(model) != {crd_type}:
        out.append(f"type: {path}: CRD {crd_type}, models {sorted(_types(model))}")
        return
    for key in ("enum", "minimum", "default"):
        if crd.get(key) != model.get(key) and not (key == "default" and path.endswith("useAsCompilationCache")
                                                     and model.get(key) is False):
            out.append(f"{key}: {path}: CRD {crd.get(key)}, models {model.get(key)}")
    if sorted(crd.get("required", [])) != sorted(model.get("required", [])) and "properties" in model:
        crd_required, model_required = sorted(crd.get("required", [])), sorted(model.get("required", []))
        out.append(f"required: {path}: CRD {crd_required}, models {model_required}")
    if crd_type == "array":
        compare(crd.get("items", {}), model.get("items", {}), root, path + "[]", out)
        return
    crd_props = crd.get("properties")
    model_props = model.get("properties")
    if crd_props is None:
        if isinstance(crd.get("additionalProperties"), dict) and isinstance(model.get("additionalProperties"), dict):
            compare(crd["additionalProperties"], model["additionalProperties"], root, path + ".*", out)
        elif model_props:
            out.extend(f"extra: {path}.{name}" for name in sorted(model_props))
        return
    if model_props is None:
        return  # an embedded Kubernetes type: passed through as written
    open_type = model.get("additionalProperties") is True  # e.g. extraPodSpec: PodSpec fields pass through
    for name in sorted(set(crd_props) | set(model_props)):
        sub = f"{path}.{name}" if path else name
        if name not in model_props and open_type:
            continue
        if name not in model_props:
            out.append(f"missing: {sub}")
        elif name not in crd_props:
            out.append(f"extra: {sub}")
        else:
            compare(crd_props[name], model_props[name], root, sub, out)


def test_schema_matches_the_upstream_crd(dgd_schema):
    """The models lack no CRD field; every other difference is one of EXPECTED_DIFFERENCES."""
    crd = yaml.safe_load(require(DGD_CRD).read_text(encoding="utf-8"))
    version = next(v for v in crd["spec"]["versions"] if v["name"] == "v1alpha1")
    crd_schema = version["schema"]["openAPIV3Schema"]
    differences: list[str] = []
    compare(crd_schema, dgd_schema, dgd_schema, "", differences)
    missing = [d for d in differences if d.startswith("missing: ") and d != "missing: status.conditions"]
    assert missing == [], "CRD fields the models lack"
    assert set(differences) - {"missing: status.conditions", "missing: status.state"} == EXPECTED_DIFFERENCES


# --- the 1.x fields the models keep as written (their shapes: krm_dynamo.api.shapes) ----------

DGD_CRD_1_1 = SHARED / "crds" / "v1.1.0" / "nvidia.com_dynamographdeployments.yaml"

# Field path -> the exact keys of every object level the schema describes under it.
SHAPES_1_1 = {
    "spec.restart": {"": {"id", "strategy"}, "strategy": {"type", "order"}},
    "spec.topologyConstraint": {"": {"topologyProfile", "packDomain"}},
    "service.frontendSidecar": {"": {"image", "args", "envFromSecret", "envs"}},
    "service.gpuMemoryService": {"": {"enabled", "mode", "deviceClassName"}},
    "service.failover": {"": {"enabled", "mode", "numShadows"}},
    "service.topologyConstraint": {"": {"packDomain"}},
    "service.modelRef": {"": {"name", "revision"}},
    "service.scalingAdapter": {"": {"enabled"}},
    "service.checkpoint": {
        "": {"enabled", "mode", "checkpointRef", "identity"},
        "identity": {"model", "backendFramework", "dynamoVersion", "tensorParallelSize", "pipelineParallelSize",
                     "dtype", "maxModelLen", "extraParameters"},
    },
    "service.eppConfig": {
        "": {"configMapRef", "config"},
        "configMapRef": {"name", "key", "optional"},
        "config": {"apiVersion", "kind", "plugins", "schedulingProfiles", "featureGates", "saturationDetector"},
        "config.saturationDetector": {"queueDepthThreshold", "kvCacheUtilThreshold", "metricsStalenessThreshold"},
    },
}
FIELDS_1_1 = {"frontendSidecar", "gpuMemoryService", "failover", "topologyConstraint"}

# Differences from the v1.1.0 CRD inside these fields, each allowed for a reason.
EXPECTED_DIFFERENCES_1_1 = {
    # The CRD's ConfigMapKeySelector wants `key` (`name` defaults to ""); the rules want both, since the
    # operator reads the user's ConfigMap by name.
    "required: spec.services.*.eppConfig.configMapRef: CRD ['key'], models ['key', 'name']",
    # No rule checks the identity's keys; the description says both are needed.
    "required: spec.services.*.checkpoint.identity: CRD ['backendFramework', 'model'], models []",
}


def _field_node(dgd_schema: dict, field: str) -> dict | None:
    level, name = field.split(".", 1)
    definition = "DynamoGraphDeploymentSpec" if level == "spec" else "DynamoComponentDeploymentSharedSpec"
    return dgd_schema["definitions"][definition]["properties"].get(name)


def _level(node: dict, path: str) -> dict:
    for part in filter(None, path.split(".")):
        node = node["properties"][part]
    return node


def test_1_1_fields_describe_their_properties():
    """Editors complete and explain the 1.x fields: every level has its exact keys, typed and described."""
    dgd_schema = schema.dgd_schema("1.1")
    for field, levels in SHAPES_1_1.items():
        node = _field_node(dgd_schema, field)
        assert node is not None, field
        for path, keys in levels.items():
            level = _level(node, path)
            assert set(level["properties"]) == keys, f"{field} {path}"
            for key, prop in level["properties"].items():
                assert prop.get("description"), f"{field}.{path}.{key}"
    described = _descriptions(dgd_schema, "", dgd_schema, set())
    assert [path for path, text in described.items() if not text] == []
    service = dgd_schema["definitions"]["DynamoComponentDeploymentSharedSpec"]["properties"]
    assert service["failover"]["properties"]["mode"]["enum"] == ["intraPod", "interPod"]
    assert service["checkpoint"]["properties"]["mode"]["enum"] == ["Auto", "Manual"]
    assert service["frontendSidecar"]["required"] == ["image"]


def test_1_0_schema_has_no_1_1_field_and_describes_its_own():
    """Under 1.0 the 1.1 fields are absent; the 1.0 fields carry the same shapes as under 1.1."""
    old, new = schema.dgd_schema("1.0"), schema.dgd_schema("1.1")
    for field in SHAPES_1_1:
        name = field.split(".", 1)[1]
        if name in FIELDS_1_1:
            assert _field_node(old, field) is None, field
            assert _field_node(schema.dgd_schema("0.6"), field) is None, field
        else:
            assert _field_node(old, field) == _field_node(new, field), field


def test_shape_table_is_not_changed_by_the_schema():
    """The schema copies the table the rules read: generating it twice gives the same document."""
    assert schema.dump("1.1") == schema.dump("1.1")
    assert shapes.known(shapes.FAILOVER) == ("enabled", "mode", "numShadows")


@pytest.mark.parametrize(("field", "value", "path"), [
    ("failover", {"enabled": True, "mode": "sideways"}, ["failover", "mode"]),
    ("failover", {"mode": "intraPod"}, ["failover"]),
    ("gpuMemoryService", {"enabled": True, "modes": "intraPod"}, ["gpuMemoryService"]),
    ("frontendSidecar", {"args": ["--x"]}, ["frontendSidecar"]),
    ("topologyConstraint", {"packDomain": "Rack"}, ["topologyConstraint", "packDomain"]),
])
def test_1_1_schema_flags_what_the_rules_flag(field, value, path):
    dgd = {"apiVersion": "nvidia.com/v1alpha1", "kind": "DynamoGraphDeployment", "metadata": {"name": "llm"},
           "spec": {"services": {"Worker": {"componentType": "worker", field: value}}}}
    errors = list(jsonschema.Draft7Validator(schema.dgd_schema("1.1")).iter_errors(dgd))
    assert [list(e.absolute_path) for e in errors] == [["spec", "services", "Worker", *path]]


def test_1_x_fields_match_the_v1_1_0_crd():
    """Names, types, enums, bounds and required keys of these fields are the v1.1.0 CRD's.

    Defaults are left to the defaults tables (the descriptions say them), so they are not compared.
    """
    crd = yaml.safe_load(require(DGD_CRD_1_1).read_text(encoding="utf-8"))
    spec = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
    crd_levels = {"spec": spec, "service": spec["properties"]["services"]["additionalProperties"]}
    dgd_schema = schema.dgd_schema("1.1")
    differences: list[str] = []
    for field in SHAPES_1_1:
        level, name = field.split(".", 1)
        where = "spec." if level == "spec" else "spec.services.*."
        compare(crd_levels[level]["properties"][name], _field_node(dgd_schema, field), dgd_schema, where + name,
                differences)
    assert {d for d in differences if not d.startswith("default: ")} == EXPECTED_DIFFERENCES_1_1


def test_real_1_0_dgds_fit_the_shapes():
    """Every 1.x shaped field set by an upstream DGD of the v1.0.0 cut validates against its shape."""
    dgd_schema = schema.dgd_schema("1.0")
    service = dgd_schema["definitions"]["DynamoComponentDeploymentSharedSpec"]["properties"]
    checked = 0
    for path in sorted(require(SHARED / "realworld" / "dynamo-v1.0.0").rglob("*.yaml")):
        for dgd in _dgds_in(path):
            for svc in ((dgd.get("spec") or {}).get("services") or {}).values():
                for name in sorted(set(svc or {}) & {"modelRef", "scalingAdapter", "checkpoint", "eppConfig"}):
                    errors = list(jsonschema.Draft7Validator(service[name]).iter_errors(svc[name]))
                    assert errors == [], f"{path.name}: {name}"
                    checked += 1
    assert checked >= 3
