# SPDX-License-Identifier: Apache-2.0
"""Operator 1.x multinode and Grove: the worker hash (M01, N_E07, D60), Grove content (M03), topology (S17, D62).

The pinned hashes were produced by the operator's own ``ComputeDGDWorkersSpecHash`` (built from
the v1.1.0 cut, and from the v1.0.0 cut for the generated cases of ``worker_hash_cases.yaml``) on
the stored form of each DGD (pruned and defaulted by the CRD of the cut). The operator's hash
function is the same at both cuts; the releases differ only by the service fields 1.1 adds.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from k8s_validate import validate_all, version_of_release
from shared_files import SHARED, require

from krm_dynamo import defaults
from krm_dynamo.core import expand
from krm_dynamo.graph import workerhash
from krm_dynamo.kube import quantity

REALWORLD = SHARED / "realworld" / "dynamo-v1.0.0"
HASH_LABEL = "nvidia.com/dynamo-worker-hash"
SUFFIX = "DYN_NAMESPACE_WORKER_SUFFIX"

# A spec that exercises the Go encoding: struct order, omitempty, untagged zero values, HTML
# escaping, canonical quantities, IntOrString, the CRD's defaults (protocol, nodeCount, failover,
# gpuMemoryService), ExtraPodSpec's own MarshalJSON, excluded and unknown fields.
SYNTHETIC = yaml.safe_load("""
w1:
  componentType: worker
  globalDynamoNamespace: true
  envFromSecret: ""
  envs: [{name: A, value: "x&y>z\\u2028é"}, {name: B, valueFrom: {secretKeyRef: {name: s, key: k}}}]
  resources: {requests: {cpu: "1", memory: 1Gi}, limits: {gpu: "2", custom: {x: "1"}}, claims: [{name: c1}]}
  sharedMemory: {disabled: true}
  livenessProbe: {httpGet: {path: /h, port: 9090}, periodSeconds: 5}
  readinessProbe: {tcpSocket: {port: http}, failureThreshold: 0}
  extraPodMetadata: {labels: {a: b}, annotations: {}}
  volumeMounts: [{name: v, mountPoint: /m, useAsCompilationCache: true}]
  extraPodSpec:
    nodeSelector: {z: "1", a: "2"}
    tolerations: [{key: k, operator: Exists, effect: NoSchedule, tolerationSeconds: 30}]
    volumes: [{name: e, emptyDir: {medium: Memory, sizeLimit: 2000Mi}}, {name: r, rbd: {monitors: [m], image: i}}]
    containers: [{name: side, image: "s:1", ports: [{containerPort: 1, name: p}], resources: {limits: {memory: "1e3"}}}]
    initContainers: []
    hostNetwork: false
    securityContext: {runAsUser: 1000, fsGroup: 0}
    mainContainer:
      image: img
      command: []
      args: null
      env: [{name: F, valueFrom: {fileKeyRef: {volumeName: v, path: p, key: k}}}]
      startupProbe: {exec: {command: ["true"]}}
      securityContext: {privileged: false, capabilities: {add: [SYS_ADMIN]}}
      lifecycle: {preStop: {sleep: {seconds: 3}}}
      unknownField: 1
w2:
  componentType: prefill
  multinode: {nodeCount: 4}
  replicas: 3
  labels: {x: y}
  annotations: {q: r}
  subComponentType: foo
  dynamoNamespace: old
  ingress: {enabled: true, host: h}
  autoscaling: {enabled: false}
  modelRef: {name: m}
  extraPodSpec: {}
w3:
  componentType: decode
  extraPodSpec: {containers: [], mainContainer: {}}
  resources: {}
  gpuMemoryService: {enabled: true}
  failover: {enabled: true}
  topologyConstraint: {packDomain: rack}
  frontendSidecar: {image: f}
  checkpoint: {enabled: true}
