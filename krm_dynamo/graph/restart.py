# SPDX-License-Identifier: Apache-2.0
"""``spec.restart`` (S11): which restart id the pod templates carry (P15, D65).

The operator's controller restarts the services by writing ``nvidia.com/restartAt: <id>`` into
their pod templates: all at once for ``strategy.type: Parallel``, one after the other for
``Sequential`` (the default) as each rollout finishes, which only the cluster knows. Once the
restart is done every service carries the id; that finished state is what a render shows.
"""

from __future__ import annotations

from typing import Any

from krm_dynamo.defaults.admission import ANNOTATION_RESTART_AT

PARALLEL = "Parallel"
SEQUENTIAL = "Sequential"


def restart_id(restart: Any) -> str | None:
    """The id of a ``spec.restart`` value, or None when it has none that a rule would accept."""
    if not isinstance(restart, dict):
        return None
    value = restart.get("id")
    return value if isinstance(value, str) and value else None


def stamp_restart_id(annotations: dict[str, str], pod_annotations: dict[str, str], restart: Any) -> None:
    """P15 after the restart finished: a service's annotations and its pod template's carry the id
    of ``restart`` (``nvidia.com/restartAt``, D65); nothing when the value has no id."""
    rid = restart_id(restart)
    if rid is not None:
        annotations[ANNOTATION_RESTART_AT] = rid
        pod_annotations[ANNOTATION_RESTART_AT] = rid
