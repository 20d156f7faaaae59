# SPDX-License-Identifier: Apache-2.0
"""The operator's validating admission webhook on create, from operator 1.0 on (V01, V03, V04).

From 1.0 the webhook is always on: the API server refuses a DGD it rejects, so a render under
a 1.x release reports the same mistakes as errors. Rules the project already checks in every
release (``replicas`` not negative, an enabled ingress with a ``host``, a ``mountPoint`` unless
the mount is a compilation cache, the PVC fields of ``create: true``) keep their home; here are
the ones the webhook adds. The data (which annotation values, which name bound) is the release's
``admission`` table (:mod:`krm_dynamo.defaults.admission`); the webhook's deprecation warnings
are S04 (``dynamoNamespace``) and S10 (``autoscaling``). Its rules for EPP, the GPU memory
service, failover, the frontend sidecar and topology (V05) live with those features. Update-time
rules need the live object and are not checked (D66).
"""

from __future__ import annotations

from collections.abc import Mapping

from krm_dynamo import defaults
from krm_dynamo.graph.derive import DerivedGraph
from krm_dynamo.graph.report import Report
from krm_dynamo.graph.rules.context import ServiceCheck
from krm_dynamo.kube import naming, quantity, semver


def is_semver(value: str) -> bool:
    """Whether ``value`` parses as the operator's semver library (``NewVersion``) parses a version:
    ``v1.0``, ``01.2.3``, ``1.0.0-rc.1``; a numeric pre-release part has no leading zero."""
    return semver.is_valid(value)


def _webhook(g: DerivedGraph) -> str:
    return f"the admission webhook of operator {g.table.release} rejects it"


def annotation_problem(key: str, value: str, rule: Mapping[str, object]) -> str | None:
    """Why ``value`` of annotation ``key`` fails ``rule`` (an ``annotationValues`` row); None when it passes."""
    if rule.get("format") == "semver":
        return None if is_semver(value) else f'expected annotation `{key}` to be a semantic version (such as ' \
                                              f'"1.0.0"), got "{value}"'
    allowed = [str(v) for v in rule.get("oneOf", ())]  # type: ignore[attr-defined]
    got = value.lower() if rule.get("ignoreCase") else value
    if got in allowed:
        return None
    shown = " or ".join(f'"{v}"' for v in allowed)
    return f'expected annotation `{key}` to be {shown}, got "{value}"'


def _check_values(annotations: Mapping[str, str], rules: object, path: str, g: DerivedGraph,
                  report: Report) -> None:
    if not isinstance(rules, Mapping):
        return
    for key, rule in rules.items():
        value = annotations.get(key)
        if value is None:
            continue
        problem = annotation_problem(key, value, rule)
        if problem is not None:
            report.error(path, f"{problem} ({_webhook(g)})")


def check_annotation_values(g: DerivedGraph, report: Report) -> None:
    """V04: the DGD annotations the operator reads have values it understands (origin version,
    vLLM executor; from 1.1 the Kubernetes discovery mode)."""
    _check_values(g.annotations, g.table.admission.values.get("annotationValues"), "metadata.annotations", g,
                  report)


def check_service_annotation_values(s: ServiceCheck, report: Report) -> None:
    """V04 (1.1): a service's ``nvidia.com/vllm-distributed-executor-backend`` is ``mp`` or ``ray``.

    The webhook reads the service's own ``annotations`` as written: a DGD-level value the operator
    propagates later is checked once, at the DGD (:func:`check_annotation_values`).
    """
    _check_values(s.svc.annotations or {}, s.graph.table.admission.values.get("serviceAnnotationValues"),
                  f"{s.path}.annotations", s.graph, report)


def check_pvc_storage_class(g: DerivedGraph, report: Report) -> None:
    """V01: with ``create: true`` the webhook wants a non-empty ``storageClass`` (the CRD alone accepts "")."""
    if not g.table.switch("V01"):
        return
    for i, pvc in enumerate(g.graph.pvcs or []):
        if pvc.create and pvc.storageClass == "":
            report.error(f"spec.pvcs[{i}].storageClass",
                         'expected a non-empty `storageClass` when `create` is true, got "" '
                         f"({_webhook(g)}): name the StorageClass to provision from")


def check_shared_memory_size(s: ServiceCheck, report: Report) -> None:
    """V01: ``sharedMemory`` that is not disabled needs a non-zero ``size`` (so ``sharedMemory: {}`` fails).

    The operator's pod code would fall back to its default size; its webhook rejects the DGD first.
    """
    shm = s.svc.sharedMemory
    if not s.graph.table.switch("V01") or shm is None or shm.disabled:
        return
    if shm.size is not None:
        try:
            if quantity.parse(shm.size).value != 0:
                return
        except quantity.QuantityError:
            return  # the shared-memory rule reports it
    default = s.graph.table.shared_memory.size_limit
    got = "none" if shm.size is None else f'"{shm.size}"'
    report.error(f"{s.path}.sharedMemory.size",
                 f"expected a non-zero `size` when shared memory is not disabled, got {got} ({_webhook(s.graph)}): "
                 f"write the size (the operator's default is {default}) or `disabled: true`")


def check_combined_name_length(s: ServiceCheck, report: Report) -> None:
    """V03: unless the DGD opts out of Grove, the graph and service names fit Grove's pod-name bound.

    The webhook checks it whenever Grove may be used, whatever the cluster runs; in Grove mode
    the Grove name rule reports the same bound (:mod:`.podnames`).
    """
    bound = s.graph.table.admission.values.get("combinedNameLength")
    opted_out = s.graph.annotations.get(defaults.ANNOTATION_ENABLE_GROVE, "").lower() == "false"
    if not isinstance(bound, int) or opted_out or s.graph.grove_mode or not naming.is_dns1123_label(s.name):
        return
    dgd, base = s.graph.name, s.key.lower()
    parts = [dgd, base] + ([f"{base}-{s.graph.table.grove.leader_suffix}"] if s.component.multinode else [])
    total = sum(len(p) for p in parts)
    if total <= bound:
        return
    shown = " + ".join(f'"{p}" ({len(p)})' for p in parts)
    report.error(s.path, f"expected the graph and service names to have at most {bound} characters together "
                         f"(Grove's pod-name bound), got {shown} = {total} ({_webhook(s.graph)} whenever the DGD may "
                         "run on Grove): shorten the graph or service name, or set the DGD annotation "
                         f'`{defaults.ANNOTATION_ENABLE_GROVE}: "false"`')
