# SPDX-License-Identifier: Apache-2.0
"""The container form for real: the Dockerfile built with podman, then run by
`kpt fn eval --image` and `kpt fn render` (KPT_FN_RUNTIME=podman), by kustomize's and
kubectl's container form (they run `docker`: a `docker` -> `podman` shim stands in), and
directly as a non-root user with a read-only root filesystem.

What it needs: rootful podman, and what `bash .ci/container-bases` leaves in
.ci/tools/podman/ (no container registry is reachable here): podman settings for this
machine (runc, ulimits), its own image store, the Dockerfile's two base images made
locally (Debian 12 with python3 from debootstrap, the go-installed kustomize) and the
locked wheels, so that the build runs with `--network none`. $CONTAINERS_CONF and
$CONTAINERS_STORAGE_CONF override the settings. Without them the tests skip with the
reason (under .ci/run, KRM_DYNAMO_E2E_REQUIRE_TOOLS=1, they fail instead); a container
engine that cannot start a container skips (or fails) with podman's own error.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from e2e_util import (
    EXAMPLES,
    IMAGE,
    REPO,
    VLLM_AGG_OBJECTS,
    copy_example,
    kinds_and_names,
    load_all,
    missing_tool,
    readme_sh_block,
    run,
    tree,
)

pytestmark = pytest.mark.e2e

PODMAN_DIR = REPO / ".ci/tools/podman"
REGISTRY = PODMAN_DIR / "registry/usr/bin/docker-registry"
PYTHON_BASE = "localhost/krm-dynamo-base/python:3.11-bookworm"
KUSTOMIZE_BASE = "localhost/krm-dynamo-base/kustomize:v5"
BUILD_TIMEOUT = 600
SETUP = "run `bash .ci/container-bases` as root"


def _podman(env: dict[str, str], *args: str, timeout: int = 120) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["podman", *args], env=env, capture_output=True, timeout=timeout, check=False)


@pytest.fixture(scope="session")
def podman_env() -> dict[str, str]:
    """The environment podman runs in, checked to start a container; else skip (or fail)."""
    if shutil.which("podman") is None:
        missing_tool(f"podman is not installed (Debian package podman): {SETUP}")
    env = dict(os.environ)
    for var, name in (("CONTAINERS_CONF", "containers.conf"), ("CONTAINERS_STORAGE_CONF", "storage.conf")):
        if var not in env:
            if not (PODMAN_DIR / name).is_file():
                missing_tool(f"no podman settings in {PODMAN_DIR.relative_to(REPO)}: {SETUP}")
            env[var] = str(PODMAN_DIR / name)
    for base in (PYTHON_BASE, KUSTOMIZE_BASE):
        if _podman(env, "image", "exists", base).returncode != 0:
            missing_tool(f"no base image {base} in podman's store: {SETUP}")
    if not any((PODMAN_DIR / "wheels").glob("*.whl")):
        missing_tool(f"no wheels in {PODMAN_DIR.relative_to(REPO)}/wheels for the offline build: {SETUP}")
    probe = _podman(env, "run", "--rm", "--network", "none", PYTHON_BASE, "true")
    if probe.returncode != 0:
        missing_tool(f"podman cannot run a container here: {probe.stderr.decode().strip()}")
    return env


@pytest.fixture(scope="session")
def image(podman_env: dict[str, str]) -> Iterator[str]:
    """The Dockerfile built offline by the README's own commands, under the name the
    examples use; dangling images of earlier builds are removed afterwards."""
    recipe = readme_sh_block("podman build --network none")
    assert f"-t {IMAGE} ." in recipe and PYTHON_BASE in recipe and KUSTOMIZE_BASE in recipe
    proc = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", recipe], cwd=REPO, env=podman_env,
        capture_output=True, timeout=BUILD_TIMEOUT, check=False,
    )
    assert proc.returncode == 0, (proc.stdout + proc.stderr).decode()[-4000:]
    yield IMAGE
    _podman(podman_env, "image", "prune", "--force")


def exec_output(fn_env: dict[str, str], resource_list: bytes) -> bytes:
    """The exec form's answer to a ResourceList: the reference for the container."""
    proc = run(["krm-dynamo"], env=fn_env, stdin=resource_list)
    assert proc.returncode == 0, proc.stderr.decode()
    return proc.stdout


def resource_list(example: str) -> bytes:
    dgd = yaml.safe_load((EXAMPLES / example / "dgd.yaml").read_text())
    return yaml.safe_dump({"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": [dgd]}).encode()


def test_image_is_non_root_with_the_function_as_entrypoint(image, podman_env):
    (config,) = json.loads(_podman(podman_env, "image", "inspect", image).stdout)
    assert config["Config"]["User"] == "65534:65534"
    assert config["Config"]["Entrypoint"] == ["krm-dynamo"]
    proc = _podman(podman_env, "run", "--rm", "--read-only", "--network", "none", image, "--version")
    assert (proc.returncode, proc.stdout) == (0, b"krm-dynamo 0.1.0\n"), proc.stderr.decode()
    # The Argo CD sidecar runs kustomize from the same image.
    proc = _podman(podman_env, "run", "--rm", "--read-only", "--entrypoint", "kustomize", image, "version")
    assert proc.returncode == 0 and proc.stdout.startswith(b"v5."), proc.stderr.decode()


