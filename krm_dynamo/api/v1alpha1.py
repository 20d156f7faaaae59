# SPDX-License-Identifier: Apache-2.0
"""The ``DynamoGraphDeployment`` spec of ``nvidia.com/v1alpha1`` as pydantic models.

Class and field names are the operator API's own (``DynamoGraphDeploymentSpec``,
``DynamoComponentDeploymentSharedSpec``, ``IngressSpec``, ...), so results and the JSON
Schema name types as the API reference does. Each field's ``description`` restates the
API reference; ``krm-dynamo schema`` turns them into editor hover text.

Dynamo-defined types (:class:`DynamoType`) keep unknown fields aside (``model_extra``)
so they are reported as warnings instead of failing the parse; embedded Kubernetes types
(PodSpec fields, Container, Probe, EnvVar, HPA metrics and behaviour) stay plain dicts and
pass through as written.
"""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr

from krm_dynamo import defaults
from krm_dynamo.api import shapes
from krm_dynamo.api.scalars import (
    BackendFramework,
    Int32,
    NodeCount,
    QuantityValue,
    Replicas,
    ResourceQuantity,
    StringMap,
)


def _field(description: str, **extra: Any) -> Any:
    """An optional field (unset is ``None``) with its API description."""
    return Field(default=None, description=description, json_schema_extra=extra or None)


def _since(release: str, change: str, json_type: str, description: str, shape: dict[str, Any] | None = None) -> Any:
    """A field that exists from operator ``release`` on (catalogued change ``change``), unset is ``None``.

    One definition for every release: the field is annotated with the release it appears in
    (``x-krm-dynamo-since``), and :mod:`krm_dynamo.api.releases` reports it under an earlier
    release and, until its logic is implemented, under its own. Its value is read as written
    (``Any``) until the change's logic is implemented; the schema gives its JSON type, and for an
    object its ``shape`` (:mod:`krm_dynamo.api.shapes`, which its rules check).
    """
    extra: dict[str, Any] = {"x-krm-dynamo-since": release, "x-krm-dynamo-change": change, "type": json_type,
                             **copy.deepcopy(shape or {})}
    return Field(default=None, description=f"{description} (from operator {release})", json_schema_extra=extra)


class DynamoType(BaseModel):
    """A Dynamo-defined type: unknown fields are kept aside and reported as warnings."""

    model_config = ConfigDict(extra="allow", frozen=False)

    @classmethod
    def api_name(cls) -> str:
        """How results name this type (unknown-field warnings): the API type name."""
        return cls.__name__


class ResourceItem(DynamoType):
    """Amounts of compute resources, each a Kubernetes quantity written as a string."""

    cpu: ResourceQuantity | None = _field("CPU, for example `500m` or `4`.")
    memory: ResourceQuantity | None = _field("Memory, for example `20Gi`.")
    gpu: ResourceQuantity | None = _field(
        "Number of GPUs. A multinode component gets this many on each node, so nodeCount times as many in all.")
    custom: dict[StrictStr, ResourceQuantity] | None = _field(
        "Further resources by their Kubernetes name, for example `rdma/ib`.")
    gpuType: Any = _since("1.0", "S08", "string",
                          "Resource name the GPU count is given under instead of nvidia.com/gpu")


class Resources(DynamoType):
    """Resource requests and limits of a component."""

    requests: ResourceItem | None = _field("Resources the component requests.")
    limits: ResourceItem | None = _field("Resource limits of the component.")
    claims: Any = _since("1.0", "S02", "array",
                         "Dynamic resource claims of the main container (Kubernetes ResourceClaim list)")


# The default HPA target, read from the defaults table so the description cannot drift.
_HPA_CPU_TARGET = defaults.for_release().autoscaler.metrics[0]["resource"]["target"]["averageUtilization"]

class Autoscaling(DynamoType):
    """Horizontal autoscaling of a component with a HorizontalPodAutoscaler (autoscaling/v2)."""

    enabled: StrictBool | None = _field("Scale the component with an autoscaler instead of a fixed `replicas`.")
    minReplicas: Int32 | None = _field("Lowest replica count the autoscaler may set.")
    maxReplicas: Int32 | None = _field("Highest replica count the autoscaler may set.")
    behavior: dict[str, Any] | None = _field(
        "Scale-up and scale-down behaviour of the autoscaler (Kubernetes HorizontalPodAutoscalerBehavior).")
    metrics: list[dict[str, Any]] | None = _field(
        "Metrics the autoscaler follows (Kubernetes MetricSpec list); when none are given, CPU utilization "
        f"at {_HPA_CPU_TARGET} %.")


class IngressTLSSpec(DynamoType):
    """TLS of a component's Ingress or VirtualService."""

    secretName: StrictStr | None = _field("Name of the Secret that holds the TLS certificate and key.")


