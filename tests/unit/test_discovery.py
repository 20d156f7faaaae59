# SPDX-License-Identifier: Apache-2.0
"""Image-pull-secret and service-account discovery in the ResourceList (D14)."""

import base64
import json

import pytest

from krm_dynamo.graph import discovery


@pytest.mark.parametrize(
    ("reference", "host"),
    [
        ("nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.6.0", "nvcr.io"),
        ("localhost:5000/img", "localhost:5000"),
        ("https://index.docker.io/v1/", "index.docker.io"),
        ("docker.io/library/x", "docker.io"),
        ("ubuntu", "ubuntu"),
        ("registry.example.com:443", "registry.example.com:443"),
        ("[::1]:5000/img", "[::1]:5000"),
    ],
)
def test_registry_host(reference, host):
    """The operator's GetHost: the registry host of an image."""
    assert discovery.registry_host(reference) == host


@pytest.mark.parametrize("reference", ["python:3.12-slim", "", "/x", "host:abc/img"])
def test_registry_host_errors(reference):
    """A non-numeric port or an empty host yields no host (discovery is then skipped)."""
    with pytest.raises(discovery.HostError):
        discovery.registry_host(reference)


def _secret(name, auths, namespace="llm", *, string_data=False, secret_type="kubernetes.io/dockerconfigjson"):
    text = json.dumps({"auths": {host: {"auth": "eA=="} for host in auths}})
    meta = {"name": name}
    if namespace is not None:
        meta["namespace"] = namespace
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": meta, "type": secret_type}
    if string_data:
        secret["stringData"] = {".dockerconfigjson": text}
    else:
        secret["data"] = {".dockerconfigjson": base64.b64encode(text.encode()).decode()}
    return secret


@pytest.mark.parametrize(
    ("items", "namespace", "registry_secrets", "image", "expected"),
    [
        ([_secret("a", ["nvcr.io"])], "llm", {}, "nvcr.io/x:1", ["a"]),
        ([_secret("a", ["nvcr.io"], string_data=True)], "llm", {}, "nvcr.io/x:1", ["a"]),
        ([_secret("a", ["https://nvcr.io/v2/"])], "llm", {}, "nvcr.io/x:1", ["a"]),
        ([_secret("a", ["nvcr.io"], namespace="other")], "llm", {}, "nvcr.io/x:1", []),
        ([_secret("a", ["nvcr.io"], namespace=None)], None, {}, "nvcr.io/x:1", ["a"]),  # D17
        ([_secret("a", ["nvcr.io"])], None, {}, "nvcr.io/x:1", []),
        ([_secret("a", ["nvcr.io"], secret_type="Opaque")], "llm", {}, "nvcr.io/x:1", []),
        ([_secret("a", ["index.docker.io"])], "llm", {}, "docker.io/library/x", []),
        ([_secret("a", ["nvcr.io"])], "llm", {}, "python:3.12-slim", []),
        ([_secret("b", ["nvcr.io"]), _secret("a", ["nvcr.io", "ghcr.io"])], "llm", {}, "nvcr.io/x", ["b", "a"]),
        ([_secret("a", ["nvcr.io"])], "llm", {"nvcr.io": ("x", "a")}, "nvcr.io/x:1", ["a", "x"]),
        ([], "llm", {"localhost:5000": ("local",)}, "localhost:5000/img", ["local"]),
    ],
)
def test_secret_index(items, namespace, registry_secrets, image, expected):
    """Secrets of the DGD's namespace plus `registrySecrets`, matched on the exact host."""
    index, problems = discovery.build_secret_index(items, namespace, registry_secrets)
    assert problems == []
    assert index.secrets_for(image) == expected


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"data": {".dockerconfigjson": "%%%"}}, "not valid base64"),
        ({"data": {".dockerconfigjson": base64.b64encode(b"{").decode()}}, "not valid JSON"),
        ({"data": {".dockerconfigjson": base64.b64encode(b"[]").decode()}}, "auths"),
        ({"data": {}}, "found neither"),
    ],
)
def test_unreadable_secret_is_reported_and_skipped(data, problem):
    """V31: one bad Secret does not stop discovery (unlike the seed-era operator)."""
    bad = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "bad", "namespace": "llm"},
           "type": "kubernetes.io/dockerconfigjson", **data}
    index, problems = discovery.build_secret_index([bad, _secret("good", ["nvcr.io"])], "llm", {})
    assert index.secrets_for("nvcr.io/x") == ["good"]
    assert len(problems) == 1 and problems[0][0] is bad and problem in problems[0][1]


def _sa(name, namespace="llm", labelled=True):
    meta = {"name": name, "namespace": namespace}
    if labelled:
        meta["labels"] = {"nvidia.com/dynamo-component-pod": "true"}
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta}


@pytest.mark.parametrize(
    ("items", "configured", "expected"),
    [
        ([], "", ""),
        ([], "fallback", "fallback"),
        ([_sa("b"), _sa("a")], "fallback", "a"),
        ([_sa("a", labelled=False)], "", ""),
        ([_sa("a", namespace="other")], "fb", "fb"),
    ],
)
def test_component_service_account(items, configured, expected):
    """D14: labelled ServiceAccount (first by name), else functionConfig, else unset."""
    assert discovery.component_service_account(items, "llm", configured) == expected


def test_pvc_names():
    """PVCs of the namespace in the input count as known claims (V8)."""
    items = [
        {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "a", "namespace": "llm"}},
        {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "b", "namespace": "x"}},
    ]
    assert discovery.pvc_names(items, "llm") == {"a"}
