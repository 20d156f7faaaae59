# SPDX-License-Identifier: Apache-2.0
"""``explain FILE --output mermaid``: a strict grammar check of the Mermaid subset emitted, the
objects drawn, and the README's diagram (which must be the current output).

Mermaid's own parser runs in the e2e suite (``tests/e2e/test_e2e_mermaid.py``); this check runs
everywhere and is stricter than Mermaid about the subset (every id defined once before use, no
reserved word as an id, labels always quoted, subgraphs balanced).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from procs import run_krm

from krm_dynamo import diagram
from krm_dynamo.kio import yamlio
from krm_dynamo.provenance import read_inputs, render

REPO = Path(__file__).resolve().parents[1]
ID = r"[A-Za-z][A-Za-z0-9_]*"
LABEL = r'"[^"\n]*"'
RESERVED = {"end", "subgraph", "graph", "flowchart", "style", "class", "classDef", "click", "linkStyle", "direction"}
RULES = [
    ("subgraph", re.compile(rf"^ *subgraph ({ID})\[{LABEL}\]$")),
    ("end", re.compile(r"^ *end$")),
    ("node", re.compile(rf"^ *({ID})\[{LABEL}\]$")),
    ("node", re.compile(rf"^ *({ID})\[\({LABEL}\)\]$")),
    ("edge", re.compile(rf"^ *({ID}) --> ({ID})$")),
    ("edge", re.compile(rf"^ *({ID}) -\. {LABEL} \.-> ({ID})$")),
    ("edge", re.compile(rf"^ *({ID}) -\.-> ({ID})$")),
]


def check_mermaid(text: str) -> None:
    """Raise AssertionError naming the line where ``text`` leaves the emitted subset."""
    lines = text.splitlines()
    assert lines[0] == "flowchart LR", lines[0]
    defined: set[str] = set()
    depth = 0
    for number, line in enumerate(lines[1:], start=2):
        kind, match = next(((k, m) for k, rule in RULES if (m := rule.match(line))), (None, None))
        assert match is not None, f"line {number}: not in the subset: {line!r}"
        ids = match.groups()
        assert not RESERVED & set(ids), f"line {number}: a reserved word as an id: {line!r}"
        if kind in ("subgraph", "node"):
            assert ids[0] not in defined, f"line {number}: {ids[0]} defined twice"
            defined.add(ids[0])
        depth += {"subgraph": 1, "end": -1}.get(str(kind), 0)
        assert depth >= 0, f"line {number}: `end` without a subgraph"
        if kind == "edge":
            assert set(ids) <= defined, f"line {number}: an edge to an undefined id: {line!r}"
    assert depth == 0, "a subgraph is not closed"
    assert text.endswith("\n")


def _diagram(path: str, config: str | None = None) -> str:
    fc = yamlio.load_documents((REPO / config).read_text(encoding="utf-8"), config)[0] if config else None
    inputs = read_inputs([str(REPO / path)], fc)
    rendered = render(inputs.items, fc)
    assert rendered is not None
    settings = {k: str(fc.get(k, "")) for k in ("natsServer", "etcdEndpoints")} if fc else {}
    return diagram.mermaid(rendered, settings)


@pytest.mark.parametrize("case", sorted(p.name for p in (REPO / "tests/cases").iterdir()
                                        if (p / "expected.yaml").exists()))
def test_every_golden_case_gives_a_diagram_in_the_subset(case):
    config = f"tests/cases/{case}/fn-config.yaml"
    text = _diagram(f"tests/cases/{case}/input.yaml", config if (REPO / config).exists() else None)
    check_mermaid(text)


@pytest.mark.parametrize("broken", [
    'flowchart TD\n',
    'flowchart LR\n  a["x"\n',
    'flowchart LR\n  subgraph a["x"]\n',
    'flowchart LR\n  a["x"]\n  a --> b\n',
    'flowchart LR\n  end["x"]\n',
    'flowchart LR\n  a[x]\n',
    'flowchart LR\n  a["x"]\n  a["y"]\n',
])
def test_the_check_rejects_what_is_not_in_the_subset(broken):
    with pytest.raises(AssertionError):
        check_mermaid(broken)


def test_objects_each_service_becomes():
    lws = _diagram("tests/cases/multinode-vllm-lws/input.yaml")
    assert 'LeaderWorkerSet_llm_llama_mn_llama_mn_vllmworker_0["LeaderWorkerSet llama-mn-vllmworker-0"]' in lws
    assert 'PodGroup_llm_llama_mn_llama_mn_vllmworker_0["PodGroup llama-mn-vllmworker-0"]' in lws
    grove = _diagram("tests/cases/multinode-grove/input.yaml", "tests/cases/multinode-grove/fn-config.yaml")
    assert 'clique_llm_mixed_decodetrt_ldr["clique decodetrt-ldr"]' in grove and "etcd: dynamo-platform-etcd" in grove
    pvc = _diagram("tests/cases/pvc-compilation-cache/input.yaml")
    assert "svc_llm_vllm_disagg_VllmDecodeWorker --> PersistentVolumeClaim_llm_vllm_disagg_model_weights" in pvc
    vs = _diagram("tests/cases/virtualservice/input.yaml", "tests/cases/virtualservice/fn-config.yaml")
    assert "VirtualService vllm-agg-frontend" in vs
    agg = _diagram("kustomization-examples/vllm-agg/dgd.yaml")
    assert 'svc_dynamo_vllm_agg_Frontend -. "requests" .-> svc_dynamo_vllm_agg_VllmDecodeWorker' in agg


def _readme_settings(tmp_path: Path) -> Path:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(apiVersion: fn.krm-dynamo.dev/v1alpha1\nkind: KrmDynamoConfig\n.*?)```", text, re.S)
    assert block is not None
    path = tmp_path / "settings.yaml"
    path.write_text(block.group(1), encoding="utf-8")
    return path


def test_the_readme_diagram_is_the_current_output(tmp_path):
    """The README shows the bundled example with the README's settings: exactly what the command prints."""
    proc = run_krm("explain", "kustomization-examples/vllm-agg/dgd.yaml", "--function-config",
                   str(_readme_settings(tmp_path)), "--output", "mermaid", cwd=REPO)
    assert proc.returncode == 0, proc.stderr.decode()
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```mermaid\n(.*?)```", readme, re.S)
    assert blocks == [proc.stdout.decode()]
    check_mermaid(blocks[0])
