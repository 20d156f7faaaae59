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
documents, and an alias across them breaks the build), and keeps key order. Values are
written as libyaml events straight from the Python values (:class:`_Writer`): no node
tree, no resolver calls per node. The C parser and emitter are used when libyaml is
available; the cyclic garbage collector is paused during parse and emit (it makes large
parses superlinear). Every error is an :class:`InputError` whose message is one line
naming the place (:mod:`krm_dynamo.kio.yamlerrors`).
"""

from __future__ import annotations

import gc
import io
from collections.abc import Iterator
from typing import Any

import yaml
from yaml import events
from yaml.events import MappingEndEvent, MappingStartEvent, ScalarEvent, SequenceEndEvent, SequenceStartEvent

from krm_dynamo.kio import display, loader, scalars

_Emitter: Any
try:  # libyaml: about 5x faster than the pure-Python emitter
    from yaml._yaml import CEmitter as _Emitter
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml.emitter import Emitter as _Emitter


class InputError(Exception):
    """Input that cannot be read; the message is one readable line (user text escaped)."""

    def __init__(self, message: str) -> None:
        super().__init__(display.escape(message))


LineNode = loader.LineNode
_STR, _NULL, _BOOL, _INT = scalars.STR, scalars.NULL, scalars.BOOL, scalars.INT
_MAP_START = MappingStartEvent(None, scalars.TAG_PREFIX + "map", True, flow_style=False)
_SEQ_START = SequenceStartEvent(None, scalars.TAG_PREFIX + "seq", True, flow_style=False)
_MAP_END, _SEQ_END = MappingEndEvent(), SequenceEndEvent()
_PLAIN_TEXT = (True, True)  # a string written plain: no tag, read back as a string
_NULL_EVENT = ScalarEvent(None, _NULL, (True, False), "null")
_BOOL_EVENTS = {True: ScalarEvent(None, _BOOL, (True, False), "true"),
                False: ScalarEvent(None, _BOOL, (True, False), "false")}  # fmt: skip


def text_event(text: str) -> ScalarEvent:
    """The event for a string: quoted as go-yaml v3 does, because kpt writes our style back into the user's files.

    A string another reader would take for a bool, number or null gets double quotes
    (``"true"``, ``"8000"``, ``"y"``); text plain style cannot hold falls back to single
    quotes in the emitter; multi-line text (scripts, JSON blobs) is a literal block. The
    implicit flags are the ones PyYAML's serializer derives from go-yaml v3's resolver: a plain
    string that resolves to a string needs no tag (``needs_quotes`` is false only for such text).
    """
    if "\n" in text:
        return ScalarEvent(None, _STR, (scalars.implicit_tag(text) == _STR, True), text, style="|")
    if scalars.needs_quotes(text):
        return ScalarEvent(None, _STR, (scalars.implicit_tag(text) == _STR, True), text, style='"')
    return ScalarEvent(None, _STR, _PLAIN_TEXT, text)


class _Writer:
    """One stream's values as events, in document order; each distinct string's event is made once per stream."""

    __slots__ = ("emit", "representer", "texts")

    def __init__(self, emit: Any) -> None:
        self.emit = emit
        self.texts: dict[str, ScalarEvent] = {}
        self.representer: yaml.representer.SafeRepresenter | None = None

    def value(self, data: Any) -> None:
        """Mappings and lists recurse; strings (most scalars) are looked up inline, without a call."""
        emit, texts, kind = self.emit, self.texts, type(data)
        if kind is dict:
            emit(_MAP_START)
            for key, item in data.items():
                if type(key) is str:
                    event = texts.get(key)
                    emit(event if event is not None else self.text(key))
                else:
                    self.key(key)
                if type(item) is str:
                    event = texts.get(item)
                    emit(event if event is not None else self.text(item))
                else:
                    self.value(item)
            emit(_MAP_END)
        elif kind is list:
            emit(_SEQ_START)
            for item in data:
                if type(item) is str:
                    event = texts.get(item)
                    emit(event if event is not None else self.text(item))
                else:
                    self.value(item)
            emit(_SEQ_END)
        elif kind is str:
            event = texts.get(data)
            emit(event if event is not None else self.text(data))
        else:
            emit(self.scalar(data))

    def text(self, text: str) -> ScalarEvent:
        event = self.texts[text] = text_event(text)
        return event

    def key(self, key: Any) -> None:
        if type(key) is scalars.PlainKey:  # a non-string key (``1``, ``true``) written plain, exactly as it came
            tag = scalars.implicit_tag(key)
            self.emit(ScalarEvent(None, tag, (True, tag == _STR), str(key)))
        else:
            self.value(key)

    def scalar(self, data: Any) -> ScalarEvent:
        """Any other scalar: the loader's kinds of text, then what PyYAML's safe representer makes of it."""
        kind = type(data)
        if data is None:
            return _NULL_EVENT
        if kind is bool:
            return _BOOL_EVENTS[data]
        if kind is int:  # past go-yaml v3's 64 bits the text reads as a float: then written `!!int ...`
            text = str(data)
            return ScalarEvent(None, _INT, (scalars.implicit_tag(text) == _INT, False), text)
        if kind is scalars.PlainKey:
            return self.texts.get(data) or text_event(str(data))  # as a value: text like any other
        if kind is scalars.Timestamp:  # no resolver gives !!timestamp, so the tag is written: `!!timestamp 2001-12-14`
            return ScalarEvent(None, scalars.TIMESTAMP, (False, False), str(data))
        if kind is scalars.PlainDate:  # plain, as it came
            return ScalarEvent(None, _STR, (scalars.implicit_tag(data) == _STR, True), str(data))
        if self.representer is None:
            self.representer = yaml.representer.SafeRepresenter(default_flow_style=False, sort_keys=False)
        node = self.representer.represent_data(data)  # floats, !!binary bytes; others raise its RepresenterError
        if not isinstance(node, yaml.ScalarNode):  # a set: no value the loader or a builder makes
            raise yaml.representer.RepresenterError(f"cannot represent an object: {data!r}")
        tag, text = node.tag, node.value
        return ScalarEvent(None, tag, (scalars.implicit_tag(text) == tag, tag == _STR), text, style=node.style)


def _gc_paused_call(function: Any, *args: Any) -> Any:
    """``function(*args)`` with the cyclic garbage collector paused (it makes large parses superlinear)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return function(*args)
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
        documents: list[tuple[Any, LineNode | None]] = _gc_paused_call(loader.load_stream, parser, with_lines)
        return documents
    except (loader.LoadError, yaml.YAMLError) as exc:
        from krm_dynamo.kio import yamlerrors  # here: only a run with broken YAML pays for the messages

        raise InputError(yamlerrors.error_line(exc, text, source)) from None
    finally:
        parser.dispose()


