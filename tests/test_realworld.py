# SPDX-License-Identifier: Apache-2.0
"""Every real DGD of the upstream repository at the pinned operator commit renders cleanly.

The files live beside the clone in ``../shared/realworld/dynamo-60975b518/`` (every
``DynamoGraphDeployment`` file of the upstream repository at that commit, at its upstream path)
and are read at test time, never copied here. The pinned CRD accepts each of them, so for each:

* ``krm-dynamo render FILE`` and the KRM function (a ResourceList through ``run_function``, i.e.
  ``core.expand``) finish without an exception and with exit code 0, no error result, and the
  same objects;
* every generated built-in object is valid against the strict schemas of Kubernetes 1.33, whose
  types the 0.6 operator builds against (``k8s_validate``: ``additionalProperties: false`` everywhere), so no unknown field is copied
  into the output;
* every LeaderWorkerSet, PodGroup and PodCliqueSet is valid against the test-owned schemas in
  ``tests/schemas/`` made strict at every level they describe (:func:`strict_crd_validator`);
  their pod templates are checked as built-in ``PodTemplate`` objects.

The operator's own sample (``…/samples/nvidia.com_v1alpha1_dynamographdeployment.yaml``) has an
empty ``spec``: it generates nothing and says so in a warning (V1).

Speed: each file runs in process through the CLI's own ``run_render`` / ``run_function`` (about
10 ms each). The real entry point runs as a subprocess on batches of files whose generated
objects do not collide (upstream reuses graph names across files), and its output must be the
per-file outputs concatenated: a few subprocesses instead of one per file.
"""

from __future__ import annotations

import copy
import functools
import io
import json
import os
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import k8s_validate
import pytest
from jsonschema import Draft202012Validator
from procs import run_krm
from referencing import Registry, Resource
from shared_files import SHARED, require

from krm_dynamo import cli
from krm_dynamo.kio import yamlio

REALWORLD = SHARED / "realworld" / "dynamo-60975b518"
FILE_COUNT = 42  # every DGD file of the upstream repository at 60975b518
EMPTY_SAMPLE = "deploy/cloud/operator/config/samples/nvidia.com_v1alpha1_dynamographdeployment.yaml"
LOCAL_CONFIG = "config.kubernetes.io/local-config"
FUNCTION_CONFIGS = {"grove": {"apiVersion": "fn.krm-dynamo.dev/v1alpha1", "kind": "KrmDynamoConfig",
                              "metadata": {"name": "grove"}, "multinodeOrchestrator": "grove"}}


def _files() -> list[str]:
    if not REALWORLD.is_dir():
        return []
    return sorted(str(p.relative_to(REALWORLD)) for p in REALWORLD.rglob("*.yaml"))


FILES = _files()
# One case that skips on a developer's machine and fails in CI (shared_files.require).
PARAMS = FILES or [pytest.param(None, id="realworld-missing")]


# --- strict CRD schemas ------------------------------------------------------------------------


