# SPDX-License-Identifier: Apache-2.0
"""Grove mode (opt-in): one ``PodCliqueSet`` for the whole DGD (multinode-and-backends §6).

Operator source: ``graph.go`` (``GenerateGrovePodCliqueSet``, ``generateLabels``,
``generateAnnotations``, ``applyCliqueStartupDependencies``) and ``grove.go``. Chosen by
functionConfig ``multinodeOrchestrator: grove`` unless the DGD says
``nvidia.com/enable-grove: "false"`` (D2). Every service becomes a clique (a multinode
service a leader and a worker clique tied by a scaling group). Deviations: an unset
``replicas`` is 1 (R8); the service-account rule of D14 applies (D27); service labels
and annotations reach the cliques (D4, D5).
"""

from __future__ import annotations

import re

from krm_dynamo import backends, defaults, fieldorder
from krm_dynamo.component import Component
from krm_dynamo.config import FunctionConfig
from krm_dynamo.diagnostics import Report
from krm_dynamo.multinode import launch_warnings, role_templates
from krm_dynamo.podtemplate import PodContext, PodTemplate, build_pod_template


def enabled(cfg: FunctionConfig, dgd_annotations: dict[str, str]) -> bool:
    """Grove for this DGD: asked for in functionConfig and not vetoed by the DGD annotation (D2)."""
    veto = dgd_annotations.get(defaults.ANNOTATION_ENABLE_GROVE, "").lower() == "false"
    return cfg.multinodeOrchestrator == "grove" and not veto


# --- Go durations (time.ParseDuration / Duration.String) ------------------------------------

