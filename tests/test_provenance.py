# SPDX-License-Identifier: Apache-2.0
"""``krm-dynamo explain FILE``: the origin of each rendered field (differential rendering).

The origins asserted here span frontend, worker, planner, multinode (LeaderWorkerSet and Grove),
user overrides over defaults, a mainContainer probe laid over a default probe, pull secrets and a
ServiceAccount discovered in the ResourceList, functionConfig env vars and multinode rewrites.
Every golden case is rendered with provenance on and compared, field by field, to its
``expected.yaml``.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path

import pytest

from krm_dynamo import defaults, record
from krm_dynamo.core import DGD_KIND
from krm_dynamo.explain_file import explain_file
from krm_dynamo.explain_output import as_json, as_text, as_yaml
from krm_dynamo.kio import sources, yamlio
from krm_dynamo.ownership import strip_marker
from krm_dynamo.provenance import flatten, format_path, probe, read_inputs, render

CASES = Path(__file__).resolve().parent / "cases"
GOLDEN = sorted(p.name for p in CASES.iterdir() if (p / "expected.yaml").exists())


def _config(case: str) -> dict | None:
    path = CASES / case / "fn-config.yaml"
    return yamlio.load_documents(path.read_text(encoding="utf-8"), str(path))[0] if path.exists() else None


def _inputs(case: str):
    return read_inputs([str(CASES / case / "input.yaml")], _config(case), str(CASES / case / "fn-config.yaml"))


@cache
def _document(case: str, release: str = defaults.DEFAULT_RELEASE) -> dict:
    return explain_file(_inputs(case), defaults.for_release(release))


def _field(case: str, obj: str, path: str) -> dict:
    for entry in _document(case)["objects"]:
        if f"{entry['kind']}/{entry['name']}" == obj:
            for field in entry["fields"]:
                if field["path"] == path:
                    return field
    raise AssertionError(f"{case}: no field {obj} {path}")


MAIN = "spec.template.spec.containers[name=main]"
LEADER = "spec.leaderWorkerTemplate.leaderTemplate.spec.containers[name=main]"
WORKER = "spec.leaderWorkerTemplate.workerTemplate.spec.containers[name=main]"
CLIQUE = "spec.template.cliques[name={}].spec.podSpec.containers[name=main]"

ORIGINS = [
    # frontend
    ("vllm-agg", "Deployment/vllm-agg-frontend", "spec.replicas", "user", "spec.services.Frontend.replicas"),
    ("vllm-agg", "Deployment/vllm-agg-frontend", "spec.strategy.type", "default", "strategies.RollingUpdate"),
    ("vllm-agg", "Service/vllm-agg-frontend", "spec.ports[name=http].port", "default", '"item": "port"'),
    ("vllm-agg", "Deployment/vllm-agg-frontend", "spec.template.spec.volumes[name=shared-memory].emptyDir.sizeLimit",
     "default", '"table": "sharedMemory"'),
    ("vllm-agg", "Deployment/vllm-agg-frontend", f"{MAIN}.args[1]", "default", '"table": "frontend", "item": "args"'),
    ("vllm-agg", "Deployment/vllm-agg-frontend", 'metadata.labels["nvidia.com/dynamo-graph-deployment-name"]',
     "user", '"field": "metadata.name"'),
    # a mainContainer probe laid over the default probe: its leaf is the user's, the others the default's
    ("user-probes", "Deployment/vllm-disagg-frontend", f"{MAIN}.readinessProbe.periodSeconds", "user",
     "extraPodSpec.mainContainer.readinessProbe.periodSeconds"),
    ("user-probes", "Deployment/vllm-disagg-frontend", f"{MAIN}.readinessProbe.failureThreshold", "default",
     '"item": "probes.readinessProbe"'),
    ("user-probes", "Deployment/vllm-disagg-frontend", f"{MAIN}.livenessProbe.periodSeconds", "user",
     "spec.services.Frontend.livenessProbe.periodSeconds"),
    ("user-probes", "Deployment/vllm-disagg-vllmdecodeworker", f"{MAIN}.startupProbe.failureThreshold", "user",
     "mainContainer.startupProbe.failureThreshold"),
    ("user-probes", "Deployment/vllm-disagg-vllmdecodeworker", f"{MAIN}.startupProbe.httpGet.path", "default",
     '"table": "worker", "item": "probes.startupProbe"'),
    # worker: a user override beating a default (service envs over DYN_NAMESPACE), and over a setting
    ("env-precedence", "Deployment/vllm-agg-vllmdecodeworker", f"{MAIN}.env[name=DYN_NAMESPACE].value", "user",
     "spec.services.VllmDecodeWorker.envs[1].value"),
    ("env-precedence", "Deployment/vllm-agg-vllmdecodeworker", f"{MAIN}.env[name=NATS_SERVER].value", "user",
     "mainContainer.env[1].value"),
    ("env-precedence", "Deployment/vllm-agg-vllmdecodeworker", f"{MAIN}.env[name=ETCD_ENDPOINTS].value",
     "functionConfig", '"key": "etcdEndpoints"'),
    ("env-precedence", "Deployment/vllm-agg-vllmdecodeworker", f"{MAIN}.env[name=DYN_SYSTEM_PORT].value", "default",
     '"item": "env.DYN_SYSTEM_PORT"'),
    # planner
    ("planner", "Deployment/vllm-planner-planner", "spec.template.spec.serviceAccountName", "default",
     '"table": "planner", "item": "pod.serviceAccountName"'),
    ("planner", "Deployment/vllm-planner-planner", f"{MAIN}.env[name=PLANNER_PROMETHEUS_PORT].value", "default",
     '"table": "planner"'),
    ("planner", "Deployment/vllm-planner-planner", f"{MAIN}.ports[name=metrics].containerPort", "default",
     '"item": "ports.metrics"'),
    ("planner", "Deployment/vllm-planner-planner", f"{MAIN}.env[name=MODEL_EXPRESS_URL].value", "functionConfig",
     '"key": "modelExpressUrl"'),
    # discovered in the ResourceList
    ("image-pull-secrets", "Deployment/vllm-disagg-frontend",
     "spec.template.spec.imagePullSecrets[name=ngc-legacy].name", "discovery", "Secret llm/ngc-legacy"),
    ("image-pull-secrets", "Deployment/vllm-disagg-vllmdecodeworker",
     "spec.template.spec.imagePullSecrets[name=ghcr-pull].name", "discovery", "Secret llm/ghcr-pull"),
    ("image-pull-secrets", "Deployment/vllm-disagg-frontend", "spec.template.spec.serviceAccountName", "discovery",
     "ServiceAccount llm/dynamo-component"),
    ("image-pull-secrets", "Deployment/vllm-disagg-frontend",
     "spec.template.spec.imagePullSecrets[name=ngc-org-pull].name", "functionConfig", '"key": "registrySecrets"'),
    ("image-pull-secrets", "Deployment/vllm-disagg-vllmprefillworker",
     "spec.template.spec.imagePullSecrets[name=team-pull].name", "user", "imagePullSecrets[0].name"),
    # multinode, LeaderWorkerSet: launch rewrites per role
    ("multinode-vllm-lws", "LeaderWorkerSet/llama-mn-vllmworker-0", f"{LEADER}.args[0]", "multinode",
     '"role": "leader"'),
    ("multinode-vllm-lws", "LeaderWorkerSet/llama-mn-vllmworker-0", f"{WORKER}.args[0]", "multinode",
     '"role": "worker"'),
    ("multinode-vllm-lws", "PodGroup/llama-mn-vllmworker-0", "spec.minMember", "user", "multinode.nodeCount"),
    ("multinode-vllm-lws", "LeaderWorkerSet/llama-mn-vllmworker-0", f"{LEADER}.image", "user", "mainContainer.image"),
    # multinode, Grove
    ("multinode-grove", "PodCliqueSet/mixed", CLIQUE.format("decodetrt-ldr") + ".args[0]", "multinode",
     '"role": "leader"'),
    ("multinode-grove", "PodCliqueSet/mixed", CLIQUE.format("decodetrt-wkr") + ".args[0]", "multinode",
     '"role": "worker"'),
    ("multinode-grove", "PodCliqueSet/mixed",
     CLIQUE.format("decodetrt-ldr") + ".env[name=OMPI_MCA_orte_keep_fqdn_hostnames].value", "backend",
     '"table": "trtllm"'),
    ("multinode-grove", "PodCliqueSet/mixed", CLIQUE.format("decodetrt-ldr") + ".env[name=ETCD_ENDPOINTS].value",
     "functionConfig", '"key": "etcdEndpoints"'),
    ("multinode-grove", "PodCliqueSet/mixed", "apiVersion", "default", '"table": "PodCliqueSet"'),
    ("multinode-grove", "PodCliqueSet/mixed", CLIQUE.format("decodetrt-ldr") + ".ports[name=system].containerPort",
     "default", '"table": "worker", "item": "ports.system"'),
]


@pytest.mark.parametrize(("case", "obj", "path", "origin", "detail"), ORIGINS,
                         ids=[f"{c}:{o}:{p.rsplit('.', 2)[-2:]}" for c, o, p, _, _ in ORIGINS])
def test_origin(case, obj, path, origin, detail):
    field = _field(case, obj, path)
    assert field["origin"] == origin, field
    assert detail in json.dumps(field["sources"]), field


def test_at_least_25_origins_across_component_types_and_orchestrators():
    assert len(ORIGINS) >= 25
    kinds = {o.split("/")[0] for _, o, _, _, _ in ORIGINS}
    assert {"Deployment", "Service", "LeaderWorkerSet", "PodGroup", "PodCliqueSet"} <= kinds
    assert {"user", "default", "functionConfig", "discovery", "multinode", "backend"} <= {o for *_, o, _ in ORIGINS}


def test_user_field_carries_file_and_line():
    (source,) = _field("vllm-agg", "Deployment/vllm-agg-frontend", "spec.replicas")["sources"]
    assert source["file"].endswith("tests/cases/vllm-agg/input.yaml") and source["line"] == 14
    assert source["relation"] == "value"


def test_an_object_a_setting_brings_says_so():
    (pcs,) = [o for o in _document("multinode-grove")["objects"] if o["kind"] == "PodCliqueSet"]
    assert [s.get("key") for s in pcs["generatedBecauseOf"]] == ["multinodeOrchestrator"]


def _generated(case: str) -> list[dict]:
    """The generated objects of ``expected.yaml``: not the DGD, not an input item passed through."""
    text = (CASES / case / "expected.yaml").read_text(encoding="utf-8")
    inputs = [d for d in yamlio.load_documents((CASES / case / "input.yaml").read_text(encoding="utf-8"), "in") if d]
    docs = [d for d in yamlio.load_documents(text, "expected") if d and d.get("kind") != DGD_KIND and d not in inputs]
    return [strip_marker(sources.strip_source(d)) for d in docs]  # as `render` prints them (kpt bookkeeping off)


@pytest.mark.parametrize("case", GOLDEN)
def test_rendered_with_provenance_equals_the_ordinary_output(case):
    """Provenance observes the one render path: the values it reports are ``render``'s, field by field."""
    expected = _generated(case)
    document = _document(case)
    assert [(o["kind"], o["name"]) for o in document["objects"]] == [
        (o["kind"], o["metadata"]["name"]) for o in expected]
    for obj, entry in zip(expected, document["objects"], strict=True):
        assert {format_path(p): v for p, v in flatten(obj).items()} == {f["path"]: f["value"] for f in entry["fields"]}
        assert all(f["origin"] and f["sources"] for f in entry["fields"])
    annotated = as_yaml(document, expected)
    assert [d for d in yamlio.load_documents(annotated, "annotated") if d] == expected
    assert all("  # " in line for line in annotated.splitlines() if line.rstrip().endswith(tuple("0123456789")))


