# SPDX-License-Identifier: Apache-2.0
"""Object-level fidelity (issue 10): what the operator writes, and nothing the API server rejects (D31)."""

from __future__ import annotations

import math
import re

import k8s_validate
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from multinode_util import IMAGE
from multinode_util import dgd as _dgd
from multinode_util import kinds as _kinds
from multinode_util import ok as _ok
from multinode_util import run as _run
from multinode_util import worker as _worker

from krm_dynamo.graph import deployment_config
from krm_dynamo.kio import yamlio
from krm_dynamo.kube import gojson

GROVE = {"multinodeOrchestrator": "grove"}


def _errors(results) -> list[tuple[str, str]]:
    return [(r.field_path, r.message) for r in results if r.severity == "error"]


def _frontend(**extra) -> dict:
    svc: dict = {"componentType": "frontend", "replicas": 1, "extraPodSpec": {"mainContainer": {"image": IMAGE}}}
    svc.update(extra)
    return svc


# --- storageClass: "" --------------------------------------------------------------------


def test_empty_storage_class_is_written_as_given():
    """The CRD rule only asks that `storageClass` be present; "" turns off dynamic provisioning."""
    dgd = _dgd({"Frontend": _frontend()})
    dgd["spec"]["pvcs"] = [{"name": "models", "create": True, "storageClass": "", "size": "10Gi",
                            "volumeAccessMode": "ReadWriteMany"}]
    out, _ = _ok(dgd)
    (pvc,) = _kinds(out, "PersistentVolumeClaim")
    assert pvc["spec"]["storageClassName"] == ""
    assert 'storageClassName: ""\n' in yamlio.dump_all([pvc])
    assert k8s_validate.validate_object(pvc) == []


def test_missing_storage_class_is_still_an_error():
    dgd = _dgd({"Frontend": _frontend()})
    dgd["spec"]["pvcs"] = [{"name": "models", "create": True, "size": "10Gi", "volumeAccessMode": "ReadWriteMany"}]
    _, results = _run(dgd)
    assert _errors(results) == [(
        "spec.pvcs[0].storageClass",
        "When create is true, size, storageClass, and volumeAccessMode are required; missing `storageClass`",
    )]


# --- Go's encoding/json (DYN_DEPLOYMENT_CONFIG written back by a frontend) -----------------

# json.Marshal of float64 values, produced by Go 1.24+ (strconv.FormatFloat shortest digits).
GO_FLOATS = [
    (1.0, "1"), (1e3, "1000"), (1e21, "1e+21"), (1e20, "100000000000000000000"), (1e-6, "0.000001"),
    (1e-7, "1e-7"), (1.5e-7, "1.5e-7"), (123456789e-15, "1.23456789e-7"), (5e-324, "5e-324"),
    (1.7976931348623157e308, "1.7976931348623157e+308"), (-0.0, "-0"), (0.1, "0.1"), (-1e-10, "-1e-10"),
    (12345678901234567890, "12345678901234567000"), (9007199254740993, "9007199254740992"),
    (123456789012345678901234, "1.2345678901234569e+23"), (1e100, "1e+100"), (0.000001234, "0.000001234"),
    (2.5e-5, "0.000025"), (100, "100"), (1 / 3, "0.3333333333333333"), (-2.5, "-2.5"),
]


@pytest.mark.parametrize(("value", "text"), GO_FLOATS)
def test_go_float_format_matches_go(value, text):
    assert gojson.dumps(value) == text


@settings(max_examples=1000)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_go_float_format_follows_strconv_rules(value):
    """FormatFloat(f, 'f' or 'e', -1, 64): shortest digits that read back, 'e' below 1e-6 and from 1e21."""
    text = gojson.format_float(value)
    assert float(text) == value
    assert text.startswith("-") == (math.copysign(1.0, value) < 0)
    magnitude = abs(value)
    digits = text.lstrip("-").split("e")[0].replace(".", "").lstrip("0").rstrip("0") or "0"
    if len(digits) > 1:  # shortest: the closest decimal with one digit less does not read back
        assert float(format(magnitude, f".{len(digits) - 2}e")) != magnitude
    if magnitude != 0 and (magnitude < 1e-6 or magnitude >= 1e21):
        assert re.fullmatch(r"-?[1-9](\.[0-9]*[1-9])?e[-+][1-9][0-9]*", text), text  # e-7, never e-07
    else:
        assert re.fullmatch(r"-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?", text), text


