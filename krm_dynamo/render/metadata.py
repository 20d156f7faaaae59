# SPDX-License-Identifier: Apache-2.0
"""``metadata`` of a generated object: the one shape every builder writes."""

from __future__ import annotations

from typing import Any


def object_metadata(name: str, namespace: str | None, labels: dict[str, str],
                    annotations: dict[str, str]) -> dict[str, Any]:
    """``metadata`` of a generated object; empty maps and an unset namespace are left out (D17)."""
    metadata: dict[str, Any] = {"name": name}
    if namespace:
        metadata["namespace"] = namespace
    if labels:
        metadata["labels"] = dict(labels)
    if annotations:
        metadata["annotations"] = dict(annotations)
    return metadata
