# SPDX-License-Identifier: Apache-2.0
"""The DGD as the operator's defaulting (mutating) webhook leaves it, from operator 1.0 on (V06).

On create the webhook stamps ``nvidia.com/dynamo-operator-origin-version`` with the operator's
version unless the DGD already carries one; the controller then reads it (the vLLM executor gate,
B02) and copies it to what it generates. A render is a create under the selected release, so a
DGD without the annotation counts as created by that release (``admission.originVersion``:
``1.0.0``, ``1.1.0``); a DGD exported from a cluster keeps the version it carries (D68). From
1.1 the webhook also gives a service without ``replicas`` one replica (P14); the controller then
lets that count win over ``DYN_DEPLOYMENT_CONFIG`` ``workers``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from krm_dynamo.defaults.release import OperatorDefaults


def dgd_annotations(annotations: dict[str, str], table: OperatorDefaults) -> dict[str, str]:
    """A copy of the DGD's ``metadata.annotations`` with the origin version stamped where V06 is on."""
    out = dict(annotations)
    if not table.switch("V06"):
        return out
    from krm_dynamo.defaults.admission import ANNOTATION_ORIGIN_VERSION  # here: 1.x only (start-up)

    if ANNOTATION_ORIGIN_VERSION not in out:
        out[ANNOTATION_ORIGIN_VERSION] = str(table.admission.values["originVersion"])
    return out


def service_replicas(replicas: int | None, table: OperatorDefaults) -> int | None:
    """A service's replica count after the defaulting webhook: unset becomes 1 from 1.1 (P14)."""
    default = table.admission.values.get("serviceReplicas")
    return default if replicas is None and isinstance(default, int) else replicas
