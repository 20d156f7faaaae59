# SPDX-License-Identifier: Apache-2.0
"""The merge kinds of operators 1.0 and 1.1: Kubernetes 1.34's fields and mergo v0.3.16 (P04).

The 0.6 rows of :mod:`.mergekinds` with the fields Kubernetes 1.34 added, each item sourced
anew. Imported only by :mod:`.release_1x`: a 0.6 run neither builds nor imports them.
"""

from __future__ import annotations

from types import MappingProxyType

from krm_dynamo.defaults.mergekinds import CONTAINER, POD_SPEC, POINTER, RESOURCE_REQUIREMENTS, SLICE, MergeKinds
from krm_dynamo.defaults.sources import src
from krm_dynamo.record import replace

K8S_API_VERSION_1_X = "k8s.io/api v0.34.3"  # deploy/operator/go.mod at the 1.0 and 1.1 cuts


def with_kubernetes_1_34(kinds: MergeKinds) -> MergeKinds:
    """``kinds`` with the fields Kubernetes 1.34 added to the two types (operators 1.0 and 1.1).

    ``PodSpec.hostnameOverride`` (``*string``, after ``resources``) and
    ``Container.restartPolicyRules`` (a slice, after ``restartPolicy``), in Go field order.
    """
    pod_spec = {**kinds.pod_spec, "hostnameOverride": POINTER}
    container: dict[str, str] = {}
    for name, kind in kinds.container.items():
        container[name] = kind
        if name == "restartPolicy":
            container["restartPolicyRules"] = SLICE
    source = src(f"{K8S_API_VERSION_1_X} core/v1 types.go", "the merge of the release (see the other rows)")
    return replace(
        kinds,
        pod_spec=MappingProxyType(pod_spec),
        container=MappingProxyType(container),
        sources={**kinds.sources, "PodSpec.hostnameOverride": source, "Container.restartPolicyRules": source},
    )


# P04: from operator 1.0 the operator builds with mergo v0.3.16 (deploy/operator/go.mod:13 @ 01a4b6d6d),
# whose deepMerge follows a pointer set on both sides (krm_dynamo.render.deepmerge); the kinds are those
# of Kubernetes 1.34 (with_kubernetes_1_34).
MERGO_VERSION_1_0 = "github.com/imdario/mergo v0.3.16"


def _source_1_0(type_name: str) -> str:
    return src("P04", f"{K8S_API_VERSION_1_X} core/v1 types.go {type_name}", f"{MERGO_VERSION_1_0} merge.go deepMerge",
               "a pointer set on both sides is merged into (D29, D58)")


MERGE_KINDS_1_0 = with_kubernetes_1_34(MergeKinds(
    pod_spec=POD_SPEC,
    container=CONTAINER,
    resource_requirements=RESOURCE_REQUIREMENTS,
    sources={
        **dict.fromkeys([f"PodSpec.{k}" for k in POD_SPEC], _source_1_0("PodSpec")),
        **dict.fromkeys([f"Container.{k}" for k in CONTAINER], _source_1_0("Container")),
        **dict.fromkeys([f"ResourceRequirements.{k}" for k in RESOURCE_REQUIREMENTS],
                        _source_1_0("ResourceRequirements")),
    },
))
