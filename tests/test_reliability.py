# SPDX-License-Identifier: Apache-2.0
"""Hostile and odd input: never a crash, an internal error or a hang; every limit tested at its edge.

The corpus (every kind of input the reliability issue names, several sizes each) runs
through the real entry point, :func:`krm_dynamo.cli.main`, in this process: each case must
end with exit 0, or exit 1 and one readable line per problem, within a bounded time, and
never reach the "internal error" path. Each limit of ``krm_dynamo.kio.limits`` (stated in
the README) is tested just under and just over.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from procs import REPO, run_krm

from krm_dynamo import cli
from krm_dynamo.kio import limits, resourcelist, yamlio

REPORTS = Path(os.environ.get("KRM_DYNAMO_SHARED", REPO.parent / "shared")) / "field-reports" / "reliability"
HEADER = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n"
SECONDS_PER_CASE = 10  # generous: the slowest case takes well under a second


def item(body: str) -> str:
    """One pass-through ConfigMap whose `data` is ``body`` (a flow or block value)."""
    return HEADER + f"- apiVersion: v1\n  kind: ConfigMap\n  metadata: {{name: x}}\n  data: {body}\n"


def alias_bomb(levels: int) -> str:
    lines = ['    l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"    l{i}: &l{i} [{','.join([f'*l{i - 1}'] * 10)}]" for i in range(1, levels + 1)]
    return HEADER + "- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: bomb}\n  data:\n" + "\n".join(lines) + "\n"


def nested_flow(depth: int) -> str:
    return item("[" * depth + "]" * depth)


def nested_block(depth: int) -> str:
    # `data` is level 2 below the item (level 1 is the ResourceList, 2 the items list, 3 the item).
    body = "".join("  " * i + "    k:\n" for i in range(depth)) + "  " * depth + "    v\n"
    return item("\n" + body)


def deep_json_setting(depth: int) -> str:
    nested = "[" * depth + "]" * depth
    return (
        item("{a: b}")
        + "functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: c}\n"
        + f"  data:\n    registrySecrets: '{nested}'\n"
    )


CORPUS: dict[str, str | bytes] = {
    **{f"alias-bomb-{n}": alias_bomb(n) for n in (3, 4, 5, 6, 7, 9)},
    "alias-recursive": item("&a [*a]"),
    "alias-recursive-mapping": item("&a {b: *a}"),
    "alias-unknown": item("*nowhere"),
    **{f"nested-flow-{n}": nested_flow(n) for n in (50, 330, 1000, 10_000, 200_000)},
    **{f"nested-block-{n}": nested_block(n) for n in (50, 330, 1000, 5000)},
    **{f"deep-json-setting-{n}": deep_json_setting(n) for n in (100, 2000, 100_000)},
    "bool-tag-on-text": item("{k: !!bool abc}"),
    "int-tag-on-text": item("{k: !!int abc}"),
    "float-tag-on-text": item("{k: !!float abc}"),
    "null-tag-on-text": item("{k: !!null abc}"),
    "binary-not-base64": item('{k: !!binary "***"}'),
    "python-object-tag": item("{k: !!python/object:os.system ls}"),
    "custom-tag": item("!custom {k: v}"),
    "colliding-keys": item("{1: a, true: b, 1.0: c}"),
    "float-overflow": item("{a: 1e400, b: -1e400}"),
    "huge-int": item("{a: " + "9" * 5000 + "}"),
    "tagged-timestamp": item("{a: !!timestamp 2001-12-14t21:59:43.10-05:00}"),
    "merge-keys": item("{<<: [{a: 1}, {a: 2, b: 2}], b: 3}"),
    "merge-of-a-list": item("{<<: [[1]]}"),
    "complex-key": item("{? [a]: 1}"),
    "newline-in-name": HEADER
    + '- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: "a\\nFAKE: [error] b\\e[31m"}\n',
    "control-character": item("{k: a\x07b}"),
    "escape-character": item("{k: a\x1b[31mb}"),
    "nul-byte": item("{k: a\x00b}"),
    "not-utf8": HEADER.encode() + b"- \xff\xfe\n",
    "utf16": item("{k: v}").encode("utf-16"),
    "only-a-comment": "# nothing\n",
    "empty": "",
    "scalar-document": "hello\n",
    "item-not-a-mapping": HEADER + "- 5\n- [a]\n- null\n",
    "items-null": "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n",
    "tab-indentation": HEADER + "\t- a\n",
    "unterminated-quote": item('"abc'),
    "dgd-spec-null": HEADER
    + "- apiVersion: nvidia.com/v1alpha1\n  kind: DynamoGraphDeployment\n  metadata: {name: g}\n  spec:\n",
    "dgd-services-list": HEADER
    + "- apiVersion: nvidia.com/v1alpha1\n  kind: DynamoGraphDeployment\n  metadata: {name: g}\n"
    + "  spec: {services: [a]}\n",
    "dgd-metadata-name-map": HEADER
    + "- apiVersion: nvidia.com/v1alpha1\n  kind: DynamoGraphDeployment\n  metadata: {name: {a: b}}\n  spec: {}\n",
}
CORPUS.update({f"field-report-{p.stem}": p.read_bytes() for p in sorted(REPORTS.glob("*.yaml"))})


def run_main(stdin: str | bytes, *args: str) -> tuple[int, str, str]:
    """``krm-dynamo ARGS`` in this process, as the console script runs it."""
    data = stdin.encode() if isinstance(stdin, str) else stdin
    stdout, stderr = io.StringIO(), io.StringIO()
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin = io.TextIOWrapper(io.BytesIO(data))
    sys.stdout, sys.stderr = stdout, stderr
    try:
        code = cli.main(list(args))
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
    return code, stdout.getvalue(), stderr.getvalue()


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_hostile_input_never_reaches_an_internal_error(name):
    """Exit 0, or exit 1 with one printable line per problem; bounded time; never "internal error"."""
    start = time.process_time()
    code, stdout, stderr = run_main(CORPUS[name])
    assert time.process_time() - start < SECONDS_PER_CASE
    assert "internal error" not in stderr
    assert "Traceback" not in stderr
    assert code in (0, 1)
    if code == 1:
        assert stderr
    for line in stderr.splitlines():
        assert line.isprintable(), line  # control and escape characters arrive escaped
        if not line.startswith(("[warning]", "[error]", "krm-dynamo: ")):
            assert ": [error] " in line or ": [warning] " in line, line
    if code == 0:
        [output] = yamlio.load_documents(stdout, "stdout")  # a complete, valid ResourceList
        assert output["kind"] == "ResourceList"


def test_deep_flow_collection_is_refused_at_the_limit_whatever_libyaml_does():
    """1,000 levels: our limit (level 101, column 106), or libyaml 0.2.6's own limit of 1,000 levels,
    which it can reach first while scanning ahead (PyYAML >= 6.0.4): one line, our words, line 7."""
    code, _, stderr = run_main(CORPUS["nested-flow-1000"])
    assert code == 1
    assert re.fullmatch(r"krm-dynamo: stdin:7:(106|\d{4}): invalid YAML: collections nested deeper than 100 levels "
                        r"\(the limit\)\n", stderr), stderr


@pytest.mark.parametrize(
    "name, message",
    [
        ("alias-bomb-4", "krm-dynamo: stdin:11:26: invalid YAML: document contains excessive aliasing\n"),
        ("alias-recursive", "krm-dynamo: stdin:7:13: invalid YAML: anchor 'a' value contains itself\n"),
        ("bool-tag-on-text", "krm-dynamo: stdin:7:13: invalid YAML: cannot decode !!str `abc` as a !!bool\n"),
        ("binary-not-base64", "krm-dynamo: stdin:7:13: invalid YAML: !!binary value contains invalid base64 data\n"),
        (
            "control-character",
            "krm-dynamo: stdin:7: invalid YAML: character U+0007 is not allowed in YAML "
            "(control characters are not allowed)\n",
        ),
        (
            "deep-json-setting-100000",
            "[error] v1/ConfigMap/c: a functionConfig setting holds a value nested too deeply "
            "to process (for example JSON text nested hundreds of levels)\n",
        ),
    ],
)
def test_hostile_input_messages(name, message):
    """The corpus's refusals, word for word: one line, naming the place."""
    code, _, stderr = run_main(CORPUS[name])
    assert (code, stderr) == (1, message)


