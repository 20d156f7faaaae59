# SPDX-License-Identifier: Apache-2.0
"""What the operator's admission webhooks check and set, per release, as sourced data.

The 0.6 operator has no webhooks (:data:`ADMISSION_0_6` is empty). From 1.0 a validating
webhook checks a DGD on create and a defaulting webhook stamps it (catalogue V01..V06); the
rules that read these rows live in :mod:`krm_dynamo.graph.rules.webhook`. Items:

* ``annotationValues``: DGD ``metadata.annotations`` key -> the values the webhook accepts
  (V04): ``{"format": "semver"}`` or ``{"oneOf": [...], "ignoreCase": bool}``;
* ``serviceAnnotationValues``: the same for a service's ``annotations`` (1.1);
* ``combinedNameLength``: the bound on the Grove names of a service (V03), checked whenever
  the DGD does not opt out of Grove with ``nvidia.com/enable-grove: "false"``;
* ``originVersion``: the ``nvidia.com/dynamo-operator-origin-version`` value the defaulting
  webhook stamps on a DGD created without it (V06), the operator's Helm ``appVersion``;
* ``serviceReplicas`` (1.1): the ``replicas`` the defaulting webhook gives a service without
  one (P14), so the workload states it.
"""

from __future__ import annotations

from types import MappingProxyType

from krm_dynamo.defaults.profiles import RELEASE_1_0_COMMIT, RELEASE_1_1_COMMIT, at_cut
from krm_dynamo.defaults.sources import Entries, frozen, src

ANNOTATION_ORIGIN_VERSION = "nvidia.com/dynamo-operator-origin-version"
ANNOTATION_VLLM_EXECUTOR = "nvidia.com/vllm-distributed-executor-backend"
ANNOTATION_KUBE_DISCOVERY_MODE = "nvidia.com/dynamo-kube-discovery-mode"
ANNOTATION_RESTART_AT = "nvidia.com/restartAt"  # pod template: the restart id (S11, P15)

_VALIDATOR = "webhook/validation/dynamographdeployment.go"
_SHARED = "webhook/validation/shared.go"
_DEFAULTER = "webhook/defaulting/dynamographdeployment_handler.go"
_CHART = "deploy/helm/charts/platform/components/operator/Chart.yaml"

_SEMVER = {"format": "semver"}
_MP_OR_RAY = {"oneOf": ["mp", "ray"], "ignoreCase": True}
_POD_OR_CONTAINER = {"oneOf": ["pod", "container"], "ignoreCase": False}
GROVE_COMBINED_NAME = 45  # the Grove webhook's bound the operator's webhook checks early (V03)

ADMISSION_0_6 = Entries(values=MappingProxyType({}), sources={})

ADMISSION_1_0 = Entries(
    values=MappingProxyType({
        "annotationValues": frozen({ANNOTATION_ORIGIN_VERSION: _SEMVER, ANNOTATION_VLLM_EXECUTOR: _MP_OR_RAY}),
        "serviceAnnotationValues": frozen({}),
        "combinedNameLength": GROVE_COMBINED_NAME,
        "originVersion": "1.0.0",
    }),
    sources={
        "annotationValues": src("V04", at_cut(_VALIDATOR, 428, commit=RELEASE_1_0_COMMIT)),
        "serviceAnnotationValues": src("V04", "none at the v1.0.0 cut"),
        "combinedNameLength": src("V03", at_cut(_VALIDATOR, 297, commit=RELEASE_1_0_COMMIT)),
        "originVersion": src("V06", at_cut(_DEFAULTER, 75, commit=RELEASE_1_0_COMMIT),
                             f"{_CHART} appVersion @ {RELEASE_1_0_COMMIT}"),
    },
)

ADMISSION_1_1 = Entries(
    values=MappingProxyType({
        **ADMISSION_1_0.values,
        "annotationValues": frozen({**ADMISSION_1_0.values["annotationValues"],  # type: ignore[dict-item]
                                    ANNOTATION_KUBE_DISCOVERY_MODE: _POD_OR_CONTAINER}),
        "serviceAnnotationValues": frozen({ANNOTATION_VLLM_EXECUTOR: _MP_OR_RAY}),
        "originVersion": "1.1.0",
        "serviceReplicas": 1,
    }),
    sources={
        **ADMISSION_1_0.sources,
        "annotationValues": src("V04", at_cut(_VALIDATOR, 448)),
        "serviceAnnotationValues": src("V04", at_cut(_SHARED, 353)),
        "combinedNameLength": src("V03", at_cut(_VALIDATOR, 317)),
        "originVersion": src("V06", at_cut(_DEFAULTER, 89), f"{_CHART} appVersion @ {RELEASE_1_1_COMMIT}"),
        "serviceReplicas": src("P14", "V06", at_cut(_DEFAULTER, 78)),
    },
)
