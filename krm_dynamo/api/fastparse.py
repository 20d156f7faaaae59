# SPDX-License-Identifier: Apache-2.0
"""The fast parse: a DGD spec that is plainly valid, without pydantic, and the plain objects it builds.

:func:`parse` walks the spec along the ``FIELDS`` tables generated from the pydantic
models (:mod:`krm_dynamo.api.v1alpha1_light`) and builds their plain objects. It
accepts only what the strict parse accepts and builds the same attribute values (down
to which values are copies); anything else, an unknown field included, makes it give up
(``None``), and the caller runs the full parse for its messages and warnings.
tests/test_fastparse.py runs both on generated valid and invalid specs and compares.

Each model is a :class:`Model`: its field table (``python -m krm_dynamo.api.codegen`` writes
one per pydantic model of :mod:`krm_dynamo.api.v1alpha1`); calling it builds a :class:`Light`
object with the model's attributes. A model is data, not a class of its own: every class
costs each run about 15 µs to create at import, and the fields are all a plain object
needs. Two small classes carry the few helper methods the models define beside their fields.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from krm_dynamo import defaults

if TYPE_CHECKING:
    from krm_dynamo.api.v1alpha1 import DynamoGraphDeploymentSpec


class Light:
    """An object with a model's fields as attributes (unset: ``None``) and its unknown fields in ``model_extra``."""

    def __init__(self, model: Model, values: dict[str, Any]) -> None:
        attributes = self.__dict__
        for name, _kind, _arg in model.FIELDS:
            attributes[name] = values.pop(name, None)
        attributes["model_extra"] = values
        attributes["light_model"] = model

    light_model: Model  # the model this object is an instance of (as ``type()`` of a pydantic object)
    model_extra: dict[str, Any]

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name, _, _ in self.light_model.FIELDS
                          if getattr(self, name) is not None)
        return f"{self.light_model.name}({shown})"


class MultinodeSpecLight(Light):
    """A :class:`~krm_dynamo.api.v1alpha1.MultinodeSpec`, with its helper."""

    nodeCount: int | None

    @property
    def node_count(self) -> int:
        """CRD default 2 (``multinode: {}`` means two nodes)."""
        return 2 if self.nodeCount is None else self.nodeCount


class ExtraPodSpecLight(Light):
    """An :class:`~krm_dynamo.api.v1alpha1.ExtraPodSpec`, with its helper."""

    def pod_fields(self) -> dict[str, Any]:
        """The PodSpec fields the user wrote (everything but ``mainContainer``)."""
        return dict(self.model_extra or {})


class Model:
    """One model's field table; ``Model(**values)`` builds its plain object (``values`` as parsed).

    Attributes:
        name: the pydantic model's class name.
        FIELDS: ``(field, kind, argument)`` per field, in the model's order; see fastparse.
        EXTRA_ALLOWED: True on a Kubernetes type (PodSpec): unknown fields are kept as written.
        cls: the class of its objects (:class:`Light`, or one with the model's helper methods).
    """

    __slots__ = ("EXTRA_ALLOWED", "FIELDS", "cls", "name")

    def __init__(self, name: str, fields: tuple[tuple[str, str, Any], ...], *, extra_allowed: bool = False,
                 cls: type[Light] = Light) -> None:
        self.name = name
        self.FIELDS = fields
        self.EXTRA_ALLOWED = extra_allowed
        self.cls = cls

    def __call__(self, /, **values: Any) -> Any:  # positional self: a PodSpec field may be named "self"
        return self.cls(self, values)

    def __repr__(self) -> str:
        return f"Model({self.name!r})"

    # A model is shared, never copied: a deep copy of a parsed spec copies its values only.
    def __copy__(self) -> Model:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Model:
        return self



class _Unsure(Exception):
    """The value may be invalid (or is valid in a way the fast parse does not build): give up."""


_UNSURE = _Unsure()
_QUANTITY_TYPES = (str, int, float)  # int-or-string quantities; bool is not one (type() is checked)


def parse(spec: Any) -> DynamoGraphDeploymentSpec | None:
    """The spec's plain objects (``None`` spec counts as ``{}``), or None when the full parse must decide."""
    # Here, not at the top: the generated tables are made of this module's Model.
    from krm_dynamo.api import v1alpha1_light

    if spec is None:
        spec = {}
    root: Any = v1alpha1_light.ROOT  # the field table (the model itself only for the type checker)
    try:
        obj: DynamoGraphDeploymentSpec = _model(root, spec)
    except _Unsure:
        return None
    return obj


def _str_keys(value: Any) -> dict[str, Any]:
    if type(value) is not dict or any(type(k) is not str for k in value):
        raise _UNSURE
    return value


def _model(model: Model, value: Any) -> Any:
    values = dict(_str_keys(value))
    known = 0
    for name, kind, arg in model.FIELDS:
        if name in values:
            known += 1
            if values[name] is not None:
                values[name] = _CHECKS[kind](values[name], arg)
    if len(values) > known and not _extras_allowed(model, values):
        raise _UNSURE
    return model(**values)


def _extras_allowed(model: Model, values: dict[str, Any]) -> bool:
    """Unknown fields: allowed as written on a PodSpec (not ones a Python object keeps for itself)."""
    if not model.EXTRA_ALLOWED:
        return False  # a Dynamo type: the full parse warns about it
    names = {name for name, _, _ in model.FIELDS}
    return not any(k.startswith(("_", "model_")) for k in values if k not in names)


def _str(value: Any, _: Any) -> Any:
    if type(value) is not str:
        raise _UNSURE
    return value


def _bool(value: Any, _: Any) -> Any:
    if type(value) is not bool:
        raise _UNSURE
    return value


def _int32(value: Any, minimum: int | None) -> Any:
    if type(value) is not int or value > defaults.MAX_INT32 or (minimum is not None and value < minimum):
        raise _UNSURE
    return value


def _quantity(value: Any, _: Any) -> Any:
    if type(value) not in _QUANTITY_TYPES:
        raise _UNSURE
    return value


def _strmap(value: Any, _: Any) -> Any:
    if any(type(v) is not str for v in _str_keys(value).values()):
        raise _UNSURE
    return dict(value)


def _later(value: Any, _: Any) -> Any:
    """A field of a later operator release (D34): the full parse reports it per release."""
    raise _UNSURE


def _object(value: Any, _: Any) -> Any:
    return dict(_str_keys(value))


def _objects(value: Any, _: Any) -> Any:
    if type(value) is not list:
        raise _UNSURE
    return [dict(_str_keys(item)) for item in value]


def _backend(value: Any, _: Any) -> Any:
    if type(value) is not str or (value and value not in defaults.for_release().backend_frameworks):
        raise _UNSURE
    return value


def _one(value: Any, model: Model) -> Any:
    return _model(model, value)


def _many(value: Any, model: Model) -> Any:
    if type(value) is not list:
        raise _UNSURE
    return [_model(model, item) for item in value]


def _by_key(value: Any, model: Model) -> Any:
    return {key: None if item is None else _model(model, item) for key, item in _str_keys(value).items()}


def _quantities(value: Any, _: Any) -> Any:
    for item in _str_keys(value).values():
        _quantity(item, None)
    return dict(value)


_CHECKS: dict[str, Callable[[Any, Any], Any]] = {
    "str": _str,
    "bool": _bool,
    "int32": _int32,
    "quantity": _quantity,
    "strmap": _strmap,
    "dict": _object,
    "dictlist": _objects,
    "backend": _backend,
    "model": _one,
    "models": _many,
    "modelmap": _by_key,
    "quantitymap": _quantities,
    "later": _later,
}
