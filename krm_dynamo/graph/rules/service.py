# SPDX-License-Identifier: Apache-2.0
"""Rules about one service as a whole: names, component type, backend, autoscaling, annotations."""

from __future__ import annotations

from krm_dynamo import defaults
from krm_dynamo.graph.report import Report
from krm_dynamo.graph.rules.context import ServiceCheck
from krm_dynamo.kio import display
from krm_dynamo.kube import naming

_COMPONENT_TYPES = [defaults.COMPONENT_FRONTEND, defaults.COMPONENT_WORKER, defaults.COMPONENT_PLANNER]
_CLOSE_ENOUGH = 0.7  # difflib ratio: `wroker`, `frontent`, `planer` are near misses; `main`, `prefill` are not
_WORKER_ROLES = ("prefill", "decode")


def check_service_names(s: ServiceCheck, report: Report) -> None:
    """The key and ``<dgd>-<svc>`` name objects; the component types are label values."""
    frontend = s.svc.componentType == defaults.COMPONENT_FRONTEND
    if naming.is_dns1123_label(s.graph.name):  # else reported once, on metadata.name
        naming.check_service_key(s.key, s.name, frontend, s.path, report)
    for attr in ("componentType", "subComponentType"):
        value = getattr(s.svc, attr)
        if value:
            naming.check_label_value(value, f"`{attr}` (a label value)", f"{s.path}.{attr}", report)


def check_component_type(s: ServiceCheck, report: Report) -> None:
    """D32: a component type other than frontend, worker or planner gets only the base defaults; say so.

    A near miss (``Worker``, ``wroker``) is a warning with "did you mean"; any other value
    (``main``, ``default``) an info result: the operator treats it as a plain component
    (the base container and pod, no ports, probes, component env or backend).
    """
    ctype = s.svc.componentType
    if not ctype or ctype in _COMPONENT_TYPES or ctype in s.graph.table.worker_types:
        return
    if ctype in s.graph.table.by_component_type:  # epp from operator 1.0 (P10)
        return
    path = f"{s.path}.componentType"
    close = display.closest(ctype.lower(), list(_COMPONENT_TYPES), cutoff=_CLOSE_ENOUGH)
    if ctype.lower() in _COMPONENT_TYPES:
        report.warning(path, f'componentType "{ctype}" gets no defaults: component types are case-sensitive, '
                             f'did you mean "{ctype.lower()}"?')
    elif close:
        report.warning(path, f'componentType "{ctype}" is not a known component type and gets no defaults: '
                             f'did you mean "{close}"?')
    else:
        hint = " (a worker's role, such as prefill or decode, goes in `subComponentType`)" \
            if ctype.lower() in _WORKER_ROLES else ""
        report.info(path, f'componentType "{ctype}" is none of {", ".join(_COMPONENT_TYPES)}: it gets no component '
                          f"defaults (no ports, probes, component env vars or backend settings), as with the "
                          f"operator{hint}")


def check_backend(s: ServiceCheck, report: Report) -> None:
    """The worker's command agrees with ``backendFramework`` and names one backend."""
    if s.component.backend_error is not None:
        report.error(s.mc_path, s.component.backend_error)


