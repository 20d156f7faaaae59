# SPDX-License-Identifier: Apache-2.0
"""kustomize runs krm-dynamo: standalone kustomize with the exec form (generator and
transformer), and `kubectl kustomize` with the container form through a `docker` shim."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml
from e2e_util import (
    EXAMPLES,
    IMAGE,
    REPO,
    VLLM_AGG_OBJECTS,
    check_golden,
    copy_example,
    kinds_and_names,
    kustomize_version,
    load_all,
    readme_sh_block,
    run,
)
from k8s_validate import validate_all

pytestmark = pytest.mark.e2e


def render(directory: Path, env: dict[str, str]) -> list:
    """What `krm-dynamo render DIR` prints, parsed: the reference for every orchestrator."""
    proc = run(["krm-dynamo", "render", directory], env=env)
    assert proc.returncode == 0, proc.stderr.decode()
    return load_all(proc.stdout.decode())


def env_of(objs: list, deployment: str) -> dict[str, str]:
    (dep,) = [o for o in objs if o["kind"] == "Deployment" and o["metadata"]["name"] == deployment]
    (container,) = dep["spec"]["template"]["spec"]["containers"]
    return {e["name"]: e.get("value") for e in container.get("env", [])}


@pytest.mark.parametrize("example", ["vllm-agg", "vllm-agg-transformer"])
def test_standalone_kustomize_exec_function(example, kustomize, fn_env, tmp_path, update_goldens):
    """`kustomize build --enable-alpha-plugins --enable-exec` runs `krm-dynamo` from PATH:
    exactly the checked-in output, the DGD left out (local-config), the same objects as
    `krm-dynamo render`, all valid Kubernetes objects."""
    pkg = copy_example(example, tmp_path)
    proc = run([kustomize, "build", "--enable-alpha-plugins", "--enable-exec", pkg], env=fn_env)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stderr == b""
    out = proc.stdout.decode()
    check_golden(out, EXAMPLES / example / ".expected/output.yaml", update_goldens)
    objs = load_all(out)
    assert kinds_and_names(objs) == VLLM_AGG_OBJECTS
    assert objs == render(pkg, fn_env)
    validate_all(objs)


def test_transformer_receives_the_settings(kustomize, fn_env, tmp_path):
    """In transformer form the KrmDynamoConfig carrying the function is the functionConfig:
    its settings reach every pod."""
    pkg = copy_example("vllm-agg-transformer", tmp_path)
    proc = run([kustomize, "build", "--enable-alpha-plugins", "--enable-exec", pkg], env=fn_env)
    assert proc.returncode == 0, proc.stderr.decode()
    objs = load_all(proc.stdout.decode())
    for name in ("vllm-agg-frontend", "vllm-agg-vllmdecodeworker"):
        env = env_of(objs, name)
        assert env["NATS_SERVER"] == "nats://dynamo-platform-nats.dynamo-system:4222"
        assert env["ETCD_ENDPOINTS"] == "dynamo-platform-etcd.dynamo-system:2379"


@pytest.mark.parametrize("example", ["vllm-agg", "vllm-agg-transformer"])
def test_without_enable_exec_expansion_silently_does_not_run(example, kustomize, fn_env, tmp_path):
    """The symptom the README describes, pinned for both kustomize versions: with
    --enable-alpha-plugins but without --enable-exec the exec function is skipped with
    exit 0 and nothing on stderr, and nothing is printed (the transformer example's DGD is
    local-config, as the README advises). Without --enable-alpha-plugins the build fails
    instead."""
    pkg = copy_example(example, tmp_path)
    proc = run([kustomize, "build", "--enable-alpha-plugins", pkg], env=fn_env)
    assert (proc.returncode, proc.stderr, proc.stdout) == (0, b"", b"")
    for flags in ([], ["--enable-exec"]):
        failed = run([kustomize, "build", *flags, pkg], env=fn_env)
        assert (failed.returncode, failed.stdout) == (1, b"")
        assert b"external plugins disabled; unable to load external plugin" in failed.stderr
    # The README's pipeline guard catches the skipped build and passes a real one.
    guard = next(line for line in readme_sh_block("manifests.yaml").splitlines() if line.startswith("test "))
    manifests = tmp_path / "manifests.yaml"
    manifests.write_bytes(proc.stdout)
    assert run(["bash", "-c", guard], cwd=tmp_path).returncode == 1
    built = run([kustomize, "build", "--enable-alpha-plugins", "--enable-exec", pkg], env=fn_env)
    assert built.returncode == 0, built.stderr.decode()
    manifests.write_bytes(built.stdout)
    assert run(["bash", "-c", guard], cwd=tmp_path).returncode == 0


def test_without_local_config_a_skipped_transformer_prints_the_raw_dgd(kustomize, fn_env, tmp_path):
    """Why the README asks for the local-config annotation in the transformer form: without it,
    the expansion is exactly the same, but a skipped function prints the DGD as written (no
    annotation, so it would be applied as is) and no generated object."""
    pkg = copy_example("vllm-agg-transformer", tmp_path)
    dgd = pkg / "dgd.yaml"
    annotation = '  annotations:\n    config.kubernetes.io/local-config: "true"\n'
    assert dgd.read_text().count(annotation) == 1
    dgd.write_text(dgd.read_text().replace(annotation, ""))
    proc = run([kustomize, "build", "--enable-alpha-plugins", "--enable-exec", pkg], env=fn_env)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.decode() == (EXAMPLES / "vllm-agg-transformer/.expected/output.yaml").read_text()
    skipped = run([kustomize, "build", "--enable-alpha-plugins", pkg], env=fn_env)
    assert (skipped.returncode, skipped.stderr) == (0, b"")
    (raw,) = load_all(skipped.stdout.decode())
    assert raw == yaml.safe_load(dgd.read_text())
    assert "annotations" not in raw["metadata"]


def test_exec_args(kustomize, fn_env, tmp_path):
    """kustomize v5.7.0 and later pass exec `args:` to the function: here the function runs
    as `python -m krm_dynamo` without the console script. Older kustomize ignores them
    (python then reads the ResourceList as a script and the build fails), which is why the
    examples use a bare `path:`."""
    pkg = copy_example("vllm-agg", tmp_path)
    dgd = pkg / "dgd.yaml"
    text = dgd.read_text()
    exec_path = "      exec:\n        path: krm-dynamo\n"
    assert exec_path in text
    by_args = f"      exec:\n        path: {sys.executable}\n        args: [-m, krm_dynamo]\n"
    dgd.write_text(text.replace(exec_path, by_args))
    env = {**fn_env, "PYTHONPATH": str(REPO)}
    proc = run([kustomize, "build", "--enable-alpha-plugins", "--enable-exec", pkg], env=env)
    version = kustomize_version(kustomize)
    assert version is not None
    if version >= (5, 7, 0):
        assert proc.returncode == 0, proc.stderr.decode()
        assert proc.stdout.decode() == (EXAMPLES / "vllm-agg/.expected/output.yaml").read_text()
    else:
        assert (proc.returncode, proc.stdout) == (1, b"")
        assert b"SyntaxError" in proc.stderr and b"couldn't execute function" in proc.stderr


def test_exec_and_container_forms_agree():
    """The checked-in outputs of the exec and container examples are the same objects."""
    exec_out = (EXAMPLES / "vllm-agg/.expected/output.yaml").read_text()
    container_out = (EXAMPLES / "vllm-agg-container/.expected/output.yaml").read_text()
    assert exec_out == container_out


def test_kustomize_reports_function_errors(kustomize, fn_env, tmp_path):
    """A DGD the function rejects fails the build (exit 1) with the error on stderr,
    the only channel kustomize shows."""
    pkg = copy_example("vllm-agg", tmp_path)
    dgd = pkg / "dgd.yaml"
    dgd.write_text(dgd.read_text().replace("          image: nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.6.0\n", "", 1))
    proc = run([kustomize, "build", "--enable-alpha-plugins", "--enable-exec", pkg], env=fn_env)
    assert proc.returncode == 1
    assert proc.stdout == b""
    stderr = proc.stderr.decode()
    assert "spec.services.Frontend.extraPodSpec.mainContainer.image" in stderr
    assert "couldn't execute function: exit status 1" in stderr


@pytest.fixture()
def docker_shim(tmp_path: Path, fn_bin: Path, fn_env: dict[str, str]) -> tuple[dict[str, str], Path]:
    """A `docker` first on PATH that records its arguments and runs this checkout's
    krm-dynamo in place of `docker run ... IMAGE`: kustomize runs a container function
    through whatever `docker` is first on PATH (`kubectl kustomize` cannot run exec functions)."""
    shim_dir = tmp_path / "shim"
    shim_dir.mkdir()
    args_file = tmp_path / "docker-args.txt"
    krm = fn_bin / "krm-dynamo"
    shim = shim_dir / "docker"
    shim.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$@\" > '{args_file}'\nexec '{krm}'\n")
    shim.chmod(0o755)
    env = dict(fn_env)
    env["PATH"] = f"{shim_dir}:{env['PATH']}"
    return env, args_file


DOCKER_RUN = [
    "run", "--rm", "-i", "-a", "STDIN", "-a", "STDOUT", "-a", "STDERR",
    "--network", "none", "--user", "nobody", "--security-opt=no-new-privileges",
    "-e", "LOG_TO_STDERR=true", "-e", "STRUCTURED_RESULTS=true", IMAGE,
]


def test_kubectl_kustomize_container_function(kubectl, docker_shim, tmp_path, update_goldens):
    """`kubectl kustomize --enable-alpha-plugins` runs the container form: kustomize calls
    `docker run ... --user nobody ... IMAGE` and the output is exactly the checked-in one."""
    env, args_file = docker_shim
    pkg = copy_example("vllm-agg-container", tmp_path)
    proc = run([kubectl, "kustomize", "--enable-alpha-plugins", pkg], env=env)
    assert proc.returncode == 0, proc.stderr.decode()
    out = proc.stdout.decode()
    check_golden(out, EXAMPLES / "vllm-agg-container/.expected/output.yaml", update_goldens)
    assert args_file.read_text().splitlines() == DOCKER_RUN
    objs = load_all(out)
    assert kinds_and_names(objs) == VLLM_AGG_OBJECTS
    assert objs == render(pkg, env)
    validate_all(objs)


def test_standalone_kustomize_container_function(kustomize, docker_shim, tmp_path):
    """Standalone kustomize runs the container form the same way, without --enable-exec."""
    env, args_file = docker_shim
    pkg = copy_example("vllm-agg-container", tmp_path)
    proc = run([kustomize, "build", "--enable-alpha-plugins", pkg], env=env)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.decode() == (EXAMPLES / "vllm-agg-container/.expected/output.yaml").read_text()
    assert args_file.read_text().splitlines() == DOCKER_RUN


def test_kubectl_kustomize_cannot_run_exec_functions(kubectl, fn_env, tmp_path):
    """Why the README sends kubectl users to the container form: kubectl has no
    --enable-exec, and without it the exec generator is skipped silently."""
    pkg = copy_example("vllm-agg", tmp_path)
    proc = run([kubectl, "kustomize", "--enable-alpha-plugins", "--enable-exec", pkg], env=fn_env)
    assert proc.returncode == 1
    assert b"unknown flag: --enable-exec" in proc.stderr
    proc = run([kubectl, "kustomize", "--enable-alpha-plugins", pkg], env=fn_env)
    assert (proc.returncode, proc.stdout) == (0, b"")
