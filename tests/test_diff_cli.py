# SPDX-License-Identifier: Apache-2.0
"""``krm-dynamo diff``: what an operator upgrade changes, run as a real process.

The 1.x profiles still grow, so these tests assert the hunks of changes already reproduced
(R01 frontend probes, P01 fsGroup, N_E01 base env, A01 no HPA) and the form of the output,
never the whole diff.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from procs import REPO, run_krm

EXAMPLE = "kustomization-examples/vllm-agg/dgd.yaml"
AUTOSCALED = "tests/cases/autoscaling-default-cpu/input.yaml"
MULTINODE = "tests/cases/multinode-vllm-lws/input.yaml"
SUMMARY = re.compile(r"^(\S+/\S+): (unchanged|added in \S+|removed in \S+( \(.*\))?|"
                     r"(\d+) lines changed \(\+(\d+) -(\d+)\))$")


def _diff(*args: str, stdin: bytes = b"") -> tuple[int, str, str]:
    proc = run_krm("diff", *args, stdin=stdin, cwd=REPO)
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


def _hunks(out: str) -> dict[str, list[str]]:
    """The diff lines of every object, by its label (from the ``---``/``+++`` header pair)."""
    diffs: dict[str, list[str]] = {}
    lines = out.partition("\n\n")[2].splitlines()
    label = ""
    for index, line in enumerate(lines):
        if line.startswith("--- ") and index + 1 < len(lines) and lines[index + 1].startswith("+++ "):
            old, new = line[4:], lines[index + 1][4:]
            label = (new if new != "/dev/null" else old)[2:].rsplit(" (operator ", 1)[0]
            diffs[label] = []
        elif not line.startswith("+++ "):
            diffs[label].append(line)
    return diffs


def test_the_bundled_example_from_0_6_to_1_1():
    """Exit 1 (differs); R01, P01 and N_E01 appear in the Deployments' diffs under their labels."""
    code, out, err = _diff("--from", "0.6", "--to", "1.1", EXAMPLE)
    assert code == 1, err
    assert "--- a/Deployment/vllm-agg-frontend (operator 0.6)\n+++ b/Deployment/vllm-agg-frontend (operator 1.1)\n" \
        in out
    summaries = [line.split(":")[0] for line in out.partition("\n\n")[0].splitlines()]
    assert summaries[:3] == ["Service/vllm-agg-frontend", "Deployment/vllm-agg-frontend",
                         "Deployment/vllm-agg-vllmdecodeworker"]
    hunks = _hunks(out)
    frontend = hunks["Deployment/vllm-agg-frontend"]
    # R01: the frontend's liveness probe is HTTP /live with shorter timings; readiness is no longer exec.
    assert "+            path: /live" in frontend
    assert "+          initialDelaySeconds: 15" in frontend and "-          initialDelaySeconds: 60" in frontend
    assert '-            - curl -s http://localhost:${DYNAMO_PORT}/health | jq -e ".status == \\"healthy\\""' \
        in frontend
    for name in ("Deployment/vllm-agg-frontend", "Deployment/vllm-agg-vllmdecodeworker"):
        lines = hunks[name]
        assert lines.count("+        fsGroup: 1000") == 1  # P01
        for env in ("DYN_COMPONENT", "DYN_DISCOVERY_BACKEND", "POD_NAME", "POD_NAMESPACE", "POD_UID"):
            assert lines.count(f"+        - name: {env}") == 1, (name, env)  # N_E01
    assert all(line.startswith(("operator 0.6: ", "operator 1.1: ")) for line in err.splitlines()), err
    assert "operator 1.1: kustomization-examples/vllm-agg/dgd.yaml:16: [warning]" in err


def test_summary_counts_the_lines_of_each_diff():
    """``N lines changed (+A -R)`` counts exactly the added and removed lines of the object's diff."""
    code, out, _ = _diff("--to", "1.1", EXAMPLE)
    assert code == 1
    hunks = _hunks(out)
    for line in out.partition("\n\n")[0].splitlines():
        match = SUMMARY.match(line)
        assert match, line
        if match.group(2) == "unchanged" or not match.group(4):
            continue
        lines = hunks[match.group(1)]
        added = sum(1 for x in lines if x.startswith("+"))
        removed = sum(1 for x in lines if x.startswith("-"))
        assert (int(match.group(5)), int(match.group(6))) == (added, removed)
        assert int(match.group(4)) == added + removed


