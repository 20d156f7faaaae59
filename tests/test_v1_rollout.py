# SPDX-License-Identifier: Apache-2.0
"""Deployment strategy annotations under operator 1.x (P07) and their rule."""

from __future__ import annotations

from typing import Any

import pytest

from krm_dynamo.core import expand

CONFIG = {"apiVersion": "fn.krm-dynamo.dev/v1alpha1", "kind": "KrmDynamoConfig", "metadata": {"name": "c"},
          "operatorVersion": "1.0", "defaultImage": "dyn:1"}
SURGE = "nvidia.com/deployment-rolling-update-max-surge"
UNAVAILABLE = "nvidia.com/deployment-rolling-update-max-unavailable"


def _run(annotations: dict[str, str], extra: dict[str, str] | None = None,
         release: str = "1.0") -> tuple[dict[str, Any] | None, list[Any]]:
    service: dict[str, Any] = {"componentType": "frontend", "annotations": annotations}
    if extra:
        service["extraPodMetadata"] = {"annotations": extra}
    dgd = {"apiVersion": "nvidia.com/v1alpha1", "kind": "DynamoGraphDeployment",
           "metadata": {"name": "g", "namespace": "ns"}, "spec": {"services": {"F": service}}}
    out, results = expand([dgd], {**CONFIG, "operatorVersion": release})
    deployment = next((o for o in out if o["kind"] == "Deployment"), None)
    return (deployment["spec"]["strategy"] if deployment else None), results


@pytest.mark.parametrize(("annotations", "extra", "strategy"), [
    ({}, None, {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}),
    ({"nvidia.com/deployment-strategy": "BestEffortControlledRollout", SURGE: "2"}, {UNAVAILABLE: "10%"},
     {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "10%", "maxSurge": 2}}),
    ({"nvidia.com/deployment-strategy": "Recreate", SURGE: "2"}, None, {"type": "Recreate"}),
])
def test_strategy(annotations: dict[str, str], extra: dict[str, str] | None, strategy: dict[str, Any]) -> None:
    got, results = _run(annotations, extra)
    assert got == strategy, results


def test_release_0_6_ignores_the_surge_annotations() -> None:
    got, _ = _run({"nvidia.com/deployment-strategy": "RampedSlowRollout", SURGE: "3"}, release="0.6")
    assert got == {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}}


@pytest.mark.parametrize(("annotations", "text"), [
    ({SURGE: "lots"}, "a non-negative integer or a percentage"),
    ({UNAVAILABLE: "150%"}, "a non-negative integer or a percentage"),
    ({SURGE: "0", UNAVAILABLE: "0%"}, "may not both be 0"),
])
def test_rollout_rule(annotations: dict[str, str], text: str) -> None:
    got, results = _run(annotations)
    assert got is None
    assert any(r.severity == "error" and text in r.message for r in results)
