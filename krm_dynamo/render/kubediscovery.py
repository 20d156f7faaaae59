# SPDX-License-Identifier: Apache-2.0
"""Kubernetes service discovery of the 1.x operators: which backend a pod uses, and what it adds.

The backend (C02) is functionConfig ``discoveryBackend`` (the operator's settings file),
overridden by the ``nvidia.com/dynamo-discovery-backend`` annotation: for a service's
pods the annotations the operator hands to the service (its own, with the DGD's
propagated keys, :func:`effective_annotations`); for the per-graph objects and under
Grove the DGD's annotation alone (:func:`graph_backend`). Any backend but ``etcd`` gets
``DYN_DISCOVERY_BACKEND=kubernetes``; only exactly ``kubernetes`` turns Kubernetes
discovery on: the ServiceAccount, Role and RoleBinding of the graph (N04, :func:`rbac_objects`),
the pods' service account (P02), the discovery labels (L04) and a Service per component (N01).
Under 0.6 (no rows in ``kube_discovery``) nothing here applies. Rows: :mod:`krm_dynamo.defaults.kubediscovery`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from krm_dynamo.defaults.labels import LABEL_COMPONENT_TYPE, LABEL_DYNAMO_NAMESPACE, LABEL_GRAPH_NAME
from krm_dynamo.defaults.multinode import LABEL_WORKER_HASH
from krm_dynamo.defaults.sources import plain
from krm_dynamo.kube import fieldorder
from krm_dynamo.render.metadata import object_metadata

if TYPE_CHECKING:
    from krm_dynamo.graph.component import Component
    from krm_dynamo.render.podtemplate import PodContext

RBAC_API_VERSION = "rbac.authorization.k8s.io/v1"


def _kd() -> Any:
    """:mod:`krm_dynamo.defaults.kubediscovery`, imported once a release with discovery (1.0 on) needs it:
    a 0.6 run pays for no 1.x import."""
    from krm_dynamo.defaults import kubediscovery

    return kubediscovery


def applies(ctx: PodContext) -> bool:
    """The release has a discovery backend at all (1.0 on): :attr:`PodContext.kube_discovery`."""
    return ctx.kube_discovery


def _row(ctx: PodContext, item: str) -> Any:
    return ctx.defaults.kube_discovery.values.get(item)


def effective_annotations(component: Component, ctx: PodContext, *, grove: bool = False) -> dict[str, str]:
    """The service's annotations as the operator hands them to its pods and objects (a copy): with
    the DGD's propagated keys (derived once, :func:`krm_dynamo.graph.component.service_metadata`).

    Under Grove (from 1.0, ``GenerateGrovePodCliqueSet``): 1.0 takes only the DGD's keys of the
    row ``groveDgdAnnotations`` over the service's own, 1.1 the propagation every service gets;
    then the discovery-backend annotation is the graph's (:func:`graph_backend`) whatever the
    service says, unless that backend is empty (the operator sets it only when non-empty).
    """
    if not grove or not applies(ctx):
        return dict(component.annotations)
    keys: tuple[str, ...] | None = _row(ctx, "groveDgdAnnotations")
    if keys is None:
        annotations = dict(component.annotations)
    else:
        annotations = dict(component.pod_annotations)
        annotations.update((k, ctx.dgd_annotations[k]) for k in keys if k in ctx.dgd_annotations)
    graph = graph_backend(ctx)
    if graph:
        annotations[_row(ctx, "backendAnnotation")] = graph
    return annotations


def graph_backend(ctx: PodContext) -> str:
    """The backend of the DGD: its annotation, else functionConfig ``discoveryBackend``."""
    return ctx.dgd_annotations.get(_row(ctx, "backendAnnotation"), ctx.cfg.discoveryBackend)


def backend(component: Component, ctx: PodContext, *, grove: bool = False) -> str:
    """The backend of a service's pods ("" under 0.6)."""
    if not applies(ctx):
        return ""
    annotations = effective_annotations(component, ctx, grove=grove)
    return annotations.get(_row(ctx, "backendAnnotation"), ctx.cfg.discoveryBackend)


def enabled(component: Component, ctx: PodContext, *, grove: bool = False) -> bool:
    """Kubernetes discovery for the service's pods (the backend is exactly ``kubernetes``)."""
    found = backend(component, ctx, grove=grove)
    return bool(found) and found == _kd().BACKEND_KUBERNETES


def graph_enabled(ctx: PodContext) -> bool:
    """Kubernetes discovery for the DGD's own objects (RBAC; Services under Grove)."""
    return applies(ctx) and graph_backend(ctx) == _kd().BACKEND_KUBERNETES


