# SPDX-License-Identifier: Apache-2.0
"""Operator releases (D34): the ``operatorVersion`` setting, the 1.x profiles, fields per release, honesty."""

from __future__ import annotations

import io
import json

import pytest
import yaml
from shared_files import SHARED, require

from krm_dynamo import cli, defaults, explain
from krm_dynamo.api import schema
from krm_dynamo.config import FunctionConfig, load_config
from krm_dynamo.core import expand
from krm_dynamo.defaults import catalog, release

IMAGE = "registry.example/dynamo:1"
CHANGES = SHARED / "spec" / "operator-versions" / "changes.yaml"


def _dgd(services: dict, name: str = "g") -> dict:
    return {"apiVersion": "nvidia.com/v1alpha1", "kind": "DynamoGraphDeployment",
            "metadata": {"name": name, "namespace": "ns"}, "spec": {"services": services}}


def _config(version: str | None = None, **more: object) -> dict:
    cfg: dict = {"apiVersion": "fn.krm-dynamo.dev/v1alpha1", "kind": "KrmDynamoConfig", "metadata": {"name": "c"},
                 "defaultImage": IMAGE, **more}
    if version is not None:
        cfg["operatorVersion"] = version
    return cfg


GRAPH = {
    "Frontend": {"componentType": "frontend", "replicas": 1},
    "worker": {"componentType": "worker", "replicas": 2,
               "extraPodSpec": {"mainContainer": {"command": ["python3", "-m", "dynamo.vllm"]}}},
    "Planner": {"componentType": "planner"},
}


def _render(version: str | None, services: dict | None = None) -> tuple[list[dict], list]:
    out, results = expand([_dgd(services or GRAPH)], _config(version))
    assert not [r for r in results if r.severity == "error"], results
    return out, results


def _main(out: list[dict], name: str) -> dict:
    deployment = next(o for o in out if o.get("kind") == "Deployment" and o["metadata"]["name"] == name)
    return next(c for c in deployment["spec"]["template"]["spec"]["containers"] if c["name"] == "main")


def _pod(out: list[dict], name: str) -> dict:
    deployment = next(o for o in out if o.get("kind") == "Deployment" and o["metadata"]["name"] == name)
    return deployment["spec"]["template"]["spec"]


def _env(container: dict) -> dict:
    return {e["name"]: e.get("value") for e in container.get("env", [])}


# --- the setting in every form -------------------------------------------------------------------


@pytest.mark.parametrize(("carrier", "expected"), [
    ({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"operatorVersion": "1.0"}}, "1.0"),
    (_config(1.1), "1.1"),  # a YAML float in a typed KrmDynamoConfig
    (_config("latest"), "latest"),
    (_config(""), "0.6"),
    (None, "0.6"),
])
def test_setting_forms(carrier, expected):
    cfg, results = load_config(carrier, [])
    assert not results
    assert cfg.operatorVersion == expected


def test_setting_among_items_and_override():
    cfg, _ = load_config(None, [_config("1.0")])
    assert cfg.operatorVersion == "1.0"
    cfg, _ = load_config(_config("1.0"), [], {"operatorVersion": "1.1"})
    assert cfg.operatorVersion == "1.1"


def test_setting_rejects_unknown_release():
    _, results = load_config(_config("2.0"), [])
    assert [r.severity for r in results] == ["error"]
    assert "operatorVersion" in results[0].message


def test_latest_is_1_1():
    assert defaults.for_release("latest") is defaults.for_release("1.1")
    assert FunctionConfig().operatorVersion == defaults.DEFAULT_RELEASE == "0.6"


def test_help_lists_the_setting():
    assert "operatorVersion (0.6 | 1.0 | 1.1 | latest, default 0.6)" in cli.usage()


