# SPDX-License-Identifier: Apache-2.0
"""What a service rule looks at: the derived graph and one derived service."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from krm_dynamo import defaults
from krm_dynamo.graph.backend import Backend
from krm_dynamo.graph.component import Component
from krm_dynamo.graph.derive import DerivedGraph
from krm_dynamo.graph.report import Report
from krm_dynamo.kio import display
from krm_dynamo.record import dataclass, field

if TYPE_CHECKING:
    from krm_dynamo.api import v1alpha1

PROBE_KINDS = defaults.PROBE_KINDS
PROBE_HANDLERS = defaults.PROBE_HANDLERS


@dataclass
class ServiceCheck:
    """One service of a derived graph, with the shorthands the rules use.

    ``dropped``: field paths the salvage removed after a failed parse (their values are
    then defaults, so a rule that reads one may skip).
    """

    graph: DerivedGraph
    component: Component
    dropped: frozenset[str] = field(default_factory=frozenset)

    def was_dropped(self, path: str) -> bool:
        """``path``, or a field under it, was removed by the salvage."""
        return any(d == path or d.startswith((path + ".", path + "[")) for d in self.dropped)

    @property
    def key(self) -> str:
        return self.component.key

    @property
    def svc(self) -> v1alpha1.DynamoComponentDeploymentSharedSpec:
        return self.component.spec

    @property
    def path(self) -> str:
        return self.component.path

    @property
    def name(self) -> str:
        return self.component.name

    @property
    def main(self) -> dict[str, Any]:
        return self.component.main_container

    @property
    def mc_path(self) -> str:
        return self.component.mc_path

    @property
    def backend(self) -> Backend | None:
        return self.component.backend


GraphRule = Callable[[DerivedGraph, Report], None]
ServiceRule = Callable[[ServiceCheck, Report], None]


def show(value: Any) -> str:
    """A user value as messages show it."""
    return display.show_value(value)


def mapping(value: Any, path: str, known: tuple[str, ...], report: Report) -> dict[str, Any] | None:
    """``value`` when it is a mapping, every key not in ``known`` warned about (the API server
    prunes unknown fields of a DGD); else an error on ``path`` and None. For the fields the API
    model keeps as written, whose shape a rule checks."""
    if not isinstance(value, dict):
        report.error(path, f"expected `{path.rsplit('.', 1)[-1]}` to be a mapping, got {show(value)}")
        return None
    listed = ", ".join(f"`{k}`" for k in known)
    for key in value:
        if key not in known:
            close = display.closest(str(key), list(known))
            hint = f"; did you mean `{close}`?" if close else ""
            report.warning(f"{path}.{key}", f"unknown field `{key}` is ignored (the API server drops it; known "
                                            f"fields: {listed}){hint}")
    return value


def webhook_rejects(release: str) -> str:
    """The end of an error the admission webhook of operator ``release`` (1.0 on) reports too."""
    return f"the admission webhook of operator {release} rejects it"
