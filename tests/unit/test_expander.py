# SPDX-License-Identifier: Apache-2.0
"""End-to-end expansion of one DGD: a worked example and its variations."""

import copy
import json
import re

import pytest
import yaml

from krm_dynamo.config import FunctionConfig
from krm_dynamo.pipeline import expand_graph

# The worked example: a vLLM graph (frontend, decode worker with autoscaling, PVCs, a pull Secret).
INPUT = r"""
apiVersion: nvidia.com/v1alpha1
kind: DynamoGraphDeployment
metadata:
  name: vllm-agg
  namespace: llm
spec:
  backendFramework: vllm
  envs:
    - name: DYN_LOG
      value: info
  pvcs:
    - name: vllm-compile-cache
      create: true
      storageClass: standard-rwx
      size: 50Gi
      volumeAccessMode: ReadWriteMany
  services:
    Frontend:
      componentType: frontend
      replicas: 1
      labels:
        team: ml
      annotations:
        example.com/owner: ml-platform
      ingress:
        enabled: true
        host: vllm
        hostSuffix: example.com
        ingressControllerClassName: nginx
      extraPodSpec:
        mainContainer:
          image: nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.6.0
    VllmDecodeWorker:
      componentType: worker
      subComponentType: decode
      replicas: 2
      autoscaling:
        enabled: true
        minReplicas: 1
        maxReplicas: 4
      envFromSecret: hf-token-secret
      resources:
        limits:
          gpu: "1"
      volumeMounts:
        - name: vllm-compile-cache
          useAsCompilationCache: true
      extraPodSpec:
        mainContainer:
          image: nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.6.0
          workingDir: /workspace/components/backends/vllm
          command: [python3, -m, dynamo.vllm]
          args: [--model, Qwen/Qwen3-0.6B]
---
apiVersion: v1
kind: Secret
metadata:
  name: nvcr-pull
  namespace: llm
type: kubernetes.io/dockerconfigjson
data:
  .dockerconfigjson: eyJhdXRocyI6eyJudmNyLmlvIjp7ImF1dGgiOiJKRzloZFhSb2RHOXJaVzQ2UlZoQlRWQk1SUT09In19fQ==
"""