def test_render_flag(tmp_path):
    path = tmp_path / "dgd.yaml"
    path.write_text(yaml.safe_dump(_dgd({"worker": GRAPH["worker"]})))
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(yaml.safe_dump(_config("0.6")))
    out, err = io.StringIO(), io.StringIO()
    assert cli.run_render([str(path), "--function-config", str(cfg), "--operator-version", "1.0"], out, err) == 0
    assert "NIXL_TELEMETRY_ENABLE" in out.getvalue()
    assert "catalogued operator changes" not in err.getvalue()  # the 1.0 profile is complete (D34)
    with pytest.raises(cli.UsageError):
        cli.run_render([str(path), "--operator-version", "9"], io.StringIO(), io.StringIO())


# --- the profiles: each data change under 1.x, never under 0.6 -----------------------------------


def _frontend_probe(out):
    return _main(out, "g-frontend")["livenessProbe"]["httpGet"]["path"]


def _worker_timeout(out):
    return _main(out, "g-worker")["readinessProbe"]["timeoutSeconds"]


def _worker_ports(out):
    return [p["name"] for p in _main(out, "g-worker")["ports"]]


def _worker_env(out):
    env = _env(_main(out, "g-worker"))
    return (env.get("NIXL_TELEMETRY_PROMETHEUS_PORT"), env.get("DYN_HEALTH_CHECK_ENABLED"))


def _frontend_prefix(out):
    return _env(_main(out, "g-frontend")).get("DYN_NAMESPACE_PREFIX")


def _fs_group(out):
    return _pod(out, "g-worker").get("securityContext")


def _planner(out):
    main = _main(out, "g-planner")
    return ([p["name"] for p in main["ports"]], "startupProbe" in main, _env(main).get("DYN_SYSTEM_PORT"))


@pytest.mark.parametrize(("change", "read", "old", "new", "since"), [
    ("R01", _frontend_probe, "/health", "/live", "1.0"),
    ("R02", _worker_timeout, 30, 4, "1.0"),
    ("T01/P03", _worker_ports, ["system"], ["system", "nixl"], "1.0"),
    ("N_E04/N_E05", _worker_env, (None, None), ("19090", "false"), "1.0"),
    ("N_E06", _frontend_prefix, None, "ns-g", "1.0"),
    ("P01", _fs_group, None, {"fsGroup": 1000}, "1.0"),
    ("P09", _planner, (["metrics"], False, None), (["metrics", "system"], True, "9090"), "1.1"),
])
def test_data_change_per_release(change, read, old, new, since):
    for version in ("0.6", "1.0", "1.1"):
        out, _ = _render(version)
        want = new if catalog.applies(catalog.Change(change, since, "", "", ""), version) else old
        assert read(out) == want, (change, version)


# --- N_E02 / S03 / S04: the Dynamo namespace from 1.0 -----------------------------------------------


def _namespaces(out: list[dict], name: str) -> tuple[str, str]:
    """``(DYN_NAMESPACE, nvidia.com/dynamo-namespace label)`` of a Deployment's pod."""
    deployment = next(o for o in out if o.get("kind") == "Deployment" and o["metadata"]["name"] == name)
    template = deployment["spec"]["template"]
    main = next(c for c in template["spec"]["containers"] if c["name"] == "main")
    return _env(main)["DYN_NAMESPACE"], template["metadata"]["labels"]["nvidia.com/dynamo-namespace"]


@pytest.mark.parametrize(("version", "graph_name", "want"), [
    ("0.6", "g", "dynamo-g"),
    ("1.0", "g", "ns-g"),
    ("1.1", "g", "ns-g"),
])
def test_dynamo_namespace_per_release(version, graph_name, want):
    out, results = expand([_dgd(GRAPH, name=graph_name)], _config(version))
    assert not [r for r in results if r.severity == "error"], results
    assert _namespaces(out, f"{graph_name}-worker") == (want, want)
    if version != "0.6":
        assert _env(_main(out, f"{graph_name}-frontend"))["DYN_NAMESPACE_PREFIX"] == want


