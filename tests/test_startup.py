# SPDX-License-Identifier: Apache-2.0
"""Start-up is paid on every `kustomize build`: nothing heavy is imported that the run does not need.

* no DGD: neither pydantic nor jsonschema nor the default tables;
* a valid DGD (the fast parse): no pydantic either; only an invalid one loads it, for its messages;
* the bundled example: the modules imported are a fixed, listed set; a new import fails here
  until it is added on purpose (and its cost measured with benchmarks/bench.py).
"""

import subprocess
import sys

from procs import REPO

PROBE = """
import io, sys
from krm_dynamo import cli
out, err = io.StringIO(), io.StringIO()
rc = cli.run_function(io.BytesIO(sys.stdin.buffer.read()), out, err)
heavy = sorted(m for m in ("pydantic", "jsonschema", "ruamel") if m in sys.modules)
print(rc, ",".join(heavy) or "-")
"""

NO_DGD = b"""apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: x
"""

WITH_DGD = NO_DGD + b"""- apiVersion: nvidia.com/v1alpha1
  kind: DynamoGraphDeployment
  metadata:
    name: llm
  spec:
    services:
      Planner:
        componentType: planner
        extraPodSpec:
          mainContainer:
            image: nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.6.0
"""


def heavy_modules_after(stdin: bytes) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE], input=stdin, capture_output=True, cwd=REPO, timeout=60, check=True
    )
    return proc.stdout.decode().strip()


def test_no_dgd_imports_neither_pydantic_nor_jsonschema():
    """A ResourceList without a DGD never loads the model and schema libraries."""
    assert heavy_modules_after(NO_DGD) == "0 -"


def test_valid_dgd_does_not_import_pydantic():
    """A valid DGD takes the fast parse (no pydantic), and its embedded Kubernetes types are
    plainly valid (no jsonschema)."""
    assert heavy_modules_after(WITH_DGD) == "0 -"


def test_invalid_dgd_loads_the_models():
    """An invalid DGD gets the full parse for its messages — the checks above can fail."""
    invalid = WITH_DGD.replace(b"componentType: planner", b"componentType: planner\n        replicas: \"2\"")
    assert invalid != WITH_DGD
    assert heavy_modules_after(invalid).startswith("1 pydantic")


MODULES_PROBE = """
import io, sys
import yaml
# What an identity PyYAML function pays in this interpreter (its start-up differs between a
# plain virtualenv and an installation whose site hooks preload modules): the baseline.
yaml.dump(yaml.load("a: [1, x]", Loader=yaml.CSafeLoader), Dumper=yaml.CSafeDumper)
before = set(sys.modules)
from krm_dynamo import cli
rc = cli.run_function(io.BytesIO(sys.stdin.buffer.read()), io.StringIO(), io.StringIO())
new = set(sys.modules) - before
print(rc, " ".join(sorted({m.split(".")[0] for m in new} | {m for m in new if m.startswith("krm_dynamo.api.")})))
"""

# Every top-level module the bundled example imports beyond what an identity PyYAML function
# loads in the same interpreter. Not here on purpose: pydantic, jsonschema, dataclasses
# (krm_dynamo.record stands in), inspect, importlib.metadata, pathlib, difflib.
ALLOWED_FOR_EXAMPLE = {
    "krm_dynamo", "krm_dynamo.api.fastparse", "krm_dynamo.api.v1alpha1_light",
    "__future__", "copy", "gc",
    "json", "_json",  # the Kubernetes type definitions (kube/schemas-<version>.json, ~1 ms) for the embedded-type check
    # Annotations (`typing`, ~2 ms where the interpreter has not loaded it yet) and the two small
    # modules of the standard library the YAML edge uses.
    "typing", "_typing", "weakref", "_weakrefset", "contextlib", "warnings",
}


def test_bundled_example_imports_only_the_listed_modules():
    """kustomization-examples/vllm-agg/dgd.yaml through the function: no import beyond the allowed set."""
    dgd = (REPO / "kustomization-examples" / "vllm-agg" / "dgd.yaml").read_text()
    body = "".join(f"  {line}\n" if line else "\n" for line in dgd.splitlines())
    stdin = f"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n-\n{body}".encode()
    proc = subprocess.run([sys.executable, "-c", MODULES_PROBE], input=stdin, capture_output=True, cwd=REPO,
                          timeout=60, check=True)
    rc, _, modules = proc.stdout.decode().strip().partition(" ")
    assert rc == "0"
    added = {m for m in modules.split() if m not in ALLOWED_FOR_EXAMPLE and not m.startswith("_cython_")}
    assert not added, f"new imports on the bundled example's path: {sorted(added)}"


