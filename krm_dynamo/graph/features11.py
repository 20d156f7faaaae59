# SPDX-License-Identifier: Apache-2.0
"""Derived values of the operator 1.1 graph and service features (S14, S15, S16, S18).

(A service's own labels and annotations, S18's propagation included, are derived with the
component, :func:`krm_dynamo.graph.component.service_metadata`.)

The fields are read as written (the parse keeps them as plain values); the rules of
:mod:`krm_dynamo.graph.rules.features11` check their shape, and the builders read them only
once those rules passed. Everything here is pure and reports nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from krm_dynamo.graph.component import string_map

if TYPE_CHECKING:
    from krm_dynamo import defaults
    from krm_dynamo.api import v1alpha1


def graph_metadata(graph: v1alpha1.DynamoGraphDeploymentSpec, table: defaults.OperatorDefaults
                   ) -> tuple[dict[str, str], dict[str, str]]:
    """S18: ``(spec.labels, spec.annotations)``, what a PodCliqueSet's own metadata carries; empty before 1.1."""
    if not table.switch("S18"):
        return {}, {}
    return string_map(graph.labels), string_map(graph.annotations)


def feature(svc: v1alpha1.DynamoComponentDeploymentSharedSpec, name: str) -> dict[str, Any] | None:
    """The service's ``frontendSidecar`` / ``gpuMemoryService`` / ``failover`` mapping, None when unset."""
    value = getattr(svc, name, None)
    return value if isinstance(value, dict) else None


def enabled(svc: v1alpha1.DynamoComponentDeploymentSharedSpec, name: str) -> bool:
    """``gpuMemoryService.enabled`` / ``failover.enabled`` is true."""
    spec = feature(svc, name)
    return spec is not None and spec.get("enabled") is True


INT_MIN, INT_MAX = -(2**63), 2**63 - 1  # Go's int on the operator's 64-bit builds


def atoi(text: str) -> int | None:
    """Go's ``strconv.Atoi``: an optional sign then ASCII decimal digits, within a 64-bit ``int``;
    None where it returns an error (a syntax error, or ``ErrRange`` outside the range)."""
    digits = text[1:] if text[:1] in "+-" else text
    if not (digits.isascii() and digits.isdigit()):
        return None
    number = int(text)
    return number if INT_MIN <= number <= INT_MAX else None


def gpu_field(svc: v1alpha1.DynamoComponentDeploymentSharedSpec) -> tuple[str, Any]:
    """``(where, value)`` of the GPU count the operator reads: ``limits.gpu`` when non-empty, else
    ``requests.gpu`` (``where`` is ``limits`` / ``requests``); ``("", None)`` when neither is set."""
    res = svc.resources
    if res is not None and res.limits is not None and res.limits.gpu not in (None, ""):
        return "limits", res.limits.gpu
    if res is not None and res.requests is not None and res.requests.gpu not in (None, ""):
        return "requests", res.requests.gpu
    return "", None


def gpu_count(svc: v1alpha1.DynamoComponentDeploymentSharedSpec) -> int | None:
    """The GPU count of the claim template (``dra.go`` ``ExtractGPUParams``): :func:`gpu_field` read
    as Go's ``strconv.Atoi`` reads it (an optional sign, decimal digits, within a 64-bit ``int``).

    None when ``Atoi`` fails: not a whole number, or outside the 64-bit range (``ErrRange``). The
    admission webhook (``validateGPUMemoryService``) rejects the service then, before ``dra.go``
    could use the clamped bound; the rules report it.
    """
    raw = gpu_field(svc)[1]
    return atoi(str(raw)) if isinstance(raw, (str, int)) and not isinstance(raw, bool) else None
