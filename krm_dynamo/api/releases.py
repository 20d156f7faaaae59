# SPDX-License-Identifier: Apache-2.0
"""Fields that exist only from a later operator release: reported per release, never silently dropped.

A field of :mod:`krm_dynamo.api.v1alpha1` made with ``_since(release, change, ...)`` carries
``x-krm-dynamo-since`` (the first release whose CRD has it) and ``x-krm-dynamo-change`` (its
catalogue ID). For the selected release (D34):

* a field from a later release is a warning that names the release to select, and its value
  is dropped (that release's API server prunes it, as it prunes an unknown field);
* a field of the release whose change the profile does not reproduce yet is a warning that
  it is accepted but not rendered;
* otherwise nothing is said.

:func:`release_fields` gives the per-release view the schema uses.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from krm_dynamo.api.v1alpha1 import DynamoType
from krm_dynamo.defaults.catalog import release_key
from krm_dynamo.defaults.release import LATEST
from krm_dynamo.graph.report import Report


def since(model: type[BaseModel], name: str) -> tuple[str, str] | None:
    """``(release, catalogue ID)`` of a field that appears in a later release; None for a 0.6 field."""
    extra = model.model_fields[name].json_schema_extra
    if isinstance(extra, dict) and "x-krm-dynamo-since" in extra:
        return str(extra["x-krm-dynamo-since"]), str(extra["x-krm-dynamo-change"])
    return None


def exists_in(model: type[BaseModel], name: str, release: str) -> bool:
    """Whether field ``name`` of ``model`` is part of the API of operator ``release``."""
    found = since(model, name)
    return found is None or release_key(found[0]) <= release_key(release)


def check_release_fields(model: BaseModel, path: str, report: Report, release: str,
                         reproduced: frozenset[str]) -> None:
    """Report (and, for a later release's field, drop) every set field that is not plain 0.6 API.

    ``path`` is the field path of ``model`` (``spec``); ``reproduced`` the catalogue IDs the
    release's profile renders.
    """
    for name in type(model).model_fields:
        value = getattr(model, name)
        if value is None:
            continue
        sub = f"{path}.{name}"
        found = since(type(model), name)
        if found is not None:
            first, change = found
            if release_key(first) > release_key(release):
                later = "" if first == LATEST else " or later"
                report.warning(sub, f"`{name}` exists from operator {first}; set operatorVersion: {first}{later} "
                                    f"(ignored under operator {release}, whose API server drops it)")
                setattr(model, name, None)
            elif change not in reproduced:
                report.warning(sub, f"`{name}` (operator {first}) is accepted but not yet rendered by krm-dynamo "
                                    f"(catalogued change {change}): the output lacks what the operator makes of it")
            continue
        for child_path, child in _children(sub, value):
            check_release_fields(child, child_path, report, release, reproduced)


def _children(path: str, value: Any) -> list[tuple[str, BaseModel]]:
    if isinstance(value, DynamoType):
        return [(path, value)]
    if isinstance(value, list):
        return [(f"{path}[{i}]", v) for i, v in enumerate(value) if isinstance(v, DynamoType)]
    if isinstance(value, dict):
        return [(f"{path}.{k}", v) for k, v in value.items() if isinstance(v, DynamoType)]
    return []
