# SPDX-License-Identifier: Apache-2.0
"""YAML events to Python values, with go-yaml v3's meaning and bounded work.

libyaml (through PyYAML) turns the text into events without recursion; this module builds
the values from them with an explicit stack, so no input can exhaust Python's stack or the
C stack. On the way it enforces what go-yaml v3 enforces and what the limits state:

* nesting depth at most :data:`~krm_dynamo.kio.limits.MAX_DEPTH`, counted through aliases;
* alias expansion bounded exactly as go-yaml v3 bounds it, an alias inside its own anchor
  rejected (``anchor 'a' value contains itself``), an unknown alias rejected;
* duplicate mapping keys rejected, keys compared by their text as go-yaml v3 compares them
  (``1``, ``true`` and ``1.0`` are three keys, kept apart as :class:`~krm_dynamo.kio.scalars.PlainKey`);
* ``<<`` merge keys: explicit keys win, then earlier merged mappings over later ones;
* scalars and tags resolved by :mod:`krm_dynamo.kio.scalars`; tags outside the YAML
  standard set are refused (safe loading: no tag ever builds an object).

An aliased value is the same Python object at each use (as PyYAML shares it); nothing
downstream modifies loaded values.
"""

from __future__ import annotations

from typing import Any

from yaml import events

from krm_dynamo.kio import limits, scalars

_Parser: Any
try:  # libyaml: the parser in C
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    _Parser = None


class LoadError(Exception):
    """A document go-yaml v3 would refuse, or one over a limit; ``line``/``column`` are 1-based."""

    def __init__(self, message: str, line: int, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class LineNode:
    """Where a value was written: its line, and the same for its children (``render`` messages).

    ``children`` is ``{key: (key_line, LineNode)}`` for a mapping, a list for a sequence,
    None for a scalar.
    """

    __slots__ = ("children", "line")

    def __init__(self, line: int, children: Any = None) -> None:
        self.line = line
        self.children = children


class _Frame:
    __slots__ = (
        "anchor", "container", "deep", "depth", "is_map", "key", "key_line", "keys", "lines", "merges", "start",
    )  # fmt: skip

    def __init__(self, container: Any, is_map: bool, depth: int, anchor: str | None, start: int) -> None:
        self.container = container
        self.is_map = is_map
        self.depth = depth
        self.deep = depth  # the deepest level below this collection, aliases included
        self.anchor = anchor
        self.start = start  # nodes decoded before this one (its size when it ends)
        self.key: Any = _NO_KEY
        self.key_line = 0
        self.keys: dict[str, int] | None = {} if is_map else None  # key text -> line, for duplicates
        self.merges: list[tuple[Any, bool]] | None = None
        self.lines: LineNode | None = None


_NO_KEY = object()
_MERGE = object()
_IN_PROGRESS = object()


def parser_for(text: str) -> Any:
    """A libyaml event parser over ``text`` (PyYAML's pure-Python one when libyaml is missing)."""
    if _Parser is not None:
        return _Parser(text)
    from yaml.parser import Parser  # pragma: no cover
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _PyParser(Reader, Scanner, Parser):
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)

    return _PyParser(text)  # pragma: no cover


def load_stream(parser: Any, with_lines: bool = False) -> list[tuple[Any, LineNode | None]]:
    """Every document of the event stream, as ``(value, lines)``; lines only when asked for."""
    parser.get_event()  # StreamStart
    out = []
    while not isinstance(parser.get_event(), events.StreamEndEvent):  # DocumentStart
        out.append(_Builder(parser, with_lines).document())
        parser.get_event()  # DocumentEnd
    return out


