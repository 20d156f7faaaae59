# SPDX-License-Identifier: Apache-2.0
"""What a service's ``modelRef`` adds to the output (S05, N06; operator 1.0 on).

The pods get ``nvidia.com/dynamo-base-model-hash: <hash>`` (the first 8 hex digits of the
SHA-256 of ``modelRef.name``), the Deployment and Service ``nvidia.com/dynamo-base-model:
<name>``, and the graph one headless Service ``dynamo-model-<hash>`` per distinct model name.
Operator source: ``dynamo/model_service.go``, ``controller/dynamocomponentdeployment_controller.go``
(``getKubeLabels``, ``getKubeAnnotations``). ``modelRef`` has passed its rule (``graph.rules.models``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from krm_dynamo import defaults
from krm_dynamo.kube import fieldorder
from krm_dynamo.render.metadata import object_metadata

if TYPE_CHECKING:
    from krm_dynamo.graph.component import Component


def model_name(component: Component, table: defaults.OperatorDefaults) -> str | None:
    """``modelRef.name`` when the release reads it (S05) and it is set; else None."""
    ref = component.spec.modelRef
    if not table.switch("S05") or not isinstance(ref, dict):
        return None
    name = ref.get("name")
    return name if isinstance(name, str) and name else None


def model_hash(name: str, table: defaults.OperatorDefaults) -> str:
    """The label value of a model name: the first hex digits of its SHA-256."""
    import hashlib  # only for a graph with a modelRef (start-up cost)

    return hashlib.sha256(name.encode()).hexdigest()[: int(table.model_ref.values["hashLength"])]  # type: ignore[call-overload]


def base_model_label(component: Component, table: defaults.OperatorDefaults) -> dict[str, str]:
    """``{hash label: hash}`` for a service with ``modelRef`` (L04); empty otherwise."""
    name = model_name(component, table)
    return {} if name is None else {str(table.model_ref.values["hashLabel"]): model_hash(name, table)}


def base_model_annotation(component: Component, table: defaults.OperatorDefaults) -> dict[str, str]:
    """``{nvidia.com/dynamo-base-model: name}`` for the service's Deployment and Service; empty otherwise."""
    name = model_name(component, table)
    return {} if name is None else {str(table.model_ref.values["nameAnnotation"]): name}


def model_services(components: list[Component], namespace: str | None,
                   table: defaults.OperatorDefaults) -> list[dict[str, Any]]:
    """One headless Service per distinct model name, in service order (N06; none before 1.0)."""
    if not table.switch("N06"):
        return []
    values = table.model_ref.values
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for component in components:
        name = model_name(component, table)
        if name is None or name in seen:
            continue
        seen.add(name)
        digest = model_hash(name, table)
        labels = {str(values["hashLabel"]): digest, **values["serviceLabels"]}  # type: ignore[dict-item]
        obj = {
            "apiVersion": table.service.api_version,
            "kind": "Service",
            "metadata": object_metadata(str(values["serviceName"]).format(hash=digest), namespace, labels,
                                        {str(values["nameAnnotation"]): name}),
            "spec": {"ports": [defaults.plain_dict(values["servicePort"])],  # type: ignore[arg-type]
                     "selector": {str(values["hashLabel"]): digest}, "clusterIP": values["serviceClusterIP"]},
        }
        out.append(fieldorder.ordered(obj, "Service"))
    return out
