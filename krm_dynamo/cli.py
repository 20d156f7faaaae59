# SPDX-License-Identifier: Apache-2.0
"""Command line: the KRM function (stdin -> stdout), and the entry to the other commands.

Thin I/O around :func:`krm_dynamo.core.expand`. Function mode lives here; ``render``,
``schema`` and ``explain`` are in :mod:`krm_dynamo.commands` and ``diff`` in
:mod:`krm_dynamo.diff_cmd`, imported when they run: function mode loads only what it runs.
Every failure a user can cause ends here as one readable stderr line per problem and exit
code 1, never a traceback. kustomize shows only a function's stderr, so errors and warnings
go there as well as into ``results``.
"""

from __future__ import annotations

import os
import sys
from typing import BinaryIO, NoReturn, TextIO

from krm_dynamo import __version__
from krm_dynamo.kio.results import ERROR, WARNING, Result, has_errors


def usage() -> str:
    """The ``--help`` text (:mod:`krm_dynamo.usage`)."""
    from krm_dynamo.usage import text

    return text()


# The results a user sees beside the output (on stderr, or kpt's listing with their files).
_SHOWN = (ERROR, WARNING)


class UsageError(Exception):
    """Wrong command-line arguments."""


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script and of ``python -m krm_dynamo``."""
    from krm_dynamo.kio.files import OutputError
    from krm_dynamo.kio.yamlio import InputError

    args = sys.argv[1:] if argv is None else argv
    try:
        return _dispatch(args)
    except UsageError as exc:
        say(sys.stderr, f"krm-dynamo: {exc} (krm-dynamo --help shows the usage)\n")  # one line, not 100
    except (InputError, OutputError) as exc:
        say(sys.stderr, f"krm-dynamo: {exc}\n")
    except KeyboardInterrupt:
        return 130
    except (RecursionError, MemoryError) as exc:
        # Bounded by the limits (README "Limits"); a backstop, never expected.
        what = "nested too deeply" if isinstance(exc, RecursionError) else "too large for the memory available"
        say(sys.stderr, f"krm-dynamo: the input is {what} to process\n")
    except Exception as exc:
        if os.environ.get("KRM_DYNAMO_DEBUG"):
            raise
        from krm_dynamo.kio.display import escape

        say(
            sys.stderr,
            f"krm-dynamo: internal error: {type(exc).__name__}: {escape(str(exc))} "
            "(this is a bug in krm-dynamo; set KRM_DYNAMO_DEBUG=1 for details and please report it)\n",
        )
    return 2 if args[:1] == ["diff"] else 1  # diff: 1 means "differs", as in diff(1)


def entry_point() -> NoReturn:
    """The ``krm-dynamo`` executable and ``python -m krm_dynamo``: :func:`main`, then the process exits
    with its code.

    Before the exit the collector is frozen (``gc.freeze``): at shutdown the interpreter would
    otherwise walk every object of the run once more, to collect the reference cycles of modules and
    functions, and free them one by one, about a tenth of a run on the bundled example
    (``benchmarks/bench.py``); the operating system reclaims the process's memory at once instead.
    Nothing is lost by it: the output is written and flushed by then, and the function opens no file
    for writing (standard output and error are flushed at exit all the same).
    """
    import gc

    code = main()
    gc.freeze()
    sys.exit(code)


def _dispatch(args: list[str]) -> int:
    from krm_dynamo.kio.files import write_all

    if not args:
        return run_function(sys.stdin.buffer, sys.stdout, sys.stderr)
    if args[0] in ("-h", "--help", "help") or "--help" in args or "-h" in args:
        write_all(sys.stdout, usage())  # `krm-dynamo render FILE --help` too: asked for, not a mistake
        return 0
    if args[0] == "--version":
        write_all(sys.stdout, f"krm-dynamo {__version__}\n")
        return 0
    if args[0] == "render":
        return run_render(args[1:], sys.stdout, sys.stderr)
    if args[0] == "schema":
        return run_schema(args[1:], sys.stdout)
    if args[0] == "explain":
        return run_explain(args[1:], sys.stdout, sys.stderr)
    if args[0] == "diff":
        from krm_dynamo import diff_cmd  # imported only for this command

        return diff_cmd.run(args[1:], sys.stdout, sys.stderr)
    from krm_dynamo.usage import unknown_command  # here: only a mistyped command pays for it

    raise UsageError(unknown_command(args[0]))


def say(stderr: TextIO, text: str) -> None:
    """Write to stderr; a stderr that cannot be written to must not turn into a crash."""
    try:
        stderr.write(text)
        stderr.flush()
    except (OSError, ValueError):
        pass


def run_function(stdin: BinaryIO, stdout: TextIO, stderr: TextIO) -> int:
    """KRM function mode: one ResourceList in, one out, results included.

    The output is written in parts (:func:`~krm_dynamo.kio.resourcelist.resource_list_parts`),
    each item dropped once written, after everything that can go wrong with the input has
    been decided: never half an output.
    """
    import gc

    from krm_dynamo.kio import files
    from krm_dynamo.kio import resourcelist as krm

    if hasattr(stdin, "isatty") and stdin.isatty():
        raise UsageError("no ResourceList on stdin (run under kpt or kustomize, or use `krm-dynamo render FILE`)")
    rl = krm.read_resource_list(files.read_stream(stdin, "stdin"))
    # The cyclic garbage collector stays paused while the objects are built and written: they
    # are many small dicts freed by reference counting, and hold no cycles to collect; its
    # passes over them only cost time.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        from krm_dynamo import core

        items, results = core.expand(rl.items, rl.function_config)
        if any(result.severity in _SHOWN for result in results):
            from krm_dynamo import kptview  # here: only a run with a problem to show pays for it

            if kptview.run_by_kpt(rl.items):
                results = kptview.with_files(results)  # kpt prints results, not the file: once, with it
            else:
                report(results, stderr)
        parts = krm.resource_list_parts(items, results, rl.function_config, rl.api_version, release=True)
        rl.items = []  # the output list holds the items now: each one is freed once written
        for part in parts:
            files.write_all(stdout, part)
    finally:
        if was_enabled:
            gc.enable()
    return 1 if has_errors(results) else 0


def run_render(args: list[str], stdout: TextIO, stderr: TextIO) -> int:
    """``render``: expand plain YAML files and print what should be applied (:func:`krm_dynamo.commands.run_render`)."""
    from krm_dynamo import commands  # here: only the command pays for it, never function mode

    return commands.run_render(args, stdout, stderr)


def run_schema(args: list[str], stdout: TextIO) -> int:
    """``schema``: the DGD's JSON Schema from the function's own models (:func:`krm_dynamo.commands.run_schema`)."""
    from krm_dynamo import commands  # here: only the command pays for it, never function mode

    return commands.run_schema(args, stdout)


def run_explain(args: list[str], stdout: TextIO, stderr: TextIO) -> int:
    """``explain``: the operator's defaults, or each field's origin (:func:`krm_dynamo.commands.run_explain`)."""
    from krm_dynamo import commands  # here: only the command pays for it, never function mode

    return commands.run_explain(args, stdout, stderr)


def report(results: list[Result], stderr: TextIO) -> None:
    """Each error and warning of ``results`` as one line on ``stderr`` (kustomize shows only stderr)."""
    lines = [result.line_text() + "\n" for result in results if result.severity in _SHOWN]
    say(stderr, "".join(lines))