def test_dynamo_namespace_dots_replaced_from_1_1():
    # A graph name with dots fails the project's own name rule (it prefixes Service names), so the
    # rule is checked where it lives.
    from krm_dynamo.graph.derive import dynamo_namespace_1x

    assert dynamo_namespace_1x("qwen3-0.6b", "ns", defaults.for_release("1.0")) == "ns-qwen3-0.6b"
    assert dynamo_namespace_1x("qwen3-0.6b", "ns", defaults.for_release("1.1")) == "ns-qwen3-0-6b"


def test_dynamoNamespace_ignored_with_the_webhook_warning_from_1_0():
    services = {name: {**svc, "dynamoNamespace": "mine"} for name, svc in GRAPH.items()}
    old, old_results = _render("0.6", services)
    new, new_results = _render("1.0", services)
    assert _namespaces(old, "g-worker") == ("mine", "mine")
    assert _namespaces(new, "g-worker") == ("ns-g", "ns-g")
    assert not [r for r in old_results if "deprecated" in r.message]
    warned = [r for r in new_results if "deprecated and ignored" in r.message]
    assert [r.field_path for r in warned] == [f"spec.services.{k}.dynamoNamespace" for k in GRAPH]
    assert "'mine' will be replaced with 'ns-g'" in warned[0].message


def test_dynamoNamespace_conflicts_only_matter_under_0_6():
    services = {"Frontend": {**GRAPH["Frontend"], "dynamoNamespace": "a"},
                "worker": {**GRAPH["worker"], "dynamoNamespace": "b"}}
    _, results = expand([_dgd(services)], _config("0.6"))
    assert any(r.severity == "error" and "agree" in r.message for r in results)
    _render("1.1", services)  # no error


def test_globalDynamoNamespace_from_1_0():
    services = {**GRAPH, "worker": {**GRAPH["worker"], "globalDynamoNamespace": True}}
    out, results = _render("1.0", services)
    assert _namespaces(out, "g-worker") == ("dynamo", "dynamo")
    assert _namespaces(out, "g-frontend") == ("ns-g", "ns-g")
    assert not [r for r in results if "globalDynamoNamespace" in r.message]
    _, results = expand([_dgd({"worker": {**GRAPH["worker"], "globalDynamoNamespace": "yes"}})], _config("1.0"))
    assert [r.field_path for r in results if r.severity == "error"] == ["spec.services.worker.globalDynamoNamespace"]


def test_dynamo_namespace_without_metadata_namespace_warns_under_1_x():
    dgd = _dgd({"worker": GRAPH["worker"]})
    del dgd["metadata"]["namespace"]
    out, results = expand([dgd], _config("1.0"))
    assert _namespaces(out, "g-worker") == ("default-g", "default-g")
    assert [r.field_path for r in results if r.severity == "warning" and "namespace `default`" in r.message] == [
        "metadata.namespace"]
    _, results = expand([dgd], _config("0.6"))
    assert not [r for r in results if "namespace `default`" in r.message]


# --- N_E01: the base env from 1.0 ---------------------------------------------------------------


def _field_ref(path: str) -> dict:
    return {"valueFrom": {"fieldRef": {"fieldPath": path}}}


@pytest.mark.parametrize(("service", "component_type"), [("g-worker", "worker"), ("g-frontend", "frontend"),
                                                         ("g-planner", "planner"), ("g-other", "")])
def test_base_env_per_release(service, component_type):
    services = {**GRAPH, "other": {}}
    want = {
        "DYN_COMPONENT": {"value": component_type},
        "DYN_DISCOVERY_BACKEND": {"value": "kubernetes"},
        "POD_NAME": _field_ref("metadata.name"),
        "POD_NAMESPACE": _field_ref("metadata.namespace"),
        "POD_UID": _field_ref("metadata.uid"),
    }
    for version in ("0.6", "1.0", "1.1"):
        out, _ = _render(version, services)
        env = {e["name"]: {k: v for k, v in e.items() if k != "name"} for e in _main(out, service)["env"]}
        names = [e["name"] for e in _main(out, service)["env"]]
        assert names == sorted(names), version  # merged env is sorted by name in every release
        got = {name: env.get(name) for name in want}
        assert got == (dict.fromkeys(want) if version == "0.6" else want), version