# What the worked example generates, field for field (key order aside: see test_key_order, D25).
EXPECTED = r"""
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: vllm-compile-cache
  namespace: llm
spec:
  accessModes: [ReadWriteMany]
  resources:
    requests:
      storage: 50Gi
  storageClassName: standard-rwx
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: vllm-agg-frontend
  namespace: llm
  labels:
    nvidia.com/dynamo-component: Frontend
    nvidia.com/dynamo-namespace: dynamo-vllm-agg
    nvidia.com/dynamo-graph-deployment-name: vllm-agg
    nvidia.com/metrics-enabled: "true"
    nvidia.com/dynamo-component-type: frontend
    nvidia.com/selector: vllm-agg-frontend
    team: ml
  annotations:
    example.com/owner: ml-platform
spec:
  replicas: 1
  selector:
    matchLabels:
      nvidia.com/selector: vllm-agg-frontend
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 25%
      maxUnavailable: 25%
  template:
    metadata:
      labels:
        nvidia.com/dynamo-component: Frontend
        nvidia.com/dynamo-namespace: dynamo-vllm-agg
        nvidia.com/dynamo-graph-deployment-name: vllm-agg
        nvidia.com/metrics-enabled: "true"
        nvidia.com/dynamo-component-type: frontend
        nvidia.com/selector: vllm-agg-frontend
        team: ml
      annotations:
        example.com/owner: ml-platform
    spec:
      containers:
        - name: main
          image: nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.6.0
          command: [python3]
          args: [-m, dynamo.frontend]
          env:
            - {name: DYNAMO_PORT, value: "8000"}
            - {name: DYN_HTTP_PORT, value: "8000"}
            - {name: DYN_LOG, value: info}
            - {name: DYN_NAMESPACE, value: dynamo-vllm-agg}
            - {name: DYN_PARENT_DGD_K8S_NAME, value: vllm-agg}
            - {name: DYN_PARENT_DGD_K8S_NAMESPACE, value: llm}
            - {name: ETCD_ENDPOINTS, value: "dynamo-platform-etcd.dynamo-system:2379"}
            - {name: NATS_SERVER, value: "nats://dynamo-platform-nats.dynamo-system:4222"}
          ports:
            - {name: http, containerPort: 8000, protocol: TCP}
          livenessProbe:
            httpGet: {path: /health, port: http}
            initialDelaySeconds: 60
            periodSeconds: 60
            timeoutSeconds: 30
            failureThreshold: 10
          readinessProbe:
            exec:
              command:
                - /bin/sh
                - -c
                - 'curl -s http://localhost:${DYNAMO_PORT}/health | jq -e ".status == \"healthy\""'
            initialDelaySeconds: 60
            periodSeconds: 60
            timeoutSeconds: 30
            failureThreshold: 10
          volumeMounts:
            - {name: shared-memory, mountPath: /dev/shm}
      imagePullSecrets:
        - name: nvcr-pull
      restartPolicy: Always
      terminationGracePeriodSeconds: 60
      volumes:
        - name: shared-memory
          emptyDir: {medium: Memory, sizeLimit: 8Gi}
---
apiVersion: v1
kind: Service
metadata:
  name: vllm-agg-frontend
  namespace: llm
  labels:
    nvidia.com/dynamo-component: Frontend
    nvidia.com/dynamo-namespace: dynamo-vllm-agg
    nvidia.com/dynamo-graph-deployment-name: vllm-agg
    nvidia.com/metrics-enabled: "true"
    nvidia.com/dynamo-component-type: frontend
    nvidia.com/selector: vllm-agg-frontend
    team: ml
  annotations:
    example.com/owner: ml-platform
spec:
  selector:
    nvidia.com/selector: vllm-agg-frontend
  ports:
    - {name: http, port: 8000, targetPort: http, protocol: TCP}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: vllm-agg-frontend
  namespace: llm
  labels:
    team: ml
  annotations:
    example.com/owner: ml-platform
spec:
  ingressClassName: nginx
  rules:
    - host: vllm.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: vllm-agg-frontend
                port: {number: 8000}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: vllm-agg-vllmdecodeworker
  namespace: llm
  labels:
    nvidia.com/dynamo-component: VllmDecodeWorker
    nvidia.com/dynamo-namespace: dynamo-vllm-agg
    nvidia.com/dynamo-graph-deployment-name: vllm-agg
    nvidia.com/metrics-enabled: "true"
    nvidia.com/dynamo-component-type: worker
    nvidia.com/dynamo-sub-component-type: decode
    nvidia.com/selector: vllm-agg-vllmdecodeworker
spec:
  selector:
    matchLabels:
      nvidia.com/selector: vllm-agg-vllmdecodeworker
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 25%
      maxUnavailable: 25%
  template:
    metadata:
      labels:
        nvidia.com/dynamo-component: VllmDecodeWorker
        nvidia.com/dynamo-namespace: dynamo-vllm-agg
        nvidia.com/dynamo-graph-deployment-name: vllm-agg
        nvidia.com/metrics-enabled: "true"
        nvidia.com/dynamo-component-type: worker
        nvidia.com/dynamo-sub-component-type: decode
        nvidia.com/selector: vllm-agg-vllmdecodeworker
    spec:
      containers:
        - name: main
          image: nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.6.0
          workingDir: /workspace/components/backends/vllm
          command: [python3, -m, dynamo.vllm]
          args: [--model, Qwen/Qwen3-0.6B]
          env:
            - {name: DYN_LOG, value: info}
            - {name: DYN_NAMESPACE, value: dynamo-vllm-agg}
            - {name: DYN_PARENT_DGD_K8S_NAME, value: vllm-agg}
            - {name: DYN_PARENT_DGD_K8S_NAMESPACE, value: llm}
            - {name: DYN_SYSTEM_ENABLED, value: "true"}
            - {name: DYN_SYSTEM_PORT, value: "9090"}
            - {name: DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS, value: '["generate"]'}
            - {name: ETCD_ENDPOINTS, value: "dynamo-platform-etcd.dynamo-system:2379"}
            - {name: NATS_SERVER, value: "nats://dynamo-platform-nats.dynamo-system:4222"}
            - {name: VLLM_CACHE_ROOT, value: /root/.cache/vllm}
          envFrom:
            - secretRef: {name: hf-token-secret}
          ports:
            - {name: system, containerPort: 9090, protocol: TCP}
          resources:
            limits:
              nvidia.com/gpu: "1"
          livenessProbe:
            httpGet: {path: /live, port: system}
            periodSeconds: 5
            timeoutSeconds: 30
            failureThreshold: 1
          readinessProbe:
            httpGet: {path: /health, port: system}
            periodSeconds: 10
            timeoutSeconds: 30
            failureThreshold: 60
          startupProbe:
            httpGet: {path: /live, port: system}
            periodSeconds: 10
            timeoutSeconds: 5
            failureThreshold: 720
          volumeMounts:
            - {name: shared-memory, mountPath: /dev/shm}
            - {name: vllm-compile-cache, mountPath: /root/.cache/vllm}
      imagePullSecrets:
        - name: nvcr-pull
      restartPolicy: Always
      terminationGracePeriodSeconds: 60
      volumes:
        - name: shared-memory
          emptyDir: {medium: Memory, sizeLimit: 8Gi}
        - name: vllm-compile-cache
          persistentVolumeClaim: {claimName: vllm-compile-cache}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: vllm-agg-vllmdecodeworker
  namespace: llm
  labels:
    nvidia.com/dynamo-component: VllmDecodeWorker
    nvidia.com/dynamo-namespace: dynamo-vllm-agg
    nvidia.com/dynamo-graph-deployment-name: vllm-agg
    nvidia.com/metrics-enabled: "true"
    nvidia.com/dynamo-component-type: worker
    nvidia.com/dynamo-sub-component-type: decode
    nvidia.com/selector: vllm-agg-vllmdecodeworker
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: vllm-agg-vllmdecodeworker
  minReplicas: 1
  maxReplicas: 4
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: 80
"""

CFG = FunctionConfig(
    natsServer="nats://dynamo-platform-nats.dynamo-system:4222",
    etcdEndpoints="dynamo-platform-etcd.dynamo-system:2379",
)


def _items():
    return list(yaml.safe_load_all(INPUT))


def _expand(mutate=None, cfg=CFG, extra_items=()):
    items = _items()
    if mutate is not None:
        mutate(items[0])
    items += list(extra_items)
    return expand_graph(items[0], cfg, items)


def _by(objects, kind, name):
    return next(o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name)


def _worker_pod(objects):
    return _by(objects, "Deployment", "vllm-agg-vllmdecodeworker")["spec"]["template"]


