# SPDX-License-Identifier: Apache-2.0
"""Merge rules of the pod-template builder (mergo override, env, probes, list order), one rule per row."""

import pytest

from krm_dynamo.defaults.mergekinds import MERGE_KINDS, POINTER, SCALAR
from krm_dynamo.render.canonical import canonicalize_pod_spec
from krm_dynamo.render.merge import (
    ProbeError,
    apply_probe,
    merge_container,
    merge_env,
    merge_pod_spec,
)

BASE = {
    "name": "main",
    "command": ["/bin/sh", "-c"],
    "ports": [{"name": "system", "containerPort": 9090, "protocol": "TCP"}],
    "env": [{"name": "A", "value": "1"}],
}


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        pytest.param({}, BASE, id="nothing"),
        pytest.param(
            {"image": "img", "workingDir": "/w"},
            {**BASE, "image": "img", "workingDir": "/w"},
            id="scalars-added",
        ),
        pytest.param({"name": "x"}, {**BASE, "name": "x"}, id="name-renames"),
        pytest.param({"name": "", "tty": False}, BASE, id="zero-scalars-keep-default"),
        pytest.param(
            {"securityContext": {}, "lifecycle": {}},
            {**BASE, "securityContext": {}, "lifecycle": {}},
            id="D29-empty-pointer-struct-replaces",
        ),
        pytest.param({"args": ["--x"]}, {**BASE, "args": ["--x"]}, id="args-independent-of-command"),
        pytest.param({"command": ["python3"]}, {**BASE, "command": ["python3"]}, id="list-replaces"),
        pytest.param({"command": []}, BASE, id="empty-list-keeps-default"),
        pytest.param(
            {"ports": [{"name": "p", "containerPort": 1}]},
            {**BASE, "ports": [{"name": "p", "containerPort": 1}]},
            id="ports-replaced-not-concatenated",
        ),
        pytest.param(
            {"env": [{"name": "A", "value": "2"}, {"name": "B", "value": "3"}]},
            {**BASE, "env": [{"name": "A", "value": "2"}, {"name": "B", "value": "3"}]},
            id="env-by-name-user-wins",
        ),
        pytest.param(
            {"env": [{"name": "A", "valueFrom": {"fieldRef": {"fieldPath": "x"}}}]},
            {**BASE, "env": [{"name": "A", "valueFrom": {"fieldRef": {"fieldPath": "x"}}}]},
            id="env-whole-entry-replaced",
        ),
        pytest.param(
            {"securityContext": {"runAsUser": 1}},
            {**BASE, "securityContext": {"runAsUser": 1}},
            id="pointer-taken",
        ),
        pytest.param(
            {"resources": {"limits": {"cpu": "1"}}},
            {**BASE, "resources": {"limits": {"cpu": "1"}}},
            id="resources",
        ),
        pytest.param(
            {"livenessProbe": {"exec": {"command": ["x"]}}},
            BASE,
            id="probes-not-merged-here",
        ),
    ],
)
def test_merge_container(user, expected):
    """mergo v0.3.6 with override, as the operator merges `mainContainer`."""
    assert merge_container(BASE, user) == expected


