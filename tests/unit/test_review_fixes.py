# SPDX-License-Identifier: Apache-2.0
"""Inputs from the code review that crashed, hung or were accepted wrongly: each gives an exact result now.

Every case runs through :func:`krm_dynamo.core.expand` and checks the error's field path and a
fragment of its message (and that nothing is generated), or the output where the input is valid.
"""

from __future__ import annotations

import copy
import time

import pytest

from krm_dynamo.core import expand
from krm_dynamo.kube import quantity

IMG = "nvcr.io/x:1"
NS = "ns"


def _dgd(**services) -> dict:
    base = {
        "Frontend": {"componentType": "frontend", "extraPodSpec": {"mainContainer": {"image": IMG}}},
        "W": {
            "componentType": "worker",
            "resources": {"limits": {"gpu": "1"}},
            "extraPodSpec": {"mainContainer": {"image": IMG, "args": ["python3 -m dynamo.vllm --model x"]}},
        },
    }
    base.update(services)
    return {
        "apiVersion": "nvidia.com/v1alpha1",
        "kind": "DynamoGraphDeployment",
        "metadata": {"name": "g", "namespace": NS},
        "spec": {"services": base},
    }


def _w(**fields) -> dict:
    """The worker service with ``fields`` laid over it (``extraPodSpec`` merged one level)."""
    svc = copy.deepcopy(_dgd()["spec"]["services"]["W"])
    for key, value in fields.items():
        if key == "extraPodSpec":
            svc["extraPodSpec"].update(value)
        else:
            svc[key] = value
    return svc


def _mc(**fields) -> dict:
    return {"extraPodSpec": {"mainContainer": {"image": IMG, "args": ["python3 -m dynamo.vllm --model x"], **fields}}}


def _errors(items, cfg=None):
    objects, results = expand(items if isinstance(items, list) else [items], cfg)
    for r in results:
        assert not r.message.startswith("internal error"), r.message
    return objects, [(r.field_path, r.message) for r in results if r.severity == "error"]


def _assert_one_error(items, path, fragment, cfg=None):
    objects, errors = _errors(items, cfg)
    generated = [o for o in objects if o.get("kind") != "DynamoGraphDeployment"]
    assert generated == [], errors
    assert len(errors) == 1 and errors[0][0] == path, errors
    assert fragment in errors[0][1], errors


# --- 1: quantities out of range ------------------------------------------------------------


@pytest.mark.parametrize("raw", [1e300, "1E999999999", "1e300", "1e-300", "-1e300", "1e38", "1" * 120])
def test_quantity_out_of_range_is_a_quantity_error(raw):
    with pytest.raises(quantity.QuantityError, match="out of range"):
        quantity.parse(raw)


def test_quantity_bounds_kept():
    assert quantity.canonical("1E") == "1E"
    assert quantity.canonical("1e37") == "10e36"
    assert quantity.canonical("8Ei") == "8Ei"
    assert quantity.canonical("1n") == "1n"
    assert quantity.canonical("1e-100") == "1e-9"  # rounded up to nano precision, as Kubernetes does


@pytest.mark.parametrize(
    ("service", "path", "fragment"),
    [
        pytest.param(_w(resources={"limits": {"gpu": 1e300}}), "spec.services.W.resources.limits.gpu",
                     "parse limits gpu quantity: \"1e+300\" is out of range", id="gpu-float"),
        pytest.param(_w(resources={"limits": {"gpu": "1E999999999"}}), "spec.services.W.resources.limits.gpu",
                     "\"1E999999999\" is out of range", id="gpu-exponent"),
        pytest.param(_w(extraPodSpec={"volumes": [{"name": "v", "emptyDir": {"sizeLimit": "1e300"}}]}),
                     "spec.services.W.extraPodSpec.volumes[0].emptyDir.sizeLimit", "invalid `sizeLimit`",
                     id="emptyDir"),
        pytest.param(_w(extraPodSpec={"containers": [{"name": "side", "image": "b",
                                                      "resources": {"limits": {"cpu": "1e300"}}}]}),
                     "spec.services.W.extraPodSpec.containers[0].resources.limits.cpu", "out of range", id="sidecar"),
    ],
)
def test_quantity_out_of_range_is_an_error(service, path, fragment):
    _assert_one_error(_dgd(W=service), path, fragment)


def test_hpa_target_out_of_range_left_as_written():
    metric = {
        "type": "Pods", "pods": {"metric": {"name": "m"}, "target": {"type": "AverageValue", "averageValue": "1e300"}},
    }
    svc = _w(autoscaling={"enabled": True, "minReplicas": 1, "maxReplicas": 2, "metrics": [metric]})
    objects, errors = _errors(_dgd(W=svc))
    assert errors == []
    hpa = next(o for o in objects if o["kind"] == "HorizontalPodAutoscaler")
    assert hpa["spec"]["metrics"][0]["pods"]["target"]["averageValue"] == "1e300"


