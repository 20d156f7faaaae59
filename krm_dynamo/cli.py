# SPDX-License-Identifier: Apache-2.0
"""Command line: the KRM function (stdin -> stdout) and ``render`` for plain files.

Thin I/O around :func:`krm_dynamo.core.expand`. Every failure a user can cause ends
here as one readable stderr line per problem and exit code 1, never a traceback.
kustomize shows only a function's stderr, so errors and warnings go there as well as
into ``results``.
"""

from __future__ import annotations

import os
import sys
from typing import Any, BinaryIO, TextIO

from krm_dynamo import __version__
from krm_dynamo.kio.results import LOCAL_CONFIG, Result, has_errors


def usage() -> str:
    """The ``--help`` text (:mod:`krm_dynamo.usage`)."""
    from krm_dynamo.usage import text

    return text()


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
        _say(sys.stderr, f"krm-dynamo: {exc}\n\n{usage()}")
    except (InputError, OutputError) as exc:
        _say(sys.stderr, f"krm-dynamo: {exc}\n")
    except KeyboardInterrupt:
        return 130
    except (RecursionError, MemoryError) as exc:
        # Bounded by the limits (README "Limits"); a backstop, never expected.
        what = "nested too deeply" if isinstance(exc, RecursionError) else "too large for the memory available"
        _say(sys.stderr, f"krm-dynamo: the input is {what} to process\n")
    except Exception as exc:
        if os.environ.get("KRM_DYNAMO_DEBUG"):
            raise
        from krm_dynamo.kio.display import escape

        _say(
            sys.stderr,
            f"krm-dynamo: internal error: {type(exc).__name__}: {escape(str(exc))} "
            "(this is a bug in krm-dynamo; set KRM_DYNAMO_DEBUG=1 for details and please report it)\n",
        )
    return 2 if args[:1] == ["diff"] else 1  # diff: 1 means "differs", as in diff(1)


def _dispatch(args: list[str]) -> int:
    from krm_dynamo.kio.files import write_all

    if not args:
        return run_function(sys.stdin.buffer, sys.stdout, sys.stderr)
    if args[0] in ("-h", "--help", "help") or (len(args) > 1 and args[1] in ("-h", "--help")):
        write_all(sys.stdout, usage())  # `krm-dynamo render --help` too: asked for, not a mistake
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
    raise UsageError(f"unknown command or option {args[0]!r}")


def _say(stderr: TextIO, text: str) -> None:
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
        from krm_dynamo import core, kptview

        items, results = core.expand(rl.items, rl.function_config)
        if kptview.run_by_kpt(rl.items):
            results = kptview.with_files(results)  # kpt prints results, not the file: once, with it
        else:
            _report(results, stderr)
        parts = krm.resource_list_parts(items, results, rl.function_config, rl.api_version, release=True)
        rl.items = []  # the output list holds the items now: each one is freed once written
        for part in parts:
            files.write_all(stdout, part)
    finally:
        if was_enabled:
            gc.enable()
    return 1 if has_errors(results) else 0


def run_render(args: list[str], stdout: TextIO, stderr: TextIO) -> int:
    """``render``: expand plain YAML files and print what should be applied."""
    from krm_dynamo import core
    from krm_dynamo.kio import files, sources, yamlio

    paths, config_path, keep_local, allow_empty, version = _parse_render_args(args)
    items, nodes, originals = sources.read_all(paths)  # originals: annotated item -> the document as read
    function_config = None
    if config_path is not None:
        function_config = _read_function_config(config_path)

    out, results = core.expand(items, function_config,
                               overrides={"operatorVersion": version} if version is not None else None)
    results = [_with_line(r, nodes) for r in results]
    _report(results, stderr)
    if has_errors(results):
        return 1  # never half an output
    # A pass-through item comes back as the very object we annotated: print it as it was read.
    from krm_dynamo.ownership import strip_marker  # D33: the marker is for files only

    printable = [
        strip_marker(originals[id(item)] if id(item) in originals else sources.strip_source(item))
        for item in out
        if keep_local or not _is_local_config(item)
    ]
    if not printable and not allow_empty:
        raise yamlio.InputError(  # an empty stream would look like "delete everything" to Argo CD
            f"render: nothing to print: {_no_objects(items)} in {', '.join(paths)} "
            "(pass --allow-empty to print an empty stream on purpose)"
        )
    if printable:
        for part in yamlio.dump_all_parts(printable, release=True):  # a few documents at a time
            files.write_all(stdout, part)
    return 0


def _no_objects(items: list[Any]) -> str:
    if not items:
        return "no objects"
    return f"all {len(items)} objects are local-config (use --keep-local-config to print them)"


def run_schema(args: list[str], stdout: TextIO) -> int:
    """``schema``: the DGD's JSON Schema from the function's own models (yaml-language-server)."""
    version, rest = operator_version_arg(args, "schema")
    if rest:
        raise UsageError(f"schema: takes only --operator-version, got {rest[0]!r}")
    from krm_dynamo.api import schema  # pydantic only when asked for
    from krm_dynamo.kio.files import write_all

    write_all(stdout, schema.dump(version))
    return 0