# --- P03: no pod-spec canonicalisation from 1.0 ------------------------------------------------------


def test_list_order_per_release():
    extra = {**GRAPH["worker"]["extraPodSpec"],
             "containers": [{"name": "zz-sidecar", "image": "sidecar:1"}],
             "volumes": [{"name": "zz-data", "emptyDir": {}}],
             "imagePullSecrets": [{"name": "zz-pull"}, {"name": "aa-pull"}, {"name": "zz-pull"}]}
    services = {"worker": {**GRAPH["worker"], "extraPodSpec": extra}}
    want = {
        "0.6": (["main", "zz-sidecar"], ["shared-memory", "zz-data"], ["aa-pull", "zz-pull"], ["nixl", "system"]),
        "1.0": (["zz-sidecar", "main"], ["zz-data", "shared-memory"], ["zz-pull", "aa-pull"], ["system", "nixl"]),
    }
    for version in ("0.6", "1.0", "1.1"):
        pod = _pod(_render(version, services)[0], "g-worker")
        main = next(c for c in pod["containers"] if c["name"] == "main")
        got = ([c["name"] for c in pod["containers"]], [v["name"] for v in pod["volumes"]],
               [s["name"] for s in pod["imagePullSecrets"]], [p["name"] for p in main.get("ports", [])])
        expected = want["0.6" if version == "0.6" else "1.0"]
        if version == "0.6":
            expected = (*expected[:3], ["system"])  # no nixl port in 0.6 (T01)
        assert got == expected, version


def test_user_security_context_replaces_the_default():
    services = {"worker": {**GRAPH["worker"], "extraPodSpec": {**GRAPH["worker"]["extraPodSpec"],
                                                               "securityContext": {"runAsUser": 5}}}}
    out, _ = _render("1.0", services)
    assert _pod(out, "g-worker")["securityContext"] == {"runAsUser": 5}


def test_schema_limits_from_1_0():
    services = {f"s{i}": {"componentType": "frontend"} for i in range(26)}
    for version, errors in (("0.6", 0), ("1.0", 1), ("1.1", 1)):
        _, results = expand([_dgd(services)], _config(version))
        found = [r for r in results if r.severity == "error"]
        assert len(found) == errors, (version, found)
    assert "expected at most 25 services" in found[0].message and found[0].field_path == "spec.services"


def test_shared_memory_size_with_disabled_rejected_from_1_1():
    services = {"worker": {**GRAPH["worker"], "sharedMemory": {"disabled": True, "size": "1Gi"}}}
    for version, errors in (("0.6", 0), ("1.0", 0), ("1.1", 1)):
        _, results = expand([_dgd(services)], _config(version))
        found = [r for r in results if r.severity == "error"]
        assert len(found) == errors, (version, found)
    assert found[0].field_path == "spec.services.worker.sharedMemory.size"


def test_prefill_is_a_worker_from_1_0():
    services = {"pf": {"componentType": "prefill",
                       "extraPodSpec": {"mainContainer": {"command": ["python3", "-m", "dynamo.vllm"]}}}}
    old, _ = _render("0.6", services)
    new, _ = _render("1.0", services)
    assert "ports" not in _main(old, "g-pf")
    assert {p["name"] for p in _main(new, "g-pf")["ports"]} == {"system", "nixl"}


def test_strategy_annotations_roll_from_1_0():
    services = {"worker": {**GRAPH["worker"], "annotations": {"nvidia.com/deployment-strategy": "RampedSlowRollout"}}}
    for version, surge in (("0.6", 1), ("1.0", "25%")):
        out, _ = _render(version, services)
        deployment = next(o for o in out if o.get("kind") == "Deployment")
        assert deployment["spec"]["strategy"]["rollingUpdate"]["maxSurge"] == surge