def test_pass_through_keeps_go_yaml_v3_meaning():
    """Keys `1`/`true`/`1.0` stay three keys, 1e400 stays text, a tagged timestamp keeps its tag."""
    text = item("{1: a, true: b, 1.0: c, big: 1e400, t: !!timestamp 2001-12-14, d: 2001-12-14, y: y}")
    code, stdout, stderr = run_main(text)
    assert (code, stderr) == (0, "")
    assert stdout.endswith(
        '  data:\n    1: a\n    true: b\n    1.0: c\n    big: "1e400"\n    t: !!timestamp 2001-12-14\n'
        '    d: 2001-12-14\n    "y": "y"\n'
    )
    assert run_main(stdout)[1] == stdout  # and a second run changes nothing


# --- limits, each just under and just over ---------------------------------------------------


def test_depth_limit():
    """MAX_DEPTH levels are read; one more is refused (flow, block, and through an alias)."""
    under, over = limits.MAX_DEPTH, limits.MAX_DEPTH + 1
    assert len(yamlio.load_documents("[" * under + "]" * under, "t")) == 1
    with pytest.raises(yamlio.InputError, match="nested deeper than 100 levels"):
        yamlio.load_documents("[" * over + "]" * over, "t")
    block = "".join("  " * i + "k:\n" for i in range(under - 2)) + "  " * (under - 2) + "k: [v]\n"
    assert len(yamlio.load_documents(block, "t")) == 1
    with pytest.raises(yamlio.InputError, match="nested deeper than 100 levels"):
        yamlio.load_documents(block.replace("[v]", "[[v]]"), "t")
    half = 50
    anchored = "a: &a " + "[" * half + "]" * half + "\nb: " + "[" * (under - half - 1) + "*a" + "]" * (under - half - 1)
    assert len(yamlio.load_documents(anchored, "t")) == 1
    with pytest.raises(yamlio.InputError, match="through an alias"):
        yamlio.load_documents(anchored.replace("b: [", "b: [["), "t")


