# SPDX-License-Identifier: Apache-2.0
"""The settings table as text: the ``--help`` list and the README's configuration table.

Both are made from :data:`krm_dynamo.config.SETTINGS`, so they cannot drift from what the
function accepts (``tests/test_config_table.py`` pins the README to :func:`markdown_table`).
``python -m krm_dynamo.config_doc`` prints the README table, for pasting after a change.
"""

from __future__ import annotations

from typing import Any

from krm_dynamo.config import SETTINGS, Setting


def help_text() -> str:
    """The settings block of ``krm-dynamo --help``: per key its type, default and help."""
    lines = ["Settings (functionConfig keys; in a ConfigMap every value is a string):"]
    for setting in SETTINGS:
        default = _plain_default(setting.default)
        shown = f"{setting.type_text()}, default {default}" if default else setting.type_text()
        lines.append(f"  {setting.key} ({shown})")
        lines.append(f"      {setting.help}")
    return "\n".join(lines) + "\n"


def markdown_table() -> str:
    """The README's table: one row per key, in the table's order."""
    rows = ["| Key | Type | Default | Effect | Decision |", "|---|---|---|---|---|"]
    for s in SETTINGS:
        default = _plain_default(s.default)
        shown = f"`{default}`" if default else "unset"
        rows.append(f"| `{s.key}` | {_type_cell(s)} | {shown} | {s.effect} | {s.decision or '–'} |")
    return "\n".join(rows) + "\n"


def _type_cell(setting: Setting[Any]) -> str:
    if not setting.choices:
        return setting.kind
    *first, last = (f"`{c}`" for c in setting.choices)
    return f"{', '.join(first)} or {last}"


def _plain_default(value: Any) -> str:
    """The default as a user writes it; "" for an unset string."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{}" if not value else str(value)
    return str(value)


if __name__ == "__main__":  # pragma: no cover - a maintainer's tool
    import sys

    sys.stdout.write(markdown_table())