@pytest.mark.parametrize("release", sorted(defaults.RELEASES))
def test_every_release_has_its_table_set(release):
    """The default origins come from the selected release's tables."""
    document = _document("planner", release)
    assert document["operatorRelease"] == release
    sources = [s for o in document["objects"] for f in o["fields"] if f["origin"] == "default" for s in f["sources"]]
    table = defaults.for_release(release)
    for source in sources[:50]:
        if source["table"] in ("planner", "worker", "frontend"):
            assert table.for_component(source["table"]).source(source["item"]) == source["source"]


def test_renders_are_bounded():
    result = probe(_inputs("vllm-agg"), max_renders=5)
    assert result is not None and result.renders <= 6
    assert any("past the bound of 5 renders" in note for note in result.notes)


def test_filters_and_forms():
    inputs = _inputs("vllm-agg")
    document = explain_file(inputs, service="Frontend", object_name="Deployment/vllm-agg-frontend",
                            field=f"{MAIN}.env")
    assert [o["name"] for o in document["objects"]] == ["vllm-agg-frontend"]
    assert document["objects"][0]["fields"] and all(f["path"].startswith(f"{MAIN}.env")
                                                    for f in document["objects"][0]["fields"])
    parsed = json.loads(as_json(document))
    assert set(parsed) == {"apiVersion", "operatorRelease", "objects", "renders", "notes"}
    assert set(parsed["objects"][0]) == {"kind", "namespace", "name", "service", "graph", "generatedBecauseOf",
                                         "fields"}
    text = as_text(document)
    assert "Deployment llm/vllm-agg-frontend (service Frontend)" in text
    assert render(inputs.items, inputs.function_config) is not None