KRM_MODULES_PROBE = """
import io, sys
from krm_dynamo import cli
rc = cli.run_function(io.BytesIO(sys.stdin.buffer.read()), io.StringIO(), io.StringIO())
print(rc, " ".join(sorted(m for m in sys.modules if m.startswith("krm_dynamo."))))
"""

# Every krm_dynamo module the bundled example (a 0.6 DGD, one vLLM worker) imports, by package. A
# module of the 1.x profiles is not here: the 1.x table sets are built on first use
# (defaults/release.py), the rules of later changes are imported for a release that has them and
# those of a feature for a DGD that uses it (graph/rules/__init__.py: envs, multinode, networking,
# podnames, overrides, storage, workload), a backend's module for a multinode pod of that backend
# (render/backends), a builder of a later change where its switch or derived value is read
# (render/podtemplate, pipeline.py: the endpoint picker, Kubernetes discovery, modelRef, the 1.1
# service features, the deep merge, the defaulting webhook), the multinode, Grove and HPA builders
# only for a service that has them, and the reading of the legacy DYN_DEPLOYMENT_CONFIG
# (graph.deployment_config) only for a DGD that has it.
ALLOWED_KRM_DYNAMO = {
    "": "api cli config core defaults graph kio kube ownership pipeline record render",  # kptview: only with a problem
    "api": "fastparse v1alpha1_light",  # api.messages: the words of parse problems, only for those
    # catalog and multinode: 0.6's switches are off without the catalogue, the multinode tables are built on
    # first read (defaults/release.py)
    "defaults": "backends components labels launch limits mergekinds objects release sources",
    "graph": "backend component derive discovery embedded report rules validation volumes",
    "graph.rules": "container context graph resources service",
    "kio": "display files limits loader resourcelist results scalars yamlio",
    "kube": "fieldorder gojson naming quantity schemas",
    "render": "backends canonical merge metadata networking podtemplate resources storage workloads",
    "render.backends": "common",
}
ALLOWED_KRM_MODULES = {f"krm_dynamo.{package}.{name}".replace("..", ".")
                       for package, names in ALLOWED_KRM_DYNAMO.items() for name in names.split()}
# What a 1.1 run of the same example imports on top: the 1.x tables and the rules of the later changes.
LOADED_FOR_1_1 = {
    "krm_dynamo.defaults.release_1x", "krm_dynamo.defaults.profiles", "krm_dynamo.defaults.admission",
    "krm_dynamo.defaults.launch_1x", "krm_dynamo.defaults.kubediscovery", "krm_dynamo.defaults.features11",
    "krm_dynamo.defaults.mergekinds_1x", "krm_dynamo.defaults.workerhash",
    "krm_dynamo.graph.rules.webhook", "krm_dynamo.graph.rules.features11", "krm_dynamo.graph.rules.topology",
    "krm_dynamo.graph.rules.lifecycle", "krm_dynamo.graph.rules.epp", "krm_dynamo.graph.rules.models",
}


def _bundled_example(extra: str = "") -> bytes:
    dgd = (REPO / "kustomization-examples" / "vllm-agg" / "dgd.yaml").read_text()
    body = "".join(f"  {line}\n" if line else "\n" for line in dgd.splitlines())
    return f"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n-\n{body}{extra}".encode()


def _krm_modules_after(stdin: bytes) -> set[str]:
    proc = subprocess.run([sys.executable, "-c", KRM_MODULES_PROBE], input=stdin, capture_output=True, cwd=REPO,
                          timeout=60, check=True)
    rc, _, modules = proc.stdout.decode().strip().partition(" ")
    assert rc == "0"
    return set(modules.split())