def test_summary_only_is_the_head_of_the_full_output():
    _, full, _ = _diff("--from", "0.6", "--to", "1.1", EXAMPLE)
    code, out, _ = _diff("--from", "0.6", "--to", "1.1", "--summary", EXAMPLE)
    assert code == 1 and out == full.partition("\n\n")[0] + "\n" and "@@" not in out


def test_same_release_on_both_sides_is_no_diff():
    """``latest`` is 1.1: nothing differs, every object is ``unchanged``, exit 0, one render's warnings."""
    code, out, err = _diff("--from", "1.1", "--to", "latest", EXAMPLE)
    assert code == 0, err
    assert out and all(line.endswith(": unchanged") for line in out.splitlines())
    assert "Deployment/vllm-agg-frontend: unchanged\n" in out
    assert err.count("operator 1.1: kustomization-examples/vllm-agg/dgd.yaml:16:") == 1
    code, out, _ = _diff("--from", "0.6", "--to", "0.6", AUTOSCALED)
    assert code == 0
    assert out == "".join(f"{name}: unchanged\n" for name in (
        "Service/vllm-agg-frontend", "Deployment/vllm-agg-frontend", "Deployment/vllm-agg-vllmdecodeworker",
        "HorizontalPodAutoscaler/vllm-agg-frontend", "HorizontalPodAutoscaler/vllm-agg-vllmdecodeworker"))


def test_the_hpa_is_removed_under_1_0_with_what_to_use_instead():
    """A01: no HorizontalPodAutoscaler from 1.0 on; the summary names the release and the remedy."""
    code, out, err = _diff("--from", "0.6", "--to", "1.1", AUTOSCALED)
    assert code == 1, err
    for service in ("frontend", "vllmdecodeworker"):
        line = f"HorizontalPodAutoscaler/vllm-agg-{service}: removed in 1.0 (A01: "
        assert line in out
        header = (f"--- a/HorizontalPodAutoscaler/vllm-agg-{service} (operator 0.6)\n+++ /dev/null\n@@ -1,")
        assert header in out
        lines = _hunks(out)[f"HorizontalPodAutoscaler/vllm-agg-{service}"]
        assert lines[1:] and all(x.startswith("-") for x in lines[1:])  # after the @@ line: all removed
        assert "-kind: HorizontalPodAutoscaler" in lines
    assert "operator 1.1: tests/cases/autoscaling-default-cpu/input.yaml:14: [warning]" in err


def test_the_other_way_round_the_hpa_is_added():
    code, out, _ = _diff("--from", "1.0", "--to", "0.6", "--summary", AUTOSCALED)
    assert code == 1
    assert "HorizontalPodAutoscaler/vllm-agg-frontend: added in 0.6\n" in out


def test_a_multinode_graph():
    """The LeaderWorkerSet's leader and worker templates both gain N_E01's env and P01's fsGroup;
    the Volcano PodGroup is one object of each side."""
    code, out, err = _diff("--from", "0.6", "--to", "1.1", MULTINODE)
    assert code == 1, err
    summaries, hunks = dict(line.split(": ", 1) for line in out.partition("\n\n")[0].splitlines()), _hunks(out)
    assert {"PodGroup/llama-mn-vllmworker-0", "LeaderWorkerSet/llama-mn-vllmworker-0"} <= set(summaries)
    lws = hunks["LeaderWorkerSet/llama-mn-vllmworker-0"]
    assert lws.count("+          - name: POD_UID") == 2 and lws.count("+          - name: DYN_COMPONENT") == 2
    assert lws.count("+          fsGroup: 1000") == 2


