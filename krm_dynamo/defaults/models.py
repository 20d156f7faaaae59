# SPDX-License-Identifier: Apache-2.0
"""What a service's ``modelRef`` adds (S05, N06, the base-model label of L04; operator 1.0 on).

The pods of a service with ``modelRef`` carry a label with a short hash of the model name, its
Deployment (and Service) an annotation with the name itself, and the graph gets one headless
Service per distinct model name that selects every pod with that hash, so that model endpoints
can be discovered. Source: ``dynamo/model_service.go`` at the v1.1.0 cut (the same in 1.0).
"""

from __future__ import annotations

from types import MappingProxyType

from krm_dynamo.defaults.components import SYSTEM_PORT, SYSTEM_PORT_NAME
from krm_dynamo.defaults.profiles import at_cut
from krm_dynamo.defaults.sources import Entries, frozen, src

_S05 = src("S05", at_cut("dynamo/model_service.go", 168))
_N06 = src("N06", at_cut("dynamo/model_service.go", 127))

MODEL_REF = Entries(
    values=MappingProxyType({
        "hashLabel": "nvidia.com/dynamo-base-model-hash",
        "hashLength": 8,
        "nameAnnotation": "nvidia.com/dynamo-base-model",
        "serviceName": "dynamo-model-{hash}",
        "serviceLabels": frozen({"nvidia.com/managed-by": "dynamo-operator"}),
        "serviceClusterIP": "None",
        "servicePort": frozen({"name": SYSTEM_PORT_NAME, "protocol": "TCP", "port": SYSTEM_PORT,
                               "targetPort": SYSTEM_PORT}),
    }),
    sources={
        "hashLabel": src(_S05, "consts.go KubeLabelDynamoBaseModelHash; on the pods (L04) and the model Service"),
        "hashLength": src(_S05, "the first hex digits of the SHA-256 of modelRef.name"),
        "nameAnnotation": src(_S05, "consts.go KubeAnnotationDynamoBaseModel; on the Deployment and Service"),
        "serviceName": _N06,
        "serviceLabels": _N06,
        "serviceClusterIP": src(_N06, "headless"),
        "servicePort": _N06,
    },
)
NO_MODEL_REF = Entries(values=MappingProxyType({}), sources={})  # 0.6: no modelRef
