# SPDX-License-Identifier: Apache-2.0
"""Plain-Python stand-ins for the pydantic models of :mod:`krm_dynamo.api.v1alpha1`.

The fast parse (:mod:`krm_dynamo.api.fastparse`) builds these for input it can prove
valid, so a valid DGD never imports pydantic (about 100 ms of start-up). Each model is a
:class:`Model`: its field table, generated from the pydantic model into
:mod:`krm_dynamo.api.v1alpha1_light` (``python -m krm_dynamo.api.codegen``); calling it builds
a :class:`Light` object with the model's attributes. A model is data, not a class of its
own: every class costs each run about 15 µs to create at import, and the fields are all a
plain object needs. This module holds what the models share: the object classes, with the
few helper methods the models define beside their fields.
"""

from __future__ import annotations

from typing import Any


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

    def __call__(self, **values: Any) -> Any:
        return self.cls(self, values)

    def __repr__(self) -> str:
        return f"Model({self.name!r})"

    # A model is shared, never copied: a deep copy of a parsed spec copies its values only.
    def __copy__(self) -> Model:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Model:
        return self
