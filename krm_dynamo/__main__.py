# SPDX-License-Identifier: Apache-2.0
"""``python -m krm_dynamo``: the same entry point as the console script."""

import sys

from krm_dynamo.cli import main

sys.exit(main())
