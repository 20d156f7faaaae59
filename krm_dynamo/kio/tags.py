# SPDX-License-Identifier: Apache-2.0
"""Scalars with an explicit standard tag (``!!int "8"``, ``!!binary ...``), decoded as go-yaml v3 decodes them.

``!!bool abc`` is an error, ``!!float 1`` is ``1.0``, ``!!binary`` is standard base64. Only input
that writes such tags imports this (:mod:`krm_dynamo.kio.loader`); the meaning of untagged
scalars is :mod:`krm_dynamo.kio.scalars`.
"""

from __future__ import annotations

from typing import Any

from krm_dynamo.kio import scalars
from krm_dynamo.kio.scalars import BINARY, BOOL, FLOAT, INT, NULL, STR, TAG_PREFIX, TIMESTAMP


class ScalarError(ValueError):
    """A tagged scalar go-yaml v3 refuses to decode; the message says which tag and text."""


def resolve_tagged(tag: str, text: str) -> Any:
    """The value of a scalar with an explicit standard tag, as go-yaml v3 decodes it.

    Raises:
        ScalarError: ``cannot decode !!str `abc` as a !!bool`` and the like, or invalid
            ``!!binary`` data (go-yaml v3's messages).
    """
    short = "!!" + tag[len(TAG_PREFIX) :]
    if tag == STR:
        return text
    if tag == BINARY:
        return _binary(text)
    if tag not in (BOOL, INT, FLOAT, NULL, TIMESTAMP):
        return text  # any other standard tag on a scalar: go-yaml v3 keeps the text
    if tag == TIMESTAMP and scalars.is_timestamp(text):
        return scalars.Timestamp(text)
    # The value the text has in any style, dates aside: scalars' own steps, in its order.
    value: Any = scalars._SPECIAL.get(text, scalars._MISSING) if text else None
    if value is scalars._MISSING:
        if text[0] == ".":
            value = scalars._dot_float(text)
        else:
            value = scalars._number(text) if text[0] in scalars._NUMBER_START else text
    got = scalars._tag_of(value)
    if got == tag:
        return value
    if tag == FLOAT and got == INT and value < 2**63:
        return float(value)  # go-yaml v3 turns an int64 into a float for !!float (not a uint64)
    raise ScalarError(f"cannot decode !!{got[len(TAG_PREFIX):]} `{text}` as a {short}")


def _binary(text: str) -> bytes:
    """``!!binary``: standard base64, line breaks ignored, anything else an error (Go's decoder)."""
    import base64
    import binascii

    try:
        return base64.b64decode(text.replace("\n", "").replace("\r", ""), validate=True)
    except (binascii.Error, ValueError):
        raise ScalarError("!!binary value contains invalid base64 data") from None
