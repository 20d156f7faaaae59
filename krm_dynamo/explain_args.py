# SPDX-License-Identifier: Apache-2.0
"""The arguments of ``krm-dynamo explain FILE`` (light: no rendering imported to read them)."""

from __future__ import annotations

import os


class ExplainUsageError(ValueError):
    """Wrong ``explain FILE`` arguments (the command line shows the usage)."""


OPTIONS = ("--service", "--object", "--field", "--output", "--function-config", "--operator-version")


def names_files(args: list[str], component_types: tuple[str, ...]) -> bool:
    """A first word that is a path (``explain dgd.yaml``, ``-``) and no component type is a FILE;
    any other word keeps its meaning of a component type (and its error when unknown)."""
    positional: list[str] = []
    it = iter(args)
    for arg in it:
        if arg in OPTIONS:
            next(it, None)  # the option's value is not a positional word
        elif not arg.startswith("-") or arg == "-":
            positional.append(arg)
    if not positional or positional[0] in component_types:
        return False
    word = positional[0]
    return word == "-" or os.path.lexists(word) or "/" in word or word.endswith((".yaml", ".yml"))


def parse(args: list[str]) -> tuple[list[str], dict[str, str]]:
    """``(paths, options)`` of ``explain FILE...``; options by name without ``--``."""
    paths: list[str] = []
    options: dict[str, str] = {}
    it = iter(args)
    for arg in it:
        name = arg.partition("=")[0]
        if name in OPTIONS:
            value = arg.partition("=")[2] if "=" in arg else next(it, None)
            if not value:
                raise ExplainUsageError(f"explain: {name} needs a value")
            options[name[2:]] = value
        elif arg.startswith("-") and arg != "-":
            from krm_dynamo.usage import did_you_mean  # here: only a misspelled option needs it

            raise ExplainUsageError(f"explain: unknown option {arg!r}{did_you_mean(arg, OPTIONS)}")
        else:
            paths.append(arg)
    if options.get("output", "text") not in ("text", "json", "yaml", "mermaid"):
        raise ExplainUsageError(f"explain: --output must be text, json, yaml or mermaid, got {options['output']!r}")
    return paths, options
