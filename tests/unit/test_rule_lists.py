# SPDX-License-Identifier: Apache-2.0
"""The rule lists of ``graph/rules``: a release runs only the rules of the changes it has, and that
leaves out nothing that would report.

A rule module of a later change (``LATER_MODULES``) is imported only for a release with that change,
one of a feature (``FEATURE_MODULES``) only for a DGD that uses it (start-up). The claim that its rules
have nothing to say before it (or without it) is checked here: every golden and validation input, under
every release, gives the same results with every rule run.
"""

from __future__ import annotations

import copy
from pathlib import Path
from types import SimpleNamespace

import pytest

from krm_dynamo import defaults
from krm_dynamo.core import expand
from krm_dynamo.defaults import catalog
from krm_dynamo.graph import rules, validation
from krm_dynamo.kio import yamlio

TESTS = Path(__file__).resolve().parent.parent
INPUTS = sorted([*(TESTS / "cases").glob("*/input.yaml"), *(TESTS / "validation" / "cases").glob("*.yaml")])


def _items(path: Path) -> list:
    return [d for d in yamlio.load_documents(path.read_text(encoding="utf-8"), str(path)) if d is not None]


def _config(release: str) -> dict:
    return {"apiVersion": "fn.krm-dynamo.dev/v1alpha1", "kind": "KrmDynamoConfig", "metadata": {"name": "c"},
            "operatorVersion": release}


def test_every_rule_is_listed_once_and_resolves():
    """A rule of a later or feature module is listed by name, any other by itself; each resolves to a function."""
    graph_rules, service_rules = rules.rules_for(defaults.for_release(), every=True)
    assert len(graph_rules) == len(rules.GRAPH_RULES) and len(service_rules) == len(rules.SERVICE_RULES)
    assert all(callable(r) for r in (*graph_rules, *service_rules))
    names = []
    for rule in (*rules.GRAPH_RULES, *rules.SERVICE_RULES):
        if isinstance(rule, str):
            assert rule.partition(".")[0] in {*rules.LATER_MODULES, *rules.FEATURE_MODULES}, rule
            names.append(rule)
        else:
            module = rule.__module__.removeprefix("krm_dynamo.graph.rules.")
            assert module not in {*rules.LATER_MODULES, *rules.FEATURE_MODULES}, f"{module}.{rule.__name__}: by name"
            names.append(f"{module}.{rule.__name__}")
    assert len(names) == len(set(names))


def test_later_modules_name_catalogued_changes():
    for module, change in rules.LATER_MODULES.items():
        assert change in catalog.BY_ID, module
        assert not catalog.applies(catalog.BY_ID[change], defaults.DEFAULT_RELEASE), module


def test_a_release_runs_the_rules_of_its_changes():
    """0.6 runs none of the later modules' rules; 1.1 (the latest) runs them all."""
    later = {r for r in (*rules.GRAPH_RULES, *rules.SERVICE_RULES)
             if isinstance(r, str) and r.partition(".")[0] in rules.LATER_MODULES}
    ran_0_6 = rules.rules_for(defaults.for_release("0.6"))
    ran_1_1 = rules.rules_for(defaults.for_release("1.1"))
    every = rules.rules_for(defaults.for_release(), every=True)
    assert later and sum(map(len, every)) - sum(map(len, ran_0_6)) == len(later)
    assert ran_1_1 == every


@pytest.mark.parametrize("release", sorted(defaults.RELEASES))
def test_skipped_rules_would_report_nothing(release: str, monkeypatch):
    """Each input under ``release``: the results of the rules it runs equal those of every rule."""
    inputs = [(path, _items(path)) for path in INPUTS]
    config = _config(release)
    wanted = [expand(copy.deepcopy(items), copy.deepcopy(config)) for _, items in inputs]
    monkeypatch.setattr(validation, "rules_for", lambda table, derived: rules.rules_for(table, every=True))
    for (path, items), (objects, results) in zip(inputs, wanted, strict=True):
        assert expand(copy.deepcopy(items), copy.deepcopy(config)) == (objects, results), path


def _graph(grove_mode=False, multinode=False, pod=None, main=None, volume_mounts=None, shared_memory=None,
           ingress=None, spec=None, graph_envs=None):
    unset = {"volumeMounts": None, "sharedMemory": None, "ingress": None, "labels": None, "annotations": None,
             "extraPodMetadata": None, "envs": None}
    plain = SimpleNamespace(multinode=False, pod_fields={}, main_container={}, ingress=None, service_configs=[],
                            workers=None, spec=SimpleNamespace(**unset))
    service = SimpleNamespace(multinode=multinode, pod_fields=pod or {}, main_container=main or {},
                              ingress=ingress, service_configs=[], workers=None,
                              spec=SimpleNamespace(**{**unset, "volumeMounts": volume_mounts,
                                                      "sharedMemory": shared_memory, **(spec or {})}))
    return SimpleNamespace(grove_mode=grove_mode, services={"a": plain, "b": service},
                           graph=SimpleNamespace(envs=graph_envs), graph_configs=[])


def _modules(found):
    return {r.__module__.rpartition(".")[2] for r in (*found[0], *found[1])}


@pytest.mark.parametrize(("graph", "used"), [
    (_graph(), set()),
    (_graph(multinode=True), {"multinode", "podnames"}),
    (_graph(grove_mode=True), {"podnames"}),
    (_graph(pod={"serviceAccountName": "sa"}), {"overrides"}),
    (_graph(pod={"schedulerName": "volcano"}), {"overrides"}),
    (_graph(pod={"serviceAccountName": ""}), set()),
    (_graph(pod={"restartPolicy": "Never"}), {"workload"}),
    (_graph(pod={"activeDeadlineSeconds": 5}, grove_mode=True), {"podnames"}),
    (_graph(pod={"volumes": []}), {"storage"}),
    (_graph(pod={"initContainers": []}), {"storage"}),
    (_graph(main={"volumeMounts": []}), {"storage"}),
    (_graph(volume_mounts=[object()]), {"storage"}),
    (_graph(shared_memory=object()), {"storage"}),
    (_graph(ingress=SimpleNamespace(enabled=True)), {"networking"}),
    (_graph(ingress=SimpleNamespace(enabled=False)), set()),
    (_graph(spec={"ingress": object()}), {"networking"}),
    (_graph(spec={"labels": {"a": "b"}}), {"networking"}),
    (_graph(spec={"labels": {}}), set()),
    (_graph(spec={"annotations": {"a": "b"}}), {"networking"}),
    (_graph(spec={"extraPodMetadata": object()}), {"networking"}),
    (_graph(spec={"envs": [{"name": "A"}]}), {"envs"}),
    (_graph(spec={"envs": []}), set()),
    (_graph(graph_envs=[{"name": "A"}]), {"envs"}),
])
def test_a_feature_module_runs_for_a_dgd_that_uses_it(graph, used):
    """A feature module's rules resolve for a DGD that uses its feature only (and all when no DGD is given)."""
    table = defaults.for_release("0.6")
    assert _modules(rules.rules_for(table, graph)) & set(rules.FEATURE_MODULES) == used
    assert set(rules.FEATURE_MODULES) <= _modules(rules.rules_for(table))
