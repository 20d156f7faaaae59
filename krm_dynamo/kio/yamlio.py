# SPDX-License-Identifier: Apache-2.0
"""Reading and writing YAML at the edge, with the meaning kpt and kustomize give it.

kpt and kustomize read YAML with go-yaml v3 (kyaml): ``true``/``false`` are the only
booleans (``yes``, ``on``, ``Off``, ``NO`` are strings), integers may be written
``0x1F``, ``0o17``, ``0b101`` or as 1.1-style octals ``0644``, and timestamps are
not a type of their own (:mod:`krm_dynamo.kio.scalars`). Documents are built from
libyaml's events by :mod:`krm_dynamo.kio.loader` (bounded depth and aliasing, go-yaml v3's
keys, tags and merges); dumping quotes every string that *either* a YAML 1.1 or a
YAML 1.2 reader would take for something else, so that the output means the same to
every tool downstream.

Output is block style, never uses anchors or aliases (kustomize splits items into
documents, and an alias across them breaks the build), and keeps key order.
The C parser and emitter are used when libyaml is available; the cyclic garbage
collector is paused during parse and emit (it makes large parses superlinear).
Every error is an :class:`InputError` whose message is one line naming the place.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import yaml

from krm_dynamo.kio import display, limits, loader, scalars

try:  # libyaml: about 5x faster than the pure-Python emitter
    from yaml import CSafeDumper as _BaseDumper
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeDumper as _BaseDumper  # type: ignore[assignment]


class InputError(Exception):
    """Input that cannot be read; the message is one readable line (user text escaped)."""

    def __init__(self, message: str) -> None:
        super().__init__(display.escape(message))


LineNode = loader.LineNode
_MAP, _SEQ = scalars.TAG_PREFIX + "map", scalars.TAG_PREFIX + "seq"


class Dumper(_BaseDumper):
    """Block-style, alias-free dumper that quotes every ambiguous string."""

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        """go-yaml v3's implicit tag for a plain scalar, so that ints, floats, bools stay plain."""
        if kind is yaml.ScalarNode:
            return scalars.implicit_tag(value) if implicit[0] else scalars.STR
        return _SEQ if kind is yaml.SequenceNode else _MAP

    def represent_data(self, data: Any) -> yaml.Node:
        representer = _REPRESENTERS.get(type(data))
        if representer is not None:
            node: yaml.Node = representer(self, data)
            return node
        fallback: yaml.Node = super().represent_data(data)
        return fallback


def _represent_str(dumper: Dumper, data: str) -> yaml.ScalarNode:
    """Quote as go-yaml v3 does, because kpt writes our style back into the user's files.

    A string another reader would take for a bool, number or null gets double quotes
    (``"true"``, ``"8000"``, ``"y"``); text plain style cannot hold falls back to single
    quotes in the emitter; multi-line text (scripts, JSON blobs) is a literal block.
    """
    if "\n" in data:
        return yaml.ScalarNode(scalars.STR, data, style="|")
    if scalars.needs_quotes(data):
        return yaml.ScalarNode(scalars.STR, data, style='"')
    return yaml.ScalarNode(scalars.STR, data)


def _represent_dict(dumper: Dumper, data: dict[Any, Any]) -> yaml.MappingNode:
    represent = dumper.represent_data
    pairs = [(_key_node(k) if type(k) is scalars.PlainKey else represent(k), represent(v)) for k, v in data.items()]
    return yaml.MappingNode(_MAP, pairs, flow_style=False)


def _key_node(key: scalars.PlainKey) -> yaml.ScalarNode:
    """A non-string key (``1``, ``true``, ``1.0``) written plain, exactly as it came."""
    return yaml.ScalarNode(scalars.implicit_tag(key), str(key))


def _represent_list(dumper: Dumper, data: list[Any]) -> yaml.SequenceNode:
    represent = dumper.represent_data
    return yaml.SequenceNode(_SEQ, [represent(item) for item in data], flow_style=False)


