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
from collections.abc import Iterable
from typing import Any, BinaryIO, TextIO

from krm_dynamo import __version__
from krm_dynamo.kio.results import INDEX_ANNOTATIONS, LOCAL_CONFIG, PATH_ANNOTATIONS, Result, has_errors

_USAGE = """\
usage: krm-dynamo                      read a ResourceList on stdin, write it to stdout (KRM function)
       krm-dynamo render [options] PATH...
                                       expand plain YAML files, directories or - (stdin)
       krm-dynamo schema                JSON Schema of a DynamoGraphDeployment (for editors)
       krm-dynamo explain [frontend|worker|planner|other] [--backend vllm|sglang|trtllm]
                                       every default the operator injects, each with its source
       krm-dynamo --help | --version

Expands every DynamoGraphDeployment (nvidia.com/v1alpha1) into the Deployments,
Services, Ingresses, VirtualServices, HorizontalPodAutoscalers, PersistentVolumeClaims,
and for multinode services LeaderWorkerSets with Volcano PodGroups (or one Grove
PodCliqueSet), that the Dynamo operator would create, with every default applied.
Every other object passes through unchanged.

KRM function mode (kustomize, kpt):
  The functionConfig is a ConfigMap (`kpt fn eval ... -- natsServer=nats://...`) or a
  KrmDynamoConfig (apiVersion: fn.krm-dynamo.dev/v1alpha1); a KrmDynamoConfig among the
  items is read too (kpt `configPath: dgd.yaml`, where the functionConfig is the DGD).
  The DGD stays in the output annotated config.kubernetes.io/local-config: "true".

render options:
  --function-config FILE   a KrmDynamoConfig or ConfigMap with the settings
  --keep-local-config      also print objects annotated config.kubernetes.io/local-config
                           (the DGD itself); left out by default, as kustomize build does

{settings}
Editors: `krm-dynamo schema > dgd.schema.json`, then in a DGD file the modeline
  # yaml-language-server: $schema=dgd.schema.json

Exit status: 0 on success, 1 when any error was found (errors are printed on stderr
and, in function mode, returned as results).
"""



def usage() -> str:
    """The ``--help`` text; its settings list comes from the settings table."""
    from krm_dynamo.config_doc import help_text

    return _USAGE.replace("{settings}\n", help_text() + "\n")


_RENDER_STRIP = PATH_ANNOTATIONS + INDEX_ANNOTATIONS  # what `kustomize build` strips too
_NOT_RESOURCES = {"kustomization.yaml", "kustomization.yml", "Kustomization"}