def test_probing_leaves_the_inputs_untouched():
    inputs = _inputs("image-pull-secrets")
    before = copy.deepcopy((inputs.items, inputs.function_config))
    assert probe(inputs) is not None
    assert (inputs.items, inputs.function_config) == before


def test_leaves_name_keyed_list_entries():
    obj = {"spec": {"containers": [{"name": "main", "env": [{"name": "A", "value": "1"}], "args": ["x"]}],
                    "empty": {}, "none": []}}
    assert {format_path(p): v for p, v in flatten(obj).items()} == {
        "spec.containers[name=main].name": "main",
        "spec.containers[name=main].env[name=A].name": "A",
        "spec.containers[name=main].env[name=A].value": "1",
        "spec.containers[name=main].args[0]": "x",
        "spec.empty": {},
        "spec.none": [],
    }
    assert format_path(("metadata", "labels", "nvidia.com/x")) == 'metadata.labels["nvidia.com/x"]'


def test_defaults_are_matched_in_the_table_set_given():
    """The attribution reads the table set it is given (per operator release), not a fixed one."""
    base = defaults.for_release()
    service = record.replace(base.service, sources={**base.service.sources, "port": "a later release's source"})
    later = defaults.derive_release(base, release="0.6-test", operator_commit="0000000", service=service)
    document = explain_file(_inputs("vllm-agg"), later)
    assert document["operatorRelease"] == "0.6-test"
    (port,) = [f for o in document["objects"] if o["kind"] == "Service" for f in o["fields"]
               if f["path"] == "spec.ports[name=http].port"]
    assert port["sources"][0]["source"] == "a later release's source"


