# SPDX-License-Identifier: Apache-2.0
"""The pure core: ``expand(items, function_config) -> (items, results)``.

No stdin, stdout, environment, clock or network here (kyaml ``fn/framework`` shape):
the CLI reads and writes, this module only decides what the output items are.

Rules it owns (how a KRM function treats the ResourceList it is given):

* dispatch by (apiVersion, kind); every other item passes through untouched;
* generated objects go right after their DGD, in a fixed kind order;
* ownership (D33, :mod:`krm_dynamo.ownership`): an earlier output of ours is replaced
  in its own file, so a second run on our own output changes nothing; an earlier output
  no DGD generates any more is removed (a PersistentVolumeClaim is kept, with a
  warning); a user's object with the identity of a generated one is an error;
* two DGDs that would generate the same object are an error;
* a DGD with any error contributes nothing to the output;
* the DGD itself is kept as local-config, dropped or kept live (D3).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from krm_dynamo.config import (
    CONFIG_API_VERSION,
    CONFIG_KIND,
    DEFAULT_OPERATOR_VERSION,
    FunctionConfig,
    is_config_object,
    load_config,
)
from krm_dynamo.kio.results import (
    ERROR,
    INFO,
    LOCAL_CONFIG,
    PATH_ANNOTATIONS,
    WARNING,
    Result,
    annotations_of,
    has_errors,
)
from krm_dynamo.ownership import Files, Identity, claim, identity, place

DGD_GROUP = "nvidia.com"
DGD_KIND = "DynamoGraphDeployment"
DGD_API_VERSION = "nvidia.com/v1alpha1"

# Generated objects follow their DGD in this order (apply order: storage, then the
# Services workloads resolve, the Volcano gang before the pods it schedules, workloads,
# scaling, then exposure). Unknown kinds last.
KIND_ORDER = (
    "ServiceAccount",
    "Role",
    "RoleBinding",
    "PersistentVolumeClaim",
    "Service",
    "PodGroup",
    "Deployment",
    "LeaderWorkerSet",
    "PodCliqueSet",
    "HorizontalPodAutoscaler",
    "Ingress",
    "VirtualService",
)
_KIND_RANK = {kind: rank for rank, kind in enumerate(KIND_ORDER)}

# YAML nesting is bounded when it is read, and so is the text values hold that is parsed
# again (registrySecrets, DYN_DEPLOYMENT_CONFIG, .dockerconfigjson), each with a message
# naming its field. This message is the last resort, should recursion run out anywhere else.
_TOO_DEEP = "{what} holds a value nested too deeply to process (for example JSON text nested hundreds of levels)"

Obj = dict[str, Any]  # a KRM object as YAML gives it
# (dgd, cfg, items, run) -> (objects, results); ``run`` is a scratch dict shared by the
# expanders of one run, for indexes of the items built once (never per DGD: that is quadratic).
Expander = Callable[[Obj, FunctionConfig, list[Any], dict[str, Any]], tuple[list[Obj], list[Result]]]


def _expand_v1alpha1(dgd: Obj, cfg: FunctionConfig, items: list[Any],
                     run: dict[str, Any]) -> tuple[list[Obj], list[Result]]:
    # Imported here, not at module level: the DGD machinery (defaults tables, rules,
    # builders) is only needed when a DGD is present (start-up is paid on every `kustomize build`).
    from krm_dynamo.graph.discovery import Inventory
    from krm_dynamo.pipeline import expand_graph

    if "inventory" not in run:
        run["inventory"] = Inventory(items)
    return expand_graph(dgd, cfg, run["inventory"])


# (apiVersion, kind) -> expander. A later DGD version is a new entry here.
EXPANDERS: dict[tuple[str, str], Expander] = {
    (DGD_API_VERSION, DGD_KIND): _expand_v1alpha1,
}


def expand(items: list[Any], function_config: Any = None,
           overrides: dict[str, Any] | None = None) -> tuple[list[Any], list[Result]]:
    """Expand every DGD in ``items``; return the output items and the results.

    ``overrides``: settings that win over every carrier (``render --operator-version``).
    ``items`` is not modified. When the configuration itself is wrong nothing is
    expanded and the items come back as they were.
    """
    try:
        cfg, results = load_config(function_config, items, overrides)
    except RecursionError:  # JSON text in a setting nested deeper than Python parses
        return list(items), [Result(_TOO_DEEP.format(what="a functionConfig setting"), ERROR, function_config)]
    if cfg.warningsAsErrors:
        results[:] = _as_errors(results)
    if has_errors(results):
        return list(items), results
    generated, summaries = _generate(items, cfg, results)
    claims = claim(items, generated, _is_expandable, results)
    for index in claims.refused:
        generated.pop(index, None)  # a graph whose objects a user's object holds generates nothing
    refused = {id(summaries[index]) for index in claims.refused if index in summaries}
    results[:] = [r for r in results if id(r) not in refused]  # no "expanded into …" for a graph that did not
    files = Files(items, claims)

    out: list[Any] = []
    for index, item in enumerate(items):
        if index in claims.dropped:
            continue
        if isinstance(item, dict) and _is_expandable(item):
            kept = _graph_output(item, cfg)
            if kept is not None:
                out.append(kept)
        elif is_config_object(item):
            out.append(_with_annotation(item, LOCAL_CONFIG, "true"))
        else:
            out.append(item)
        for obj in generated.get(index, ()):
            ident = identity(obj)
            out.append(place(obj, item, claims.previous.get(ident) if ident is not None else None, files))
    if cfg.warningsAsErrors:
        results[:] = _as_errors(results)
    return out, results


def _as_errors(results: list[Result]) -> list[Result]:
    """D35 (``warningsAsErrors``): every warning about the input as an error; the notice of an
    incomplete operator profile (it has no resource) is about this tool and stays a warning."""
    return [Result(r.message, ERROR, r.resource, r.field_path, r.line)
            if r.severity == WARNING and not _is_release_notice(r) else r for r in results]


def _is_release_notice(result: Result) -> bool:
    return result.resource is None and result.message.startswith("operatorVersion ")


def _generate(items: list[Any], cfg: FunctionConfig,
              results: list[Result]) -> tuple[dict[int, list[Obj]], dict[int, Result]]:
    """The objects each expandable item generates, and its summary result, by its index; problems
    go to ``results``.

    A DGD with any error, or one that would generate an object an earlier DGD already
    generates, contributes nothing.
    """
    generated: dict[int, list[Obj]] = {}
    summaries: dict[int, Result] = {}
    owners: dict[Identity | None, Obj] = {}  # identity of a generated object -> the DGD that generates it
    run: dict[str, Any] = {}  # the expanders' per-run indexes
    expanded = False
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            from krm_dynamo.kio.display import a_type_name  # the YAML name ("an integer"), as every message says

            results.append(Result(f"`items[{index}]` must be a KRM object (a mapping), got {a_type_name(item)}", ERROR))
            continue
        expander = _expander_for(item, results)
        if expander is None:
            continue
        expanded = True
        try:
            objects, dgd_results = expander(item, cfg, items, run)
        except RecursionError:  # e.g. JSON text in an env value, nested deeper than Python parses
            results.append(Result(_TOO_DEEP.format(what="the graph"), ERROR, item))
            continue
        results.extend(dgd_results)
        if has_errors(dgd_results):
            continue  # a DGD with errors contributes nothing half-expanded
        clashes = [_clash(o, owners[identity(o)], item) for o in objects if identity(o) in owners]
        if clashes:
            results.extend(clashes)  # two graphs (or one twice) would own the same object
            continue
        owners.update((identity(o), item) for o in objects)
        generated[index] = sorted(objects, key=lambda o: _KIND_RANK.get(str(o.get("kind")), len(KIND_ORDER)))
        summaries[index] = Result(_summary(item, objects), INFO, item)
        results.append(summaries[index])
    if expanded and cfg.operatorVersion != DEFAULT_OPERATOR_VERSION:
        from krm_dynamo.pipeline import release_notice  # a DGD was read: the pipeline is loaded already

        notice = release_notice(cfg)  # D34: only while the release's profile is incomplete
        if notice is not None:
            results.append(notice)
    return generated, summaries


def _expander_for(item: Obj, results: list[Result]) -> Expander | None:
    api_version, kind = item.get("apiVersion"), item.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str):
        return None  # not ours; passes through as it came
    expander = EXPANDERS.get((api_version, kind))
    if expander is not None:
        return expander
    if kind == DGD_KIND or api_version.startswith(DGD_GROUP + "/") or (
            (kind == CONFIG_KIND) != (api_version == CONFIG_API_VERSION)):
        # Here only: an item of the DGD's kind or group that is not expanded, or a settings object
        # with a wrong kind or apiVersion (an unknown version, a misspelling) is told so; a run
        # without one never loads the check.
        from krm_dynamo import lookalikes

        lookalikes.check(item, api_version, kind, results)
    return None


def _is_expandable(item: Obj) -> bool:
    api_version, kind = item.get("apiVersion"), item.get("kind")
    return isinstance(api_version, str) and isinstance(kind, str) and (api_version, kind) in EXPANDERS


def _graph_output(dgd: Obj, cfg: FunctionConfig) -> Obj | None:
    """The DGD as it leaves the function (D3): local-config by default, dropped, or kept live."""
    if cfg.graphDeployment == "drop":
        return None
    if cfg.graphDeployment == "keep":
        return dgd
    return _with_annotation(dgd, LOCAL_CONFIG, "true")


def _with_annotation(obj: Obj, key: str, value: str) -> Obj:
    """A shallow copy of ``obj`` with one annotation set; everything else untouched.

    ``obj`` itself when its ``metadata`` or ``metadata.annotations`` is there but not a
    mapping: that object is an error of its own, and its text is kept, never replaced.
    """
    meta = obj.get("metadata")
    if meta is not None and not isinstance(meta, dict):
        return obj
    meta = meta or {}
    if meta.get("annotations") is not None and not isinstance(meta.get("annotations"), dict):
        return obj
    annotations = annotations_of(obj)
    if annotations.get(key) == value:
        return obj
    new_meta = dict(meta)
    new_meta["annotations"] = {**annotations, key: value}
    new_obj = dict(obj)
    new_obj["metadata"] = new_meta
    return new_obj


_NO_IDENTITY: Identity = ("", "", "", "")  # never used: generated objects and their DGDs have names


def _clash(obj: Obj, owner: Obj, dgd: Obj) -> Result:
    """An object two DGDs (or two copies of one) would both generate: an error on the later one,
    naming the earlier DGD and, when known, its file."""
    _, kind, namespace, name = identity(obj) or _NO_IDENTITY
    _, other_kind, other_namespace, other_name = identity(owner) or _NO_IDENTITY
    what = f"{kind} \"{namespace + '/' if namespace else ''}{name}\""
    other = f"{other_kind} \"{other_namespace + '/' if other_namespace else ''}{other_name}\""
    annotations = annotations_of(owner)
    path = next((annotations[k] for k in PATH_ANNOTATIONS if annotations.get(k)), None)
    where = f" (file {path})" if path else ""
    return Result(
        f"generates {what}, which the {other}{where} earlier in the input also generates; "
        "object names must be unique (rename the graph or the service)",
        ERROR,
        dgd,
        "metadata.name",
    )


def _summary(dgd: Obj, objects: list[Obj]) -> str:
    """One info line per DGD: ``expanded into 2 Deployments, 1 Service``."""
    counts: dict[str, int] = {}
    for obj in objects:
        counts[obj["kind"]] = counts.get(obj["kind"], 0) + 1
    if not counts:
        return "expanded into no objects"
    parts = []
    for kind in sorted(counts, key=lambda k: (_KIND_RANK.get(k, len(KIND_ORDER)), k)):
        n = counts[kind]
        parts.append(f"{n} {kind}{'' if n == 1 else ('es' if kind.endswith('s') else 's')}")
    return "expanded into " + ", ".join(parts)