def _aliased(copies: int) -> str:
    # go-yaml v3 counts: document, mapping, `a`, the list and its 200 items, `b`, its list,
    # then per alias 1 + 201 nodes, 201 of them from the alias.
    return "a: &x [" + ",".join(["1"] * 200) + "]\nb: [" + ",".join(["*x"] * copies) + "]\n"


def test_alias_limit_is_go_yaml_v3s():
    """199 copies of a 201-node anchor are 98.998% aliased (read); 200 copies 99.0001% (refused)."""
    [doc] = yamlio.load_documents(_aliased(199), "t")
    assert len(doc["b"]) == 199
    with pytest.raises(yamlio.InputError, match="document contains excessive aliasing"):
        yamlio.load_documents(_aliased(200), "t")


def test_input_size_limit():
    """MAX_INPUT_BYTES are read (here mostly one comment); one byte more is refused before parsing."""
    base = HEADER + "- {apiVersion: v1, kind: ConfigMap, metadata: {name: x}}\n#"
    data = (base + "x" * (limits.MAX_INPUT_BYTES - len(base) - 1) + "\n").encode()
    assert len(data) == limits.MAX_INPUT_BYTES
    code, stdout, stderr = run_main(data)
    assert (code, stderr) == (0, "")
    code, stdout, stderr = run_main(data + b"\n")
    assert (code, stdout) == (1, "")
    assert stderr == (
        f"krm-dynamo: stdin: input is larger than the limit of {limits.MAX_INPUT_BYTES} bytes (128 MiB) "
        "krm-dynamo reads in one run\n"
    )


def test_item_count_limit():
    """MAX_ITEMS items are read; one more is refused."""
    under = (HEADER + "- {}\n" * limits.MAX_ITEMS).encode()
    assert len(resourcelist.read_resource_list(under).items) == limits.MAX_ITEMS
    with pytest.raises(yamlio.InputError) as err:
        resourcelist.read_resource_list(under + b"- {}\n")
    assert str(err.value) == f"stdin: the ResourceList holds more than {limits.MAX_ITEMS} items (the limit for one run)"


def test_render_item_count_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """render counts documents over all files against the same limit (lowered here to keep the test fast)."""
    monkeypatch.setattr(limits, "MAX_ITEMS", 10)
    doc = "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"
    (tmp_path / "a.yaml").write_text(doc * 5)
    (tmp_path / "b.yaml").write_text(doc * 5)
    code, stdout, stderr = run_main(b"", "render", str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml"))
    assert (code, stderr) == (0, "")
    (tmp_path / "b.yaml").write_text(doc * 6)
    code, stdout, stderr = run_main(b"", "render", str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml"))
    assert (code, stdout) == (1, "")
    assert stderr == f"krm-dynamo: {tmp_path.as_posix()}/b.yaml: more than 10 objects (the limit for one run)\n"


# --- output: complete or a failure ---------------------------------------------------------

BIG = (
    HEADER
    + "".join(f"- {{apiVersion: v1, kind: ConfigMap, metadata: {{name: c{i}}}, data: {{k: v}}}}\n" for i in range(3000))
).encode()


@pytest.mark.parametrize("unbuffered", [False, True], ids=["buffered", "PYTHONUNBUFFERED"])
def test_closed_pipe_is_exit_1_with_a_message(unbuffered):
    """The reader goes away after 10 bytes: exit 1 and a line on stderr, never exit 0."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    env.pop("PYTHONUNBUFFERED", None)
    if unbuffered:
        env["PYTHONUNBUFFERED"] = "1"
    proc = subprocess.Popen(
        [sys.executable, "-m", "krm_dynamo"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    proc.stdin.write(BIG)
    proc.stdin.close()
    proc.stdout.read(10)
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 1
    assert (
        stderr == "krm-dynamo: cannot write the output: the reader closed the pipe (EPIPE); the output is incomplete\n"
    )


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("unbuffered", [False, True], ids=["buffered", "PYTHONUNBUFFERED"])
def test_full_disk_is_exit_1_with_a_message(unbuffered):
    """Writing to /dev/full (ENOSPC): exit 1 and a line on stderr."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    env.pop("PYTHONUNBUFFERED", None)
    if unbuffered:
        env["PYTHONUNBUFFERED"] = "1"
    with open("/dev/full", "wb") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "krm_dynamo"], input=BIG, stdout=full, stderr=subprocess.PIPE, env=env
        )
    assert proc.returncode == 1
    assert (
        proc.stderr.decode()
        == "krm-dynamo: cannot write the output: No space left on device; the output is incomplete\n"
    )


