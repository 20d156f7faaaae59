# SPDX-License-Identifier: Apache-2.0
"""The commands beside function mode: ``render``, ``schema`` and ``explain``, their arguments and output.

:mod:`krm_dynamo.cli` imports this module only when one of them runs: function mode, which
every ``kustomize build`` and ``kpt fn render`` starts, never loads it. Failures a user can
cause raise :class:`~krm_dynamo.cli.UsageError` or an input/output error; the CLI prints them.
"""

from __future__ import annotations

from typing import Any, TextIO

from krm_dynamo.cli import UsageError, report, say
from krm_dynamo.kio.results import LOCAL_CONFIG, Result, has_errors


def run_render(args: list[str], stdout: TextIO, stderr: TextIO) -> int:
    """``render``: expand plain YAML files and print what should be applied."""
    from krm_dynamo import core
    from krm_dynamo.kio import files, sources, yamlio

    paths, config_path, keep_local, allow_empty, version = _parse_render_args(args)
    items, nodes, originals = sources.read_all(paths)  # originals: annotated item -> the document as read
    function_config = None
    if config_path is not None:
        function_config = read_function_config(config_path, nodes)  # its results get their lines too

    out, results = core.expand(items, function_config,
                               overrides={"operatorVersion": version} if version is not None else None)
    results = [with_line(r, nodes) for r in results]
    report(in_file_order(results, items), stderr)
    if has_errors(results):
        return 1  # never half an output
    # A pass-through item comes back as the very object we annotated: print it as it was read.
    from krm_dynamo.ownership import strip_marker  # D33: the marker is for files only

    printable = [
        strip_marker(originals[id(item)] if id(item) in originals else sources.strip_source(item))
        for item in out
        if keep_local or not is_local_config(item)
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


def in_file_order(results: list[Result], items: list[Any]) -> list[Result]:
    """``results`` in the order a reader meets them: by file (in the order the files were read; a
    result about the run, or about the ``--function-config`` file, first), then by line; one without
    a line first in its file, and the order of discovery kept within a line (a stable sort)."""
    from krm_dynamo.kio.results import PATH_ANNOTATIONS, annotations_of

    rank: dict[str, int] = {}
    for item in items:
        annotations = annotations_of(item)
        rank.setdefault(next((str(annotations[k]) for k in PATH_ANNOTATIONS if annotations.get(k)), ""), len(rank))

    def place(result: Result) -> tuple[int, str, int]:
        path = str((result.file or {}).get("path", ""))
        return rank.get(path, -1), path, result.line or 0

    return sorted(results, key=place)


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
    from krm_dynamo import explain, explain_args
    from krm_dynamo.kio import yamlio  # no pydantic, no jsonschema

    if explain_args.names_files(args, explain.COMPONENT_TYPES):
        return _run_explain_files(args, stdout, stderr)
    version, args = operator_version_arg(args, "explain")
    try:
        component_type, backend = explain.parse_args(args)
        document = explain.explain(component_type, backend, explain.release_table(version))
    except explain.ExplainError as exc:
        from krm_dynamo.kio.display import escape

        say(stderr, f"krm-dynamo: {escape(str(exc))}\n")
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
    config_nodes: dict[int, Any] = {}
    function_config = read_function_config(config_path, config_nodes) if config_path else None
    try:
        text = explain_cmd.run(paths, options, function_config, config_path, stderr, config_nodes)
    except explain_cmd.ExplainFileError as exc:
        from krm_dynamo.kio.display import escape

        say(stderr, f"krm-dynamo: {escape(str(exc))}\n")
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
            from krm_dynamo.usage import did_you_mean  # here: only a mistyped option pays for it

            raise UsageError(f"render: unknown option {arg!r}{did_you_mean(arg, RENDER_OPTIONS)}")
        else:
            paths.append(arg)
    if not paths:
        raise UsageError("render: name at least one FILE, DIR or - (stdin)")
    return paths, config_path, keep_local, allow_empty, version


RENDER_OPTIONS = ("--function-config", "--keep-local-config", "--operator-version", "--allow-empty")




def read_function_config(path: str, nodes: dict[int, Any] | None = None) -> dict[str, Any]:
    """The one object of a ``--function-config FILE``, annotated with its file as ``render``'s inputs
    are, so that its results name ``FILE:LINE:`` (with ``nodes``, its line map joins them under
    ``id(object)``, as :func:`with_line` reads them).

    Raises:
        InputError: the file cannot be read, or holds anything but exactly one KrmDynamoConfig or
            ConfigMap (the message names the line of the second document, or of the wrong one).
    """
    import os

    from krm_dynamo.kio import sources
    from krm_dynamo.kio.display import a_type_name
    from krm_dynamo.kio.files import read_file
    from krm_dynamo.kio.yamlio import InputError, decode, load_documents_with_nodes

    source = os.path.normpath(path).replace(os.sep, "/")  # as render names its files
    docs = [(d, n) for d, n in load_documents_with_nodes(decode(read_file(path), source), source) if d is not None]
    if len(docs) != 1 or not isinstance(docs[0][0], dict):
        where = f":{docs[1 if len(docs) > 1 else 0][1].line}" if docs else ""
        found = f"{len(docs)} documents" if len(docs) > 1 else "no document" if not docs else a_type_name(docs[0][0])
        raise InputError(f"{source}{where}: --function-config must hold exactly one object "
                         f"(a KrmDynamoConfig or a ConfigMap), found {found}")
    doc, node = docs[0]
    from krm_dynamo.config import CONFIG_API_VERSION, CONFIG_KIND, is_config_object

    if not is_config_object(doc) and (doc.get("apiVersion"), doc.get("kind")) != ("v1", "ConfigMap"):
        from krm_dynamo.kio.display import describe

        found = f"{describe('apiVersion', doc.get('apiVersion'))}, {describe('kind', doc.get('kind'))}"
        raise InputError(f"{source}:{node.line}: --function-config must be a {CONFIG_KIND} (apiVersion: "
                         f"{CONFIG_API_VERSION}) or a v1 ConfigMap, found {found}")
    annotated: dict[str, Any] = sources.annotate_source(doc, source, 0)
    if nodes is not None:
        nodes[id(annotated)] = node
    return annotated


def is_local_config(item: Any) -> bool:
    """True for an item annotated ``config.kubernetes.io/local-config: "true"`` (not printed by default)."""
    try:
        value = item["metadata"]["annotations"][LOCAL_CONFIG]
    except (KeyError, TypeError):
        return False
    return str(value).lower() == "true"


def with_line(result: Result, nodes: dict[int, Any]) -> Result:
    """``result`` with the line of its field in the file its resource was read from (``nodes``: id -> YAML node)."""
    from krm_dynamo.kio.yamlio import line_of

    node = nodes.get(id(result.resource))
    if node is None or result.line is not None:
        return result
    return result.with_line(line_of(node, result.field_path))
