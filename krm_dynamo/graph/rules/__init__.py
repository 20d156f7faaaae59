# SPDX-License-Identifier: Apache-2.0
"""Every cross-field rule of a DGD, one home each, in the order they run.

A rule is a small function of the derived graph (:data:`GRAPH_RULES`) or of one derived
service (:data:`SERVICE_RULES`, a :class:`~krm_dynamo.graph.rules.context.ServiceCheck`)
that reports into a :class:`~krm_dynamo.graph.report.Report`. Rules only read derived
values (:mod:`krm_dynamo.graph.derive`); the builders run only when no rule reported an
error, and report no input errors themselves.
"""

from __future__ import annotations

from krm_dynamo.graph.rules import (
    container,
    deepmerge,
    devices,
    envs,
    epp,
    features11,
    graph,
    lifecycle,
    models,
    multinode,
    networking,
    overrides,
    podnames,
    resources,
    rollout,
    service,
    storage,
    topology,
    webhook,
    workload,
)
from krm_dynamo.graph.rules.context import GraphRule, ServiceRule

GRAPH_RULES: tuple[GraphRule, ...] = (
    graph.check_graph_name,
    graph.check_services_present,
    graph.check_schema_limits,
    graph.check_dynamo_namespace,
    graph.check_pvcs,
    webhook.check_pvc_storage_class,
    webhook.check_annotation_values,
    lifecycle.check_restart,
    envs.check_graph_envs,
    graph.check_name_collisions,
    podnames.check_grove_service_name,
    epp.check_single_epp,
    features11.check_graph_metadata,
    features11.check_failover_discovery_mode,
    topology.check_topology_constraints,
)

SERVICE_RULES: tuple[ServiceRule, ...] = (
    service.check_service_names,
    service.check_component_type,
    podnames.check_grove_pod_names,
    webhook.check_combined_name_length,
    podnames.check_lws_names,
    podnames.check_grove_replicas,
    container.check_main_container,
    container.check_image,
    service.check_backend,
    storage.check_volume_mounts,
    multinode.check_replica_fanout,
    storage.check_shared_memory,
    webhook.check_shared_memory_size,
    storage.check_shared_memory_clashes,
    storage.check_pod_volume_names,
    storage.check_main_mount_paths,
    storage.check_sidecar_mount_paths,
    storage.check_empty_dirs,
    resources.check_resources,
    resources.check_deployment_config_resources,
    resources.check_container_resources,
    resources.check_resource_names,
    devices.check_resource_claims,
    devices.check_gpu_type,
    epp.check_epp,
    models.check_model_ref,
    service.check_autoscaling,
    service.check_autoscaling_metric,
    networking.check_ingress,
    networking.check_labels,
    container.check_probes,
    container.check_probe_ports,
    deepmerge.check_deep_merge,
    envs.check_service_envs,
    service.check_annotations,
    rollout.check_rollout_annotations,
    webhook.check_service_annotation_values,
    lifecycle.check_scaling_adapter,
    lifecycle.check_checkpoint,
    service.check_startup_probe_kept,
    multinode.check_lws_requirements,
    multinode.check_launch,
    multinode.check_worker_probes,
    overrides.check_service_account_kept,
    overrides.check_scheduler_kept,
    workload.check_workload_pod_template,
    features11.check_frontend_sidecar,
    features11.check_gpu_memory_service,
    features11.check_failover,
)
