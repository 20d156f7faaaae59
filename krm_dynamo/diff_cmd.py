# SPDX-License-Identifier: Apache-2.0
"""``krm-dynamo diff --from V --to V PATH...``: what an operator upgrade changes in every generated object.

The input is read once (as ``render`` reads it: files, directories, ``-``) and expanded twice
through :func:`krm_dynamo.core.expand`, with the ``operatorVersion`` setting overridden by
``--from`` and by ``--to``. The objects ``render`` would print for each release are paired by
API group, kind, namespace and name (the group, not the apiVersion, so an object whose
apiVersion changed is one object with a changed line) and compared as YAML text.

Output (stdout): one summary line per object, then (without ``--summary``) a unified diff per
object that differs, or that exists under one release only, in the order ``render`` prints the
``--from`` objects, followed by the objects only ``--to`` generates. Warnings and errors of the
renders go to stderr (:func:`problem_lines`): one a single release reports is prefixed
``operator V:``, one both report is printed once, prefixed ``operators A and B:``.

Exit status (D70), as ``diff(1)`` and ``kubectl diff``: 0 no object differs, 1 some object differs,
2 an error (a wrong argument, an unreadable input, an input either release rejects).
"""

from __future__ import annotations

import difflib
from typing import Any, TextIO

from krm_dynamo.kio.results import Result, has_errors
from krm_dynamo.record import dataclass, field

EXIT_SAME, EXIT_DIFFERENT, EXIT_ERROR = 0, 1, 2

# Kinds a release stopped generating: the catalogue ID that removed them and what to use instead.
_REMOVED_KINDS = {
    "HorizontalPodAutoscaler": ("A01", "use an autoscaler of your own on the operator's scaling adapter"),
}

Key = tuple[str, str, str, str]  # (API group, kind, namespace, name)


class DiffUsageError(Exception):
    """Wrong ``diff`` arguments: one line on stderr, exit 2."""


@dataclass
class DiffOptions:
    """The parsed command line: ``paths``, the two releases as given (``None``: the default), ``summary``,
    ``context`` (lines of context in each hunk) and ``config_path``."""

    paths: list[str] = field(default_factory=list)
    releases: dict[str, str | None] = field(default_factory=lambda: {"from": None, "to": None})
    summary: bool = False
    context: int = 3
    config_path: str | None = None


def run(args: list[str], stdout: TextIO, stderr: TextIO) -> int:
    """The ``diff`` command; returns its exit status (module docstring).

    Raises:
        InputError, OutputError: an input cannot be read, stdout cannot be written (the caller
            prints one line and exits 2).
    """
    from krm_dynamo.cli import say as _say
    from krm_dynamo.commands import read_function_config as _read_function_config
    from krm_dynamo.kio import files, sources

    try:
        options = parse_args(args)
    except DiffUsageError as exc:
        _say(stderr, f"krm-dynamo: diff: {exc} (krm-dynamo --help shows the usage)\n")
        return EXIT_ERROR
    items, nodes, originals = sources.read_all(options.paths)
    function_config = _read_function_config(options.config_path, nodes) if options.config_path else None
    old, new = _releases(options, items, function_config)
    rendered: dict[str, list[Any] | None] = {}
    problems: dict[str, list[str]] = {}
    for release in dict.fromkeys((old, new)):  # one render when both sides are one release
        objects, results = _render(items, nodes, originals, function_config, release)
        problems[release] = [r.line_text() for r in results if r.severity in ("error", "warning")]
        rendered[release] = None if has_errors(results) else objects
    _say(stderr, problem_lines(problems))
    failed = [release for release, objects in rendered.items() if objects is None]
    if failed:
        which = f"operator {failed[0]}" if len(failed) == 1 else f"operators {' and '.join(failed)}"
        _say(stderr, f"krm-dynamo: diff: the input does not render under {which} (errors above); nothing compared\n")
        return EXIT_ERROR
    before, after = rendered[old], rendered[new]
    if not before and not after:
        _say(stderr, f"krm-dynamo: diff: nothing to compare: no objects to print in {', '.join(options.paths)}\n")
        return EXIT_ERROR
    entries = compare(before or [], after or [], old, new, options.context)
    files.write_all(stdout, format_entries(entries, options.summary))
    return EXIT_DIFFERENT if any(entry.diff for entry in entries) else EXIT_SAME


def problem_lines(problems: dict[str, list[str]]) -> str:
    """The stderr text of the renders' errors and warnings: ``problems`` maps each release (in
    ``--from``, ``--to`` order) to its problem lines. A line both releases report is printed once,
    ``operators A and B: LINE``, where the first release reports it; a line of one release only is
    ``operator V: LINE`` (the problem is that release's: its fields, its rules).
    """
    releases = list(problems)
    seen: set[str] = set()
    out = []
    for release in releases:
        for line in problems[release]:
            if line in seen:
                continue
            seen.add(line)
            holders = [r for r in releases if line in problems[r]]
            prefix = f"operator {release}" if len(holders) == 1 else f"operators {' and '.join(holders)}"
            out.append(f"{prefix}: {line}\n")
    return "".join(out)


def parse_args(args: list[str]) -> DiffOptions:
    """:class:`DiffOptions` from the words after ``diff``.

    Raises:
        DiffUsageError: an unknown option, a missing or repeated value, an unknown release, no PATH.
    """
    options = DiffOptions()
    it = iter(args)
    for arg in it:
        name, has_value, inline = arg.partition("=")
        if name in ("--from", "--to", "--function-config", "--context", "-U"):
            value = inline if has_value else next(it, None)
            if not value:
                raise DiffUsageError(f"{name} needs a value")
            _set_option(options, name, value)
        elif arg == "--summary":
            options.summary = True
        elif arg.startswith("-") and arg != "-":
            raise DiffUsageError(f"unknown option {arg!r}")
        else:
            options.paths.append(arg)
    if not options.paths:
        raise DiffUsageError("name at least one FILE, DIR or - (stdin)")
    return options


