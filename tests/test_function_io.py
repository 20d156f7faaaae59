# SPDX-License-Identifier: Apache-2.0
"""The KRM function's I/O contract, driven through the real process (stdin -> stdout)."""

import subprocess
import sys
import textwrap

import pytest
from procs import REPO, run_krm

from krm_dynamo.kio import yamlio


def run(stdin: bytes | str, *args: str) -> subprocess.CompletedProcess:
    """Run ``python -m krm_dynamo`` as kpt and kustomize do: bytes in, bytes out."""
    return run_krm(*args, stdin=stdin)


PASS_THROUGH = textwrap.dedent(
    """\
    apiVersion: config.kubernetes.io/v1
    kind: ResourceList
    items:
    - apiVersion: kpt.dev/v1
      kind: Kptfile
      metadata:
        name: app
        annotations:
          config.kubernetes.io/local-config: "true"
          config.kubernetes.io/index: "0"
          config.kubernetes.io/path: Kptfile
          internal.config.kubernetes.io/index: "0"
          internal.config.kubernetes.io/path: Kptfile
          internal.config.kubernetes.io/seqindent: compact
          internal.config.kubernetes.io/id: "1"
          config.k8s.io/id: "1"
      pipeline:
        mutators:
        - exec: krm-dynamo
    - apiVersion: v1
      kind: ConfigMap
      metadata:
        name: settings
        namespace: demo
        annotations:
          config.kubernetes.io/index: "1"
          config.kubernetes.io/path: demo/config.yaml
          internal.config.kubernetes.io/index: "1"
          internal.config.kubernetes.io/path: demo/config.yaml
          internal.config.kubernetes.io/annotations-migration-resource-id: "2"
          internal.config.kubernetes.io/id: "2"
          config.k8s.io/id: "2"
          kustomize.config.k8s.io/id: |
            kind: ConfigMap
            name: settings
            version: v1
      data:
        enabled: "yes"
        mode: "on"
        replicas: "3"
        octal: "0644"
        date: "2001-12-14"
        script: |
          set -e
          echo ready
    - apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: other
      spec:
        replicas: 2
        paused: false
        template:
          spec:
            containers:
            - name: c
              image: busybox
              args: []
              env:
              - name: FLAG
                value: "true"
    functionConfig:
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: function-input
      data: {}
    """
)


def test_no_dgd_returns_items_unchanged():
    """Without a DGD every item, annotation and value comes back as it went in, exit 0."""
    proc = run(PASS_THROUGH)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == b""
    assert proc.stdout.decode() == PASS_THROUGH


def test_yaml_12_booleans_pass_through_as_strings():
    """`yes`, `on`, `Off`, `NO` written plain are strings in, and stay strings out."""
    text = textwrap.dedent(
        """\
        apiVersion: config.kubernetes.io/v1
        kind: ResourceList
        items:
        - apiVersion: v1
          kind: ConfigMap
          metadata:
            name: flags
          data:
            a: yes
            b: on
            c: Off
            d: NO
            e: 0o17
        """
    )
    proc = run(text)
    assert proc.returncode == 0, proc.stderr
    [out] = yamlio.load_documents(proc.stdout.decode(), "out")
    assert out["items"][0]["data"] == {"a": "yes", "b": "on", "c": "Off", "d": "NO", "e": 15}
    assert 'a: "yes"\n' in proc.stdout.decode() and 'c: "Off"\n' in proc.stdout.decode()


def test_v1beta1_resource_list_is_answered_in_kind():
    """An older orchestrator's v1beta1 ResourceList gets a v1beta1 answer."""
    proc = run("apiVersion: config.kubernetes.io/v1beta1\nkind: ResourceList\nitems: []\n")
    assert proc.returncode == 0
    assert proc.stdout.decode() == "apiVersion: config.kubernetes.io/v1beta1\nkind: ResourceList\nitems: []\n"