# --- logic switches ------------------------------------------------------------------------------


def test_autoscaling_ignored_from_1_0():
    services = {"worker": {**GRAPH["worker"], "autoscaling": {"enabled": True, "minReplicas": 1, "maxReplicas": 3}}}
    old, _ = _render("0.6", services)
    new, results = _render("1.0", services)
    assert any(o["kind"] == "HorizontalPodAutoscaler" for o in old)
    assert not any(o["kind"] == "HorizontalPodAutoscaler" for o in new)
    deployment = next(o for o in new if o.get("kind") == "Deployment")
    assert deployment["spec"]["replicas"] == 2
    assert any("`autoscaling` is deprecated and ignored" in r.message for r in results)


def test_debug_mode_ignored_from_1_0():
    services = {"worker": {**GRAPH["worker"], "annotations": {"nvidia.com/enable-debug-mode": "true"}}}
    old, _ = _render("0.6", services)
    new, results = _render("1.0", services)
    assert len(_pod(old, "g-worker")["containers"]) == 2
    assert len(_pod(new, "g-worker")["containers"]) == 1
    assert any("(P06)" in r.message for r in results)


def test_switches_are_data():
    for version in ("0.6", "1.0", "1.1"):
        table = defaults.for_release(version)
        assert set(table.switches) == {c.id for c in catalog.CATALOG if c.shape != "data"}
    assert not any(defaults.for_release("0.6").switches.values())
    assert defaults.for_release("1.0").switch("A01") and not defaults.for_release("1.0").switch("S14")
    assert defaults.for_release("1.1").switch("S14")


# --- fields per release --------------------------------------------------------------------------


def test_later_field_names_its_release():
    services = {"worker": {**GRAPH["worker"], "frontendSidecar": {"image": "x"}}}
    for version in ("0.6", "1.0"):
        _, results = _render(version, services)
        messages = [r.message for r in results if r.field_path == "spec.services.worker.frontendSidecar"]
        assert messages == ["`frontendSidecar` exists from operator 1.1; set operatorVersion: 1.1 "
                            f"(ignored under operator {version}, whose API server drops it)"]
        assert not any("unknown field" in r.message for r in results)


# Service fields of 1.1 whose change the profile may not reproduce yet, with a value of the right shape.
_LATER_FIELDS = {"frontendSidecar": ("S14", {"image": "i"}), "gpuMemoryService": ("S15", {"enabled": False}),
                 "failover": ("S16", {"enabled": False}), "topologyConstraint": ("S17", {"packDomain": "rack"})}


def test_fields_of_the_release_are_rendered():
    """Every 1.1 service field's change is reproduced: none is said to be accepted but not rendered."""
    assert {change for change, _ in _LATER_FIELDS.values()} <= defaults.for_release("1.1").reproduced
    fields = {k: v for k, (_, v) in _LATER_FIELDS.items() if k != "topologyConstraint"}  # needs the graph's too
    _, results = _render("1.1", {"worker": {**GRAPH["worker"], **fields}})
    assert not [r for r in results if "not yet rendered" in r.message]


def test_schema_per_release():
    old = schema.dgd_schema("0.6")["definitions"]["DynamoComponentDeploymentSharedSpec"]["properties"]
    v10 = schema.dgd_schema("1.0")["definitions"]["DynamoComponentDeploymentSharedSpec"]["properties"]
    v11 = json.loads(schema.dump("latest"))["definitions"]["DynamoComponentDeploymentSharedSpec"]["properties"]
    assert "modelRef" not in old and "modelRef" in v10
    assert "frontendSidecar" not in v10 and v11["frontendSidecar"]["x-krm-dynamo-since"] == "1.1"
    out = io.StringIO()
    assert cli.run_schema(["--operator-version", "1.1"], out) == 0
    assert "frontendSidecar" in out.getvalue()


# --- honesty: one warning per run, explain lists the rest ----------------------------------------


