# SPDX-License-Identifier: Apache-2.0
"""Kubernetes rules the output must follow: quantities, Go durations, names and field order."""
