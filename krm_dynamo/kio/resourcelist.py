# SPDX-License-Identifier: Apache-2.0
"""The ``ResourceList`` wire format (KRM Functions Specification) at the edge.

:func:`read_resource_list` turns stdin bytes into ``(items, functionConfig)``;
:func:`write_resource_list` turns the core's answer back into YAML. Every way the
input can be wrong is an :class:`~krm_dynamo.kio.yamlio.InputError` with one readable line.
"""

from __future__ import annotations

from typing import Any

from krm_dynamo.kio import display, limits, yamlio
from krm_dynamo.kio.results import Result, sort_key

RESOURCE_LIST_KIND = "ResourceList"
# v1 is current; kyaml still accepts v1beta1 (older kpt and kustomize send it).
RESOURCE_LIST_API_VERSIONS = ("config.kubernetes.io/v1", "config.kubernetes.io/v1beta1")


class ResourceList:
    """The parts of an input ResourceList the function uses."""

    __slots__ = ("api_version", "function_config", "items")

    def __init__(self, api_version: str, items: list[Any], function_config: Any) -> None:
        self.api_version = api_version
        self.items = items
        self.function_config = function_config


def read_resource_list(data: bytes, source: str = "stdin") -> ResourceList:
    """Parse and check one ResourceList document."""
    text = yamlio.decode(data, source)
    documents = [d for d in yamlio.load_documents(text, source) if d is not None]
    if not documents:
        raise yamlio.InputError(
            f"{source}: input is empty; "
            "expected a ResourceList (apiVersion: config.kubernetes.io/v1, kind: ResourceList)"
        )
    if len(documents) > 1:
        raise yamlio.InputError(
            f"{source}: input holds {len(documents)} YAML documents; expected exactly one ResourceList "
            "(to expand plain YAML files, use `krm-dynamo render FILE`)"
        )
    doc = documents[0]
    if not isinstance(doc, dict):
        raise yamlio.InputError(
            f"{source}: input must be a ResourceList mapping, got a {_type_name(doc)}"
        )
    kind, api_version = doc.get("kind"), doc.get("apiVersion")
    if kind != RESOURCE_LIST_KIND or api_version not in RESOURCE_LIST_API_VERSIONS:
        raise yamlio.InputError(
            f"{source}: input must be a ResourceList (apiVersion: config.kubernetes.io/v1, kind: ResourceList), "
            f"got {display.describe('apiVersion', api_version)}, {display.describe('kind', kind)} "
            "(to expand plain YAML files, use `krm-dynamo render FILE`)"
        )
    if "items" not in doc:
        raise yamlio.InputError(
            f"{source}: the ResourceList has no `items`; `items` is required (use `items: []` for none)"
        )
    items = doc["items"]
    if not isinstance(items, list):
        raise yamlio.InputError(f"{source}: the ResourceList's `items` must be a list, got a {_type_name(items)}")
    if len(items) > limits.MAX_ITEMS:
        raise yamlio.InputError(
            f"{source}: the ResourceList holds more than {limits.MAX_ITEMS} items (the limit for one run)"
        )
    function_config = doc.get("functionConfig")
    if function_config is not None and not isinstance(function_config, dict):
        raise yamlio.InputError(
            f"{source}: the ResourceList's `functionConfig` must be a KRM object, got a {_type_name(function_config)}"
        )
    return ResourceList(api_version=api_version, items=items, function_config=function_config)


def write_resource_list(
    items: list[Any],
    results: list[Result],
    function_config: Any = None,
    api_version: str = RESOURCE_LIST_API_VERSIONS[0],
) -> str:
    """The output ResourceList as block YAML; results sorted as kyaml sorts them."""
    out: dict[str, Any] = {"apiVersion": api_version, "kind": RESOURCE_LIST_KIND, "items": items}
    if function_config:
        out["functionConfig"] = function_config
    if results:
        out["results"] = [r.to_dict() for r in sorted(results, key=sort_key)]
    return yamlio.dump(out)


def _type_name(value: Any) -> str:
    # These messages call any number "a number" ("got a number"), integers included.
    return "number" if isinstance(value, int) and not isinstance(value, bool) else display.type_name(value)