def _main(objects, name="vllm-agg-vllmdecodeworker"):
    containers = _by(objects, "Deployment", name)["spec"]["template"]["spec"]["containers"]
    return next(c for c in containers if c["name"] == "main")


def _worker(dgd):
    return dgd["spec"]["services"]["VllmDecodeWorker"]


def _frontend(dgd):
    return dgd["spec"]["services"]["Frontend"]


def _results(results):
    return [(r.severity, r.field_path, r.message) for r in results]


def test_worked_example():
    """The generated objects equal EXPECTED field for field, with the one V12 warning."""
    objects, results = _expand()
    assert objects == list(yaml.safe_load_all(EXPECTED))
    assert [(r.severity, r.field_path) for r in results] == [
        ("warning", "spec.services.VllmDecodeWorker.autoscaling.metrics")
    ]
    assert results[0].resource_ref == {
        "apiVersion": "nvidia.com/v1alpha1", "kind": "DynamoGraphDeployment", "name": "vllm-agg", "namespace": "llm",
    }


def test_key_order():
    """D25: apiVersion/kind/metadata/spec first, Kubernetes API field order inside, map keys sorted."""
    objects, _ = _expand()
    for obj in objects:
        assert list(obj)[:4] == ["apiVersion", "kind", "metadata", "spec"]
        labels = obj["metadata"].get("labels", {})
        assert list(labels) == sorted(labels)
    deployment = _by(objects, "Deployment", "vllm-agg-vllmdecodeworker")
    assert list(deployment["metadata"]) == ["name", "namespace", "labels"]
    assert list(deployment["spec"]) == ["selector", "template", "strategy"]
    assert list(deployment["spec"]["strategy"]["rollingUpdate"]) == ["maxUnavailable", "maxSurge"]
    pod = deployment["spec"]["template"]["spec"]
    assert list(pod) == ["volumes", "containers", "restartPolicy", "terminationGracePeriodSeconds", "imagePullSecrets"]
    main = pod["containers"][0]
    assert list(main) == [
        "name", "image", "command", "args", "workingDir", "ports", "envFrom", "env", "resources",
        "volumeMounts", "livenessProbe", "readinessProbe", "startupProbe",
    ]
    assert list(main["startupProbe"]) == ["httpGet", "timeoutSeconds", "periodSeconds", "failureThreshold"]
    service = _by(objects, "Service", "vllm-agg-frontend")
    assert list(service["spec"]) == ["ports", "selector"]
    assert list(service["spec"]["ports"][0]) == ["name", "protocol", "port", "targetPort"]
    hpa = _by(objects, "HorizontalPodAutoscaler", "vllm-agg-vllmdecodeworker")
    assert list(hpa["spec"]) == ["scaleTargetRef", "minReplicas", "maxReplicas", "metrics"]
    assert list(hpa["spec"]["scaleTargetRef"]) == ["apiVersion", "kind", "name"]


def test_input_untouched_and_not_shared():
    """The DGD is never mutated and no output object shares a sub-object with the input."""
    items = _items()
    before = copy.deepcopy(items)
    objects, _ = expand_graph(items[0], CFG, items)
    assert items == before
    input_ids = set()

    def collect(value, ids):
        if isinstance(value, (dict, list)):
            ids.add(id(value))
            for child in value.values() if isinstance(value, dict) else value:
                collect(child, ids)

    collect(items, input_ids)
    output_ids = set()
    collect(objects, output_ids)
    assert not input_ids & output_ids


def test_deterministic():
    """Two runs give byte-identical output."""
    first, _ = _expand()
    second, _ = _expand()
    assert json.dumps(first) == json.dumps(second)


def _set(path, value):
    def mutate(dgd):
        target = dgd
        for key in path[:-1]:
            target = target.setdefault(key, {})
        target[path[-1]] = value

    return mutate


W = ["spec", "services", "VllmDecodeWorker"]
F = ["spec", "services", "Frontend"]


def test_variation_volume_mounts():
    """Variation: explicit mount points, VLLM_CACHE_ROOT from the cache entry, V8 warnings."""
    objects, results = _expand(_set([*W, "volumeMounts"], [
        {"name": "model-cache", "mountPoint": "/models"},
        {"name": "vllm-cache", "mountPoint": "/cache/vllm", "useAsCompilationCache": True},
    ]))
    pod = _worker_pod(objects)["spec"]
    assert pod["volumes"] == [
        {"name": "model-cache", "persistentVolumeClaim": {"claimName": "model-cache"}},
        {"name": "shared-memory", "emptyDir": {"medium": "Memory", "sizeLimit": "8Gi"}},
        {"name": "vllm-cache", "persistentVolumeClaim": {"claimName": "vllm-cache"}},
    ]
    main = _main(objects)
    assert main["volumeMounts"] == [
        {"name": "model-cache", "mountPath": "/models"},
        {"name": "shared-memory", "mountPath": "/dev/shm"},
        {"name": "vllm-cache", "mountPath": "/cache/vllm"},
    ]
    assert main["env"][-1] == {"name": "VLLM_CACHE_ROOT", "value": "/cache/vllm"}
    assert [(r.severity, r.field_path) for r in results if "volumeMounts" in (r.field_path or "")] == [
        ("warning", "spec.services.VllmDecodeWorker.volumeMounts[0].name"),
        ("warning", "spec.services.VllmDecodeWorker.volumeMounts[1].name"),
    ]


