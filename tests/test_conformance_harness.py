# SPDX-License-Identifier: Apache-2.0
"""Self-test of the conformance harness with synthetic cases in the documented format.

The shared files use most keys of the format, not all: the synthetic cases here use the others
(``variants`` with ``error`` / ``errorContains``, ``argsContains`` and ``derived_exact.probes``
on a whole expansion, deviations on whole objects), so every mapping of ``conformance_harness``
runs. The negative cases show that what the harness cannot map fails as a harness bug
(:class:`HarnessError`) instead of passing or skipping.
"""

from __future__ import annotations

import copy

import pytest
import test_conformance as tc
from conformance_harness import (
    CASE_KEYS,
    CHECKS,
    DEPLOYER_KEYS,
    INPUT_KEYS,
    OPERATOR_CONFIG_KEYS,
    VARIANT_EXPECTED_KEYS,
    HarnessError,
    apply_deviation,
    run_case,
)
from shared_files import require

GROVE = {"kind": "grove",
         "leaderHostname": "$(GROVE_PCSG_NAME)-$(GROVE_PCSG_INDEX)-worker-ldr-0.$(GROVE_HEADLESS_SERVICE)",
         "nodeRank": "$((GROVE_PCLQ_POD_INDEX + 1))", "nodeRankNeedsShell": True}
LWS = {"kind": "lws", "leaderHostname": "$(LWS_LEADER_ADDRESS)", "nodeRank": "$(LWS_WORKER_INDEX)",
       "nodeRankNeedsShell": True}


def _component(*command: str, args: tuple = ()) -> dict:
    main_container = {"command": list(command), "args": list(args)}
    return {"componentType": "worker", "extraPodSpec": {"mainContainer": main_container}}


VARIANTS = {
    "source": "synthetic — variants with error / errorContains through a whole expansion",
    "function": "GeneratePodSpecForComponent",
    "input": {
        "backend": "sglang", "role": "main", "nodeCount": 1, "serviceName": "worker", "deployer": GROVE,
        "dgd": {"metadata": {"name": "graph", "namespace": "default"}},
        "operatorConfig": {"natsAddress": "nats://nats:4222"},
        "variants": [
            {"component": _component("python3", "-m", "dynamo.vllm")},
            {"component": _component("python3", "-m", "dynamo.sglang", args=("--model", "m"))},
        ],
    },
    "expected": {
        "assert": "first variant: backend mismatch error; second: the launch line",
        "argsContains": ["--model m"],
        "commandArgsContains": ["dynamo.sglang"],
        "derived_exact": {
            "container": {"command": ["python3", "-m", "dynamo.sglang"],
                          "env_include": [{"name": "NATS_SERVER", "value": "nats://nats:4222"}]},
            "probes": {"startupProbe": {"httpGet": {"path": "/live", "port": "system"}, "timeoutSeconds": 5,
                                        "periodSeconds": 10, "failureThreshold": 720}},
            "note": "the worker's default startup probe",
        },
        "variants": [{"error": True, "errorContains": "backend framework mismatch"}, {"error": False}],
    },
}

HOSTS_R3 = {
    "source": "synthetic — LWS host list of three nodes, R3",
    "function": "generateWorkerHostnames",
    "deviation": "the project derives LWS worker addresses from the leader's (R3)",
    "input": {"nodeCount": 3, "deployer": LWS, "serviceName": "svc"},
    "expected": {"contains": ["$(LWS_LEADER_ADDRESS)", "$(LWS_WORKER_2_ADDRESS)"], "count": 3,
                 "derived_exact": "$(LWS_LEADER_ADDRESS),$(LWS_WORKER_1_ADDRESS),$(LWS_WORKER_2_ADDRESS)"},
}


def _with(case: dict, *path_and_value) -> dict:
    case = copy.deepcopy(case)
    *path, key, value = path_and_value
    node = case
    for part in path:
        node = node[part]
    if value is _DELETE:
        del node[key]
    else:
        node[key] = value
    return case


_DELETE = object()


def test_variants_split_into_runs():
    run_case(VARIANTS, tc.RUNNERS)


def test_variant_expecting_an_error_fails_without_one():
    case = _with(VARIANTS, "expected", "variants", [{"error": True}, {"error": True}])
    with pytest.raises(AssertionError, match="an error was expected"):
        run_case(case, tc.RUNNERS)


def test_variant_without_error_checks_the_rest():
    case = _with(VARIANTS, "expected", "argsContains", ["--model other"])
    with pytest.raises(AssertionError, match="--model other"):
        run_case(case, tc.RUNNERS)


def test_deviation_rewrites_expected():
    """R3 as a transform of ``expected``: with it the case passes, without it the project's form fails."""
    run_case(HOSTS_R3, tc.RUNNERS)
    with pytest.raises(AssertionError) as failure:
        run_case(_with(HOSTS_R3, "deviation", _DELETE), tc.RUNNERS)
    assert not isinstance(failure.value, HarnessError)


