# SPDX-License-Identifier: Apache-2.0
"""The rule of a service's ``modelRef`` (S05; operator 1.0 on, dropped before any rule under 0.6)."""

from __future__ import annotations

from krm_dynamo.api import shapes
from krm_dynamo.graph.report import Report
from krm_dynamo.graph.rules.context import ServiceCheck, mapping, show


def check_model_ref(s: ServiceCheck, report: Report) -> None:
    """``modelRef`` is ``{name, revision?}`` with a non-empty string ``name`` (the CRD requires it)."""
    ref = s.svc.modelRef
    if ref is None:
        return
    path = f"{s.path}.modelRef"
    if not isinstance(ref, dict):
        report.error(path, f"expected `modelRef` to be a mapping with `name`, got {show(ref)}")
        return
    name = ref.get("name")
    if not isinstance(name, str) or not name:
        found = "none" if name is None else show(name)
        report.error(f"{path}.name", f"expected `name`, the model's name (required by the CRD), got {found}")
    revision = ref.get("revision")
    if revision is not None and not isinstance(revision, str):
        report.error(f"{path}.revision", f"expected `revision` to be a string, got {show(revision)}")
    mapping(ref, path, shapes.known(shapes.MODEL_REF), report)  # a mapping here: its unknown keys