@pytest.mark.parametrize(
    ("shared_memory", "volume"),
    [
        ({"size": "16Gi"}, {"name": "shared-memory", "emptyDir": {"medium": "Memory", "sizeLimit": "16Gi"}}),
        ({"size": "16384Mi"}, {"name": "shared-memory", "emptyDir": {"medium": "Memory", "sizeLimit": "16Gi"}}),
        ({"disabled": False}, {"name": "shared-memory", "emptyDir": {"medium": "Memory", "sizeLimit": "8Gi"}}),
        ({"disabled": True}, None),
        ({"size": "0"}, {"name": "shared-memory", "emptyDir": {"medium": "Memory", "sizeLimit": "8Gi"}}),
        ({"size": "0Gi"}, {"name": "shared-memory", "emptyDir": {"medium": "Memory", "sizeLimit": "8Gi"}}),
    ],
)
def test_variation_shared_memory(shared_memory, volume):
    """Variations: shared memory disabled or resized."""
    objects, results = _expand(_set([*W, "sharedMemory"], shared_memory))
    volumes = [v for v in _worker_pod(objects)["spec"]["volumes"] if v["name"] == "shared-memory"]
    zero = shared_memory.get("size", "").startswith("0")
    warnings = [r.field_path for r in results if r.severity == "warning" and "is zero" in r.message]
    assert warnings == (["spec.services.VllmDecodeWorker.sharedMemory.size"] if zero else [])
    mounts = [m for m in _main(objects)["volumeMounts"] if m["name"] == "shared-memory"]
    assert volumes == ([volume] if volume else [])
    assert mounts == ([{"name": "shared-memory", "mountPath": "/dev/shm"}] if volume else [])


def test_variation_resources():
    """Variation: no GPU request, custom resources, canonical quantities; V12 disappears."""
    objects, results = _expand(_set([*W, "resources"], {
        "requests": {"cpu": "10", "memory": "40Gi", "gpu": "1"},
        "limits": {"cpu": "10000m", "memory": "40960Mi", "gpu": "1", "custom": {"rdma/ib": "1"}},
    }))
    assert _main(objects)["resources"] == {
        "limits": {"cpu": "10", "memory": "40Gi", "nvidia.com/gpu": "1", "rdma/ib": "1"},
        "requests": {"cpu": "10", "memory": "40Gi"},
    }
    assert list(_main(objects)["resources"]["limits"]) == ["cpu", "memory", "nvidia.com/gpu", "rdma/ib"]
    assert results == []


def test_variation_extra_pod_metadata():
    """Variation: pod label and annotation, also on the Deployment and HPA metadata (shared label map)."""
    objects, _ = _expand(_set([*W, "extraPodMetadata"],
                              {"labels": {"team": "a"}, "annotations": {"prometheus.io/scrape": "true"}}))
    for obj in (_by(objects, "Deployment", "vllm-agg-vllmdecodeworker"),
                _by(objects, "HorizontalPodAutoscaler", "vllm-agg-vllmdecodeworker")):
        assert obj["metadata"]["labels"]["team"] == "a"
        assert obj["metadata"]["annotations"] == {"prometheus.io/scrape": "true"}
    template = _worker_pod(objects)["metadata"]
    assert template["labels"]["team"] == "a"
    assert template["annotations"] == {"prometheus.io/scrape": "true"}


def test_variation_startup_probe_without_handler():
    """Variation: a startup probe without a handler completes the default (R4)."""
    objects, _ = _expand(_set([*W, "extraPodSpec", "mainContainer", "startupProbe"], {"failureThreshold": 1440}))
    assert _main(objects)["startupProbe"] == {
        "httpGet": {"path": "/live", "port": "system"},
        "timeoutSeconds": 5, "periodSeconds": 10, "failureThreshold": 1440,
    }


def test_variation_recreate():
    """Variation: strategy and the annotation on objects and the pod template (D5)."""
    objects, _ = _expand(_set([*W, "annotations"], {"nvidia.com/deployment-strategy": "Recreate"}))
    deployment = _by(objects, "Deployment", "vllm-agg-vllmdecodeworker")
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}
    assert deployment["metadata"]["annotations"] == {"nvidia.com/deployment-strategy": "Recreate"}
    assert deployment["spec"]["template"]["metadata"]["annotations"] == {"nvidia.com/deployment-strategy": "Recreate"}


def test_variation_metrics_disabled_on_dgd():
    """Variation: the DGD annotation wins and removes the label everywhere."""
    objects, _ = _expand(_set(["metadata", "annotations"], {"nvidia.com/enable-metrics": "false"}))
    assert "nvidia.com/metrics-enabled" not in json.dumps(objects)


def test_variation_default_ingress():
    """Variation: default frontend ingress from functionConfig."""
    cfg = FunctionConfig(natsServer=CFG.natsServer, etcdEndpoints=CFG.etcdEndpoints,
                         ingressClassName="nginx", ingressHostSuffix="example.com")
    objects, _ = _expand(lambda d: _frontend(d).pop("ingress"), cfg=cfg)
    ingress = _by(objects, "Ingress", "vllm-agg-frontend")
    assert ingress["spec"]["ingressClassName"] == "nginx"
    assert ingress["spec"]["rules"][0]["host"] == "vllm-agg.example.com"


