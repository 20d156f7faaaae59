# SPDX-License-Identifier: Apache-2.0
"""What a kpt user sees of a failing render: each problem once (results only, no copy
on stderr), with the file and the field path."""

from __future__ import annotations

import pytest
from e2e_util import copy_example, run

pytestmark = pytest.mark.e2e

IMAGE_LINE = "          image: nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.6.0\n"


def test_each_problem_once_with_file_and_field(kpt, fn_env, tmp_path):
    pkg = copy_example("kpt-vllm-agg", tmp_path)
    dgd = pkg / "dgd.yaml"
    text = dgd.read_text().replace(IMAGE_LINE, "", 1)
    dgd.write_text(text.replace("replicas: 1\n", "replicas: 1\n      bogus: 1\n", 1))
    proc = run([kpt, "fn", "render", "--allow-exec", pkg], env=fn_env)
    assert proc.returncode == 1
    console = proc.stderr.decode() + proc.stdout.decode()
    error = (
        "[error] nvidia.com/v1alpha1/DynamoGraphDeployment/dynamo/vllm-agg "
        "spec.services.Frontend.extraPodSpec.mainContainer.image: "
    )
    assert console.count(error) == 1, console
    assert console.count("spec.services.Frontend.extraPodSpec.mainContainer.image") == 1, console
    assert "(or set `defaultImage` in the functionConfig) (file dgd.yaml)" in console
    assert console.count("spec.services.Frontend.bogus:") == 1, console
    assert "Stderr:" not in console
