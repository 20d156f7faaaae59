# SPDX-License-Identifier: Apache-2.0
"""Hypothesis strategies for DGD-level property tests (tests/test_dgd_properties.py).

* :data:`VALID_GRAPHS`: a DynamoGraphDeployment the operator accepts, with a functionConfig:
  a frontend, one to three workers (vllm, sglang or trtllm; aggregated or prefill/decode;
  multinode on LeaderWorkerSet or Grove), an optional planner, autoscaling, ingress, PVCs,
  extraPodSpec fields, envs, labels and annotations.
* :func:`mutated`: a valid graph with fields dropped, inserted, renamed or retyped (unicode,
  huge and negative numbers, nulls, lists for maps, maps for lists).
* :data:`PASS_THROUGH`: items that are not ours, with values in every YAML type.

Values are plain Python data; the tests write them with the project's YAML writer.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

IMAGE = {
    "vllm": "nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.6.0",
    "sglang": "nvcr.io/nvidia/ai-dynamo/sglang-runtime:0.6.0",
    "trtllm": "nvcr.io/nvidia/ai-dynamo/tensorrtllm-runtime:0.6.0",
}
MODULE = {"vllm": "dynamo.vllm", "sglang": "dynamo.sglang", "trtllm": "dynamo.trtllm"}

_LOWER, _ALNUM = "abcdefghijklmnopqrstuvwxyz", "abcdefghijklmnopqrstuvwxyz0123456789"
# A DNS label of up to 12 characters: [a-z][a-z0-9]{0,6}(-[a-z0-9]{1,4})? (regex strategies are slow).
DNS = st.builds(
    lambda first, rest, suffix: first + rest + (f"-{suffix}" if suffix else ""),
    st.sampled_from(_LOWER),
    st.text(_ALNUM, max_size=6),
    st.text(_ALNUM, max_size=4),
)
LABEL_KEYS = st.one_of(
    DNS, st.builds("example.com/{}".format, DNS), st.sampled_from(["team", "app.kubernetes.io/part-of"])
)
LABEL_VALUES = st.one_of(st.just(""), DNS, st.sampled_from(["true", "1", "v1.2", "A_b.c"]))
ANNOTATION_VALUES = st.one_of(LABEL_VALUES, st.text(st.characters(exclude_categories=("Cs",)), max_size=12))
LABELS = st.dictionaries(LABEL_KEYS, LABEL_VALUES, max_size=3)
ANNOTATIONS = st.dictionaries(LABEL_KEYS, ANNOTATION_VALUES, max_size=3)
ENV_NAMES = st.builds("{}{}".format, st.sampled_from(_LOWER.upper()), st.text(_ALNUM.upper() + "_", max_size=8))
ENVS = st.lists(
    st.builds(
        lambda n, v: {"name": n, "value": v}, ENV_NAMES, st.text(st.characters(exclude_categories=("Cs",)), max_size=10)
    ),
    max_size=3,
    unique_by=lambda e: e["name"],
)
QUANTITY = st.sampled_from(["1", "2", "500m", "4", "20Gi", "512Mi", "1.5"])
TOLERATIONS = st.lists(
    st.fixed_dictionaries(
        {"key": DNS, "operator": st.sampled_from(["Exists", "Equal"])},
        optional={"effect": st.sampled_from(["NoSchedule", "NoExecute", "PreferNoSchedule"])},
    ).map(lambda t: {**t, "value": "v"} if t["operator"] == "Equal" else t),
    max_size=2,
)
EXTRA_POD_SPEC = st.fixed_dictionaries(
    {},
    optional={
        "nodeSelector": st.dictionaries(LABEL_KEYS, DNS, max_size=2),
        "tolerations": TOLERATIONS,
        "priorityClassName": DNS,
        "terminationGracePeriodSeconds": st.integers(0, 3600),
        "serviceAccountName": DNS,
        "hostIPC": st.booleans(),
    },
)


@st.composite
def _main_container(draw: st.DrawFn, backend: str, role: str) -> dict[str, Any]:
    container: dict[str, Any] = {"image": IMAGE[backend]}
    if role == "worker":
        args = ["--model", "Qwen/Qwen3-0.6B"]
        if draw(st.booleans()):
            container["command"] = ["python3", "-m", MODULE[backend]]
            container["args"] = args
        else:
            container["command"] = ["/bin/sh", "-c"]
            container["args"] = [f"python3 -m {MODULE[backend]} " + " ".join(args)]
    if draw(st.booleans()):
        container["imagePullPolicy"] = draw(st.sampled_from(["Always", "IfNotPresent", "Never"]))
    if draw(st.booleans()):
        container["workingDir"] = "/workspace"
    return container


@st.composite
def _component(draw: st.DrawFn, backend: str, role: str, pvcs: list[str], grove: bool) -> dict[str, Any]:
    svc: dict[str, Any] = {"componentType": role}
    if draw(st.booleans()):
        svc["replicas"] = draw(st.integers(1 if grove else 0, 5))  # Grove's webhook rejects 0
    for field, strategy in (("labels", LABELS), ("annotations", ANNOTATIONS), ("envs", ENVS)):
        if draw(st.booleans()):
            svc[field] = draw(strategy)
    if draw(st.booleans()):
        svc["extraPodMetadata"] = {"labels": draw(LABELS), "annotations": draw(ANNOTATIONS)}
    if role == "worker":
        svc["resources"] = {"limits": {"gpu": draw(st.sampled_from(["1", "2", "8"]))}}
        if draw(st.booleans()):
            svc["resources"]["requests"] = {"cpu": draw(QUANTITY), "memory": draw(st.sampled_from(["8Gi", "64Gi"]))}
        if draw(st.booleans()):
            svc["envFromSecret"] = "hf-token-secret"
    if pvcs and draw(st.booleans()):
        names = draw(st.lists(st.sampled_from(pvcs), min_size=1, max_size=2, unique=True))
        svc["volumeMounts"] = [{"name": n, "mountPoint": f"/mnt/{n}"} for n in names]
    if draw(st.booleans()):
        minimum = draw(st.integers(1, 3))
        svc["autoscaling"] = {"enabled": True, "minReplicas": minimum, "maxReplicas": minimum + draw(st.integers(0, 5))}
        if draw(st.booleans()):
            svc["autoscaling"]["metrics"] = [
                {
                    "type": "Resource",
                    "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}},
                }
            ]
    if draw(st.booleans()):
        svc["sharedMemory"] = draw(st.sampled_from([{"disabled": True}, {"size": "8Gi"}, {"disabled": False}]))
    pod_spec = draw(EXTRA_POD_SPEC)
    pod_spec["mainContainer"] = draw(_main_container(backend, role))
    svc["extraPodSpec"] = pod_spec
    return svc


@st.composite
def _graph(draw: st.DrawFn) -> dict[str, Any]:
    """A ResourceList body: ``{"items": [...], "functionConfig": {...} | None}``."""
    backend = draw(st.sampled_from(sorted(IMAGE)))
    pvcs = draw(st.lists(DNS, max_size=2, unique=True))
    spec: dict[str, Any] = {"services": {}}
    if draw(st.booleans()):
        spec["backendFramework"] = backend
    if pvcs:
        spec["pvcs"] = [
            {"name": n, "create": True, "size": "10Gi", "storageClass": "standard", "volumeAccessMode": "ReadWriteOnce"}
            if draw(st.booleans())
            else {"name": n, "create": False}
            for n in pvcs
        ]
    if draw(st.booleans()):
        spec["envs"] = draw(ENVS)
    multinode = draw(st.sampled_from(["", "", "lws", "grove"]))
    grove = multinode == "grove"
    frontend = draw(_component(backend, "frontend", pvcs, grove))
    if draw(st.booleans()):
        frontend["ingress"] = {"enabled": True, "host": draw(DNS)}
        if draw(st.booleans()):
            frontend["ingress"]["tls"] = {"secretName": "tls"}
        if draw(st.booleans()):
            frontend["ingress"].update(hostPrefix="api-", labels=draw(LABELS), annotations=draw(ANNOTATIONS))
        if draw(st.booleans()):
            frontend["ingress"]["ingressControllerClassName"] = "traefik"
    spec["services"]["Frontend"] = frontend
    names = draw(st.sampled_from([["Worker"], ["PrefillWorker", "DecodeWorker"], ["decode", "prefill", "agg"]]))
    for name in names:
        worker = draw(_component(backend, "worker", pvcs, grove))
        if len(names) == 2:
            worker["subComponentType"] = "prefill" if name.startswith("Prefill") else "decode"
        if multinode and name == names[0]:
            worker["multinode"] = {"nodeCount": draw(st.integers(2, 4))}
            worker.pop("autoscaling", None)
        spec["services"][name] = worker
    if draw(st.booleans()):
        spec["services"]["Planner"] = draw(_component(backend, "planner", pvcs, grove))
    metadata: dict[str, Any] = {"name": draw(DNS)}
    if draw(st.booleans()):
        metadata["namespace"] = draw(DNS)
    if draw(st.booleans()):
        metadata["labels"] = draw(LABELS)
    dgd = {"apiVersion": "nvidia.com/v1alpha1", "kind": "DynamoGraphDeployment", "metadata": metadata, "spec": spec}
    config: dict[str, Any] = {}
    if multinode == "grove":
        config["multinodeOrchestrator"] = "grove"
    if draw(st.booleans()):
        config["graphDeployment"] = draw(st.sampled_from(["local", "drop", "keep"]))
    if draw(st.booleans()):
        config["ingressClassName"] = "nginx"
    if draw(st.booleans()):
        config["istioGateway"] = "istio-system/gateway"  # VirtualServices instead of Ingresses
    function_config = (
        {"apiVersion": "fn.krm-dynamo.dev/v1alpha1", "kind": "KrmDynamoConfig", "metadata": {"name": "c"}, **config}
        if config
        else None
    )
    return {"dgd": dgd, "functionConfig": function_config}


VALID_GRAPHS = _graph()

# --- mutations -------------------------------------------------------------------------------

# Integers as YAML can carry them to go-yaml v3 (int64 and uint64); larger ones are floats there.
INTS = st.integers(-(2**63), 2**64 - 1)
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    INTS,
    st.sampled_from([-1, 0, 2**31, 2**63, 2**64 - 1, -(2**63), 1e30, 1.5, -0.0, 1e300, float("inf"), float("nan")]),
    TEXT,
    st.sampled_from(["", "é", "日本", "a\nb", "\x1b[31m", "\u2028", "1e400", "0x1F", "yes", "~", "null", "10Gi", "-1"]),
    st.lists(TEXT, max_size=2),
    st.dictionaries(TEXT, TEXT, max_size=2),
)
FIELD_NAMES = st.one_of(
    st.sampled_from(["replicas", "componentType", "image", "enabled", "name", "spec", "services", "gpu", "$x", ""]),
    TEXT,
)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path inside ``value`` (mapping keys and list indexes), parents before children."""
    out: list[tuple[Any, ...]] = []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in items:
        out.append((*prefix, key))
        out.extend(paths(child, (*prefix, key)))
    return out


