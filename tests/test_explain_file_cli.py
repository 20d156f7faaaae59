# SPDX-License-Identifier: Apache-2.0
"""The ``explain FILE`` command line, and the opt-in ``reviewAnnotation`` setting."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from procs import run_krm

from krm_dynamo.core import expand
from krm_dynamo.kio import yamlio
from krm_dynamo.pipeline import REVIEW_ANNOTATION

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = "kustomization-examples/vllm-agg/dgd.yaml"


def _run(*args: str):
    proc = run_krm("explain", *args, cwd=REPO)
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


def test_a_component_type_keeps_its_meaning():
    code, out, _ = _run("worker")
    assert code == 0 and "componentType: worker" in out


def test_an_unknown_word_is_still_an_unknown_component_type():
    code, _, err = _run("bogus")
    assert code == 1 and "unknown component type 'bogus'" in err


@pytest.mark.parametrize("output", ["text", "json", "yaml", "mermaid"])
def test_every_form(output):
    code, out, err = _run(EXAMPLE, "--output", output)
    assert code == 0, err
    if output == "json":
        document = json.loads(out)
        assert document["apiVersion"] == "krm-dynamo.dev/explain/v1" and len(document["objects"]) == 3
    elif output == "yaml":
        assert len([d for d in yamlio.load_documents(out, "out") if d]) == 3 and "  # user spec." in out
    elif output == "mermaid":
        assert out.startswith("flowchart LR\n")
    else:
        assert "Deployment dynamo/vllm-agg-frontend (service Frontend)" in out


def test_filters():
    code, out, _ = _run(EXAMPLE, "--service", "VllmDecodeWorker", "--field", "spec.replicas", "--output", "json")
    assert code == 0
    document = json.loads(out)
    assert [(o["name"], [f["path"] for f in o["fields"]]) for o in document["objects"]] == [
        ("vllm-agg-vllmdecodeworker", ["spec.replicas"])]
    code, _, err = _run(EXAMPLE, "--object", "Deployment/nothing")
    assert code == 1 and "no generated object matches" in err


@pytest.mark.parametrize(("args", "message"), [
    ([EXAMPLE, "--output", "html"], "--output must be text, json, yaml or mermaid"),
    ([EXAMPLE, "--service"], "--service needs a value"),
    ([EXAMPLE, "--verbose"], "unknown option '--verbose' (krm-dynamo --help shows the usage)"),
    ([EXAMPLE, "--servce", "Frontend"], "unknown option '--servce'; did you mean '--service'?"),
    ([EXAMPLE, "--operator-version", "9.9"], "no defaults for operator release '9.9'"),
])
def test_errors(args, message):
    code, _, err = _run(*args)
    assert code == 1 and message in err


@pytest.mark.parametrize("output", ["text", "mermaid"])
def test_an_input_with_errors_is_refused_with_the_errors_render_prints(tmp_path, output):
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: nvidia.com/v1alpha1\nkind: DynamoGraphDeployment\nmetadata: {name: x}\n"
                   "spec:\n  services:\n    a:\n      replicas: -1\n      bogus: 1\n", encoding="utf-8")
    code, out, err = _run(str(bad), "--output", output)
    rendered = run_krm("render", str(bad), cwd=REPO)
    subject = "nvidia.com/v1alpha1/DynamoGraphDeployment/x spec.services.a"
    assert (code, out) == (1, "")
    lines = err.splitlines()
    assert sorted(lines[:-1]) == [  # in the order render prints them (the last assert)
        f"{bad}:6: [error] {subject}.extraPodSpec.mainContainer.image: expected a container image in "
        "`extraPodSpec.mainContainer.image`, found none (or set `defaultImage` in the functionConfig)",
        f"{bad}:7: [error] {subject}.replicas: expected `replicas` to be at least 0, got -1",
        f"{bad}:8: [warning] {subject}.bogus: unknown field `bogus` is ignored "
        "(not part of a service spec (DynamoComponentDeploymentSharedSpec))",
    ]
    assert lines[-1] == "krm-dynamo: explain: the input has errors (above), so it renders nothing to explain"
    assert err == rendered.stderr.decode() + lines[-1] + "\n"  # the very lines render prints


@pytest.mark.parametrize("version", [[], ["--operator-version", "1.1"]])
def test_a_function_config_files_problems_name_its_line(tmp_path, version):
    """A --function-config file's problems carry FILE:LINE, as render prints them (with --operator-version
    too, which sets the release on a copy of the settings)."""
    settings = tmp_path / "fc.yaml"
    settings.write_text("apiVersion: fn.krm-dynamo.dev/v1alpha1\nkind: KrmDynamoConfig\nmetadata:\n  name: c\n"
                        "natServer: x\n", encoding="utf-8")
    code, out, err = _run(EXAMPLE, "--function-config", str(settings), *version)
    rendered = run_krm("render", EXAMPLE, "--function-config", str(settings), cwd=REPO)
    line = (f"{settings}:5: [error] fn.krm-dynamo.dev/v1alpha1/KrmDynamoConfig/c natServer: unknown setting "
            "`natServer` (did you mean `natsServer`?); `krm-dynamo --help` lists the settings")
    assert (code, out, rendered.stderr.decode()) == (1, "", line + "\n")
    assert err == f"{line}\nkrm-dynamo: explain: the input has errors (above), so it renders nothing to explain\n"


def test_the_warnings_of_a_valid_input_go_to_stderr_as_render_prints_them(tmp_path):
    typo = tmp_path / "typo.yaml"
    typo.write_text((REPO / EXAMPLE).read_text(encoding="utf-8").replace("replicas: 1", "replicass: 1", 1),
                    encoding="utf-8")
    code, out, err = _run(str(typo), "--service", "Frontend")
    assert code == 0 and "Deployment dynamo/vllm-agg-frontend" in out
    assert err == run_krm("render", str(typo), cwd=REPO).stderr.decode()
    assert "[warning] nvidia.com/v1alpha1/DynamoGraphDeployment/dynamo/vllm-agg spec.services.Frontend.replicass: " \
           "unknown field `replicass` is ignored" in err
    assert "did you mean `replicas`?" in err


def _example() -> list:
    return [d for d in yamlio.load_documents((REPO / EXAMPLE).read_text(encoding="utf-8"), EXAMPLE) if d]


def test_review_annotation_is_off_by_default():
    out, _ = expand(_example(), None)
    assert not any(REVIEW_ANNOTATION in str(o) for o in out)


def test_review_annotation_names_the_graph_and_service():
    config = {"apiVersion": "fn.krm-dynamo.dev/v1alpha1", "kind": "KrmDynamoConfig", "reviewAnnotation": True}
    plain, _ = expand(_example(), None)
    annotated, _ = expand(_example(), config)
    generated = [o for o in annotated if o.get("kind") != "DynamoGraphDeployment"]
    assert {(o["kind"], o["metadata"]["annotations"][REVIEW_ANNOTATION]) for o in generated} == {
        ("Service", "dynamo/vllm-agg Frontend"), ("Deployment", "dynamo/vllm-agg Frontend"),
        ("Deployment", "dynamo/vllm-agg VllmDecodeWorker")}
    for before, after in zip(plain, annotated, strict=True):  # nothing else changes
        annotations = dict((after.get("metadata") or {}).get("annotations") or {})
        annotations.pop(REVIEW_ANNOTATION, None)
        meta = {**after.get("metadata", {}), "annotations": annotations}
        if not annotations:
            del meta["annotations"]
        assert {**after, "metadata": meta} == before


def test_review_annotation_on_grove_and_claims():
    case = REPO / "tests/cases"
    items = [d for d in yamlio.load_documents((case / "multinode-grove/input.yaml").read_text(encoding="utf-8"), "i")
             if d]
    config = {**yamlio.load_documents((case / "multinode-grove/fn-config.yaml").read_text(encoding="utf-8"), "c")[0],
              "reviewAnnotation": True}
    out, _ = expand(items, config)
    (pcs,) = [o for o in out if o.get("kind") == "PodCliqueSet"]
    assert pcs["metadata"]["annotations"][REVIEW_ANNOTATION].startswith("llm/mixed Frontend,")
    items = [d for d in yamlio.load_documents(
        (case / "pvc-compilation-cache/input.yaml").read_text(encoding="utf-8"), "i") if d]
    out, _ = expand(items, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
                            "data": {"reviewAnnotation": "true"}})
    claims = [o for o in out if o.get("kind") == "PersistentVolumeClaim" and REVIEW_ANNOTATION in str(o)]
    assert claims and all(c["metadata"]["annotations"][REVIEW_ANNOTATION] == "llm/vllm-disagg" for c in claims)


def test_options_may_come_before_the_file():
    """`explain --operator-version 1.1 FILE --field …`: the option's value is not taken for the FILE."""
    field = "spec.template.spec.serviceAccountName"
    before = run_krm("explain", "--operator-version", "1.1", EXAMPLE, "--field", field, cwd=REPO)
    after = run_krm("explain", EXAMPLE, "--field", field, "--operator-version", "1.1", cwd=REPO)
    assert before.returncode == 0, before.stderr.decode()
    assert before.stdout == after.stdout
    assert b"vllm-agg-k8s-service-discovery" in before.stdout