def test_merge_container_resources_key_by_key():
    """`resources` is a struct: limits and requests merge key by key, the user's keys winning."""
    base = {"name": "main", "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}
    user = {"resources": {"limits": {"cpu": "2"}, "requests": {"cpu": "1"}}}
    assert merge_container(base, user) == {
        "name": "main",
        "resources": {"limits": {"cpu": "2", "memory": "1Gi"}, "requests": {"cpu": "1"}},
    }


def test_merge_container_does_not_alias_input():
    """The result shares nothing with either input (no YAML aliases, no mutation)."""
    user = {"command": ["a"], "securityContext": {"runAsUser": 1}}
    out = merge_container(BASE, user)
    out["command"].append("b")
    out["securityContext"]["runAsUser"] = 2
    out["ports"][0]["name"] = "changed"
    assert user == {"command": ["a"], "securityContext": {"runAsUser": 1}}
    assert BASE["ports"][0]["name"] == "system"


@pytest.mark.parametrize(
    ("layers", "expected"),
    [
        pytest.param([[], []], [], id="empty"),
        pytest.param(
            [[{"name": "DYN_X", "value": "1"}], [{"name": "DYNAMO_PORT", "value": "8000"}]],
            [{"name": "DYNAMO_PORT", "value": "8000"}, {"name": "DYN_X", "value": "1"}],
            id="byte-wise-sort-A-before-underscore",
        ),
        pytest.param(
            [[{"name": "B", "value": "low"}], [{"name": "B", "value": "high"}]],
            [{"name": "B", "value": "high"}],
            id="later-layer-wins",
        ),
        pytest.param(
            [[{"name": "B", "value": "low"}],
             [{"name": "B", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]],
            [{"name": "B", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}],
            id="value-and-valueFrom-never-mix",
        ),
        pytest.param(
            [[{"name": "b", "value": "1"}, {"name": "B", "value": "2"}, {"name": "a", "value": "3"}]],
            [{"name": "B", "value": "2"}, {"name": "a", "value": "3"}, {"name": "b", "value": "1"}],
            id="upper-case-first",
        ),
    ],
)
def test_merge_env(layers, expected):
    """Env: merge by name, later layers win, sorted byte-wise."""
    assert merge_env(*layers) == expected


DEFAULT_STARTUP = {
    "httpGet": {"path": "/live", "port": "system"}, "periodSeconds": 10, "timeoutSeconds": 5, "failureThreshold": 720,
}


@pytest.mark.parametrize(
    ("current", "user", "expected"),
    [
        pytest.param(
            DEFAULT_STARTUP,
            {"failureThreshold": 1440},
            {"httpGet": {"path": "/live", "port": "system"}, "periodSeconds": 10, "timeoutSeconds": 5,
             "failureThreshold": 1440},
            id="R4-no-handler-laid-over-default",
        ),
        pytest.param(
            DEFAULT_STARTUP,
            {"exec": {"command": ["cat", "/tmp/healthy"]}},
            {"exec": {"command": ["cat", "/tmp/healthy"]}},
            id="D9-handler-replaces-whole",
        ),
        pytest.param(
            None,
            {"tcpSocket": {"port": 1}, "periodSeconds": 3},
            {"tcpSocket": {"port": 1}, "periodSeconds": 3},
            id="handler-without-default",
        ),
        pytest.param(
            DEFAULT_STARTUP,
            {"grpc": {"port": 5}},
            {"grpc": {"port": 5}},
            id="grpc-is-a-handler",
        ),
    ],
)
def test_apply_probe(current, user, expected):
    """The three cases of the probe rule; a probe never has two handlers."""
    assert apply_probe(current, user) == expected


def test_apply_probe_without_handler_or_default_is_an_error():
    """No handler and no default probe: an error (R4, V26)."""
    with pytest.raises(ProbeError, match="handler"):
        apply_probe(None, {"failureThreshold": 3})


@pytest.mark.parametrize(
    ("base", "user", "expected"),
    [
        pytest.param(
            {"terminationGracePeriodSeconds": 60, "restartPolicy": "Always"},
            {"terminationGracePeriodSeconds": 30, "nodeSelector": {"a": "b"}},
            {"terminationGracePeriodSeconds": 30, "restartPolicy": "Always", "nodeSelector": {"a": "b"}},
            id="user-wins",
        ),
        pytest.param(
            {"terminationGracePeriodSeconds": 60},
            {"terminationGracePeriodSeconds": 0, "automountServiceAccountToken": False, "enableServiceLinks": False},
            {"terminationGracePeriodSeconds": 0, "automountServiceAccountToken": False, "enableServiceLinks": False},
            id="D29-pointer-zero-values-replace",
        ),
        pytest.param(
            {"terminationGracePeriodSeconds": 60, "restartPolicy": "Always", "serviceAccountName": "sa"},
            {"restartPolicy": "", "serviceAccountName": "", "hostNetwork": False, "tolerations": [],
             "nodeSelector": {}},
            {"terminationGracePeriodSeconds": 60, "restartPolicy": "Always", "serviceAccountName": "sa"},
            id="non-pointer-zero-values-keep-default",
        ),
        pytest.param(
            {"terminationGracePeriodSeconds": 60},
            {"terminationGracePeriodSeconds": None, "securityContext": None},
            {"terminationGracePeriodSeconds": 60},
            id="null-is-a-nil-pointer",
        ),
        pytest.param(
            {"nodeSelector": {"a": "1", "b": "2"}},
            {"nodeSelector": {"b": "3", "c": "4"}},
            {"nodeSelector": {"a": "1", "b": "3", "c": "4"}},
            id="maps-merge-key-by-key",
        ),
    ],
)
def test_merge_pod_spec(base, user, expected):
    """`extraPodSpec`: the same rules at pod level."""
    assert merge_pod_spec(base, user) == expected


@pytest.mark.parametrize("field", [f for f, k in MERGE_KINDS.pod_spec.items() if k == POINTER])
@pytest.mark.parametrize("zero", [False, 0, "", {}], ids=["false", "0", "empty-string", "empty-object"])
def test_every_pod_spec_pointer_field_replaces_with_a_zero_value(field, zero):
    """D29: a PodSpec pointer field set to a zero value replaces the default."""
    assert merge_pod_spec({field: "default"}, {field: zero}) == {field: zero}


@pytest.mark.parametrize("field", [f for f, k in MERGE_KINDS.container.items() if k == POINTER and "Probe" not in f])
@pytest.mark.parametrize("zero", [False, 0, "", {}], ids=["false", "0", "empty-string", "empty-object"])
def test_every_container_pointer_field_replaces_with_a_zero_value(field, zero):
    """D29: a Container pointer field (probes aside: the probe rule) set to a zero value replaces the default."""
    assert merge_container({"name": "main", field: "default"}, {field: zero}) == {"name": "main", field: zero}


@pytest.mark.parametrize("field", [f for f, k in MERGE_KINDS.pod_spec.items() if k == SCALAR])
@pytest.mark.parametrize("zero", [False, 0, ""], ids=["false", "0", "empty-string"])
def test_every_pod_spec_scalar_field_keeps_the_default_on_a_zero_value(field, zero):
    """A non-pointer PodSpec field overrides only with a non-zero value (mergo's isEmptyValue)."""
    assert merge_pod_spec({field: "default"}, {field: zero}) == {field: "default"}


@pytest.mark.parametrize("field", [f for f, k in MERGE_KINDS.container.items() if k == SCALAR])
@pytest.mark.parametrize("zero", [False, 0, ""], ids=["false", "0", "empty-string"])
def test_every_container_scalar_field_keeps_the_default_on_a_zero_value(field, zero):
    """A non-pointer Container field overrides only with a non-zero value."""
    assert merge_container({"name": "main", field: "default"}, {field: zero})[field] == "default"


def test_pointer_table_names_the_go_pointer_fields():
    """The table is the Go types' own split (k8s.io/api v0.33.3 core/v1), spot-checked on known fields."""
    pointers = {f for f, k in MERGE_KINDS.pod_spec.items() if k == POINTER}
    assert {"terminationGracePeriodSeconds", "automountServiceAccountToken", "enableServiceLinks",
            "shareProcessNamespace", "hostUsers", "runtimeClassName", "priority"} <= pointers
    assert not {"hostNetwork", "serviceAccountName", "restartPolicy", "schedulerName"} & pointers
    assert {f for f, k in MERGE_KINDS.container.items() if k == POINTER} == {
        "restartPolicy", "livenessProbe", "readinessProbe", "startupProbe", "lifecycle", "securityContext"}
    assert MERGE_KINDS.source("PodSpec.enableServiceLinks").startswith("k8s.io/api v0.33.3 core/v1 types.go PodSpec")


def test_canonicalize_pod_spec():
    """Canonical order: every list sorted by its key; pull secrets de-duplicated (R5)."""
    spec = {
        "containers": [
            {
                "name": "main",
                "env": [{"name": "b"}, {"name": "B"}, {"name": "a"}],
                "envFrom": [
                    {"secretRef": {"name": "z"}},
                    {"configMapRef": {"name": "y"}},
                    {"secretRef": {"name": "a"}, "prefix": "P"},
                ],
                "ports": [
                    {"name": "b", "containerPort": 2},
                    {"name": "a", "containerPort": 3},
                    {"name": "a", "containerPort": 1},
                ],
                "volumeMounts": [
                    {"name": "v", "mountPath": "/b"},
                    {"name": "v", "mountPath": "/a"},
                    {"name": "shared-memory", "mountPath": "/dev/shm"},
                ],
                "securityContext": {"capabilities": {"add": ["SYS_PTRACE", "NET_ADMIN"], "drop": ["b", "a"]}},
            },
            {"name": "aaa-sidecar"},
        ],
        "imagePullSecrets": [{"name": "b"}, {"name": "a"}, {"name": "b"}],
        "volumes": [
            {"name": "z",
             "secret": {"secretName": "s", "items": [{"key": "b", "path": "x"}, {"key": "a", "path": "y"}]}},
            {"name": "shared-memory", "emptyDir": {}},
        ],
        "tolerations": [{"key": "b"}, {"key": "a", "effect": "NoSchedule"}, {"key": "a", "effect": "NoExecute"}],
    }
    out = canonicalize_pod_spec(spec)
    assert [c["name"] for c in out["containers"]] == ["aaa-sidecar", "main"]
    main = out["containers"][1]
    assert [e["name"] for e in main["env"]] == ["B", "a", "b"]
    assert main["envFrom"] == [
        {"configMapRef": {"name": "y"}}, {"secretRef": {"name": "a"}, "prefix": "P"}, {"secretRef": {"name": "z"}},
    ]
    assert main["ports"] == [
        {"name": "a", "containerPort": 1}, {"name": "a", "containerPort": 3}, {"name": "b", "containerPort": 2},
    ]
    assert main["volumeMounts"] == [
        {"name": "shared-memory", "mountPath": "/dev/shm"},
        {"name": "v", "mountPath": "/a"},
        {"name": "v", "mountPath": "/b"},
    ]
    assert main["securityContext"] == {"capabilities": {"add": ["NET_ADMIN", "SYS_PTRACE"], "drop": ["a", "b"]}}
    assert out["imagePullSecrets"] == [{"name": "a"}, {"name": "b"}]
    assert [v["name"] for v in out["volumes"]] == ["shared-memory", "z"]
    assert out["volumes"][1]["secret"]["items"] == [{"key": "a", "path": "y"}, {"key": "b", "path": "x"}]
    assert out["tolerations"] == [
        {"key": "a", "effect": "NoExecute"}, {"key": "a", "effect": "NoSchedule"}, {"key": "b"},
    ]
    # the input is left untouched
    assert spec["imagePullSecrets"] == [{"name": "b"}, {"name": "a"}, {"name": "b"}]