def test_variation_planner():
    """Variation: a planner (its port, env, service account; no probes, no Service)."""
    objects, _ = _expand(_set(["spec", "services", "Planner"], {
        "componentType": "planner",
        "extraPodSpec": {"mainContainer": {"image": "img:1", "args": ["python3 -m planner"]}},
    }))
    deployment = _by(objects, "Deployment", "vllm-agg-planner")
    pod = deployment["spec"]["template"]["spec"]
    main = pod["containers"][0]
    assert main["command"] == ["/bin/sh", "-c"] and main["args"] == ["python3 -m planner"]
    assert main["ports"] == [{"name": "metrics", "containerPort": 9085, "protocol": "TCP"}]
    assert {"name": "PLANNER_PROMETHEUS_PORT", "value": "9085"} in main["env"]
    assert {"name": "NATS_SERVER", "value": CFG.natsServer} in main["env"]
    assert not any(k.endswith("Probe") for k in main)
    assert pod["serviceAccountName"] == "planner-serviceaccount"
    assert not any(o["kind"] == "Service" and o["metadata"]["name"] == "vllm-agg-planner" for o in objects)


def test_variation_liveness_probe_replaced():
    """Variation: a user liveness probe replaces the default (D9)."""
    objects, _ = _expand(_set([*W, "livenessProbe"], {"exec": {"command": ["cat", "/tmp/healthy"]}}))
    assert _main(objects)["livenessProbe"] == {"exec": {"command": ["cat", "/tmp/healthy"]}}


def test_variation_missing_image():
    """Variation: no image (D15): an error and no objects."""
    objects, results = _expand(lambda d: _frontend(d)["extraPodSpec"]["mainContainer"].pop("image"))
    assert objects == []
    assert ("error", "spec.services.Frontend.extraPodSpec.mainContainer.image") in [
        (r.severity, r.field_path) for r in results
    ]


def test_default_image():
    """D15: functionConfig `defaultImage` fills the gap, and discovery uses it."""
    cfg = FunctionConfig(defaultImage="nvcr.io/x:1")
    objects, _ = _expand(lambda d: _frontend(d)["extraPodSpec"]["mainContainer"].pop("image"), cfg=cfg)
    pod = _by(objects, "Deployment", "vllm-agg-frontend")["spec"]["template"]["spec"]
    assert pod["containers"][0]["image"] == "nvcr.io/x:1"
    assert pod["imagePullSecrets"] == [{"name": "nvcr-pull"}]


def test_no_namespace():
    """D17: no namespace on objects; the parent namespace from the downward API."""
    def mutate(dgd):
        del dgd["metadata"]["namespace"]

    objects, _ = _expand(mutate)
    assert all("namespace" not in o["metadata"] for o in objects)
    env = {e["name"]: e for e in _main(objects)["env"]}
    assert env["DYN_PARENT_DGD_K8S_NAMESPACE"] == {
        "name": "DYN_PARENT_DGD_K8S_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
    }
    # the pull secret lives in namespace llm, so it does not match a namespace-less DGD
    assert "imagePullSecrets" not in _worker_pod(objects)["spec"]


def test_env_precedence():
    """D18: platform < defaults < DGD envs < mainContainer.env < service envs; R6 for VLLM_CACHE_ROOT."""
    def mutate(dgd):
        dgd["spec"]["envs"] = [
            {"name": "A", "value": "dgd"}, {"name": "B", "value": "dgd"}, {"name": "NATS_SERVER", "value": "dgd"},
        ]
        _worker(dgd)["extraPodSpec"]["mainContainer"]["env"] = [
            {"name": "B", "value": "main"}, {"name": "C", "value": "main"},
            {"name": "VLLM_CACHE_ROOT", "value": "/mine"},
            {"name": "DYN_NAMESPACE", "value": "main"},
        ]
        _worker(dgd)["envs"] = [{"name": "C", "value": "svc"}]

    objects, _ = _expand(mutate)
    env = {e["name"]: e.get("value") for e in _main(objects)["env"]}
    assert (env["A"], env["B"], env["C"], env["NATS_SERVER"], env["VLLM_CACHE_ROOT"], env["DYN_NAMESPACE"]) == (
        "dgd", "main", "svc", "dgd", "/mine", "main",
    )
    names = [e["name"] for e in _main(objects)["env"]]
    assert names == sorted(names, key=str.encode) and len(names) == len(set(names))


def test_service_account_discovery():
    """D14: labelled ServiceAccount of the namespace, else functionConfig, else unset."""
    sa = {"apiVersion": "v1", "kind": "ServiceAccount",
          "metadata": {"name": "dyn-sa", "namespace": "llm", "labels": {"nvidia.com/dynamo-component-pod": "true"}}}
    objects, _ = _expand(extra_items=[sa])
    assert _worker_pod(objects)["spec"]["serviceAccountName"] == "dyn-sa"
    cfg = FunctionConfig(componentServiceAccountName="cfg-sa")
    objects, _ = _expand(cfg=cfg)
    assert _worker_pod(objects)["spec"]["serviceAccountName"] == "cfg-sa"


def test_planner_service_account_user_wins():
    """D21: the user's planner service account is kept, with an info result."""
    objects, results = _expand(_set(["spec", "services", "Planner"], {
        "componentType": "planner",
        "extraPodSpec": {"serviceAccountName": "mine", "mainContainer": {"image": "img:1"}},
    }))
    assert _by(objects, "Deployment", "vllm-agg-planner")["spec"]["template"]["spec"]["serviceAccountName"] == "mine"
    assert ("info", "spec.services.Planner.extraPodSpec.serviceAccountName") in [
        (r.severity, r.field_path) for r in results
    ]


