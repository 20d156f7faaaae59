# SPDX-License-Identifier: Apache-2.0
"""The conformance case format (``../shared/conformance/README.md``): its keys and what a step yields.

The key tables list every key the README defines; :class:`Outcome` holds what one operator step
produced through the project's interfaces, each field an observation ``expected`` keys are
checked against (``conformance_harness``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

CASE_KEYS = frozenset({"source", "version_note", "function", "input", "expected", "deviation"})
INPUT_KEYS = frozenset({"backend", "role", "nodeCount", "serviceName", "deployer", "component", "container",
                        "mpiRunSecretName", "podSpec", "dgd", "dcd", "operatorConfig", "variants", "regex", "note"})
DOC_INPUT_KEYS = frozenset({"regex", "note"})  # documentation of a helper's rule: nothing to run
DEPLOYER_KEYS = frozenset({"kind", "leaderHostname", "nodeRank", "nodeRankNeedsShell"})
OPERATOR_CONFIG_KEYS = frozenset({"natsAddress", "etcdAddress", "groveEnabled", "lwsEnabled",
                                  "groveTerminationDelay"})
VARIANT_EXPECTED_KEYS = frozenset({"error", "errorContains"})


class HarnessError(AssertionError):
    """The harness cannot map a case written in the documented format: a bug in the harness."""


@dataclass
class Outcome:
    """What one operator step produced, as seen through the project's interfaces.

    Each field is an observation a ``expected`` key can be checked against; None = the step has
    no such observation (checking a key against it is a :class:`HarnessError`).
    """

    container: dict | None = None  # the main container after the step
    pod_spec: dict | None = None
    hosts: list[str] | None = None  # a host list (before joining with ",")
    flags: tuple[str, bool] | None = None  # SGLang flag string, needs a shell
    row: Callable[[dict], Any] | None = None  # a helper table: the value of one row of `cases`
    row_key: str = ""  # the `cases` column holding the expected value
    objects: list[dict] | None = None  # a whole expansion's output
    error: str | None = None  # the error the step reported (None = none)


class Tracked(dict):
    """A mapping that records which keys were read (``[]``, ``get``, ``in``)."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.read: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        self.read.add(str(key))
        return super().__contains__(key)


class StepError(Exception):
    """The step reported an error (an error result, or an exception of the project's backend code)."""
