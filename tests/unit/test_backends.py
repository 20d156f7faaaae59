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