def _parent(root: Any, path: tuple[Any, ...]) -> Any:
    for key in path[:-1]:
        root = root[key]
    return root


def _apply(root: dict[str, Any], path: tuple[Any, ...], how: str, value: Any, name: str) -> None:
    parent, key = _parent(root, path), path[-1]
    current = parent[key]
    if how == "drop":
        del parent[key]
    elif how == "insert" and isinstance(current, dict):
        current[name] = value
    elif how == "insert" and isinstance(current, list):
        current.append(value)
    elif how == "rename" and isinstance(parent, dict) and name not in parent:
        parent[name] = parent.pop(key)
    elif how == "list-for-map" and isinstance(current, dict):
        parent[key] = [{k: v} for k, v in current.items()]
    elif how == "map-for-list" and isinstance(current, list):
        parent[key] = {str(i): v for i, v in enumerate(current)}
    else:
        parent[key] = value


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    """A valid graph with one to three mutations inside the DGD (never its apiVersion or kind)."""
    case = copy.deepcopy(draw(VALID_GRAPHS))
    dgd = case["dgd"]
    for _ in range(draw(st.integers(1, 3))):
        candidates = [p for p in paths(dgd) if p[0] not in ("apiVersion", "kind")]
        if not candidates:
            break
        path = draw(st.sampled_from(candidates))
        how = draw(st.sampled_from(["drop", "insert", "rename", "retype", "retype", "list-for-map", "map-for-list"]))
        _apply(dgd, path, how, draw(ODD_VALUES), draw(FIELD_NAMES))
    return case


