# SPDX-License-Identifier: Apache-2.0
"""Scalar field types of the DGD API: quantities, int32, string maps, the backend enum.

Each type checks what the API server would check (so a bad value is reported with its
field path before anything is built) and says in its JSON Schema what the CRD says.
Scalars are strict: the API server rejects ``replicas: "2"``, so the function does too.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    StrictInt,
    StrictStr,
    WithJsonSchema,
)

from krm_dynamo import defaults
from krm_dynamo.api.messages import show_value


def _quantity_input(value: Any) -> Any:
    """int-or-string quantities: YAML numbers are read as their decimal text."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        # A ValueError, not a TypeError: pydantic turns only ValueError into a validation error.
        raise ValueError(
            f'expected a quantity such as "2", "500m" or "20Gi", got {show_value(value)}')
    return value


# Kubernetes' quantity syntax, for editors (the CRD's pattern restated; the function parses
# with krm_dynamo.kube.quantity).
_QUANTITY_PATTERN = (
    r"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))"
    r"(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$"
)

# An int-or-string Kubernetes quantity (``sharedMemory.size``, ``pvcs[].size``).
QuantityValue = Annotated[
    Any,
    BeforeValidator(_quantity_input),
    WithJsonSchema({"anyOf": [{"type": "integer"}, {"type": "string", "pattern": _QUANTITY_PATTERN}],
                    "x-kubernetes-int-or-string": True}),
]

# A Dynamo resource value: the CRD types it as a string; YAML numbers are accepted and read as text.
ResourceQuantity = Annotated[Any, BeforeValidator(_quantity_input), WithJsonSchema({"type": "string"})]

StringMap = dict[StrictStr, StrictStr]


def _int32(value: int) -> int:
    if value > defaults.MAX_INT32:
        raise ValueError(f"expected at most {defaults.MAX_INT32} (the CRD's int32), got {value}")
    return value


# The CRD's int32 fields: larger values are rejected by the API server. (Checked after the
# parse rather than with `le=`, which would add a `maximum` to the published schema.)
Int32 = Annotated[StrictInt, AfterValidator(_int32)]

# `replicas`: an int32 that must not be negative (the API server would reject the Deployment).
Replicas = Annotated[StrictInt, Field(ge=0), AfterValidator(_int32)]

# `multinode.nodeCount`: an int32 of at least 2 (the CRD's minimum).
NodeCount = Annotated[StrictInt, Field(ge=2), AfterValidator(_int32)]

def _backend_framework(value: str) -> str:
    if value and value not in defaults.for_release().backend_frameworks:
        choices = ", ".join(f'"{b}"' for b in defaults.for_release().backend_frameworks)
        raise ValueError(f'expected `backendFramework` to be one of {choices}, got "{value}"')
    return value


# The CRD's enum of backends; the function reports the allowed values by name.
BackendFramework = Annotated[
    StrictStr,
    AfterValidator(_backend_framework),
    WithJsonSchema({"type": "string", "enum": list(defaults.for_release().backend_frameworks)}),
]