def _set_option(options: DiffOptions, name: str, value: str) -> None:
    if name == "--function-config":
        options.config_path = value
    elif name in ("--context", "-U"):
        if not value.isdigit() or len(value) > 4:
            raise DiffUsageError(f"{name} takes a number of lines (0 to 9999), got {value!r}")
        options.context = int(value)
    else:
        key = name[2:]
        if options.releases[key] is not None:
            raise DiffUsageError(f"{name} given twice")
        options.releases[key] = _release(name, value)


def _release(name: str, value: str) -> str:
    """A release as the ``operatorVersion`` setting reads it (``latest`` stays ``latest``)."""
    from krm_dynamo.config import FunctionConfig
    from krm_dynamo.config_values import convert

    try:
        return str(convert(FunctionConfig.operatorVersion, value, from_string=True))
    except ValueError as exc:
        raise DiffUsageError(f"{name}: {exc}") from None


def _releases(options: DiffOptions, items: list[Any], function_config: Any) -> tuple[str, str]:
    """``(from, to)`` with ``latest`` resolved: ``--from`` defaults to the release the settings
    select (0.6 when none does), ``--to`` to the latest release."""
    from krm_dynamo.config import load_config
    from krm_dynamo.defaults import ALIASES, LATEST

    old, new = options.releases["from"], options.releases["to"]
    if old is None:
        cfg, _ = load_config(function_config, items)  # its problems come out of the renders
        old = str(cfg.operatorVersion)
    return ALIASES.get(old, old), ALIASES.get(new or LATEST, new or LATEST)


def _render(items: list[Any], nodes: dict[int, Any], originals: dict[int, Any], function_config: Any,
            release: str) -> tuple[list[Any], list[Result]]:
    """What ``render --operator-version release`` prints, and its results (with their lines)."""
    from krm_dynamo import core
    from krm_dynamo.commands import is_local_config as _is_local_config
    from krm_dynamo.commands import with_line as _with_line
    from krm_dynamo.kio import sources
    from krm_dynamo.ownership import strip_marker

    out, results = core.expand(items, function_config, overrides={"operatorVersion": release})
    results = [_with_line(r, nodes) for r in results]
    printable = [strip_marker(originals[id(item)] if id(item) in originals else sources.strip_source(item))
                 for item in out if not _is_local_config(item)]
    return printable, results


@dataclass(frozen=True)
class Entry:
    """One object of either side: its ``label`` (``Kind/name``), its ``summary`` line and its
    unified ``diff`` lines (empty when unchanged)."""

    label: str
    summary: str
    diff: list[str]


def compare(before: list[Any], after: list[Any], old: str, new: str, context: int = 3) -> list[Entry]:
    """One :class:`Entry` per object of ``before`` (in its order), then per object only in ``after``."""
    from krm_dynamo.kio import yamlio

    left, right = _keyed(before), _keyed(after)
    order = list(left) + [key for key in right if key not in left]
    namespaces = {key[2] for key in order}
    entries = []
    for key in order:
        label = _label(key, len(namespaces) > 1)
        a = yamlio.dump(left[key]).splitlines() if key in left else []
        b = yamlio.dump(right[key]).splitlines() if key in right else []
        diff = [] if a == b else list(difflib.unified_diff(
            a, b, f"a/{label} (operator {old})" if a else "/dev/null",
            f"b/{label} (operator {new})" if b else "/dev/null", n=context, lineterm=""))
        entries.append(Entry(label, f"{label}: {_summary(key, a, b, diff, old, new)}", diff))
    return entries


def _keyed(objects: list[Any]) -> dict[Key, Any]:
    """The objects by identity; an object without a name is keyed by its position."""
    from krm_dynamo.ownership import identity

    keyed: dict[Key, Any] = {}
    for position, obj in enumerate(objects):
        key = identity(obj) or ("", str(obj.get("kind", "")) if isinstance(obj, dict) else "", "", f"#{position}")
        keyed[key] = obj
    return keyed


def _label(key: Key, with_namespace: bool) -> str:
    _, kind, namespace, name = key
    return f"{kind}/{namespace}/{name}" if with_namespace and namespace else f"{kind}/{name}"


def _summary(key: Key, a: list[str], b: list[str], diff: list[str], old: str, new: str) -> str:
    if not a:
        return f"added in {new}"
    if not b:
        return _removed(key[1], old, new)
    if not diff:
        return "unchanged"
    added = sum(1 for line in diff[2:] if line.startswith("+"))
    removed = sum(1 for line in diff[2:] if line.startswith("-"))
    return f"{added + removed} lines changed (+{added} -{removed})"


def _removed(kind: str, old: str, new: str) -> str:
    """``removed in V``: the release that removed the kind when the catalogue knows it and it lies
    between ``old`` (excluded) and ``new``, with what to use instead; else ``new``."""
    if kind in _REMOVED_KINDS:
        from krm_dynamo.defaults.catalog import CATALOG, release_key

        change_id, instead = _REMOVED_KINDS[kind]
        since = next(change.since for change in CATALOG if change.id == change_id)
        if release_key(old) < release_key(since) <= release_key(new):
            return f"removed in {since} ({change_id}: {instead})"
    return f"removed in {new}"


def format_entries(entries: list[Entry], summary_only: bool) -> str:
    """The summary lines, then (unless ``summary_only``) a blank line and every diff."""
    lines = [entry.summary for entry in entries]
    diffs = [line for entry in entries for line in entry.diff]
    if diffs and not summary_only:
        lines += ["", *diffs]
    return "".join(line + "\n" for line in lines)