@pytest.mark.parametrize(
    "stdin, message",
    [
        (b"", "krm-dynamo: stdin: input is empty; expected a ResourceList (apiVersion: config.kubernetes.io/v1, kind: ResourceList)\n"),
        (
            b"items: [\n",
            "krm-dynamo: stdin:2:1: invalid YAML: did not find expected node content (while parsing a flow node)\n",
        ),
        (
            b"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- a: 1\n  a: 2\n",
            'krm-dynamo: stdin:5:3: invalid YAML: mapping key "a" already defined at line 4\n',
        ),
        (
            b"\xff\xfeapiVersion: x\n",
            "krm-dynamo: stdin: input must be UTF-8 encoded; byte 0xff at offset 0 is not valid UTF-8\n",
        ),
        (
            b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
            'krm-dynamo: stdin: input must be a ResourceList (apiVersion: config.kubernetes.io/v1, kind: ResourceList), '
            'got apiVersion "v1", kind "ConfigMap" (to expand plain YAML files, use `krm-dynamo render FILE`)\n',
        ),
        (
            b"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n",
            "krm-dynamo: stdin: the ResourceList has no `items`; `items` is required (use `items: []` for none)\n",
        ),
        (
            b"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: {a: 1}\n",
            "krm-dynamo: stdin: the ResourceList's `items` must be a list, got a mapping\n",
        ),
        (
            b"- 1\n- 2\n",
            "krm-dynamo: stdin: input must be a ResourceList mapping, got a list\n",
        ),
        (
            b"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n---\na: 1\n",
            "krm-dynamo: stdin: input holds 2 YAML documents; expected exactly one ResourceList "
            "(to expand plain YAML files, use `krm-dynamo render FILE`)\n",
        ),
        (
            b"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nfunctionConfig: [1]\n",
            "krm-dynamo: stdin: the ResourceList's `functionConfig` must be a KRM object, got a list\n",
        ),
        (
            b"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- !custom {a: 1}\n",
            "krm-dynamo: stdin:4:3: invalid YAML: unknown tag \"!custom\" (only the standard YAML tags are read)\n",
        ),
    ],
    ids=[
        "empty",
        "malformed",
        "duplicate-key",
        "not-utf8",
        "not-a-resource-list",
        "no-items",
        "items-not-a-list",
        "not-a-mapping",
        "two-documents",
        "bad-function-config",
        "unknown-tag",
    ],
)
def test_malformed_input_is_one_clear_line(stdin, message):
    """Each malformed input: exactly one readable stderr line, exit 1, nothing on stdout."""
    proc = run(stdin)
    assert proc.returncode == 1
    assert proc.stdout == b""
    assert proc.stderr.decode() == message


def test_help_answers_with_usage():
    """`kpt fn doc` runs `--help` and shows stdout: exit 0 with the usage text."""
    proc = run(b"", "--help")
    assert proc.returncode == 0
    assert proc.stdout.decode().startswith("usage: krm-dynamo ")
    assert "render" in proc.stdout.decode()


def test_help_of_a_command_is_the_usage_too():
    """`render --help` (and `explain --help`) is a question, not a mistake: exit 0, the usage on stdout."""
    whole = run(b"", "--help").stdout
    for command in ("render", "explain", "schema"):
        proc = run(b"", command, "--help")
        assert (proc.returncode, proc.stdout, proc.stderr) == (0, whole, b""), command


HINT = " (krm-dynamo --help shows the usage)\n"


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["--bogus"], "krm-dynamo: unknown option '--bogus'"),
        (["--verison"], "krm-dynamo: unknown option '--verison'; did you mean '--version'?"),
        (["rendr", "dir"], "krm-dynamo: unknown command 'rendr'; did you mean 'render'?"),
        (["Explain"], "krm-dynamo: unknown command 'Explain'; did you mean 'explain'?"),
        (["bogus"], "krm-dynamo: unknown command 'bogus'"),
        (["render", "x.yaml", "--bogus"], "krm-dynamo: render: unknown option '--bogus'"),
        (["render", "x.yaml", "--allow-emty"],
         "krm-dynamo: render: unknown option '--allow-emty'; did you mean '--allow-empty'?"),
        (["render"], "krm-dynamo: render: name at least one FILE, DIR or - (stdin)"),
        (["explain", "x.yaml", "--output", "html"],
         "krm-dynamo: explain: --output must be text, json, yaml or mermaid, got 'html'"),
        (["schema", "--bogus"], "krm-dynamo: schema: takes only --operator-version, got '--bogus'"),
    ],
)
def test_a_usage_error_is_one_line_with_a_hint(args, line):
    """A mistyped command or option: its one line (with the closest command or option when it
    misspells one) and where the usage is, never the whole usage; exit 1, nothing on stdout."""
    proc = run(b"", *args)
    assert (proc.returncode, proc.stdout, proc.stderr.decode()) == (1, b"", line + HINT)


