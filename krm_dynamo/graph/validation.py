# SPDX-License-Identifier: Apache-2.0
"""Validation of one DGD before anything is built: the parse, then every rule.

The phases are fixed, so that every problem is reported in one run:

1. strict parse: the fast parse (:func:`krm_dynamo.api.fastparse.parse`, no pydantic)
   for a spec it can prove valid, else the full one (:func:`krm_dynamo.api.parse.parse_spec`):
   types, enums, minimums and unknown fields, every problem with its field path;
2. salvage (:func:`salvage`): when the parse failed, the offending values are dropped
   from a copy of the spec and it is parsed again, so that
3. the derive step (:mod:`krm_dynamo.graph.derive`) and the cross-field rules
   (:mod:`krm_dynamo.graph.rules`, :func:`validate`) still run on everything else. A
   rule's result at (or under) a dropped field is suppressed: the parse already
   reported that field.

Only when no rule reported an error is the DGD built; the builders then meet valid
input only and report no input errors. The DGD's ``metadata`` is checked by the
pipeline before the spec is parsed.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from krm_dynamo import defaults
from krm_dynamo.api import fastparse
from krm_dynamo.graph.derive import DerivedGraph
from krm_dynamo.graph.report import Report
from krm_dynamo.graph.rules import rules_for
from krm_dynamo.graph.rules.context import ServiceCheck
from krm_dynamo.kio.results import Result

if TYPE_CHECKING:
    from krm_dynamo.api import v1alpha1

# --- phases ------------------------------------------------------------------------------


def load(spec: Any, report: Report, table: defaults.OperatorDefaults | None = None
         ) -> tuple[v1alpha1.DynamoGraphDeploymentSpec | None, bool, set[str]]:
    """Phases 1 and 2: ``(model, parsed_cleanly, dropped_paths)``; model None when nothing is left.

    Fields of another operator release than ``table``'s (default: the default release) are
    reported and, when from a later release, dropped (:mod:`krm_dynamo.api.releases`). The
    fast parse knows none of them (they are unknown to it), so a spec with one takes the full parse.
    """
    fast = fastparse.parse(spec)
    if fast is not None:
        return fast, True, set()
    # Invalid, or valid in a way only the full parse can tell (unknown fields warn): pydantic.
    from krm_dynamo.api import parse, releases

    table = table or defaults.for_release()
    graph = parse.parse_spec(spec, report)
    if graph is not None:
        releases.check_release_fields(graph, "spec", report, table.release, table.reproduced)
        return graph, True, set()
    if not isinstance(spec, dict):
        return None, False, set()
    salvaged, dropped = salvage(spec)
    if salvaged is not None:
        parse.report_unknown_fields(salvaged, "spec", report)  # unknown fields are still reported on what parsed
        releases.check_release_fields(salvaged, "spec", report, table.release, table.reproduced)
    return salvaged, False, dropped


def salvage(spec: dict[str, Any], attempts: int = 25) -> tuple[v1alpha1.DynamoGraphDeploymentSpec | None, set[str]]:
    """Parse a copy of ``spec`` without the values the strict parse rejected.

    Returns the model (None if nothing sensible is left) and the field paths dropped.
    A bad list item becomes ``{}`` and a bad service ``null`` so that no index or key
    moves and every later result keeps its path.
    """
    from pydantic import ValidationError

    from krm_dynamo.api import messages, v1alpha1

    doc = copy.deepcopy(spec)
    dropped: set[str] = set()
    for _ in range(attempts):
        try:
            return v1alpha1.DynamoGraphDeploymentSpec.model_validate(doc), dropped
        except ValidationError as exc:
            progressed = False
            for err in exc.errors(include_url=False):
                loc = _data_loc(err["loc"])
                if loc and _drop(doc, loc):
                    dropped.add(messages.field_path(("spec", *loc)))
                    progressed = True
            if not progressed:
                return None, dropped
    return None, dropped


def _data_loc(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """The part of a pydantic location that names data (``[key]`` marks a bad map key)."""
    parts = list(loc)
    if "[key]" in parts:
        parts = parts[: parts.index("[key]")]
    return tuple(parts)


def _drop(doc: Any, loc: tuple[Any, ...]) -> bool:
    """Remove the value at ``loc`` from ``doc`` (a list item becomes ``{}``, a service null)."""
    parent = doc
    for part in loc[:-1]:
        in_dict = isinstance(parent, dict) and part in parent
        in_list = isinstance(parent, list) and isinstance(part, int) and part < len(parent)
        if not (in_dict or in_list):
            return False
        parent = parent[part]
    last = loc[-1]
    if isinstance(parent, list) and isinstance(last, int) and last < len(parent):
        if parent[last] == {}:
            return False
        parent[last] = {}
        return True
    if isinstance(parent, dict) and last in parent:
        if len(loc) == 2 and loc[0] == "services":
            if parent[last] is None:
                return False
            parent[last] = None  # the services rule then names it, and the others are still checked
        else:
            del parent[last]
        return True
    return False


def validate(derived: DerivedGraph, report: Report, dropped: set[str] | frozenset[str] = frozenset()) -> None:
    """Phase 3: every rule on the derived graph, results under ``dropped`` paths left out.

    The embedded Kubernetes types are checked first; the other rules' results at or under
    a field that check reported as an error are left out too (it already named the field).
    """
    types = Report(report.dgd)
    wrong: set[str] = set()
    if derived.embedded_problems or any(c.embedded_problems for c in derived.services.values()):
        # here: only a DGD whose embedded types have a problem pays for its reporting
        from krm_dynamo.graph.rules import embedded

        wrong = embedded.check_embedded_types(derived, types)
    report.results.extend(r for r in types.results if not _under(r, dropped))
    scratch = Report(report.dgd)
    graph_rules, service_rules = rules_for(derived.table, derived)
    for rule in graph_rules:
        rule(derived, scratch)
    for component in derived.services.values():
        check = ServiceCheck(graph=derived, component=component, dropped=frozenset(dropped))
        for service_rule in service_rules:
            service_rule(check, scratch)
    report.results.extend(r for r in scratch.results if not _under(r, dropped | wrong))


def _under(result: Result, dropped: set[str] | frozenset[str]) -> bool:
    path = result.field_path or ""
    return any(path == d or path.startswith((d + ".", d + "[")) for d in dropped)