class _Builder:
    """One document: events in, one value out; the counts go-yaml v3 keeps for aliasing."""

    __slots__ = ("aliased", "anchors", "decoded", "get_event", "result", "stack", "with_lines")

    def __init__(self, parser: Any, with_lines: bool) -> None:
        self.get_event = parser.get_event
        self.with_lines = with_lines
        self.stack: list[_Frame] = []
        self.anchors: dict[str, Any] = {}
        self.decoded = 1  # nodes decoded so far, the document node included (go-yaml v3's count)
        self.aliased = 0  # of those, nodes that came from alias expansion
        self.result: list[tuple[Any, LineNode | None]] = []

    def document(self) -> tuple[Any, LineNode | None]:
        stack, result, get_event = self.stack, self.result, self.get_event
        scalar_event, alias_event = events.ScalarEvent, events.AliasEvent
        mapping_start, sequence_start = events.MappingStartEvent, events.SequenceStartEvent
        resolve_plain, may_resolve = scalars.resolve_plain, scalars.MAY_RESOLVE
        min_aliased, fast = limits.ALIAS_MIN_ALIASED, not self.with_lines
        while not result:
            event = get_event()
            kind = type(event)
            self.decoded += 1
            if self.aliased > min_aliased and limits.excessive_aliasing(self.aliased, self.decoded):
                raise _error("document contains excessive aliasing", event)
            top = stack[-1] if stack else None
            if kind is scalar_event:
                # Most events: an untagged scalar without anchor, a value or a plain string key.
                if fast and top is not None and event.tag is None and event.anchor is None:
                    text = event.value
                    value = resolve_plain(text) if event.implicit[0] and text[:1] in may_resolve else text
                    if not top.is_map:
                        top.container.append(value)
                        continue
                    key = top.key
                    if key is not _NO_KEY and key is not _MERGE:
                        top.container[key] = value
                        top.key = _NO_KEY
                        continue
                    keys = top.keys  # key text -> line; a duplicate takes the general path (its error)
                    if key is _NO_KEY and type(value) is str and text != "<<" and keys is not None and text not in keys:
                        top.key_line = keys[text] = event.start_mark.line + 1
                        top.key = value
                        continue
                self.scalar(event, top)
            elif kind is mapping_start or kind is sequence_start:
                self.start(event, top, kind is mapping_start)
            elif kind is alias_event:
                self.alias(event, top)
            else:  # the end of a mapping or sequence
                self.end(event)
        return result[0]

    def scalar(self, event: Any, top: _Frame | None) -> None:
        tag, text = event.tag, event.value
        if tag is not None:
            value = _tagged(tag, text, event)
        else:
            value = scalars.resolve_plain(text) if event.implicit[0] else text
        if top is not None and top.is_map and top.key is _NO_KEY:
            _set_key(top, _key(value, text, tag, event), event)
        else:
            self.add(value, LineNode(event.start_mark.line + 1) if self.with_lines else None)
        if event.anchor is not None:
            self.anchors[event.anchor] = (value, 1, text, 0, None)

    def start(self, event: Any, top: _Frame | None, is_map: bool) -> None:
        if top is not None and top.is_map and top.key is _NO_KEY:
            raise _error("a mapping or list used as a mapping key is not supported", event)
        _check_tag(event.tag, event)
        depth = len(self.stack) + 1
        if depth > limits.MAX_DEPTH:
            raise _error(f"collections nested deeper than {limits.MAX_DEPTH} levels (the limit)", event)
        frame = _Frame({} if is_map else [], is_map, depth, event.anchor, self.decoded - 1)
        if self.with_lines:
            frame.lines = LineNode(event.start_mark.line + 1, {} if is_map else [])
        if event.anchor is not None:
            self.anchors[event.anchor] = _IN_PROGRESS  # an alias to it from inside is recursive
        self.stack.append(frame)

    def alias(self, event: Any, top: _Frame | None) -> None:
        entry = self.anchors.get(event.anchor)
        if entry is None:
            raise _error(f"unknown anchor '{event.anchor}' referenced", event)
        if entry is _IN_PROGRESS:
            raise _error(f"anchor '{event.anchor}' value contains itself", event)
        value, size, text, below, lines = entry
        self.decoded += size  # the alias node itself was counted; its expansion counts too
        self.aliased += size
        if limits.excessive_aliasing(self.aliased, self.decoded):
            raise _error("document contains excessive aliasing", event)
        depth = len(self.stack) + below
        if depth > limits.MAX_DEPTH:
            too_deep = f"collections nested deeper than {limits.MAX_DEPTH} levels (the limit), through an alias"
            raise _error(too_deep, event)
        if top is not None:
            top.deep = max(top.deep, depth)
            if top.is_map and top.key is _NO_KEY:
                _set_key(top, _alias_key(value, text, event), event)
                return
        self.add(value, lines, from_alias=True)

    def end(self, event: Any) -> None:
        self.decoded -= 1  # an end is not a node
        frame = self.stack.pop()
        value = frame.container
        if frame.merges is not None:
            value = _merged(frame, event)
            self.decoded += len(frame.keys or ()) - 1  # go-yaml v3 decodes every key again to merge
        if self.stack:
            self.stack[-1].deep = max(self.stack[-1].deep, frame.deep)
        if frame.anchor is not None:
            below = frame.deep - frame.depth + 1
            self.anchors[frame.anchor] = (value, self.decoded - frame.start, None, below, frame.lines)
        self.add(value, frame.lines)

    def add(self, value: Any, lines: LineNode | None, from_alias: bool = False) -> None:
        """Put a finished value where it belongs: its mapping (under the pending key), list or the document."""
        if not self.stack:
            self.result.append((value, lines))
            return
        top = self.stack[-1]
        if top.is_map:
            key, top.key = top.key, _NO_KEY
            if key is _MERGE:
                if top.merges is None:
                    top.merges = []
                top.merges.append((value, from_alias))
            else:
                top.container[key] = value
            if top.lines is not None:
                top.lines.children[key] = (top.key_line, lines)
        else:
            top.container.append(value)
            if top.lines is not None:
                top.lines.children.append(lines)