# --- 2: pull-secret names that are not strings -------------------------------------------


def test_pull_secret_name_not_a_string():
    svc = _w(extraPodSpec={"imagePullSecrets": [{"name": ["a"]}]})
    _assert_one_error(_dgd(W=svc), "spec.services.W.extraPodSpec.imagePullSecrets[0].name",
                      "expected `name` to be a string, got a list")


def test_docker_secret_with_a_list_name_is_skipped_with_a_warning():
    secret = {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockerconfigjson",
              "metadata": {"name": ["s"], "namespace": NS}, "data": {".dockerconfigjson": "e30="}}
    objects, results = expand([_dgd(), secret])
    assert any(o["kind"] == "Deployment" for o in objects)
    warnings = [(r.field_path, r.message) for r in results if r.severity == "warning"]
    assert ("metadata.name", "cannot read the image pull secret, skipped: expected `metadata.name` to be a string, "
            "got a list") in warnings
    assert not any(r.message.startswith("internal error") for r in results)


# --- 3: numeric sort keys of mixed types -------------------------------------------------


@pytest.mark.parametrize(
    ("service", "path", "fragment"),
    [
        pytest.param(_w(extraPodSpec={"tolerations": [{"key": "a", "tolerationSeconds": "x"},
                                                      {"key": "a", "tolerationSeconds": 5}]}),
                     "spec.services.W.extraPodSpec.tolerations[0].tolerationSeconds",
                     'expected `tolerationSeconds` to be an integer, got "x"', id="tolerations"),
        pytest.param(_w(extraPodSpec={"topologySpreadConstraints": [
            {"topologyKey": "k", "whenUnsatisfiable": "DoNotSchedule", "maxSkew": "x"},
            {"topologyKey": "k", "whenUnsatisfiable": "DoNotSchedule", "maxSkew": 1}]}),
                     "spec.services.W.extraPodSpec.topologySpreadConstraints[0].maxSkew",
                     'expected `maxSkew` to be an integer, got "x"', id="topologySpread"),
        pytest.param(_w(**_mc(ports=[{"name": "p", "containerPort": "x"}, {"name": "p", "containerPort": 80}])),
                     "spec.services.W.extraPodSpec.mainContainer.ports[0].containerPort",
                     'expected `containerPort` to be an integer, got "x"', id="ports"),
    ],
)
def test_mixed_sort_keys_are_errors(service, path, fragment):
    _assert_one_error(_dgd(W=service), path, fragment)


def test_sort_keys_are_total():
    from krm_dynamo.render.canonical import canonicalize_pod_spec

    spec = {"tolerations": [{"key": "a", "tolerationSeconds": "x"}, {"key": "a", "tolerationSeconds": 5}, {"key": "a"}]}
    assert [t.get("tolerationSeconds") for t in canonicalize_pod_spec(spec)["tolerations"]] == [None, 5, "x"]


# --- 4: DYN_DEPLOYMENT_CONFIG workers ---------------------------------------------------


def _config_env(workers: str) -> list[dict]:
    return [{"name": "DYN_DEPLOYMENT_CONFIG", "value": '{"W":{"ServiceArgs":{"workers":' + workers + "}}}"}]


@pytest.mark.parametrize(("workers", "shown"), [("Infinity", "inf"), ("NaN", "nan"), ("-5", "-5"), ("2.7", "2.7"),
                                                ("true", "true"), ('"3"', '"3"'), ("4294967296", "4294967296")])
def test_deployment_config_workers_must_be_a_count(workers, shown):
    _assert_one_error(_dgd(W=_w(envs=_config_env(workers))), "spec.services.W.envs",
                      f"DYN_DEPLOYMENT_CONFIG of service `W`: expected `ServiceArgs.workers` to be a whole number "
                      f"from 0 to 2147483647, got {shown}")


def test_deployment_config_workers_at_graph_level():
    dgd = _dgd()
    dgd["spec"]["envs"] = _config_env("-1")
    _assert_one_error(dgd, "spec.envs", "got -1")


def test_deployment_config_workers_valid():
    objects, errors = _errors(_dgd(W=_w(envs=_config_env("3"))))
    assert errors == []
    deployment = next(o for o in objects if o["kind"] == "Deployment" and o["metadata"]["name"] == "g-w")
    assert deployment["spec"]["replicas"] == 3


# --- 5: int32 bounds and the multinode fan-out -------------------------------------------


@pytest.mark.parametrize(
    ("service", "path"),
    [
        (_w(replicas=2**31), "spec.services.W.replicas"),
        (_w(multinode={"nodeCount": 2**31}), "spec.services.W.multinode.nodeCount"),
        (_w(autoscaling={"enabled": True, "minReplicas": 1, "maxReplicas": 2**31}),
         "spec.services.W.autoscaling.maxReplicas"),
        (_w(autoscaling={"enabled": False, "minReplicas": 2**40}), "spec.services.W.autoscaling.minReplicas"),
    ],
)
def test_int32_bounds(service, path):
    name = path.rsplit(".", 1)[-1]
    _assert_one_error(_dgd(W=service), path, f"expected `{name}` to be at most 2147483647 (the CRD's int32), got")


