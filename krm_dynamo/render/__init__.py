# SPDX-License-Identifier: Apache-2.0
"""Builders: valid derived values -> the Kubernetes objects the operator would create.

Every builder takes input that passed the rules in :mod:`krm_dynamo.graph.rules` and the DGD's
table set (:func:`krm_dynamo.defaults.for_release`) explicitly; none reports a result.
"""