def run_explain(args: list[str], stdout: TextIO, stderr: TextIO) -> int:
    """``explain``: the operator's defaults for a component type, each with its source."""
    from krm_dynamo import explain
    from krm_dynamo.kio import yamlio  # no pydantic, no jsonschema

    if any(a in ("-h", "--help") for a in args):
        raise UsageError("explain: usage below")
    from krm_dynamo import explain_args

    if explain_args.names_files(args, explain.COMPONENT_TYPES):
        return _run_explain_files(args, stdout, stderr)
    version, args = operator_version_arg(args, "explain")
    try:
        component_type, backend = explain.parse_args(args)
        document = explain.explain(component_type, backend, explain.release_table(version))
    except explain.ExplainError as exc:
        from krm_dynamo.kio.display import escape

        _say(stderr, f"krm-dynamo: {escape(str(exc))}\n")
        return 1
    from krm_dynamo.kio.files import write_all

    write_all(stdout, yamlio.dump(document))
    return 0


def _run_explain_files(args: list[str], stdout: TextIO, stderr: TextIO) -> int:
    """``explain FILE``: render as ``render`` does, then print each field's origin (or a diagram)."""
    from krm_dynamo import explain_args, explain_cmd
    from krm_dynamo.kio.files import write_all

    try:
        paths, options = explain_args.parse(args)
    except explain_args.ExplainUsageError as exc:
        raise UsageError(str(exc)) from None
    config_path = options.get("function-config")
    function_config = _read_function_config(config_path) if config_path else None
    try:
        text = explain_cmd.run(paths, options, function_config, config_path)
    except explain_cmd.ExplainFileError as exc:
        from krm_dynamo.kio.display import escape

        _say(stderr, f"krm-dynamo: {escape(str(exc))}\n")
        return 1
    write_all(stdout, text)
    return 0


def operator_version_arg(args: list[str], command: str) -> tuple[str, list[str]]:
    """``(release, other args)``: the value of ``--operator-version V`` (default: the setting's default).

    Raises:
        UsageError: a missing, repeated or unknown release.
    """
    from krm_dynamo.config import FunctionConfig
    from krm_dynamo.config_values import convert

    row = FunctionConfig.operatorVersion
    found: str | None = None
    rest: list[str] = []
    it = iter(args)
    for arg in it:
        if arg == "--operator-version" or arg.startswith("--operator-version="):
            value = arg.partition("=")[2] if "=" in arg else next(it, None)
            if not value:
                raise UsageError(f"{command}: --operator-version needs a value ({', '.join(row.choices)})")
            if found is not None:
                raise UsageError(f"{command}: --operator-version given twice")
            try:
                found = convert(row, value, from_string=True)
            except ValueError as exc:
                raise UsageError(f"{command}: {exc}") from None
        else:
            rest.append(arg)
    return (found if found is not None else row.default), rest


def _parse_render_args(args: list[str]) -> tuple[list[str], str | None, bool, bool, str | None]:
    paths: list[str] = []
    config_path = None
    keep_local = allow_empty = False
    version: str | None = None
    if any(a == "--operator-version" or a.startswith("--operator-version=") for a in args):
        version, args = operator_version_arg(args, "render")
    it = iter(args)
    for arg in it:
        if arg in ("-h", "--help"):
            raise UsageError("render: usage below")
        if arg == "--keep-local-config":
            keep_local = True
        elif arg == "--allow-empty":
            allow_empty = True
        elif arg == "--function-config" or arg.startswith("--function-config="):
            value = arg.partition("=")[2] if "=" in arg else next(it, None)
            if not value:
                raise UsageError("render: --function-config needs a FILE")
            config_path = value
        elif arg.startswith("-") and arg != "-":
            raise UsageError(f"render: unknown option {arg!r}")
        else:
            paths.append(arg)
    if not paths:
        raise UsageError("render: name at least one FILE, DIR or - (stdin)")
    return paths, config_path, keep_local, allow_empty, version


def _read_function_config(path: str) -> dict[str, Any]:
    from krm_dynamo.kio.files import read_file
    from krm_dynamo.kio.yamlio import InputError, decode, load_documents

    docs = [d for d in load_documents(decode(read_file(path), path), path) if d is not None]
    if len(docs) != 1 or not isinstance(docs[0], dict):
        raise InputError(f"{path}: --function-config must hold exactly one object (a KrmDynamoConfig or a ConfigMap)")
    return docs[0]


def _is_local_config(item: Any) -> bool:
    try:
        value = item["metadata"]["annotations"][LOCAL_CONFIG]
    except (KeyError, TypeError):
        return False
    return str(value).lower() == "true"


def _with_line(result: Result, nodes: dict[int, Any]) -> Result:
    from krm_dynamo.kio.yamlio import line_of

    node = nodes.get(id(result.resource))
    if node is None or result.line is not None:
        return result
    return result.with_line(line_of(node, result.field_path))


def _report(results: list[Result], stderr: TextIO) -> None:
    lines = [result.line_text() + "\n" for result in results if result.severity in ("error", "warning")]
    _say(stderr, "".join(lines))
