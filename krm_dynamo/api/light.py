# SPDX-License-Identifier: Apache-2.0
"""Plain-Python stand-ins for the pydantic models of :mod:`krm_dynamo.api.v1alpha1`.

The fast parse (:mod:`krm_dynamo.api.fastparse`) builds these for input it can prove
valid, so a valid DGD never imports pydantic (about 100 ms of start-up). The classes
themselves are generated from the models into :mod:`krm_dynamo.api.v1alpha1_light`
(``python -m krm_dynamo.api.codegen``); this module holds what they share: the base
class and the few helper methods the models define beside their fields.
"""

from __future__ import annotations

from typing import Any


class Light:
    """An object with a model's fields as attributes (unset: ``None``) and its unknown fields in ``model_extra``."""

    __slots__ = ("model_extra",)
    FIELDS: tuple[tuple[str, str, Any], ...] = ()  # (field, kind, argument); see fastparse
    EXTRA_ALLOWED = False  # True on a Kubernetes type (PodSpec): unknown fields are kept as written

    def __init__(self, **values: Any) -> None:
        for name, _kind, _arg in self.FIELDS:
            setattr(self, name, values.pop(name, None))
        self.model_extra: dict[str, Any] = values

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name, _, _ in self.FIELDS
                          if getattr(self, name) is not None)
        return f"{type(self).__name__}({shown})"


class MultinodeSpecMethods:
    """:class:`~krm_dynamo.api.v1alpha1.MultinodeSpec`'s helpers."""

    __slots__ = ()
    nodeCount: int | None

    @property
    def node_count(self) -> int:
        """CRD default 2 (``multinode: {}`` means two nodes)."""
        return 2 if self.nodeCount is None else self.nodeCount


class ExtraPodSpecMethods:
    """:class:`~krm_dynamo.api.v1alpha1.ExtraPodSpec`'s helpers."""

    __slots__ = ()
    model_extra: dict[str, Any]

    def pod_fields(self) -> dict[str, Any]:
        """The PodSpec fields the user wrote (everything but ``mainContainer``)."""
        return dict(self.model_extra or {})
