# SPDX-License-Identifier: Apache-2.0
"""Multinode services in component mode: one LeaderWorkerSet and one Volcano PodGroup per replica.

Operator source: ``dynamocomponentdeployment_controller.go`` (``generateLeaderWorkerSet``,
``generateLeaderPodTemplateSpec``, ``generateWorkerPodTemplateSpec``,
``generateVolcanoPodGroup``, ``checkMainContainer``) and ``lws.go``;
multinode-and-backends §5. Deviations: service labels and annotations reach the
objects and templates (D4, D5); each template carries its own ``role`` and
``instance-id`` (D7) and keeps ``nvidia.com/selector`` (R2); a user ``schedulerName``
wins (D21); ``gangScheduling: none`` drops the PodGroups and the Volcano scheduler (D27).

The leader and worker pod templates are built by :mod:`podtemplate` for their role,
so the backend rewrites (:mod:`backends`) happen there. Helpers shared with Grove
(:func:`role_templates`, :func:`launch_warnings`) live here too. The operator's checks on the
LWS templates are rules (``graph.rules.multinode.check_lws_requirements``), run before building.
"""

from __future__ import annotations

import copy

from krm_dynamo import defaults
from krm_dynamo.graph.component import Component
from krm_dynamo.graph.report import Report
from krm_dynamo.kube import fieldorder
from krm_dynamo.render import backends
from krm_dynamo.render.podtemplate import PodContext, PodTemplate, build_pod_template
from krm_dynamo.render.workloads import object_metadata

ROLES = (defaults.ROLE_LEADER, defaults.ROLE_WORKER)


def role_templates(component: Component, ctx: PodContext, *, deployer: backends.Deployer,
                   service_name: str, debug_sidecar: bool = True) -> dict[str, PodTemplate]:
    """The leader and worker pod templates of a multinode service."""
    return {
        role: build_pod_template(component, ctx, role=role, node_count=component.node_count,
                                 deployer=deployer, service_name=service_name, debug_sidecar=debug_sidecar)
        for role in ROLES
    }


def launch_warnings(component: Component, templates: dict[str, PodTemplate], report: Report) -> None:
    """Warn where the operator's rewrite yields a launch that will not work (§8, §9, §14, D1 list)."""
    backend = component.backend.name if component.backend else defaults.NOOP_BACKEND
    leader = templates[defaults.ROLE_LEADER].main_container
    mc_path = f"{component.path}.extraPodSpec.mainContainer"
    command = [str(c) for c in leader.get("command") or []]
    if backend == "vllm":
        shell = command and command[0].rsplit("/", 1)[-1] in defaults.SHELLS
        if not shell:
            report.warning(
                f"{mc_path}.command",
                f"the multinode vLLM rewrite puts `ray start … && <args>` into `args` and leaves `command` "
                f"{command!r} alone, so the launch only works under a shell: use the default command "
                "(`/bin/sh -c`) with the whole launch line in `args`",
            )
    elif backend == "sglang":
        launch = " ".join(command + [str(a) for a in leader.get("args") or []])
        if "--dist-init-addr" not in launch:
            report.warning(
                f"{mc_path}.args",
                "no `python … sglang` invocation found in `args` (nor a python `command`): the multinode flags "
                "`--dist-init-addr`, `--nnodes` and `--node-rank` were not added, so the nodes will not find "
                "each other",
            )
    elif backend == "trtllm" and backends.gpus_per_node(component.resources) == 0:
        report.warning(
            f"{component.path}.resources.limits.gpu",
            "no GPU count on a multinode TRT-LLM service: the leader runs `mpirun -n 0`; set `resources.limits.gpu`",
        )


def base_labels(component: Component, dgd_name: str) -> dict[str, str]:
    """The three labels the operator puts on every LeaderWorkerSet."""
    return {
        defaults.LABEL_COMPONENT: component.key,
        defaults.LABEL_DYNAMO_NAMESPACE: component.dynamo_namespace,
        defaults.LABEL_GRAPH_NAME: dgd_name,
    }


def _scheduler(pod_spec: dict, gang: bool) -> dict:
    """``schedulerName: volcano`` unless the user set one (D21) or gang scheduling is off (D27)."""
    if not gang or pod_spec.get("schedulerName"):  # the rules note a kept user scheduler
        return pod_spec
    return {**pod_spec, "schedulerName": defaults.VOLCANO_SCHEDULER}


def _template(pod: PodTemplate, role: str, lws_labels: dict[str, str], group: str | None, instance: str,
              spec: dict) -> dict:
    labels = dict(pod.labels)  # §12.1, nvidia.com/selector included (R2)
    labels.update(lws_labels)
    labels[defaults.LABEL_ROLE] = role  # D7: each template its own role
    labels[defaults.LABEL_INSTANCE_ID] = instance
    annotations = dict(pod.annotations)
    if group is not None:
        annotations[defaults.ANNOTATION_GROUP_NAME] = group
    metadata: dict = {"labels": labels}
    if annotations:
        metadata["annotations"] = annotations
    return {"metadata": metadata, "spec": copy.deepcopy(spec)}


def lws_objects(component: Component, dgd_name: str, namespace: str | None, ctx: PodContext,
                report: Report) -> list[dict]:
    """PodGroup (unless ``gangScheduling: none``) and LeaderWorkerSet per replica ``<name>-<i>``."""
    # The LeaderWorkerSet requirements are rules (graph.rules.multinode), checked before building.
    templates = role_templates(component, ctx, deployer=backends.LWS, service_name=component.name)
    launch_warnings(component, templates, report)

    gang = ctx.cfg.gangScheduling == "volcano"
    specs = {role: _scheduler(templates[role].spec, gang) for role in ROLES}
    replicas = 1 if component.replicas is None else component.replicas
    objects: list[dict] = []
    for i in range(replicas):
        name = f"{component.name}-{i}"
        instance = str(i)
        group = name if gang else None
        if gang:
            objects.append(pod_group(component, name, namespace, instance))
        lws_labels = {**base_labels(component, dgd_name), **component.labels, defaults.LABEL_INSTANCE_ID: instance}
        obj = {
            "apiVersion": defaults.LWS_API_VERSION,
            "kind": "LeaderWorkerSet",
            "metadata": object_metadata(name, namespace, lws_labels, component.annotations),
            "spec": {
                "replicas": 1,
                "leaderWorkerTemplate": {
                    "leaderTemplate": _template(templates[defaults.ROLE_LEADER], defaults.ROLE_LEADER, lws_labels,
                                                group, instance, specs[defaults.ROLE_LEADER]),
                    "workerTemplate": _template(templates[defaults.ROLE_WORKER], defaults.ROLE_WORKER, lws_labels,
                                                group, instance, specs[defaults.ROLE_WORKER]),
                    "size": component.node_count,
                },
                "startupPolicy": defaults.LWS_STARTUP_POLICY,
            },
        }
        objects.append(fieldorder.ordered(obj, "LeaderWorkerSet"))
    return objects


def pod_group(component: Component, name: str, namespace: str | None, instance: str) -> dict:
    """The Volcano PodGroup gang-scheduling one LWS replica (``generateVolcanoPodGroup``)."""
    labels = {**component.labels, defaults.LABEL_INSTANCE_ID: instance}  # D4, then instance-id
    obj = {
        "apiVersion": defaults.VOLCANO_API_VERSION,
        "kind": "PodGroup",
        "metadata": object_metadata(name, namespace, labels, component.annotations),
        "spec": {"minMember": component.node_count},
    }
    return fieldorder.ordered(obj, "PodGroup")
