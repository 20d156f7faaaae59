# SPDX-License-Identifier: Apache-2.0
"""Backend framework resolution (explicit value, or detected from the command) and the vLLM cache env (D8, R6)."""

import pytest

from krm_dynamo.graph import backend as backend_resolution
from krm_dynamo.render import backends


@pytest.mark.parametrize(
    ("command", "args", "expected"),
    [
        (["python3", "-m", "dynamo.vllm"], ["--model", "x"], ["vllm"]),
        (["python", "-m", "dynamo.sglang"], None, ["sglang"]),
        (["python3.11", "-u", "-m", "dynamo.trtllm"], None, ["trtllm"]),
        (["/bin/sh", "-c"], ["python3 -m dynamo.vllm --model x"], ["vllm"]),
        (["/bin/sh", "-c"], ["echo hi && python3 -m dynamo.sglang.worker"], ["sglang"]),
        (["/bin/sh", "-c"], ["python3 -m planner"], []),
        (["/bin/sh", "-c"], ["python3 x.py | grep -m dynamo.vllm"], []),  # `|` ends the segment
        (["python3", "-m", "dynamo.frontend"], None, []),
        (None, None, []),
        (["/bin/sh", "-c"], ["python3 -m dynamo.vllm; python3 -m dynamo.sglang"], ["vllm", "sglang"]),
    ],
)
def test_detect(command, args, expected):
    """Pattern P over command and args joined with spaces."""
    assert backend_resolution.detect(command, args) == expected


@pytest.mark.parametrize(
    ("component_type", "main", "explicit", "expected"),
    [
        ("worker", {"command": ["python3", "-m", "dynamo.vllm"]}, None, "vllm"),
        ("worker", {"command": ["python3", "-m", "dynamo.vllm"]}, "vllm", "vllm"),
        ("worker", {"args": ["run"]}, "sglang", "sglang"),
        ("worker", {}, None, "noop"),
        ("worker", None, "trtllm", "trtllm"),
        ("frontend", {"command": ["python3", "-m", "dynamo.vllm"]}, "trtllm", "noop"),  # only workers
        ("planner", {}, "vllm", "noop"),
        ("Worker", {"command": ["python3", "-m", "dynamo.vllm"]}, None, "noop"),
    ],
)
def test_resolve(component_type, main, explicit, expected):
    """Detected, else explicit, else noop; non-workers never have a backend."""
    assert backend_resolution.resolve(component_type, main, explicit).name == expected


@pytest.mark.parametrize(
    ("main", "explicit", "message"),
    [
        (
            {"command": ["python3", "-m", "dynamo.vllm"]},
            "sglang",
            'backend framework mismatch: detected "vllm" from command but explicitly configured as "sglang"',
        ),
        (
            {"args": ["python3 -m dynamo.vllm && python3 -m dynamo.trtllm"]},
            None,
            "could not determine backend framework: multiple backend frameworks detected from command: "
            '"vllm", "trtllm"',
        ),
        ({}, "onnx", "unsupported backend framework: onnx"),
    ],
)
def test_resolve_errors(main, explicit, message):
    """The operator's error texts (V21, V3)."""
    with pytest.raises(backend_resolution.BackendError) as err:
        backend_resolution.resolve("worker", main, explicit)
    assert str(err.value) == message


@pytest.mark.parametrize(
    ("args", "explicit"),
    [
        (["python3 -m dynamo.vllm --model m || python3 -m dynamo.sglang --model-path m"], "vllm"),
        (["python3 -m dynamo.vllm --model m || python3 -m dynamo.sglang --model-path m"], "sglang"),
        # Neither detected backend: no mismatch either, as nothing single was detected.
        (["python3 -m dynamo.vllm; python3 -m dynamo.sglang"], "trtllm"),
    ],
)
def test_explicit_backend_settles_an_ambiguous_command_d30(args, explicit):
    """D30: with an explicit ``backendFramework`` a command naming several backends is no error."""
    resolved = backend_resolution.resolve("worker", {"command": ["/bin/sh", "-c"], "args": args}, explicit)
    assert resolved.name == explicit


@pytest.mark.parametrize(
    ("backend", "path", "env", "expected"),
    [
        ("vllm", "/root/.cache/vllm", [], [{"name": "VLLM_CACHE_ROOT", "value": "/root/.cache/vllm"}]),
        ("vllm", "/c", [{"name": "VLLM_CACHE_ROOT", "value": "/mine"}],
         [{"name": "VLLM_CACHE_ROOT", "value": "/mine"}]),
        ("vllm", None, [], []),
        ("sglang", "/c", [], []),
        ("trtllm", "/c", [], []),
    ],
)
def test_compilation_cache_env(backend, path, env, expected):
    """D8: the effective mount path; R6: never a second entry of the same name."""
    resolved = backend_resolution.resolve("worker", {}, backend)
    assert backends.add_env_if_absent(env, backends.compilation_cache_env(resolved, path)) == expected


# --- the launch pattern without a regex: detect() gives what graph.go's pattern gives ------------------

_PIECES = ["python", "python3", "python3.11", "python.", "pyth", "-m", "-", "m", "-mm", " ", "  ", "\t", "\n", "\u00a0",
           "\u2003", "dynamo.vllm", "dynamo.sglang", "dynamo.trtllm", "dynamo.", "dynamo", "vllm", ".", "3", "x", "|",
           "&", ";", "&&", "/usr/bin/", "-c", "'", '"']


def _regex_detect(text):
    import re

    return [name for name in backend_resolution._BACKENDS
            if re.search(backend_resolution._LAUNCH.format(name), text)]


def test_launch_matcher_agrees_with_the_pattern_on_random_lines():
    """Thousands of lines built from the pattern's own pieces (separators, whitespace kinds, near misses)."""
    import random

    rng = random.Random(14)
    shape = [["", "x ", "/usr/bin/", "echo a && ", "a|"], ["python", "python3", "python3.11", "pyth", "python3x"],
             [" ", "", "\t", "\u00a0", "|"], ["", "-u ", "x;", "a b "], ["-m", "-mm", "m", "-", ""],
             [" ", "", "\n", "&"], ["", "pkg ", "|", "-m "], ["dynamo.vllm", "dynamo.sglang", "dynamo.trtllm", "dynamo."],
             ["", " --x", ";python3 -m dynamo.vllm", "|y"]]
    found = 0
    for _ in range(20000):
        if rng.random() < 0.5:
            text = "".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 14)))
        else:  # the pattern's shape, each part sometimes a near miss or a random piece
            text = "".join(rng.choice(_PIECES) if rng.random() < 0.1 else rng.choice(part) for part in shape)
        expected = _regex_detect(text)
        found += bool(expected)
        assert backend_resolution.detect([text], None) == expected, repr(text)
    assert found > 2000, found  # the lines do match, often


@pytest.mark.parametrize("text", [
    "python3 -m dynamo.vllm", "python3 -mdynamo.vllm", "python3-m dynamo.vllm", "python3\u00a0-m\u2003dynamo.vllm",
    "python3 x -m y dynamo.vllm z", "python3 -m a | dynamo.vllm", "python3 | python3 -m dynamo.vllm",
    "pythonpython3 -m dynamo.vllm", "python3.x -m dynamo.vllm", "python -m\ndynamo.vllm", "python -m ;dynamo.vllm",
    "python3 -m -m dynamo.sglang", "python3 -m dynamo.vllm -m dynamo.trtllm", "python3 -m-m dynamo.vllm",
])
def test_launch_matcher_agrees_with_the_pattern(text):
    assert backend_resolution.detect([text], None) == _regex_detect(text)
