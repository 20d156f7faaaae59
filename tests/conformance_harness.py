# SPDX-License-Identifier: Apache-2.0
"""The conformance case format, key by key: what the harness does with every documented key.

The format is the one of ``../shared/conformance/README.md``: a case has ``source``,
``version_note``, ``function``, ``input``, ``expected`` and, where the project departs from the
operator, ``deviation``. Every key those tables define is mapped here, whether or not a shared
case uses it today, and a key the tables do not define fails the case: a case in that format that
the harness cannot map is a harness bug (:class:`HarnessError`), never a skip.

How a case runs (:func:`run_case`):

1. every key is checked against the tables (:data:`CASE_KEYS`, :data:`INPUT_KEYS`, …);
2. ``deviation`` names decisions (``D8``, ``R3``, …); each has a transform in :data:`DEVIATIONS`
   that rewrites ``expected`` into the project's deviated form, whole objects included;
3. ``input.variants`` / ``expected.variants`` split the case into one run per variant;
4. the runner of ``function`` (given by the caller) turns ``input`` into an :class:`Outcome`
   through the project's interfaces; every input key must be read by it;
5. every ``expected`` key is checked against the outcome by its entry in :data:`CHECKS`
   (``derived_exact`` by the same table, recursively).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from conformance_deviations import DEVIATIONS, apply_deviation
from conformance_format import (
    CASE_KEYS,
    DEPLOYER_KEYS,
    DOC_INPUT_KEYS,
    INPUT_KEYS,
    OPERATOR_CONFIG_KEYS,
    VARIANT_EXPECTED_KEYS,
    HarnessError,
    Outcome,
    StepError,
    Tracked,
)

from krm_dynamo import defaults

__all__ = ["CASE_KEYS", "CHECKS", "DEPLOYER_KEYS", "DEVIATIONS", "INPUT_KEYS", "OPERATOR_CONFIG_KEYS",
           "VARIANT_EXPECTED_KEYS", "HarnessError", "Outcome", "Runner", "StepError", "Tracked", "apply_deviation",
           "run_case"]


# --- expected keys -------------------------------------------------------------------------------


def _need(outcome: Outcome, attr: str, key: str) -> Any:
    value = getattr(outcome, attr)
    if value is None:
        raise HarnessError(f"expected.{key} needs the step's {attr}, which this function's runner does not give")
    return value


def assert_fields(actual: dict, expected: dict, what: str) -> None:
    """Only the listed fields; ``<f>_include`` items must be in ``f``, ``<f>_excludes`` names must not."""
    for key, want in expected.items():
        if key == "note":
            continue
        if key.endswith("_include"):
            got = actual.get(key.removesuffix("_include")) or []
            for item in want:
                assert item in got, f"{what}.{key}: {item!r} not in {got!r}"
        elif key.endswith("_excludes"):
            got = actual.get(key.removesuffix("_excludes")) or []
            names = {g.get("name") if isinstance(g, dict) else g for g in got}
            for item in want:
                assert item not in names, f"{what}.{key}: {item!r} must be absent, got {got!r}"
        else:
            got = actual.get(key)
            if want == [] and got in (None, []):
                continue
            assert got == want, f"{what}.{key}: expected {want!r}, got {got!r}"


def _probes(outcome: Outcome, want: dict, key: str) -> None:
    container = _need(outcome, "container", key)
    for kind, probe in want.items():
        if probe is None:
            assert kind not in container, f"{kind} must be absent, got {container.get(kind)!r}"
        else:
            assert container.get(kind) == probe, f"{kind}: expected {probe!r}, got {container.get(kind)!r}"


def _joined(outcome: Outcome, key: str, *fields: str) -> str:
    container = _need(outcome, "container", key)
    return " ".join(part for f in fields for part in container.get(f) or [])


def _contains(text: str, parts: list[str], key: str, present: bool = True) -> None:
    for part in parts:
        assert (part in text) is present, f"expected.{key}: {part!r} {'not ' if present else ''}found in {text!r}"


def _host_text(outcome: Outcome, key: str) -> str:
    return ",".join(_need(outcome, "hosts", key))


def _rows(outcome: Outcome, rows: list[dict], key: str) -> None:
    row_value = _need(outcome, "row", key)
    for row in rows:
        assert row_value(row) == row[outcome.row_key], row


def _derived_exact(outcome: Outcome, want: Any, key: str) -> None:
    if isinstance(want, str):  # a host list, joined
        assert _host_text(outcome, key) == want
    else:
        check_expected(outcome, want, prefix="derived_exact.")


def _pod_spec(outcome: Outcome, want: dict, key: str) -> None:
    assert_fields(_need(outcome, "pod_spec", key), want, "podSpec")


def _clique(objects: list[dict], name: str) -> dict:
    pcs = next(o for o in objects if o["kind"] == "PodCliqueSet")
    return next(c for c in pcs["spec"]["template"]["cliques"] if c["name"] == name)


def _main(pod_spec: dict) -> dict:
    return next(c for c in pod_spec["containers"] if c["name"] == "main")


def _starts_after(outcome: Outcome, want: dict, key: str) -> None:
    objects = _need(outcome, "objects", key)
    for name, after in want.items():
        assert _clique(objects, name)["spec"].get("startsAfter") == after, name


def _startup_type(outcome: Outcome, want: str, key: str) -> None:
    pcs = next(o for o in _need(outcome, "objects", key) if o["kind"] == "PodCliqueSet")
    assert pcs["spec"]["template"]["cliqueStartupType"] == want


def _pod_clique_set(outcome: Outcome, want: dict, key: str) -> None:
    """Whole object, worker-related parts shown: every shown key exact, each shown clique exact."""
    objects = _need(outcome, "objects", key)
    pcs = next(o for o in objects if o["kind"] == "PodCliqueSet")
    for top, value in want.items():
        if top != "spec":
            assert pcs.get(top) == value, top
    for spec_key, value in want.get("spec", {}).items():
        if spec_key != "template":
            assert pcs["spec"].get(spec_key) == value, spec_key
    for template_key, value in want.get("spec", {}).get("template", {}).items():
        if template_key != "cliques":
            assert pcs["spec"]["template"].get(template_key) == value, template_key
            continue
        for clique in value:
            got = _clique(objects, clique["name"])
            if image := _main(clique["spec"]["podSpec"]).get("image"):  # README: fixtures' images are ignored
                for container in got["spec"]["podSpec"]["containers"]:
                    assert container["image"] == image
            assert got == clique, clique["name"]


# Pod labels the operator copies from the DCD's own labels, which the LWS fixture's DCD lacks (README).
_DCD_LABELS = frozenset({defaults.LABEL_GRAPH_NAME, defaults.LABEL_COMPONENT, defaults.LABEL_DYNAMO_NAMESPACE})


def _labels(got: dict, want: dict, where: str, aliased: frozenset[str] = frozenset()) -> None:
    """``want``'s labels exact (the empty graph-name value aside); extra ones only from the DCD's labels
    (and, on the LeaderWorkerSet object, from ``aliased``)."""
    shown = {k: v for k, v in want.items() if k != defaults.LABEL_GRAPH_NAME}
    assert shown.items() <= got.items(), where
    extra = sorted(k for k in got.keys() - want.keys() if k not in _DCD_LABELS | aliased)
    assert not extra, f"{where}: labels the expected object does not have: {extra}"


def _aliased_pod_labels(want_lwt: dict) -> frozenset[str]:
    """Pod-template label keys that reach the LeaderWorkerSet object through the operator's shared map.

    The operator's object labels are the DCD's own label map, which pod-template generation then
    extends (metrics, component types, ``extraPodMetadata`` labels). A DCD made from a DGD always has
    labels, so the object carries them; the upstream fixture's DCD has none, so its object shows only
    ``instance-id``. ``role`` stays a label of each template (D7), never of the object.
    """
    keys = {k for t in ("leaderTemplate", "workerTemplate") for k in want_lwt[t]["metadata"]["labels"]}
    return frozenset(keys - {defaults.LABEL_ROLE})


def _leader_worker_set(outcome: Outcome, want: dict, key: str) -> None:
    """Whole object, worker-related parts shown; labels as :func:`_labels` reads them."""
    lws = next(o for o in _need(outcome, "objects", key) if o["kind"] == "LeaderWorkerSet")
    for top, value in want.items():
        if top not in ("metadata", "spec"):
            assert lws.get(top) == value, top
    for meta_key, value in want["metadata"].items():
        if meta_key == "labels":
            aliased = _aliased_pod_labels(want["spec"]["leaderWorkerTemplate"])
            _labels(lws["metadata"]["labels"], value, "metadata.labels", aliased)
        else:
            assert lws["metadata"].get(meta_key) == value, meta_key
    assert {k: v for k, v in lws["spec"].items() if k != "leaderWorkerTemplate"} == {
        k: v for k, v in want["spec"].items() if k != "leaderWorkerTemplate"}
    got_lwt, want_lwt = lws["spec"]["leaderWorkerTemplate"], want["spec"]["leaderWorkerTemplate"]
    assert {k: v for k, v in got_lwt.items() if not k.endswith("Template")} == {
        k: v for k, v in want_lwt.items() if not k.endswith("Template")}
    for template in ("leaderTemplate", "workerTemplate"):
        got, exp = got_lwt[template], want_lwt[template]
        _labels(got["metadata"]["labels"], exp["metadata"]["labels"], f"{template}.metadata.labels")
        assert {k: v for k, v in got["metadata"].items() if k != "labels"} == {
            k: v for k, v in exp["metadata"].items() if k != "labels"}, template
        assert got["spec"] == exp["spec"], template


def _flag(outcome: Outcome, index: int, want: Any, key: str) -> None:
    assert _need(outcome, "flags", key)[index] == want


def _volume_count(outcome: Outcome, want: int, key: str) -> None:
    assert len(_need(outcome, "pod_spec", key).get("volumes") or []) == want


def _variants_misplaced(outcome: Outcome, want: Any, key: str) -> None:
    raise HarnessError(f"expected.{key} is split per variant before checking; it cannot be checked here")


# expected key -> check(outcome, value, key). Every key of the README's `expected` table is here.
CHECKS: dict[str, Callable[[Outcome, Any, str], None]] = {
    "assert": lambda o, v, k: None,  # documentation of the upstream comparison
    "note": lambda o, v, k: None,  # remark
    "container": lambda o, v, k: assert_fields(_need(o, "container", k), v, "container"),
    "probes": _probes,
    "argsContains": lambda o, v, k: _contains(_joined(o, k, "args"), v, k),
    "commandArgsContains": lambda o, v, k: _contains(_joined(o, k, "command", "args"), v, k),
    "commandArgsNotContains": lambda o, v, k: _contains(_joined(o, k, "command", "args"), v, k, present=False),
    "contains": lambda o, v, k: _contains(_host_text(o, k), v, k),
    "count": lambda o, v, k: _count(o, v, k),
    "hosts_used": lambda o, v, k: _contains(_joined(o, k, "args"), [",".join(v)], k),
    "flags": lambda o, v, k: _flag(o, 0, v, k),
    "needsShell": lambda o, v, k: _flag(o, 1, v, k),
    "volumeCount": _volume_count,
    "podSpec": _pod_spec,
    "cases": _rows,
    "startsAfter": _starts_after,
    "cliqueStartupType": _startup_type,
    "podCliqueSet": _pod_clique_set,
    "leaderWorkerSet": _leader_worker_set,
    "derived_exact": _derived_exact,
    "variants": _variants_misplaced,
}


def _count(outcome: Outcome, want: int, key: str) -> None:
    hosts = _need(outcome, "hosts", key)
    assert len(hosts) == want and all(hosts), hosts


def check_expected(outcome: Outcome, expected: dict, prefix: str = "") -> None:
    """Every key of ``expected`` checked by its entry in :data:`CHECKS`; an unknown key is a harness bug."""
    for key, value in expected.items():
        check = CHECKS.get(key)
        if check is None:
            raise HarnessError(f"expected.{prefix}{key} is not a key of the documented format")
        if outcome.error is not None:
            raise AssertionError(f"the step reported an error, none expected: {outcome.error}")
        check(outcome, value, prefix + key)


# --- one case -------------------------------------------------------------------------------------


def check_keys(case: dict) -> None:
    """Every key of the case is documented (README tables); else a :class:`HarnessError`."""
    for where, keys, allowed in (
        ("case", case, CASE_KEYS),
        ("input", case.get("input") or {}, INPUT_KEYS),
        ("input.deployer", (case.get("input") or {}).get("deployer") or {}, DEPLOYER_KEYS),
        ("input.operatorConfig", (case.get("input") or {}).get("operatorConfig") or {}, OPERATOR_CONFIG_KEYS),
        ("expected", case.get("expected") or {}, frozenset(CHECKS)),
    ):
        unknown = sorted(set(keys) - allowed)
        if unknown:
            raise HarnessError(f"{where} has key(s) {unknown} that the documented format does not define")
    for variant in (case.get("expected") or {}).get("variants") or []:
        unknown = sorted(set(variant) - VARIANT_EXPECTED_KEYS - frozenset(CHECKS))
        if unknown:
            raise HarnessError(f"expected.variants has key(s) {unknown} that the documented format does not define")


def _variants(case: dict) -> list[tuple[dict, dict]]:
    """(input, expected) per variant; one pair for a case without variants."""
    inp, exp = dict(case["input"]), dict(case["expected"])
    inputs, expecteds = inp.pop("variants", None), exp.pop("variants", None)
    if inputs is None and expecteds is None:
        return [(inp, exp)]
    if inputs is None or expecteds is None or len(inputs) != len(expecteds):
        raise HarnessError("input.variants and expected.variants must come together, one expectation per input")
    return [({**inp, **variant}, {**exp, **want}) for variant, want in zip(inputs, expecteds, strict=True)]


@dataclass
class Runner:
    """The project interface standing for one operator step."""

    run: Callable[[Tracked], Outcome]
    errors: tuple[type[BaseException], ...] = field(default=(StepError,))


def run_case(case: dict, runners: dict[str, Runner]) -> None:
    """Run one case through the runner of its ``function``; every key mapped or a :class:`HarnessError`."""
    check_keys(case)
    runner = runners.get(case["function"])
    if runner is None:
        raise HarnessError(f"no runner for operator step {case['function']!r}")
    case = apply_deviation(case)
    for inp, exp in _variants(case):
        tracked = Tracked(inp)
        try:
            outcome = runner.run(tracked)
        except runner.errors as exc:
            outcome = Outcome(error=str(exc))
        unread = sorted(set(inp) - tracked.read - DOC_INPUT_KEYS)
        if unread:
            raise HarnessError(f"input key(s) {unread} are not read by the runner of {case['function']!r}")
        want_error = exp.pop("error", None)
        contains = exp.pop("errorContains", None)
        if want_error or contains is not None:
            assert outcome.error is not None, "an error was expected, the step reported none"
            assert contains is None or contains in outcome.error, (contains, outcome.error)
            continue
        check_expected(outcome, exp)
