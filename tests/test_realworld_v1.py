# SPDX-License-Identifier: Apache-2.0
"""Every real DGD of the upstream repository renders cleanly under operators 1.0 and 1.1.

The files live beside the clone in ``../shared/realworld/``: ``dynamo-v1.0.0/`` holds every
``DynamoGraphDeployment`` file of the upstream repository at the v1.0.0 cut, ``dynamo-60975b518/``
those at the 0.6 commit (what a 0.6 user's files become after the operator upgrade), each at its
upstream path. They are read at test time, never copied here. As :mod:`test_realworld` does for
the 0.6 corpus under 0.6, for each file and each of the releases 1.0 and 1.1 (the v1.0.0 corpus
with both multinode orchestrators):

* ``krm-dynamo render --operator-version R FILE`` and the KRM function (a ResourceList whose
  functionConfig sets ``operatorVersion: R``) finish with exit code 0, no error result, and the
  same objects; a file with a mistake of its own is named in :data:`MISTAKES` with the one error
  it gets;
* no warning says "exists from operator", and none says "unknown field" except for a field of no
  release, named per file in :data:`UNKNOWN_FIELDS` (none in the v1.0.0 corpus: 1.0 and 1.1 read
  every field of it). Warnings other than the routine ones (:data:`ROUTINE`) are named per file
  and release in :data:`EXPECTED_WARNINGS`;
* every generated built-in object is valid against the strict schemas of Kubernetes 1.34, whose
  types the 1.x operators build against (``k8s_validate.version_of_release``), and every CRD-kind
  object against the strict test-owned schemas of ``tests/schemas/``;
* no operator-internal object is generated (D2): no DynamoComponentDeployment, no scaling
  adapter, no worker metadata;
* on the LeaderWorkerSet path every worker pod carries the worker hash of its graph (M01, N_E07):
  label and ``DYN_NAMESPACE_WORKER_SUFFIX`` equal to the hash of the graph's worker specs.

The real entry point runs as a subprocess on batches of files of the v1.0.0 corpus whose objects
do not collide, once per release; its output must be the per-file outputs concatenated.
"""

from __future__ import annotations

import copy
import functools
import io
import json
import os
import re
from concurrent.futures import ThreadPoolExecutor

import k8s_validate
import pytest
from procs import run_krm
from shared_files import SHARED, require
from test_realworld import (
    Rendered,
    _config_file,
    _docs,
    _is_local_config,
    _resource_list,
    batches,
    schema_problems,
)

from krm_dynamo import cli, core, defaults
from krm_dynamo.graph import workerhash

REALWORLD = SHARED / "realworld"
V1 = "dynamo-v1.0.0"  # every DGD file of the upstream repository at the v1.0.0 cut
V06 = "dynamo-60975b518"  # ... at the 0.6 commit: what a 0.6 user's files become after the upgrade
FILE_COUNTS = {V1: 69, V06: 42}
RELEASES = ("1.0", "1.1")
EMPTY_SAMPLES = (f"{V1}/deploy/operator/config/samples/nvidia.com_v1alpha1_dynamographdeployment.yaml",
                 f"{V06}/deploy/cloud/operator/config/samples/nvidia.com_v1alpha1_dynamographdeployment.yaml")

# Files with a mistake of their own (paths under ``../shared/realworld``), and the one error each
# gets (field path, message) under every 1.x release. The operator's sample DGDs have an empty
# ``spec``: the 1.x admission webhook rejects a DGD without services (under 0.6 such a DGD
# generates nothing, with a warning).
MISTAKES = {
    sample: ("spec.services", "expected at least one service in `spec.services` "
                              "(the admission webhook of operator {release} rejects a DGD without services)")
    for sample in EMPTY_SAMPLES
}

# Files that set a field of no release (paths of the fields): the service field ``pvc`` exists in
# no DGD CRD (0.6, 1.0 or 1.1; the DGD has ``spec.pvcs``). The API server drops it, and so does
# the function, with an "unknown field" warning.
UNKNOWN_FIELDS = {
    f"{V06}/examples/basics/kubernetes/shared_frontend/shared_frontend.yaml": [
        "spec.services.VllmDecodeWorker.pvc", "spec.services.EncodeWorker.pvc", "spec.services.VLMWorker.pvc",
        "spec.services.Processor.pvc"],
    f"{V06}/recipes/gpt-oss-120b/trtllm/agg/deploy.yaml": [
        "spec.services.Frontend.pvc", "spec.services.TrtllmWorker.pvc"],
}

