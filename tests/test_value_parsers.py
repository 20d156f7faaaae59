# SPDX-License-Identifier: Apache-2.0
"""Text inside a value that is parsed again (not YAML of the input): bounded, with a precise message.

* ``registrySecrets`` given as text (a ConfigMap functionConfig) is read by the project's
  YAML reader, so go-yaml v3's meaning, alias bound and depth bound apply to it too.
* JSON in a ``DYN_DEPLOYMENT_CONFIG`` env value nests at most ``limits.MAX_JSON_DEPTH``
  levels; deeper is an error on that env entry's ``value``, not a generic one.
Each bound is tried just under and just over.
"""

from __future__ import annotations

import io

import pytest

from krm_dynamo import cli
from krm_dynamo.config import FunctionConfig
from krm_dynamo.config_values import convert
from krm_dynamo.kio import limits
from krm_dynamo.kube import gojson

HEADER = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n"
SETTING = FunctionConfig.registrySecrets
BOMB = (
    "{a: &a [x,x,x,x,x,x,x,x,x,x], "
    + ", ".join(f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]" for p, c in zip("abcd", "bcde", strict=True))
    + "}"
)


def run(text: str) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    code = cli.run_function(io.BytesIO(text.encode()), stdout, stderr)
    return code, stdout.getvalue(), stderr.getvalue()


def with_setting(value: str) -> str:
    return (
        HEADER + "- {apiVersion: v1, kind: ConfigMap, metadata: {name: x}, data: {a: b}}\n"
        "functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: c}\n"
        f"  data:\n    registrySecrets: '{value}'\n"
    )


def test_registry_secrets_text_reads_json_and_yaml_as_go_yaml_v3():
    assert convert(SETTING, '{"nvcr.io": ["a", "b"]}', True) == {"nvcr.io": ("a", "b")}
    assert convert(SETTING, "{nvcr.io: a, on: [b]}", True) == {"nvcr.io": ("a",), "on": ("b",)}  # `on`: a string


@pytest.mark.parametrize(
    "value, problem",
    [
        (BOMB, "document contains excessive aliasing"),
        ("&a [*a]", "anchor 'a' value contains itself"),
        ("{a: " + "[" * limits.MAX_DEPTH + "]" * limits.MAX_DEPTH + "}", "collections nested deeper than 100 levels"),
        ("[" * 100_000 + "]" * 100_000, "collections nested deeper than 100 levels"),
    ],
)
def test_registry_secrets_text_is_bounded(value, problem):
    """An alias bomb, a recursive alias, deep nesting: one error line naming `registrySecrets`."""
    code, _, stderr = run(with_setting(value))
    assert code == 1
    [line] = stderr.splitlines()
    assert line.startswith("[error] v1/ConfigMap/c data.registrySecrets: `registrySecrets` cannot be read"), line
    assert problem in line


def test_registry_secrets_text_just_under_the_bounds():
    under = limits.MAX_DEPTH - 1  # the mapping itself is level 1
    nested = "{a: " + "[" * under + "]" * under + "}"
    with pytest.raises(ValueError, match=r"`registrySecrets.a` must be a list of secret names"):
        convert(SETTING, nested, True)  # read (then refused for its shape, not its depth)
    assert convert(SETTING, "{nvcr.io: &s [a, b], ghcr.io: *s}", True) == {"nvcr.io": ("a", "b"), "ghcr.io": ("a", "b")}


def dgd_with_config(value: str) -> str:
    return (
        HEADER
        + "- apiVersion: nvidia.com/v1alpha1\n  kind: DynamoGraphDeployment\n  metadata: {name: g, namespace: n}\n"
        "  spec:\n    services:\n      Frontend:\n        componentType: frontend\n"
        "        extraPodSpec: {mainContainer: {image: img}}\n"
        f"        envs:\n        - name: x\n          value: y\n        - name: DYN_DEPLOYMENT_CONFIG\n"
        f"          value: '{value}'\n"
    )


def nested_config(depth: int) -> str:
    """A DYN_DEPLOYMENT_CONFIG value nesting ``depth`` levels (the outer object is level 1)."""
    inner = "[" * (depth - 2) + "]" * (depth - 2)
    return '{"Frontend": {"ServiceArgs": ' + inner + "}}" if depth > 2 else '{"Frontend": {}}'


@pytest.mark.parametrize("depth", [limits.MAX_JSON_DEPTH + 1, 5000, 200_000])
def test_deep_deployment_config_names_the_env_value(depth):
    """Too deep: one error on `envs[1].value` with the limit, never the generic "nested too deeply"."""
    code, _, stderr = run(dgd_with_config(nested_config(depth)))
    assert (code, stderr) == (
        1,
        "[error] nvidia.com/v1alpha1/DynamoGraphDeployment/n/g spec.services.Frontend.envs[1].value: "
        "failed to parse DYN_DEPLOYMENT_CONFIG: its JSON nests arrays and objects deeper than 100 levels "
        "(the limit krm-dynamo reads)\n",
    )


def test_deployment_config_at_the_depth_limit_is_read():
    """MAX_JSON_DEPTH levels are read: the value's own shape problem is reported, not its depth."""
    assert gojson.nesting_depth(nested_config(limits.MAX_JSON_DEPTH)) == limits.MAX_JSON_DEPTH
    code, _, stderr = run(dgd_with_config(nested_config(limits.MAX_JSON_DEPTH)))
    assert code == 1
    assert "expected `Frontend.ServiceArgs` to be an object, got a list" in stderr
    assert "deeper than" not in stderr


def test_nesting_depth_ignores_brackets_in_strings():
    assert gojson.nesting_depth('{"a": "[[[{{", "b": [{"c": "\\"]]"}]}') == 3
    assert gojson.nesting_depth("") == 0


@pytest.mark.parametrize("depth, warned", [(limits.MAX_JSON_DEPTH - 2, False), (limits.MAX_JSON_DEPTH - 1, True)])
def test_deep_docker_config_json_skips_the_secret_with_a_warning(depth, warned):
    """A `.dockerconfigjson` nested too deeply: the Secret is skipped with a warning naming it."""
    auths = '{"auths": {"nvcr.io": ' + "[" * depth + "]" * depth + "}}"  # depth + 2 levels
    text = (
        HEADER + "- apiVersion: v1\n  kind: Secret\n  type: kubernetes.io/dockerconfigjson\n"
        f"  metadata: {{name: s, namespace: n}}\n  stringData:\n    .dockerconfigjson: '{auths}'\n"
        "- apiVersion: nvidia.com/v1alpha1\n  kind: DynamoGraphDeployment\n  metadata: {name: g, namespace: n}\n"
        "  spec: {services: {Frontend: {componentType: frontend,\n"
        "    extraPodSpec: {mainContainer: {image: nvcr.io/x:1}}}}}\n"
    )
    code, _, stderr = run(text)
    assert code == 0
    warning = (
        "[warning] v1/Secret/n/s data: cannot read the image pull secret, skipped: "
        "`.dockerconfigjson` nests JSON deeper than 100 levels (the limit)\n"
    )
    assert (stderr == warning) is warned, stderr
    assert "nested too deeply" not in stderr
