# SPDX-License-Identifier: Apache-2.0
"""Bounds on the input (not defaults): the CRD's integer width and krm-dynamo's own fan-out cap."""

from __future__ import annotations

# The CRD types `replicas`, `multinode.nodeCount`, `autoscaling.minReplicas`/`maxReplicas` as int32.
MAX_INT32 = 2**31 - 1
# krm-dynamo's own cap on the pods one service renders (replicas x nodeCount): a multinode service
# gets one LeaderWorkerSet and one PodGroup per replica, so a typo such as `replicas: 100000000`
# would otherwise build millions of objects. Not an operator limit; raise it here if ever needed.
MAX_SERVICE_PODS = 10_000
# Grove's PodCliqueSet webhook (grove operator v0.1.0-alpha.3, `maxCombinedResourceNameLength`,
# `validatePodNameConstraints`): the names that make up a pod name add up to at most 45
# characters: PodCliqueSet + PodClique, and PodCliqueSet + PodCliqueScalingGroup + PodClique
# for the cliques of a scaling group (the rest of the 63 goes to indexes, hyphens and a suffix).
GROVE_MAX_COMBINED_NAME = 45