# --- render edges ------------------------------------------------------------------------------


def test_render_empty_directory_is_an_error_unless_allowed(tmp_path: Path):
    """An empty input must not look like an empty manifest set (Argo CD would prune everything)."""
    (tmp_path / "empty").mkdir()
    proc = run_krm("render", "empty", cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (1, b"")
    assert proc.stderr.decode() == (
        "krm-dynamo: render: nothing to print: no objects in empty "
        "(pass --allow-empty to print an empty stream on purpose)\n"
    )
    assert run_krm("render", "--allow-empty", "empty", cwd=tmp_path).returncode == 0


def test_render_dev_null_reads_as_empty():
    """/dev/null is an empty input, not a missing file (and not refused as a device)."""
    proc = run_krm("render", os.devnull)
    assert proc.returncode == 1
    assert b"nothing to print: no objects in /dev/null" in proc.stderr
    proc = run_krm("render", "--allow-empty", os.devnull)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, b"", b"")


def test_render_refuses_a_fifo_in_a_directory_without_blocking(tmp_path: Path):
    """A FIFO named *.yaml below a directory is refused at once (nobody writes to it)."""
    (tmp_path / "ok.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    os.mkfifo(tmp_path / "pipe.yaml")
    proc = run_krm("render", ".", cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (1, b"")
    assert proc.stderr.decode() == (
        "krm-dynamo: pipe.yaml: is a FIFO (named pipe), not a regular file; "
        "render reads files, directories and - (stdin)\n"
    )


# --- no access beyond what the user named ----------------------------------------------------

AUDIT_PROBE = """
import sys
events = []
sys.addaudithook(lambda event, args: events.append((event, args)))
from krm_dynamo import cli
named = sys.argv[1] if sys.argv[1] != "-" else None
code = cli.main(["render", named] if named else [])
allowed = tuple(p for p in sys.path + [sys.prefix, sys.base_prefix] if p)
bad = []
for event, args in events:
    if event.startswith(("socket.", "subprocess.", "os.system", "os.exec", "os.posix_spawn", "os.fork", "urllib.")):
        bad.append(event)
    elif event == "open" and isinstance(args[0], str):
        path = args[0]
        if path != named and not path.startswith(allowed):
            bad.append(f"open {path}")
seen = named is None or any(event == "open" and args[0] == named for event, args in events)
print(code, bad, seen)
"""


@pytest.mark.parametrize("mode", ["render", "function"])
def test_opens_only_what_was_named_and_never_a_process_or_socket(tmp_path: Path, mode: str):
    """No network, no subprocess, no file but the one named (module files aside); the function mode opens none."""
    dgd = (REPO / "tests" / "cases" / "vllm-agg" / "input.yaml").read_text()
    (tmp_path / "dgd.yaml").write_text(dgd)
    rl = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n"
    rl += "".join("- " + doc.strip().replace("\n", "\n  ") + "\n" for doc in dgd.split("---\n") if doc.strip())
    proc = subprocess.run(
        [sys.executable, "-c", AUDIT_PROBE, str(tmp_path / "dgd.yaml") if mode == "render" else "-"],
        input=rl.encode() if mode == "function" else b"",
        capture_output=True,
        cwd=tmp_path,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
        timeout=60,
    )
    # the last line: exit code, the accesses not allowed, and True when the audit saw the named file read
    assert proc.stdout.decode().splitlines()[-1] == "0 [] True", proc.stderr.decode()


def test_short_writes_are_continued(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """os.write may take only part of the buffer: the rest is written, nothing lost or doubled."""
    from krm_dynamo.kio import files

    real_write = os.write
    monkeypatch.setattr(os, "write", lambda fd, data: real_write(fd, bytes(data[:7])))
    with open(tmp_path / "out", "w", encoding="utf-8") as out:
        files.write_all(out, "ä" * 1000 + "\n")
    assert (tmp_path / "out").read_text(encoding="utf-8") == "ä" * 1000 + "\n"
