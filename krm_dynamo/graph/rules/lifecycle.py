# SPDX-License-Identifier: Apache-2.0
"""Fields whose effect the operator's controllers drive from cluster state (from operator 1.0 on).

* ``spec.restart`` (S11): the CRD's shape and the webhook's rules on ``strategy.order`` (V01);
  a sequential restart is rendered in its finished state, with a warning (P15, D65).
* ``scalingAdapter`` (S09): the scaling adapter object is operator-internal and never emitted
  (A02, D2); enabling it says what that means for ``replicas``.
* ``checkpoint`` (S12): the CRD's rules; restore needs a ready checkpoint and the operator's
  storage settings, so the pods are rendered without it, with a warning (P16, D67).

These fields are read as written (the API model keeps their values as given), so their shape is
checked here, each problem on its field.
"""

from __future__ import annotations

from typing import Any

from krm_dynamo.api import shapes
from krm_dynamo.graph import restart
from krm_dynamo.graph.derive import DerivedGraph
from krm_dynamo.graph.report import Report
from krm_dynamo.graph.rules.context import ServiceCheck, mapping, show, webhook_rejects


def _string(value: Any, path: str, report: Report, *, choices: tuple[str, ...] = ()) -> bool:
    name = path.rsplit(".", 1)[-1]
    if not isinstance(value, str):
        report.error(path, f"expected `{name}` to be a string, got {show(value)}")
        return False
    if choices and value not in choices:
        listed = " or ".join(f'"{c}"' for c in choices)
        report.error(path, f'expected `{name}` to be {listed}, got "{value}"')
        return False
    return True


_STRATEGY = shapes.RESTART["properties"]["strategy"]
_STRATEGY_TYPES = shapes.enum(_STRATEGY, "type")


def check_restart(g: DerivedGraph, report: Report) -> None:
    """S11: ``spec.restart`` has a non-empty ``id``; ``strategy.order`` (sequential only) names every service once."""
    value = g.graph.restart
    if value is None or not g.table.switch("S11"):
        return
    spec = mapping(value, "spec.restart", shapes.known(shapes.RESTART), report)
    if spec is None:
        return
    rid = spec.get("id")
    if rid is None or rid == "":
        report.error("spec.restart.id", "expected `id`, a non-empty string whose every change starts a restart, "
                                        "found none")
    else:
        _string(rid, "spec.restart.id", report)
    strategy = spec.get("strategy")
    if strategy is None:
        _warn_sequential(g, report)
        return
    strategy = mapping(strategy, "spec.restart.strategy", shapes.known(_STRATEGY), report)
    if strategy is None:
        return
    kind = strategy.get("type")
    if kind is not None and not _string(kind, "spec.restart.strategy.type", report, choices=_STRATEGY_TYPES):
        return
    _check_order(g, strategy.get("order"), kind == restart.PARALLEL, report)
    if kind != restart.PARALLEL:
        _warn_sequential(g, report)


def _check_order(g: DerivedGraph, order: Any, parallel: bool, report: Report) -> None:
    path = "spec.restart.strategy.order"
    if order is None or order == []:
        return
    if not isinstance(order, list) or not all(isinstance(name, str) for name in order):
        report.error(path, f"expected `order` to be a list of service names, got {show(order)}")
        return
    rejects = webhook_rejects(g.table.release)
    if parallel:
        report.error(path, f"expected no `order` with `type: Parallel` ({rejects}): every service restarts at once")
        return
    services = list(g.graph.services or {})
    unique = list(dict.fromkeys(order))
    for name in unique:
        if name not in services:
            report.error(path, f'expected `order` to name services of `spec.services`, got "{name}" ({rejects})')
    if len(unique) != len(order):
        twice = sorted({name for name in order if order.count(name) > 1})
        report.error(path, f"expected every service once in `order`, got {', '.join(twice)} more than once "
                           f"({rejects})")
    elif len(unique) != len(services):
        missing = ", ".join(name for name in services if name not in unique)
        report.error(path, f"expected `order` to name every service of the graph, missing {missing} ({rejects})")


def _warn_sequential(g: DerivedGraph, report: Report) -> None:
    """D65: the operator restarts one service after the other as each rollout finishes (cluster state)."""
    if restart.restart_id(g.graph.restart) is None:
        return
    report.warning("spec.restart",
                   "a sequential restart (the default) is rendered finished: every pod template carries "
                   f'`nvidia.com/restartAt: "{restart.restart_id(g.graph.restart)}"`, so applying it restarts all '
                   "services at once; the operator would restart them one after the other as each rollout "
                   "finishes. Apply the services in `order` yourself, or set `type: Parallel` to say so (D65)")


def check_scaling_adapter(s: ServiceCheck, report: Report) -> None:
    """S09: ``scalingAdapter.enabled`` is a boolean; enabled, the adapter object is not emitted (A02, D2)."""
    value = s.svc.scalingAdapter
    if value is None or not s.graph.table.switch("S09"):
        return
    path = f"{s.path}.scalingAdapter"
    adapter = mapping(value, path, shapes.known(shapes.SCALING_ADAPTER), report)
    if adapter is None:
        return
    enabled = adapter.get("enabled", False)
    if not isinstance(enabled, bool):
        report.error(f"{path}.enabled", f"expected `enabled` to be a boolean, got {show(enabled)}")
    elif enabled:
        report.warning(f"{path}.enabled",
                       "the operator creates a DynamoGraphDeploymentScalingAdapter that owns this service's "
                       "replicas; krm-dynamo emits no operator-internal objects (D2), so the workload's replicas "
                       "come from `replicas`: scale by changing `replicas`, or point your own HorizontalPodAutoscaler "
                       f'or KEDA ScaledObject at the workload "{s.name}"')


_CHECKPOINT_FIELDS = shapes.known(shapes.CHECKPOINT)
_CHECKPOINT_MODES = shapes.enum(shapes.CHECKPOINT, "mode")


def check_checkpoint(s: ServiceCheck, report: Report) -> None:
    """S12: the CRD's checkpoint rules; enabled, the restore the operator injects needs cluster state (D67)."""
    value = s.svc.checkpoint
    if value is None or not s.graph.table.switch("S12"):
        return
    path = f"{s.path}.checkpoint"
    spec = mapping(value, path, _CHECKPOINT_FIELDS, report)
    if spec is None:
        return
    enabled = spec.get("enabled", False)
    if not isinstance(enabled, bool):
        report.error(f"{path}.enabled", f"expected `enabled` to be a boolean, got {show(enabled)}")
        return
    if "mode" in spec and not _string(spec["mode"], f"{path}.mode", report, choices=_CHECKPOINT_MODES):
        return
    if not enabled:
        return
    ref = spec.get("checkpointRef")
    identity = spec.get("identity")
    named = isinstance(identity, dict) and "model" in identity and "backendFramework" in identity
    if not (isinstance(ref, str) and ref) and not named:
        report.error(path, "expected `checkpointRef`, or `identity` with `model` and `backendFramework`, when "
                           "checkpointing is enabled (the CRD rejects it otherwise)")
        return
    report.warning(path, "checkpoint restore is not rendered: the operator injects it only once a checkpoint is "
                         "ready and from its own checkpoint storage settings (cluster state), and its checkpoint "
                         "Job and DynamoCheckpoint are operator-internal (D67); the pods start without restore")
