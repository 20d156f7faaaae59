# SPDX-License-Identifier: Apache-2.0
"""``krm-dynamo explain``: the operator's defaults with their sources, from the tables rendering uses.

``tests/explain/worker.yaml`` was reviewed line by line against the seed ("Health Probes
by Component Type", "Environment Variables", "Port Configurations", "Pod Specification
Defaults", "Shared Memory Configuration") and the operator's component defaults. The
value checks below compare what ``explain`` prints with what :func:`krm_dynamo.core.expand`
renders, never with the tables themselves.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from multinode_util import IMAGE, VLLM_ARGS, kinds, ok
from multinode_util import dgd as multinode_dgd
from multinode_util import worker as multinode_worker
from procs import REPO, run_krm

from krm_dynamo import defaults, explain
from krm_dynamo.core import expand
from krm_dynamo.kio import yamlio

EXPECTED = Path(__file__).resolve().parent / "explain"
PROBE_KINDS = ("livenessProbe", "readinessProbe", "startupProbe")


def printed(*args: str) -> dict:
    """What `krm-dynamo explain ARGS` prints, read back as YAML."""
    proc = run_krm("explain", *args)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stderr == b""
    return yamlio.load_documents(proc.stdout.decode(), "explain")[0]


# --- the exact output ---------------------------------------------------------------------------


def test_explain_worker_exact_output():
    proc = run_krm("explain", "worker")
    assert (proc.returncode, proc.stderr) == (0, b"")
    assert proc.stdout.decode() == (EXPECTED / "worker.yaml").read_text(encoding="utf-8")


def test_no_argument_lists_every_component_type():
    doc = printed()
    assert list(doc) == ["operatorRelease", "operatorCommit", "componentTypes", "objects", "multinodeLaunch"]
    assert (doc["operatorRelease"], doc["operatorCommit"]) == ("0.6", "60975b518")
    assert list(doc["componentTypes"]) == ["frontend", "worker", "planner", "other"]
    for ctype, body in doc["componentTypes"].items():
        one = printed(ctype)
        assert one.pop("componentType") == ctype
        assert one == {"operatorRelease": doc["operatorRelease"], "operatorCommit": doc["operatorCommit"], **body}


@pytest.mark.parametrize("backend", ["vllm", "sglang", "trtllm"])
def test_backend_section(backend):
    doc = printed("worker", "--backend", backend)
    assert doc["backend"]["name"] == backend
    assert set(doc["backend"]) >= {"name", "compilationCache", "multinode"}
    without = printed("worker")
    assert {k: v for k, v in doc.items() if k != "backend"} == without


def test_every_entry_is_value_and_source():
    def walk(node, path):
        if isinstance(node, dict) and "source" in node:
            assert set(node) == {"value", "source"}, path
            assert isinstance(node["source"], str) and node["source"].strip(), path
            return 1
        assert isinstance(node, dict), path
        return sum(walk(v, f"{path}.{k}") for k, v in node.items())

    for ctype in explain.COMPONENT_TYPES:
        doc = printed(ctype, *(("--backend", "trtllm") if ctype == "worker" else ()))
        doc.pop("envPlaceholders", None)
        doc.get("backend", {}).pop("name", None)
        body = {k: v for k, v in doc.items() if k not in ("operatorRelease", "operatorCommit", "componentType")}
        assert walk(body, ctype) >= 8
    assert walk(printed()["objects"], "objects") >= 40


# --- every value of every table has a source -------------------------------------------------------


def _tables():
    for release, table in defaults.RELEASES.items():
        yield f"{release}/base", table.base
        for ctype, component in table.by_component_type.items():
            yield f"{release}/{ctype}", component
        for name, backend in table.backends.items():
            yield f"{release}/backend {name}", backend
        yield f"{release}/shared memory", table.shared_memory
        for kind, kind_table in table.object_tables().items():
            yield f"{release}/{kind}", kind_table
        for name in ("platform_env", "naming", "labels", "annotations", "launch"):
            yield f"{release}/{name}", getattr(table, name)


@pytest.mark.parametrize(("name", "table"), list(_tables()), ids=[n for n, _ in _tables()])
def test_every_item_has_a_source(name, table):
    items = table.items()
    assert items, name
    assert [item for item, _ in items] == list(table.sources), name  # one source per item, no stray ones
    for item, _value in items:
        source = table.source(item)
        assert isinstance(source, str) and source.strip(), f"{name}: {item}"
        # 0.6 rows cite the operator at 60975b518 or the seed; a later release's rows may cite a catalogued
        # change and the operator file at its cut (the operator moved to deploy/operator/ in 0.9).
        later = not name.startswith(f"{defaults.DEFAULT_RELEASE}/") and "deploy/operator/" in source
        assert "deploy/cloud/operator/" in source or "seed " in source or later, f"{name}: {item}: {source}"
        assert "\u00a7" not in source and ".md" not in source, f"{name}: {item}: {source}"  # nothing outside the repo


def test_component_items_cover_every_field():
    """name, command, args, each port, env var, probe and pod default is an item of its own."""
    table = defaults.for_release()
    assert [item for item, _ in table.for_component("frontend").items()] == [
        "name", "command", "args", "ports.http",
        "env.DYN_NAMESPACE", "env.DYN_PARENT_DGD_K8S_NAME", "env.DYN_PARENT_DGD_K8S_NAMESPACE",
        "env.DYNAMO_PORT", "env.DYN_HTTP_PORT",
        "probes.livenessProbe", "probes.readinessProbe",
        "pod.terminationGracePeriodSeconds", "pod.restartPolicy",
    ]
    assert [item for item, _ in table.for_component("planner").items()][-1] == "pod.serviceAccountName"


def test_a_table_without_a_source_is_refused():
    with pytest.raises(ValueError, match="items without a source"):
        defaults.ComponentDefaults(command=("sh",), env=(("A", "1"),), sources={"command": "x"})
    with pytest.raises(ValueError, match="sources without an item"):
        defaults.ComponentDefaults(command=("sh",), sources={"command": "x", "env.B": "y"})
    with pytest.raises(ValueError, match="items without a source"):
        defaults.BackendDefaults(multinode_env=(("A", "1"),), sources={
            "compilationCache.mountPath": "x", "compilationCache.env": "x"})
    with pytest.raises(ValueError, match="items without a source"):
        defaults.Entries(values={"a": 1, "b": 2}, sources={"a": "x"})
    from krm_dynamo.defaults.multinode import PodGroupDefaults
    with pytest.raises(ValueError, match="items without a source"):
        PodGroupDefaults(api_version="v1", sources={})


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["bogus"], "unknown component type 'bogus'"),
        (["Worker"], "unknown component type 'Worker'"),
        (["worker", "--backend", "noop"], "unknown backend 'noop'"),
        (["worker", "--backend", "tensorrt"], "unknown backend 'tensorrt'"),
        (["worker", "--backend"], "--backend needs a value"),
        (["frontend", "--backend", "vllm"], "--backend applies to worker only"),
        (["--backend", "vllm"], "--backend applies to worker only"),
        (["worker", "planner"], "takes one component type"),
        (["worker", "--verbose"], "unknown option '--verbose'"),
        (["worker", "--backend", "vllm", "--backend", "sglang"], "--backend given twice"),
    ],
)
def test_errors_are_one_line_and_exit_1(args, message):
    proc = run_krm("explain", *args)
    assert proc.returncode == 1
    assert proc.stdout == b""
    err = proc.stderr.decode()
    assert err.count("\n") == 1 and err.startswith("krm-dynamo: explain: "), err
    assert message in err


@pytest.mark.parametrize(("args", "line"), [
    (["epp"], "'epp' is a component type from operator 1.0: add --operator-version 1.0"),
    (["prefill"], "'prefill' is a component type from operator 1.0: add --operator-version 1.0"),
    (["decode", "--backend", "vllm"], "'decode' is a component type from operator 1.0: add --operator-version 1.0"),
    (["bogus"], "unknown component type 'bogus' (expected one of frontend, worker, planner, other)"),
    (["bogus", "--operator-version", "1.1"],
     "unknown component type 'bogus' (expected one of frontend, worker, planner, other, epp, prefill, decode)"),
])
def test_a_component_type_of_a_later_release_names_that_release(args, line):
    proc = run_krm("explain", *args)
    assert (proc.returncode, proc.stdout, proc.stderr.decode()) == (1, b"", f"krm-dynamo: explain: {line}\n")


@pytest.mark.parametrize("worker_type", ["prefill", "decode"])
def test_a_1x_worker_type_has_the_worker_defaults(worker_type):
    table = defaults.for_release("1.0")
    document = explain.explain(worker_type, "vllm", table)
    assert document["componentType"] == worker_type
    assert {k: v for k, v in document.items() if k != "componentType"} == {
        k: v for k, v in explain.explain("worker", "vllm", table).items() if k != "componentType"}


def test_help_mentions_explain():
    proc = run_krm("--help")
    assert b"krm-dynamo explain [frontend|worker|planner|other|epp] [--backend vllm|sglang|trtllm]" in proc.stdout


def test_explain_imports_neither_pydantic_nor_jsonschema():
    probe = (
        "import io, sys\n"
        "from krm_dynamo import cli\n"
        "out, err = io.StringIO(), io.StringIO()\n"
        "rc = cli.run_explain(['worker', '--backend', 'trtllm'], out, err)\n"
        "print(rc, ','.join(sorted(m for m in ('pydantic', 'jsonschema') if m in sys.modules)) or '-')\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, cwd=REPO, timeout=60, check=True)
    assert proc.stdout.decode().strip() == "0 -"


# --- what explain prints is what rendering uses ------------------------------------------------------


def _values(section: dict) -> dict:
    return {name: entry["value"] for name, entry in section.items()}


def _render_single(component_type: str | None, **svc_extra) -> tuple[dict, dict]:
    svc: dict = {"extraPodSpec": {"mainContainer": {"image": IMAGE}}, **svc_extra}
    if component_type is not None:
        svc["componentType"] = component_type
    dgd = {"apiVersion": "nvidia.com/v1alpha1", "kind": "DynamoGraphDeployment",
           "metadata": {"name": "g", "namespace": "ns"}, "spec": {"services": {"S": svc}}}
    out, results = expand([dgd], None)
    assert not [r for r in results if r.severity == "error"], results
    pod = next(o for o in out if o["kind"] == "Deployment")["spec"]["template"]["spec"]
    main = next(c for c in pod["containers"] if c["name"] == defaults.MAIN_CONTAINER)
    return pod, main


@pytest.mark.parametrize(("ctype", "rendered_type"),
                         [("frontend", "frontend"), ("worker", "worker"), ("planner", "planner"),
                          ("other", None), ("other", "prefill")])
def test_printed_values_are_the_rendered_ones(ctype, rendered_type):
    doc = printed(ctype)
    pod, main = _render_single(rendered_type)
    container = doc["container"]

    assert main["command"] == container["command"]["value"]
    assert main.get("args") == (container["args"]["value"] if "args" in container else None)
    assert main.get("ports", []) == list(_values(container.get("ports", {})).values())
    for kind in PROBE_KINDS:  # the probes, whole; a kind explain does not list is not rendered
        assert main.get(kind) == _values(container.get("probes", {})).get(kind), kind

    filled = {"{dynamo_namespace}": "dynamo-g", "{dgd_name}": "g", "{dgd_namespace}": "ns"}
    rendered_env = {e["name"]: e["value"] for e in main["env"]}
    assert rendered_env == {name: filled.get(value, value) for name, value in _values(container["env"]).items()}
    assert set(doc["envPlaceholders"]) == {v for v in _values(container["env"]).values() if v in filled}

    for field, value in _values(doc["pod"]).items():
        assert pod[field] == value, field
    assert not {"serviceAccountName"} & pod.keys() - doc["pod"].keys()

    shm = _values(doc["sharedMemory"])
    assert {"name": shm["volumeName"], "emptyDir": {"medium": shm["medium"], "sizeLimit": shm["sizeLimit"]}} \
        in pod["volumes"]
    assert {"name": shm["volumeName"], "mountPath": shm["mountPath"]} in main["volumeMounts"]


def test_rendered_worker_probes_equal_explained_probes():
    """The brief's own example: a worker DGD's probes are what `explain worker` reports."""
    _, main = _render_single("worker")
    explained = printed("worker")["container"]["probes"]
    assert {kind: main[kind] for kind in PROBE_KINDS if kind in main} == _values(explained)


def test_vllm_compilation_cache_is_the_rendered_one():
    backend = printed("worker", "--backend", "vllm")["backend"]
    mount, env = backend["compilationCache"]["mountPath"]["value"], backend["compilationCache"]["env"]["value"]
    pvc = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "cache", "namespace": "llm"}}
    svc = multinode_worker(volumeMounts=[{"name": "cache", "useAsCompilationCache": True}])
    del svc["multinode"]  # single node
    out, _ = ok(multinode_dgd({"W": svc}, "vllm"), items=(pvc,))
    main = next(c for c in kinds(out, "Deployment")[0]["spec"]["template"]["spec"]["containers"] if c["name"] == "main")
    assert {"name": "cache", "mountPath": mount} in main["volumeMounts"]
    assert {"name": env, "value": mount} in main["env"]


@pytest.mark.parametrize("backend", ["sglang", "trtllm"])
def test_no_default_cache_mount_is_the_rendered_error(backend):
    assert printed("worker", "--backend", backend)["backend"]["compilationCache"]["mountPath"]["value"] is None
    svc = multinode_worker(args=[f"python3 -m dynamo.{backend}"],
                           volumeMounts=[{"name": "cache", "useAsCompilationCache": True}])
    del svc["multinode"]  # single node
    _, results = expand([multinode_dgd({"W": svc}, backend)], None)
    assert any("requires an explicit mountPoint" in r.message for r in results if r.severity == "error")


def _lws_mains(out: list) -> tuple[dict, dict]:
    template = kinds(out, "LeaderWorkerSet")[0]["spec"]["leaderWorkerTemplate"]
    return tuple(next(c for c in template[t]["spec"]["containers"] if c["name"] == "main")
                 for t in ("leaderTemplate", "workerTemplate"))


@pytest.mark.parametrize(("backend", "args"), [
    ("vllm", VLLM_ARGS),
    ("sglang", ["python3 -m dynamo.sglang --model-path m"]),
    ("trtllm", ["python3 -m dynamo.trtllm --model-path m"]),
])
def test_multinode_values_are_the_rendered_ones(backend, args):
    multinode = printed("worker", "--backend", backend)["backend"]["multinode"]
    out, _ = ok(multinode_dgd({"W": multinode_worker(args=args)}, backend))
    leader, worker = _lws_mains(out)

    probes = _values(multinode["workerProbes"])
    worker_defaults = _values(printed("worker")["container"]["probes"])
    for kind in PROBE_KINDS:
        assert worker.get(kind) == probes.get(kind, worker_defaults.get(kind)), kind
        assert leader.get(kind) == worker_defaults.get(kind), kind  # leaders keep the defaults

    for name, value in _values(multinode.get("env", {})).items():
        for main in (leader, worker):
            assert {"name": name, "value": value} in main["env"]

    (port,) = _values(multinode["ports"]).values()
    launch = " ".join(leader["args"] + worker["args"])
    if backend == "trtllm":
        assert f"-p {port} " in launch and f"Port {port}" in launch
    else:
        assert f":{port}" in launch


# --- object-level defaults: what explain prints is what rendering puts into the objects ---------------


def _objects() -> dict:
    return printed()["objects"]


def _frontend(**svc_extra) -> dict:
    svc = {"componentType": "frontend", "extraPodSpec": {"mainContainer": {"image": IMAGE}}, **svc_extra}
    return {"F": svc}


def test_explained_service_port_is_the_rendered_one():
    port = _objects()["Service"]["port"]["value"]
    assert port == {"name": "http", "protocol": "TCP", "port": 8000, "targetPort": "http"}
    out, _ = ok(multinode_dgd(_frontend()))
    (service,) = kinds(out, "Service")
    assert service["apiVersion"] == _objects()["Service"]["apiVersion"]["value"] == "v1"
    assert service["spec"]["ports"] == [port]


def test_explained_hpa_default_metric_is_the_rendered_one():
    hpa_defaults = _values(_objects()["HorizontalPodAutoscaler"])
    assert hpa_defaults["metrics"] == [
        {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}
    ]
    autoscaling = {"enabled": True, "minReplicas": 1, "maxReplicas": 3}
    out, _ = ok(multinode_dgd(_frontend(autoscaling=autoscaling, resources={"requests": {"cpu": "1"}})))
    (hpa,) = kinds(out, "HorizontalPodAutoscaler")
    assert hpa["apiVersion"] == hpa_defaults["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["metrics"] == hpa_defaults["metrics"]
    assert hpa["spec"]["scaleTargetRef"] == {**hpa_defaults["scaleTargetRef"], "name": "g-f"}


def test_explained_ingress_defaults_are_the_rendered_ones():
    ingress_defaults = _values(_objects()["Ingress"])
    assert (ingress_defaults["path"], ingress_defaults["pathType"], ingress_defaults["hostSuffix"],
            ingress_defaults["backendPort"]) == ("/", "Prefix", "local", 8000)
    ingress = {"enabled": True, "host": "chat", "ingressControllerClassName": "nginx"}
    out, _ = ok(multinode_dgd(_frontend(ingress=ingress)))
    (rendered,) = kinds(out, "Ingress")
    assert rendered["apiVersion"] == ingress_defaults["apiVersion"] == "networking.k8s.io/v1"
    (rule,) = rendered["spec"]["rules"]
    assert rule["host"] == f"chat.{ingress_defaults['hostSuffix']}"
    (path,) = rule["http"]["paths"]
    assert (path["path"], path["pathType"]) == (ingress_defaults["path"], ingress_defaults["pathType"])
    assert path["backend"]["service"]["port"] == {"number": ingress_defaults["backendPort"]}


def test_explained_deployment_strategies_are_the_rendered_ones():
    deployment_defaults = _objects()["Deployment"]
    strategies = _values(deployment_defaults["strategies"])
    assert deployment_defaults["defaultStrategy"]["value"] == "RollingUpdate"
    for annotation in (None, "Recreate", "RampedSlowRollout"):
        extra = {"annotations": {"nvidia.com/deployment-strategy": annotation}} if annotation else {}
        out, _ = ok(multinode_dgd(_frontend(**extra)))
        (deployment,) = kinds(out, "Deployment")
        assert deployment["spec"]["strategy"] == strategies[annotation or "RollingUpdate"], annotation
    assert strategies["RampedSlowRollout"] == {"type": "RollingUpdate",
                                               "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}


def test_explained_lws_and_pod_group_defaults_are_the_rendered_ones():
    lws_defaults = _values(_objects()["LeaderWorkerSet"])
    assert (lws_defaults["replicas"], lws_defaults["startupPolicy"], lws_defaults["schedulerName"]) == (
        1, "LeaderCreated", "volcano")
    out, _ = ok(multinode_dgd({"W": multinode_worker()}, "vllm"))
    (lws,) = kinds(out, "LeaderWorkerSet")
    assert lws["apiVersion"] == lws_defaults["apiVersion"]
    assert (lws["spec"]["replicas"], lws["spec"]["startupPolicy"]) == (1, "LeaderCreated")
    for template in ("leaderTemplate", "workerTemplate"):
        assert lws["spec"]["leaderWorkerTemplate"][template]["spec"]["schedulerName"] == "volcano"
    (pod_group,) = kinds(out, "PodGroup")
    assert pod_group["apiVersion"] == _objects()["PodGroup"]["apiVersion"]["value"] == "scheduling.volcano.sh/v1beta1"


def test_explained_grove_defaults_are_the_rendered_ones():
    grove_defaults = _values(_objects()["PodCliqueSet"])
    assert (grove_defaults["publishNotReadyAddresses"], grove_defaults["minAvailable"],
            grove_defaults["replicas"]) == (True, 1, 1)
    out, _ = ok(multinode_dgd({"W": multinode_worker()}, "vllm"), config={"multinodeOrchestrator": "grove"})
    (pcs,) = kinds(out, "PodCliqueSet")
    assert pcs["apiVersion"] == grove_defaults["apiVersion"] == "grove.io/v1alpha1"
    assert pcs["spec"]["replicas"] == grove_defaults["replicas"]
    template = pcs["spec"]["template"]
    assert template["headlessServiceConfig"] == {"publishNotReadyAddresses": True}
    assert template["cliqueStartupType"] == grove_defaults["startupAnyOrder"] == "CliqueStartupTypeAnyOrder"
    assert {c["spec"]["minAvailable"] for c in template["cliques"]} == {grove_defaults["minAvailable"]}
    assert {c["name"] for c in template["cliques"]} == {
        f"w-{grove_defaults['leaderSuffix']}", f"w-{grove_defaults['workerSuffix']}"}


def test_explained_label_keys_are_the_rendered_ones():
    labels = _values(_objects()["labels"])
    out, _ = ok(multinode_dgd(_frontend()))
    (deployment,) = kinds(out, "Deployment")
    rendered = deployment["spec"]["template"]["metadata"]["labels"]
    assert rendered == {
        labels["component"]: "F",
        labels["dynamoNamespace"]: "dynamo-g",
        labels["graphDeploymentName"]: "g",
        labels["metricsEnabled"]: "true",
        labels["componentType"]: "frontend",
        labels["selector"]: "g-f",
    }
    assert deployment["spec"]["selector"] == {"matchLabels": {labels["selector"]: "g-f"}}


def test_explained_debugger_is_the_rendered_one():
    debugger = _values(_objects()["debugger"])
    out, _ = ok(multinode_dgd(_frontend(annotations={"nvidia.com/enable-debug-mode": "true"})))
    pod = kinds(out, "Deployment")[0]["spec"]["template"]["spec"]
    sidecar = next(c for c in pod["containers"] if c["name"] == debugger["container"]["name"])
    expected = {**debugger["container"], "image": sidecar["image"]}
    expected["resources"] = {"limits": {"cpu": "1", "memory": "1000Mi"}, "requests": {"cpu": "100m", "memory": "100Mi"}}
    assert sidecar == expected  # quantities canonical: the table's 1000m is written 1
    assert pod["shareProcessNamespace"] is debugger["shareProcessNamespace"] is True


def test_explained_shared_memory_size_is_the_rendered_one():
    shm = _values(printed("frontend")["sharedMemory"])
    assert (shm["volumeName"], shm["sizeLimit"], shm["mountPath"]) == ("shared-memory", "8Gi", "/dev/shm")


def test_explained_trtllm_launch_is_the_rendered_one():
    launch = _values(printed()["multinodeLaunch"]["trtllm"])
    out, _ = ok(multinode_dgd({"W": multinode_worker(args=["python3 -m dynamo.trtllm --model-path m"])}, "trtllm"))
    leader, worker = _lws_mains(out)
    for main in (leader, worker):
        assert main["command"] == launch["shellCommand"] == ["/bin/sh", "-c"]
        assert {"name": "mpi-run-ssh-secret", "mountPath": launch["sshKeyMountPath"], "readOnly": True} \
            in main["volumeMounts"]
    assert worker["args"] == [" && ".join(launch["workerScript"])]
    assert leader["args"][0].startswith(" && ".join(launch["leaderSetup"]) + " && mpirun ")
    pod = kinds(out, "LeaderWorkerSet")[0]["spec"]["leaderWorkerTemplate"]["leaderTemplate"]["spec"]
    secret = next(v for v in pod["volumes"] if v["name"] == "mpi-run-ssh-secret")["secret"]
    assert secret["defaultMode"] == launch["sshSecretDefaultMode"] == 420


def test_explained_namespace_field_is_the_rendered_one():
    """D17: a DGD without namespace reads its namespace from the downward API."""
    field_path = printed()["objects"]["naming"]["namespaceFieldPath"]["value"]
    dgd = multinode_dgd(_frontend())
    del dgd["metadata"]["namespace"]
    out, _ = ok(dgd)
    main = next(c for c in kinds(out, "Deployment")[0]["spec"]["template"]["spec"]["containers"] if c["name"] == "main")
    env = next(e for e in main["env"] if e["name"] == "DYN_PARENT_DGD_K8S_NAMESPACE")
    assert env == {"name": "DYN_PARENT_DGD_K8S_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": field_path}}}
    assert field_path == "metadata.namespace"


@pytest.mark.parametrize(("release", "form"), [
    ("0.6", 'the Dynamo namespace: the dynamoNamespace of the services, else "dynamo-<DGD name>" '),
    ("1.0", 'the Dynamo namespace: "<DGD namespace>-<DGD name>"; "dynamo" for a service with '
            "globalDynamoNamespace: true (N_E02; "),
    ("1.1", 'the Dynamo namespace: "<DGD namespace>-<DGD name>" (dots in the name replaced by "-"); "dynamo" '
            "for a service with globalDynamoNamespace: true (N_E02; "),
])
def test_the_dynamo_namespace_placeholder_is_worded_by_the_release(release, form):
    """explain words {dynamo_namespace} by the rule the release renders (N_E02 and S03 from 1.0)."""
    document = explain.explain("worker", None, defaults.for_release(release))
    assert document["envPlaceholders"]["{dynamo_namespace}"].startswith(form)
    # ... and it is the value rendering gives: a 1.x DGD "g" in namespace "ns" is "ns-g".
    if release != "0.6":
        config = {"apiVersion": "fn.krm-dynamo.dev/v1alpha1", "kind": "KrmDynamoConfig",
                  "metadata": {"name": "c"}, "operatorVersion": release}
        dgd = {"apiVersion": "nvidia.com/v1alpha1", "kind": "DynamoGraphDeployment",
               "metadata": {"name": "g", "namespace": "ns"},
               "spec": {"services": {"W": {"componentType": "worker",
                                           "extraPodSpec": {"mainContainer": {"image": IMAGE}}}}}}
        items, _ = expand([dgd], config)
        pod = next(o for o in items if o["kind"] == "Deployment")["spec"]["template"]["spec"]
        env = {e["name"]: e.get("value") for e in pod["containers"][0]["env"]}
        assert env["DYN_NAMESPACE"] == "ns-g"