def test_deviation_on_a_whole_object():
    """R2 on a whole LeaderWorkerSet: the selector label is expected on both pod templates."""
    lws = {"metadata": {"name": "g-svc-0", "namespace": "ns", "labels": {}}, "spec": {"leaderWorkerTemplate": {
        "leaderTemplate": {"metadata": {"labels": {}}}, "workerTemplate": {"metadata": {"labels": {}}}}}}
    case = {"source": "synthetic", "function": "generateLeaderWorkerSet (instanceID 0)", "deviation": "R2",
            "input": {}, "expected": {"leaderWorkerSet": lws}}
    templates = apply_deviation(case)["expected"]["leaderWorkerSet"]["spec"]["leaderWorkerTemplate"]
    assert {t["metadata"]["labels"]["nvidia.com/selector"] for t in templates.values()} == {"g-svc"}


@pytest.mark.parametrize(
    ("case", "message"),
    [
        pytest.param(_with(HOSTS_R3, "expectd", {}), r"case has key\(s\) \['expectd'\]", id="unknown-case-key"),
        pytest.param(_with(HOSTS_R3, "expected", "containz", []), r"\['containz'\]", id="unknown-expected-key"),
        pytest.param(_with(HOSTS_R3, "input", "nodecount", 3), r"\['nodecount'\]", id="unknown-input-key"),
        pytest.param(_with(VARIANTS, "input", "operatorConfig", "natsAddr", "x"), r"\['natsAddr'\]",
                     id="unknown-operator-config-key"),
        pytest.param(_with(HOSTS_R3, "input", "deployer", "rank", "x"), r"\['rank'\]", id="unknown-deployer-key"),
        pytest.param(_with(HOSTS_R3, "input", "dcd", {}), r"not read by the runner", id="input-key-not-read"),
        pytest.param(_with(HOSTS_R3, "expected", "flags", "x"), r"needs the step's flags", id="no-such-observation"),
        pytest.param(_with(HOSTS_R3, "deviation", "see D19"), r"D19, which has no transform",
                     id="decision-without-transform"),
        pytest.param(_with(HOSTS_R3, "deviation", "differs somehow"), r"names no decision", id="no-decision"),
        pytest.param(_with(HOSTS_R3, "deviation", "R2"), r"R2 does not apply", id="decision-not-applicable"),
        pytest.param(_with(HOSTS_R3, "function", "someNewStep"), r"no runner", id="unknown-function"),
        pytest.param(_with(VARIANTS, "expected", "variants", [{"error": True}]), r"one expectation per input",
                     id="variants-unpaired"),
        pytest.param(_with(VARIANTS, "expected", "variants", [{"eror": True}, {}]), r"\['eror'\]",
                     id="unknown-variant-key"),
    ],
)
def test_unmappable_case_is_a_harness_bug(case: dict, message: str) -> None:
    with pytest.raises(HarnessError, match=message):
        run_case(case, tc.RUNNERS)


def _keys(cases: list[dict]) -> dict[str, set[str]]:
    used: dict[str, set[str]] = {"case": set(), "input": set(), "deployer": set(), "operatorConfig": set(),
                                 "expected": set(), "variant": set()}
    for case in cases:
        used["case"] |= set(case)
        inp, exp = case.get("input") or {}, case.get("expected") or {}
        used["input"] |= set(inp)
        used["deployer"] |= set(inp.get("deployer") or {})
        used["operatorConfig"] |= set(inp.get("operatorConfig") or {})
        used["expected"] |= set(exp)
        if isinstance(exp.get("derived_exact"), dict):
            used["expected"] |= set(exp["derived_exact"])
        for variant in exp.get("variants") or []:
            used["variant"] |= set(variant)
    return used


def test_every_documented_key_is_exercised():
    """The shared cases and the synthetic ones together use every key the README defines."""
    require(tc.CONFORMANCE)
    used = _keys([p.values[0] for p in tc.CASES] + [VARIANTS, HOSTS_R3])
    documented = {"case": CASE_KEYS, "input": INPUT_KEYS, "deployer": DEPLOYER_KEYS,
                  "operatorConfig": OPERATOR_CONFIG_KEYS, "expected": frozenset(CHECKS),
                  "variant": VARIANT_EXPECTED_KEYS}
    missing = {where: sorted(keys - used[where]) for where, keys in documented.items() if keys - used[where]}
    assert not missing, f"documented keys no case exercises (add a synthetic case): {missing}"


DEVIATED = [p for p in tc.CASES if p.values[0] is not None and "deviation" in p.values[0]]


@pytest.mark.parametrize("case", DEVIATED or [pytest.param(None, id="conformance-vectors-missing")])
def test_shared_deviation_is_what_makes_the_case_pass(case: dict) -> None:
    """Each shared case with ``deviation`` fails in the operator's form: the transform is not a no-op."""
    require(tc.CONFORMANCE)
    with pytest.raises(AssertionError) as failure:
        run_case(_with(case, "deviation", _DELETE), tc.RUNNERS)
    assert not isinstance(failure.value, HarnessError), failure.value
