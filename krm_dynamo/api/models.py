# SPDX-License-Identifier: Apache-2.0
"""Typed model of a ``DynamoGraphDeployment`` ``nvidia.com/v1alpha1`` spec (the seed's API).

Field names are exactly the seed's. Dynamo-defined types are pydantic models that
keep unknown fields aside (``model_extra``) so they can be reported (V28) instead of
failing the parse; embedded Kubernetes types (PodSpec fields, Container, Probe,
EnvVar, HPA metrics and behaviour) stay plain dicts and pass through. Scalars are
strict: the API server would reject ``replicas: "2"``, so the function does too.

:func:`parse_spec` turns pydantic's ``ValidationError`` into results with field paths
such as ``spec.services.Frontend.replicas`` (never a traceback).
"""

from __future__ import annotations

import difflib
from typing import Annotated, Any, Optional

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    WithJsonSchema,
)

from krm_dynamo import defaults
from krm_dynamo.graph.report import Report


def _quantity_input(value: Any) -> Any:
    """int-or-string quantities: YAML numbers are read as their decimal text."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError(f'expected a quantity such as "2", "500m" or "20Gi", got {show_value(value)}')
    return value


# Kubernetes' quantity syntax, for editors (the CRD's pattern restated; the function parses with quantity.py).
_QUANTITY_PATTERN = r"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$"

# int-or-string quantity (`sharedMemory.size`, `pvcs[].size`).
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
BACKEND_FRAMEWORKS = defaults.for_release().backend_frameworks  # the schema's enum, from the selected tables


def _backend_framework(value: str) -> str:
    if value and value not in BACKEND_FRAMEWORKS:
        choices = ", ".join(f'"{b}"' for b in BACKEND_FRAMEWORKS)
        raise ValueError(f'expected `backendFramework` to be one of {choices}, got "{value}"')
    return value


BackendFramework = Annotated[StrictStr, AfterValidator(_backend_framework),
                             WithJsonSchema({"type": "string", "enum": list(BACKEND_FRAMEWORKS)})]


class _Dynamo(BaseModel):
    """A Dynamo-defined type: unknown fields are kept aside for V28 warnings."""

    model_config = ConfigDict(extra="allow", frozen=False)


class ResourceItem(_Dynamo):
    cpu: Optional[ResourceQuantity] = None
    memory: Optional[ResourceQuantity] = None
    gpu: Optional[ResourceQuantity] = None
    custom: Optional[dict[StrictStr, ResourceQuantity]] = None


class Resources(_Dynamo):
    requests: Optional[ResourceItem] = None
    limits: Optional[ResourceItem] = None


class Autoscaling(_Dynamo):
    enabled: Optional[StrictBool] = None
    minReplicas: Optional[Int32] = None
    maxReplicas: Optional[Int32] = None
    behavior: Optional[dict[str, Any]] = None
    metrics: Optional[list[dict[str, Any]]] = None


class IngressTLS(_Dynamo):
    secretName: Optional[StrictStr] = None


class Ingress(_Dynamo):
    enabled: Optional[StrictBool] = None
    host: Optional[StrictStr] = None
    useVirtualService: Optional[StrictBool] = None
    virtualServiceGateway: Optional[StrictStr] = None
    hostPrefix: Optional[StrictStr] = None
    annotations: Optional[StringMap] = None
    labels: Optional[StringMap] = None
    tls: Optional[IngressTLS] = None
    hostSuffix: Optional[StrictStr] = None
    ingressControllerClassName: Optional[StrictStr] = None


class SharedMemory(_Dynamo):
    disabled: Optional[StrictBool] = None
    size: Optional[QuantityValue] = None


class VolumeMount(_Dynamo):
    # `name` is required (CRD); checked with the other rules (V7) so one result says so.
    model_config = ConfigDict(json_schema_extra={"required": ["name"]})

    name: Optional[StrictStr] = None
    mountPoint: Optional[StrictStr] = None
    useAsCompilationCache: Optional[StrictBool] = Field(default=None, json_schema_extra={"default": False})


class Multinode(_Dynamo):
    nodeCount: Optional[Annotated[StrictInt, Field(ge=2), AfterValidator(_int32)]] = Field(default=None, json_schema_extra={"default": 2})

    @property
    def node_count(self) -> int:
        """CRD default 2 (``multinode: {}`` means two nodes)."""
        return 2 if self.nodeCount is None else self.nodeCount


class ExtraPodMetadata(_Dynamo):
    annotations: Optional[StringMap] = None
    labels: Optional[StringMap] = None


class ExtraPodSpec(BaseModel):
    """An inline Kubernetes PodSpec plus ``mainContainer``; PodSpec fields pass through."""

    model_config = ConfigDict(extra="allow")

    mainContainer: Optional[dict[str, Any]] = None

    def pod_fields(self) -> dict[str, Any]:
        """The PodSpec fields the user wrote (everything but ``mainContainer``)."""
        return dict(self.model_extra or {})


class Service(_Dynamo):
    """``DynamoComponentDeploymentSharedSpec`` (one entry of ``spec.services``)."""

    annotations: Optional[StringMap] = None
    labels: Optional[StringMap] = None
    serviceName: Optional[StrictStr] = None
    componentType: Optional[StrictStr] = None
    subComponentType: Optional[StrictStr] = None
    dynamoNamespace: Optional[StrictStr] = None
    resources: Optional[Resources] = None
    autoscaling: Optional[Autoscaling] = None
    envs: Optional[list[dict[str, Any]]] = None
    envFromSecret: Optional[StrictStr] = None
    volumeMounts: Optional[list[VolumeMount]] = None
    ingress: Optional[Ingress] = None
    sharedMemory: Optional[SharedMemory] = None
    extraPodMetadata: Optional[ExtraPodMetadata] = None
    extraPodSpec: Optional[ExtraPodSpec] = None
    livenessProbe: Optional[dict[str, Any]] = None
    readinessProbe: Optional[dict[str, Any]] = None
    startupProbe: Optional[dict[str, Any]] = Field(  # beyond the CRD, accepted per D22
        default=None,
        json_schema_extra={
            "x-krm-dynamo-beyond-crd": True,
            "description": "Startup probe of the main container (krm-dynamo extension, D22: not in the operator's "
            "CRD, which prunes it from a live DGD; prefer extraPodSpec.mainContainer.startupProbe).",
        },
    )
    replicas: Optional[Annotated[StrictInt, Field(ge=0), AfterValidator(_int32)]] = None
    multinode: Optional[Multinode] = None


class PVC(_Dynamo):
    # `name` is required (CRD); checked with the other rules (V5) so one result says so.
    model_config = ConfigDict(json_schema_extra={"required": ["name"]})

    create: Optional[StrictBool] = None
    name: Optional[StrictStr] = None
    storageClass: Optional[StrictStr] = None
    size: Optional[QuantityValue] = None
    volumeAccessMode: Optional[StrictStr] = None


class GraphSpec(_Dynamo):
    """``DynamoGraphDeploymentSpec``."""

    pvcs: Optional[list[PVC]] = None
    services: Optional[dict[StrictStr, Optional[Service]]] = None
    envs: Optional[list[dict[str, Any]]] = None
    backendFramework: Optional[BackendFramework] = None


def parse_spec(spec: Any, report: Report) -> GraphSpec | None:
    """Validate ``spec`` into a :class:`GraphSpec`; on failure report every problem and return None."""
    if spec is None:
        spec = {}
    if not isinstance(spec, dict):
        report.error("spec", f"expected `spec` to be a mapping, got {_kind(spec)}")
        return None
    try:
        model = GraphSpec.model_validate(spec)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            path = field_path(("spec", *err["loc"]))
            report.error(path, _message(err))
        return None
    report_unknown_fields(model, "spec", report)
    return model


def field_path(loc: tuple) -> str:
    """``("spec", "pvcs", 0, "size")`` -> ``spec.pvcs[0].size``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _message(err: dict) -> str:
    name = next((str(p) for p in reversed(err["loc"]) if isinstance(p, str)), "value")
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    kind = err["type"]
    found = err.get("input")
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"expected `{name}` to be an integer, got {show_value(found)}"
    if kind in ("bool_type", "bool_parsing"):
        return f"expected `{name}` to be true or false, got {show_value(found)}"
    if kind in ("string_type",):
        return f"expected `{name}` to be a string, got {show_value(found)}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"expected `{name}` to be a mapping, got {show_value(found)}"
    if kind in ("list_type",):
        return f"expected `{name}` to be a list, got {show_value(found)}"
    if kind in ("greater_than_equal",):
        return f"expected `{name}` to be at least {err['ctx']['ge']}, got {show_value(found)}"
    if kind == "value_error":
        return msg if not msg.startswith("expected at most") else f"expected `{name}` to be{msg[len('expected'):]}"
    return f"invalid `{name}`: {msg}"


