# SPDX-License-Identifier: Apache-2.0
"""``fieldorder.ordered`` keeps its order: the type's fields in their place, unknown keys after, as written."""

import random

from krm_dynamo.kube import fieldorder


def _reference(value, type_name):
    """The order as first written: a rank per field, unknown keys after (stable)."""
    order, _ = fieldorder.TYPES[type_name]
    rank = {key: i for i, key in enumerate(order)}
    return sorted(value, key=lambda k: (0, rank[k]) if k in rank else (1, 0))


def test_every_type_orders_known_then_unknown_keys_as_first_written():
    rng = random.Random(14)
    for type_name, (order, _) in fieldorder.TYPES.items():
        for _ in range(30):
            keys = rng.sample([*order, "zz", "aa", "unknown", "Name"], rng.randint(0, len(order) + 4))
            value = dict.fromkeys(keys, "x")  # leaves, so no child type is asked for
            assert list(fieldorder.ordered(value, type_name)) == _reference(value, type_name), type_name