# Warnings every upstream file may get under 1.x: the Dynamo namespace assumed for a DGD without
# ``metadata.namespace`` (N01), and the ``dynamoNamespace`` field that 1.x ignores (N03). (No
# profile warning that a catalogued change is not reproduced: the 1.x profiles are complete.)
ROUTINE = (
    re.compile(r"^operator 1\.[01] names the Dynamo namespace `<namespace>-<DGD name>`; without `metadata.namespace`"),
    re.compile(r"^`dynamoNamespace` is deprecated and ignored from operator 1\.0: "),
)

# Other warnings, per (file, release): (field path, start of the message). Files whose Planner
# lists its own ``ports`` lose the port "system" that the 1.1 Planner's default probes check (P09,
# R03, T02: 1.1 adds that port and those probes; a ``ports`` list replaces the default one), so
# the Planner never becomes ready under 1.1. The operator code at the v1.1.0 cut does exactly
# that; the warning is right.
_PLANNER_PORTS = ("spec.services.Planner.extraPodSpec.mainContainer.ports", "the default probe")
EXPECTED_WARNINGS = {
    (f"{V1}/examples/backends/trtllm/deploy/disagg_planner.yaml", "1.1"): [_PLANNER_PORTS],
    (f"{V1}/tests/planner/perf_test_configs/disagg_8b_planner.yaml", "1.1"): [_PLANNER_PORTS],
    (f"{V06}/components/backends/trtllm/deploy/disagg_planner.yaml", "1.1"): [_PLANNER_PORTS],
    (f"{V06}/tests/planner/perf_test_configs/disagg_8b_planner.yaml", "1.1"): [_PLANNER_PORTS],
    (f"{V06}/tests/planner/scaling/disagg_planner.yaml", "1.1"): [_PLANNER_PORTS],
}

# Kinds of objects the operator keeps to itself (D2): never generated.
INTERNAL_KINDS = frozenset({"DynamoComponentDeployment", "DynamoGraphDeploymentScalingAdapter",
                            "DynamoWorkerMetadata", "DynamoCheckpoint"})
HASH_LABEL = "nvidia.com/dynamo-worker-hash"
GRAPH_LABEL = "nvidia.com/dynamo-graph-deployment-name"
COMPONENT_LABEL = "nvidia.com/dynamo-component"
SUFFIX = "DYN_NAMESPACE_WORKER_SUFFIX"


def _files(corpus: str) -> list[str]:
    """The YAML files of ``corpus``, as paths under :data:`REALWORLD` (``dynamo-v1.0.0/recipes/…``)."""
    root = REALWORLD / corpus
    if not root.is_dir():
        return []
    return sorted(str(p.relative_to(REALWORLD)) for p in root.rglob("*.yaml"))


FILES = {corpus: _files(corpus) for corpus in FILE_COUNTS}
# The v1.0.0 corpus with both orchestrators; the 0.6 corpus with the default one (its multinode
# graphs are few, and the Grove path is the same code).
PARAMS = [pytest.param(rel, release, orchestrator, id=f"{rel}-{release}-{orchestrator}")
          for corpus, orchestrators in ((V1, ("lws", "grove")), (V06, ("lws",)))
          for rel in FILES[corpus] for release in RELEASES for orchestrator in orchestrators
          ] or [pytest.param(None, "1.0", "lws", id="realworld-missing")]


def _function_config(release: str, orchestrator: str) -> dict:
    config = {"apiVersion": "fn.krm-dynamo.dev/v1alpha1", "kind": "KrmDynamoConfig",
              "metadata": {"name": "realworld"}, "operatorVersion": release}
    if orchestrator != "lws":
        config["multinodeOrchestrator"] = orchestrator
    return config


@functools.cache
def run_file(rel: str, release: str, orchestrator: str) -> Rendered:
    """``rel`` through ``render --operator-version`` and a ResourceList setting ``operatorVersion``."""
    path = REALWORLD / rel
    inputs = _docs(path.read_text(encoding="utf-8"), str(path))
    out, err = io.StringIO(), io.StringIO()
    render_code = cli.run_render([str(path), "--operator-version", release, *_config_file(orchestrator)], out, err)
    fn_out, fn_err = io.StringIO(), io.StringIO()
    stdin = _resource_list(copy.deepcopy(inputs), _function_config(release, orchestrator))
    function_code = cli.run_function(io.BytesIO(stdin), fn_out, fn_err)
    written = _docs(fn_out.getvalue(), "function output")[0]
    return Rendered(inputs, render_code, out.getvalue(), err.getvalue(), function_code, written.get("items") or [],
                    written.get("results") or [])


@functools.cache
def _schema_problems(text: str, version: str) -> tuple[str, ...]:
    """:func:`test_realworld.schema_problems` of the object ``text`` (JSON), once per distinct object:
    most objects come out alike under both orchestrators and both releases."""
    return tuple(schema_problems(json.loads(text), version))


