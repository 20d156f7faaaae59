# SPDX-License-Identifier: Apache-2.0
"""Rules about the 1.x device fields of ``resources``: DRA ``claims`` (S02) and ``gpuType`` (S08).

Both fields exist from operator 1.0 (under 0.6 they are dropped before any rule runs,
:mod:`krm_dynamo.api.releases`). Their values are read as written, so their shape is checked here.
"""

from __future__ import annotations

from typing import Any

from krm_dynamo.api.messages import show_value
from krm_dynamo.graph.report import Report
from krm_dynamo.graph.rules.context import ServiceCheck
from krm_dynamo.kube.resourcenames import container_resource_problem


def check_resource_claims(s: ServiceCheck, report: Report) -> None:
    """``resources.claims``: a list of ``{name, request?}``, each name one of the pod's ``resourceClaims``.

    The operator copies the list onto the main container (S02); the API server rejects a pod
    whose container claim names no entry of ``spec.resourceClaims`` or names one twice
    (Kubernetes ``validateResourceClaimNames``), so such a claim is an error here (D1).
    """
    claims = getattr(s.svc.resources, "claims", None)
    if claims is None:
        return
    path = f"{s.path}.resources.claims"
    if not isinstance(claims, list):
        report.error(path, f"expected `claims` to be a list of resource claims, got {show_value(claims)}")
        return
    pod_claims = s.component.pod_fields.get("resourceClaims")
    known = {c.get("name") for c in pod_claims if isinstance(c, dict)} if isinstance(pod_claims, list) else set()
    seen: set[tuple[Any, Any]] = set()
    for i, claim in enumerate(claims):
        where = f"{path}[{i}]"
        if not isinstance(claim, dict) or not isinstance(claim.get("name"), str) or not claim["name"]:
            report.error(where, f"expected a resource claim with a `name`, got {show_value(claim)}")
            continue
        request = claim.get("request")
        if request is not None and not isinstance(request, str):
            report.error(f"{where}.request", f"expected `request` to be a string, got {show_value(request)}")
            continue
        if claim["name"] not in known:
            report.error(f"{where}.name",
                         f'claim "{claim["name"]}" is not in `extraPodSpec.resourceClaims`: the API server rejects '
                         "a container claim the pod does not declare; add it there")
        if (claim["name"], request) in seen:
            report.error(where, f'claim "{claim["name"]}" is listed twice: the API server rejects the pod')
        seen.add((claim["name"], request))


def check_gpu_type(s: ServiceCheck, report: Report) -> None:
    """``resources.{requests,limits}.gpuType``: a container resource name (S08: the GPU count goes under it)."""
    res = s.svc.resources
    for kind in ("requests", "limits"):
        item = getattr(res, kind) if res is not None else None
        gpu_type = getattr(item, "gpuType", None)
        if gpu_type is None:
            continue
        path = f"{s.path}.resources.{kind}.gpuType"
        if not isinstance(gpu_type, str):
            report.error(path, f"expected `gpuType` to be a string, got {show_value(gpu_type)}")
            continue
        problem = container_resource_problem(gpu_type) if gpu_type else None
        if problem:
            report.error(path, f"invalid container resource name for `gpuType`: {problem}")
