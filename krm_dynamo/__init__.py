# SPDX-License-Identifier: Apache-2.0
"""krm-dynamo: expand DynamoGraphDeployments client-side, as a KRM function.

Kept import-free on purpose: every ``kustomize build`` pays for start-up.
"""

__version__ = "0.1.0"