def line_of(node: LineNode | None, path: str | None) -> int | None:
    """1-based line of the field at dotted ``path`` (``a.b[2].c``): :func:`krm_dynamo.kio.lines.line_of`."""
    from krm_dynamo.kio import lines  # here: only messages of `render` pay for it

    return lines.line_of(node, path)


# --- writing -----------------------------------------------------------------------------


def dump(data: Any) -> str:
    """One YAML document, block style, no aliases."""
    return dump_all([data])


def dump_all(documents: list[Any]) -> str:
    """A multi-document YAML stream (``---`` between documents)."""
    text: str = _gc_paused_call(_write, documents)
    return text


def _write(documents: list[Any]) -> str:
    stream = io.StringIO()
    emitter = _Emitter(stream, indent=2, width=NEVER_FOLD, allow_unicode=True)
    emit = emitter.emit
    emit(events.StreamStartEvent())
    writer = _Writer(emit)
    for data in documents:
        emit(events.DocumentStartEvent(explicit=False))
        writer.value(data)
        emit(events.DocumentEndEvent(explicit=False))
    emit(events.StreamEndEvent())
    return stream.getvalue()


def dump_all_parts(documents: list[Any], chunk: int = 64, release: bool = False) -> Iterator[str]:
    """``dump_all(documents)`` in texts of at most ``chunk`` documents: :func:`krm_dynamo.kio.parts.dump_all_parts`."""
    from krm_dynamo.kio import parts  # here: only `render` pays for it

    return parts.dump_all_parts(documents, chunk, release)


NEVER_FOLD = 2**31 - 1  # the line width: long strings (commands, JSON values) are never folded
