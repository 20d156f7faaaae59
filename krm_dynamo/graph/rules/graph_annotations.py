# SPDX-License-Identifier: Apache-2.0
"""Rules about the DGD's own annotations (V04: what the operator's admission webhook checks)."""

from __future__ import annotations

from krm_dynamo.graph.derive import DerivedGraph
from krm_dynamo.graph.report import Report
from krm_dynamo.kio.display import show_value
from krm_dynamo.kube import semver


def check_backend_annotations(g: DerivedGraph, report: Report) -> None:
    """V04 (the vLLM part): from operator 1.0 the admission webhook rejects a DGD whose origin-version
    annotation is not a semantic version, or whose vLLM executor annotation is neither ``mp`` nor
    ``ray`` (in any case). The values come from the release's launch table; 0.6 reads neither."""
    launch = g.table.launch.values
    allowed = launch.get("vllm.executorValues")
    if not isinstance(allowed, tuple):
        return
    origin_key, executor_key = str(launch["vllm.originAnnotation"]), str(launch["vllm.executorAnnotation"])
    origin = g.annotations.get(origin_key)
    if origin is not None and semver.parse(str(origin)) is None:
        report.error(f'metadata.annotations["{origin_key}"]',
                     f"expected a semantic version (such as 1.1.0), got {show_value(origin)}: the operator's "
                     "admission webhook rejects the DGD")
    _check_discovery_mode(g, report)
    executor = g.annotations.get(executor_key)
    if executor is not None and str(executor).lower() not in allowed:
        report.error(f'metadata.annotations["{executor_key}"]',
                     f"expected one of {', '.join(allowed)} (any case), got {show_value(executor)}: the operator's "
                     "admission webhook rejects the DGD")


def _check_discovery_mode(g: DerivedGraph, report: Report) -> None:
    """V04 from operator 1.1: the Kubernetes discovery mode annotation is ``pod`` or ``container`` (exactly)."""
    row = g.table.launch.values.get("annotations.kubeDiscoveryMode")
    if not isinstance(row, tuple):
        return
    key, allowed = row
    value = g.annotations.get(key)
    if value is not None and value not in allowed:
        report.error(f'metadata.annotations["{key}"]',
                     f"expected one of {', '.join(allowed)}, got {show_value(value)}: the operator's admission "
                     "webhook rejects the DGD")
