# SPDX-License-Identifier: Apache-2.0
"""The README's settings example is usable as written: on the bundled example graph it
gives no warning (a recipe that warns about itself teaches users to ignore warnings)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from krm_dynamo.core import expand
from krm_dynamo.kio import yamlio

REPO = Path(__file__).resolve().parents[1]


def _settings_example(readme: str) -> dict:
    text = (REPO / readme).read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(apiVersion: fn.krm-dynamo.dev/v1alpha1\nkind: KrmDynamoConfig\n.*?)```", text, re.S)
    assert block is not None, f"{readme}: no KrmDynamoConfig example"
    (config,) = yamlio.load_documents(block.group(1), readme)
    return config


@pytest.mark.parametrize("readme", ["README.md", "functions/krm-dynamo/README.md"])
def test_readme_settings_example_gives_no_warning(readme: str):
    path = REPO / "kustomization-examples/vllm-agg/dgd.yaml"
    items = [d for d in yamlio.load_documents(path.read_text(encoding="utf-8"), str(path)) if d is not None]
    _, results = expand(items, _settings_example(readme))
    assert [r.line_text() for r in results if r.severity != "info"] == []