def test_stdin_and_a_file_give_the_same_diff():
    _, from_file, _ = _diff("--to", "1.1", EXAMPLE)
    code, from_stdin, err = _diff("--to", "1.1", "-", stdin=(REPO / EXAMPLE).read_bytes())
    assert code == 1 and from_stdin == from_file
    assert "operator 1.1: stdin:16: [warning]" in err


def test_from_defaults_to_the_release_of_the_function_config(tmp_path: Path):
    """Without --from, the functionConfig's operatorVersion is the release you run; --from wins over it."""
    config = tmp_path / "fn.yaml"
    config.write_text("apiVersion: fn.krm-dynamo.dev/v1alpha1\nkind: KrmDynamoConfig\noperatorVersion: '1.0'\n")
    code, out, _ = _diff("--function-config", str(config), "--to", "1.0", AUTOSCALED)
    assert code == 0 and "HorizontalPodAutoscaler" not in out  # 1.0 on both sides
    code, out, _ = _diff("--function-config", str(config), "--from", "0.6", "--to", "1.0", AUTOSCALED)
    assert code == 1
    assert "--- a/Deployment/vllm-agg-frontend (operator 0.6)\n+++ b/Deployment/vllm-agg-frontend (operator 1.0)\n" \
        in out


def test_objects_in_several_namespaces_are_labelled_with_theirs(tmp_path: Path):
    text = (REPO / EXAMPLE).read_text()
    (tmp_path / "a.yaml").write_text(text)
    (tmp_path / "b.yaml").write_text(text.replace("namespace: dynamo", "namespace: other"))
    code, out, _ = _diff("--from", "0.6", "--to", "0.6", str(tmp_path))
    assert code == 0
    assert [line.split(":")[0] for line in out.splitlines()] == [
        f"{kind}/{ns}/vllm-agg-{name}" for ns in ("dynamo", "other")
        for kind, name in (("Service", "frontend"), ("Deployment", "frontend"), ("Deployment", "vllmdecodeworker"))
    ]
    code, out, _ = _diff("--to", "1.0", str(tmp_path))
    assert code == 1 and "--- a/Deployment/other/vllm-agg-frontend (operator 0.6)\n" in out


def test_mistakes_are_one_line_and_exit_2(tmp_path: Path):
    """Exit 2 (1 means "differs"): one stderr line, nothing on stdout, never a traceback."""
    missing = str(tmp_path / "missing.yaml")
    for args, start in (
        (["--to", "2.0", EXAMPLE], "krm-dynamo: diff: --to: `operatorVersion` must be one of"),
        (["--to"], "krm-dynamo: diff: --to needs a value"),
        (["--from", "0.6", "--from", "1.0", EXAMPLE], "krm-dynamo: diff: --from given twice"),
        (["--bogus", EXAMPLE], "krm-dynamo: diff: unknown option '--bogus'"),
        (["-U", "x", EXAMPLE], "krm-dynamo: diff: -U takes a number of lines"),
        (["--to", "1.1"], "krm-dynamo: diff: name at least one FILE, DIR or - (stdin)"),
        ([missing], f"krm-dynamo: {missing}: no such file or directory"),
    ):
        code, out, err = _diff(*args)
        assert (code, out) == (2, ""), (args, err)
        assert err.startswith(start) and err.count("\n") == 1, (args, err)


def test_an_input_a_release_rejects_is_an_error():
    code, out, err = _diff("--to", "1.1", "tests/cases/error-missing-image/input.yaml")
    assert (code, out) == (2, "")
    assert "operator 0.6: " not in err  # both releases reject it: each error once, naming both
    assert err.count("tests/cases/error-missing-image/input.yaml:10: [error]") == 1
    assert "operators 0.6 and 1.1: tests/cases/error-missing-image/input.yaml:10: [error]" in err
    assert err.endswith("krm-dynamo: diff: the input does not render under operators 0.6 and 1.1 "
                        "(errors above); nothing compared\n")
    assert "Traceback" not in err


