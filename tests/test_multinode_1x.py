# SPDX-License-Identifier: Apache-2.0
"""Operator 1.x multinode and Grove: the worker hash (M01, N_E07, D60), Grove content (M03), topology (S17, D62).

The pinned hashes were produced by the operator's own ``ComputeDGDWorkersSpecHash`` (built from
the v1.1.0 cut) on the stored form of each DGD (the CRD's defaults applied).
"""

from __future__ import annotations

import copy

import pytest
import yaml
from k8s_validate import validate_all, version_of_release
from shared_files import SHARED, require

from krm_dynamo import defaults
from krm_dynamo.core import expand
from krm_dynamo.graph import workerhash

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
