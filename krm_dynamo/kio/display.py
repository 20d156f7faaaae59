# SPDX-License-Identifier: Apache-2.0
"""How messages show a value a user wrote: one vocabulary for every "got ..." in results.

YAML names for the types (``mapping``, ``list``, ``string``, ``boolean``, ``integer``,
``number``, ``null``), and scalars as they are written in YAML (``"text"``, ``true``,
``null``, ``8000``). Plain functions and one small table: imported on every call.

:func:`escape` makes any text safe to print as part of one message line: line breaks,
control and escape characters (and the other invisible or line-separating ones) are
written as escapes, so user text can neither split a problem over two lines nor reach
the terminal as a control sequence.
"""

from __future__ import annotations

_TYPE_NAMES: dict[type, str] = {
    dict: "mapping",
    list: "list",
    str: "string",
    bool: "boolean",
    int: "integer",
    float: "number",
    type(None): "null",
}


def type_name(value: object) -> str:
    """The YAML name of the value's type (``mapping``, ``integer``, ...); else the Python name.

    The reader's kinds of text (a key kept as written, a plain date) are strings;
    ``!!binary`` data is ``binary``.
    """
    name = _TYPE_NAMES.get(type(value))
    if name is not None:
        return name
    if isinstance(value, str):
        return "string"
    return "binary" if isinstance(value, bytes) else type(value).__name__


def a_type_name(value: object) -> str:
    """:func:`type_name` with its article, as a message says what it found: ``an integer``, ``a list``."""
    name = type_name(value)
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


def escape(text: str) -> str:
    """``text`` with every non-printable character escaped (``\\n``, ``\\t``, ``\\x1b``, ``\\u2028``).

    Printable text, the usual case, comes back unchanged (and so does already escaped text).
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else _escape_char(c) for c in text)


def _escape_char(char: str) -> str:
    code = ord(char)
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char)
    if named is not None:
        return named
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def show_value(value: object) -> str:
    """A value as a message shows it: ``"text"``, ``null``, ``true``, ``8000``, ``a mapping``, ``a list``."""
    if isinstance(value, str):
        return f'"{escape(value)}"'
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return f"a {type_name(value)}"
    return str(value)


def describe(key: str, value: object) -> str:
    """``key "value"``, or ``no key`` when the value is absent (None)."""
    return f"no {key}" if value is None else f'{key} "{escape(str(value))}"'


# difflib's similarity ratio from which a word counts as a misspelling of a known one (the "did you
# mean" of every message); a caller may ask for a looser or stricter match where its words need it.
CLOSE_ENOUGH = 0.75


def closest(word: str, candidates: list[str], cutoff: float = CLOSE_ENOUGH, ignore_case: bool = False) -> str | None:
    """The candidate ``word`` probably misspells (``ignore_case``: compared in lower case), or None."""
    import difflib  # only when there is something to suggest

    if not ignore_case:
        found = difflib.get_close_matches(word, candidates, n=1, cutoff=cutoff)
        return found[0] if found else None
    by_lower = {c.lower(): c for c in candidates}
    found = difflib.get_close_matches(word.lower(), list(by_lower), n=1, cutoff=cutoff)
    return by_lower[found[0]] if found else None