BAD_DGD = """\
apiVersion: nvidia.com/v1alpha1
kind: DynamoGraphDeployment
metadata: {name: g, namespace: dynamo}
spec:
  services:
    Frontend:
      componentType: frontend
      replicas: -3
      extraPodSpec: {mainContainer: {image: x}}
      bogus: 1
"""


def test_a_problem_both_releases_report_is_printed_once_naming_both(tmp_path: Path):
    dgd = tmp_path / "bad.yaml"
    dgd.write_text(BAD_DGD)
    code, out, err = _diff("--from", "0.6", "--to", "1.1", str(dgd))
    subject = "nvidia.com/v1alpha1/DynamoGraphDeployment/dynamo/g spec.services.Frontend"
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"operators 0.6 and 1.1: {dgd}:8: [error] {subject}.replicas: expected `replicas` to be at least 0, got -3",
        f"operators 0.6 and 1.1: {dgd}:10: [warning] {subject}.bogus: unknown field `bogus` is ignored "
        "(not part of a service spec (DynamoComponentDeploymentSharedSpec))",
        "krm-dynamo: diff: the input does not render under operators 0.6 and 1.1 (errors above); nothing compared",
    ]


def test_a_problem_of_one_release_names_that_release(tmp_path: Path):
    config = tmp_path / "config.yaml"
    config.write_text("apiVersion: fn.krm-dynamo.dev/v1alpha1\nkind: KrmDynamoConfig\n"
                      "metadata: {name: c}\ndiscoveryBackend: etcd\n")
    code, out, err = _diff("--from", "0.6", "--to", "1.1", "--function-config", str(config), EXAMPLE)
    lines = err.splitlines()
    assert (code, out) == (2, "")
    assert [line.split(": ", 1)[0] for line in lines] == ["operator 0.6", "operator 1.1", "operator 1.1",
                                                          "krm-dynamo"]
    assert lines[0].endswith("discoveryBackend: `discoveryBackend` is an operator 1.0 setting (operator 0.6 has "
                             "no choice of discovery backend); set `operatorVersion: 1.0` or later, or remove it")
    assert lines[1].startswith("operator 1.1: kustomization-examples/vllm-agg/dgd.yaml:16: [warning]")
    assert lines[-1] == "krm-dynamo: diff: the input does not render under operator 0.6 (errors above); nothing compared"


def test_problem_lines_merges_the_lines_both_releases_report():
    from krm_dynamo.diff_cmd import problem_lines

    assert problem_lines({"0.6": ["a", "b"], "1.1": ["c", "a"]}) == (
        "operators 0.6 and 1.1: a\noperator 0.6: b\noperator 1.1: c\n")
    assert problem_lines({"1.1": ["a"]}) == "operator 1.1: a\n"


def test_help_documents_the_command_and_its_exit_status():
    proc = run_krm("diff", "--help")
    usage = proc.stdout.decode()
    assert proc.returncode == 0 and "krm-dynamo diff [--from V] [--to V] [--summary]" in usage
    assert "0 no object differs, 1 some object differs, 2 an error" in usage


def test_other_commands_do_not_import_the_diff_module():
    probe = ("import sys\nfrom krm_dynamo import cli\nprint(sorted(m for m in ('krm_dynamo.diff_cmd', 'difflib') "
             "if m in sys.modules))\n")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, cwd=REPO, timeout=60, check=True)
    assert proc.stdout.decode().strip() == "[]"


def test_objects_are_paired_by_group_so_a_version_bump_is_one_changed_line():
    from krm_dynamo.diff_cmd import compare

    def hpa(version: str) -> dict:
        return {"apiVersion": f"autoscaling/{version}", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "x"}}

    (entry,) = compare([hpa("v1")], [hpa("v2")], "0.6", "1.1")
    assert entry.summary == "HorizontalPodAutoscaler/x: 2 lines changed (+1 -1)"
    assert entry.diff[:2] == ["--- a/HorizontalPodAutoscaler/x (operator 0.6)",
                              "+++ b/HorizontalPodAutoscaler/x (operator 1.1)"]
    assert "-apiVersion: autoscaling/v1" in entry.diff and "+apiVersion: autoscaling/v2" in entry.diff
