# SPDX-License-Identifier: Apache-2.0
"""YAML written in parts: a stream a few documents at a time, a document a part at a time.

Joined, the parts are byte for byte the text :func:`krm_dynamo.kio.yamlio.dump_all` (or
``dump``) gives the whole; only outputs too large for one part (``render``, a ResourceList of
many items) import this.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from krm_dynamo.kio import yamlio


def dump_all_parts(documents: list[Any], chunk: int = 64, release: bool = False) -> Iterator[str]:
    """``dump_all(documents)`` as texts of at most ``chunk`` documents each; joined, the same text.

    For ``render``: the text of a few documents at a time, never of the whole stream. Every
    part after the first is written after a stand-in document (``{}``, its text cut off again),
    so that its first document gets the separator the whole stream gives it; a part's end marker
    (``...``, see :func:`dump_part`) is kept only on the last one (the emitter forgets it at the
    next document). With ``release`` each document is dropped from ``documents`` once formatted.
    """
    if len(documents) <= chunk:
        text = yamlio.dump_all(documents)
        if release:
            documents[:] = [None] * len(documents)
        yield text
        return
    for start in range(0, len(documents), chunk):
        part = documents[start:start + chunk]
        if release:
            documents[start:start + len(part)] = [None] * len(part)
        text = yamlio.dump_all([{}, *part] if start else part)[len(_STAND_IN_DOCUMENT) if start else 0:]
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
        text = yamlio.dump([stand_in, *data] if isinstance(data, list) else {stand_in: stand_in, **data})
        text = text[len(prefix):]
    else:
        text = yamlio.dump(data)
    if text.endswith("\n" + END_MARKER):
        return text[: -len(END_MARKER)], True
    return text, False


END_MARKER = "...\n"
# A string written as a block scalar that keeps its line breaks, and its text as an item or a key.
_KEEP_ITEM = ("keep\n\n", "- |+\n  keep\n\n")
_KEEP_KEY = ("keep\n\n", '? |+\n  keep\n\n: |+\n  keep\n\n')