def show_value(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return f"a {_kind(value)}"
    return str(value)


def _kind(value: Any) -> str:
    return {dict: "mapping", list: "list", str: "string", bool: "boolean", int: "integer", float: "number"}.get(
        type(value), type(value).__name__
    )


# Unknown fields that are known elsewhere: "did you mean" hints beyond spelling (V28).
_HINTS = {
    "image": "extraPodSpec.mainContainer.image",
    "command": "extraPodSpec.mainContainer.command",
    "args": "extraPodSpec.mainContainer.args",
    "env": "envs",
    "nodeSelector": "extraPodSpec.nodeSelector",
    "tolerations": "extraPodSpec.tolerations",
}


def _hint(key: str) -> str | None:
    """Where a field known elsewhere lives, also for a misspelling of it (``imagee`` -> mainContainer.image)."""
    close = difflib.get_close_matches(key, list(_HINTS), n=1, cutoff=0.75)
    return _HINTS[close[0]] if close else None


_API_NAMES = {
    "GraphSpec": "DynamoGraphDeploymentSpec",
    "Service": "a service spec (DynamoComponentDeploymentSharedSpec)",
    "Ingress": "IngressSpec",
    "IngressTLS": "IngressTLSSpec",
    "SharedMemory": "SharedMemorySpec",
    "Multinode": "MultinodeSpec",
}


def report_unknown_fields(model: BaseModel, path: str, report: Report) -> None:
    """V28: warn about fields the API does not define, at every Dynamo-defined level."""
    if isinstance(model, _Dynamo):
        for key in model.model_extra or {}:
            known = list(type(model).model_fields)
            close = difflib.get_close_matches(key, known, n=1, cutoff=0.75)
            hint = close[0] if close else (_hint(key) if isinstance(model, Service) else None)
            suggestion = f"; did you mean `{hint}`?" if hint else ""
            report.warning(
                f"{path}.{key}",
                f"unknown field `{key}` is ignored (not part of {_API_NAMES.get(type(model).__name__, type(model).__name__)}){suggestion}",
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