def test_debug_sidecar():
    """`nvidia.com/enable-debug-mode`: debugger container last, shareProcessNamespace."""
    objects, _ = _expand(_set([*W, "annotations"], {"nvidia.com/enable-debug-mode": "true"}))
    pod = _worker_pod(objects)["spec"]
    assert pod["shareProcessNamespace"] is True
    assert pod["containers"][-1] == {
        "name": "debugger",
        "image": "python:3.12-slim",
        "command": ["sleep", "infinity"],
        "resources": {"limits": {"cpu": "1", "memory": "1000Mi"}, "requests": {"cpu": "100m", "memory": "100Mi"}},
        "securityContext": {"capabilities": {"add": ["SYS_PTRACE"]}},
        "stdin": True,
        "tty": True,
    }


def test_pull_secret_dedup_and_opt_out():
    """R5: a user pull secret also discovered is listed once; the opt-out annotation disables discovery."""
    objects, _ = _expand(_set([*W, "extraPodSpec", "imagePullSecrets"], [{"name": "zz"}, {"name": "nvcr-pull"}]))
    assert _worker_pod(objects)["spec"]["imagePullSecrets"] == [{"name": "nvcr-pull"}, {"name": "zz"}]
    objects, _ = _expand(_set([*W, "annotations"], {"nvidia.com/disable-image-pull-secret-discovery": "true"}))
    assert "imagePullSecrets" not in _worker_pod(objects)["spec"]


def test_replicas_without_autoscaling():
    """D11 only applies under autoscaling."""
    objects, _ = _expand(lambda d: _worker(d).pop("autoscaling"))
    assert _by(objects, "Deployment", "vllm-agg-vllmdecodeworker")["spec"]["replicas"] == 2
    assert not any(o["kind"] == "HorizontalPodAutoscaler" for o in objects)


def test_hpa_metrics_and_behavior():
    """D12: behaviour copied; user metrics replace the default (no V12 warning)."""
    metrics = [
        {"type": "Pods", "pods": {"metric": {"name": "q"}, "target": {"type": "AverageValue", "averageValue": "1"}}},
    ]
    behavior = {"scaleDown": {"stabilizationWindowSeconds": 300}}

    def mutate(dgd):
        _worker(dgd)["autoscaling"].update(metrics=metrics, behavior=behavior)

    objects, results = _expand(mutate)
    hpa = _by(objects, "HorizontalPodAutoscaler", "vllm-agg-vllmdecodeworker")
    assert hpa["spec"]["metrics"] == metrics and hpa["spec"]["behavior"] == behavior
    assert results == []


@pytest.mark.parametrize(
    ("ingress", "kind", "spec", "result"),
    [
        pytest.param(
            {"enabled": True, "host": "h", "hostSuffix": "x.io", "useVirtualService": True,
             "virtualServiceGateway": "gw"},
            "VirtualService",
            {"hosts": ["h.x.io"], "gateways": ["gw"], "http": [{"match": [{"uri": {"prefix": "/"}}],
             "route": [{"destination": {"host": "vllm-agg-frontend", "port": {"number": 8000}}}]}]},
            None,
            id="D20-virtual-service",
        ),
        pytest.param(
            {"enabled": True, "host": "h", "hostSuffix": "x.io", "useVirtualService": True},
            "VirtualService",
            {"hosts": ["h.x.io"], "http": [{"match": [{"uri": {"prefix": "/"}}],
             "route": [{"destination": {"host": "vllm-agg-frontend", "port": {"number": 8000}}}]}]},
            ("warning", "spec.services.Frontend.ingress.virtualServiceGateway"),
            id="D20-mesh-only",
        ),
        pytest.param(
            {"enabled": True, "host": "h", "hostPrefix": "api-", "ingressControllerClassName": "nginx",
             "tls": {"secretName": "s"}},
            "Ingress",
            {"ingressClassName": "nginx", "tls": [{"hosts": ["api-h.local"], "secretName": "s"}],
             "rules": [{"host": "api-h.local", "http": {"paths": [{"path": "/", "pathType": "Prefix",
                        "backend": {"service": {"name": "vllm-agg-frontend", "port": {"number": 8000}}}}]}}]},
            ("warning", "spec.services.Frontend.ingress.hostSuffix"),
            id="V17-local-suffix-and-tls",
        ),
        pytest.param(
            {"enabled": True, "host": "h", "hostSuffix": "x.io"},
            None,
            None,
            ("warning", "spec.services.Frontend.ingress.ingressControllerClassName"),
            id="D19-nothing-to-generate",
        ),
        pytest.param({"enabled": False, "host": "h", "ingressControllerClassName": "nginx"}, None, None, None,
                     id="disabled"),
        pytest.param({}, None, None, None, id="user-block-replaces-default"),
    ],
)
def test_ingress(ingress, kind, spec, result):
    """Ingress and VirtualService, with D19, D20, R1."""
    objects, results = _expand(_set([*F, "ingress"], ingress))
    exposed = [o for o in objects if o["kind"] in ("Ingress", "VirtualService")]
    if kind is None:
        assert exposed == []
    else:
        assert [o["kind"] for o in exposed] == [kind]
        assert exposed[0]["spec"] == spec
        assert exposed[0]["metadata"]["labels"] == {"team": "ml"}
    got = [(r.severity, r.field_path) for r in results if "ingress" in (r.field_path or "")]
    assert got == ([result] if result else [])