class IngressSpec(DynamoType):
    """How a component is reached from outside the cluster: an Ingress or an Istio VirtualService."""

    enabled: StrictBool | None = _field("Expose the component through an Ingress or a VirtualService.")
    host: StrictStr | None = _field("Base host name that routes external traffic to the component.")
    useVirtualService: StrictBool | None = _field("Generate a service-mesh VirtualService instead of an Ingress.")
    virtualServiceGateway: StrictStr | None = _field("Gateway the VirtualService attaches to (optional).")
    hostPrefix: StrictStr | None = _field("Optional text put before the host.")
    annotations: StringMap | None = _field("Annotations of the generated Ingress or VirtualService.")
    labels: StringMap | None = _field("Labels of the generated Ingress or VirtualService.")
    tls: IngressTLSSpec | None = _field("TLS settings of the generated Ingress or VirtualService.")
    hostSuffix: StrictStr | None = _field("Optional text put after the host.")
    ingressControllerClassName: StrictStr | None = _field(
        "Ingress class of the generated Ingress, for example `nginx`.")


class SharedMemorySpec(DynamoType):
    """The memory-backed volume mounted at /dev/shm in every pod of a component."""

    disabled: StrictBool | None = _field("Leave the /dev/shm volume out.")
    size: QuantityValue | None = _field(
        "Size limit of the /dev/shm volume, a Kubernetes quantity"
        f" (default {defaults.for_release().shared_memory.size_limit}).")


class VolumeMount(DynamoType):
    """A mount of one of the graph's PVCs (``spec.pvcs``) into a component."""

    # `name` is required (CRD); checked with the other rules so that one result says so.
    model_config = ConfigDict(json_schema_extra={"required": ["name"]})

    name: StrictStr | None = _field("Name of the PVC in `spec.pvcs` to mount (required).")
    mountPoint: StrictStr | None = _field(
        "Absolute path the volume is mounted at; required unless the volume is a compilation cache and the "
        "backend has a default path for it.")
    useAsCompilationCache: StrictBool | None = _field(
        "Use the volume as the backend's compilation cache: the backend's cache environment variables are "
        "set, and without a `mountPoint` the backend's default path is used.", default=False)


class MultinodeSpec(DynamoType):
    """A component whose every replica spans several nodes."""

    nodeCount: NodeCount | None = _field(
        "Number of nodes of each replica, at least 2. Each replica has nodeCount times the GPU limit.", default=2)

    @property
    def node_count(self) -> int:
        """CRD default 2 (``multinode: {}`` means two nodes)."""
        return 2 if self.nodeCount is None else self.nodeCount


class ExtraPodMetadata(DynamoType):
    """Metadata added to a component's pods."""

    annotations: StringMap | None = _field("Annotations added to the component's pods.")
    labels: StringMap | None = _field("Labels added to the component's pods.")


class ExtraPodSpec(BaseModel):
    """A Kubernetes PodSpec laid over the component's pod, plus ``mainContainer``; PodSpec fields pass through."""

    model_config = ConfigDict(extra="allow")

    mainContainer: dict[str, Any] | None = _field(
        "A Kubernetes Container laid over the main container: image, command, args, env and so on.")

    def pod_fields(self) -> dict[str, Any]:
        """The PodSpec fields the user wrote (everything but ``mainContainer``)."""
        return dict(self.model_extra or {})


