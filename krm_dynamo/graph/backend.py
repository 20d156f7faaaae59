# SPDX-License-Identifier: Apache-2.0
"""Backend framework resolution of one component and what the backends read from a launch.

Resolution (operator ``graph.go`` ``determineBackendFramework``): only workers have a
backend; it is detected from the user's ``mainContainer`` command and args and checked
against the DGD's explicit ``backendFramework``. The derive step resolves it once per
service; the rules report a failure and the builders read the result. The launch readers
(:func:`is_python_command`, :func:`invocation`, :func:`gpus_per_node`) serve both the
multinode rules and the backend rewrites in ``render.backends``.
"""

from __future__ import annotations

import re
from typing import Any

from krm_dynamo import defaults
from krm_dynamo.record import dataclass

# The patterns are compiled when first used (``re`` keeps them): a run compiles only those it needs.
_BACKENDS = ("vllm", "sglang", "trtllm")
# graph.go: python[0-9.]*\s+[^|&;]*-m\s+[^|&;]*dynamo\.<backend>[^|&;]*, matched by :func:`_launches`.
_LAUNCH = r"python[0-9.]*\s+[^|&;]*-m\s+[^|&;]*dynamo\.{}[^|&;]*"
_PYTHON = r"(.*/)?(python[0-9]*(\.[0-9]+)*)"  # backend_sglang.go isPythonCommand (full match)


def invocation(framework: str) -> re.Pattern[str]:
    """A ``python … <framework> …`` invocation inside a shell line, up to the next space or operator
    (group 1 the invocation: backend_sglang.go puts flags after the token holding its last ``<framework>``)."""
    return re.compile(rf"(python[0-9.]*\s+[^|&;]*{framework}[^|&;]*?)(\s|$|[|&;])")


class BackendError(ValueError):
    """Backend resolution failed; the message is the operator's wording."""


@dataclass(frozen=True)
class Backend:
    """The resolved backend of one component and its defaults."""

    name: str
    defaults: defaults.BackendDefaults


def detect(command: list[Any] | None, args: list[Any] | None) -> list[str]:
    """Backends whose launch pattern matches ``command + args`` joined with spaces."""
    joined = " ".join(str(part) for part in [*(command or []), *(args or [])])
    return [name for name in _BACKENDS if _launches(joined, name)]


def _launches(text: str, backend: str) -> bool:
    """``re.search(_LAUNCH.format(backend), text)`` found a match, read without a regex (compiling one
    costs every run ~0.1 ms); tests/unit/test_backends.py compares the two on thousands of lines.

    A match lies in one run of text without ``|``, ``&`` or ``;``: in it, ``python`` and its
    ``[0-9.]`` run before a whitespace, then ``-m`` before a whitespace, then ``dynamo.<backend>``.
    The first of each leaves the most room for the next, so only the first is tried.
    """
    literal = f"dynamo.{backend}"
    if literal not in text:
        return False
    for run in text.replace("&", "|").replace(";", "|").split("|"):
        start = run.find("python")
        while start >= 0:
            end = start + 6
            while end < len(run) and run[end] in "0123456789.":
                end += 1
            if end < len(run) and run[end].isspace():
                flag = run.find("-m", end + 1)
                while flag >= 0 and not run[flag + 2:flag + 3].isspace():
                    flag = run.find("-m", flag + 1)
                if flag >= 0 and run.find(literal, flag + 3) >= 0:
                    return True
                break  # a later python finds no -m and no literal this one did not
            start = run.find("python", start + 1)
    return False


def resolve(component_type: str | None, main_container: dict[str, Any] | None, explicit: str | None,
            table: defaults.OperatorDefaults | None = None) -> Backend:
    """Resolve the backend of one component: ``noop`` for non-workers, else detected or explicit.

    A command naming several backends takes the explicit value when there is one (D30,
    ``determineBackendFramework`` keeps the detection error only for the no-explicit case).

    Raises:
        BackendError: several backends detected and no explicit value, detected and explicit
            differ, or an explicit value outside the CRD enum.
    """
    table = table or defaults.for_release()
    if component_type not in table.worker_types:  # S20: prefill and decode too from operator 0.7 on
        return Backend(defaults.NOOP_BACKEND, table.backends[defaults.NOOP_BACKEND])
    container = main_container or {}
    command = container.get("command") if isinstance(container.get("command"), list) else None
    args = container.get("args") if isinstance(container.get("args"), list) else None
    found = detect(command, args)
    if explicit and explicit not in table.backend_frameworks:
        raise BackendError(f"unsupported backend framework: {explicit}")
    if len(found) > 1:
        if explicit:  # D30: the explicit value settles an ambiguous command (the detection error is dropped)
            return Backend(explicit, table.backends[explicit])
        raise BackendError(
            "could not determine backend framework: multiple backend frameworks detected from command: "
            + ", ".join(f'"{name}"' for name in found)
        )
    detected = found[0] if found else ""
    if detected and explicit and detected != explicit:
        raise BackendError(
            f'backend framework mismatch: detected "{detected}" from command but explicitly configured as "{explicit}"'
        )
    name = detected or explicit or defaults.NOOP_BACKEND
    return Backend(name, table.backends[name])


def is_python_command(command: str) -> bool:
    """``command[0]`` names a python interpreter (``python``, ``python3.11``, ``/usr/bin/python3``)."""
    return re.fullmatch(_PYTHON, command) is not None


def _atoi(value: Any) -> int | None:
    text = "" if value is None else str(value)
    return int(text) if re.fullmatch(r"[+-]?[0-9]+", text) else None


def gpus_per_node(resources: dict[str, Any] | None) -> int:
    """GPUs per node for ``mpirun -n``: the GPU limit, else ``requests.gpu``, else 0 (D26)."""
    for kind in ("limits", "requests"):
        value = _atoi(((resources or {}).get(kind) or {}).get("gpu"))
        if value is not None:
            return value
    return 0
