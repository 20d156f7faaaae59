# SPDX-License-Identifier: Apache-2.0
"""An item that looks like a DGD but is not expanded (a misspelled kind or group, an unknown
version) is told so, with its file and line under `render`; it still passes through unchanged."""

from pathlib import Path

import pytest
from procs import run_krm

from krm_dynamo import core, lookalikes
from krm_dynamo.kio.results import Result

DGD_BODY = (
    "metadata:\n  name: llm\n  namespace: demo\nspec:\n  services:\n    Frontend:\n      componentType: frontend\n"
    "      extraPodSpec:\n        mainContainer:\n          image: nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.6.0\n"
)
PASSES = "the object passes through unchanged, nothing is generated for it"


def _results(api_version: str, kind: str) -> list[Result]:
    item = {"apiVersion": api_version, "kind": kind, "metadata": {"name": "llm"}}
    out, results = core.expand([item])
    assert out == [item]  # passes through unchanged, whatever it is told
    return results


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("DynamoGraphDeploymnt", 'kind "DynamoGraphDeploymnt" is not a kind of nvidia.com '
         f"(did you mean DynamoGraphDeployment?); {PASSES}"),
        ("DynamoGraphDeployments", 'kind "DynamoGraphDeployments" is not a kind of nvidia.com '
         f"(did you mean DynamoGraphDeployment?); {PASSES}"),
        ("DynamoGrpahDeployment", 'kind "DynamoGrpahDeployment" is not a kind of nvidia.com '
         f"(did you mean DynamoGraphDeployment?); {PASSES}"),
        ("dynamographdeployment", 'kind "dynamographdeployment" is not a kind of nvidia.com '
         f"(did you mean DynamoGraphDeployment?); {PASSES}"),
    ],
)
def test_a_misspelled_kind_of_the_group_is_a_warning(kind, message):
    assert [(r.severity, r.field_path, r.message) for r in _results("nvidia.com/v1alpha1", kind)] == [
        ("warning", "kind", message)]


@pytest.mark.parametrize("kind", sorted(lookalikes.GROUP_KINDS - {"DynamoGraphDeployment"}) + [
    "DynamoGraphDeploymentRun", "DynamoGraphPowerBudget", "DynamoWidget", "ConfigMap"])
def test_the_group_s_other_kinds_and_far_ones_are_silent(kind):
    """The operator's other CRDs, and any kind more than a typo away, pass through without a word."""
    assert _results("nvidia.com/v1alpha1", kind) == []


@pytest.mark.parametrize("api_version", ["nvidia.con/v1alpha1", "v1alpha1", "nvidia.com", "NVIDIA.com/v1alpha1"])
def test_the_dgd_kind_in_another_group_is_a_warning(api_version):
    assert [(r.severity, r.field_path, r.message) for r in _results(api_version, "DynamoGraphDeployment")] == [
        ("warning", "apiVersion",
         f'the apiVersion of a DynamoGraphDeployment is "nvidia.com/v1alpha1", not "{api_version}"; {PASSES}')]


def test_a_misspelled_version_of_the_group_stays_an_error():
    """`nvidia.com/v1alpha` is the DGD's group: an unknown version is an error, never guessed at."""
    assert [(r.severity, r.field_path, r.message) for r in _results("nvidia.com/v1alpha", "DynamoGraphDeployment")] == [
        ("error", "apiVersion",
         'apiVersion "nvidia.com/v1alpha" is not supported for kind "DynamoGraphDeployment"; '
         'supported: "nvidia.com/v1alpha1"')]


def test_a_kind_far_from_the_dgd_in_another_group_is_not_checked():
    assert _results("example.com/v1", "DynamoGraphDeploymnt") == []


def test_edit_distance():
    assert [lookalikes.edit_distance(a, b) for a, b in [("", "ab"), ("kitten", "sitting"), ("ab", "ba"), ("x", "x")]] == [
        2, 3, 2, 0]


def test_render_names_file_and_line_and_prints_the_item(tmp_path: Path):
    (tmp_path / "dgd.yaml").write_text("# a graph\napiVersion: nvidia.com/v1alpha1\nkind: DynamoGraphDeploymnt\n" + DGD_BODY)
    proc = run_krm("render", "dgd.yaml", cwd=tmp_path)
    assert proc.returncode == 0
    assert proc.stdout.decode().startswith("apiVersion: nvidia.com/v1alpha1\nkind: DynamoGraphDeploymnt\n")
    assert proc.stderr.decode() == (
        "dgd.yaml:3: [warning] nvidia.com/v1alpha1/DynamoGraphDeploymnt/demo/llm kind: "
        f'kind "DynamoGraphDeploymnt" is not a kind of nvidia.com (did you mean DynamoGraphDeployment?); {PASSES}\n'
    )


@pytest.mark.parametrize(
    ("api_version", "kind", "field", "message"),
    [
        ("fn.krm-dynamo.dev/v1alpha1", "KrmDynamoConfg", "kind",
         'kind "KrmDynamoConfg" is not a kind of fn.krm-dynamo.dev/v1alpha1 (did you mean KrmDynamoConfig?); '
         "its settings are not read and the object passes through unchanged"),
        ("fn.krm-dynamo.dev/v1", "KrmDynamoConfig", "apiVersion",
         'the apiVersion of a KrmDynamoConfig is "fn.krm-dynamo.dev/v1alpha1", not "fn.krm-dynamo.dev/v1"; '
         "its settings are not read and the object passes through unchanged"),
    ],
)
def test_a_settings_object_with_a_wrong_kind_or_api_version_is_a_warning(api_version, kind, field, message):
    """Settings that would be silently ignored are named: the run goes on with the defaults."""
    item = {"apiVersion": api_version, "kind": kind, "metadata": {"name": "c"}, "natsServer": "nats://x"}
    out, results = core.expand([item])
    assert out == [item]
    assert [(r.severity, r.field_path, r.message) for r in results] == [("warning", field, message)]


def test_a_settings_object_is_read_and_not_checked():
    item = {"apiVersion": "fn.krm-dynamo.dev/v1alpha1", "kind": "KrmDynamoConfig", "metadata": {"name": "c"}}
    assert core.expand([item])[1] == []
