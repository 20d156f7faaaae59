# SPDX-License-Identifier: Apache-2.0
"""Ownership across renders (D33) with the real kpt, and `krm-dynamo render` on the same
package as the Argo CD plugin runs it.

Every scenario renders the example package in place with `kpt fn render --allow-exec`,
edits it as a user would, renders again (twice: the second run must change nothing) and
then checks what `krm-dynamo render PKG` would apply. Generated files carry the marker
`krm-dynamo.dev/generated-from`; stale ones are deleted by kpt because the function
leaves them out; a PersistentVolumeClaim stays (warning); a user's object with a
generated name fails the render and names both files.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e_util import copy_example, kinds_and_names, load_all, run, tree

pytestmark = pytest.mark.e2e

PKG = "kpt-vllm-agg"
FRONTEND_SERVICE = "service_vllm-agg-frontend.yaml"
FRONTEND = "deployment_vllm-agg-frontend.yaml"
WORKER = "deployment_vllm-agg-vllmdecodeworker.yaml"
MARKER = "krm-dynamo.dev/generated-from"


def _render(kpt: str, pkg: Path, env: dict[str, str], ok: bool = True) -> str:
    proc = run([kpt, "fn", "render", "--allow-exec", pkg], env=env)
    console = proc.stderr.decode() + proc.stdout.decode()
    assert (proc.returncode == 0) == ok, console
    return console


def _generated_files(pkg: Path) -> list[str]:
    return sorted(
        name for name in tree(pkg)
        if name.endswith(".yaml") and not name.startswith(".expected/") and name not in ("dgd.yaml", "Kptfile")
    )


def _render_twice(kpt: str, pkg: Path, env: dict[str, str]) -> str:
    """Render in place; a second render changes nothing, byte for byte."""
    console = _render(kpt, pkg, env)
    after = tree(pkg)
    _render(kpt, pkg, env)
    assert tree(pkg) == after, "a second kpt fn render changed the package"
    return console


def _applied(pkg: Path, env: dict[str, str], *flags: str) -> list[tuple[str, str, str]]:
    """What `krm-dynamo render PKG` (the Argo CD plugin's command) would apply."""
    proc = run(["krm-dynamo", "render", *flags, pkg], env=env)
    assert proc.returncode == 0, proc.stderr.decode()
    objs = [o for o in load_all(proc.stdout.decode()) if o["kind"] != "Kptfile"]
    assert all(MARKER not in (o["metadata"].get("annotations") or {}) for o in objs)
    return sorted(kinds_and_names(objs))


def _edit(pkg: Path, old: str, new: str, name: str = "dgd.yaml") -> None:
    path = pkg / name
    text = path.read_text()
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new))


@pytest.fixture()
def pkg(kpt: str, fn_env: dict[str, str], tmp_path: Path) -> Path:
    """The example package, rendered once."""
    path = copy_example(PKG, tmp_path)
    _render_twice(kpt, path, fn_env)
    assert _generated_files(path) == [FRONTEND, WORKER, FRONTEND_SERVICE]
    (obj,) = load_all((path / WORKER).read_text())
    assert obj["metadata"]["annotations"] == {MARKER: "dynamo/vllm-agg"}
    return path


def test_renamed_service(kpt, fn_env, pkg):
    _edit(pkg, "VllmDecodeWorker:", "Decode:")
    console = _render_twice(kpt, pkg, fn_env)
    assert _generated_files(pkg) == ["deployment_vllm-agg-decode.yaml", FRONTEND, FRONTEND_SERVICE]
    assert (
        "[info] apps/v1/Deployment/dynamo/vllm-agg-vllmdecodeworker: removed from the output: "
        'the DynamoGraphDeployment "dynamo/vllm-agg" no longer generates it'
    ) in console
    assert ("Deployment", "dynamo", "vllm-agg-decode") in _applied(pkg, fn_env)


def test_deleted_service(kpt, fn_env, pkg):
    text = (pkg / "dgd.yaml").read_text()
    (pkg / "dgd.yaml").write_text(text[: text.index("    VllmDecodeWorker:")])
    _render_twice(kpt, pkg, fn_env)
    assert _generated_files(pkg) == [FRONTEND, FRONTEND_SERVICE]
    assert _applied(pkg, fn_env) == [("Deployment", "dynamo", "vllm-agg-frontend"),
                                     ("Service", "dynamo", "vllm-agg-frontend")]


def test_removed_graph(kpt, fn_env, pkg):
    (pkg / "dgd.yaml").unlink()
    console = _render_twice(kpt, pkg, fn_env)
    assert _generated_files(pkg) == []
    assert "is no longer in the input" in console
    # Nothing is left to apply: `render` refuses an empty stream (Argo CD would prune everything)
    # unless the user asks for it.
    refused = run(["krm-dynamo", "render", pkg], env=fn_env)
    assert (refused.returncode, refused.stdout) == (1, b"")
    assert "nothing to print" in refused.stderr.decode()
    assert _applied(pkg, fn_env, "--allow-empty") == []


