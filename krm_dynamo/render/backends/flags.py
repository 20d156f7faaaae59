# SPDX-License-Identifier: Apache-2.0
"""Shell quoting and flag injection into a launch (``utils.go``), for the multinode rewrites.

:func:`inject_flags` is the operator's flag injection into a launch
(``injectFlagsIntoContainerCommand``), shared by SGLang and, from operator 1.0, vLLM;
:func:`shell_quote` its quoting (B04), which TRT-LLM's launch uses too. Only the backend
modules import this (a single-node pod needs none of it).
"""

from __future__ import annotations

from typing import Any

from krm_dynamo.graph.backend import invocation, is_python_command

_SHELL_SPECIAL = frozenset(" \t\n'\"\\{}[]$`!")


def shell_quote(token: str) -> str:
    """``shellQuoteForBashC`` (B04): a token with a shell-special character, double-quoted.

    Backslash, double quote, ``$`` and backquote are escaped; a single quote becomes
    ``'"'"'`` so the token also survives an enclosing single-quoted ``bash -c``.
    """
    if not any(ch in _SHELL_SPECIAL for ch in token):
        return token
    escaped = token.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$").replace("`", "\\`")
    return '"' + escaped.replace("'", "'\"'\"'") + '"'


def joined(tokens: list[Any], quote: bool) -> str:
    """Tokens joined with spaces, each shell-quoted when ``quote``."""
    return " ".join(shell_quote(str(t)) if quote else str(t) for t in tokens)


def inject_flags(container: dict[str, Any], flags: str, needs_shell: bool, framework: str, *,
                 quote_args: bool, quote_command: bool, shell: tuple[str, ...]) -> dict[str, Any]:
    """Put ``flags`` into the launch; the container is returned changed or as is.

    A python ``command``: the flags are appended to ``args``, or, when they need a shell,
    the launch becomes ``<shell> "exec <command> <args> <flags>"`` (tokens quoted as the
    release does, B04). Any other command: the flags go after the first ``python … <framework>``
    invocation found in an ``args`` item (every such invocation of that item).
    """
    out = dict(container)
    command = list(out.get("command") or [])
    args = list(out.get("args") or [])
    if command and is_python_command(str(command[0])):
        if not needs_shell:
            out["args"] = args + flags.split()
            return out
        launch = joined(command, quote_command) + (" " + joined(args, quote_args) if args else "")
        out["command"] = list(shell)
        out["args"] = [f"exec {launch} {flags}"]
        return out
    pattern = invocation(framework)
    for i, arg in enumerate(args):
        rewritten = pattern.sub(lambda m: f"{m.group(1)} {flags}{m.group(2)}", str(arg))
        if rewritten != arg:
            args[i] = rewritten
            out["args"] = args
            break
    return out
