# SPDX-License-Identifier: Apache-2.0
"""The Argo CD Config Management Plugin: what the sidecar runs, run the way the CMP server
runs it (the plugin's `discover` and `generate` commands in the application's directory,
with the sidecar's PATH: krm-dynamo and a standalone kustomize), and the install overlay
built with kustomize against a stand-in argocd-repo-server."""

from __future__ import annotations

import shutil

import pytest
import yaml
from e2e_util import (
    EXAMPLES,
    IMAGE,
    VLLM_AGG_OBJECTS,
    check_golden,
    copy_example,
    kinds_and_names,
    load_all,
    run,
)
from k8s_validate import validate_all

pytestmark = pytest.mark.e2e

CMP = EXAMPLES / "argocd-cmp"


def plugin() -> dict:
    return yaml.safe_load((CMP / "plugin.yaml").read_text())


def cmp_env(fn_env: dict[str, str]) -> dict[str, str]:
    """The build environment Argo CD gives plugin commands (config-management-plugins.md)."""
    return {
        **fn_env,
        "ARGOCD_APP_NAME": "vllm-agg",
        "ARGOCD_APP_NAMESPACE": "dynamo",
        "ARGOCD_APP_REVISION": "0123456789abcdef0123456789abcdef01234567",
        "ARGOCD_APP_SOURCE_PATH": "kustomization-examples/argocd-cmp/app",
        "ARGOCD_APP_SOURCE_REPO_URL": "https://github.com/krm-dynamo/krm-dynamo.git",
        "ARGOCD_APP_SOURCE_TARGET_REVISION": "main",
        "KUBE_VERSION": "1.30.0",
    }


def command(spec: dict) -> list[str]:
    return [*spec["command"], *spec.get("args", [])]


def test_plugin_and_sidecar_wiring():
    """plugin.yaml is a ConfigManagementPlugin whose name the Application uses, mounted
    into the sidecar from the ConfigMap the kustomization generates."""
    p = plugin()
    assert (p["apiVersion"], p["kind"]) == ("argoproj.io/v1alpha1", "ConfigManagementPlugin")
    assert p["spec"]["preserveFileMode"] is False
    assert p["spec"]["generate"]["command"] == ["sh", "-c"]

    app = yaml.safe_load((CMP / "application.yaml").read_text())
    assert app["kind"] == "Application"
    assert app["spec"]["source"]["plugin"]["name"] == f"{p['metadata']['name']}-{p['spec']['version']}"
    assert app["spec"]["source"]["path"] == "kustomization-examples/argocd-cmp/app"
    assert (CMP / "app/dgd.yaml").is_file()

    kustomization = yaml.safe_load((CMP / "kustomization.yaml").read_text())
    (generator,) = kustomization["configMapGenerator"]
    assert generator["files"] == ["plugin.yaml"]
    assert kustomization["patches"] == [{"path": "argocd-repo-server-patch.yaml"}]


def test_install_overlay_adds_the_sidecar(kustomize, fn_env, tmp_path):
    """Built with kustomize (a stand-in argocd-repo-server replaces the remote install
    manifest, which needs the network): the patch adds the sidecar with the CMP server as
    command, uid 999, plugin.yaml from the generated ConfigMap and its own /tmp."""
    overlay = copy_example("argocd-cmp", tmp_path)
    (overlay / "repo-server.yaml").write_text(yaml.safe_dump({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "argocd-repo-server"},
        "spec": {
            "selector": {"matchLabels": {"app.kubernetes.io/name": "argocd-repo-server"}},
            "template": {
                "metadata": {"labels": {"app.kubernetes.io/name": "argocd-repo-server"}},
                "spec": {
                    "containers": [{"name": "argocd-repo-server", "image": "quay.io/argoproj/argocd:v2.14.0"}],
                    "volumes": [{"name": "var-files", "emptyDir": {}}, {"name": "plugins", "emptyDir": {}}],
                },
            },
        },
    }))
    kustomization = yaml.safe_load((overlay / "kustomization.yaml").read_text())
    (remote,) = kustomization["resources"]
    assert remote.startswith("https://raw.githubusercontent.com/argoproj/argo-cd/v")
    kustomization["resources"] = ["repo-server.yaml"]
    (overlay / "kustomization.yaml").write_text(yaml.safe_dump(kustomization))

    proc = run([kustomize, "build", overlay], env=fn_env)
    assert proc.returncode == 0, proc.stderr.decode()
    objs = load_all(proc.stdout.decode())
    assert kinds_and_names(objs) == [
        ("ConfigMap", "argocd", "krm-dynamo-cmp-plugin"),
        ("Deployment", "argocd", "argocd-repo-server"),
    ]
    configmap, deployment = objs
    assert configmap["data"] == {"plugin.yaml": (CMP / "plugin.yaml").read_text()}
    pod = deployment["spec"]["template"]["spec"]
    assert [c["name"] for c in pod["containers"]] == ["krm-dynamo", "argocd-repo-server"]
    sidecar = pod["containers"][0]
    assert sidecar["image"] == IMAGE
    assert sidecar["command"] == ["/var/run/argocd/argocd-cmp-server"]
    assert sidecar["securityContext"]["runAsNonRoot"] is True
    assert sidecar["securityContext"]["runAsUser"] == 999
    mounts = {m["mountPath"]: m for m in sidecar["volumeMounts"]}
    assert mounts["/var/run/argocd"]["name"] == "var-files"
    assert mounts["/home/argocd/cmp-server/plugins"]["name"] == "plugins"
    assert mounts["/home/argocd/cmp-server/config/plugin.yaml"] == {
        "name": "krm-dynamo-cmp-plugin", "mountPath": "/home/argocd/cmp-server/config/plugin.yaml",
        "subPath": "plugin.yaml",
    }
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes["krm-dynamo-cmp-plugin"]["configMap"]["name"] == "krm-dynamo-cmp-plugin"
    tmp_volume = mounts["/tmp"]["name"]
    assert tmp_volume not in ("var-files", "plugins") and volumes[tmp_volume] == {"name": tmp_volume, "emptyDir": {}}
    validate_all(objs)


