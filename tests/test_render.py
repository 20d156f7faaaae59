# SPDX-License-Identifier: Apache-2.0
"""`krm-dynamo render`: plain files, directories and stdin in, a YAML stream out."""

import subprocess
import textwrap
import os
from pathlib import Path

import pytest
from procs import REPO, run_krm

CONFIGMAP = textwrap.dedent(
    """\
    # a comment kustomize would drop too
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: settings
      annotations:
        team: ml
    data:
      enabled: yes
    """
)
LOCAL = textwrap.dedent(
    """\
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: only-local
      annotations:
        config.kubernetes.io/local-config: "true"
    """
)


def render(*args: str, cwd: Path, stdin: bytes = b"") -> subprocess.CompletedProcess:
    return run_krm("render", *args, stdin=stdin, cwd=cwd)


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    (tmp_path / "b.yaml").write_text(CONFIGMAP)
    (tmp_path / "a.yml").write_text(LOCAL + "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: demo\n")
    (tmp_path / "kustomization.yaml").write_text("resources: [b.yaml]\n")
    (tmp_path / "notes.txt").write_text("not yaml: [")
    (tmp_path / ".expected").mkdir()
    (tmp_path / ".expected" / "out.yaml").write_text("kind: Ignored\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.yaml").write_text("apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\n")
    return tmp_path


def test_directory_renders_every_yaml_file_in_path_order(tree: Path):
    """Files sorted by path; kustomization files, hidden folders and other files skipped;
    local-config objects left out; pass-through objects unchanged."""
    proc = render(".", cwd=tree)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == b""
    assert proc.stdout.decode() == (
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: demo\n"
        "---\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  annotations:\n    team: ml\n"
        "data:\n  enabled: \"yes\"\n"
        "---\n"
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\n"
    )


def test_keep_local_config(tree: Path):
    """`--keep-local-config` prints local-config objects too, annotations intact."""
    proc = render("--keep-local-config", "a.yml", cwd=tree)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode() == (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: only-local\n  annotations:\n"
        "    config.kubernetes.io/local-config: \"true\"\n"
        "---\n"
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: demo\n"
    )


def test_stdin_and_resource_list_input(tree: Path):
    """`-` reads stdin; a ResourceList there (kpt fn source) is unwrapped to its items."""
    stdin = b"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: x\n"
    proc = render("-", cwd=tree, stdin=stdin)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode() == "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n"


def test_nothing_to_print_is_an_error_unless_allowed(tree: Path):
    """Only local-config objects: an error (an empty stream makes Argo CD prune); --allow-empty: exit 0, empty."""
    (tree / "only.yaml").write_text(LOCAL)
    proc = render("only.yaml", cwd=tree)
    assert (proc.returncode, proc.stdout) == (1, b"")
    assert proc.stderr.decode() == (
        "krm-dynamo: render: nothing to print: all 1 objects are local-config (use --keep-local-config to print them) "
        "in only.yaml (pass --allow-empty to print an empty stream on purpose)\n"
    )
    proc = render("--allow-empty", "only.yaml", cwd=tree)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, b"", b"")