def _tagged(tag: str, text: str, event: Any) -> Any:
    if tag == "!":
        return text  # the non-specific tag: a string
    if not tag.startswith(scalars.TAG_PREFIX):
        raise _error(f'unknown tag "{tag}" (only the standard YAML tags are read)', event)
    from krm_dynamo.kio import tags  # here: only input with explicit tags pays for it

    try:
        return tags.resolve_tagged(tag, text)
    except tags.ScalarError as exc:
        raise _error(str(exc), event) from None


def _check_tag(tag: str | None, event: Any) -> None:
    # go-yaml v3 reads any standard tag on a collection as the collection (!!set, !!omap too).
    if tag is not None and tag != "!" and not tag.startswith(scalars.TAG_PREFIX):
        raise _error(f'unknown tag "{tag}" (only the standard YAML tags are read)', event)


def _key(value: Any, text: str, tag: str | None, event: Any) -> Any:
    """The dict key for a scalar key: its string, or its text kept as a :class:`PlainKey`."""
    if (tag is None or tag == scalars.MERGE) and text == "<<" and (tag is not None or event.implicit[0]):
        return _MERGE
    if isinstance(value, str):
        if type(value) is scalars.PlainDate:
            return scalars.PlainKey(text)  # a plain date key stays plain, as it came
        return str(value) if type(value) is not str else value
    if isinstance(value, bytes):
        raise _error("a !!binary mapping key is not supported", event)
    return scalars.PlainKey(text or "~")


def _alias_key(value: Any, text: str | None, event: Any) -> Any:
    if isinstance(value, (dict, list)) or text is None:
        raise _error("a mapping or list used as a mapping key is not supported", event)
    return _key(value, text, None, event) if not isinstance(value, str) else str(value)


def _set_key(frame: _Frame, key: Any, event: Any) -> None:
    text = "<<" if key is _MERGE else key
    keys = frame.keys
    assert keys is not None
    line = event.start_mark.line + 1
    if text in keys:
        raise _error(f'mapping key "{text}" already defined at line {keys[text]}', event)
    keys[text] = line
    frame.key = key
    frame.key_line = line


def _merged(frame: _Frame, event: Any) -> dict[Any, Any]:
    """The mapping with its ``<<`` sources merged in (go-yaml v3: explicit keys win, then earlier sources)."""
    merged: dict[Any, Any] = {}
    for value, from_alias in frame.merges or ():
        sources = value if isinstance(value, list) and not from_alias else [value]
        for source in sources:
            if not isinstance(source, dict):
                raise _error("map merge requires map or sequence of maps as the value", event)
            for key, item in source.items():
                merged.setdefault(key, item)
    merged.update(frame.container)
    return merged


def _error(message: str, event: Any) -> LoadError:
    mark = event.start_mark
    return LoadError(message, mark.line + 1, mark.column + 1)
