# SPDX-License-Identifier: Apache-2.0
"""Conformance-v1 runners for multinode and Grove (M01, M03, N_E07, S17), through ``core.expand``."""

from __future__ import annotations

import copy

from krm_dynamo.core import expand

IMAGE = "registry.example/dynamo:1"
SUFFIX = "DYN_NAMESPACE_WORKER_SUFFIX"
HASH_LABEL = "nvidia.com/dynamo-worker-hash"


def _render(dgd: dict, release: str, *, grove: bool) -> list[dict]:
    config = {"apiVersion": "fn.krm-dynamo.dev/v1alpha1", "kind": "KrmDynamoConfig", "metadata": {"name": "c"},
              "defaultImage": IMAGE, "operatorVersion": release}
    if grove:
        config["multinodeOrchestrator"] = "grove"
    out, results = expand([dgd], config)
    errors = [r.message for r in results if r.severity == "error"]
    assert not errors, errors
    return out


def _dgd(metadata: dict, spec: dict) -> dict:
    return {"apiVersion": "nvidia.com/v1alpha1", "kind": "DynamoGraphDeployment",
            "metadata": copy.deepcopy(metadata), "spec": copy.deepcopy(spec)}


def _env(container: dict) -> dict:
    return {e["name"]: e.get("value") for e in container.get("env") or []}


def run_worker_hash_suffix(case: dict, release: str) -> None:
    """``TestGenerateComponentContext_WorkerHashSuffix``: a worker's suffix is its worker-hash label.

    On the Grove path the operator computes no hash, so the service's own label is what the
    suffix carries: each row is one service with the row's labels. On the Deployment path the
    operator sets the label to its hash first (M01); there the suffix must equal the pod's label
    for a worker and be absent for a frontend.
    """
    metadata = case["input"]["dgd"]["metadata"]
    for row in case["expected"]["cases"]:
        component = row["component"]
        spec = {"services": {"svc": dict(component)}}
        out = _render(_dgd(metadata, spec), release, grove=True)
        pcs = next(o for o in out if o["kind"] == "PodCliqueSet")
        (clique,) = pcs["spec"]["template"]["cliques"]
        main = next(c for c in clique["spec"]["podSpec"]["containers"] if c["name"] == "main")
        assert _env(main).get(SUFFIX, "") == row["workerHashSuffix"], (row, _env(main).get(SUFFIX))
        deployment = next(o for o in _render(_dgd(metadata, spec), release, grove=False) if o["kind"] == "Deployment")
        template = deployment["spec"]["template"]
        main = next(c for c in template["spec"]["containers"] if c["name"] == "main")
        label = template["metadata"]["labels"].get(HASH_LABEL)
        if component["componentType"] == "worker":
            assert label and len(label) == 8 and _env(main)[SUFFIX] == label
        else:
            assert SUFFIX not in _env(main) and label == component.get("labels", {}).get(HASH_LABEL)


def _pack(value: dict | None) -> dict | None:
    return None if value is None else {"packDomain": value["packDomain"]}


def run_grove_topology(case: dict, release: str) -> None:
    """``TestGenerateGrovePodCliqueSet_TopologyConstraints``: where Grove's ``topologyConstraint`` goes (S17).

    The upstream test runs without Kubernetes discovery and asserts only the constraints; the
    clique and scaling-group sets are compared exhaustively, as there.
    """
    dgd = case["input"]["dgd"]
    out = _render(_dgd(dgd["metadata"], dgd["spec"]), release, grove=True)
    template = next(o for o in out if o["kind"] == "PodCliqueSet")["spec"]["template"]
    expected = case["expected"]
    assert template.get("topologyConstraint") == _pack(expected["templateTopologyConstraint"])
    cliques = {c["name"]: c.get("topologyConstraint") for c in template["cliques"]}
    assert cliques == {k: _pack(v) for k, v in expected["cliqueTopologyConstraints"].items()}
    groups = {g["name"]: g.get("topologyConstraint") for g in template.get("podCliqueScalingGroups") or []}
    assert len(groups) == expected["scalingGroupCount"]
    assert groups == {k: _pack(v) for k, v in (expected.get("scalingGroupTopologyConstraints") or {}).items()}


def run_dcd_resource_name(case: dict, release: str) -> None:
    """``GetDCDResourceName``: the name of a service's DynamoComponentDeployment, which its Deployment takes.

    The DCD itself is operator-internal (not emitted, D2); its Deployment is. D60 applied to
    ``expected``: a worker's name keeps the stable form, without ``-<workerHash>``; the hash the
    operator would append is the Deployment's ``nvidia.com/dynamo-worker-hash`` label instead.
    """
    dgd = case["input"]["dgd"]
    out = _render(_dgd(dgd["metadata"], dgd["spec"]), release, grove=False)
    deployments = {o["metadata"]["name"]: o for o in out if o["kind"] == "Deployment"}
    services = dgd["spec"]["services"]
    for row in case["expected"]["cases"]:
        worker = services[row["service"]]["componentType"] in ("worker", "prefill", "decode")
        want = row["name"]
        if worker and row["workerHash"]:
            assert want.endswith("-" + row["workerHash"]), row
            want = want[: -len(row["workerHash"]) - 1]  # D60
        assert want in deployments, (want, sorted(deployments))
        labels = deployments[want]["metadata"]["labels"]
        assert (HASH_LABEL in labels) == worker, (want, labels)
