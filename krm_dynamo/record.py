# SPDX-License-Identifier: Apache-2.0
"""``dataclass``, ``field``, ``fields`` and ``replace`` without the cost of :mod:`dataclasses`.

The standard module imports ``inspect`` (with ``ast``, ``dis``, ``tokenize``) and compiles
an ``__init__``, ``__repr__`` and ``__eq__`` for every class: about 15 ms of start-up for the
classes of the graph, render and defaults modules, paid again by every ``kustomize build``.
These stand-ins give the same behaviour for what the project uses (fields in annotation
order, inherited from decorated bases; plain and factory defaults; ``frozen``;
``__post_init__``; equality, hashing and ``repr`` as a dataclass has them) with one generic
``__init__`` and no generated code. For the type checker they *are* the standard ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dataclasses import dataclass, field, fields, replace
else:
    _MISSING = object()

    class Field:
        """One field: its name, plain default and default factory (``_MISSING`` when none)."""

        __slots__ = ("default", "default_factory", "name")

        def __init__(self, default: Any = _MISSING, default_factory: Any = _MISSING, name: str = "") -> None:
            self.name = name
            self.default = default
            self.default_factory = default_factory

    def field(*, default: Any = _MISSING, default_factory: Any = _MISSING) -> Any:
        """A field with a default factory (or a plain default)."""
        return Field(default, default_factory)

    def fields(obj: Any) -> tuple[Field, ...]:
        """The fields of a decorated class or instance, in order."""
        return tuple(Field(default, factory, name) for name, default, factory in obj.__record_fields__)

    def replace(obj: Any, **changes: Any) -> Any:
        """A new instance with ``changes`` over ``obj``'s field values (``__post_init__`` runs again)."""
        values = {name: getattr(obj, name) for name, _, _ in obj.__record_fields__}
        return type(obj)(**{**values, **changes})

    def dataclass(cls: Any = None, *, frozen: bool = False) -> Any:
        """The class decorator (``@dataclass`` or ``@dataclass(frozen=True)``)."""
        if cls is None:
            return lambda c: _decorate(c, frozen)
        return _decorate(cls, frozen)

    # Paid once per decorated class at import, by every run: a field is a plain
    # (name, default, factory) triple, and the bases are read from their own namespaces
    # (a missing attribute looked up with getattr raises inside, which costs more).
    def _decorate(cls: Any, frozen: bool) -> Any:
        found: dict[str, tuple[str, Any, Any]] = {}
        for base in cls.__mro__[-2:0:-1]:  # the bases, from the farthest; never object
            inherited = base.__dict__.get("__record_fields__")
            if inherited is not None:
                found.update((spec[0], spec) for spec in inherited)
        namespace = cls.__dict__
        # Not inspect.get_annotations: importing inspect is the cost this module avoids.
        for name, annotation in namespace.get("__annotations__", {}).items():
            # Text under `from __future__ import annotations`; `in` before any method call, per field.
            if (type(annotation) is not str or "ClassVar" in annotation) and str(annotation).startswith(
                    ("ClassVar", "typing.ClassVar")):
                continue
            value = namespace.get(name, _MISSING)
            if type(value) is Field:
                found[name] = (name, value.default, value.default_factory)
                if value.default is _MISSING:
                    delattr(cls, name)
                else:
                    setattr(cls, name, value.default)
            else:
                found[name] = (name, value, _MISSING)
        cls.__record_fields__ = tuple(found.values())
        cls.__init__ = _init
        cls.__repr__ = _repr
        cls.__eq__ = _eq
        cls.__hash__ = _hash if frozen else None
        if frozen:
            cls.__setattr__ = _frozen_setattr
            cls.__delattr__ = _frozen_delattr
        return cls

    def _init(self: Any, *args: Any, **kwargs: Any) -> None:
        specs = type(self).__record_fields__
        if args:
            if len(args) > len(specs):
                raise TypeError(f"{type(self).__name__}() takes {len(specs)} positional arguments, got {len(args)}")
            for (name, _, _), value in zip(specs, args, strict=False):
                if name in kwargs:
                    raise TypeError(f"{type(self).__name__}() got multiple values for argument {name!r}")
                kwargs[name] = value
        for name, default, factory in specs:
            if name in kwargs:
                value = kwargs.pop(name)
            elif factory is not _MISSING:
                value = factory()
            elif default is not _MISSING:
                value = default
            else:
                raise TypeError(f"{type(self).__name__}() missing required argument: {name!r}")
            object.__setattr__(self, name, value)
        if kwargs:
            raise TypeError(f"{type(self).__name__}() got an unexpected keyword argument {next(iter(kwargs))!r}")
        post_init = getattr(self, "__post_init__", None)
        if post_init is not None:
            post_init()

    def _values(self: Any) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name, _, _ in type(self).__record_fields__)

    def _repr(self: Any) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name, _, _ in type(self).__record_fields__)
        return f"{type(self).__qualname__}({shown})"

    def _eq(self: Any, other: Any) -> Any:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return _values(self) == _values(other)

    def _hash(self: Any) -> int:
        return hash(_values(self))

    def _frozen_setattr(self: Any, name: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")  # no class of its own: one less to create

    def _frozen_delattr(self: Any, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

__all__ = ["dataclass", "field", "fields", "replace"]
