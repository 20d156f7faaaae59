# SPDX-License-Identifier: Apache-2.0
"""``spec.restart`` (S11): which restart id the pod templates carry (P15, D65).

The operator's controller restarts the services by writing ``nvidia.com/restartAt: <id>`` into
their pod templates: all at once for ``strategy.type: Parallel``, one after the other for
``Sequential`` (the default) as each rollout finishes, which only the cluster knows. Once the
restart is done every service carries the id; that finished state is what a render shows.
"""

from __future__ import annotations

from typing import Any

PARALLEL = "Parallel"
SEQUENTIAL = "Sequential"
STRATEGY_TYPES = (SEQUENTIAL, PARALLEL)  # the CRD enum; unset means Sequential


def restart_id(restart: Any) -> str | None:
    """The id of a ``spec.restart`` value, or None when it has none that a rule would accept."""
    if not isinstance(restart, dict):
        return None
    value = restart.get("id")
    return value if isinstance(value, str) and value else None
