# SPDX-License-Identifier: Apache-2.0
"""Generate ``krm_dynamo/kube/schemas-<version>.json``: the Kubernetes types a DGD embeds, as JSON Schema.

    python scripts/generate_kube_schemas.py          # rewrite the files
    python scripts/generate_kube_schemas.py --check  # exit 1 when a file differs

The source is the maintained ``kubernetes-validate`` package (a test dependency), which
ships the Kubernetes OpenAPI definitions as JSON Schema for many Kubernetes versions
(about 108 MB in all). The runtime needs one version and a few types, so this script
takes from the strict definitions of each of :data:`KUBERNETES_VERSIONS` only the closure
of :data:`ROOTS` (about 120 types) and only the keywords the check uses. The result is
data, generated, never edited by hand: ``tests/test_kube_schemas.py`` regenerates the files
and fails when a committed one differs.

Changes to the source, each needed by the check:

* ``description``, ``format`` and the ``x-kubernetes-*`` annotations are left out
  (not used for validation; they make up most of the size);
* ``oneOf`` becomes ``anyOf``: IntOrString and Quantity are "string or integer/number",
  each branch also allowing null, so a null would match both branches and fail
  ``oneOf``; the API server treats a null as unset;
* ``$ref`` points into this one document (``#/$defs/<name>``);
* every definition gets a ``title``, its short type name (``Container``), so that a
  message can name the type a field belongs to.

One file per Kubernetes version an operator release builds against (its ``k8s.io/api``
module): 1.33 for operator 0.6 (``stopSignal`` in ``Lifecycle`` is there,
``hostnameOverride`` in ``PodSpec`` is not yet), 1.34 for operators 1.0 and 1.1
(``hostnameOverride``, the container's ``restartPolicyRules``). The DGD CRD of each release
embeds exactly those types.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

KUBERNETES_VERSIONS = ("1.33.0", "1.34.0")
OUTPUT_DIR = Path(__file__).resolve().parent.parent / "krm_dynamo" / "kube"


def output(version: str) -> Path:
    """The generated file of Kubernetes ``version`` (``1.34.0``): ``schemas-1.34.json``."""
    return OUTPUT_DIR / f"schemas-{version.rsplit('.', 1)[0]}.json"

# The types a DGD embeds; their closure (every type they reference) is kept.
ROOTS = (
    "io.k8s.api.core.v1.PodSpec",
    "io.k8s.api.core.v1.Container",
    "io.k8s.api.core.v1.Probe",
    "io.k8s.api.core.v1.EnvVar",
    "io.k8s.api.autoscaling.v2.MetricSpec",
    "io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerBehavior",
)

# JSON Schema keywords the check uses; everything else is left out.
_KEYWORDS = {"type", "properties", "additionalProperties", "items", "required", "$ref", "anyOf", "oneOf"}
_REF_PREFIX = "#/$defs/"


def source_definitions(version: str = KUBERNETES_VERSIONS[0]) -> dict[str, Any]:
    """The strict ``$defs`` of Kubernetes ``version`` from the installed ``kubernetes-validate``."""
    import kubernetes_validate  # a test/build dependency only

    path = (Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"
            / f"v{version}-local-strict" / "_definitions.json")
    with open(path, encoding="utf-8") as fh:
        defs: dict[str, Any] = json.load(fh)["$defs"]
    return defs


def closure(defs: dict[str, Any], roots: tuple[str, ...] = ROOTS) -> list[str]:
    """The names of ``roots`` and of every definition they reference, directly or not, sorted."""
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(_refs(defs[name]))
    return sorted(seen)


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        out = [node["$ref"].rsplit("/", 1)[-1]] if isinstance(node.get("$ref"), str) else []
        for key, value in node.items():
            out += [r for v in value.values() for r in _refs(v)] if key == "properties" else _refs(value)
        return out
    if isinstance(node, list):
        return [r for item in node for r in _refs(item)]
    return []


def _slim(node: Any) -> Any:
    """``node`` with only the validation keywords, ``oneOf`` as ``anyOf``, local references."""
    if isinstance(node, list):
        return [_slim(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key not in _KEYWORDS:
            continue
        if key == "properties":
            out[key] = {name: _slim(sub) for name, sub in value.items()}
        elif key == "$ref":
            out[key] = _REF_PREFIX + value.rsplit("/", 1)[-1]
        else:
            out["anyOf" if key == "oneOf" else key] = _slim(value)
    return out


def generate(version: str = KUBERNETES_VERSIONS[0], defs: dict[str, Any] | None = None) -> str:
    """The text of the file of Kubernetes ``version`` (sorted keys, one value per line: reviewable diffs)."""
    defs = source_definitions(version) if defs is None else defs
    slim = {name: {"title": name.rsplit(".", 1)[-1], **_slim(defs[name])} for name in closure(defs)}
    document = {
        "description": f"Kubernetes {version} types embedded in a DynamoGraphDeployment; generated by "
                       "scripts/generate_kube_schemas.py from kubernetes-validate, do not edit",
        "kubernetesVersion": version,
        "$defs": slim,
    }
    return json.dumps(document, indent=0, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the committed file differs")
    args = parser.parse_args(argv)
    status = 0
    for version in KUBERNETES_VERSIONS:
        text, path = generate(version), output(version)
        if args.check:
            same = path.is_file() and path.read_text(encoding="utf-8") == text
            print(f"{path}: {'up to date' if same else 'differs; run scripts/generate_kube_schemas.py'}")
            status |= 0 if same else 1
            continue
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path} ({len(text.encode())} bytes)")
    return status


if __name__ == "__main__":
    sys.exit(main())