def test_ingress_labels_and_annotations():
    """R1: ingress labels and annotations after the service ones, winning on equal keys."""
    def mutate(dgd):
        _frontend(dgd)["ingress"].update(labels={"team": "edge", "x": "1"}, annotations={"a/b": "c"})

    objects, _ = _expand(mutate)
    meta = _by(objects, "Ingress", "vllm-agg-frontend")["metadata"]
    assert meta["labels"] == {"team": "edge", "x": "1"}
    assert meta["annotations"] == {"a/b": "c", "example.com/owner": "ml-platform"}


def test_pvc_variants():
    """PVCs: only create: true is emitted; canonical size."""
    def mutate(dgd):
        dgd["spec"]["pvcs"] = [
            {"name": "a", "create": True, "storageClass": "sc", "size": "51200Mi", "volumeAccessMode": "ReadWriteOnce"},
            {"name": "b"},
        ]

    objects, _ = _expand(mutate)
    pvcs = [o for o in objects if o["kind"] == "PersistentVolumeClaim"]
    assert pvcs == [{
        "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "a", "namespace": "llm"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "50Gi"}},
                 "storageClassName": "sc"},
    }]


def test_deployment_config_env():
    """Legacy DYN_DEPLOYMENT_CONFIG sets the frontend port, replicas and resources."""
    config = {"Frontend": {"ServiceArgs": {"workers": 3, "resources": {"cpu": "2", "memory": "4Gi"}}}}

    def mutate(dgd):
        _frontend(dgd)["envs"] = [{"name": "DYN_DEPLOYMENT_CONFIG", "value": json.dumps(config)}]
        del _frontend(dgd)["replicas"]

    objects, _ = _expand(mutate)
    deployment = _by(objects, "Deployment", "vllm-agg-frontend")
    assert deployment["spec"]["replicas"] == 3
    main = _main(objects, "vllm-agg-frontend")
    assert main["resources"] == {"limits": {"cpu": "2", "memory": "4Gi"}, "requests": {"cpu": "2", "memory": "4Gi"}}
    env = {e["name"]: e["value"] for e in main["env"]}
    assert json.loads(env["DYN_DEPLOYMENT_CONFIG"]) == {
        "Frontend": {"ServiceArgs": config["Frontend"]["ServiceArgs"], "port": 8000}
    }
    assert env["DYN_DEPLOYMENT_CONFIG"] == (
        '{"Frontend":{"ServiceArgs":{"resources":{"cpu":"2","memory":"4Gi"},"workers":3},"port":8000}}'
    )


