# SPDX-License-Identifier: Apache-2.0
"""The embedded Kubernetes types against their schemas: unknown fields, missing fields, wrong types.

The derive step checks every embedded type (:mod:`krm_dynamo.graph.embedded`); this rule
says what it found, the one place these results are worded:

* an unknown field is a warning and is dropped, with "did you mean" for a near miss,
  like an unknown DGD field (D31: the CRD embeds the full schema, so the API server
  prunes it from a live DGD); a field that the Kubernetes types of a later operator
  release have is named as such, with the release to select;
* a missing required field or a value of the wrong type is an error naming the field
  (the API server rejects the DGD, or the objects made from it).

It runs before the other rules (:func:`krm_dynamo.graph.validation.validate`), and their
results at or under a field reported here as an error are left out: one problem, one result.
"""

from __future__ import annotations

from krm_dynamo import defaults
from krm_dynamo.defaults.catalog import release_key
from krm_dynamo.graph.derive import DerivedGraph
from krm_dynamo.graph.embedded import EmbeddedProblem
from krm_dynamo.graph.report import Report
from krm_dynamo.graph.rules.context import show
from krm_dynamo.kube import schemas


def check_embedded_types(g: DerivedGraph, report: Report) -> set[str]:
    """Report the schema problems of ``spec.envs`` and of every service; return the error paths."""
    errors: set[str] = set()
    for found in [g.embedded_problems, *(c.embedded_problems for c in g.services.values())]:
        for item in found:
            if _report(item, report, g.table.release):
                errors.add(item.path)
    return errors


def _later_release(type_name: str, field: str, release: str) -> defaults.OperatorDefaults | None:
    """The first operator release after ``release`` whose embedded Kubernetes types have ``field``."""
    current = defaults.for_release(release).kubernetes_version
    for table in defaults.RELEASES.values():
        if (release_key(table.release) > release_key(release) and table.kubernetes_version != current
                and schemas.has_field(type_name, field, table.kubernetes_version)):
            return table
    return None


def _report(item: EmbeddedProblem, report: Report, release: str) -> bool:
    """Report one problem; True when it is an error."""
    p = item.problem
    name = str(p.loc[-1]) if p.kind == schemas.UNKNOWN else _name(p.loc)
    if p.kind == schemas.UNKNOWN:
        later = _later_release(p.type_name, name, release)
        if later is not None:
            report.warning(item.path, f"`{name}` is dropped: a Kubernetes {p.type_name} field from Kubernetes "
                           f"{later.kubernetes_version}, which operator {later.release} embeds "
                           f"(operator {release} embeds {defaults.for_release(release).kubernetes_version}); "
                           f"set operatorVersion: {later.release}")
            return False
        hint = f"; did you mean `{p.suggestion}`?" if p.suggestion else ""
        report.warning(item.path, f"unknown field `{name}` is dropped (not part of a Kubernetes {p.type_name}){hint}")
        return False
    if p.kind == schemas.REQUIRED:
        report.error(item.path, f"expected `{name}` (required in a Kubernetes {p.type_name}), found none")
    elif isinstance(p.loc[-1], int):
        report.error(item.path, f"expected every entry of `{name}` to be {p.expected}, got {show(p.value)}")
    else:
        report.error(item.path, f"expected `{name}` to be {p.expected}, got {show(p.value)}")
    return True


def _name(loc: schemas.Loc) -> str:
    """The innermost field name of a location (a list entry is named by its list)."""
    return next((str(part) for part in reversed(loc) if isinstance(part, str)), "value")
