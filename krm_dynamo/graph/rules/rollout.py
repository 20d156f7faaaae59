# SPDX-License-Identifier: Apache-2.0
"""Rules of the Deployment rollout annotations (P07; operator 0.8 on, so the 1.x profiles).

``nvidia.com/deployment-rolling-update-max-surge`` and ``-max-unavailable`` become the
RollingUpdate's ``maxSurge`` / ``maxUnavailable``: an integer or a percentage. Any other value,
a negative one, or both zero make a Deployment the API server rejects (D31), so they are errors;
a gradual strategy name (``RampedSlowRollout``, ``BestEffortControlledRollout``) is a plain
RollingUpdate from 0.8 on, which is worth saying.
"""

from __future__ import annotations

import re

from krm_dynamo import defaults
from krm_dynamo.graph.report import Report
from krm_dynamo.graph.rules.context import ServiceCheck

_GRADUAL = ("RampedSlowRollout", "BestEffortControlledRollout")


def check_rollout_annotations(s: ServiceCheck, report: Report) -> None:
    """Each rollout annotation is an integer or ``<n>%`` (at most 100 % unavailable), not both zero.

    Only where a Deployment reads them: a single-node service outside Grove whose strategy is a
    RollingUpdate (a ``Recreate`` Deployment has no ``rollingUpdate`` to put them in).
    """
    table = s.graph.table.deployment
    if not table.rolling_update_annotations or s.component.multinode:
        return
    strategy = s.component.annotations.get(defaults.ANNOTATION_DEPLOYMENT_STRATEGY)
    if not s.graph.grove_mode and "rollingUpdate" in table.strategy(strategy):
        _check_values(s, report)
    if strategy in _GRADUAL:
        report.info(f"{s.path}.annotations",
                    f"`{defaults.ANNOTATION_DEPLOYMENT_STRATEGY}: {strategy}` rolls as RollingUpdate from operator "
                    "0.8 on (only RollingUpdate and Recreate are left)")


def _check_values(s: ServiceCheck, report: Report) -> None:
    annotations = s.component.kube_annotations  # exactly what the Deployment builder reads
    values: dict[str, int] = {}
    for field_name, key in s.graph.table.deployment.rolling_update_annotations.items():
        value = annotations.get(key)
        if not value:
            continue
        found = re.fullmatch(r"([+-]?[0-9]+)(%?)", value)
        if found is None or int(found.group(1)) < 0 or (field_name == "maxUnavailable" and found.group(2)
                                                          and int(found.group(1)) > 100):
            report.error(_origin(s, key),
                         f"`{key}`: expected a non-negative integer or a percentage such as \"25%\" (the "
                         f"Deployment's {field_name} of service {s.key}), got \"{value}\"")
            continue
        values[field_name] = int(found.group(1))
    if values.get("maxSurge") == 0 and values.get("maxUnavailable") == 0:
        report.error(f"{s.path}.annotations", "maxSurge and maxUnavailable may not both be 0: the API server rejects "
                                              "the Deployment")


def _origin(s: ServiceCheck, key: str) -> str:
    """The field path a rollout annotation of the service's Deployment comes from: its
    ``extraPodMetadata.annotations``, its ``annotations``, else the DGD's (1.1 ``spec.annotations``,
    or a propagated ``metadata.annotations`` key)."""
    extra = s.svc.extraPodMetadata
    if key in ((extra.annotations if extra else None) or {}):
        return f"{s.path}.extraPodMetadata.annotations"
    if key in (s.svc.annotations or {}):
        return f"{s.path}.annotations"
    spec_annotations = getattr(s.graph.graph, "annotations", None)  # 1.1 (S18)
    return "spec.annotations" if isinstance(spec_annotations, dict) and key in spec_annotations \
        else "metadata.annotations"