def test_int32_bound_itself_is_accepted():
    objects, errors = _errors(_dgd(W=_w(replicas=2**31 - 1)))
    assert errors == [] and objects


def test_multinode_fan_out_is_capped():
    start = time.monotonic()
    _assert_one_error(_dgd(W=_w(replicas=100_000_000, multinode={"nodeCount": 2})), "spec.services.W.replicas",
                      "expected at most 10000 pods per multinode service (replicas x nodeCount), got 100000000 x 2")
    assert time.monotonic() - start < 5


def test_multinode_fan_out_from_deployment_config():
    _assert_one_error(_dgd(W=_w(multinode={"nodeCount": 4}, envs=_config_env("5000"))), "spec.services.W.envs",
                      "got 5000 x 4 = 20000")


def test_multinode_fan_out_at_the_cap():
    objects, errors = _errors(_dgd(W=_w(replicas=5, multinode={"nodeCount": 2})))
    assert errors == []
    assert len([o for o in objects if o["kind"] == "LeaderWorkerSet"]) == 5


def test_single_node_replicas_not_capped():
    objects, errors = _errors(_dgd(W=_w(replicas=100_000_000)))
    assert errors == [] and objects


# --- 6: service keys equal but for case ----------------------------------------------------


def test_service_keys_differing_in_case():
    dgd = _dgd(w=_w())
    _assert_one_error(dgd, "spec.services.w", 'expected service keys to differ in more than case: `w` and `W` both '
                                              'name the objects "g-w"')


# --- 7: a sidecar named like the main container ------------------------------------------


@pytest.mark.parametrize("field", ["containers", "initContainers"])
def test_sidecar_named_main(field):
    svc = _w(extraPodSpec={field: [{"name": "main", "image": "busybox"}]})
    _assert_one_error(_dgd(W=svc), f"spec.services.W.extraPodSpec.{field}[0].name",
                      'expected a container name other than "main", the name of the main container')


def test_sidecar_named_like_a_renamed_main():
    svc = _w(**_mc(name="engine"))
    svc["extraPodSpec"]["containers"] = [{"name": "engine", "image": "b"}]
    _assert_one_error(_dgd(W=svc), "spec.services.W.extraPodSpec.containers[0].name", '"engine"')


def test_hpa_reads_the_main_container_not_a_sidecar():
    """V12 warns on the built main container even when a sidecar sorts first and has a CPU request."""
    svc = _w(autoscaling={"enabled": True, "minReplicas": 1, "maxReplicas": 2},
             extraPodSpec={"containers": [{"name": "a-side", "image": "b", "resources": {"requests": {"cpu": "1"}}}]})
    _, results = expand([_dgd(W=svc)])
    assert [r.field_path for r in results if r.severity == "warning"] == ["spec.services.W.autoscaling.metrics"]


# --- 8: DGD metadata -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("namespace", ["x"], "expected `metadata.namespace` to be a string, got a list"),
        ("namespace", "Bad_NS", 'expected the namespace to be a DNS-1123 label'),
        ("name", ["g"], "expected `metadata.name` to be a string, got a list"),
        ("annotations", ["a"], "expected `metadata.annotations` to be a mapping, got a list"),
        ("annotations", {"nvidia.com/enable-grove": 5}, "expected `metadata.annotations` to map strings to strings"),
        ("labels", "x", 'expected `metadata.labels` to be a mapping, got "x"'),
        ("labels", {"a": True}, "expected `metadata.labels` to map strings to strings"),
    ],
)
def test_dgd_metadata(field, value, fragment):
    dgd = _dgd()
    dgd["metadata"][field] = value
    _assert_one_error(dgd, f"metadata.{field}", fragment)


def test_dgd_metadata_not_a_mapping():
    dgd = _dgd()
    dgd["metadata"] = ["x"]
    _assert_one_error(dgd, "metadata", "expected `metadata` to be a mapping, got a list")


# --- 9: a blank image ----------------------------------------------------------------------


def test_blank_image_without_default_is_an_error():
    _assert_one_error(_dgd(W=_w(**_mc(image="   "))), "spec.services.W.extraPodSpec.mainContainer.image",
                      "expected a container image")


def test_blank_image_takes_the_default_image():
    objects, errors = _errors(_dgd(W=_w(**_mc(image="   "))),
                              {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
                               "data": {"defaultImage": "reg.io/default:1"}})
    assert errors == []
    deployment = next(o for o in objects if o["kind"] == "Deployment" and o["metadata"]["name"] == "g-w")
    main = next(c for c in deployment["spec"]["template"]["spec"]["containers"] if c["name"] == "main")
    assert main["image"] == "reg.io/default:1"
