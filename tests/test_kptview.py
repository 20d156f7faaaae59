# SPDX-License-Identifier: Apache-2.0
"""kpt is told apart from kustomize and from a plain pipe by the annotations it sends."""

from __future__ import annotations

from krm_dynamo.kio.results import ERROR, INFO, WARNING, Result
from krm_dynamo.kptview import run_by_kpt, with_files


def _item(**annotations: str) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "annotations": annotations}}


def test_kpt_runner_sends_paths_and_ids():
    kpt = {"internal.config.kubernetes.io/path": "a.yaml", "internal.config.kubernetes.io/id": "1"}
    assert run_by_kpt([_item(**kpt)])
    assert not run_by_kpt([_item(**{"internal.config.kubernetes.io/id": "1"})])  # kustomize
    assert not run_by_kpt([_item(**{"internal.config.kubernetes.io/path": "a.yaml"})])  # kpt fn source | krm-dynamo
    assert not run_by_kpt([5, None])


def test_errors_and_warnings_name_their_file_once():
    item = _item(**{"internal.config.kubernetes.io/path": "a.yaml", "internal.config.kubernetes.io/index": "1"})
    results = [Result("bad", ERROR, item, "data"), Result("odd", WARNING, item), Result("fine", INFO, item),
               Result("see a.yaml", ERROR, item), Result("global", ERROR)]
    assert [r.message for r in with_files(results)] == [
        "bad (file a.yaml, document 2)", "odd (file a.yaml, document 2)", "fine", "see a.yaml", "global",
    ]
