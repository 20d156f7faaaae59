# SPDX-License-Identifier: Apache-2.0
"""Parse a DGD ``spec`` into :class:`~krm_dynamo.api.v1alpha1.DynamoGraphDeploymentSpec`.

Every problem becomes a result with the user's field path (such as
``spec.services.Frontend.replicas``), never a traceback. Fields the API does not define
are warnings: the API server prunes them from a live DGD, so they would silently do
nothing. Each warning suggests the field that was probably meant ("did you mean").
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from krm_dynamo.api.messages import error_message, field_path, kind_name
from krm_dynamo.api.v1alpha1 import (
    DynamoComponentDeploymentSharedSpec,
    DynamoGraphDeploymentSpec,
    DynamoType,
)
from krm_dynamo.graph.report import Report
from krm_dynamo.kio import display

# Fields users put on a service that live elsewhere in the API: where they belong.
_HINTS = {
    "image": "extraPodSpec.mainContainer.image",
    "command": "extraPodSpec.mainContainer.command",
    "args": "extraPodSpec.mainContainer.args",
    "env": "envs",
    "nodeSelector": "extraPodSpec.nodeSelector",
    "tolerations": "extraPodSpec.tolerations",
}


def parse_spec(spec: Any, report: Report) -> DynamoGraphDeploymentSpec | None:
    """The model of ``spec`` (``None`` counts as ``{}``); on failure report every problem and return None.

    Unknown fields are reported as warnings and do not fail the parse.
    """
    if spec is None:
        spec = {}
    if not isinstance(spec, dict):
        report.error("spec", f"expected `spec` to be a mapping, got {kind_name(spec)}")
        return None
    try:
        model = DynamoGraphDeploymentSpec.model_validate(spec)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            report.error(field_path(("spec", *err["loc"])), error_message(err))
        return None
    report_unknown_fields(model, "spec", report)
    return model


def report_unknown_fields(model: BaseModel, path: str, report: Report) -> None:
    """Warn about fields the API does not define, at every Dynamo-defined level under ``model``.

    ``path`` is the field path of ``model`` itself (``spec`` for the whole spec).
    """
    if isinstance(model, DynamoType):
        for key in model.model_extra or {}:
            hint = _suggestion(model, key)
            suggestion = f"; did you mean `{hint}`?" if hint else ""
            report.warning(
                f"{path}.{key}",
                f"unknown field `{key}` is ignored (not part of {model.api_name()}){suggestion}",
            )
    for name in type(model).model_fields:
        value = getattr(model, name)
        sub = f"{path}.{name}"
        if isinstance(value, BaseModel):
            report_unknown_fields(value, sub, report)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    report_unknown_fields(item, f"{sub}[{i}]", report)
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, BaseModel):
                    report_unknown_fields(item, f"{sub}.{key}", report)


def _suggestion(model: DynamoType, key: str) -> str | None:
    """The field ``key`` probably means: a close field of the same type, else (on a service) where it lives."""
    close = display.closest(key, list(type(model).model_fields))
    if close:
        return close
    if isinstance(model, DynamoComponentDeploymentSharedSpec):
        # Also for a misspelling of such a field (``imagee`` -> mainContainer.image).
        known = display.closest(key, list(_HINTS))
        return _HINTS[known] if known else None
    return None
