# SPDX-License-Identifier: Apache-2.0
"""krm_dynamo.record behaves as :mod:`dataclasses` does for what the project uses."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import pytest

from krm_dynamo import record


def _classes(module: Any) -> tuple[type, type, type]:
    @module.dataclass
    class Plain:
        name: str
        count: int = 0
        tags: list[str] = module.field(default_factory=list)

    class Checked:  # not decorated: its annotation is no field (as in defaults.sources.Sourced)
        sources: Mapping[str, str]

        def __post_init__(self) -> None:
            if self.name == "bad":  # type: ignore[attr-defined]
                raise ValueError("bad name")

    @module.dataclass(frozen=True)
    class Frozen(Checked):
        name: str
        sources: Mapping[str, str] = module.field(default_factory=dict)

    @module.dataclass(frozen=True)
    class Child(Frozen):
        extra: int = 1

    return Plain, Frozen, Child


@pytest.mark.parametrize("module", [dataclasses, record], ids=["dataclasses", "record"])
def test_same_behaviour(module: Any) -> None:
    plain_cls, frozen_cls, child_cls = _classes(module)
    a, b = plain_cls("x"), plain_cls("x", count=0)
    assert a == b and a.tags == [] and a.tags is not b.tags
    assert repr(a).endswith("Plain(name='x', count=0, tags=[])")
    assert plain_cls("x", 2, ["t"]).count == 2
    with pytest.raises(TypeError):
        hash(a)  # mutable with eq: unhashable
    with pytest.raises(TypeError):
        plain_cls()
    with pytest.raises(TypeError):
        plain_cls("x", nope=1)
    f = frozen_cls("n")
    assert f == frozen_cls("n") and f != child_cls("n")
    assert hash(frozen_cls("n", frozenset())) == hash(frozen_cls("n", frozenset()))
    with pytest.raises(AttributeError):
        f.name = "m"
    with pytest.raises(ValueError, match="bad name"):
        frozen_cls("bad")
    child = child_cls("n", extra=3)
    assert [x.name for x in module.fields(child)] == ["name", "sources", "extra"]
    changed = module.replace(child, extra=4)
    assert (changed.name, changed.extra) == ("n", 4)
    with pytest.raises(ValueError, match="bad name"):
        module.replace(child, name="bad")