_UNITS = {"ns": 1, "us": 10**3, "µs": 10**3, "μs": 10**3, "ms": 10**6, "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9}
_PART = re.compile(r"([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)")


def parse_duration(text: str) -> int:
    """Nanoseconds of a Go duration string (``15m``, ``4h``, ``1h30m``, ``0``).

    Raises:
        ValueError: not a Go duration.
    """
    s = text.strip()
    sign = -1 if s.startswith("-") else 1
    s = s.lstrip("+-")
    if s == "0":
        return 0
    if not s:
        raise ValueError(f'invalid duration "{text}"')
    total, pos = 0, 0
    while pos < len(s):
        m = _PART.match(s, pos)
        if not m or m.group(1) in ("", "."):
            raise ValueError(f'invalid duration "{text}": expected a number and a unit (ns, us, ms, s, m, h)')
        whole, _, frac = m.group(1).partition(".")
        unit = _UNITS[m.group(2)]
        total += int(whole or 0) * unit + (int(frac) * unit // 10 ** len(frac) if frac else 0)
        pos = m.end()
    return sign * total


def format_duration(ns: int) -> str:
    """Go's ``Duration.String()``: ``15m0s``, ``4h0m0s``, ``1.5s``, ``500ms``."""
    if ns == 0:
        return "0s"
    sign, u = ("-" if ns < 0 else ""), abs(ns)
    if u < 10**9:
        for unit, div in (("ms", 10**6), ("µs", 10**3), ("ns", 1)):
            if u >= div:
                return sign + _fraction(u, div) + unit
    seconds, frac = divmod(u, 10**9)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    out = f"{hours}h" if hours else ""
    if hours or minutes:
        out += f"{minutes}m"
    out += _fraction(secs * 10**9 + frac, 10**9) + "s"
    return sign + out


def _fraction(value: int, div: int) -> str:
    whole, rest = divmod(value, div)
    digits = len(str(div)) - 1
    return f"{whole}.{rest:0{digits}d}".rstrip("0") if rest else str(whole)


# --- labels ---------------------------------------------------------------------------------


def clique_labels(component: Component, ctx: PodContext, clique: str) -> dict[str, str]:
    """Clique labels in the operator's order, later entries winning (§6.2)."""
    labels = {defaults.LABEL_SELECTOR: f"{ctx.dgd_name}-{clique}"}
    if ctx.dgd_annotations.get(defaults.ANNOTATION_ENABLE_METRICS) != "false":  # the DGD's annotation only
        labels[defaults.LABEL_METRICS_ENABLED] = "true"
    if component.component_type:
        labels[defaults.LABEL_COMPONENT_TYPE] = component.component_type
    if component.spec.subComponentType:
        labels[defaults.LABEL_SUB_COMPONENT_TYPE] = component.spec.subComponentType
    labels[defaults.LABEL_GRAPH_NAME] = ctx.dgd_name
    labels[defaults.LABEL_DYNAMO_NAMESPACE] = component.dynamo_namespace
    labels.update(component.labels)  # D4
    extra = component.spec.extraPodMetadata
    labels.update((extra.labels if extra else None) or {})
    return labels


def leader_selector(component: Component, dgd_name: str) -> dict[str, str]:
    """The frontend Service selector: the service's clique, the leader clique when multinode."""
    clique = component.key.lower()
    if component.node_count > 1:
        clique = f"{clique}-{defaults.GROVE_LEADER_SUFFIX}"
    return {defaults.LABEL_SELECTOR: f"{dgd_name}-{clique}"}


# --- the PodCliqueSet -----------------------------------------------------------------------


def _clique(component: Component, ctx: PodContext, pod: PodTemplate, name: str, replicas: int,
            starts_after: list[str] | None) -> dict:
    labels = clique_labels(component, ctx, name)
    spec = dict(pod.spec)
    if ctx.cfg.kaiScheduler and spec.get("schedulerName", "") in ("", defaults.KAI_SCHEDULER):
        spec["schedulerName"] = defaults.KAI_SCHEDULER
        queue = ctx.dgd_annotations.get(defaults.ANNOTATION_KAI_QUEUE, "").strip()
        labels[defaults.LABEL_KAI_QUEUE] = queue or defaults.KAI_DEFAULT_QUEUE
    clique: dict = {"name": name, "labels": labels}
    if pod.annotations:
        clique["annotations"] = dict(pod.annotations)
    clique_spec: dict = {"roleName": name, "podSpec": spec, "replicas": replicas, "minAvailable": 1}
    if starts_after:
        clique_spec["startsAfter"] = list(starts_after)
    clique["spec"] = clique_spec
    return clique


def pod_clique_set(components: list[Component], namespace: str | None, ctx: PodContext,
                   report: Report) -> list[dict]:
    """The PodCliqueSet of a DGD in Grove mode; empty on error."""
    delay_text = ctx.cfg.groveTerminationDelay or defaults.GROVE_TERMINATION_DELAY
    try:
        delay = parse_duration(delay_text)
    except ValueError as exc:
        report.error(None, f"functionConfig `groveTerminationDelay`: {exc} (write e.g. 15m or 4h)")
        return []

    cliques: list[dict] = []
    groups: list[dict] = []
    explicit = False
    for component in components:
        base = component.key.lower()
        if component.node_count > 1:
            # §3: Grove hands the services key verbatim to backends (its host names keep the case).
            templates = role_templates(component, ctx, report, deployer=backends.GROVE,
                                       service_name=component.key, debug_sidecar=False)
            if templates is None:
                continue
            launch_warnings(component, templates, report)
            leader, worker = f"{base}-{defaults.GROVE_LEADER_SUFFIX}", f"{base}-{defaults.GROVE_WORKER_SUFFIX}"
            trtllm = component.backend is not None and component.backend.name == "trtllm"
            explicit = explicit or trtllm  # §6.4: the TRT-LLM leader starts after its workers
            cliques.append(_clique(component, ctx, templates[defaults.ROLE_LEADER], leader, 1,
                                   [worker] if trtllm else None))
            cliques.append(_clique(component, ctx, templates[defaults.ROLE_WORKER], worker,
                                   component.node_count - 1, None))
            group: dict = {"name": base, "cliqueNames": [leader, worker]}
            if component.replicas is not None:
                group["replicas"] = component.replicas
            group["minAvailable"] = 1
            groups.append(group)
        else:
            pod = build_pod_template(component, ctx, report, role=defaults.ROLE_MAIN, node_count=1,
                                     deployer=backends.GROVE, service_name=component.key, debug_sidecar=False)
            if pod is None:
                continue
            replicas = 1 if component.replicas is None else component.replicas  # R8
            cliques.append(_clique(component, ctx, pod, base, replicas, None))
    if report.failed:
        return []

    template: dict = {
        "cliques": cliques,
        "cliqueStartupType": defaults.GROVE_STARTUP_EXPLICIT if explicit else defaults.GROVE_STARTUP_ANY_ORDER,
        "headlessServiceConfig": {"publishNotReadyAddresses": True},
    }
    if delay:
        template["terminationDelay"] = format_duration(delay)
    if groups:
        template["podCliqueScalingGroups"] = groups
    metadata: dict = {"name": ctx.dgd_name}
    if namespace:
        metadata["namespace"] = namespace
    obj = {
        "apiVersion": defaults.GROVE_API_VERSION,
        "kind": "PodCliqueSet",
        "metadata": metadata,
        "spec": {"replicas": 1, "template": template},
    }
    return [fieldorder.ordered(obj, "PodCliqueSet")]