def test_a_file_named_as_a_command_points_to_render(tmp_path):
    """`krm-dynamo dgd.yaml` (render forgotten) says how to expand the file."""
    (tmp_path / "dgd.yaml").write_text("apiVersion: v1\nkind: X\n")
    proc = run_krm("dgd.yaml", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.decode() == (
        "krm-dynamo: unknown command 'dgd.yaml'; to expand a file: krm-dynamo render dgd.yaml" + HINT)


def test_help_anywhere_in_a_command_is_the_usage():
    """`render FILE --help` asks for the usage as `render --help` does: exit 0, the usage on stdout."""
    whole = run(b"", "--help").stdout
    for args in (["render", "x.yaml", "--help"], ["explain", "x.yaml", "-h"], ["diff", "x", "--help"]):
        proc = run(b"", *args)
        assert (proc.returncode, proc.stdout, proc.stderr) == (0, whole, b""), args


def test_bad_function_config_is_a_result_and_stderr_line():
    """A wrong setting: an error result on the functionConfig, a stderr line, exit 1."""
    text = textwrap.dedent(
        """\
        apiVersion: config.kubernetes.io/v1
        kind: ResourceList
        items: []
        functionConfig:
          apiVersion: v1
          kind: ConfigMap
          metadata:
            name: function-input
          data:
            graphDeployment: delete
            natsServr: nats://nats:4222
        """
    )
    proc = run(text)
    assert proc.returncode == 1
    [out] = yamlio.load_documents(proc.stdout.decode(), "out")
    assert out["items"] == []
    assert out["results"] == [
        {
            "message": '`graphDeployment` must be one of "local", "drop", "keep", got "delete"',
            "severity": "error",
            "resourceRef": {"apiVersion": "v1", "kind": "ConfigMap", "name": "function-input"},
            "field": {"path": "data.graphDeployment"},
        },
        {
            "message": out["results"][1]["message"],
            "severity": "error",
            "resourceRef": {"apiVersion": "v1", "kind": "ConfigMap", "name": "function-input"},
            "field": {"path": "data.natsServr"},
        },
    ]
    assert out["results"][1]["message"] == (
        "unknown setting `natsServr` (did you mean `natsServer`?); `krm-dynamo --help` lists the settings"
    )
    lines = proc.stderr.decode().splitlines()
    assert lines[0] == (
        '[error] v1/ConfigMap/function-input data.graphDeployment: `graphDeployment` must be one of "local", "drop", '
        '"keep", got "delete"'
    )
    assert lines[1] == (
        "[error] v1/ConfigMap/function-input data.natsServr: unknown setting `natsServr` "
        "(did you mean `natsServer`?); `krm-dynamo --help` lists the settings"
    )
    assert len(lines) == 2


def test_unsupported_dgd_version_is_an_error_result():
    """A DGD version the function does not know is reported with the supported ones, never guessed at."""
    text = textwrap.dedent(
        """\
        apiVersion: config.kubernetes.io/v1
        kind: ResourceList
        items:
        - apiVersion: nvidia.com/v1beta1
          kind: DynamoGraphDeployment
          metadata:
            name: llm
            namespace: demo
            annotations:
              internal.config.kubernetes.io/path: demo/dgd.yaml
              config.kubernetes.io/path: demo/dgd.yaml
          spec: {}
        """
    )
    proc = run(text)
    assert proc.returncode == 1
    [out] = yamlio.load_documents(proc.stdout.decode(), "out")
    assert out["results"] == [
        {
            "message": 'apiVersion "nvidia.com/v1beta1" is not supported for kind "DynamoGraphDeployment"; '
            'supported: "nvidia.com/v1alpha1"',
            "severity": "error",
            "resourceRef": {
                "apiVersion": "nvidia.com/v1beta1",
                "kind": "DynamoGraphDeployment",
                "name": "llm",
                "namespace": "demo",
            },
            "field": {"path": "apiVersion"},
            "file": {"path": "demo/dgd.yaml"},
        }
    ]
    assert out["items"] == yamlio.load_documents(text, "in")[0]["items"]
    assert proc.stderr.decode() == (
        "demo/dgd.yaml: [error] nvidia.com/v1beta1/DynamoGraphDeployment/demo/llm apiVersion: "
        'apiVersion "nvidia.com/v1beta1" is not supported for kind "DynamoGraphDeployment"; supported: "nvidia.com/v1alpha1"\n'
    )


def test_non_mapping_item_is_an_error_result():
    """An item that is not an object is reported by its index."""
    proc = run("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- just text\n")
    assert proc.returncode == 1
    [out] = yamlio.load_documents(proc.stdout.decode(), "out")
    assert out["results"] == [{"message": "`items[0]` must be a KRM object (a mapping), got a string", "severity": "error"}]
    assert proc.stderr.decode() == "[error] `items[0]` must be a KRM object (a mapping), got a string\n"


def test_function_config_of_another_kind_is_a_warning():
    """A functionConfig that can hold no settings is named in a warning; the run still succeeds."""
    text = textwrap.dedent(
        """\
        apiVersion: config.kubernetes.io/v1
        kind: ResourceList
        items: []
        functionConfig:
          apiVersion: example.com/v1
          kind: Settings
          metadata:
            name: mine
          natsServer: nats://nats:4222
        """
    )
    proc = run(text)
    assert proc.returncode == 0
    [out] = yamlio.load_documents(proc.stdout.decode(), "out")
    assert out["results"] == [
        {
            "message": 'a functionConfig of kind "Settings" carries no settings and is ignored; '
            "expected a ConfigMap or a KrmDynamoConfig (apiVersion: fn.krm-dynamo.dev/v1alpha1)",
            "severity": "warning",
            "resourceRef": {"apiVersion": "example.com/v1", "kind": "Settings", "name": "mine"},
        }
    ]
    assert proc.stderr.decode() == (
        '[warning] example.com/v1/Settings/mine: a functionConfig of kind "Settings" carries no settings and is '
        "ignored; expected a ConfigMap or a KrmDynamoConfig (apiVersion: fn.krm-dynamo.dev/v1alpha1)\n"
    )


def test_function_config_without_a_kind_is_a_warning_without_an_empty_name():
    """A functionConfig of bare settings (no apiVersion, kind or name): the warning says so, and its
    stderr line names no empty object (`[warning] : ...` before)."""
    proc = run("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n"
               "functionConfig:\n  natsServer: nats://nats:4222\n")
    assert proc.returncode == 0
    assert proc.stderr.decode() == (
        "[warning] a functionConfig without a kind carries no settings and is ignored; "
        "expected a ConfigMap or a KrmDynamoConfig (apiVersion: fn.krm-dynamo.dev/v1alpha1)\n"
    )


def test_grove_termination_delay_is_checked_with_the_config():
    """A bad duration is an error on the setting itself, whatever the DGDs are."""
    text = textwrap.dedent(
        """\
        apiVersion: config.kubernetes.io/v1
        kind: ResourceList
        items: []
        functionConfig:
          apiVersion: v1
          kind: ConfigMap
          metadata:
            name: function-input
          data:
            groveTerminationDelay: -5m
        """
    )
    proc = run(text)
    assert proc.returncode == 1
    assert proc.stderr.decode() == (
        "[error] v1/ConfigMap/function-input data.groveTerminationDelay: "
        '`groveTerminationDelay` must not be negative, got "-5m"\n'
    )
    proc = run(text.replace("-5m", "soon"))
    assert proc.returncode == 1
    assert proc.stderr.decode().startswith(
        "[error] v1/ConfigMap/function-input data.groveTerminationDelay: "
        "`groveTerminationDelay` must be a Go duration such as 15m or 4h: "
    )


def test_item_with_odd_api_version_passes_through():
    """An item whose apiVersion is not a string is not ours: it passes through untouched."""
    text = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion:\n  - a\n  kind: ConfigMap\n"
    proc = run(text)
    assert (proc.returncode, proc.stderr) == (0, b"")
    assert proc.stdout.decode() == text


ENTRY_POINT_PROBE = """
import atexit, gc, sys
# atexit runs after the entry point's SystemExit, before the interpreter's teardown.
atexit.register(lambda: sys.stderr.write(f"frozen={gc.get_freeze_count() > 0} enabled={gc.isenabled()}\\n"))
from krm_dynamo.cli import entry_point
entry_point()
"""


def test_entry_point_leaves_the_heap_to_the_operating_system():
    """The executable's entry point exits with the run's code and its whole output, the collector frozen
    (no walk over every object at shutdown); the collector itself is on again."""
    example = (REPO / "kustomization-examples" / "vllm-agg" / "dgd.yaml").read_text()
    stdin = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- " + example.replace("\n", "\n  ")
    expected = run(stdin)
    proc = subprocess.run([sys.executable, "-c", ENTRY_POINT_PROBE], input=stdin.encode(), capture_output=True,
                          cwd=REPO, timeout=120)
    assert (proc.returncode, proc.stdout) == (0, expected.stdout)
    # The DGD, a Service and two Deployments.
    assert expected.returncode == 0 and expected.stdout.count(b"\n- apiVersion: ") == 4
    assert proc.stderr.decode().splitlines()[-1] == "frozen=True enabled=True"
    broken = subprocess.run([sys.executable, "-c", ENTRY_POINT_PROBE], input=b"items: [", capture_output=True,
                            cwd=REPO, timeout=120)
    assert broken.returncode == 1 and broken.stdout == b""


def test_a_config_file_that_is_item_and_function_config_is_told_once():
    """kpt `configPath: fc.yaml` with fc.yaml in the package hands the object over twice (an item and
    the functionConfig, the same file and index): each of its problems is reported once."""
    config = textwrap.indent(textwrap.dedent(
        """\
        apiVersion: fn.krm-dynamo.dev/v1alpha1
        kind: KrmDynamoConfig
        metadata:
          name: c
          annotations:
            config.kubernetes.io/path: fc.yaml
            config.kubernetes.io/index: '0'
        natServer: x
        """), "  ")
    text = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n-" + config[1:] + "functionConfig:\n" + config
    proc = run(text)
    assert proc.returncode == 1
    assert proc.stderr.decode() == (
        "fc.yaml: [error] fn.krm-dynamo.dev/v1alpha1/KrmDynamoConfig/c natServer: unknown setting `natServer` "
        "(did you mean `natsServer`?); `krm-dynamo --help` lists the settings\n"
    )
