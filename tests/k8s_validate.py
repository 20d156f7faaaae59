# SPDX-License-Identifier: Apache-2.0
"""Offline, fast Kubernetes schema validation for generated objects (tests only).

Built on the JSON schemas bundled with the ``kubernetes-validate`` package, but
without its ``validate()`` entry point, which re-reads the 1.3 MB
``_definitions.json`` on every call (10–16 ms per object). Here the
definitions are loaded once per process into a ``referencing.Registry`` and one
``Draft202012Validator`` is built and cached per (apiVersion, kind).

The *strict* schemas are used (``additionalProperties: false`` everywhere), so an
unknown or misspelt field is a failure, as it is for ``kubectl apply`` with
server-side field validation.

Kinds that have no upstream schema are skipped only if they are on the explicit
allow-list :data:`NO_SCHEMA`; any other kind without a schema is reported as a
problem, so nothing is skipped silently. The pod templates inside a
LeaderWorkerSet and the pod specs inside a Grove PodCliqueSet are still checked,
by wrapping each in a ``v1`` ``PodTemplate``; LeaderWorkerSet, PodGroup and
PodCliqueSet themselves are checked against minimal schemas the tests own
(``tests/schemas/``, :data:`CRD_SCHEMAS`).
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any, Iterable

import jsonschema
import kubernetes_validate
from referencing import Registry, Resource

from krm_dynamo import defaults

# Output of an operator release is checked against the Kubernetes release that operator builds
# against (go.mod's k8s.io/api): the release table's ``kubernetes_version``, the one place that
# says it (0.6 -> 1.33, 1.0 and 1.1 -> 1.34; the bundle holds 1.25 ... 1.37). Output of 1.x needs
# 1.34: the DRA ``resourceClaims`` entries of ``resources.claims`` and the GPU memory service's
# resource.k8s.io/v1 (GA in 1.34) are not in older schemas.


def version_of_release(release: str) -> str:
    """The full Kubernetes version (``1.34.0``) to check the output of operator ``release`` against."""
    return f"{defaults.for_release(release).kubernetes_version}.0"


KUBERNETES_VERSION = version_of_release(defaults.DEFAULT_RELEASE)
_BUNDLE = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"


def version_for(function_config: dict | None) -> str:
    """The Kubernetes version to check the output of a run with ``function_config`` against."""
    config = function_config or {}
    release = config.get("operatorVersion") or (config.get("data") or {}).get("operatorVersion")
    return version_of_release(str(release or defaults.DEFAULT_RELEASE))


def _schema_dir(version: str) -> Path:
    return _BUNDLE / f"v{version}-local-strict"

# (apiVersion, kind) of objects that legitimately have no bundled schema.
NO_SCHEMA: frozenset[tuple[str, str]] = frozenset(
    {
        ("nvidia.com/v1alpha1", "DynamoGraphDeployment"),
        ("networking.istio.io/v1beta1", "VirtualService"),
        ("leaderworkerset.x-k8s.io/v1", "LeaderWorkerSet"),
        ("scheduling.volcano.sh/v1beta1", "PodGroup"),
        ("grove.io/v1alpha1", "PodCliqueSet"),
        ("inference.networking.k8s.io/v1", "InferencePool"),
        ("grove.io/v1alpha1", "ClusterTopology"),  # an input item (D62), passed through
        ("fn.krm-dynamo.dev/v1alpha1", "KrmDynamoConfig"),
    }
)


# Minimal schemas the tests own for the CRD kinds (``tests/schemas/``, written from the
# upstream types' published structure): checked in addition to the embedded pod templates.
CRD_SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
CRD_SCHEMAS: dict[tuple[str, str], str] = {
    ("leaderworkerset.x-k8s.io/v1", "LeaderWorkerSet"): "leaderworkerset.json",
    ("scheduling.volcano.sh/v1beta1", "PodGroup"): "podgroup.json",
    ("grove.io/v1alpha1", "PodCliqueSet"): "podcliqueset.json",
    ("inference.networking.k8s.io/v1", "InferencePool"): "inferencepool.json",
}


@functools.lru_cache(maxsize=None)
def crd_validator(api_version: str, kind: str) -> jsonschema.Draft202012Validator | None:
    """Validator of a test-owned CRD schema (its ``_common.json`` references resolved), or None."""
    name = CRD_SCHEMAS.get((api_version, kind))
    if name is None:
        return None
    registry = Registry()
    for path in CRD_SCHEMA_DIR.glob("*.json"):
        with open(path, encoding="utf-8") as fh:
            contents = json.load(fh)
        registry = registry.with_resource(contents["$id"], Resource.from_contents(contents))
    with open(CRD_SCHEMA_DIR / name, encoding="utf-8") as fh:
        schema = json.load(fh)
    return jsonschema.Draft202012Validator(schema, registry=registry)


def schema_file(api_version: str, kind: str, version: str = KUBERNETES_VERSION) -> Path:
    """Bundled schema file for a kind, named as kubernetes-validate names it.

    ``apps/v1`` -> ``apps-v1``, ``networking.k8s.io/v1`` -> ``networking-v1``,
    ``v1`` -> ``v1``.
    """
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    return _schema_dir(version) / f"{kind.lower()}-{group_version}.json"


@functools.cache
def _registry(version: str = KUBERNETES_VERSION) -> Registry:
    """The shared ``_definitions.json`` of a version, loaded once per process."""
    with open(_schema_dir(version) / "_definitions.json", encoding="utf-8") as fh:
        definitions = json.load(fh)
    return Resource.from_contents(definitions) @ Registry()


@functools.lru_cache(maxsize=None)
def _validator(api_version: str, kind: str, version: str = KUBERNETES_VERSION
               ) -> jsonschema.Draft202012Validator | None:
    """Cached validator for (apiVersion, kind), or None when no schema is bundled."""
    path = schema_file(api_version, kind, version)
    if not path.is_file():
        return None
    with open(path, encoding="utf-8") as fh:
        schema = json.load(fh)
    registry = Resource.from_contents(schema) @ _registry(version)
    return jsonschema.Draft202012Validator(schema, registry=registry)


def _describe(obj: Any) -> str:
    if not isinstance(obj, dict):
        return f"<{type(obj).__name__}>"
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    ns = meta.get("namespace")
    name = meta.get("name", "<no name>")
    return f"{obj.get('apiVersion')}/{obj.get('kind')} {ns + '/' if ns else ''}{name}"


def _path(error: jsonschema.ValidationError, prefix: str = "") -> str:
    parts = [prefix] if prefix else []
    for element in error.absolute_path:
        if isinstance(element, int):
            parts[-1:] = [f"{parts[-1]}[{element}]"] if parts else [f"[{element}]"]
        else:
            parts.append(str(element))
    return ".".join(parts) or "<root>"


def _check(validator: jsonschema.Draft202012Validator, obj: Any, where: str, prefix: str = "") -> list[str]:
    problems = []
    errors = sorted(validator.iter_errors(obj), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    for error in errors:
        problems.append(f"{where}: {_path(error, prefix)}: {error.message}")
    return problems


def _embedded_pod_templates(obj: dict) -> Iterable[tuple[str, dict]]:
    """(path, PodTemplateSpec) pairs inside kinds without a schema of their own."""
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else {}
    kind = obj.get("kind")
    if kind == "LeaderWorkerSet":
        lwt = spec.get("leaderWorkerTemplate") if isinstance(spec.get("leaderWorkerTemplate"), dict) else {}
        for key in ("leaderTemplate", "workerTemplate"):
            if key in lwt:
                yield f"spec.leaderWorkerTemplate.{key}", lwt[key]
    elif kind == "PodCliqueSet":
        template = spec.get("template") if isinstance(spec.get("template"), dict) else {}
        for i, clique in enumerate(template.get("cliques") or []):
            clique_spec = clique.get("spec") if isinstance(clique, dict) else None
            if isinstance(clique_spec, dict) and "podSpec" in clique_spec:
                yield f"spec.template.cliques[{i}].spec.podSpec", {"spec": clique_spec["podSpec"]}


def validate_object(obj: Any, version: str = KUBERNETES_VERSION) -> list[str]:
    """Problems of one object against the strict Kubernetes schema; empty = valid.

    Each problem reads ``<apiVersion>/<kind> <ns>/<name>: <field.path>: <message>``.
    Objects on the :data:`NO_SCHEMA` allow-list are not checked themselves (only
    their embedded pod templates are); any other kind without a schema is a problem.
    """
    where = _describe(obj)
    if not isinstance(obj, dict):
        return [f"{where}: not a mapping"]
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str):
        return [f"{where}: apiVersion and kind must be strings"]
    if (api_version, kind) in NO_SCHEMA:
        problems: list[str] = []
        crd = crd_validator(api_version, kind)
        if crd is not None:
            problems.extend(_check(crd, obj, where))
        pod_template = _validator("v1", "PodTemplate", version)
        assert pod_template is not None, "the bundle has no v1 PodTemplate schema"
        for path, template in _embedded_pod_templates(obj):
            wrapped = {"apiVersion": "v1", "kind": "PodTemplate", "metadata": {"name": "x"}, "template": template}
            for problem in _check(pod_template, wrapped, where):
                # Re-root "template.x" at the embedded path.
                problems.append(problem.replace(f"{where}: template", f"{where}: {path}", 1))
        return problems
    validator = _validator(api_version, kind, version)
    if validator is None:
        return [
            f"{where}: no Kubernetes {version} schema for ({api_version}, {kind}) "
            f"and the kind is not on the NO_SCHEMA allow-list"
        ]
    return _check(validator, obj, where)


def validate_all(objs: Iterable[Any], version: str = KUBERNETES_VERSION) -> None:
    """Validate every object; raise one AssertionError that lists every problem."""
    problems: list[str] = []
    for obj in objs:
        problems.extend(validate_object(obj, version))
    if problems:
        raise AssertionError(
            f"{len(problems)} Kubernetes schema problem(s):\n" + "\n".join(f"  {p}" for p in problems)
        )