def _by_severity(run: Rendered, severity: str) -> list[tuple[str | None, str]]:
    return [(r.get("field", {}).get("path"), r["message"]) for r in run.results if r["severity"] == severity]


def _unexpected_warnings(run: Rendered, rel: str, release: str) -> list[tuple[str | None, str]]:
    """Warnings neither routine nor named for (rel, release) in :data:`EXPECTED_WARNINGS`."""
    named = EXPECTED_WARNINGS.get((rel, release), [])
    return [(path, message) for path, message in _by_severity(run, "warning")
            if not any(p.match(message) for p in ROUTINE) and path not in UNKNOWN_FIELDS.get(rel, [])
            and not any(path == want_path and message.startswith(start) for want_path, start in named)]


# --- tests ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("corpus", list(FILE_COUNTS))
def test_every_file_is_collected(corpus: str) -> None:
    require(REALWORLD / corpus)
    want, found = FILE_COUNTS[corpus], len(FILES[corpus])
    assert found == want, f"expected {want} upstream DGD files under {REALWORLD / corpus}, found {found}"
    named = set(MISTAKES) | set(UNKNOWN_FIELDS) | {rel for rel, _ in EXPECTED_WARNINGS}
    assert {rel for rel in named if rel.startswith(f"{corpus}/")} <= set(FILES[corpus])


@pytest.mark.parametrize(("rel", "release", "orchestrator"), PARAMS)
def test_real_dgd_renders_under_1x(rel: str, release: str, orchestrator: str) -> None:
    """Exit 0 in both modes, no error, the same objects, every generated object strictly valid."""
    require(REALWORLD / V1)
    require(REALWORLD / V06)
    run = run_file(rel, release, orchestrator)
    warnings = _by_severity(run, "warning")
    assert [path for path, m in warnings if "unknown field" in m] == UNKNOWN_FIELDS.get(rel, [])
    assert not [m for _, m in warnings if "exists from operator" in m]
    assert _unexpected_warnings(run, rel, release) == []
    for want_path, start in EXPECTED_WARNINGS.get((rel, release), []):
        assert any(path == want_path and m.startswith(start) for path, m in warnings), (want_path, start)
    if rel in MISTAKES:
        path, message = MISTAKES[rel]
        assert _by_severity(run, "error") == [(path, message.format(release=release))]
        assert run.render_code == run.function_code == 1 and run.render_stdout == "" and run.generated == []
        return
    assert _by_severity(run, "error") == []
    assert run.render_code == 0, run.render_stderr
    assert run.function_code == 0
    rendered = _docs(run.render_stdout, "render output")
    assert rendered == [o for o in run.function_items if not _is_local_config(o)], "render and the function disagree"
    assert run.generated, "a DGD with services must generate objects"
    version = k8s_validate.version_of_release(release)
    problems = [p for obj in run.generated for p in _schema_problems(json.dumps(obj, sort_keys=True), version)]
    assert not problems, "\n".join(problems)
    assert not {o["kind"] for o in run.generated} & INTERNAL_KINDS
    dgds = [o for o in run.inputs if o.get("kind") == "DynamoGraphDeployment"]
    if orchestrator == "grove":
        assert [o["kind"] for o in run.generated].count("PodCliqueSet") == len(dgds)


def _pod_templates(obj: dict) -> list[dict]:
    if obj["kind"] == "Deployment":
        return [obj["spec"]["template"]]
    if obj["kind"] == "LeaderWorkerSet":
        lwt = obj["spec"]["leaderWorkerTemplate"]
        return [lwt[key] for key in ("leaderTemplate", "workerTemplate") if key in lwt]
    return []


@pytest.mark.parametrize("release", RELEASES)
def test_every_worker_pod_carries_the_worker_hash_of_its_graph(release: str) -> None:
    """M01, N_E07 over both corpora: the hash of each graph's worker specs, on every worker pod only."""
    require(REALWORLD / V1)
    require(REALWORLD / V06)
    table = defaults.for_release(release)
    workers = 0
    for rel in FILES[V1] + FILES[V06]:
        if rel in MISTAKES:
            continue
        run = run_file(rel, release, "lws")
        graphs = {o["metadata"]["name"]: o["spec"]["services"] for o in run.inputs
                  if o.get("kind") == "DynamoGraphDeployment"}
        hashes = {name: workerhash.workers_spec_hash(services, table) for name, services in graphs.items()}
        for obj in run.generated:
            for template in _pod_templates(obj):
                labels = template["metadata"]["labels"]
                services = graphs[labels[GRAPH_LABEL]]
                main = next(c for c in template["spec"]["containers"] if c["name"] == "main")
                env = {e["name"]: e.get("value") for e in main.get("env") or []}
                if services[labels[COMPONENT_LABEL]].get("componentType") in table.worker_types:
                    want = hashes[labels[GRAPH_LABEL]]
                    assert labels[HASH_LABEL] == env[SUFFIX] == obj["metadata"]["labels"][HASH_LABEL] == want, rel
                    workers += 1
                else:
                    assert HASH_LABEL not in labels and SUFFIX not in env, (rel, obj["metadata"]["name"])
    assert workers > 150