def _strict(node, *, skip: frozenset[str] = frozenset()):
    """A copy of a JSON schema where every object schema rejects properties it does not list.

    An open object (``{"type": "object"}`` with no ``properties``) then accepts only ``{}``: the
    generator must not write content the test-owned schema cannot check. ``skip`` names
    ``$defs`` left as they are (the pod spec, which is checked as a built-in ``PodTemplate``).
    """
    if isinstance(node, list):
        return [_strict(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "$defs":
            out[key] = {name: (d if name in skip else _strict(d)) for name, d in value.items()}
        elif key in ("properties", "patternProperties"):
            out[key] = {name: _strict(v) for name, v in value.items()}
        else:
            out[key] = _strict(value)
    if out.get("type") == "object" and "additionalProperties" not in out and "patternProperties" not in out:
        out["additionalProperties"] = False
    return out


@functools.cache
def strict_crd_validator(api_version: str, kind: str) -> Draft202012Validator:
    """Validator of the test-owned schema of a CRD kind, strict at every level it describes."""
    name = k8s_validate.CRD_SCHEMAS[(api_version, kind)]
    registry = Registry()
    schemas = {}
    for path in k8s_validate.CRD_SCHEMA_DIR.glob("*.json"):
        contents = _strict(json.loads(path.read_text(encoding="utf-8")), skip=frozenset({"podSpec"}))
        schemas[path.name] = contents
        registry = registry.with_resource(contents["$id"], Resource.from_contents(contents))
    return Draft202012Validator(schemas[name], registry=registry)


def schema_problems(obj: dict, version: str = k8s_validate.KUBERNETES_VERSION) -> list[str]:
    """Strict built-in validation (``k8s_validate``, Kubernetes ``version``) plus the strict CRD schemas.

    The default ``version`` is the one the 0.6 operator builds against (1.33).
    """
    problems = k8s_validate.validate_object(obj, version)
    key = (obj.get("apiVersion"), obj.get("kind"))
    if key in k8s_validate.CRD_SCHEMAS:
        name = (obj.get("metadata") or {}).get("name")
        for error in strict_crd_validator(*key).iter_errors(obj):
            path = ".".join(str(p) for p in error.absolute_path) or "<root>"
            problems.append(f"{key[1]} {name}: {path}: {error.message} (strict test-owned schema)")
    return problems


# --- running one file ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    """One file through ``render`` and through the KRM function, in process."""

    inputs: list
    render_code: int
    render_stdout: str
    render_stderr: str
    function_code: int
    function_items: list
    results: list  # the function's results (wire form)

    @property
    def generated(self) -> list[dict]:
        """Objects the function made (not the DGDs it passes through, not other input items)."""
        return [o for o in self.function_items if not _is_local_config(o) and o not in self.inputs]


def _docs(text: str, source: str) -> list:
    """YAML documents read as the function reads them (go-yaml v3 scalars, not PyYAML's YAML 1.1)."""
    return [d for d in yamlio.load_documents(text, source) if d is not None]


def _resource_list(items: list, function_config: dict | None = None) -> bytes:
    resource_list = {"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": items}
    if function_config is not None:
        resource_list["functionConfig"] = function_config
    return yamlio.dump(resource_list).encode()


def _is_local_config(obj: dict) -> bool:
    return ((obj.get("metadata") or {}).get("annotations") or {}).get(LOCAL_CONFIG) == "true"


@functools.cache
def _config_file(orchestrator: str) -> list[str]:
    """``render`` options selecting the multinode orchestrator (a functionConfig file, made once)."""
    if orchestrator == "lws":
        return []  # the default
    path = Path(tempfile.mkdtemp(prefix="krm-dynamo-realworld-")) / "fn-config.yaml"
    path.write_text(yamlio.dump(FUNCTION_CONFIGS[orchestrator]), encoding="utf-8")
    return ["--function-config", str(path)]


@functools.cache
def run_file(rel: str, orchestrator: str = "lws") -> Rendered:
    """``rel`` through ``render`` and through a ResourceList in function mode (the CLI's own code)."""
    path = REALWORLD / rel
    inputs = _docs(path.read_text(encoding="utf-8"), str(path))
    out, err = io.StringIO(), io.StringIO()
    # The empty sample prints nothing: `render` refuses an empty stream unless asked for it
    # (test_empty_sample_generates_nothing_with_a_warning pins the refusal).
    allow_empty = ["--allow-empty"] if rel == EMPTY_SAMPLE else []
    render_code = cli.run_render([str(path), *allow_empty, *_config_file(orchestrator)], out, err)
    fn_out, fn_err = io.StringIO(), io.StringIO()
    stdin = _resource_list(copy.deepcopy(inputs), FUNCTION_CONFIGS.get(orchestrator))
    function_code = cli.run_function(io.BytesIO(stdin), fn_out, fn_err)
    written = _docs(fn_out.getvalue(), "function output")[0]
    return Rendered(inputs, render_code, out.getvalue(), err.getvalue(), function_code, written.get("items") or [],
                    written.get("results") or [])


# --- tests ---------------------------------------------------------------------------------------


def test_every_file_is_collected():
    require(REALWORLD)
    assert len(FILES) == FILE_COUNT, f"expected {FILE_COUNT} upstream DGD files under {REALWORLD}, found {len(FILES)}"


@pytest.mark.parametrize("orchestrator", ["lws", "grove"])
@pytest.mark.parametrize("rel", PARAMS)
def test_real_dgd_renders(rel: str, orchestrator: str) -> None:
    """Exit 0 in both modes, no error, the same objects, every generated object strictly valid.

    Multinode services become LeaderWorkerSets + PodGroups (the default) or, with
    ``multinodeOrchestrator: grove``, the graph becomes one PodCliqueSet.
    """
    require(REALWORLD)
    run = run_file(rel, orchestrator)
    errors = [f"{r.get('field', {}).get('path')}: {r['message']}" for r in run.results if r["severity"] == "error"]
    assert not errors, errors
    assert run.render_code == 0, run.render_stderr
    assert run.function_code == 0
    rendered = _docs(run.render_stdout, "render output")
    printed = [o for o in run.function_items if not _is_local_config(o)]
    assert rendered == printed, "render and the KRM function disagree"
    problems = [p for obj in run.generated for p in schema_problems(obj)]
    assert not problems, "\n".join(problems)
    if rel != EMPTY_SAMPLE:
        assert run.generated, "a DGD with services must generate objects"
    if orchestrator == "grove" and rel != EMPTY_SAMPLE:
        assert [o["kind"] for o in run.generated].count("PodCliqueSet") == len(run.inputs) - sum(
            o.get("kind") != "DynamoGraphDeployment" for o in run.inputs)


def test_empty_sample_generates_nothing_with_a_warning(capsys: pytest.CaptureFixture[str]) -> None:
    """V1: the operator's sample DGD (empty ``spec``) generates nothing and says so; the KRM
    function exits 0, and ``render`` prints the empty stream only when asked (``--allow-empty``),
    since under Argo CD an empty manifest set would prune the application."""
    require(REALWORLD)
    assert cli.main(["render", str(REALWORLD / EMPTY_SAMPLE)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "nothing to print" in captured.err and "--allow-empty" in captured.err
    run = run_file(EMPTY_SAMPLE)
    assert run.generated == []
    warnings = [(r.get("field", {}).get("path"), r["message"]) for r in run.results if r["severity"] == "warning"]
    assert warnings == [("spec.services", "no services in `spec.services`: the graph runs nothing, "
                                          "so no workload objects are generated for it")]
    assert "[warning]" in run.render_stderr and run.render_stdout == ""


def identities(items: list) -> set[tuple]:
    """(apiVersion, kind, namespace, name) of every object."""
    return {(o.get("apiVersion"), o.get("kind"), (o.get("metadata") or {}).get("namespace"),
             (o.get("metadata") or {}).get("name")) for o in items}


def batches(files: list[str], objects: Callable[[str], list]) -> list[list[str]]:
    """Files grouped so that no two in a group make (or pass through) an object of the same name;
    ``objects(file)`` gives what a file's run outputs."""
    groups: list[tuple[list[str], set]] = []
    for rel in files:
        ids = identities(objects(rel))
        for names, seen in groups:
            if not ids & seen:
                names.append(rel)
                seen |= ids
                break
        else:
            groups.append(([rel], set(ids)))
    return [names for names, _ in groups]


def test_real_entry_point_in_batches():
    """The real entry point as a process: exit 0, no traceback, the per-file outputs concatenated.

    ``krm-dynamo render FILE…`` on every batch; function mode on the largest batch (a sample).
    """
    require(REALWORLD)
    groups = batches(FILES, lambda rel: run_file(rel).function_items)
    assert len(groups) <= 8, f"batching should need only a few processes, got {len(groups)}"
    largest = max(groups, key=len)
    stdin = _resource_list([d for rel in largest for d in run_file(rel).inputs])
    # Processes are mostly start-up time: run them side by side.
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 1)) as pool:
        renders = list(pool.map(lambda batch: run_krm("render", *(str(REALWORLD / rel) for rel in batch)), groups))
        proc = pool.submit(run_krm, stdin=stdin).result()
    for batch, render in zip(groups, renders, strict=True):
        err = render.stderr.decode()
        assert render.returncode == 0 and "Traceback" not in err and "[error]" not in err, (batch, err)
        want = [d for rel in batch for d in _docs(run_file(rel).render_stdout, rel)]
        assert _docs(render.stdout.decode(), "render output") == want, batch

    err = proc.stderr.decode()
    assert proc.returncode == 0 and "Traceback" not in err, err
    items = _docs(proc.stdout.decode(), "function output")[0]["items"]
    assert items == [o for rel in largest for o in run_file(rel).function_items]


def test_strict_crd_schemas_reject_unknown_fields():
    """The strict CRD check itself: an unknown field at any described level is reported."""
    lws = {"apiVersion": "leaderworkerset.x-k8s.io/v1", "kind": "LeaderWorkerSet",
           "metadata": {"name": "x", "labelz": {}},
           "spec": {"leaderWorkerTemplate": {"size": 2, "workerTemplate": {
               "metadata": {"labels": {}, "extra": 1}, "spec": {"containers": [{"name": "main", "image": "i"}]}}},
               "rolloutStrategy": {"type": "RollingUpdate", "surprise": True}}}
    problems = "\n".join(schema_problems(lws))
    for field in ("labelz", "extra", "surprise"):
        assert f"'{field}' was unexpected" in problems, problems
    pcs = {"apiVersion": "grove.io/v1alpha1", "kind": "PodCliqueSet", "metadata": {"name": "x"},
           "spec": {"template": {"cliques": [{"name": "c", "spec": {
               "roleName": "c", "replicas": 1, "podSpec": {"containers": [{"name": "main", "image": "i"}]},
               "autoScalingConfig": {"anything": 1}}}]}}}
    assert any("'anything' was unexpected" in p for p in schema_problems(pcs)), schema_problems(pcs)