class UsageError(Exception):
    """Wrong command-line arguments."""


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script and of ``python -m krm_dynamo``."""
    from krm_dynamo.kio.yamlio import InputError

    args = sys.argv[1:] if argv is None else argv
    try:
        if not args:
            return run_function(sys.stdin.buffer, sys.stdout, sys.stderr)
        if args[0] in ("-h", "--help", "help"):
            sys.stdout.write(usage())
            return 0
        if args[0] == "--version":
            sys.stdout.write(f"krm-dynamo {__version__}\n")
            return 0
        if args[0] == "render":
            return run_render(args[1:], sys.stdout, sys.stderr)
        if args[0] == "schema":
            return run_schema(args[1:], sys.stdout)
        if args[0] == "explain":
            return run_explain(args[1:], sys.stdout, sys.stderr)
        raise UsageError(f"unknown command or option {args[0]!r}")
    except UsageError as exc:
        sys.stderr.write(f"krm-dynamo: {exc}\n\n{usage()}")
        return 1
    except InputError as exc:
        sys.stderr.write(f"krm-dynamo: {exc}\n")
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 1
    except Exception as exc:
        if os.environ.get("KRM_DYNAMO_DEBUG"):
            raise
        sys.stderr.write(
            f"krm-dynamo: internal error: {type(exc).__name__}: {exc} "
            "(this is a bug in krm-dynamo; set KRM_DYNAMO_DEBUG=1 for details and please report it)\n"
        )
        return 1


def run_function(stdin: BinaryIO, stdout: TextIO, stderr: TextIO) -> int:
    """KRM function mode: one ResourceList in, one out, results included."""
    from krm_dynamo.kio import resourcelist as krm

    if hasattr(stdin, "isatty") and stdin.isatty():
        raise UsageError("no ResourceList on stdin (run under kpt or kustomize, or use `krm-dynamo render FILE`)")
    rl = krm.read_resource_list(stdin.read())
    items, results = _expand_without_gc(rl.items, rl.function_config)
    from krm_dynamo import kptview

    if kptview.run_by_kpt(rl.items):
        results = kptview.with_files(results)  # kpt prints results, not the file: once, with it
    else:
        _report(results, stderr)
    stdout.write(krm.write_resource_list(items, results, rl.function_config, rl.api_version))
    return 1 if has_errors(results) else 0


def _expand_without_gc(items: list[Any], function_config: Any) -> tuple[list[Any], list[Result]]:
    """``core.expand`` with the cyclic garbage collector paused, as it is while YAML is read and written.

    The expansion allocates many small dicts and frees them by reference counting; the
    collector's passes over them only cost time (the output holds no cycles to collect).
    """
    import gc

    from krm_dynamo import core

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return core.expand(items, function_config)
    finally:
        if was_enabled:
            gc.enable()


def run_render(args: list[str], stdout: TextIO, stderr: TextIO) -> int:
    """``render``: expand plain YAML files and print what should be applied."""
    from krm_dynamo import core
    from krm_dynamo.kio import yamlio

    paths, config_path, keep_local = _parse_render_args(args)
    items: list[Any] = []
    nodes: dict[int, Any] = {}
    originals: dict[int, Any] = {}  # annotated item -> the document as read
    for path in paths:
        for doc, node, source, index in _read_sources(path):
            items.append(_annotate_source(doc, source, index))
            nodes[id(items[-1])] = node
            originals[id(items[-1])] = doc
    function_config = None
    if config_path is not None:
        function_config = _read_function_config(config_path)

    out, results = core.expand(items, function_config)
    results = [_with_line(r, nodes) for r in results]
    _report(results, stderr)
    if has_errors(results):
        return 1  # never half an output
    # A pass-through item comes back as the very object we annotated: print it as it was read.
    from krm_dynamo.ownership import strip_marker  # D33: the marker is for files only

    printable = [
        strip_marker(originals[id(item)] if id(item) in originals else _strip_source(item))
        for item in out
        if keep_local or not _is_local_config(item)
    ]
    if printable:
        stdout.write(yamlio.dump_all(printable))
    return 0


def run_schema(args: list[str], stdout: TextIO) -> int:
    """``schema``: the DGD's JSON Schema from the function's own models (yaml-language-server)."""
    if args:
        raise UsageError(f"schema: takes no arguments, got {args[0]!r}")
    from krm_dynamo.api import schema  # pydantic only when asked for

    stdout.write(schema.dump())
    return 0


def run_explain(args: list[str], stdout: TextIO, stderr: TextIO) -> int:
    """``explain``: the operator's defaults for a component type, each with its source."""
    from krm_dynamo import explain
    from krm_dynamo.kio import yamlio  # no pydantic, no jsonschema

    if any(a in ("-h", "--help") for a in args):
        raise UsageError("explain: usage below")
    try:
        component_type, backend = explain.parse_args(args)
        document = explain.explain(component_type, backend)
    except explain.ExplainError as exc:
        stderr.write(f"krm-dynamo: {exc}\n")
        return 1
    stdout.write(yamlio.dump(document))
    return 0


def _parse_render_args(args: list[str]) -> tuple[list[str], str | None, bool]:
    paths: list[str] = []
    config_path = None
    keep_local = False
    it = iter(args)
    for arg in it:
        if arg in ("-h", "--help"):
            raise UsageError("render: usage below")
        if arg == "--keep-local-config":
            keep_local = True
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
    return paths, config_path, keep_local


