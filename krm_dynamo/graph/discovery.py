# SPDX-License-Identifier: Apache-2.0
"""Cluster lookups done on the ResourceList instead (D14).

* Image pull secrets (operator ``internal/secrets/docker.go``,
  ``internal/common/url.go``): an index registry host -> secret names built from the
  ``kubernetes.io/dockerconfigjson`` Secrets of the DGD's namespace in the input, plus
  functionConfig ``registrySecrets``; the image's host is looked up by exact string.
* The pod service account: a ServiceAccount of the DGD's namespace labelled
  ``nvidia.com/dynamo-component-pod: "true"`` (first by name), else functionConfig
  ``componentServiceAccountName``.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from krm_dynamo import defaults
from krm_dynamo.kio import limits
from krm_dynamo.record import dataclass, field

DOCKER_CONFIG_TYPE = "kubernetes.io/dockerconfigjson"
DOCKER_CONFIG_KEY = ".dockerconfigjson"


class HostError(ValueError):
    """The string has no usable registry host (the operator then skips discovery)."""


def registry_host(reference: str) -> str:
    """Registry host of an image reference or a docker-config ``auths`` key.

    The operator's ``GetHost``: prefix ``dummy://`` when there is no scheme, parse as a
    URL, return the host with any ``:port``. A non-numeric port (``python:3.12-slim``)
    or an empty host is an error.
    """
    text = reference if "://" in reference else "dummy://" + reference
    rest = text.split("://", 1)[1]
    authority = rest
    for stop in "/?#":
        authority = authority.split(stop, 1)[0]
    authority = authority.rsplit("@", 1)[-1]
    if authority.startswith("["):  # IPv6 literal
        close = authority.find("]")
        if close < 0:
            raise HostError(f'"{reference}": missing "]" in host')
        port = authority[close + 1:]
        if port and not (port.startswith(":") and (port[1:] == "" or port[1:].isdigit())):
            raise HostError(f'"{reference}": invalid port "{port}"')
    elif ":" in authority:
        port = authority.rsplit(":", 1)[1]
        if port and not (port.isascii() and port.isdigit()):
            raise HostError(f'"{reference}": invalid port ":{port}" after host')
    if not authority:
        raise HostError(f'"{reference}": empty host')
    return authority


@dataclass
class SecretIndex:
    """registry host -> secret names, in discovery order."""

    by_host: dict[str, list[str]] = field(default_factory=dict)

    def add(self, host: str, name: str) -> None:
        names = self.by_host.setdefault(host, [])
        if name not in names:
            names.append(name)

    def secrets_for(self, image: str) -> list[str]:
        """Secret names for the image's registry host; none when the host is unusable."""
        try:
            host = registry_host(image)
        except HostError:
            return []
        return list(self.by_host.get(host, ()))


class Inventory:
    """What discovery needs from the input, indexed once per run by namespace (linear in the items).

    Built by the first DGD and shared by the others (:func:`inventory`); a DGD then reads
    only the items of its own namespace, so N DGDs among M items cost O(N + M), not O(N x M).
    """

    __slots__ = ("_device_classes", "_pvcs", "_read", "_secrets", "_service_accounts", "_topologies")

    def __init__(self, items: list[Any]) -> None:
        self._secrets: dict[str, list[dict[str, Any]]] = {}  # docker-config Secrets, in input order
        self._service_accounts: dict[str, list[str]] = {}  # names of labelled ServiceAccounts
        self._pvcs: dict[str, set[str]] = {}
        self._device_classes: set[str] = set()  # cluster-scoped DRA DeviceClasses (O02, D50)
        self._read: dict[int, tuple[dict[str, Any] | None, str, str]] = {}  # id(secret) -> (auths, problem, field)
        self._topologies: list[dict[str, Any]] = []  # Grove ClusterTopologies (cluster scoped, D62)
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("metadata"), dict):
                continue
            namespace = item["metadata"].get("namespace") or ""
            if not isinstance(namespace, str):
                continue  # in no DGD's namespace
            kind = item.get("kind")
            if kind == "ClusterTopology" and item.get("apiVersion") == "grove.io/v1alpha1":
                self._topologies.append(item)
            elif kind == "PersistentVolumeClaim" and item["metadata"].get("name"):
                self._pvcs.setdefault(namespace, set()).add(str(item["metadata"]["name"]))
            elif kind == "DeviceClass" and str(item.get("apiVersion", "")).startswith("resource.k8s.io/"):
                self._device_classes.add(str(item["metadata"].get("name")))
            elif item.get("apiVersion") != "v1":
                continue
            elif kind == "Secret" and item.get("type") == DOCKER_CONFIG_TYPE and item["metadata"].get("name"):
                self._secrets.setdefault(namespace, []).append(item)
            elif kind == "ServiceAccount" and item["metadata"].get("name") \
                    and _labels(item).get(defaults.LABEL_COMPONENT_POD) == "true":
                self._service_accounts.setdefault(namespace, []).append(str(item["metadata"]["name"]))

    def pvc_names(self, namespace: str | None) -> set[str]:
        return set(self._pvcs.get(namespace or "", ()))

    def device_classes(self) -> frozenset[str]:
        """Names of the DRA DeviceClasses in the input (cluster-scoped)."""
        return frozenset(self._device_classes)
    def cluster_topologies(self) -> dict[str, list[str]]:
        """Grove ClusterTopology name -> the ``domain`` of each of its ``spec.levels``, broadest first (D62)."""
        out: dict[str, list[str]] = {}
        for item in self._topologies:
            levels = (item.get("spec") or {}).get("levels") if isinstance(item.get("spec"), dict) else None
            out[str(item["metadata"].get("name"))] = [str(lv.get("domain")) for lv in levels or []
                                                      if isinstance(lv, dict)]
        return out

    def service_accounts(self, namespace: str | None) -> list[str]:
        return self._service_accounts.get(namespace or "", [])

    def docker_secrets(self, namespace: str | None) -> list[tuple[dict[str, Any], dict[str, Any] | None, str, str]]:
        """``(secret, auths or None, problem, field)`` per docker-config Secret of ``namespace``, each read once."""
        out = []
        for secret in self._secrets.get(namespace or "", []):
            key = id(secret)
            if key not in self._read:
                self._read[key] = _read_secret(secret)
            out.append((secret, *self._read[key]))
        return out


