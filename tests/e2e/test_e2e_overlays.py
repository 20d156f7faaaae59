# SPDX-License-Identifier: Apache-2.0
"""The recommended kustomize layout for variants (kustomization-examples/vllm-agg-overlay):
a base holding the plain DGD and the kustomize fieldSpecs for it, an overlay that patches
the DGD and sets namespace, namePrefix, labels and images, and krm-dynamo applied last as
the overlay's transformer. Every customisation must be visible in what the DGD generates,
not only in object names: the graph's env, selectors and images follow the overlay."""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e_util import EXAMPLES, check_golden, copy_example, kinds_and_names, load_all, run
from k8s_validate import validate_all

pytestmark = pytest.mark.e2e

EXAMPLE = "vllm-agg-overlay"
IMAGE = "nvcr.io/nvidia/ai-dynamo/vllm-runtime"


def _build(kustomize: str, directory: Path, env: dict[str, str]) -> str:
    proc = run([kustomize, "build", "--enable-alpha-plugins", "--enable-exec", directory], env=env)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stderr == b""
    return proc.stdout.decode()


def _pods(objs: list) -> dict[str, dict]:
    return {o["metadata"]["name"]: o["spec"]["template"] for o in objs if o["kind"] == "Deployment"}


def test_overlay_customises_the_graph_before_expansion(kustomize, fn_env, tmp_path, update_goldens):
    pkg = copy_example(EXAMPLE, tmp_path)
    out = _build(kustomize, pkg / "overlays/prod", fn_env)
    check_golden(out, EXAMPLES / EXAMPLE / ".expected/output.yaml", update_goldens)
    objs = load_all(out)
    assert kinds_and_names(objs) == [  # namespace and namePrefix, the DGD left out (local-config)
        ("Service", "dynamo-prod", "prod-vllm-agg-frontend"),
        ("Deployment", "dynamo-prod", "prod-vllm-agg-frontend"),
        ("Deployment", "dynamo-prod", "prod-vllm-agg-vllmdecodeworker"),
    ]
    pods = _pods(objs)
    for name, template in pods.items():
        (main,) = template["spec"]["containers"]
        env = {e["name"]: e.get("value") for e in main["env"]}
        # The pods find the graph under its new name and namespace.
        assert env["DYN_PARENT_DGD_K8S_NAME"] == "prod-vllm-agg", name
        assert env["DYN_PARENT_DGD_K8S_NAMESPACE"] == "dynamo-prod", name
        assert env["NATS_SERVER"] == "nats://dynamo-platform-nats.dynamo-system:4222", name
        assert main["image"] == f"{IMAGE}:0.6.1", name  # `images:` through the fieldSpecs
        assert template["metadata"]["labels"]["team"] == "inference", name  # `labels:` through the fieldSpecs
        assert template["metadata"]["labels"]["nvidia.com/selector"] == name
    for obj in objs:
        assert obj["metadata"]["labels"]["team"] == "inference"
    (service,) = [o for o in objs if o["kind"] == "Service"]
    assert service["spec"]["selector"] == {"nvidia.com/selector": "prod-vllm-agg-frontend"}
    (worker,) = [o for o in objs if o["metadata"]["name"] == "prod-vllm-agg-vllmdecodeworker"]
    assert worker["spec"]["replicas"] == 2  # the overlay's patch to the DGD
    validate_all(objs)


def test_images_without_fieldspecs_are_lost_on_the_dgd(kustomize, fn_env, tmp_path):
    """Why the base ships the fieldSpecs: without them `images:` cannot see the DGD's
    `mainContainer.image`, and the old tag is what would ship."""
    pkg = copy_example(EXAMPLE, tmp_path)
    kustomization = pkg / "base/kustomization.yaml"
    kustomization.write_text(kustomization.read_text().split("configurations:")[0])
    objs = load_all(_build(kustomize, pkg / "overlays/prod", fn_env))
    images = {t["spec"]["containers"][0]["image"] for t in _pods(objs).values()}
    assert images == {f"{IMAGE}:0.6.0"}


def test_images_in_a_kustomization_above_the_function_reach_generated_pods(kustomize, fn_env, tmp_path):
    """The other working route for `images:` (no per-service fieldSpecs): a kustomization
    on top of the one that runs the function; kustomize finds every `containers` list of
    the generated objects."""
    pkg = copy_example(EXAMPLE, tmp_path)
    (pkg / "base/kustomization.yaml").write_text("resources:\n- dgd.yaml\n")
    top = pkg / "overlays/pinned"
    top.mkdir()
    (top / "kustomization.yaml").write_text(
        f"resources:\n- ../prod\nimages:\n- name: {IMAGE}\n  digest: sha256:{'0' * 64}\n"
    )
    objs = load_all(_build(kustomize, top, fn_env))
    images = {t["spec"]["containers"][0]["image"] for t in _pods(objs).values()}
    assert images == {f"{IMAGE}@sha256:{'0' * 64}"}


def test_fieldspecs_work_in_kustomize_v5(kubectl, kustomize, tmp_path):
    """The same fieldSpecs under kubectl's kustomize v5 (which cannot run exec functions):
    without the function, the overlay's DGD itself carries the new image and the labels;
    standalone kustomize agrees."""
    pkg = copy_example(EXAMPLE, tmp_path)
    overlay = pkg / "overlays/prod/kustomization.yaml"
    overlay.write_text(overlay.read_text().split("\ntransformers:\n")[0] + "\n")
    outputs = []
    for cmd in ([kubectl, "kustomize", pkg / "overlays/prod"], [kustomize, "build", pkg / "overlays/prod"]):
        proc = run(cmd)
        assert proc.returncode == 0, proc.stderr.decode()
        (dgd,) = load_all(proc.stdout.decode())
        outputs.append(dgd)
    assert outputs[0] == outputs[1]
    dgd = outputs[0]
    assert (dgd["metadata"]["namespace"], dgd["metadata"]["name"]) == ("dynamo-prod", "prod-vllm-agg")
    for name, service in dgd["spec"]["services"].items():
        assert service["extraPodSpec"]["mainContainer"]["image"] == f"{IMAGE}:0.6.1", name
        assert service["labels"] == {"team": "inference"}, name
    assert dgd["spec"]["services"]["VllmDecodeWorker"]["replicas"] == 2
