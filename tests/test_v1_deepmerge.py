# SPDX-License-Identifier: Apache-2.0
"""The 1.x merge (P04: mergo v0.3.16, pointers merged deeply), D58, and its warnings."""

from __future__ import annotations

from typing import Any

import pytest

from krm_dynamo import defaults
from krm_dynamo.core import expand
from krm_dynamo.render.deepmerge import merge_probe, merge_value
from krm_dynamo.render.merge import merge_pod_spec

DEFAULT = {"httpGet": {"path": "/live", "port": "system"}, "periodSeconds": 5, "failureThreshold": 1}


@pytest.mark.parametrize(("user", "expected"), [
    ({"failureThreshold": 9}, {**DEFAULT, "failureThreshold": 9}),
    ({"periodSeconds": 0}, DEFAULT),
    ({"httpGet": {"path": "/x", "port": 8080}}, {**DEFAULT, "httpGet": {"path": "/x", "port": "system"}}),
    ({"httpGet": {"port": "http"}}, {**DEFAULT, "httpGet": {"path": "/live", "port": "http"}}),
    ({"exec": {"command": ["true"]}}, {"exec": {"command": ["true"]}, "periodSeconds": 5, "failureThreshold": 1}),
])
def test_merge_probe(user: dict[str, Any], expected: dict[str, Any]) -> None:
    assert merge_probe(DEFAULT, user) == expected


def test_merge_value_lists_replace_when_not_empty() -> None:
    assert merge_value({"a": [1], "b": {"c": 1}}, {"a": [], "b": {"d": 2}}) == {"a": [1], "b": {"c": 1, "d": 2}}
    assert merge_value({"a": [1]}, {"a": [2, 3]}) == {"a": [2, 3]}


def test_pod_spec_pointers() -> None:
    kinds = defaults.for_release("1.0").merge_kinds
    base = {"terminationGracePeriodSeconds": 60, "securityContext": {"fsGroup": 1000}}
    user = {"terminationGracePeriodSeconds": 0, "securityContext": {"runAsUser": 5}}
    assert merge_pod_spec(base, user, kinds, deep=True) == {"terminationGracePeriodSeconds": 60,
                                                           "securityContext": {"runAsUser": 5}}
    assert merge_pod_spec(base, user, kinds) == user  # 0.6: D29


def test_rendered_with_warnings() -> None:
    dgd = {"apiVersion": "nvidia.com/v1alpha1", "kind": "DynamoGraphDeployment",
           "metadata": {"name": "g", "namespace": "ns"},
           "spec": {"backendFramework": "vllm", "services": {"W": {
               "componentType": "worker",
               "extraPodSpec": {"terminationGracePeriodSeconds": 0, "mainContainer": {
                   "image": "i", "command": ["python3", "-m", "dynamo.vllm"],
                   "livenessProbe": {"httpGet": {"path": "/x", "port": 8080}},
                   "readinessProbe": {"exec": {"command": ["true"]}}}}}}}}
    config = {"apiVersion": "fn.krm-dynamo.dev/v1alpha1", "kind": "KrmDynamoConfig", "metadata": {"name": "c"},
              "operatorVersion": "1.0"}
    out, results = expand([dgd], config)
    pod = next(o for o in out if o["kind"] == "Deployment")["spec"]["template"]["spec"]
    main = pod["containers"][0]
    assert pod["terminationGracePeriodSeconds"] == 60
    assert main["livenessProbe"]["httpGet"] == {"path": "/x", "port": "system"}
    assert "httpGet" not in main["readinessProbe"] and main["readinessProbe"]["periodSeconds"] == 10
    messages = " ".join(r.message for r in results)
    assert "does not replace the default 60" in messages and "port 8080 is ignored" in messages
    assert "(D58)" in messages