# --- pass-through items ------------------------------------------------------------------------

PASS_THROUGH_PREFIX = "pt."  # no generated object has a dot in its name: tells the two apart

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    INTS,
    st.floats(allow_nan=False),
    TEXT,
    st.sampled_from(["y", "n", "on", "1e400", "0x1F", "2001-12-14", "1:20", ".inf", "~", "<<", "=", "0644"]),
)
DATA = st.recursive(
    SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(TEXT, children, max_size=3)),
    max_leaves=8,
)


@st.composite
def _pass_through(draw: st.DrawFn, index: int) -> dict[str, Any]:
    kind = draw(st.sampled_from([("v1", "ConfigMap"), ("example.com/v1", "Thing"), ("v1", "Service")]))
    item: dict[str, Any] = {
        "apiVersion": kind[0],
        "kind": kind[1],
        "metadata": {"name": f"{PASS_THROUGH_PREFIX}{index}"},
    }
    if draw(st.booleans()):
        item["metadata"]["annotations"] = draw(st.dictionaries(LABEL_KEYS, TEXT, max_size=2))
    item[draw(st.sampled_from(["data", "spec", "x"]))] = draw(DATA)
    return item


PASS_THROUGH = st.lists(st.integers(0, 0), max_size=2).flatmap(
    lambda marks: st.tuples(*[_pass_through(i) for i in range(len(marks))]).map(list)
)
