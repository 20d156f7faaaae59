# SPDX-License-Identifier: Apache-2.0
"""The ``ResourceList`` wire format (KRM Functions Specification) at the edge.

:func:`read_resource_list` turns stdin bytes into ``(items, functionConfig)``;
:func:`write_resource_list` turns the core's answer back into YAML. Every way the
input can be wrong is an :class:`~krm_dynamo.kio.yamlio.InputError` with one readable line.
"""

from __future__ import annotations

from collections.abc import Iterator
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
    """The output ResourceList as one block-YAML text; results sorted as kyaml sorts them."""
    return "".join(resource_list_parts(items, results, function_config, api_version))


def resource_list_parts(
    items: list[Any],
    results: list[Result],
    function_config: Any = None,
    api_version: str = RESOURCE_LIST_API_VERSIONS[0],
    *,
    release: bool = False,
) -> Iterator[str]:
    """The output ResourceList as texts to write one after the other, each with at most :data:`_CHUNK_ITEMS` items.

    Joined, they are byte for byte ``yamlio.dump`` of the whole document
    ``{apiVersion, kind, items, functionConfig?, results?}``. Up to :data:`_CHUNK_ITEMS` items,
    that is the one part; a larger output is the header, then the items formatted a few at a
    time (a top-level block sequence is written exactly as the sequence under ``items:``),
    then ``functionConfig`` and ``results``, and the emitter's end marker where the whole
    document would have it (:func:`~krm_dynamo.kio.parts.dump_part`). So the text in memory
    (several times the size of the objects it holds) is never more than a few items' text, not
    the whole output's; with ``release`` each item is also dropped from ``items`` once
    formatted, so that what only this list holds (the generated objects) is freed as the
    output is written.

    Never half an output: everything the input decides is settled when this returns, before
    the caller writes a byte: the items, the results (sorted, in their wire form) and the text
    of ``functionConfig`` and ``results``. What is left is formatting items made of the values
    the loader and the builders make (mappings, lists, strings, numbers, booleans, null, the
    loader's keys and timestamps: all in the writer's table), which no input can make fail.
    What can still stop a run after its first part (a closed pipe, the machine out of memory,
    a bug) ends it with exit code 1 and a message; kpt and kustomize discard the output of a
    function that fails.
    """
    tail: dict[str, Any] = {}
    if function_config:
        tail["functionConfig"] = function_config
    if results:
        tail["results"] = [r.to_dict() for r in sorted(results, key=sort_key)]
    if len(items) <= _CHUNK_ITEMS:  # a small output (the common case) in one part: one call into the emitter
        text = yamlio.dump({"apiVersion": api_version, "kind": RESOURCE_LIST_KIND, "items": items, **tail})
        if release:
            items[:] = [None] * len(items)
        return iter((text,))
    from krm_dynamo.kio import parts  # here: only an output of more than _CHUNK_ITEMS items pays for it

    # The two versions are plain YAML; any other is written by yamlio.dump.
    head = f"apiVersion: {api_version}\nkind: {RESOURCE_LIST_KIND}\n" if api_version in RESOURCE_LIST_API_VERSIONS \
        else yamlio.dump({"apiVersion": api_version, "kind": RESOURCE_LIST_KIND})
    tail_text = parts.dump_part(tail) if tail else None
    return _parts(head, items, tail, tail_text, release)


_CHUNK_ITEMS = 64  # items formatted at once: a bounded text, and few emitter set-ups


def _parts(head: str, items: list[Any], tail: dict[str, Any], tail_text: tuple[str, bool] | None,
           release: bool) -> Iterator[str]:
    from krm_dynamo.kio import parts  # here: a large output only, as in resource_list_parts
    open_ended = False  # the header holds no block scalar
    yield head + "items:\n"
    for start in range(0, len(items), _CHUNK_ITEMS):
        chunk = items[start:start + _CHUNK_ITEMS]
        if release:
            items[start:start + len(chunk)] = [None] * len(chunk)
        text, open_ended = parts.dump_part(chunk, open_ended)
        del chunk
        yield text
    if tail_text is not None:
        # Formatted before the first part; again only in the rare case that the items end open-ended
        # (the same values: it cannot fail where it did not).
        text, open_ended = parts.dump_part(tail, open_ended) if open_ended else tail_text
        yield text
    if open_ended:
        yield parts.END_MARKER


def _type_name(value: Any) -> str:
    # These messages call any number "a number" ("got a number"), integers included.
    return "number" if isinstance(value, int) and not isinstance(value, bool) else display.type_name(value)
