# SPDX-License-Identifier: Apache-2.0
"""Every cross-field rule of a DGD, one home each, in the order they run.

A rule is a small function of the derived graph (:data:`GRAPH_RULES`) or of one derived
service (:data:`SERVICE_RULES`, a :class:`~krm_dynamo.graph.rules.context.ServiceCheck`)
that reports into a :class:`~krm_dynamo.graph.report.Report`. Rules only read derived
values (:mod:`krm_dynamo.graph.derive`); the builders run only when no rule reported an
error, and report no input errors themselves.

Both lists hold every rule, in order. A rule of a module in :data:`LATER_MODULES` (the changes
of operator 1.0 and 1.1) or :data:`FEATURE_MODULES` (a feature a DGD may not use) is named as a
string and resolved by :func:`rules_for`, which imports the module only for a release that has
its change, or a DGD that uses its feature: every ``kustomize build`` pays for imports, and a 0.6
DGD without multinode services needs none of them. The validation step runs the rules of
``rules_for(table, derived)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from krm_dynamo.graph.rules import container, graph, resources, service
from krm_dynamo.graph.rules.context import GraphRule, ServiceRule

if TYPE_CHECKING:
    from krm_dynamo.defaults import OperatorDefaults
    from krm_dynamo.graph.derive import DerivedGraph

# The rule modules of catalogued changes after 0.6, each with the change that brings its rules: their
# rules are listed below by name ("module.function") and imported only for a DGD whose release includes
# that change. Before it, every rule of the module has nothing to check (the fields it reads are of a
# later release and dropped by the parse, its switches are off, its table rows empty), so skipping them
# changes no result (tests/unit/test_rule_lists.py runs them anyway and compares).
LATER_MODULES: Mapping[str, str] = MappingProxyType({
    "deepmerge": "P04",
    "devices": "S02",
    "epp": "S13",
    "features11": "S14",
    "lifecycle": "S09",
    "models": "S05",
    "rollout": "P07",
    "topology": "S17",
    "webhook": "V01",
})



def _uses_multinode(g: DerivedGraph) -> bool:
    return any(c.multinode for c in g.services.values())


def _names_pods_itself(g: DerivedGraph) -> bool:
    """Grove mode or an LWS: the podnames rules each begin by asking for one of them."""
    return g.grove_mode or _uses_multinode(g)


def _sets_pod_fields(*names: str) -> Callable[[DerivedGraph], bool]:
    """Some service sets one of the PodSpec fields ``names`` in ``extraPodSpec`` (to a truthy value)."""
    return lambda g: any(c.pod_fields.get(name) for c in g.services.values() for name in names)


def _sets_workload_fields(g: DerivedGraph) -> bool:
    """A Deployment or LWS pod template with ``restartPolicy`` or ``activeDeadlineSeconds`` (the workload rule)."""
    return not g.grove_mode and any(
        name in c.pod_fields for c in g.services.values() for name in ("restartPolicy", "activeDeadlineSeconds"))


def _uses_storage(g: DerivedGraph) -> bool:
    """A service with its own volumes, mounts or shared memory: without any, the storage rules have nothing
    to compare the operator's volumes with (no volume, mount or size to report)."""
    return any(
        c.spec.volumeMounts or c.spec.sharedMemory is not None or "volumeMounts" in c.main_container
        or any(name in c.pod_fields for name in ("volumes", "containers", "initContainers"))
        for c in g.services.values())


def _sets_envs(g: DerivedGraph) -> bool:
    """An env list in ``spec.envs`` or a service's ``envs`` (whence any ``DYN_DEPLOYMENT_CONFIG``): what the
    env rules read."""
    return bool(g.graph.envs or g.graph_configs) or any(
        c.spec.envs or c.service_configs or c.workers is not None for c in g.services.values())


def _labels_or_exposes(g: DerivedGraph) -> bool:
    """A service with an enabled (effective) ingress, or its own ingress, labels or annotations: what the
    networking rules read (a frontend's default ingress is there, disabled, unless the functionConfig enables it)."""
    return any(
        (c.ingress is not None and c.ingress.enabled) or c.spec.ingress is not None or c.spec.labels
        or c.spec.annotations
        or c.spec.extraPodMetadata is not None
        for c in g.services.values())