fe: {componentType: frontend, extraPodSpec: {mainContainer: {image: x}}}
nothing: null
""")


@pytest.mark.parametrize(("release", "want"), [("1.1", "7e728a2d"), ("1.0", "a81de92f")])
def test_hash_matches_the_operator_on_a_synthetic_spec(release, want):
    """1.0 prunes the 1.1 fields (its API server does), so the same input hashes differently."""
    assert workerhash.workers_spec_hash(SYNTHETIC, defaults.for_release(release)) == want


@pytest.mark.parametrize(("path", "index", "want"), [
    ("recipes/qwen3-32b-fp8/trtllm/disagg/deploy.yaml", 2, "090d3996"),
    ("examples/backends/vllm/deploy/disagg-multinode.yaml", 0, "1e721e94"),
    ("examples/backends/sglang/deploy/disagg-multinode.yaml", 0, "760dc732"),
    ("recipes/deepseek-r1/trtllm/disagg/wide_ep/gb200/deploy.yaml", 3, "7595c11d"),
    ("examples/backends/vllm/deploy/disagg_kvbm_2p2d.yaml", 0, "5456b52e"),
    ("recipes/llama-3-70b/vllm/disagg-single-node/gaie/deploy.yaml", 0, "8ce36308"),
])
def test_hash_matches_the_operator_on_upstream_graphs(path, index, want):
    docs = list(yaml.safe_load_all(require(REALWORLD / path).read_text(encoding="utf-8")))
    services = docs[index]["spec"]["services"]
    for release in ("1.0", "1.1"):
        assert workerhash.workers_spec_hash(services, defaults.for_release(release)) == want


def test_hash_ignores_what_does_not_shape_the_pod():
    table = defaults.for_release("1.1")
    base = workerhash.workers_spec_hash(SYNTHETIC, table)
    changed = copy.deepcopy(SYNTHETIC)
    changed["w2"]["replicas"] = 9
    changed["w1"]["labels"] = {"team": "a"}
    changed["fe"]["extraPodSpec"]["mainContainer"]["image"] = "other"  # not a worker
    assert workerhash.workers_spec_hash(changed, table) == base
    changed["w2"]["extraPodSpec"] = {"nodeSelector": {"a": "b"}}
    assert workerhash.workers_spec_hash(changed, table) != base


def _dgd(services: dict) -> dict:
    return {"apiVersion": "nvidia.com/v1alpha1", "kind": "DynamoGraphDeployment",
            "metadata": {"name": "g", "namespace": "ns"}, "spec": {"services": copy.deepcopy(services)}}


def _expand(services: dict, release: str, **config) -> list[dict]:
    cfg = {"apiVersion": "fn.krm-dynamo.dev/v1alpha1", "kind": "KrmDynamoConfig", "metadata": {"name": "c"},
           "defaultImage": "img:1", "operatorVersion": release, **config}
    out, results = expand([_dgd(services)], cfg)
    assert not [r for r in results if r.severity == "error"], results
    return out


GRAPH = {
    "Frontend": {"componentType": "frontend"},
    "prefill": {"componentType": "prefill", "replicas": 2},
    "decode": {"componentType": "decode", "multinode": {"nodeCount": 2}, "resources": {"limits": {"gpu": "1"}},
               "labels": {HASH_LABEL: "mine"},
               "extraPodSpec": {"mainContainer": {"args": ["python3 -m dynamo.vllm --tp 2"]}}},
}


def _pods(objects: list[dict]) -> dict[str, list[dict]]:
    pods: dict[str, list[dict]] = {}
    for o in objects:
        if o["kind"] == "Deployment":
            pods.setdefault(o["metadata"]["name"], []).append(o["spec"]["template"])
        elif o["kind"] == "LeaderWorkerSet":
            lwt = o["spec"]["leaderWorkerTemplate"]
            pods.setdefault(o["metadata"]["name"], []).extend([lwt["leaderTemplate"], lwt["workerTemplate"]])
    return pods


@pytest.mark.parametrize("release", ["1.0", "1.1"])
def test_workers_carry_the_hash_and_keep_stable_names(release):
    """D60: names without the hash; one hash for every worker (label and env), a user label overwritten."""
    out = _expand(GRAPH, release)
    want = workerhash.workers_spec_hash(GRAPH, defaults.for_release(release))
    pods = _pods(out)
    assert sorted(pods) == ["g-decode-0", "g-frontend", "g-prefill"]
    for name, templates in pods.items():
        for t in templates:
            main = next(c for c in t["spec"]["containers"] if c["name"] == "main")
            env = {e["name"]: e.get("value") for e in main["env"]}
            if name == "g-frontend":
                assert HASH_LABEL not in t["metadata"]["labels"] and SUFFIX not in env
            else:
                assert t["metadata"]["labels"][HASH_LABEL] == want == env[SUFFIX]
                assert t["metadata"]["labels"]["nvidia.com/selector"] == name.removesuffix("-0")
    by_kind = {(o["kind"], o["metadata"]["name"]): o for o in out}
    assert by_kind[("Deployment", "g-prefill")]["metadata"]["labels"][HASH_LABEL] == want
    assert by_kind[("LeaderWorkerSet", "g-decode-0")]["metadata"]["labels"][HASH_LABEL] == want
    assert HASH_LABEL not in by_kind[("PodGroup", "g-decode-0")]["metadata"]["labels"]  # as the operator
    validate_all(out, version_of_release(release))


def test_0_6_has_no_worker_hash():
    out = _expand(GRAPH, "0.6")
    text = yaml.safe_dump(out)
    assert SUFFIX not in text and "mine" in text  # the user's label stays a plain label


@pytest.mark.parametrize("release", ["1.0", "1.1"])
def test_grove_has_no_hash_but_the_user_label(release):
    out = _expand(GRAPH, release, multinodeOrchestrator="grove")
    pcs = next(o for o in out if o["kind"] == "PodCliqueSet")
    for clique in pcs["spec"]["template"]["cliques"]:
        main = next(c for c in clique["spec"]["podSpec"]["containers"] if c["name"] == "main")
        env = {e["name"]: e.get("value") for e in main["env"]}
        labels = clique["labels"]
        assert labels["nvidia.com/selector"] == "g-" + clique["name"].split("-")[0]  # M03: per service
        assert labels["nvidia.com/dynamo-component"] in GRAPH
        if clique["name"].startswith("decode"):
            assert env[SUFFIX] == "mine" == labels[HASH_LABEL]
        else:
            assert SUFFIX not in env and HASH_LABEL not in labels


def test_grove_1_1_min_available_and_system_labels():
    services = {"decode": {**GRAPH["decode"], "labels": {"nvidia.com/dynamo-graph-deployment-name": "x"}}}
    for release, want, graph_label in (("1.0", {"decode-ldr": 1, "decode-wkr": 1}, "x"),
                                       ("1.1", {"decode-ldr": 1, "decode-wkr": 1}, "g")):
        services["decode"]["multinode"] = {"nodeCount": 2}
        pcs = next(o for o in _expand(services, release, multinodeOrchestrator="grove") if o["kind"] == "PodCliqueSet")
        cliques = pcs["spec"]["template"]["cliques"]
        assert {c["name"]: c["spec"]["minAvailable"] for c in cliques} == want
        assert {c["labels"]["nvidia.com/dynamo-graph-deployment-name"] for c in cliques} == {graph_label}
    services["decode"]["multinode"] = {"nodeCount": 3}
    pcs = next(o for o in _expand(services, "1.1", multinodeOrchestrator="grove") if o["kind"] == "PodCliqueSet")
    assert {c["name"]: c["spec"]["minAvailable"] for c in pcs["spec"]["template"]["cliques"]} == \
        {"decode-ldr": 1, "decode-wkr": 2}


TOPOLOGY = {"apiVersion": "grove.io/v1alpha1", "kind": "ClusterTopology", "metadata": {"name": "t"},
            "spec": {"levels": [{"domain": "zone", "key": "z"}, {"domain": "rack", "key": "r"}]}}


def _results(spec_topology, services, items=(), **config):
    dgd = _dgd(services)
    if spec_topology is not None:
        dgd["spec"]["topologyConstraint"] = spec_topology
    cfg = {"apiVersion": "fn.krm-dynamo.dev/v1alpha1", "kind": "KrmDynamoConfig", "metadata": {"name": "c"},
           "defaultImage": "img:1", "operatorVersion": "1.1", **config}
    return expand([dgd, *copy.deepcopy(list(items))], cfg)


def test_topology_rules():
    worker = {"componentType": "worker"}
    _, results = _results({"topologyProfile": "t", "packDomain": "Zone"}, {"w": worker}, multinodeOrchestrator="grove")
    assert any("not a valid topology domain" in r.message and r.severity == "error" for r in results)
    _, results = _results(None, {"w": {**worker, "topologyConstraint": {"packDomain": "rack"}}})
    assert any("needs `spec.topologyConstraint`" in r.message for r in results)
    _, results = _results({"topologyProfile": "t"}, {"w": worker, "v": {**worker, "topologyConstraint":
                                                                       {"packDomain": "rack"}}})
    assert [r.field_path for r in results if r.severity == "error"] == ["spec.services.w.topologyConstraint"]


def test_topology_against_a_cluster_topology_in_the_input():
    services = {"w": {"componentType": "worker", "topologyConstraint": {"packDomain": "zone"}}}
    _, results = _results({"topologyProfile": "t", "packDomain": "rack"}, services, [TOPOLOGY],
                          multinodeOrchestrator="grove")
    assert any("broader than" in r.message and r.severity == "error" for r in results)
    _, results = _results({"topologyProfile": "t", "packDomain": "host"}, {"w": {"componentType": "worker"}},
                          [TOPOLOGY], multinodeOrchestrator="grove")
    assert any('domain "host" does not exist' in r.message for r in results)
    out, results = _results({"topologyProfile": "u", "packDomain": "zone"}, {"w": {"componentType": "worker"}})
    warnings = " ".join(r.message for r in results if r.severity == "warning")
    assert "not checked" in warnings and "only on the Grove path" in warnings
    assert not [r for r in results if r.severity == "error"]
    assert "topologyConstraint" not in yaml.safe_dump([o for o in out if o["kind"] != "DynamoGraphDeployment"])


def test_grove_rejects_a_domain_outside_its_enum():
    """D31: the operator's webhook accepts any DNS label, the PodCliqueSet CRD only Grove's domains."""
    services = {"w": {"componentType": "worker", "topologyConstraint": {"packDomain": "gpu-tray"}}}
    _, results = _results({"topologyProfile": "t"}, services, multinodeOrchestrator="grove")
    assert [r.field_path for r in results if r.severity == "error"] == \
        ["spec.services.w.topologyConstraint.packDomain"]
    _, results = _results({"topologyProfile": "t"}, services)  # LeaderWorkerSet path: nothing rendered
    assert not [r for r in results if r.severity == "error"]


@pytest.mark.parametrize(("release", "wins"), [("1.0", False), ("1.1", True)])
def test_hash_label_against_extra_pod_metadata(release, wins):
    """1.0 copies ``extraPodMetadata.labels`` last; 1.1 sets the worker hash again after them."""
    services = {"w": {"componentType": "worker", "extraPodMetadata": {"labels": {HASH_LABEL: "user"}}}}
    deployment = next(o for o in _expand(services, release) if o["kind"] == "Deployment")
    template = deployment["spec"]["template"]
    env = {e["name"]: e.get("value") for e in template["spec"]["containers"][0]["env"]}
    want = workerhash.workers_spec_hash(services, defaults.for_release(release))
    assert env[SUFFIX] == want
    assert template["metadata"]["labels"][HASH_LABEL] == (want if wins else "user")


def test_a_spec_the_operator_could_not_read_gets_errors_not_a_crash():
    services = {"w": {"componentType": "worker", "sharedMemory": {"size": "abc"}}}
    cfg = {"apiVersion": "fn.krm-dynamo.dev/v1alpha1", "kind": "KrmDynamoConfig", "metadata": {"name": "c"},
           "defaultImage": "img:1", "operatorVersion": "1.0"}
    _, results = expand([_dgd(services)], cfg)
    assert [r.field_path for r in results if r.severity == "error"] == ["spec.services.w.sharedMemory.size"]


# Generated worker services with the hashes the operator's own function gives at the v1.0.0 and
# v1.1.0 cuts (how they were made: the header of the file): every 1.x service field, quantities
# in odd forms, env valueFrom, every probe and lifecycle handler, nulls, spec-level fields.
HASH_CASES = Path(__file__).with_name("worker_hash_cases.yaml")


@pytest.fixture(scope="module")
def hash_cases() -> list[dict]:
    return yaml.load(HASH_CASES.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@pytest.mark.parametrize("release", ["1.0", "1.1"])
def test_hash_matches_the_operator_on_generated_services(hash_cases, release):
    table = defaults.for_release(release)
    wrong = [c["name"] for c in hash_cases if workerhash.workers_spec_hash(c["services"], table) != c["hash"][release]]
    assert len(hash_cases) > 400 and wrong == []


def test_releases_differ_only_by_the_fields_of_the_later_release(hash_cases):
    """1.0 and 1.1 hash with the same function; the 1.0 API server prunes the four 1.1 fields (profile data)."""
    later = set(defaults.for_release("1.0").worker_hash.later_fields)
    assert later == {"frontendSidecar", "topologyConstraint", "gpuMemoryService", "failover"}
    single = [c for c in hash_cases if len(c["services"]) == 1 and "[" in c["name"]]
    differ = {c["name"].split("[")[0] for c in single if c["hash"]["1.0"] != c["hash"]["1.1"]}
    assert differ == later


# Go's resource.Quantity (apimachinery 0.34.3): read from the stored value, written back. The
# text is kept when ParseQuantity finds it canonical by its digit test, else it is canonicalised.
@pytest.mark.parametrize(("raw", "want"), [
    ("1E3", "1E3"), ("+2", "+2"), ("01", "01"), ("1e0", "1e0"), ("1Ki", "1Ki"), ("09Mi", "09Mi"),
    ("1000m", "1"), ("0.5Gi", "512Mi"), ("1024Mi", "1Gi"), ("100Mi", "100Mi"), (1000, "1k"), (0.5, "500m"),
    (10**30, "1e+30"), ("1.5", "1500m"), ("-1", "-1"), ("0", "0"), ("0.0", "0"), ("1e3", "1e3"),
    ("1.5e3", "1500"), ("12e6", "12e6"), ("2e-3", "2e-3"), ("1e-10", "1e-9"), ("1.", "1."), ("3Pi", "3Pi"),
])
def test_quantity_as_go_writes_it_back(raw, want):
    assert quantity.stored_string(raw) == want


def test_a_number_where_go_reads_a_string_hashes_as_its_text():
    """D73: the API server refuses ``gpu: 1``; the rules read it as ``"1"``, and so does the hash."""
    table = defaults.for_release("1.1")
    as_number = {"w": {"componentType": "worker", "resources": {"limits": {"gpu": 1, "cpu": 1.5}}}}
    as_text = {"w": {"componentType": "worker", "resources": {"limits": {"gpu": "1", "cpu": "1.5"}}}}
    assert workerhash.workers_spec_hash(as_number, table) == workerhash.workers_spec_hash(as_text, table)


@pytest.mark.parametrize("release", ["1.0", "1.1"])
@pytest.mark.parametrize("change", [
    {"sharedMemory": {"size": "1Qi"}}, {"sharedMemory": {"size": 10**40}}, {"envs": "x"}, {"envs": [1]},
    {"extraPodSpec": []}, {"extraPodSpec": {"volumes": [{"name": "d", "emptyDir": {"sizeLimit": True}}]}},
    {"livenessProbe": {"httpGet": {"port": [1]}}}, {"eppConfig": "abc"}, {"modelRef": 3},
    {"checkpoint": {"enabled": True, "identity": {"model": True, "backendFramework": "v"}}},
    {"failover": "yes"}, {"gpuMemoryService": {"enabled": "yes"}}, {"frontendSidecar": {"image": 1}},
    {"topologyConstraint": []}, {"resources": {"claims": {"name": "c"}}}, {"multinode": {"nodeCount": "2"}},
])
def test_a_spec_go_cannot_read_is_reported_or_hashed(change, release):
    """Never a crash: the rules report the value, or the workers carry a hash."""
    services = {"w": {"componentType": "worker", **change}}
    cfg = {"apiVersion": "fn.krm-dynamo.dev/v1alpha1", "kind": "KrmDynamoConfig", "metadata": {"name": "c"},
           "defaultImage": "img:1", "operatorVersion": release}
    out, results = expand([_dgd(services)], cfg)
    if not [r for r in results if r.severity == "error"]:
        workloads = [o for o in out if o["kind"] in ("Deployment", "LeaderWorkerSet")]
        assert workloads and all(HASH_LABEL in o["metadata"]["labels"] for o in workloads)


@pytest.mark.parametrize("release", ["1.0", "1.1"])
def test_rendered_workers_carry_the_operator_hash(hash_cases, release):
    """The whole pipeline: every generated graph the rules accept labels its workers with the operator's hash."""
    cfg = {"apiVersion": "fn.krm-dynamo.dev/v1alpha1", "kind": "KrmDynamoConfig", "metadata": {"name": "c"},
           "defaultImage": "img:1", "operatorVersion": release}
    checked, wrong = 0, []
    for case in hash_cases:
        dgd = _dgd(case["services"])
        dgd["spec"].update(copy.deepcopy(case.get("specExtra", {})))
        out, results = expand([dgd], cfg)
        if [r for r in results if r.severity == "error"]:
            continue  # the operator's webhook or the API server would refuse it
        workers = {k for k, v in case["services"].items() if isinstance(v, dict)
                   and v.get("componentType") in ("worker", "prefill", "decode")}
        labels = [o["metadata"]["labels"].get(HASH_LABEL) for o in out if o["kind"] in ("Deployment", "LeaderWorkerSet")
                  and o["metadata"]["labels"].get("nvidia.com/dynamo-component") in workers]
        checked += bool(labels)
        if len(labels) < len(workers) or set(labels) != ({case["hash"][release]} if workers else set()):
            wrong.append(case["name"])
    assert checked > 400 and wrong == []