def test_renamed_graph(kpt, fn_env, pkg):
    _edit(pkg, "  name: vllm-agg\n", "  name: chat\n")
    _render_twice(kpt, pkg, fn_env)
    assert _generated_files(pkg) == [
        "deployment_chat-frontend.yaml", "deployment_chat-vllmdecodeworker.yaml", "service_chat-frontend.yaml",
    ]


def test_changed_namespace_keeps_the_files(kpt, fn_env, pkg):
    _edit(pkg, "  namespace: dynamo\n", "  namespace: prod\n")
    _render_twice(kpt, pkg, fn_env)
    assert _generated_files(pkg) == [FRONTEND, WORKER, FRONTEND_SERVICE]
    assert {o["metadata"]["namespace"] for name in _generated_files(pkg)
            for o in load_all((pkg / name).read_text())} == {"prod"}


def test_argocd_render_of_a_package_not_rendered_again(fn_env, pkg):
    """The DGD was edited and committed without `kpt fn render`: `krm-dynamo render` still
    applies only what the DGD generates now (the stale file's worker is left out)."""
    _edit(pkg, "VllmDecodeWorker:", "Decode:")
    assert _applied(pkg, fn_env) == [
        ("Deployment", "dynamo", "vllm-agg-decode"),
        ("Deployment", "dynamo", "vllm-agg-frontend"),
        ("Service", "dynamo", "vllm-agg-frontend"),
    ]


def test_hand_written_object_fails_and_names_both_files(kpt, fn_env, pkg):
    (pkg / "frontend-lb.yaml").write_text(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: vllm-agg-frontend\n  namespace: dynamo\n"
        "spec:\n  type: LoadBalancer\n  ports:\n  - port: 80\n"
    )
    (pkg / FRONTEND_SERVICE).unlink()  # the user replaced the generated file by their own
    before = tree(pkg)
    console = _render(kpt, pkg, fn_env, ok=False)
    assert "(file frontend-lb.yaml) has the name of an object" in console
    assert '"dynamo/vllm-agg" (file dgd.yaml) generates' in console
    assert tree(pkg) == before, "a failing render must leave the package untouched"
    proc = run(["krm-dynamo", "render", pkg], env=fn_env)
    assert (proc.returncode, proc.stdout) == (1, b"")
    assert b"frontend-lb.yaml:4: [error] v1/Service/dynamo/vllm-agg-frontend metadata.name:" in proc.stderr


def test_pvc_is_never_removed(kpt, fn_env, pkg):
    pvcs = ("  pvcs:\n  - name: model-cache\n    create: true\n    storageClass: standard\n"
            "    size: 10Gi\n    volumeAccessMode: ReadWriteOnce\n")
    _edit(pkg, "spec:\n  backendFramework: vllm\n", "spec:\n  backendFramework: vllm\n" + pvcs)
    _render_twice(kpt, pkg, fn_env)
    assert "persistentvolumeclaim_model-cache.yaml" in _generated_files(pkg)
    _edit(pkg, pvcs, "")
    console = _render_twice(kpt, pkg, fn_env)
    assert "persistentvolumeclaim_model-cache.yaml" in _generated_files(pkg)
    assert "[warning] v1/PersistentVolumeClaim/dynamo/model-cache: kept, although" in console
    assert ("PersistentVolumeClaim", "dynamo", "model-cache") in _applied(pkg, fn_env)


def test_same_graph_name_in_two_namespaces(kpt, fn_env, pkg):
    text = (pkg / "dgd.yaml").read_text()
    (pkg / "staging.yaml").write_text(text.replace("  namespace: dynamo\n", "  namespace: staging\n"))
    _render_twice(kpt, pkg, fn_env)
    assert _generated_files(pkg) == sorted([
        FRONTEND, "deployment_staging_vllm-agg-frontend.yaml",
        "deployment_staging_vllm-agg-vllmdecodeworker.yaml", WORKER,
        FRONTEND_SERVICE, "service_staging_vllm-agg-frontend.yaml", "staging.yaml",
    ])
    applied = _applied(pkg, fn_env)
    assert len(applied) == 6 and {ns for _, ns, _ in applied} == {"dynamo", "staging"}


def test_selectors_that_include_the_earlier_output(kpt, fn_env, tmp_path):
    """The README's recipe for a Kptfile with `selectors:`: select the DGD and its marker."""
    path = copy_example(PKG, tmp_path)
    with (path / "Kptfile").open("a") as kptfile:
        kptfile.write("    selectors:\n    - kind: DynamoGraphDeployment\n    - annotations:\n"
                      f"        {MARKER}: dynamo/vllm-agg\n")
    _render_twice(kpt, path, fn_env)
    assert all(len(load_all((path / name).read_text())) == 1 for name in _generated_files(path))
    _edit(path, "VllmDecodeWorker:", "Decode:")
    _render_twice(kpt, path, fn_env)
    assert _generated_files(path) == ["deployment_vllm-agg-decode.yaml", FRONTEND, FRONTEND_SERVICE]
