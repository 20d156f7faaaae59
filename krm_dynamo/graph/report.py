# SPDX-License-Identifier: Apache-2.0
"""Collect the results of expanding one DGD, all tied to that DGD (``resourceRef``).

Validation reports every problem it finds and carries on, so the user sees all of
them in one run; the pipeline then returns no objects if any result is an error.
"""

from __future__ import annotations

from typing import Any

from krm_dynamo.kio.results import ERROR, INFO, WARNING, Result, has_errors


class Report:
    """Results about one DGD, in the order they were found."""

    def __init__(self, dgd: dict[str, Any]) -> None:
        self.dgd = dgd
        self.results: list[Result] = []

    def error(self, path: str | None, message: str) -> None:
        self.results.append(Result(message, ERROR, self.dgd, path))

    def warning(self, path: str | None, message: str) -> None:
        self.results.append(Result(message, WARNING, self.dgd, path))

    def info(self, path: str | None, message: str) -> None:
        self.results.append(Result(message, INFO, self.dgd, path))

    @property
    def failed(self) -> bool:
        return has_errors(self.results)
