# SPDX-License-Identifier: Apache-2.0
"""How a YAML error reads: one line naming the place, the same for libyaml's errors and the loader's.

Only a run whose input is broken imports this (:func:`krm_dynamo.kio.yamlio.load_documents`
turns the error into an :class:`~krm_dynamo.kio.yamlio.InputError` with this line).
"""

from __future__ import annotations

import yaml

from krm_dynamo.kio import limits, loader

# libyaml 0.2.6 (PyYAML >= 6.0.4) stops at 1,000 levels of its own, sometimes before the
# loader sees level 101 (it scans flow collections ahead): the same limit, in the same words.
_LIBYAML_DEPTH = "exceeded maximum nesting depth"


def error_line(exc: Exception, text: str, source: str) -> str:
    """``source:line[:column]: invalid YAML: problem`` for a loader or PyYAML error while reading ``text``."""
    if isinstance(exc, loader.LoadError):
        column = f":{exc.column}" if exc.column is not None else ""
        return f"{source}:{exc.line}{column}: invalid YAML: {exc.message}"
    if isinstance(exc, yaml.MarkedYAMLError):
        return _marked_error_line(exc, source)
    if isinstance(exc, yaml.reader.ReaderError):
        return _reader_error_line(exc, text, source)
    return f"{source}: invalid YAML: {exc}"


def _marked_error_line(exc: yaml.MarkedYAMLError, source: str) -> str:
    mark = exc.problem_mark or exc.context_mark
    where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark is not None else source
    if _LIBYAML_DEPTH in (exc.problem or ""):
        return f"{where}: invalid YAML: collections nested deeper than {limits.MAX_DEPTH} levels (the limit)"
    problem = exc.problem or exc.context or "invalid YAML"
    context = f" ({exc.context}{_started(exc)})" if exc.context and exc.problem else ""
    return f"{where}: invalid YAML: {problem}{context}"


def _started(exc: yaml.MarkedYAMLError) -> str:
    """Where the construct being parsed began, when that is on an earlier line than the problem:
    libyaml notices an unclosed ``[`` or ``{`` only on a later line, the mistake is where it opened."""
    start, problem = exc.context_mark, exc.problem_mark
    if start is None or problem is None or start.line >= problem.line:
        return ""
    return f" opened at line {start.line + 1}, column {start.column + 1}"


def _reader_error_line(exc: yaml.reader.ReaderError, text: str, source: str) -> str:
    """libyaml reports a bad character by byte offset: turn it into a line."""
    before = text.encode("utf-8", "surrogatepass")[: exc.position]
    line = before.count(b"\n") + 1
    what = f"character U+{exc.character:04X}" if isinstance(exc.character, int) else "a character"
    return f"{source}:{line}: invalid YAML: {what} is not allowed in YAML ({exc.reason})"