def _release_origins(release: str) -> dict[tuple[str, str], dict]:
    """``explain FILE --operator-version V --output json`` of the planner case, by (object, path)."""
    from krm_dynamo import explain_cmd

    text = explain_cmd.run([str(CASES / "planner" / "input.yaml")], {"operator-version": release, "output": "json"},
                           None, None)
    document = json.loads(text)
    assert document["operatorRelease"] == release
    return {(o["name"], f["path"]): f for o in document["objects"] for f in o["fields"]}


@pytest.mark.parametrize("release", ["1.0", "1.1"])
def test_origins_under_a_later_operator_release_cite_its_rows(release):
    """A default that only a later release injects is that release's default, with its catalogue
    entry and operator source at the release cut; the release itself is the context, not an origin."""
    fields = _release_origins(release)
    fs_group = fields[("vllm-planner-planner", "spec.template.spec.securityContext.fsGroup")]
    assert (fs_group["value"], fs_group["origin"]) == (1000, "default")
    assert fs_group["sources"][0]["source"].startswith("P01; deploy/operator/internal/dynamo/graph.go:974 @ ")
    nixl = fields[("vllm-planner-vllmdecodeworker", f"{MAIN}.ports[name=nixl].containerPort")]
    assert (nixl["value"], nixl["origin"]) == (19090, "default")
    assert nixl["sources"][0]["source"].startswith("T01; ")
    replicas = fields[("vllm-planner-frontend", "spec.replicas")]
    assert replicas["origin"] == "user"
    assert not any("operatorVersion" in json.dumps(f["sources"]) for f in fields.values())


def test_under_the_default_release_those_fields_do_not_exist():
    fields = _release_origins("0.6")
    assert ("vllm-planner-planner", "spec.template.spec.securityContext.fsGroup") not in fields
    assert ("vllm-planner-vllmdecodeworker", f"{MAIN}.ports[name=nixl].containerPort") not in fields