def service_account_name(ctx: PodContext) -> str:
    """``<dgd>-k8s-service-discovery``."""
    return str(_row(ctx, "serviceAccountName")).format(dgd_name=ctx.dgd_name)


def default_env(env: list[dict[str, Any]], component: Component, ctx: PodContext, *,
                grove: bool = False, container_name: str = "main") -> list[dict[str, Any]]:
    """The component type's default env with the discovery rules applied (C02, N_E08).

    An ``etcd`` backend drops ``DYN_DISCOVERY_BACKEND``; the container discovery mode
    (annotation ``nvidia.com/dynamo-kube-discovery-mode: container``, 1.1) adds
    ``CONTAINER_NAME`` and ``DYN_KUBE_DISCOVERY_MODE``.
    """
    if not applies(ctx):
        return env
    if backend(component, ctx, grove=grove) == _kd().BACKEND_ETCD:
        env = [e for e in env if e.get("name") != _row(ctx, "etcdOmitsEnv")]
    mode_key = _row(ctx, "modeAnnotation")
    mode_env = _row(ctx, "containerModeEnv")
    if mode_key and mode_env:
        mode_source = ctx.dgd_annotations if grove else effective_annotations(component, ctx)
        if mode_source.get(mode_key) == _kd().MODE_CONTAINER:
            env = [*env, *({"name": n, "value": v.format(container_name=container_name)} for n, v in mode_env)]
    return env


def set_service_account(pod_spec: dict[str, Any], component: Component, ctx: PodContext, *,
                        grove: bool = False) -> None:
    """P02: a pod without a service account runs under the graph's discovery account."""
    if ctx.defaults.switch("P02") and not pod_spec.get("serviceAccountName") and enabled(component, ctx, grove=grove):
        pod_spec["serviceAccountName"] = service_account_name(ctx)


def pod_labels(component: Component, ctx: PodContext, *, grove: bool = False) -> dict[str, str]:
    """L04 (1.1): the discovery labels of a pod under Kubernetes discovery (none in 1.0).

    Grove cliques follow the DGD's backend (:func:`graph_backend`), other pods the service's.
    """
    labels = _row(ctx, "podLabels") if applies(ctx) else None
    on = graph_enabled(ctx) if grove else enabled(component, ctx)
    return dict(labels) if labels and on else {}


def rbac_objects(namespace: str | None, ctx: PodContext) -> list[dict[str, Any]]:
    """N04: the ServiceAccount, Role and RoleBinding of a graph under Kubernetes discovery (else none)."""
    if not ctx.defaults.switch("N04") or not graph_enabled(ctx):
        return []
    account = service_account_name(ctx)
    labels = {k: v.format(service_account=account) for k, v in _row(ctx, "rbacLabels").items()}
    role = str(_row(ctx, "roleName")).format(service_account=account)
    binding = str(_row(ctx, "roleBindingName")).format(service_account=account)
    subject: dict[str, Any] = {"kind": "ServiceAccount", "name": account}
    if namespace:
        subject["namespace"] = namespace
    objects = [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": object_metadata(account, namespace, labels, {})},
        {"apiVersion": RBAC_API_VERSION, "kind": "Role", "metadata": object_metadata(role, namespace, labels, {}),
         "rules": plain(_row(ctx, "roleRules"))},
        {"apiVersion": RBAC_API_VERSION, "kind": "RoleBinding",
         "metadata": object_metadata(binding, namespace, labels, {}), "subjects": [subject],
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": role}},
    ]
    return [fieldorder.ordered(o, str(o["kind"])) for o in objects]


def reapply_system_labels(labels: dict[str, str], component: Component, ctx: PodContext) -> dict[str, str]:
    """1.1 (L04, M01, M03): the system labels set again over ``extraPodMetadata.labels``, on every pod
    template (Deployment, LeaderWorkerSet) and every Grove clique alike: the keys of the row
    ``podLabelsAfterExtraPodMetadata`` (graph name, component type, Dynamo namespace, worker hash),
    each only when its value is non-empty (the worker hash is the service's hash label). ``labels``
    is updated in place and returned; none before 1.1."""
    keys = _row(ctx, "podLabelsAfterExtraPodMetadata") if applies(ctx) else None
    if not keys:
        return labels
    values = {LABEL_GRAPH_NAME: ctx.dgd_name, LABEL_COMPONENT_TYPE: component.component_type,
              LABEL_DYNAMO_NAMESPACE: component.dynamo_namespace,
              LABEL_WORKER_HASH: component.labels.get(LABEL_WORKER_HASH, "")}
    labels.update({key: values[key] for key in keys if values[key]})
    return labels