def test_complete_profiles_give_no_notice():
    """1.0 and 1.1 reproduce every catalogued change: a run under them carries no D34 notice."""
    for version in ("1.0", "1.1", "latest"):
        _, results = expand([_dgd(GRAPH)], _config(version))
        assert not [r for r in results if "catalogued" in r.message], version


def test_one_notice_per_run_for_an_incomplete_profile(monkeypatch):
    """D34: a future release whose profile misses changes gets one warning per run, naming the count."""
    from krm_dynamo import record

    table = defaults.for_release("1.1")
    incomplete = record.replace(table, reproduced=table.reproduced - {"V05", "L04"})
    monkeypatch.setattr(release, "RELEASES", {**release.RELEASES, "1.1": incomplete})
    _, results = expand([_dgd(GRAPH, "a"), _dgd(GRAPH, "b")], _config("1.1"))
    notices = [r for r in results if "catalogued operator changes" in r.message]
    assert [(n.message, n.severity, n.resource) for n in notices] == [(
        "operatorVersion 1.1: the output follows the operator 1.1 profile, which does not yet reproduce 2 "
        "catalogued operator changes; `krm-dynamo explain --operator-version 1.1` lists them", "warning", None)]
    doc = explain.explain(None, None, incomplete)
    assert doc["notYetReproducedCount"] == 2 and set(doc["notYetReproduced"]) == {"V05", "L04"}
    _, results = expand([_dgd(GRAPH)], _config("0.6"))
    assert not [r for r in results if "catalogued" in r.message]
    _, results = expand([], _config("1.1"))
    assert not results


@pytest.mark.parametrize("version", ["1.0", "1.1"])
def test_explain_lists_nothing_missing(version):
    """A complete profile: every applicable change reproduced, ``notYetReproduced`` empty (kept, count 0)."""
    table = defaults.for_release(version)
    doc = explain.explain(None, None, table)
    applicable = {c.id for c in catalog.CATALOG if catalog.applies(c, version)}
    assert set(doc["reproducedChanges"]) == applicable == table.reproduced
    assert doc["notYetReproduced"] == {} and doc["notYetReproducedCount"] == 0
    assert table.not_reproduced() == ()
    assert "notYetReproduced" not in explain.explain(None, None, defaults.for_release("0.6"))


def test_reproduced_data_rows_cite_their_change():
    """Every reproduced data change is the source of at least one row of the table set."""
    for version in ("1.0", "1.1"):
        table = defaults.for_release(version)
        sources = " ".join(src for t in (*table.by_component_type.values(), table.deployment, table.schema_limits,
                                         table.naming, table.platform_env, table.kube_discovery, table.admission,
                                         table.features, table.grove, table.leader_worker_set, table.launch)
                           for _, _, src in t.sourced_items())
        for change in table.reproduced:
            # BY_DESIGN: reproduced by a documented decision, with no row of its own.
            if catalog.BY_ID[change].shape == "data" and change not in ("S07", "S20", *release.BY_DESIGN):
                assert change in sources, (version, change)


def test_catalog_matches_the_research():
    data = yaml.safe_load(require(CHANGES).read_text(encoding="utf-8"))
    assert [c.id for c in catalog.CATALOG] == [c["id"] for c in data]
    shapes = {c["id"]: c["shape"] for c in data}
    assert all(c.shape == shapes[c.id] for c in catalog.CATALOG)


def test_every_implemented_switch_has_a_reader():
    """A claimed logic change is read, as ``switch("<ID>")``, by the code of that change (D34)."""
    import pathlib
    import re

    package = pathlib.Path(defaults.__file__).resolve().parent.parent
    code = "\n".join(p.read_text() for p in package.rglob("*.py"))
    readers = set(re.findall(r'\.switch\("([A-Z0-9_]+)"\)', code))
    assert release.IMPLEMENTED_SWITCHES - readers == set()
    assert readers <= set(release.IMPLEMENTED_SWITCHES), "a switch is read but not claimed"
