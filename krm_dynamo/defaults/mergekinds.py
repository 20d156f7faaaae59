# SPDX-License-Identifier: Apache-2.0
"""How the operator's merge treats each field of a Kubernetes PodSpec and Container (D29).

The operator lays ``extraPodSpec`` over its pod spec and ``extraPodSpec.mainContainer``
over its main container with mergo v0.3.6 ``Merge(dst, src, WithOverride)``
(``graph.go`` ``GenerateBasePodSpec``). What a user value does there depends only on
the Go kind of the field in ``k8s.io/api`` ``core/v1`` (v0.33.3, the version in the
operator's ``go.mod``); mergo's ``deepMerge``:

* :data:`POINTER` (``*bool``, ``*int64``, ``*Probe``, ``*SecurityContext``, …): any
  non-nil value replaces the default, ``false``, ``0``, ``""`` and ``{}`` included;
* :data:`SCALAR` (``string``, ``bool``, integers and string enums): only a non-zero value
  replaces (mergo's ``isEmptyValue``);
* :data:`SLICE`: a non-empty list replaces the whole list (never appended);
* :data:`MAP` (``nodeSelector``, ``ResourceList``): merged key by key, every user key replacing;
* :data:`STRUCT` (``Container.resources``): merged field by field with the same rules.

A field missing from these tables is not a PodSpec / Container field of that version;
the merge treats it as a scalar (a zero value never replaces).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from krm_dynamo.defaults.sources import OP_GRAPH, Sourced, src
from krm_dynamo.record import dataclass, field

POINTER = "pointer"
SCALAR = "scalar"
SLICE = "slice"
MAP = "map"
STRUCT = "struct"

K8S_API_VERSION = "k8s.io/api v0.33.3"  # deploy/cloud/operator/go.mod at 60975b518
MERGO_VERSION = "github.com/imdario/mergo v0.3.6"  # deploy/cloud/operator/go.mod at 60975b518

_P, _S, _L, _M, _T = POINTER, SCALAR, SLICE, MAP, STRUCT

# core/v1 types.go `type PodSpec struct`, in field order (json name -> Go kind).
POD_SPEC: Mapping[str, str] = MappingProxyType({
    "volumes": _L, "initContainers": _L, "containers": _L, "ephemeralContainers": _L,
    "restartPolicy": _S, "terminationGracePeriodSeconds": _P, "activeDeadlineSeconds": _P,
    "dnsPolicy": _S, "nodeSelector": _M, "serviceAccountName": _S, "serviceAccount": _S,
    "automountServiceAccountToken": _P, "nodeName": _S, "hostNetwork": _S, "hostPID": _S,
    "hostIPC": _S, "shareProcessNamespace": _P, "securityContext": _P, "imagePullSecrets": _L,
    "hostname": _S, "subdomain": _S, "affinity": _P, "schedulerName": _S, "tolerations": _L,
    "hostAliases": _L, "priorityClassName": _S, "priority": _P, "dnsConfig": _P,
    "readinessGates": _L, "runtimeClassName": _P, "enableServiceLinks": _P,
    "preemptionPolicy": _P, "overhead": _M, "topologySpreadConstraints": _L,
    "setHostnameAsFQDN": _P, "os": _P, "hostUsers": _P, "schedulingGates": _L,
    "resourceClaims": _L, "resources": _P,
})

# core/v1 types.go `type Container struct`, in field order.
CONTAINER: Mapping[str, str] = MappingProxyType({
    "name": _S, "image": _S, "command": _L, "args": _L, "workingDir": _S, "ports": _L,
    "envFrom": _L, "env": _L, "resources": _T, "resizePolicy": _L, "restartPolicy": _P,
    "volumeMounts": _L, "volumeDevices": _L, "livenessProbe": _P, "readinessProbe": _P,
    "startupProbe": _P, "lifecycle": _P, "terminationMessagePath": _S,
    "terminationMessagePolicy": _S, "imagePullPolicy": _S, "securityContext": _P,
    "stdin": _S, "stdinOnce": _S, "tty": _S,
})

# core/v1 types.go `type ResourceRequirements struct` (the one struct-valued Container field).
RESOURCE_REQUIREMENTS: Mapping[str, str] = MappingProxyType({"limits": _M, "requests": _M, "claims": _L})


@dataclass(frozen=True)
class MergeKinds(Sourced):
    """The Go kind of every field the operator's merge meets, per Kubernetes type.

    Attributes:
        pod_spec, container, resource_requirements: json field name -> :data:`POINTER`,
            :data:`SCALAR`, :data:`SLICE`, :data:`MAP` or :data:`STRUCT`.
    Items: ``PodSpec.<field>``, ``Container.<field>``, ``ResourceRequirements.<field>``.
    """

    pod_spec: Mapping[str, str]
    container: Mapping[str, str]
    resource_requirements: Mapping[str, str]
    sources: Mapping[str, str] = field(default_factory=dict)

    def items(self) -> list[tuple[str, object]]:
        out: list[tuple[str, object]] = []
        for type_name, kinds in (("PodSpec", self.pod_spec), ("Container", self.container),
                                 ("ResourceRequirements", self.resource_requirements)):
            out += [(f"{type_name}.{name}", kind) for name, kind in kinds.items()]
        return out

    def pod_spec_kind(self, name: str) -> str:
        """The kind of PodSpec field ``name`` (:data:`SCALAR` for a name the type does not have)."""
        return self.pod_spec.get(name, SCALAR)

    def container_kind(self, name: str) -> str:
        """The kind of Container field ``name`` (:data:`SCALAR` for a name the type does not have)."""
        return self.container.get(name, SCALAR)


def _source(type_name: str) -> str:
    return src(f"{K8S_API_VERSION} core/v1 types.go {type_name}", f"{MERGO_VERSION} merge.go deepMerge",
               f"{OP_GRAPH} GenerateBasePodSpec (mergo.Merge WithOverride)",
               "D29 (a pointer field replaces with any value)")


MERGE_KINDS = MergeKinds(
    pod_spec=POD_SPEC,
    container=CONTAINER,
    resource_requirements=RESOURCE_REQUIREMENTS,
    sources={
        **dict.fromkeys([f"PodSpec.{k}" for k in POD_SPEC], _source("PodSpec")),
        **dict.fromkeys([f"Container.{k}" for k in CONTAINER], _source("Container")),
        **dict.fromkeys([f"ResourceRequirements.{k}" for k in RESOURCE_REQUIREMENTS], _source("ResourceRequirements")),
    },
)