def test_runs_as_nobody_on_a_read_only_root(image, podman_env, fn_env):
    """`--user 65534 --read-only`: the function writes nothing (bytecode is in the image)
    and answers exactly as the exec form does."""
    stdin = resource_list("vllm-agg-container")
    proc = subprocess.run(
        ["podman", "run", "--rm", "-i", "--read-only", "--user", "65534:65534", "--network", "none",
         "--security-opt=no-new-privileges", image],
        env=podman_env, input=stdin, capture_output=True, timeout=120, check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout == exec_output(fn_env, stdin)
    (out,) = load_all(proc.stdout.decode())
    assert kinds_and_names(out["items"][1:]) == VLLM_AGG_OBJECTS


def test_kpt_fn_eval_image(image, podman_env, fn_env, kpt, tmp_path):
    """`KPT_FN_RUNTIME=podman kpt fn eval --image` writes the same package as `--exec`."""
    env = {**fn_env, **{k: podman_env[k] for k in ("CONTAINERS_CONF", "CONTAINERS_STORAGE_CONF")},
           "KPT_FN_RUNTIME": "podman"}
    by_image = copy_example("kpt-vllm-agg", tmp_path / "image")
    by_exec = copy_example("kpt-vllm-agg", tmp_path / "exec")
    proc = run([kpt, "fn", "eval", by_image, "--image", image], env=env)
    assert proc.returncode == 0, proc.stderr.decode()
    proc = run([kpt, "fn", "eval", by_exec, "--exec", "krm-dynamo"], env=env)
    assert proc.returncode == 0, proc.stderr.decode()
    assert tree(by_image) == tree(by_exec)
    assert len(tree(by_image)) > len(tree(EXAMPLES / "kpt-vllm-agg"))


def test_kpt_fn_render_with_image_in_the_kptfile(image, podman_env, fn_env, kpt, tmp_path):
    """A Kptfile `image:` mutator (the container form of the package) renders the same
    package as the `exec:` one, twice in a row."""
    env = {**fn_env, **{k: podman_env[k] for k in ("CONTAINERS_CONF", "CONTAINERS_STORAGE_CONF")},
           "KPT_FN_RUNTIME": "podman"}
    by_image = copy_example("kpt-vllm-agg", tmp_path / "image")
    by_exec = copy_example("kpt-vllm-agg", tmp_path / "exec")
    kptfile = by_image / "Kptfile"
    kptfile.write_text(kptfile.read_text().replace("  - exec: krm-dynamo\n", f"  - image: {image}\n"))
    for _ in range(2):
        proc = run([kpt, "fn", "render", by_image], env=env)
        assert proc.returncode == 0, proc.stderr.decode()
        proc = run([kpt, "fn", "render", "--allow-exec", by_exec], env=env)
        assert proc.returncode == 0, proc.stderr.decode()
    def without_kptfile(root: Path) -> dict[str, bytes]:
        return {name: data for name, data in tree(root).items() if name != "Kptfile"}

    assert without_kptfile(by_image) == without_kptfile(by_exec)


@pytest.fixture()
def docker_is_podman(tmp_path: Path, fn_env: dict[str, str], podman_env: dict[str, str]) -> dict[str, str]:
    """kustomize runs container functions with `docker run`: a `docker` first on PATH that
    is podman (as podman-docker installs it)."""
    shim_dir = tmp_path / "docker-is-podman"
    shim_dir.mkdir()
    shim = shim_dir / "docker"
    shim.write_text('#!/bin/sh\nexec podman "$@"\n')
    shim.chmod(0o755)
    env = {**fn_env, **{k: podman_env[k] for k in ("CONTAINERS_CONF", "CONTAINERS_STORAGE_CONF")}}
    env["PATH"] = f"{shim_dir}:{env['PATH']}"
    return env


def test_kustomize_container_form(image, kustomize, docker_is_podman, tmp_path):
    """Standalone kustomize (v4 and v5) runs the image: the checked-in output exactly."""
    pkg = copy_example("vllm-agg-container", tmp_path)
    proc = run([kustomize, "build", "--enable-alpha-plugins", pkg], env=docker_is_podman)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.decode() == (EXAMPLES / "vllm-agg-container/.expected/output.yaml").read_text()


def test_kubectl_kustomize_container_form(image, kubectl, docker_is_podman, tmp_path):
    pkg = copy_example("vllm-agg-container", tmp_path)
    proc = run([kubectl, "kustomize", "--enable-alpha-plugins", pkg], env=docker_is_podman)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.decode() == (EXAMPLES / "vllm-agg-container/.expected/output.yaml").read_text()


def test_container_reports_function_errors(image, kustomize, docker_is_podman, tmp_path):
    """A DGD the function rejects fails the build with the error on stderr, as in exec form."""
    pkg = copy_example("vllm-agg-container", tmp_path)
    dgd = pkg / "dgd.yaml"
    dgd.write_text(dgd.read_text().replace("          image: nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.6.0\n", "", 1))
    proc = run([kustomize, "build", "--enable-alpha-plugins", pkg], env=docker_is_podman)
    assert (proc.returncode, proc.stdout) == (1, b"")
    assert b"spec.services.Frontend.extraPodSpec.mainContainer.image" in proc.stderr


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory, podman_env: dict[str, str]) -> Iterator[dict[str, str]]:
    """A throw-away registry on 127.0.0.1 (Debian's docker-registry, unpacked by
    .ci/container-bases), stopped after the session: its address as REGISTRY and a podman
    environment that may use it without TLS."""
    if not REGISTRY.is_file():
        missing_tool(f"no docker-registry in {REGISTRY.parent.relative_to(REPO)}: {SETUP}")
    root = tmp_path_factory.mktemp("registry")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{sock.getsockname()[1]}"
    (root / "config.yml").write_text(
        f"version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: {root / 'data'}\n"
        f"http:\n  addr: {address}\n"
    )
    (root / "registries.conf").write_text(f'[[registry]]\nlocation = "{address}"\ninsecure = true\n')
    with (root / "registry.log").open("wb") as log:
        server = subprocess.Popen([str(REGISTRY), "serve", str(root / "config.yml")], stdout=log, stderr=log)
    try:
        for _ in range(40):
            try:
                with urllib.request.urlopen(f"http://{address}/v2/", timeout=1):
                    break
            except OSError:
                time.sleep(0.25)
        else:
            pytest.fail(f"the registry did not start: {(root / 'registry.log').read_text()[-2000:]}")
        yield {**podman_env, "CONTAINERS_REGISTRIES_CONF": str(root / "registries.conf"), "REGISTRY": address}
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_kptfile_pins_the_pushed_image_by_digest(image, registry, fn_env, kpt, tmp_path):
    """The README's way to ship the image: push it to your own registry, take the digest
    from the push, pin the Kptfile's `image:` by it. kpt (podman) pulls exactly that
    image and renders the package as the exec form does; an unknown digest fails."""
    repository = f"{registry['REGISTRY']}/platform/krm-dynamo"
    digest_file = tmp_path / "digest.txt"
    push = _podman(registry, "push", "--digestfile", str(digest_file), image, f"{repository}:v0.1.0")
    assert push.returncode == 0, push.stderr.decode()
    digest = digest_file.read_text().strip()
    assert digest.startswith("sha256:") and len(digest) == 71

    env = {**fn_env, **{k: v for k, v in registry.items() if k.startswith("CONTAINERS_")},
           "KPT_FN_RUNTIME": "podman"}
    by_digest = copy_example("kpt-vllm-agg", tmp_path / "digest")
    by_exec = copy_example("kpt-vllm-agg", tmp_path / "exec")
    kptfile = by_digest / "Kptfile"
    exec_form = kptfile.read_text()
    kptfile.write_text(exec_form.replace("  - exec: krm-dynamo\n", f"  - image: {repository}@{digest}\n"))
    proc = run([kpt, "fn", "render", by_digest], env=env)
    assert proc.returncode == 0, proc.stderr.decode()
    assert _podman(registry, "image", "exists", f"{repository}@{digest}").returncode == 0
    assert run([kpt, "fn", "render", "--allow-exec", by_exec], env=env).returncode == 0
    rendered = {name: data for name, data in tree(by_digest).items() if name != "Kptfile"}
    assert rendered == {name: data for name, data in tree(by_exec).items() if name != "Kptfile"}

    unknown = f"{repository}@sha256:{'0' * 64}"
    kptfile.write_text(exec_form.replace("  - exec: krm-dynamo\n", f"  - image: {unknown}\n"))
    proc = run([kpt, "fn", "render", by_digest], env=env)
    assert proc.returncode != 0


def test_kustomize_runs_the_image_pinned_by_digest(image, registry, kustomize, docker_is_podman, tmp_path):
    """The same digest pin on the DGD's `container: image:` (kustomize's container form)."""
    repository = f"{registry['REGISTRY']}/platform/krm-dynamo"
    digest_file = tmp_path / "digest.txt"
    push = _podman(registry, "push", "--digestfile", str(digest_file), image, f"{repository}:v0.1.0")
    assert push.returncode == 0, push.stderr.decode()
    pkg = copy_example("vllm-agg-container", tmp_path)
    dgd = pkg / "dgd.yaml"
    dgd.write_text(dgd.read_text().replace(f"image: {IMAGE}", f"image: {repository}@{digest_file.read_text().strip()}"))
    env = {**docker_is_podman, "CONTAINERS_REGISTRIES_CONF": registry["CONTAINERS_REGISTRIES_CONF"]}
    proc = run([kustomize, "build", "--enable-alpha-plugins", pkg], env=env)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.decode() == (EXAMPLES / "vllm-agg-container/.expected/output.yaml").read_text()
