# SPDX-License-Identifier: Apache-2.0
"""Where a field was written: the line of a dotted path in a document's lines, for ``render``'s messages.

The lines come from :func:`krm_dynamo.kio.yamlio.load_documents_with_nodes`; only a run that
names lines in its messages (``render``) imports this.
"""

from __future__ import annotations

from krm_dynamo.kio.loader import LineNode


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