OBJECTS_06 = ("objects: Service/vllm-agg-frontend, Deployment/vllm-agg-frontend, Deployment/vllm-agg-vllmdecodeworker; "
              "services: Frontend, VllmDecodeWorker")


@pytest.mark.parametrize(("args", "message"), [
    (["--object", "Deployment/nope"], f"no generated object matches --object Deployment/nope ({OBJECTS_06})"),
    (["--service", "Nope"], f"no generated object matches --service Nope ({OBJECTS_06})"),
    (["--object", "ServiceAccount/vllm-agg-k8s-service-discovery"],
     "no generated object matches --object ServiceAccount/vllm-agg-k8s-service-discovery "
     f"({OBJECTS_06}); operator 1.0 generates it: add --operator-version 1.0"),
    (["--object", "Deployment/vllm-agg-frontend", "--field", "spec.template.spec.securityContext"],
     "no generated object matches --object Deployment/vllm-agg-frontend --field spec.template.spec.securityContext "
     f"({OBJECTS_06}); operator 1.0 generates it: add --operator-version 1.0"),
])
def test_filters_matching_nothing_name_what_there_is_and_the_release_that_has_it(args, message):
    code, out, err = _run(EXAMPLE, *args)
    assert (code, out, err) == (1, "", f"krm-dynamo: explain: {message}\n")
