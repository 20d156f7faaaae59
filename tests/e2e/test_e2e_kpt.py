# SPDX-License-Identifier: Apache-2.0
"""kpt runs krm-dynamo as an exec function: `kpt fn render --allow-exec` with the Kptfile
pipeline and `kpt fn eval --exec`, in place and twice, as kpt's own e2e test runner does
(copy the package, commit it to a fresh git repository, run, `git diff`)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from e2e_util import (
    EXAMPLES,
    check_golden,
    copy_example,
    kinds_and_names,
    load_all,
    run,
    tree,
)
from k8s_validate import validate_all

pytestmark = pytest.mark.e2e

PKG = "kpt-vllm-agg"
EXPECTED = EXAMPLES / PKG / ".expected"
# What the package holds after a run: the user's files, unmoved, and the generated
# objects in files beside the DGD.
FILES_AFTER = [
    ".expected/config.yaml",
    ".expected/diff.patch",
    ".expected/results.yaml",
    ".krmignore",
    "Kptfile",
    "README.md",
    "deployment_vllm-agg-frontend.yaml",
    "deployment_vllm-agg-vllmdecodeworker.yaml",
    "dgd.yaml",
    "service_vllm-agg-frontend.yaml",
]
GENERATED = {
    "service_vllm-agg-frontend.yaml": ("Service", "dynamo", "vllm-agg-frontend"),
    "deployment_vllm-agg-frontend.yaml": ("Deployment", "dynamo", "vllm-agg-frontend"),
    "deployment_vllm-agg-vllmdecodeworker.yaml": ("Deployment", "dynamo", "vllm-agg-vllmdecodeworker"),
}
GIT_ENV = {
    "GIT_AUTHOR_NAME": "e2e", "GIT_AUTHOR_EMAIL": "e2e@example.com",
    "GIT_COMMITTER_NAME": "e2e", "GIT_COMMITTER_EMAIL": "e2e@example.com",
    "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null",
}


class Package:
    """A copy of the example package under git, to diff what kpt changed."""

    def __init__(self, git: str, tmp_path: Path, env: dict[str, str]):
        self.git = git
        self.path = copy_example(PKG, tmp_path)
        self.env = {**env, **GIT_ENV}
        self._git("init", "-q")
        self.commit("initial")

    def _git(self, *args: str) -> str:
        proc = run([self.git, *args], cwd=self.path, env=self.env)
        assert proc.returncode == 0, proc.stderr.decode()
        return proc.stdout.decode()

    def commit(self, message: str) -> None:
        self._git("add", "--all")
        self._git("commit", "-q", "--allow-empty", "-m", message)

    def diff_since_initial(self) -> str:
        self._git("add", "--all")
        initial = self._git("rev-list", "--max-parents=0", "HEAD").strip()
        return self._git("diff", "--cached", "--no-color", "--no-ext-diff", initial)


def run_kpt(kpt: str, pkg: Package, mode: str, results: Path) -> str:
    if mode == "render":
        cmd = [kpt, "fn", "render", "--allow-exec", pkg.path, "--results-dir", results]
    else:
        cmd = [kpt, "fn", "eval", pkg.path, "--exec", "krm-dynamo", "--results-dir", results]
    proc = run(cmd, env=pkg.env)
    assert proc.returncode == 0, proc.stderr.decode()
    return proc.stderr.decode()


@pytest.mark.parametrize("mode", ["render", "eval"])
def test_in_place_twice(mode, kpt, git, fn_env, tmp_path, update_goldens):
    """`kpt fn render --allow-exec` (Kptfile pipeline) and `kpt fn eval --exec krm-dynamo`
    change the package exactly as .expected/diff.patch says: dgd.yaml stays where it is
    (now local-config) and the generated objects are new files beside it. A second run
    changes nothing, byte for byte."""
    pkg = Package(git, tmp_path, fn_env)
    before = tree(pkg.path)

    console = run_kpt(kpt, pkg, mode, tmp_path / "results1")
    assert '[PASS] "krm-dynamo"' in console
    assert "[info] nvidia.com/v1alpha1/DynamoGraphDeployment/dynamo/vllm-agg: expanded into 1 Service, 2 Deployments" in console
    check_golden(pkg.diff_since_initial(), EXPECTED / "diff.patch", update_goldens and mode == "render")
    check_golden((tmp_path / "results1/results.yaml").read_text(), EXPECTED / "results.yaml",
                 update_goldens and mode == "render")
    first = tree(pkg.path)
    assert sorted(first) == FILES_AFTER
    assert set(first) - set(before) == set(GENERATED)

    # The user's DGD file: still there, still the DGD, now marked local-config.
    (dgd,) = load_all(first["dgd.yaml"].decode())
    assert (dgd["kind"], dgd["metadata"]["name"]) == ("DynamoGraphDeployment", "vllm-agg")
    assert dgd["metadata"]["annotations"] == {"config.kubernetes.io/local-config": "true"}
    assert first["dgd.yaml"].startswith(before["dgd.yaml"].split(b"apiVersion:")[0])  # head comment kept
    generated = []
    for name, ident in GENERATED.items():
        (obj,) = load_all(first[name].decode())
        assert kinds_and_names([obj]) == [ident]
        # no kpt bookkeeping left in the files; the ownership marker only (D33)
        assert obj["metadata"]["annotations"] == {"krm-dynamo.dev/generated-from": "dynamo/vllm-agg"}
        generated.append(obj)
    validate_all(generated)

    pkg.commit("first run")
    console = run_kpt(kpt, pkg, mode, tmp_path / "results2")
    assert tree(pkg.path) == first, "a second run changed the package"
    assert (tmp_path / "results2/results.yaml").read_text() == (tmp_path / "results1/results.yaml").read_text()


def test_render_requires_allow_exec(kpt, git, fn_env, tmp_path):
    """Without --allow-exec kpt refuses the exec mutator and leaves the package alone."""
    pkg = Package(git, tmp_path, fn_env)
    before = tree(pkg.path)
    proc = run([kpt, "fn", "render", pkg.path], env=pkg.env)
    assert proc.returncode == 1
    assert b"must run with `--allow-exec` option to allow running function binaries" in proc.stderr
    assert tree(pkg.path) == before


def test_eval_to_stdout_with_configmap_settings(kpt, fn_env, tmp_path):
    """`kpt fn eval --exec krm-dynamo -o stdout -- key=value`: the settings arrive as a
    ConfigMap and reach every pod; the package on disk is not touched."""
    pkg = copy_example(PKG, tmp_path)
    before = tree(pkg)
    proc = run(
        [kpt, "fn", "eval", pkg, "--exec", "krm-dynamo", "-o", "stdout", "--",
         "natsServer=nats://nats.dynamo-system:4222", "etcdEndpoints=etcd.dynamo-system:2379"],
        env=fn_env,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    assert tree(pkg) == before
    rl = yaml.safe_load(proc.stdout)
    assert (rl["apiVersion"], rl["kind"]) == ("config.kubernetes.io/v1", "ResourceList")
    items = rl["items"]
    assert kinds_and_names([i for i in items if i["kind"] != "Kptfile"]) == [
        ("DynamoGraphDeployment", "dynamo", "vllm-agg"),
        *GENERATED.values(),
    ]
    assert [i["metadata"]["annotations"]["internal.config.kubernetes.io/path"] for i in items] == [
        "Kptfile", "dgd.yaml", *GENERATED,
    ]
    for dep in (i for i in items if i["kind"] == "Deployment"):
        (container,) = dep["spec"]["template"]["spec"]["containers"]
        env = {e["name"]: e.get("value") for e in container["env"]}
        assert env["NATS_SERVER"] == "nats://nats.dynamo-system:4222"
        assert env["ETCD_ENDPOINTS"] == "etcd.dynamo-system:2379"


def test_function_error_fails_and_leaves_package_untouched(kpt, git, fn_env, tmp_path):
    """A DGD the function rejects: kpt prints [FAIL] with the error result, exits 1 and
    writes nothing."""
    pkg = Package(git, tmp_path, fn_env)
    dgd = pkg.path / "dgd.yaml"
    dgd.write_text(dgd.read_text().replace("          image: nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.6.0\n", "", 1))
    pkg.commit("broken")
    before = tree(pkg.path)
    proc = run([kpt, "fn", "render", "--allow-exec", pkg.path, "--results-dir", tmp_path / "res"], env=pkg.env)
    assert proc.returncode == 1
    console = proc.stderr.decode()
    assert '[FAIL] "krm-dynamo"' in console
    assert "spec.services.Frontend.extraPodSpec.mainContainer.image" in console
    assert tree(pkg.path) == before
    results = yaml.safe_load((tmp_path / "res/results.yaml").read_text())
    assert results["exitCode"] == 1
    (fn,) = results["items"]
    errors = [r for r in fn["results"] if r.get("severity") == "error"]
    assert [e["field"]["path"] for e in errors] == ["spec.services.Frontend.extraPodSpec.mainContainer.image"]
    assert errors[0]["resourceRef"] == {
        "apiVersion": "nvidia.com/v1alpha1", "kind": "DynamoGraphDeployment", "name": "vllm-agg", "namespace": "dynamo",
    }


def test_generated_files_go_beside_the_dgd_in_a_subdirectory(kpt, fn_env, tmp_path):
    """A DGD in a subdirectory of the package: its objects are written into that
    subdirectory, next to it, and a second run changes nothing."""
    pkg = copy_example(PKG, tmp_path)
    (pkg / "graph").mkdir()
    (pkg / "dgd.yaml").rename(pkg / "graph/dgd.yaml")
    runs = []
    for _ in range(2):
        proc = run([kpt, "fn", "eval", pkg, "--exec", "krm-dynamo"], env=fn_env)
        assert proc.returncode == 0, proc.stderr.decode()
        runs.append(tree(pkg))
    assert sorted(f for f in runs[0] if f.endswith(".yaml") and not f.startswith(".expected/")) == sorted(
        ["graph/dgd.yaml", *(f"graph/{name}" for name in GENERATED)]
    )
    assert runs[1] == runs[0]