@pytest.mark.parametrize(
    ("mutate", "path", "message"),
    [
        pytest.param(lambda d: (_set([*W, "multinode"], {})(d), _set([*W, "resources"], {})(d)),
                     "spec.services.VllmDecodeWorker.resources.limits.gpu", "GPU limit", id="V9-lws-gpu"),
        pytest.param(_set([*W, "multinode"], {"nodeCount": 1}), "spec.services.VllmDecodeWorker.multinode.nodeCount",
                     "at least 2", id="V9-nodeCount"),
        pytest.param(_set([*W, "replicas"], "2"), "spec.services.VllmDecodeWorker.replicas", "integer",
                     id="strict-int"),
        pytest.param(_set([*W, "replicas"], -1), "spec.services.VllmDecodeWorker.replicas", "at least 0", id="V14"),
        pytest.param(_set(["spec", "services", "Frontend"], None), "spec.services.Frontend", "got null", id="V1-null"),
        pytest.param(_set(["spec", "services", "Bad_Name"], {"extraPodSpec": {"mainContainer": {"image": "i"}}}),
                     "spec.services.Bad_Name", "letters, digits", id="V2-chars"),
        pytest.param(_set(["spec", "services", "X" * 60], {"extraPodSpec": {"mainContainer": {"image": "i"}}}),
                     "spec.services." + "X" * 60, "63", id="V2-length"),
        pytest.param(_set(["spec", "backendFramework"], "onnx"), "spec.backendFramework", "one of", id="V3"),
        pytest.param(_set(["spec", "backendFramework"], "sglang"),
                     "spec.services.VllmDecodeWorker.extraPodSpec.mainContainer",
                     'backend framework mismatch: detected "vllm" from command but explicitly configured as "sglang"',
                     id="V21"),
        pytest.param(_set([*W, "dynamoNamespace"], "b"), None, None, id="V4-single-ok"),
        pytest.param(_set(["spec", "pvcs", ], [{"name": "p", "create": True, "storageClass": "s", "size": 50,
                                                "volumeAccessMode": "ReadWriteOnce"}]),
                     "spec.pvcs[0].size", "write 50Gi", id="D23"),
        pytest.param(_set(["spec", "pvcs"], [{"name": "p", "create": True, "size": "1Gi"}]),
                     "spec.pvcs[0].storageClass", "When create is true", id="V5-required"),
        pytest.param(_set(["spec", "pvcs"], [{"name": "p", "create": True, "storageClass": "s", "size": "1Gi",
                                              "volumeAccessMode": "RWX"}]),
                     "spec.pvcs[0].volumeAccessMode", "one of", id="V5-mode"),
        pytest.param(_set([*W, "volumeMounts"], [{"name": "c", "useAsCompilationCache": False}]),
                     "spec.services.VllmDecodeWorker.volumeMounts[0].mountPoint",
                     "volumeMount.mountPoint is required when useAsCompilationCache is false", id="V7-mountPoint"),
        pytest.param(_set([*F, "volumeMounts"], [{"name": "c", "useAsCompilationCache": True}]),
                     "spec.services.Frontend.volumeMounts[0].mountPoint",
                     "requires an explicit mountPoint for backend framework noop", id="V7-noop-cache"),
        pytest.param(_set([*W, "autoscaling", "minReplicas"], 0),
                     "spec.services.VllmDecodeWorker.autoscaling.minReplicas", "at least 1", id="V10-min"),
        pytest.param(_set([*W, "autoscaling", "maxReplicas"], 0),
                     "spec.services.VllmDecodeWorker.autoscaling.maxReplicas", "at least `minReplicas`", id="V10-max"),
        pytest.param(_set([*F, "ingress", "host"], ""), "spec.services.Frontend.ingress.host", "host", id="V15-host"),
        pytest.param(_set([*F, "ingress", "hostSuffix"], ""), "spec.services.Frontend.ingress.hostSuffix", "dot",
                     id="V15-suffix"),
        pytest.param(_set([*W, "sharedMemory"], {"size": "-1Gi"}), "spec.services.VllmDecodeWorker.sharedMemory.size",
                     "greater than zero", id="V20"),
        pytest.param(_set([*W, "resources", "limits", "cpu"], "lots"),
                     "spec.services.VllmDecodeWorker.resources.limits.cpu", "parse limits cpu quantity", id="V23"),
        pytest.param(_set([*F, "envs"], [{"name": "DYN_DEPLOYMENT_CONFIG", "value": "{"}]),
                     "spec.services.Frontend.envs", "failed to parse DYN_DEPLOYMENT_CONFIG", id="V24"),
        pytest.param(_set([*F, "labels"], {"nvidia.com/selector": "other"}), "spec.services.Frontend.labels",
                     "nvidia.com/selector", id="R7-labels"),
        pytest.param(_set([*F, "extraPodMetadata"], {"labels": {"nvidia.com/selector": "x"}}),
                     "spec.services.Frontend.extraPodMetadata.labels", "nvidia.com/selector", id="R7-extra"),
        pytest.param(_set([*F, "livenessProbe"], {"periodSeconds": 3}), None, None, id="R4-over-default-ok"),
        pytest.param(_set(["spec", "services", "Planner"], {"componentType": "planner",
                                                            "readinessProbe": {"periodSeconds": 3},
                                                            "extraPodSpec": {"mainContainer": {"image": "i"}}}),
                     "spec.services.Planner.readinessProbe", "handler", id="V26"),
    ],
)
def test_errors(mutate, path, message):
    """Each invalid input gives one error on the right field and no objects (validation rules V1–V31)."""
    objects, results = _expand(mutate)
    errors = [r for r in results if r.severity == "error"]
    if path is None:
        assert errors == [] and objects
        return
    assert objects == []
    assert [(r.field_path) for r in errors] == [path], _results(results)
    assert message in errors[0].message


def test_dynamo_namespace_conflict():
    """D10: two different non-empty values are an error naming both."""
    def mutate(dgd):
        _frontend(dgd)["dynamoNamespace"] = "a"
        _worker(dgd)["dynamoNamespace"] = "b"

    objects, results = _expand(mutate)
    assert objects == []
    assert [x for x in _results(results) if x[0] == "error"] == [(
        "error", "spec.services.VllmDecodeWorker.dynamoNamespace",
        'expected every `dynamoNamespace` of the graph to agree, got "b" here but "a" in service `Frontend`',
    )]


def test_dynamo_namespace_from_one_service():
    """D10: a value set on one service applies to all."""
    objects, _ = _expand(_set([*W, "dynamoNamespace"], "shared"))
    for name in ("vllm-agg-frontend", "vllm-agg-vllmdecodeworker"):
        assert {"name": "DYN_NAMESPACE", "value": "shared"} in _main(objects, name)["env"]
        assert _by(objects, "Deployment", name)["metadata"]["labels"]["nvidia.com/dynamo-namespace"] == "shared"


@pytest.mark.parametrize(
    ("mutate", "path", "pattern"),
    [
        (_set([*W, "imagee"], "x"), "spec.services.VllmDecodeWorker.imagee",
         r"unknown field `imagee`.*did you mean `extraPodSpec\.mainContainer\.image`\?$"),
        (_set([*F, "ingress", "enabeld"], True), "spec.services.Frontend.ingress.enabeld", r"did you mean `enabled`"),
        (_set([*F, "componentType"], "Frontend"), "spec.services.Frontend.componentType", r'did you mean "frontend"'),
        (_set([*W, "resources"], {"requests": {"gpu": "1"}}), "spec.services.VllmDecodeWorker.resources.requests.gpu",
         r"no GPU"),
        (_set([*W, "annotations"], {"nvidia.com/enable-stealing-traffic-debug-mode": "true"}),
         "spec.services.VllmDecodeWorker.annotations", r"not supported"),
    ],
)
def test_warnings(mutate, path, pattern):
    """V28, V29, V27, V30: warnings do not stop the expansion."""
    objects, results = _expand(mutate)
    assert objects
    matching = [r for r in results if r.field_path == path]
    assert len(matching) == 1 and matching[0].severity == "warning", _results(results)
    assert re.search(pattern, matching[0].message)