def _represent_timestamp(dumper: Dumper, data: str) -> yaml.ScalarNode:
    return yaml.ScalarNode(scalars.TIMESTAMP, str(data))  # written with its tag: `!!timestamp 2001-12-14`


_REPRESENTERS: dict[type, Any] = {
    str: _represent_str,
    dict: _represent_dict,
    list: _represent_list,
    scalars.PlainKey: lambda dumper, data: _represent_str(dumper, str(data)),  # as a value: text like any other
    scalars.Timestamp: _represent_timestamp,
    scalars.PlainDate: lambda dumper, data: yaml.ScalarNode(scalars.STR, str(data)),  # plain, as it came
}


@contextmanager
def _gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# --- reading -----------------------------------------------------------------------------


def decode(data: bytes, source: str) -> str:
    """UTF-8 text of ``data``; a clear error for anything else (KRM mandates UTF-8)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{source}: input must be UTF-8 encoded; "
            f"byte 0x{data[exc.start]:02x} at offset {exc.start} is not valid UTF-8"
        ) from None
    return text[1:] if text.startswith("\ufeff") else text


def load_documents(text: str, source: str) -> list[Any]:
    """All documents of a YAML stream, as plain Python values."""
    return [data for data, _lines in _load(text, source, with_lines=False)]


def load_documents_with_nodes(text: str, source: str) -> list[tuple[Any, LineNode]]:
    """Documents with where each value was written, so that messages can name lines."""
    return _load(text, source, with_lines=True)  # type: ignore[return-value]


def _load(text: str, source: str, with_lines: bool) -> list[tuple[Any, LineNode | None]]:
    parser = loader.parser_for(text)
    try:
        with _gc_paused():
            return loader.load_stream(parser, with_lines)
    except loader.LoadError as exc:
        column = f":{exc.column}" if exc.column is not None else ""
        raise InputError(f"{source}:{exc.line}{column}: invalid YAML: {exc.message}") from None
    except yaml.MarkedYAMLError as exc:
        raise InputError(_yaml_error_line(exc, source)) from None
    except yaml.reader.ReaderError as exc:
        raise InputError(_reader_error_line(exc, text, source)) from None
    except yaml.YAMLError as exc:
        raise InputError(f"{source}: invalid YAML: {exc}") from None
    finally:
        parser.dispose()


# libyaml 0.2.6 (PyYAML >= 6.0.4) stops at 1,000 levels of its own, sometimes before the
# loader sees level 101 (it scans flow collections ahead): the same limit, in the same words.
_LIBYAML_DEPTH = "exceeded maximum nesting depth"


def _yaml_error_line(exc: yaml.MarkedYAMLError, source: str) -> str:
    mark = exc.problem_mark or exc.context_mark
    where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark is not None else source
    if _LIBYAML_DEPTH in (exc.problem or ""):
        return f"{where}: invalid YAML: collections nested deeper than {limits.MAX_DEPTH} levels (the limit)"
    problem = exc.problem or exc.context or "invalid YAML"
    context = f" ({exc.context})" if exc.context and exc.problem else ""
    return f"{where}: invalid YAML: {problem}{context}"


def _reader_error_line(exc: yaml.reader.ReaderError, text: str, source: str) -> str:
    """libyaml reports a bad character by byte offset: turn it into a line."""
    before = text.encode("utf-8", "surrogatepass")[: exc.position]
    line = before.count(b"\n") + 1
    what = f"character U+{exc.character:04X}" if isinstance(exc.character, int) else "a character"
    return f"{source}:{line}: invalid YAML: {what} is not allowed in YAML ({exc.reason})"


def line_of(node: LineNode | None, path: str | None) -> int | None:
    """1-based line of the field at dotted ``path`` (``a.b[2].c``) in a document's lines.

    Falls back to the deepest existing ancestor, so a missing field points at its parent.
    """
    if node is None:
        return None
    line = node.line
    for part in _split_path(path or ""):
        children = node.children
        if isinstance(part, int):
            if not isinstance(children, list) or not 0 <= part < len(children) or children[part] is None:
                break
            node = children[part]
            line = node.line
        else:
            if not isinstance(children, dict) or part not in children:
                break
            line, child = children[part]
            if child is None:
                break
            node = child
    return line


def _split_path(path: str) -> list[str | int]:
    """``a.b[2].c`` -> ``["a", "b", 2, "c"]``."""
    parts: list[str | int] = []
    for piece in path.split("."):
        name, _, rest = piece.partition("[")
        if name:
            parts.append(name)
        for index in rest.split("[") if rest else ():
            number = index.rstrip("]")
            if number.isdigit():
                parts.append(int(number))
    return parts


# --- writing -----------------------------------------------------------------------------


def dump(data: Any) -> str:
    """One YAML document, block style, no aliases."""
    return dump_all([data])


def dump_all(documents: list[Any]) -> str:
    """A multi-document YAML stream (``---`` between documents)."""
    with _gc_paused():
        text: str = yaml.dump_all(
            documents,
            Dumper=Dumper,
            sort_keys=False,
            default_flow_style=False,
            allow_unicode=True,
            width=_NEVER_FOLD,
            indent=2,
        )
        return text


def dump_all_parts(documents: list[Any], chunk: int = 64, release: bool = False) -> Iterator[str]:
    """``dump_all(documents)`` as texts of at most ``chunk`` documents each; joined, the same text.

    For ``render``: the writer's node tree holds a few documents, never the whole stream. Every
    part after the first is written after a stand-in document (``{}``, its text cut off again),
    so that its first document gets the separator the whole stream gives it; a part's end marker
    (``...``, see :func:`dump_part`) is kept only on the last one (the emitter forgets it at the
    next document). With ``release`` each document is dropped from ``documents`` once formatted.
    """
    if len(documents) <= chunk:
        text = dump_all(documents)
        if release:
            documents[:] = [None] * len(documents)
        yield text
        return
    for start in range(0, len(documents), chunk):
        part = documents[start:start + chunk]
        if release:
            documents[start:start + len(part)] = [None] * len(part)
        text = dump_all([{}, *part] if start else part)[len(_STAND_IN_DOCUMENT) if start else 0:]
        del part
        if start + chunk < len(documents) and text.endswith("\n" + END_MARKER):
            text = text[: -len(END_MARKER)]
        yield text


_STAND_IN_DOCUMENT = "{}\n"  # the text of the stand-in document `{}` at the start of a stream


def dump_part(data: list[Any] | dict[str, Any], open_ended: bool = False) -> tuple[str, bool]:
    """``data`` as one part of a longer document: its text without the end marker, and whether
    the document is left open-ended after it.

    For a document written in parts (the ResourceList: :mod:`~krm_dynamo.kio.resourcelist`),
    each part a top-level block sequence or mapping, which is written exactly as the same
    sequence or mapping under a key at column 0. The one state the emitter carries from part
    to part is the end marker: libyaml ends a document with ``...`` when its last block scalar
    kept its final line breaks (``|+``). ``open_ended`` says that the parts before left it so;
    the part is then written after a stand-in block scalar that does (its text is cut off
    again), so that the answer is the whole document's. ``data`` must be a non-empty list or
    mapping: its text then starts with ``- `` or a key, and a line ``...`` at column 0 can
    only be the marker.
    """
    if open_ended:
        stand_in, prefix = (_KEEP_ITEM if isinstance(data, list) else _KEEP_KEY)
        text = dump([stand_in, *data] if isinstance(data, list) else {stand_in: stand_in, **data})
        text = text[len(prefix):]
    else:
        text = dump(data)
    if text.endswith("\n" + END_MARKER):
        return text[: -len(END_MARKER)], True
    return text, False


END_MARKER = "...\n"
# A string written as a block scalar that keeps its line breaks, and its text as an item or a key.
_KEEP_ITEM = ("keep\n\n", "- |+\n  keep\n\n")
_KEEP_KEY = ("keep\n\n", '? |+\n  keep\n\n: |+\n  keep\n\n')
_NEVER_FOLD = 2**31 - 1  # the line width: long strings (commands, JSON values) are never folded