@pytest.mark.parametrize(
    "args, files, message",
    [
        (["missing.yaml"], {}, "krm-dynamo: missing.yaml: no such file or directory\n"),
        (["bad.yaml"], {"bad.yaml": "a: [\n"}, "krm-dynamo: bad.yaml:2:1: invalid YAML: did not find expected node content (while parsing a flow node)\n"),
        (["list.yaml"], {"list.yaml": "kind: A\napiVersion: v1\n---\n- x\n"}, "krm-dynamo: list.yaml:4: this YAML document is not a KRM object: it is a list, not a mapping"
         " (render reads only Kubernetes objects, as kustomize build does with resources)\n"),
        (
            ["plain.yaml"],
            {"plain.yaml": "kind: A\napiVersion: v1\n---\n# a mapping, but no object\nfoo: bar\n"},
            "krm-dynamo: plain.yaml:5: this YAML document is not a KRM object: it has no apiVersion and no kind"
            " (render reads only Kubernetes objects, as kustomize build does with resources)\n",
        ),
        (["fifo.yaml"], {}, "krm-dynamo: fifo.yaml: is a FIFO (named pipe), not a regular file; render reads files, directories and - (stdin)\n"),
        (["--function-config"], {}, "krm-dynamo: render: --function-config needs a FILE (krm-dynamo --help shows the usage)\n"),
        (["--frobnicate", "x.yaml"], {}, "krm-dynamo: render: unknown option '--frobnicate' (krm-dynamo --help shows the usage)\n"),
        ([], {}, "krm-dynamo: render: name at least one FILE, DIR or - (stdin) (krm-dynamo --help shows the usage)\n"),
        (
            ["--function-config", "cfg.yaml", "ok.yaml"],
            {"cfg.yaml": "a: 1\n---\nb: 2\n", "ok.yaml": "apiVersion: v1\nkind: X\n"},
            "krm-dynamo: cfg.yaml:3: --function-config must hold exactly one object (a KrmDynamoConfig or a ConfigMap), "
            "found 2 documents\n",
        ),
        (
            ["--function-config", "cfg.yaml", "ok.yaml"],
            {"cfg.yaml": "# settings\n- natsServer: x\n", "ok.yaml": "apiVersion: v1\nkind: X\n"},
            "krm-dynamo: cfg.yaml:2: --function-config must hold exactly one object (a KrmDynamoConfig or a ConfigMap), "
            "found a list\n",
        ),
        (
            ["--function-config", "cfg.yaml", "ok.yaml"],
            {"cfg.yaml": "# nothing yet\n", "ok.yaml": "apiVersion: v1\nkind: X\n"},
            "krm-dynamo: cfg.yaml: --function-config must hold exactly one object (a KrmDynamoConfig or a ConfigMap), "
            "found no document\n",
        ),
        (
            ["--function-config", "cfg.yaml", "ok.yaml"],
            {"cfg.yaml": "apiVersion: v2\nkind: ConfigMap\n", "ok.yaml": "apiVersion: v1\nkind: X\n"},
            "krm-dynamo: cfg.yaml:1: --function-config must be a KrmDynamoConfig (apiVersion: fn.krm-dynamo.dev/v1alpha1) "
            'or a v1 ConfigMap, found apiVersion "v2", kind "ConfigMap"\n',
        ),
        (
            ["--function-config", "cfg.yaml", "ok.yaml"],
            {"cfg.yaml": "natsServer: x\n", "ok.yaml": "apiVersion: v1\nkind: X\n"},
            "krm-dynamo: cfg.yaml:1: --function-config must be a KrmDynamoConfig (apiVersion: fn.krm-dynamo.dev/v1alpha1) "
            "or a v1 ConfigMap, found no apiVersion, no kind\n",
        ),
        (
            ["--function-config", "cfg.yaml", "ok.yaml"],
            {"cfg.yaml": "data: {a: [\n", "ok.yaml": "apiVersion: v1\nkind: X\n"},
            "krm-dynamo: cfg.yaml:2:1: invalid YAML: did not find expected node content (while parsing a flow node)\n",
        ),
    ],
    ids=[
        "missing-file", "malformed", "not-a-mapping", "not-an-object", "fifo",
        "config-without-file", "unknown-option", "no-paths", "two-configs", "config-a-list", "config-empty",
        "config-wrong-api-version", "config-no-kind", "config-malformed",
    ],
)
def test_render_errors(tmp_path: Path, args, files, message):
    """Each mistake: a readable message, exit 1, nothing on stdout (a FIFO is refused, never read)."""
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    os.mkfifo(tmp_path / "fifo.yaml")
    proc = render(*args, cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stdout == b""
    assert proc.stderr.decode() == message


def test_render_error_names_file_and_line(tmp_path: Path):
    """A result about a field carries `file:line`, and nothing is printed on stdout."""
    (tmp_path / "cm.yaml").write_text(CONFIGMAP)
    (tmp_path / "dgd.yaml").write_text(
        "apiVersion: nvidia.com/v1beta1\nkind: DynamoGraphDeployment\nmetadata:\n  name: llm\nspec: {}\n"
    )
    proc = render(".", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stdout == b""
    assert proc.stderr.decode() == (
        "dgd.yaml:1: [error] nvidia.com/v1beta1/DynamoGraphDeployment/llm apiVersion: "
        'apiVersion "nvidia.com/v1beta1" is not supported for kind "DynamoGraphDeployment"; supported: "nvidia.com/v1alpha1"\n'
    )


CONFIG = "apiVersion: fn.krm-dynamo.dev/v1alpha1\nkind: KrmDynamoConfig\nmetadata:\n  name: c\n"
CONFIG_REF = "fn.krm-dynamo.dev/v1alpha1/KrmDynamoConfig/c"


@pytest.mark.parametrize(
    ("config", "lines"),
    [
        (CONFIG + "multinodeOrchestrator: kubeflow\n",
         [f'cfg.yaml:5: [error] {CONFIG_REF} multinodeOrchestrator: `multinodeOrchestrator` must be one of "lws", '
          '"grove", got "kubeflow"']),
        (CONFIG + "kaiScheduler: true\nnatServer: nats://x\n",
         [f"cfg.yaml:6: [error] {CONFIG_REF} natServer: unknown setting `natServer` (did you mean `natsServer`?); "
          "`krm-dynamo --help` lists the settings"]),
        (CONFIG + "kaiScheduler: maybe\nregistrySecrets: [a]\n",
         [f"cfg.yaml:5: [error] {CONFIG_REF} kaiScheduler: `kaiScheduler` must be `true` or `false`, got 'maybe'",
          f"cfg.yaml:6: [error] {CONFIG_REF} registrySecrets: `registrySecrets` must map a registry host to a list "
          'of secret names, e.g. {"nvcr.io": ["ngc-pull-secret"]}']),
        ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  natServer: x\n",
         ["cfg.yaml:6: [error] v1/ConfigMap/c data.natServer: unknown setting `natServer` (did you mean `natsServer`?); "
          "`krm-dynamo --help` lists the settings"]),
    ],
    ids=["wrong-value", "unknown-setting", "wrong-types", "configmap"],
)
def test_render_config_error_names_the_config_file_and_line(tmp_path: Path, config, lines):
    """A bad setting in --function-config names that file and the line of the key, as a rendered file's does."""
    (tmp_path / "cfg.yaml").write_text(config)
    (tmp_path / "cm.yaml").write_text(CONFIGMAP)
    proc = render("--function-config", "cfg.yaml", "cm.yaml", cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (1, b"")
    assert proc.stderr.decode().splitlines() == lines


def test_the_config_file_and_a_rendered_config_object_are_told_alike(tmp_path: Path):
    """The same object named by --function-config or placed among the rendered files: the same line."""
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "krm.yaml").write_text(CONFIG + "natServer: x\n")
    (tmp_path / "cfg.yaml").write_text(CONFIG + "natServer: x\n")
    (tmp_path / "cm.yaml").write_text(CONFIGMAP)
    message = (f"[error] {CONFIG_REF} natServer: unknown setting `natServer` (did you mean `natsServer`?); "
               "`krm-dynamo --help` lists the settings\n")
    assert render("dir", cwd=tmp_path).stderr.decode() == "dir/krm.yaml:5: " + message
    assert render("cm.yaml", "--function-config", "./cfg.yaml", cwd=tmp_path).stderr.decode() == "cfg.yaml:5: " + message


def test_odd_items_pass_through_or_are_reported(tmp_path: Path):
    """A non-mapping `metadata` is left as written; a non-mapping ResourceList item is an error."""
    (tmp_path / "odd.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: hello\n")
    proc = render("odd.yaml", cwd=tmp_path)
    assert (proc.returncode, proc.stderr) == (0, b"")
    assert proc.stdout.decode() == "apiVersion: v1\nkind: ConfigMap\nmetadata: hello\n"
    (tmp_path / "odd.yaml").write_text("apiVersion: v1\nkind: ConfigMap\n---\napiVersion: [a]\nkind: X\n")
    proc = render("odd.yaml", cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (1, b"")
    assert proc.stderr.decode() == (
        "krm-dynamo: odd.yaml:4: this YAML document is not a KRM object: its apiVersion is a list, not a string"
        " (render reads only Kubernetes objects, as kustomize build does with resources)\n"
    )
    (tmp_path / "rl.yaml").write_text("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: [5]\n")
    proc = render("rl.yaml", cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (1, b"")
    assert proc.stderr.decode() == "[error] `items[0]` must be a KRM object (a mapping), got an integer\n"


def test_two_graphs_generating_one_object_is_an_error(tmp_path: Path):
    """DGD `a` with service `B-W` and DGD `a-b` with service `W` both name `a-b-w`."""
    def dgd(name: str, service: str) -> str:
        return (
            f"apiVersion: nvidia.com/v1alpha1\nkind: DynamoGraphDeployment\nmetadata:\n  name: {name}\n  namespace: ns\n"
            f"spec:\n  services:\n    {service}:\n      componentType: planner\n"
            "      extraPodSpec:\n        mainContainer:\n          image: nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.6.0\n"
        )

    (tmp_path / "graphs.yaml").write_text(dgd("a", "B-W") + "---\n" + dgd("a-b", "W"))
    proc = render("graphs.yaml", cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (1, b"")
    assert proc.stderr.decode() == (
        "graphs.yaml:17: [error] nvidia.com/v1alpha1/DynamoGraphDeployment/ns/a-b metadata.name: generates "
        'Deployment "ns/a-b-w", which the DynamoGraphDeployment "ns/a" (file graphs.yaml) earlier in the input '
        "also generates; object names must be unique (rename the graph or the service)\n"
    )


def test_a_kustomize_file_beside_a_kustomization_says_what_to_do_instead():
    """The overlay example's base holds kustomize `configurations:` fieldSpecs (no apiVersion, no
    kind): render refuses them, saying what they likely are and what to run instead."""
    repo = Path(__file__).resolve().parents[1]
    proc = render("kustomization-examples/vllm-agg-overlay/", cwd=repo)
    assert (proc.returncode, proc.stdout) == (1, b"")
    assert proc.stderr.decode() == (
        "krm-dynamo: kustomization-examples/vllm-agg-overlay/base/dgd-fieldspecs.yaml:6: this YAML document is "
        "not a KRM object: it has no apiVersion and no kind (render reads only Kubernetes objects, as kustomize "
        "build does with resources); a kustomization is beside it, so it is likely kustomize's own configuration "
        "(`configurations:` fieldSpecs, a patch): run `kustomize build --enable-alpha-plugins --enable-exec` on "
        "the kustomization (it runs the function), or render only the DGD's file\n")
    dgd = render("kustomization-examples/vllm-agg-overlay/base/dgd.yaml", cwd=repo)
    assert (dgd.returncode, dgd.stderr) == (0, b"") and b"kind: Deployment\n" in dgd.stdout


def test_render_prints_results_in_file_and_line_order(tmp_path: Path):
    """stderr lists the problems as a reader meets them: by file (in the order given), then line; the
    ResourceList's results of function mode keep their own order (the goldens' results.yaml)."""
    case = REPO / "tests" / "cases" / "error-v11-failover" / "input.yaml"
    (tmp_path / "b.yaml").write_text(case.read_text())
    (tmp_path / "a.yaml").write_text((REPO / "tests" / "cases" / "probe-port-missing" / "input.yaml").read_text())
    proc = render("b.yaml", "a.yaml", cwd=tmp_path)
    assert proc.returncode == 1
    places = [line.split(": [", 1)[0] for line in proc.stderr.decode().splitlines()]
    assert places == [
        "b.yaml:14", "b.yaml:17", "b.yaml:22", "b.yaml:24", "b.yaml:26", "b.yaml:34", "b.yaml:36", "b.yaml:39",
        "a.yaml:21", "a.yaml:21", "a.yaml:36", "a.yaml:48",
    ]


def test_diff_names_the_config_file_and_line(tmp_path: Path):
    """`diff --function-config` reads the file as render does: its problems carry `FILE:LINE:`."""
    (tmp_path / "cfg.yaml").write_text(CONFIG + "natServer: x\n")
    (tmp_path / "cm.yaml").write_text(CONFIGMAP)
    proc = run_krm("diff", "--function-config", "cfg.yaml", "cm.yaml", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.decode().splitlines()[0] == (
        f"operators 0.6 and 1.1: cfg.yaml:5: [error] {CONFIG_REF} natServer: unknown setting `natServer` "
        "(did you mean `natsServer`?); `krm-dynamo --help` lists the settings"
    )
