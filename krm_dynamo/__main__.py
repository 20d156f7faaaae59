# SPDX-License-Identifier: Apache-2.0
"""``python -m krm_dynamo``: the same entry point as the console script."""

from krm_dynamo.cli import entry_point

entry_point()