def test_generate_renders_the_application(fn_env, tmp_path, update_goldens):
    """In app/ (no kustomization) the plugin runs `krm-dynamo render .`: exactly the
    checked-in manifests, without the DGD."""
    app = copy_example("argocd-cmp", tmp_path) / "app"
    env = cmp_env(fn_env)
    found = run(command(plugin()["spec"]["discover"]["find"]), cwd=app, env=env)
    assert (found.returncode, found.stdout) == (0, b"./dgd.yaml\n")

    proc = run(command(plugin()["spec"]["generate"]), cwd=app, env=env)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stderr == b""
    out = proc.stdout.decode()
    check_golden(out, CMP / ".expected/output.yaml", update_goldens)
    objs = load_all(out)
    assert kinds_and_names(objs) == VLLM_AGG_OBJECTS
    validate_all(objs)


def test_generate_builds_a_kustomization(kustomize, fn_env, tmp_path):
    """In a directory with a kustomization the plugin runs standalone kustomize with the
    function as exec generator: the vllm-agg example's exact output."""
    app = copy_example("vllm-agg", tmp_path)
    env = cmp_env(fn_env)
    # The sidecar's PATH, with the kustomize under test first.
    own_bin = tmp_path / "kustomize-bin"
    own_bin.mkdir()
    (own_bin / "kustomize").symlink_to(kustomize)
    env["PATH"] = f"{own_bin}:{env['PATH']}"
    assert shutil.which("kustomize", path=env["PATH"]) == str(own_bin / "kustomize")
    found = run(command(plugin()["spec"]["discover"]["find"]), cwd=app, env=env)
    assert (found.returncode, found.stdout) == (0, b"./dgd.yaml\n")
    proc = run(command(plugin()["spec"]["generate"]), cwd=app, env=env)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.decode() == (EXAMPLES / "vllm-agg/.expected/output.yaml").read_text()


def test_generate_refuses_an_empty_kustomize_build(kustomize, fn_env, tmp_path):
    """A kustomization that builds to nothing (here: a local-config DGD whose transformer was
    forgotten) is exit 1 with a hint, never an empty manifest stream for auto-prune to act on."""
    app = tmp_path / "app"
    app.mkdir()
    dgd = (EXAMPLES / "vllm-agg/dgd.yaml").read_text()
    start = dgd.index("    config.kubernetes.io/function:")
    end = dgd.index("spec:")
    (app / "dgd.yaml").write_text(dgd[:start] + '    config.kubernetes.io/local-config: "true"\n' + dgd[end:])
    (app / "kustomization.yaml").write_text("resources:\n- dgd.yaml\n")
    env = cmp_env(fn_env)
    own_bin = tmp_path / "kustomize-bin"
    own_bin.mkdir()
    (own_bin / "kustomize").symlink_to(kustomize)
    env["PATH"] = f"{own_bin}:{env['PATH']}"
    proc = run(command(plugin()["spec"]["generate"]), cwd=app, env=env)
    assert (proc.returncode, proc.stdout) == (1, b"")
    assert proc.stderr.decode() == (
        "krm-dynamo plugin: kustomize build printed nothing (is the krm-dynamo function listed under "
        "generators: or transformers:?)\n")


def test_discover_ignores_directories_without_a_dgd(fn_env, tmp_path):
    """Other applications are not claimed: exit 0 with empty output means "no match"."""
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")
    found = run(command(plugin()["spec"]["discover"]["find"]), cwd=tmp_path, env=cmp_env(fn_env))
    assert (found.returncode, found.stdout) == (0, b"")


def test_generate_fails_loudly(fn_env, tmp_path):
    """A DGD the function rejects gives exit 1, the error on stderr (the Argo CD UI shows
    it) and no manifests, never an empty stream that auto-prune would act on."""
    app = copy_example("argocd-cmp", tmp_path) / "app"
    dgd = app / "dgd.yaml"
    dgd.write_text(dgd.read_text().replace("          image: nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.6.0\n", "", 1))
    proc = run(command(plugin()["spec"]["generate"]), cwd=app, env=cmp_env(fn_env))
    assert proc.returncode == 1
    assert proc.stdout == b""
    assert "spec.services.Frontend.extraPodSpec.mainContainer.image" in proc.stderr.decode()