def test_bundled_example_imports_only_the_listed_krm_dynamo_modules():
    """The bundled example imports exactly the listed krm_dynamo modules: an addition fails here until it is
    listed on purpose (each module costs every run about 0.1 % of the function's instructions)."""
    modules = _krm_modules_after(_bundled_example())
    assert not modules - ALLOWED_KRM_MODULES, f"new krm_dynamo imports: {sorted(modules - ALLOWED_KRM_MODULES)}"
    assert not ALLOWED_KRM_MODULES - modules, f"listed but not imported: {sorted(ALLOWED_KRM_MODULES - modules)}"


def test_the_1x_modules_load_only_for_a_1x_release():
    """The same example under operator 1.1 imports the 1.x tables and the later changes' rules."""
    config = ("functionConfig:\n  apiVersion: fn.krm-dynamo.dev/v1alpha1\n  kind: KrmDynamoConfig\n"
              "  metadata:\n    name: c\n  operatorVersion: \"1.1\"\n")
    modules = _krm_modules_after(_bundled_example(config))
    assert not LOADED_FOR_1_1 & ALLOWED_KRM_MODULES
    assert modules >= LOADED_FOR_1_1, sorted(LOADED_FOR_1_1 - modules)
    assert "krm_dynamo.render.backends.sglang" not in modules  # a backend's module only for its pods


def test_no_dgd_builds_no_default_tables():
    """The sourced default tables are built only when a DGD is expanded."""
    probe = PROBE.replace('("pydantic", "jsonschema", "ruamel")', '("krm_dynamo.defaults", "dataclasses")')
    assert probe != PROBE
    proc = subprocess.run([sys.executable, "-c", probe], input=NO_DGD, capture_output=True, cwd=REPO, timeout=60,
                          check=True)
    assert proc.stdout.decode().strip() == "0 -"


def test_no_dgd_reads_no_kubernetes_schemas():
    """The embedded types' schemas (kube/schemas-<version>.json) are read only when a DGD is expanded."""
    modules = '("krm_dynamo.kube.schemas", "krm_dynamo.graph.embedded")'
    probe = PROBE.replace('("pydantic", "jsonschema", "ruamel")', modules)
    assert probe != PROBE
    for stdin, expected in ((NO_DGD, "0 -"), (WITH_DGD, "0 krm_dynamo.graph.embedded,krm_dynamo.kube.schemas")):
        proc = subprocess.run([sys.executable, "-c", probe], input=stdin, capture_output=True, cwd=REPO, timeout=60,
                              check=True)
        assert proc.stdout.decode().strip() == expected


def test_a_0_6_run_never_loads_the_worker_hash():
    """M01 is 1.x only: a 0.6 run imports neither the hash nor the Go encoder (nor reads their layout);
    a 1.1 run with a worker does (about 2 ms for the layout, well under 1 ms per hash)."""
    modules = '("krm_dynamo.graph.workerhash", "krm_dynamo.kube.gostruct")'
    probe = PROBE.replace('("pydantic", "jsonschema", "ruamel")', modules)
    assert probe != PROBE
    worker = WITH_DGD.replace(b"componentType: planner", b"componentType: worker")
    config_1_1 = b"""functionConfig:
  apiVersion: fn.krm-dynamo.dev/v1alpha1
  kind: KrmDynamoConfig
  metadata:
    name: c
  operatorVersion: "1.1"
"""
    want = "krm_dynamo.graph.workerhash,krm_dynamo.kube.gostruct"
    for stdin, expected in ((WITH_DGD, "0 -"), (worker, "0 -"), (worker + config_1_1, f"0 {want}")):
        proc = subprocess.run([sys.executable, "-c", probe], input=stdin, capture_output=True, cwd=REPO, timeout=60,
                              check=True)
        assert proc.stdout.decode().strip() == expected


def test_render_features11_compiles_no_pattern_at_import():
    """render.features11 is imported by the pod builder of every 1.1 render: it reads Go's
    ``strconv.Atoi`` with plain string tests, so its import compiles no regular expression."""
    probe = ("import re, sys\nimport krm_dynamo.render.features11\n"
             "m = sys.modules['krm_dynamo.render.features11']\n"
             "print(sorted(k for k, v in vars(m).items() if isinstance(v, re.Pattern)), 're' in vars(m))")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, cwd=REPO, timeout=60, check=True)
    assert proc.stdout.decode().strip() == "[] False"