def inventory(items: list[Any] | Inventory) -> Inventory:
    """``items`` indexed (an :class:`Inventory` is returned as it is)."""
    return items if isinstance(items, Inventory) else Inventory(items)


def _read_secret(secret: dict[str, Any]) -> tuple[dict[str, Any] | None, str, str]:
    name = secret["metadata"]["name"]
    if not isinstance(name, str):
        return None, f"expected `metadata.name` to be a string, got {_kind(name)}", "metadata.name"
    try:
        return _auths(secret), "", ""
    except ValueError as exc:
        return None, str(exc), "data"


def build_secret_index(items: list[Any] | Inventory, namespace: str | None, registry_secrets: dict[str, Any]
                       ) -> tuple[SecretIndex, list[tuple[dict[str, Any], str, str]]]:
    """Index the docker-config Secrets of ``namespace`` in ``items`` plus ``registrySecrets``.

    Returns the index and ``(secret, problem, field)`` triples for Secrets that could not
    be read (warnings on the Secret, which is skipped), ``field`` the Secret's offending field.
    """
    index = SecretIndex()
    problems: list[tuple[dict[str, Any], str, str]] = []
    for secret, auths, problem, where in inventory(items).docker_secrets(namespace):
        if auths is None:
            problems.append((secret, problem, where))
            continue
        for key in auths:
            try:
                index.add(registry_host(str(key)), secret["metadata"]["name"])
            except HostError:
                continue
    for host, names in registry_secrets.items():
        for name in names:
            index.add(host, name)
    return index, problems


def component_service_account(items: list[Any] | Inventory, namespace: str | None, configured: str) -> str:
    """The labelled ServiceAccount of the namespace (first by name), else ``configured`` (may be "")."""
    names = inventory(items).service_accounts(namespace)
    return min(names) if names else configured


def pvc_names(items: list[Any] | Inventory, namespace: str | None) -> set[str]:
    """Names of the PersistentVolumeClaims of ``namespace`` in the input (claims a volume mount may name)."""
    return inventory(items).pvc_names(namespace)


def _auths(secret: dict[str, Any]) -> dict[str, Any]:
    data = _mapping(secret.get("data"))
    string_data = _mapping(secret.get("stringData"))
    if DOCKER_CONFIG_KEY in data:
        try:
            text = base64.b64decode(str(data[DOCKER_CONFIG_KEY]), validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            raise ValueError(f"`data.{DOCKER_CONFIG_KEY}` is not valid base64") from None
    elif DOCKER_CONFIG_KEY in string_data:
        text = str(string_data[DOCKER_CONFIG_KEY])
    else:
        raise ValueError(f"expected `data.{DOCKER_CONFIG_KEY}` or `stringData.{DOCKER_CONFIG_KEY}`, found neither")
    import json  # here: only an input with a pull secret pays for it (and for gojson)

    from krm_dynamo.kube import gojson

    if gojson.nesting_depth(text) > limits.MAX_JSON_DEPTH:  # checked before the parse recurses
        raise ValueError(f"`{DOCKER_CONFIG_KEY}` nests JSON deeper than {limits.MAX_JSON_DEPTH} levels (the limit)")

    try:
        config = json.loads(text)
    except ValueError:
        raise ValueError(f"`{DOCKER_CONFIG_KEY}` is not valid JSON") from None
    auths = config.get("auths") if isinstance(config, dict) else None
    if not isinstance(auths, dict):
        # A ValueError, not a TypeError: bad input, not a bad call.
        raise ValueError(f"expected an `auths` object in `{DOCKER_CONFIG_KEY}`")
    return auths


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _kind(value: object) -> str:
    if type(value) is dict:
        return "a mapping"
    return "a list" if type(value) is list else repr(value)


def _labels(item: dict[str, Any]) -> dict[str, Any]:
    labels = item["metadata"].get("labels")
    return labels if isinstance(labels, dict) else {}
