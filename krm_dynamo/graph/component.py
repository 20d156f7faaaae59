# SPDX-License-Identifier: Apache-2.0
"""The component spec of one service: every value derived from it, computed once.

The operator turns every service into a DynamoComponentDeployment first (``graph.go``
``GenerateDynamoComponentsDeployments``). The function does not emit DCDs (D2) but
computes the same content (:mod:`krm_dynamo.graph.derive`), because every generated
object derives from it. The rules read a :class:`Component` to report problems; the
builders read it, once no rule reported an error, to build objects.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from krm_dynamo.graph.backend import Backend
from krm_dynamo.graph.embedded import EmbeddedProblem
from krm_dynamo.record import dataclass, field

if TYPE_CHECKING:
    from krm_dynamo import defaults
    from krm_dynamo.api import v1alpha1

# Field paths of the two places a ``DYN_DEPLOYMENT_CONFIG`` env can sit.
SERVICE_ENVS = "envs"
GRAPH_ENVS = "spec.envs"


@dataclass
class DeploymentConfig:
    """One ``DYN_DEPLOYMENT_CONFIG`` env entry, its JSON value parsed once.

    Attributes:
        index: position of the entry in its env list.
        where: :data:`SERVICE_ENVS` (the service's ``envs``) or :data:`GRAPH_ENVS`.
        value: the raw ``value`` of the entry ("" when unset).
        config: the parsed JSON object (empty for JSON ``null``, which Go reads as an empty
            map); None when the value is neither.
        document: the parsed JSON value itself (``null`` included), what a frontend writes back.
        too_deep: the value nests deeper than krm-dynamo reads (``config`` is None then).
    """

    index: int
    where: str
    value: Any
    config: dict[str, Any] | None
    document: Any = None
    too_deep: bool = False


@dataclass
class Component:
    """One service after DGD-level processing; rules and builders read from this.

    Attributes:
        key: the ``spec.services`` key in its original case (``<svc>``).
        name: ``<dgd>-<lowercase(svc)>``, the name of every per-service object.
        path: field path of the service, ``spec.services.<svc>``.
        spec: the parsed service spec (read-only).
        component_type: ``componentType`` ("" when unset).
        dynamo_namespace: the one Dynamo namespace of the DGD (D10).
        dgd_envs, service_envs: the two env layers of D18, kept apart (copies; a frontend's
            ``DYN_DEPLOYMENT_CONFIG`` rewritten with its port).
        replicas: ``replicas``, else a valid ``DYN_DEPLOYMENT_CONFIG`` ``ServiceArgs.workers``.
        resources: ``{"requests": {...}, "limits": {...}}`` with Dynamo keys (``cpu``,
            ``memory``, ``gpu``, ``custom``), the ``DYN_DEPLOYMENT_CONFIG`` overrides applied.
        ingress: the effective ingress spec (the user's, or the frontend default).
        ingress_host: the host the Ingress or VirtualService gets (None without an ingress).
        image: the main container's effective image (D15), None when there is none.
        backend: the resolved backend; None when resolution failed (``backend_error``).
        service_configs: the ``DYN_DEPLOYMENT_CONFIG`` entries of the service's ``envs``.
        deployment_config: the effective one (the service's first, else the graph's first).
        workers: its raw ``ServiceArgs.workers`` for this service (None when absent).
        config_resources: ``(kind, field, name, value)`` of each quantity it sets, where
            ``field`` is ``cpu``, ``memory``, ``gpu`` or ``custom.<name>``.
        node_count: nodes per replica (1 single node; ``multinode.nodeCount``, default 2).
        autoscaled: ``autoscaling.enabled`` and the release still generates an HPA (A01: not
            from operator 0.8 on, where the field is ignored).
        embedded_problems: schema problems of the embedded Kubernetes types; ``spec`` is
            without the unknown fields among them (D31).
    """

    key: str
    name: str
    path: str
    spec: v1alpha1.DynamoComponentDeploymentSharedSpec
    component_type: str
    dynamo_namespace: str
    dgd_envs: list[dict[str, Any]]
    service_envs: list[dict[str, Any]]
    replicas: int | None
    resources: dict[str, dict[str, Any]]
    ingress: v1alpha1.IngressSpec | None
    backend: Backend | None
    node_count: int
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    pod_annotations: dict[str, str] = field(default_factory=dict)
    ingress_host: str | None = None
    image: str | None = None
    backend_error: str | None = None
    service_configs: list[DeploymentConfig] = field(default_factory=list)
    deployment_config: DeploymentConfig | None = None
    workers: Any = None
    config_resources: list[tuple[str, str, str, str]] = field(default_factory=list)
    embedded_problems: list[EmbeddedProblem] = field(default_factory=list)
    autoscaled: bool = False

    @property
    def main_container(self) -> dict[str, Any]:
        """The user's ``extraPodSpec.mainContainer`` (empty when unset)."""
        extra = self.spec.extraPodSpec
        main = extra.mainContainer if extra is not None else None
        return main if isinstance(main, dict) else {}

    @property
    def kube_annotations(self) -> dict[str, str]:
        """A 1.x Deployment's and Service's annotations before the base-model one (a copy): the
        service's as handed to it (the DGD's propagated keys, 1.1 ``spec.annotations``), then
        ``extraPodMetadata.annotations`` (``getKubeAnnotations``, L01). The Deployment's rollout
        annotations (P07) are read from these, by the builder and by the rollout rule."""
        extra = self.spec.extraPodMetadata
        return {**self.annotations, **((extra.annotations if extra else None) or {})}

    @property
    def mc_path(self) -> str:
        """Field path of the main container."""
        return f"{self.path}.extraPodSpec.mainContainer"

    @property
    def pod_fields(self) -> dict[str, Any]:
        """The PodSpec fields of ``extraPodSpec`` (without ``mainContainer``)."""
        extra = self.spec.extraPodSpec
        return extra.pod_fields() if extra is not None else {}

    @property
    def multinode(self) -> bool:
        """More than one node per replica."""
        return self.node_count > 1

    @property
    def ingress_user_written(self) -> bool:
        """The ingress is the user's (not the frontend default)."""
        return self.spec.ingress is not None

    @property
    def workers_path(self) -> str:
        """Field path of the env list holding the effective ``DYN_DEPLOYMENT_CONFIG``."""
        where = self.deployment_config.where if self.deployment_config is not None else GRAPH_ENVS
        return f"{self.path}.envs" if where == SERVICE_ENVS else GRAPH_ENVS


def service_metadata(graph: v1alpha1.DynamoGraphDeploymentSpec, svc: v1alpha1.DynamoComponentDeploymentSharedSpec,
                     dgd_annotations: dict[str, str], table: defaults.OperatorDefaults
                     ) -> tuple[dict[str, str], dict[str, str]]:
    """``(labels, annotations)`` of a service as the operator hands them to its objects, each a copy.

    The one home of the propagation of graph metadata to services. From operator 1.0 the DGD's
    metadata annotations of the propagated keys (``propagatedAnnotations`` of the release's
    Kubernetes discovery table) reach every service: over the service's own value in 1.0, only
    where the service sets none from 1.1 (``dgdAnnotationWins``; ``graph.go``
    ``propagateDGDAnnotations``). S18 (1.1, ``propagateDGDSpecMetadata``): ``spec.annotations``
    and ``spec.labels`` then fill the keys the service does not set. Before 1.0 the service's
    values alone.
    """
    labels = dict(svc.labels or {})
    annotations = dict(svc.annotations or {})
    propagation = table.kube_discovery.values
    dgd_wins = propagation.get("dgdAnnotationWins")
    keys = propagation.get("propagatedAnnotations")
    for key in keys if isinstance(keys, tuple) else ():
        if key in dgd_annotations and (dgd_wins or key not in annotations):
            annotations[key] = dgd_annotations[key]
    if not table.switch("S18"):
        return labels, annotations
    for key, value in string_map(graph.annotations).items():
        annotations.setdefault(key, value)
    for key, value in string_map(graph.labels).items():
        labels.setdefault(key, value)
    return labels, annotations


def string_map(value: Any) -> dict[str, str]:
    """The string entries of a map as written (the rules report anything else)."""
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}
