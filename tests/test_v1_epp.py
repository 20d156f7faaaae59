# SPDX-License-Identifier: Apache-2.0
"""The endpoint picker under operator 1.x (S13, P10, R04, T03, N07) and its rules (V05, D55, D57)."""

from __future__ import annotations

import copy
from typing import Any

import k8s_validate
import pytest
import yaml

from krm_dynamo.core import expand
from krm_dynamo.kube import goyaml

CONFIG = {"apiVersion": "fn.krm-dynamo.dev/v1alpha1", "kind": "KrmDynamoConfig", "metadata": {"name": "c"},
          "operatorVersion": "1.1", "defaultImage": "dyn:1"}
EPP_CONFIG = {"plugins": [{"name": "picker", "type": "kv-scorer", "parameters": {"b": 2, "a": "yes"}}],
              "schedulingProfiles": [{"name": "default", "plugins": [{"pluginRef": "picker"}]}],
              "saturationDetector": {"kvCacheUtilThreshold": 0.8}, "extra": 1}
DGD: dict[str, Any] = {
    "apiVersion": "nvidia.com/v1alpha1", "kind": "DynamoGraphDeployment",
    "metadata": {"name": "g", "namespace": "ns"},
    "spec": {"backendFramework": "vllm", "services": {
        "Epp": {"componentType": "epp", "globalDynamoNamespace": True, "eppConfig": {"config": EPP_CONFIG}},
        "W": {"componentType": "worker",
              "extraPodSpec": {"mainContainer": {"command": ["python3", "-m", "dynamo.vllm"]}}},
    }},
}


def _run(dgd: dict[str, Any], release: str = "1.1") -> tuple[list[dict[str, Any]], list[Any]]:
    return expand([dgd], {**CONFIG, "operatorVersion": release})


def _by_kind(out: list[dict[str, Any]], kind: str, name: str | None = None) -> dict[str, Any]:
    return next(o for o in out if o["kind"] == kind and (name is None or o["metadata"]["name"] == name))


def _errors(results: list[Any]) -> dict[str, str]:
    return {r.field_path: r.message for r in results if r.severity == "error"}


def test_epp_objects_and_pod() -> None:
    out, results = _run(copy.deepcopy(DGD))
    assert not _errors(results)
    k8s_validate.validate_all(out, k8s_validate.version_for(CONFIG))
    pod = _by_kind(out, "Deployment", "g-epp")["spec"]["template"]["spec"]
    main = pod["containers"][0]
    assert "command" not in main
    assert main["args"][:4] == ["-pool-name", "g-pool", "-pool-namespace", "ns"]
    assert [p["containerPort"] for p in main["ports"]] == [9002, 9003, 9090]
    assert main["startupProbe"] == {"grpc": {"port": 9003, "service": "inference-extension"}, "periodSeconds": 10,
                                    "failureThreshold": 180}
    assert [v["name"] for v in pod["volumes"]] == ["epp-config", "hf-cache", "shared-memory"]
    assert (pod["serviceAccountName"], pod["terminationGracePeriodSeconds"]) == ("epp-serviceaccount", 130)
    env = {e["name"]: e.get("value") for e in main["env"]}
    assert env["DYN_NAMESPACE_PREFIX"] == env["DYN_NAMESPACE"] == "dynamo"  # S03 reaches the EPP too
    service = _by_kind(out, "Service", "g-epp")
    assert service["spec"]["ports"] == [{"name": "grpc", "protocol": "TCP", "appProtocol": "http2", "port": 9002,
                                         "targetPort": 9002}]
    pool = _by_kind(out, "InferencePool")
    assert pool["spec"]["selector"]["matchLabels"]["nvidia.com/dynamo-namespace"] == "dynamo"
    assert pool["spec"]["endpointPickerRef"] == {"kind": "Service", "name": "g-epp", "port": {"number": 9002}}
    text = _by_kind(out, "ConfigMap")["data"]["epp-config-dynamo.yaml"]
    assert yaml.safe_load(text) == {
        "apiVersion": "inference.networking.x-k8s.io/v1alpha1", "kind": "EndpointPickerConfig",
        "plugins": [{"name": "picker", "parameters": {"a": "yes", "b": 2}, "type": "kv-scorer"}],
        "saturationDetector": {"kvCacheUtilThreshold": 0.8, "metricsStalenessThreshold": "0s"},
        "schedulingProfiles": [{"name": "default", "plugins": [{"pluginRef": "picker", "weight": None}]}]}
    assert '  parameters:\n    a: "yes"\n    b: 2\n' in text
    assert any("not a field of EndpointPickerConfig" in r.message for r in results)


