# SPDX-License-Identifier: Apache-2.0
"""Collect the results of expanding one DGD, all tied to that DGD (``resourceRef``).

Validation reports every problem it finds and carries on, so the user sees all of
them in one run; the expander then returns no
objects if any result is an error.
"""

from __future__ import annotations

from krm_dynamo.kio.results import ERROR, INFO, WARNING, Result, has_errors


class Report:
    """Results about one DGD, in the order they were found."""

    def __init__(self, dgd: dict) -> None:
        self.dgd = dgd
        self.results: list[Result] = []

    def error(self, path: str | None, message: str) -> None:
        self.results.append(Result(message, ERROR, self.dgd, path))

    def warning(self, path: str | None, message: str) -> None:
        self.results.append(Result(message, WARNING, self.dgd, path))

    def info(self, path: str | None, message: str) -> None:
        self.results.append(Result(message, INFO, self.dgd, path))

    def error_count(self) -> int:
        """Errors so far: a builder compares counts to tell whether its own step failed."""
        return sum(1 for r in self.results if r.severity == ERROR)

    @property
    def failed(self) -> bool:
        return has_errors(self.results)