def test_go_json_document():
    """Keys sorted, compact, HTML-safe escapes, `-0` kept, nested values as float64."""
    doc = gojson.loads('{"z": [1.0, -0, {"b": null, "a": "x<y&z>\\u2028"}], "A": {}, "é": true, "": 1e2}')
    assert gojson.dumps(doc) == '{"":100,"A":{},"z":[1,-0,{"a":"x\\u003cy\\u0026z\\u003e\\u2028","b":null}],"é":true}'


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        ('{"w": {"serviceargs": {"WORKERS": 2, "Resources": {"CPU": "1", "custom": {"a": null}}}}}', []),
        ('{"w": null, "x": {"port": 1e400, "ratio": "s"}}', []),  # unknown fields are skipped
        ('{"w": 3}', ["expected `w` to be an object, got the number 3"]),
        ('{"w": {"ServiceArgs": []}}', ["expected `w.ServiceArgs` to be an object, got a list"]),
        ('{"w": {"ServiceArgs": {"resources": {"cpu": 2}}}}',
         ["expected `w.ServiceArgs.resources.cpu` to be a string, got the number 2"]),
        ('{"w": {"ServiceArgs": {"resources": {"custom": {"a": 1}}}}}',
         ["expected `w.ServiceArgs.resources.custom.a` to be a string, got the number 1"]),
        ('{"w": {"ServiceArgs": {"resources": "x"}}}',
         ['expected `w.ServiceArgs.resources` to be an object, got the string "x"']),
        ('{"w": {"ServiceArgs": {"workers": 2.0}}}',
         ["expected `w.ServiceArgs.workers` to be a whole number (a Go int32), got the number 2.0"]),
        ('{"w": {"ServiceArgs": {"workers": 2}, "serviceargs": null}}', []),  # the later key wins
        ('{"w": {"port": NaN}}', ["`NaN` at `w.port` is not JSON"]),
    ],
)
def test_deployment_config_go_shape(text, problems):
    """What json.Unmarshal into the operator's map[string]*DynDeploymentServiceConfig rejects (checked with Go)."""
    assert [p.problem for p in deployment_config.shape_problems(gojson.loads(text))] == problems


def _config(value: str) -> list[dict]:
    return [{"name": "DYN_DEPLOYMENT_CONFIG", "value": value}]


def _worker1(**extra) -> dict:
    svc: dict = {"componentType": "worker", "resources": {"limits": {"gpu": "1"}},
                 "extraPodSpec": {"mainContainer": {"image": IMAGE, "command": ["python3", "-m", "dynamo.vllm"]}}}
    svc.update(extra)
    return svc


def _env(out, name: str, env: str = "DYN_DEPLOYMENT_CONFIG") -> str:
    (deployment,) = [o for o in _kinds(out, "Deployment") if o["metadata"]["name"] == name]
    main = next(c for c in deployment["spec"]["template"]["spec"]["containers"] if c["name"] == "main")
    return next(e["value"] for e in main["env"] if e["name"] == env)


def test_frontend_rewrites_without_an_entry_and_others_keep_the_text():
    text = '{"W": {"ServiceArgs": {"workers": 2}}, "Other": {"b": 1.0, "a": 2}}'
    dgd = _dgd({"F": _frontend(), "W": _worker1()})
    dgd["spec"]["envs"] = _config(text)
    out, _ = _ok(dgd)
    assert _env(out, "g-f") == '{"Other":{"a":2,"b":1},"W":{"ServiceArgs":{"workers":2}}}'
    assert _env(out, "g-w") == text
    assert next(o for o in _kinds(out, "Deployment") if o["metadata"]["name"] == "g-w")["spec"]["replicas"] == 2