def test_epp_1_0_lacks_the_1_1_env() -> None:
    out, _ = _run(copy.deepcopy(DGD), "1.0")
    env = {e["name"] for e in _by_kind(out, "Deployment", "g-epp")["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert "USE_STREAMING" in env and "DYN_ENFORCE_DISAGG" not in env and "DYN_NAMESPACE_PREFIX" not in env


def test_config_map_ref_and_no_namespace() -> None:
    dgd = copy.deepcopy(DGD)
    del dgd["metadata"]["namespace"]
    dgd["spec"]["services"]["Epp"]["eppConfig"] = {"configMapRef": {"name": "mine", "key": "cfg.yaml"}}
    out, results = _run(dgd)
    assert not _errors(results)
    assert not [o for o in out if o["kind"] == "ConfigMap"]
    pod = _by_kind(out, "Deployment", "g-epp")["spec"]["template"]["spec"]
    assert pod["volumes"][0]["configMap"] == {"name": "mine", "items": [{"key": "cfg.yaml",
                                                                          "path": "epp-config-dynamo.yaml"}]}
    assert pod["containers"][0]["args"][3] == "$(POD_NAMESPACE)"  # D55


def test_user_volumes_keep_the_epp_volumes() -> None:
    dgd = copy.deepcopy(DGD)
    dgd["spec"]["services"]["Epp"]["extraPodSpec"] = {"volumes": [{"name": "x", "emptyDir": {}}]}
    out, _ = _run(dgd)
    pod = _by_kind(out, "Deployment", "g-epp")["spec"]["template"]["spec"]
    # The operator's merge replaces the list and leaves the config mount without a volume (D59).
    assert [v["name"] for v in pod["volumes"]] == ["x", "epp-config", "hf-cache", "shared-memory"]
    k8s_validate.validate_all(out, k8s_validate.version_for(CONFIG))


@pytest.mark.parametrize(("change", "path", "text"), [
    ({"replicas": 2}, "spec.services.Epp.replicas", "exactly 1 replica"),
    ({"multinode": {"nodeCount": 2}}, "spec.services.Epp.multinode", "cannot be multinode"),
    ({"eppConfig": None}, "spec.services.Epp.eppConfig", "expected `eppConfig`"),
    ({"eppConfig": {}}, "spec.services.Epp.eppConfig", "either configMapRef or config"),
    ({"eppConfig": {"config": EPP_CONFIG, "configMapRef": {"name": "x"}}}, "spec.services.Epp.eppConfig",
     "mutually exclusive"),
    ({"eppConfig": {"configMapRef": {"key": "x"}}}, "spec.services.Epp.eppConfig.configMapRef.name", "required"),
    ({"eppConfig": {"config": {"plugins": []}}}, "spec.services.Epp.eppConfig.config.schedulingProfiles",
     "required by the CRD"),
    ({"eppConfig": {"config": {**EPP_CONFIG, "saturationDetector": {"metricsStalenessThreshold": "soon"}}}},
     "spec.services.Epp.eppConfig.config.saturationDetector.metricsStalenessThreshold", "Go duration"),
])
def test_epp_rules(change: dict[str, Any], path: str, text: str) -> None:
    dgd = copy.deepcopy(DGD)
    service = dgd["spec"]["services"]["Epp"]
    service.update(change)
    if service["eppConfig"] is None:
        del service["eppConfig"]
    _, results = _run(dgd)
    assert text in _errors(results)[path]


def test_one_epp_per_graph() -> None:  # D57
    dgd = copy.deepcopy(DGD)
    dgd["spec"]["services"]["Epp2"] = copy.deepcopy(dgd["spec"]["services"]["Epp"])
    _, results = _run(dgd)
    assert "at most one service of componentType epp" in _errors(results)["spec.services.Epp2.componentType"]


def test_release_0_6_has_no_endpoint_picker() -> None:
    out, results = _run(copy.deepcopy(DGD), "0.6")
    assert not [o for o in out if o["kind"] in ("InferencePool", "ConfigMap")]
    assert any("exists from operator 1.0" in r.message for r in results)


@pytest.mark.parametrize(("value", "text"), [
    ({"b10": 1, "b9": 2, "a": None}, 'a: null\nb9: 2\nb10: 1\n'),
    ({"s": ["true", "1.5", "", "a: b", "- x", "plain", "2024-01-02"]},
     "s:\n- \"true\"\n- \"1.5\"\n- \"\"\n- 'a: b'\n- '- x'\n- plain\n- \"2024-01-02\"\n"),
    ({"f": [0.8, 2.0, 1234567.5, 0.00001]}, "f:\n- 0.8\n- 2\n- 1.2345675e+06\n- 1e-05\n"),
    ({"l": [[1], {"k": {}}], "e": []}, "e: []\nl:\n- - 1\n- k: {}\n"),
])
def test_go_yaml(value: Any, text: str) -> None:
    assert goyaml.marshal(value) == text


def test_explain_shows_the_endpoint_picker() -> None:
    from krm_dynamo import defaults, explain

    table = defaults.for_release("1.1")
    assert explain.component("epp", None, table)["pod"]["serviceAccountName"]["value"] == "epp-serviceaccount"
    assert "endpointPicker" in explain.objects(table) and "modelRef" in explain.objects(table)
    with pytest.raises(explain.ExplainError):
        explain.component("epp", None, defaults.for_release("0.6"))


def test_prefill_type_is_not_in_the_pool() -> None:
    dgd = copy.deepcopy(DGD)
    dgd["spec"]["services"]["W"]["componentType"] = "prefill"
    _, results = _run(dgd)
    assert any(r.field_path == "spec.services.W.componentType" and "not in the pool" in r.message for r in results)


def test_user_mounts_replace_the_epp_mounts_with_a_warning() -> None:
    dgd = copy.deepcopy(DGD)
    dgd["spec"]["services"]["Epp"]["extraPodSpec"] = {
        "volumes": [{"name": "x", "emptyDir": {}}],
        "mainContainer": {"volumeMounts": [{"name": "x", "mountPath": "/x"}]}}
    out, results = _run(dgd)
    main = _by_kind(out, "Deployment", "g-epp")["spec"]["template"]["spec"]["containers"][0]
    assert [m["name"] for m in main["volumeMounts"]] == ["x", "shared-memory"]
    assert any("cannot read its config" in r.message for r in results)
    assert any("(D59)" in r.message for r in results)