def _read_sources(path: str) -> Iterable[tuple[Any, Any, str, int]]:
    """Yield ``(document, node, source, index)`` for every KRM object under ``path``."""
    from krm_dynamo.kio.resourcelist import RESOURCE_LIST_KIND
    from krm_dynamo.kio.yamlio import InputError, decode, load_documents_with_nodes

    if path == "-":
        files = [("-", sys.stdin.buffer.read())]
    elif os.path.isdir(path):
        files = [(f, _read_bytes(f)) for f in _yaml_files(path)]
    elif os.path.isfile(path):
        files = [(path, _read_bytes(path))]
    else:
        raise InputError(f"{path}: no such file or directory")
    for name, data in files:
        source = "stdin" if name == "-" else os.path.normpath(name).replace(os.sep, "/")
        docs = load_documents_with_nodes(decode(data, source), source)
        index = 0
        for doc, node in docs:
            if doc is None:
                continue
            if isinstance(doc, dict) and doc.get("kind") == RESOURCE_LIST_KIND and isinstance(doc.get("items"), list):
                for item in doc["items"]:  # `kpt fn source | krm-dynamo render -`
                    yield item, None, source, index
                    index += 1
                continue
            if not isinstance(doc, dict):
                raise InputError(
                    f"{source}:{node.start_mark.line + 1}: every YAML document must be a KRM object (a mapping)"
                )
            yield doc, node, source, index
            index += 1


def _yaml_files(directory: str) -> list[str]:
    found = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or name in _NOT_RESOURCES:
                continue
            if name.endswith((".yaml", ".yml")):
                found.append(os.path.join(root, name))
    return found


def _read_bytes(path: str) -> bytes:
    from krm_dynamo.kio.yamlio import InputError

    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None


def _read_function_config(path: str) -> dict[str, Any]:
    from krm_dynamo.kio.yamlio import InputError, decode, load_documents

    docs = [d for d in load_documents(decode(_read_bytes(path), path), path) if d is not None]
    if len(docs) != 1 or not isinstance(docs[0], dict):
        raise InputError(f"{path}: --function-config must hold exactly one object (a KrmDynamoConfig or a ConfigMap)")
    return docs[0]


def _annotate_source(doc: Any, source: str, index: int) -> Any:
    """Record where a document came from, as kpt does, so results can name the file.

    Items whose metadata or annotations are not mappings are left exactly as they are
    (the core reports what is wrong with them, if they matter).
    """
    if not isinstance(doc, dict):
        return doc
    meta = doc.get("metadata")
    if meta is not None and not isinstance(meta, dict):
        return doc
    annotations = (meta or {}).get("annotations")
    if annotations is not None and not isinstance(annotations, dict):
        return doc
    added = {k: (source if "path" in k else str(index)) for k in _RENDER_STRIP if k not in (annotations or {})}
    if not added:
        return doc
    new_meta = dict(meta or {})
    new_meta["annotations"] = {**(annotations or {}), **added}
    new_doc = dict(doc)
    new_doc["metadata"] = new_meta
    return new_doc


def _strip_source(item: Any) -> Any:
    """Remove the path and index annotations, as ``kustomize build`` does, and the
    ownership marker (D33: needed only where output is written back to files)."""
    from krm_dynamo.ownership import GENERATED_FROM

    strip = (*_RENDER_STRIP, GENERATED_FROM)
    if not isinstance(item, dict) or not isinstance(item.get("metadata"), dict):
        return item
    annotations = item["metadata"].get("annotations")
    if not isinstance(annotations, dict) or not any(k in annotations for k in strip):
        return item
    kept = {k: v for k, v in annotations.items() if k not in strip}
    meta = {k: v for k, v in item["metadata"].items() if k != "annotations"}
    if kept:
        meta["annotations"] = kept
    out = dict(item)
    out["metadata"] = meta
    return out


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
    for result in results:
        if result.severity in ("error", "warning"):
            stderr.write(result.line_text() + "\n")