def check_autoscaling(s: ServiceCheck, report: Report) -> None:
    """Enabled autoscaling needs 1 <= minReplicas <= maxReplicas, both set.

    On a multinode service or in Grove mode no HPA is generated, so the bounds do not
    matter; one warning says the block is ignored.
    """
    scaling = s.svc.autoscaling
    if scaling is None or not scaling.enabled:
        return
    path = f"{s.path}.autoscaling"
    if s.graph.table.switch("S10"):
        report.warning(path, f"`autoscaling` is deprecated and ignored from operator 0.8 on (operatorVersion "
                             f"{s.graph.table.release}): no HorizontalPodAutoscaler is generated (S10, A01). To "
                             "autoscale, point your own HorizontalPodAutoscaler or KEDA ScaledObject at the workload "
                             f'"{s.name}"; the operator itself scales through a DynamoGraphDeploymentScalingAdapter '
                             "(`scalingAdapter.enabled: true`), an operator-internal object krm-dynamo does not emit "
                             "(D2)")
        return
    if s.component.multinode or s.graph.grove_mode:
        where = "in Grove mode" if s.graph.grove_mode else "on a multinode service"
        report.warning(path, f"`autoscaling` is ignored {where}: no HorizontalPodAutoscaler is generated")
        return
    low, high = scaling.minReplicas, scaling.maxReplicas
    if low is None:
        report.error(f"{path}.minReplicas",
                     "expected `minReplicas` (at least 1) when autoscaling is enabled, found none")
    elif low < 1:
        report.error(f"{path}.minReplicas",
                     f"expected `minReplicas` to be at least 1 when autoscaling is enabled, got {low}")
    if high is None:
        report.error(f"{path}.maxReplicas", "expected `maxReplicas` when autoscaling is enabled, found none")
    elif low is not None and low >= 1 and high < low:
        report.error(f"{path}.maxReplicas", f"expected `maxReplicas` to be at least `minReplicas` ({low}), got {high}")
    elif low is not None and low >= 1 and high == low:
        report.warning(f"{path}.maxReplicas",
                       f"`maxReplicas` equals `minReplicas` ({low}): the autoscaler can never scale")


def check_autoscaling_metric(s: ServiceCheck, report: Report) -> None:
    """The default CPU metric needs a CPU request on the main container to compute utilisation.

    Only where an HPA is generated (single node, component mode, bounds that pass
    :func:`check_autoscaling`) and no ``metrics`` are given. The main container's requests
    are its own ``resources.requests`` with the service's ``resources.requests`` laid over them.
    """
    scaling = s.svc.autoscaling
    if scaling is None or not s.component.autoscaled or scaling.metrics or s.component.multinode \
            or s.graph.grove_mode:
        return
    low, high = scaling.minReplicas, scaling.maxReplicas
    if low is None or high is None or not 1 <= low <= high:
        return  # no HPA from these bounds: check_autoscaling says why
    user = s.main.get("resources")
    user_requests = user.get("requests") if isinstance(user, dict) else None
    has_cpu = "cpu" in (s.component.resources.get("requests") or {})
    if isinstance(user_requests, dict) and "cpu" in user_requests:
        has_cpu = True
    if not has_cpu:
        report.warning(
            f"{s.path}.autoscaling.metrics",
            "the autoscaler uses the default CPU utilisation metric, but the main container has no CPU "
            "request (`resources.requests.cpu`), so utilisation cannot be computed",
        )


def check_annotations(s: ServiceCheck, report: Report) -> None:
    """R9: stealing-traffic debug mode is not supported; P06: from operator 1.0 on, no debug mode at all."""
    annotations = s.svc.annotations or {}
    if s.graph.table.switch("P06"):
        for key in (defaults.ANNOTATION_ENABLE_DEBUG_MODE, defaults.ANNOTATION_STEALING_TRAFFIC_DEBUG):
            if annotations.get(key) == "true":
                report.warning(f"{s.path}.annotations",
                               f"`{key}` is ignored from operator 1.0 on (operatorVersion {s.graph.table.release}): "
                               "no debug container or objects (P06)")
        return
    if annotations.get(defaults.ANNOTATION_STEALING_TRAFFIC_DEBUG) == "true":
        report.warning(
            f"{s.path}.annotations",
            f"`{defaults.ANNOTATION_STEALING_TRAFFIC_DEBUG}` is not supported: no debug Deployment or Services "
            "are generated and the annotation is otherwise ignored (R9)",
        )


def check_startup_probe_kept(s: ServiceCheck, report: Report) -> None:
    """D22: a live DGD loses the service-level ``startupProbe`` (beyond the CRD)."""
    if s.svc.startupProbe is not None and s.graph.cfg.graphDeployment == "keep":
        report.warning(
            f"{s.path}.startupProbe",
            "service-level `startupProbe` is beyond the operator's CRD, which prunes it from the live DGD; "
            "use `extraPodSpec.mainContainer.startupProbe` to keep both in agreement",
        )