class DynamoComponentDeploymentSharedSpec(DynamoType):
    """One service of the graph (an entry of ``spec.services``)."""

    annotations: StringMap | None = _field(
        "Annotations of the Kubernetes objects generated for the component (pods, and its Service and Ingress "
        "where it has them).")
    labels: StringMap | None = _field("Labels of the Kubernetes objects generated for the component.")
    serviceName: StrictStr | None = _field("Name of the component.")
    componentType: StrictStr | None = _field(
        "Role of the component, such as `frontend`, `worker` or `planner`; it selects the operator's defaults.")
    subComponentType: StrictStr | None = _field("Finer role of the component, for example `prefill` or `decode`.")
    dynamoNamespace: StrictStr | None = _field(
        "Dynamo namespace of the component, replacing the one derived from the graph's name; every service "
        "of a graph must name the same one.")
    resources: Resources | None = _field("CPU, memory, GPU and custom resource requests and limits.")
    autoscaling: Autoscaling | None = _field("Autoscaling of the component: replica range, metrics, behaviour.")
    envs: list[dict[str, Any]] | None = _field(
        "Environment variables added to the component's containers (Kubernetes EnvVar list).")
    envFromSecret: StrictStr | None = _field(
        "Name of a Secret whose keys and values become environment variables of the component's containers.")
    volumeMounts: list[VolumeMount] | None = _field("PVCs of `spec.pvcs` that the component mounts.")
    ingress: IngressSpec | None = _field(
        "Exposure of the component outside the cluster, by Ingress or service-mesh VirtualService.")
    sharedMemory: SharedMemorySpec | None = _field("The /dev/shm memory volume: turn it off or set its size.")
    extraPodMetadata: ExtraPodMetadata | None = _field("Labels and annotations added to the component's pods.")
    extraPodSpec: ExtraPodSpec | None = _field(
        "Overrides of the pod: any Kubernetes PodSpec field, plus `mainContainer`, a Kubernetes Container laid "
        "over the main container.")
    livenessProbe: dict[str, Any] | None = _field(
        "Liveness probe of the main container: it is restarted when the probe fails.")
    readinessProbe: dict[str, Any] | None = _field(
        "Readiness probe of the main container: it gets traffic only while the probe passes.")
    startupProbe: dict[str, Any] | None = _field(  # beyond the CRD, accepted on purpose (D22)
        "Startup probe of the main container (krm-dynamo extension: not in the operator's CRD, which prunes it "
        "from a live DGD; prefer extraPodSpec.mainContainer.startupProbe).",
        **{"x-krm-dynamo-beyond-crd": True},
    )
    replicas: Replicas | None = _field(
        "Number of replicas of the component when autoscaling is not used (a multinode replica spans "
        "nodeCount nodes).")
    multinode: MultinodeSpec | None = _field("Spread every replica of the component over several nodes.")
    globalDynamoNamespace: Any = _since("1.0", "S03", "boolean", "Put the component in the shared Dynamo namespace")
    modelRef: Any = _since("1.0", "S05", "object", "The model the component serves",
                    shapes.MODEL_REF)
    scalingAdapter: Any = _since("1.0", "S09", "object", "The operator's scaling adapter for the component",
                          shapes.SCALING_ADAPTER)
    checkpoint: Any = _since("1.0", "S12", "object", "Snapshot and restore of the component's engine",
                      shapes.CHECKPOINT)
    eppConfig: Any = _since("1.0", "S13", "object", "Configuration of an endpoint picker (componentType epp): "
                     "exactly one of `configMapRef` and `config`", shapes.EPP_CONFIG)
    frontendSidecar: Any = _since("1.1", "S14", "object", "A frontend container beside the worker",
                           shapes.FRONTEND_SIDECAR)
    gpuMemoryService: Any = _since("1.1", "S15", "object", "The GPU memory service of the component",
                            shapes.GPU_MEMORY_SERVICE)
    failover: Any = _since("1.1", "S16", "object", "Engine failover with shadow engines (vLLM)",
                    shapes.FAILOVER)
    topologyConstraint: Any = _since("1.1", "S17", "object", "Topology placement of the component's pods",
                              shapes.TOPOLOGY_CONSTRAINT)

    @classmethod
    def api_name(cls) -> str:
        """Services are what users write; the API type name follows in brackets."""
        return f"a service spec ({cls.__name__})"


class PVC(DynamoType):
    """A persistent volume claim of the graph, mounted by name in ``volumeMounts``."""

    # `name` is required (CRD); checked with the other rules so that one result says so.
    model_config = ConfigDict(json_schema_extra={"required": ["name"]})

    create: StrictBool | None = _field(
        "Create the claim; then `size`, `storageClass` and `volumeAccessMode` are required.")
    name: StrictStr | None = _field("Name of the claim, unique in `spec.pvcs` (required).")
    storageClass: StrictStr | None = _field("Storage class of a claim to create.")
    size: QuantityValue | None = _field("Size of a claim to create, a Kubernetes quantity such as `100Gi`.")
    volumeAccessMode: StrictStr | None = _field(
        "Access mode of a claim to create, for example `ReadWriteMany`.")


class DynamoGraphDeploymentSpec(DynamoType):
    """The desired state of a DynamoGraphDeployment: its services and what they share."""

    pvcs: list[PVC] | None = _field(
        "Persistent volume claims the services can mount by name; each name is unique.")
    services: dict[StrictStr, DynamoComponentDeploymentSharedSpec | None] | None = _field(
        "The services of the graph, by name.")
    envs: list[dict[str, Any]] | None = _field(
        "Environment variables of every service (Kubernetes EnvVar list); a service's own `envs` win.")
    backendFramework: BackendFramework | None = _field(
        "Backend framework of the graph's workers: "
        + ", ".join(f"`{b}`" for b in defaults.for_release().backend_frameworks) + ".")
    restart: Any = _since("1.0", "S11", "object", "An ordered restart of the graph's services",
                   shapes.RESTART)
    topologyConstraint: Any = _since("1.1", "S17", "object", "Topology placement of the graph's pods",
                              shapes.GRAPH_TOPOLOGY_CONSTRAINT)
    labels: Any = _since("1.1", "S18", "object", "Labels added to every object generated for the graph")
    annotations: Any = _since("1.1", "S18", "object", "Annotations added to every object generated for the graph")