# The rule modules of a feature a DGD may not use, each with the test that it does: their rules are
# listed below by name and imported only for a DGD that passes it. Without the feature, every rule
# of the module returns before it reports (each begins by asking for it: ``if not c.multinode``, or
# reports only on a value the feature brings), so skipping them changes no result
# (tests/unit/test_rule_lists.py runs them anyway and compares).
FEATURE_MODULES: Mapping[str, Callable[[DerivedGraph], bool]] = MappingProxyType({
    "envs": _sets_envs,
    "multinode": _uses_multinode,
    "networking": _labels_or_exposes,
    "podnames": _names_pods_itself,
    "overrides": _sets_pod_fields("serviceAccountName", "schedulerName"),  # a user value kept over the operator's
    "storage": _uses_storage,
    "workload": _sets_workload_fields,
})

GRAPH_RULES: tuple[GraphRule | str, ...] = (
    graph.check_graph_name,
    graph.check_services_present,
    graph.check_schema_limits,
    graph.check_dynamo_namespace,
    graph.check_pvcs,
    "webhook.check_pvc_storage_class",
    "webhook.check_annotation_values",
    "lifecycle.check_restart",
    "envs.check_graph_envs",
    graph.check_name_collisions,
    "podnames.check_grove_service_name",
    "epp.check_single_epp",
    "features11.check_graph_metadata",
    "features11.check_failover_discovery_mode",
    "topology.check_topology_constraints",
)

SERVICE_RULES: tuple[ServiceRule | str, ...] = (
    service.check_service_names,
    service.check_component_type,
    "podnames.check_grove_pod_names",
    "webhook.check_combined_name_length",
    "podnames.check_lws_names",
    "podnames.check_grove_replicas",
    container.check_main_container,
    container.check_image,
    service.check_backend,
    "storage.check_volume_mounts",
    "multinode.check_replica_fanout",
    "storage.check_shared_memory",
    "webhook.check_shared_memory_size",
    "storage.check_shared_memory_clashes",
    "storage.check_pod_volume_names",
    "storage.check_main_mount_paths",
    "storage.check_sidecar_mount_paths",
    "storage.check_empty_dirs",
    resources.check_resources,
    resources.check_deployment_config_resources,
    resources.check_container_resources,
    resources.check_resource_names,
    "devices.check_resource_claims",
    "devices.check_gpu_type",
    "epp.check_epp",
    "models.check_model_ref",
    service.check_autoscaling,
    service.check_autoscaling_metric,
    "networking.check_ingress",
    "networking.check_labels",
    container.check_probes,
    container.check_probe_ports,
    "deepmerge.check_deep_merge",
    "envs.check_service_envs",
    service.check_annotations,
    "rollout.check_rollout_annotations",
    "webhook.check_service_annotation_values",
    "lifecycle.check_scaling_adapter",
    "lifecycle.check_checkpoint",
    service.check_startup_probe_kept,
    "multinode.check_lws_requirements",
    "multinode.check_launch",
    "multinode.check_worker_probes",
    "overrides.check_service_account_kept",
    "overrides.check_scheduler_kept",
    "workload.check_workload_pod_template",
    "features11.check_frontend_sidecar",
    "features11.check_gpu_memory_service",
    "features11.check_failover",
)


_BY_RELEASE: dict[tuple[str, frozenset[str]], tuple[tuple[GraphRule, ...], tuple[ServiceRule, ...]]] = {}


def rules_for(table: OperatorDefaults, derived: DerivedGraph | None = None, *, every: bool = False
              ) -> tuple[tuple[GraphRule, ...], tuple[ServiceRule, ...]]:
    """``(graph rules, service rules)`` that run for ``derived``, a DGD of ``table``'s release, in list order.

    A rule named ``"module.function"`` is imported here, and only when the release includes its
    module's change in :data:`LATER_MODULES`, or ``derived`` uses its module's feature in
    :data:`FEATURE_MODULES` (every feature when ``derived`` is None; ``every``: all of them, for tests).
    """
    features = frozenset(m for m, uses in FEATURE_MODULES.items() if every or derived is None or uses(derived))
    key = ("*" if every else table.release, features)
    found = _BY_RELEASE.get(key)
    if found is None:
        modules = {m for m, change in LATER_MODULES.items()
                   if every or table.includes(change)} | features
        found = _BY_RELEASE[key] = (_resolve(GRAPH_RULES, modules), _resolve(SERVICE_RULES, modules))
    return found


def _resolve(rules: tuple[Any, ...], modules: set[str]) -> tuple[Any, ...]:
    out: list[Any] = []
    for rule in rules:
        if not isinstance(rule, str):
            out.append(rule)
            continue
        module, _, name = rule.partition(".")
        if module in modules:
            # __import__, not importlib: the importlib package is one more module on every run.
            out.append(getattr(__import__(f"{__name__}.{module}", fromlist=[name]), name))
    return tuple(out)
