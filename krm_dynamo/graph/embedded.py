# SPDX-License-Identifier: Apache-2.0
"""The Kubernetes types a DGD embeds, checked against their schemas in the derive step.

Where a DGD embeds a Kubernetes type (the operator's CRD embeds each type's full schema):

=============================================  =====================================
field of a service (``spec.services.<svc>``)   Kubernetes type
=============================================  =====================================
``extraPodSpec``                               PodSpec, plus ``mainContainer``
``extraPodSpec.mainContainer``                 Container
``livenessProbe``, ``readinessProbe``,         Probe
``startupProbe``
``envs`` (and the graph's ``spec.envs``)       list of EnvVar
``autoscaling.metrics``                        list of MetricSpec (autoscaling/v2)
``autoscaling.behavior``                       HorizontalPodAutoscalerBehavior (autoscaling/v2)
=============================================  =====================================

and every type under them (volumes, probes, env sources, affinity, ...). The CRD clears
the ``required`` list of ``extraPodSpec`` and ``mainContainer`` themselves (neither
``containers`` nor a main container ``name`` is needed), not of the types under them.

Nothing here reports (the rules do, :mod:`krm_dynamo.graph.rules.embedded`): a check
returns the problems with their field paths, and a copy of the spec without the
unknown fields, which the API server prunes from a live DGD (D31), so that every later
step reads the cleaned values.
"""

from __future__ import annotations

import copy
import functools
from typing import TYPE_CHECKING, Any, TypeVar

from krm_dynamo.kube import schemas
from krm_dynamo.record import dataclass

_CORE = "io.k8s.api.core.v1."
_HPA = "io.k8s.api.autoscaling.v2."

if TYPE_CHECKING:
    from krm_dynamo.api import v1alpha1

# A parsed DGD value: a pydantic model (full parse) or its light twin (fast parse). Both keep
# their declared fields as attributes and their unknown ones in ``model_extra``.
_M = TypeVar("_M")


def _is_model(node: Any) -> bool:
    return hasattr(node, "model_extra") and not isinstance(node, (dict, list))


def _deep_copy(model: _M) -> _M:
    copier = getattr(model, "model_copy", None)
    return copier(deep=True) if copier is not None else copy.deepcopy(model)


@dataclass(frozen=True)
class EmbeddedProblem:
    """A :class:`~krm_dynamo.kube.schemas.SchemaProblem` with the user's field path."""

    path: str
    problem: schemas.SchemaProblem


@functools.cache
def _checker(version: str) -> schemas.Checker:
    """One checker per Kubernetes ``version`` for every embedded field of a service (the graph's
    ``envs`` use it too)."""
    probe = schemas.ref(_CORE + "Probe")
    main_container = schemas.embedded(_CORE + "Container", version=version)
    env_list = {"type": ["array", "null"], "items": schemas.ref(_CORE + "EnvVar")}
    return schemas.Checker({
        "type": "object",
        "properties": {
            "extraPodSpec": schemas.embedded(_CORE + "PodSpec", {"mainContainer": main_container}, version=version),
            "livenessProbe": probe,
            "readinessProbe": probe,
            "startupProbe": probe,
            "envs": env_list,
            "autoscaling": {
                "type": "object",
                "properties": {
                    "metrics": {"type": ["array", "null"], "items": schemas.ref(_HPA + "MetricSpec")},
                    "behavior": schemas.ref(_HPA + "HorizontalPodAutoscalerBehavior"),
                },
            },
        },
    }, version)


def check_service(
    svc: v1alpha1.DynamoComponentDeploymentSharedSpec, path: str, version: str,
) -> tuple[v1alpha1.DynamoComponentDeploymentSharedSpec, list[EmbeddedProblem]]:
    """``(svc without unknown embedded fields, problems)``; ``svc`` itself when nothing is unknown.

    ``path`` is the service's field path (``spec.services.<svc>``); ``version`` the Kubernetes
    version whose types the operator release embeds (``OperatorDefaults.kubernetes_version``).
    """
    return _check(svc, _service_fields(svc), path, version)


def check_graph(
    graph: v1alpha1.DynamoGraphDeploymentSpec, version: str,
) -> tuple[v1alpha1.DynamoGraphDeploymentSpec, list[EmbeddedProblem]]:
    """``(spec without unknown fields in spec.envs, problems)``; the services are checked one by one."""
    return _check(graph, {"envs": graph.envs} if graph.envs is not None else {}, "spec", version)


def _check(model: _M, fields: dict[str, Any], path: str, version: str) -> tuple[_M, list[EmbeddedProblem]]:
    if not fields:
        return model, []
    found = _checker(version).problems(fields)
    if not found:
        return model, []
    from krm_dynamo.api.messages import field_path  # here: only a problem pays for it

    problems = [EmbeddedProblem(field_path((path, *p.loc)), p) for p in found]
    unknown = [p.problem.loc for p in problems if p.problem.kind == schemas.UNKNOWN]
    if not unknown:
        return model, problems
    cleaned = _deep_copy(model)
    for loc in unknown:
        _drop(cleaned, loc)
    return cleaned, problems


def _service_fields(svc: v1alpha1.DynamoComponentDeploymentSharedSpec) -> dict[str, Any]:
    """The embedded fields the service sets, as one mapping that :func:`_checker` reads."""
    fields: dict[str, Any] = {}
    extra = svc.extraPodSpec
    if extra is not None:
        pod = extra.pod_fields()
        if extra.mainContainer is not None:
            pod["mainContainer"] = extra.mainContainer
        fields["extraPodSpec"] = pod
    for name in ("livenessProbe", "readinessProbe", "startupProbe", "envs"):
        value = getattr(svc, name)
        if value is not None:
            fields[name] = value
    scaling = svc.autoscaling
    if scaling is not None and (scaling.metrics is not None or scaling.behavior is not None):
        fields["autoscaling"] = {k: v for k, v in (("metrics", scaling.metrics), ("behavior", scaling.behavior))
                                 if v is not None}
    return fields


def _child(node: Any, part: Any) -> Any:
    """A declared field of a model, else one of its unknown (extra) fields, such as a PodSpec field."""
    name = str(part)
    extra = node.model_extra or {}
    return extra[name] if name in extra else getattr(node, name)


def _drop(node: Any, loc: schemas.Loc) -> None:
    """Remove the field at ``loc`` (model attributes, then mappings and lists) from ``node``."""
    for part in loc[:-1]:
        node = _child(node, part) if _is_model(node) else node[part]
    last = loc[-1]
    if _is_model(node):
        extra = node.model_extra
        if extra is not None:
            extra.pop(str(last), None)  # an unknown top-level PodSpec field sits among the extras
    elif isinstance(node, dict):
        node.pop(last, None)  # the key as written (a YAML key may be a number)