def test_frontend_reads_json_null_as_an_empty_config():
    out, _ = _ok(_dgd({"F": _frontend(envs=_config("null"))}))
    assert _env(out, "g-f") == "null"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('{"Other": {"ServiceArgs": {"workers": "3"}}}',
         'expected `Other.ServiceArgs.workers` to be a whole number (a Go int32), got the string "3"'),
        ('{"Other": {"note": Infinity}}', "`Infinity` at `Other.note` is not JSON"),
        ('{"Other": {"big": 1e400}}',
         "the number inf does not fit a float64 (a frontend reads every number as a float64)"),
        ("[1]", 'expected its `value` to be a JSON object, got "[1]"'),
    ],
)
def test_deployment_config_the_operator_cannot_read_fails_the_dgd(value, message):
    """D31: any entry, not only the reading service's; huge numbers only where a frontend reads the value."""
    _, results = _run(_dgd({"F": _frontend(envs=_config(value))}))
    assert _errors(results) == [("spec.services.F.envs", f"failed to parse DYN_DEPLOYMENT_CONFIG: {message}")]


def test_huge_number_is_fine_where_no_frontend_reads_it():
    _ok(_dgd({"W": _worker1(envs=_config('{"Other": {"big": 1e400}}'))}))


def test_deployment_config_custom_replaces_the_service_custom_and_empty_unsets():
    """overrideWithDynDeploymentConfig: given `custom` replaces the map; `cpu: ""` clears the service's cpu."""
    worker = _worker1(resources={"requests": {"cpu": "1", "custom": {"example.com/a": "1"}},
                                 "limits": {"gpu": "1", "custom": {"example.com/a": "1"}}},
                      envs=_config('{"W": {"ServiceArgs": {"resources": '
                                   '{"cpu": "", "custom": {"example.com/b": "2"}}}}}'))
    out, _ = _ok(_dgd({"W": worker}))
    (deployment,) = _kinds(out, "Deployment")
    main = next(c for c in deployment["spec"]["template"]["spec"]["containers"] if c["name"] == "main")
    assert main["resources"] == {"requests": {"example.com/b": "2"},
                                 "limits": {"example.com/b": "2", "nvidia.com/gpu": "1"}}


# --- resource names (D31) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mutate", "path", "fragment"),
    [
        (lambda w: w.update(resources={"limits": {"gpu": "1", "custom": {"gpu": "1"}}}),
         "spec.services.W.resources.limits.custom.gpu", 'write "nvidia.com/gpu"'),
        (lambda w: w["extraPodSpec"].update(containers=[{"name": "side", "image": IMAGE,
                                                         "resources": {"requests": {"requests.cpu": "1"}}}]),
         "spec.services.W.extraPodSpec.containers[0].resources.requests.requests.cpu", 'write "cpu" under `requests`'),
        (lambda w: w["extraPodSpec"].update(initContainers=[{"name": "init", "image": IMAGE,
                                                             "resources": {"limits": {"storage": "1Gi"}}}]),
         "spec.services.W.extraPodSpec.initContainers[0].resources.limits.storage", '"example.com/storage"'),
        (lambda w: w["extraPodSpec"]["mainContainer"].update(resources={"limits": {"Example.com/fpga": "1"}}),
         "spec.services.W.extraPodSpec.mainContainer.resources.limits.Example.com/fpga", "not a qualified name"),
        (lambda w: w.update(envs=_config('{"W": {"ServiceArgs": {"resources": {"custom": {"GPU": "1"}}}}}')),
         "spec.services.W.envs", "DYN_DEPLOYMENT_CONFIG `ServiceArgs.resources.custom.GPU`"),
    ],
)
def test_resource_names_kubernetes_rejects(mutate, path, fragment):
    worker = _worker1()
    mutate(worker)
    _, results = _run(_dgd({"W": worker}))
    errors = _errors(results)
    assert [p for p, _ in errors] == [path], errors
    assert fragment in errors[0][1]


