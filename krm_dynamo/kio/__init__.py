# SPDX-License-Identifier: Apache-2.0
"""The function's edge: YAML with kyaml's meaning, the ResourceList, results and how messages show values.

Nothing here knows a DynamoGraphDeployment; every module is cheap to import (no pydantic).
"""
