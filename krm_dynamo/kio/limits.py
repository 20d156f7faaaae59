# SPDX-License-Identifier: Apache-2.0
"""How much input krm-dynamo reads: every bound in one place (the README's "Limits" lists them).

Each bound is checked before the work it protects, and going over it is one clear error
line and exit 1, never a crash, a hang or an unbounded amount of memory.
"""

from __future__ import annotations

# Bytes of input read in one run (stdin, or all files given to `render` together).
MAX_INPUT_BYTES = 128 * 1024 * 1024

# Objects in one run: ResourceList items, or documents given to `render`.
MAX_ITEMS = 200_000

# Collections nested inside each other (a document's top-level mapping is level 1), counted
# through aliases. Real Kubernetes objects, CRDs included, stay below 40; go-yaml v3 stops
# at 10,000, which Python's own recursion limit could not follow.
MAX_DEPTH = 100

# Arrays and objects nested inside each other in JSON text held by a value (the legacy
# DYN_DEPLOYMENT_CONFIG env). Such text is not YAML, so MAX_DEPTH does not see it; Go's
# encoding/json stops at 10,000, which Python's recursion limit could not follow either.
MAX_JSON_DEPTH = 100

# Alias expansion, exactly as go-yaml v3 bounds it ("document contains excessive aliasing"):
# once more than ALIAS_MIN_ALIASED nodes came from aliases and more than ALIAS_MIN_NODES were
# decoded, the share from aliases may not exceed 99% up to 400,000 nodes, falling linearly
# to 10% at 4,000,000 nodes.
ALIAS_MIN_ALIASED = 100
ALIAS_MIN_NODES = 1000
_RATIO_LOW, _RATIO_HIGH = 400_000, 4_000_000


def allowed_alias_ratio(decoded: int) -> float:
    """The share of ``decoded`` nodes that may come from aliases (go-yaml v3's allowedAliasRatio)."""
    if decoded <= _RATIO_LOW:
        return 0.99
    if decoded >= _RATIO_HIGH:
        return 0.10
    return 0.99 - 0.89 * ((decoded - _RATIO_LOW) / (_RATIO_HIGH - _RATIO_LOW))


def excessive_aliasing(aliased: int, decoded: int) -> bool:
    """True when go-yaml v3 would stop with "document contains excessive aliasing"."""
    return (
        aliased > ALIAS_MIN_ALIASED and decoded > ALIAS_MIN_NODES and aliased / decoded > allowed_alias_ratio(decoded)
    )