@pytest.mark.parametrize("release", RELEASES)
def test_expanding_the_output_again_changes_nothing(release: str) -> None:
    """The function's output of every v1.0.0 file, fed back in (as a kpt pipeline does): no error, the
    same items (the generated objects are recognised and made again, the worker hash and the
    discovery objects included)."""
    require(REALWORLD / V1)
    config = _function_config(release, "lws")
    changed = []
    for rel in FILES[V1]:
        if rel in MISTAKES:
            continue
        items = run_file(rel, release, "lws").function_items
        again, results = core.expand(copy.deepcopy(items), config)
        if again != items or any(r.severity == "error" for r in results):
            changed.append(rel)
    assert changed == []


@pytest.mark.parametrize("release", RELEASES)
def test_real_entry_point_in_batches(release: str) -> None:
    """``krm-dynamo render --operator-version R FILE…`` per batch of the v1.0.0 corpus, and function mode
    on the largest batch."""
    require(REALWORLD / V1)
    groups = batches([rel for rel in FILES[V1] if rel not in MISTAKES],
                     lambda rel: run_file(rel, release, "lws").function_items)
    assert len(groups) <= 8, f"batching should need only a few processes, got {len(groups)}"
    largest = max(groups, key=len)
    stdin = _resource_list([d for rel in largest for d in run_file(rel, release, "lws").inputs],
                           _function_config(release, "lws"))
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 1)) as pool:
        renders = list(pool.map(lambda batch: run_krm("render", "--operator-version", release,
                                                      *(str(REALWORLD / rel) for rel in batch)), groups))
        proc = pool.submit(run_krm, stdin=stdin).result()
    for batch, render in zip(groups, renders, strict=True):
        err = render.stderr.decode()
        assert render.returncode == 0 and "Traceback" not in err and "[error]" not in err, (batch, err)
        want = [d for rel in batch for d in _docs(run_file(rel, release, "lws").render_stdout, rel)]
        assert _docs(render.stdout.decode(), "render output") == want, batch
    err = proc.stderr.decode()
    assert proc.returncode == 0 and "Traceback" not in err, err
    items = _docs(proc.stdout.decode(), "function output")[0]["items"]
    assert items == [o for rel in largest for o in run_file(rel, release, "lws").function_items]


@pytest.mark.parametrize("release", RELEASES)
@pytest.mark.parametrize("sample", EMPTY_SAMPLES)
def test_a_file_with_a_mistake_fails_through_the_real_entry_point(sample: str, release: str) -> None:
    """An empty sample: exit 1, one error line naming file:line and the field path, nothing printed."""
    path = require(REALWORLD / sample)
    proc = run_krm("render", "--operator-version", release, str(path))
    lines = proc.stderr.decode().splitlines()
    errors = [line for line in lines if "[error]" in line]
    assert proc.returncode == 1 and proc.stdout == b"" and len(errors) == 1, lines
    assert errors[0].startswith(f"{path}:") and " spec.services: expected at least one service" in errors[0]


def test_the_gb200_resource_claims_need_the_kubernetes_of_1x() -> None:
    """``resources.claims`` become pod ``resourceClaims`` with ``resourceClaimTemplateName``, a field
    shape of Kubernetes 1.31 on: invalid against 1.30's schemas, valid against 1.34's."""
    require(REALWORLD / V1)
    run = run_file(f"{V1}/recipes/deepseek-r1/trtllm/disagg/wide_ep/gb200/deploy.yaml", "1.0", "lws")
    claims = [t["spec"]["resourceClaims"] for o in run.generated for t in _pod_templates(o)
              if "resourceClaims" in t["spec"]]
    assert claims and all(c[0]["resourceClaimTemplateName"] for c in claims)
    old = [p for o in run.generated for p in k8s_validate.validate_object(o, "1.30.0")]
    assert old and all("'resourceClaimTemplateName' was unexpected" in p for p in old), old
    assert [p for o in run.generated for p in k8s_validate.validate_object(o, "1.34.0")] == []