@pytest.mark.parametrize("name", ["cpu", "memory", "ephemeral-storage", "hugepages-2Mi", "nvidia.com/gpu",
                                  "example.com/fpga", "nvidia.com/mig-1g.5gb"])
def test_resource_names_kubernetes_accepts(name):
    worker = _worker1()
    worker["extraPodSpec"]["mainContainer"]["resources"] = {"limits": {name: "1"}, "requests": {name: "1"}}
    out, _ = _ok(_dgd({"W": worker}))
    k8s_validate.validate_all(out)


# --- names that become pod names or DNS labels (D31) ---------------------------------------


@pytest.mark.parametrize(("key", "ok"), [("a" * 44, True), ("a" * 45, False)])
def test_grove_single_node_name_limit(key, ok):
    """PodCliqueSet "g" (1) + clique (44) = 45 passes; 46 fails."""
    _, results = _run(_dgd({key: _frontend()}), GROVE)
    errors = _errors(results)
    assert (errors == []) is ok, errors
    if not ok:
        assert errors[0][1].endswith(
            f'got PodCliqueSet "g" (1) + PodClique "{key}" (45) = 46: shorten the graph name or the service name')


def test_grove_multinode_counts_the_scaling_group():
    """PodCliqueSet "g" (1) + scaling group (20) + clique "<group>-ldr" (24) = 45 passes; 21 gives 47."""
    _ok(_dgd({"w" * 20: _worker()}, backend="vllm"), GROVE)
    _, results = _run(_dgd({"w" * 21: _worker()}, backend="vllm"), GROVE)
    assert [p for p, _ in _errors(results)] == ["spec.services." + "w" * 21]


def test_grove_names_are_not_checked_on_leaderworkerset():
    _ok(_dgd({"a" * 50: _frontend()}))


def test_lws_name_length_counts_the_last_replica():
    """`<dgd>-<svc>-<i>` of the last replica: 61 characters + "-9" = 63 fits, "-10" does not."""
    key = "w" * 59  # "g-" + 59 = 61
    _ok(_dgd({key: _worker(replicas=10 - 1)}, backend="vllm"))
    _, results = _run(_dgd({key: _worker(replicas=11)}, backend="vllm"))
    errors = _errors(results)
    assert [p for p, _ in errors] == [f"spec.services.{key}"]
    assert f'"g-{key}-10"' in errors[0][1] and "got 64" in errors[0][1]


def test_lws_name_of_a_frontend_starting_with_a_digit_is_reported_once():
    dgd = _dgd({"F": _frontend(multinode={"nodeCount": 2}, resources={"limits": {"gpu": "1"}})})
    dgd["metadata"]["name"] = "9g"
    dgd["spec"]["services"]["F"]["extraPodSpec"]["mainContainer"].update(command=["sh", "-c"], args=["run"])
    _, results = _run(dgd)
    assert [p for p, _ in _errors(results)] == ["spec.services.F"]


def test_grove_graph_name_starting_with_a_digit():
    """Grove's headless Service is `<dgd>-0`: a Service name starts with a letter."""
    dgd = _dgd({"W": _worker1()})
    dgd["metadata"]["name"] = "7b-chat"
    _, results = _run(dgd, GROVE)
    assert _errors(results) == [("metadata.name", 'expected the graph name to start with a letter in Grove mode: '
                                 'Grove names the headless Service of the PodCliqueSet "7b-chat-0" (a Service name '
                                 'is a DNS-1035 label), got "7b-chat"')]


@pytest.mark.parametrize("multinode", [False, True])
def test_grove_zero_replicas(multinode):
    """Grove's webhook rejects `replicas: 0` on a clique and on a scaling group."""
    service = _worker(replicas=0) if multinode else _worker1(replicas=0)
    _, results = _run(_dgd({"W": service}, backend="vllm"), GROVE)
    what = "scaling group" if multinode else "clique"
    assert _errors(results) == [(
        "spec.services.W.replicas",
        "expected `replicas` to be at least 1 in Grove mode, got 0: "
        f"Grove's webhook rejects a {what} with 0 replicas (remove the service to run none)",
    )]
