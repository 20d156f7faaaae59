# SPDX-License-Identifier: Apache-2.0
"""The user's volumes and mounts against the ones the operator adds (D31), shared-memory size 0.

Every way a service can collide with a default volume or mount: the user's own shared
memory wins (warning); the same claim mounted twice is one volume; collisions between the
user's own entries are errors. Every pod that comes out has unique volume names and mount
paths, which the API server requires.
"""

from __future__ import annotations

import k8s_validate
import pytest
from multinode_util import IMAGE, dgd, kinds, run, worker

W = "spec.services.W"
MC = f"{W}.extraPodSpec.mainContainer"
SHM_VOLUME = {"name": "shared-memory", "emptyDir": {"medium": "Memory", "sizeLimit": "8Gi"}}
SHM_MOUNT = {"name": "shared-memory", "mountPath": "/dev/shm"}
DSHM = {"name": "dshm", "emptyDir": {"medium": "Memory"}}
PVCS = [{"name": name, "create": False} for name in ("models", "cache", "shared-memory")]


def _single(volumes=None, mounts=None, **extra) -> dict:
    main: dict = {"image": IMAGE, "command": ["python3", "-m", "dynamo.vllm"]}
    if mounts is not None:
        main["volumeMounts"] = mounts
    svc: dict = {"componentType": "worker", "resources": {"limits": {"gpu": "1"}},
                 "extraPodSpec": {"mainContainer": main}}
    if volumes is not None:
        svc["extraPodSpec"]["volumes"] = volumes
    svc.update(extra)
    return svc


def _expand(svc: dict, backend: str = "vllm"):
    doc = dgd({"W": svc}, backend)
    doc["spec"]["pvcs"] = PVCS
    return run(doc)


def _pod_specs(out: list[dict]) -> list[dict]:
    specs = [o["spec"]["template"]["spec"] for o in kinds(out, "Deployment")]
    for lws in kinds(out, "LeaderWorkerSet"):
        template = lws["spec"]["leaderWorkerTemplate"]
        specs += [template["leaderTemplate"]["spec"], template["workerTemplate"]["spec"]]
    return specs


def _main(spec: dict) -> dict:
    return next(c for c in spec["containers"] if c["name"] == "main")


def _assert_admissible(out: list[dict]) -> None:
    """Strict schema, and what the API server checks beyond it: unique volume names and mount paths."""
    k8s_validate.validate_all(out)
    for spec in _pod_specs(out):
        names = [v["name"] for v in spec.get("volumes") or []]
        assert len(names) == len(set(names)), names
        for container in spec["containers"]:
            paths = [m["mountPath"] for m in container.get("volumeMounts") or []]
            assert len(paths) == len(set(paths)), paths
            assert {m["name"] for m in container.get("volumeMounts") or []} <= set(names)


def _results(results, severity: str) -> dict[str, str]:
    return {r.field_path: r.message for r in results if r.severity == severity}


@pytest.mark.parametrize(
    ("svc", "volumes", "mounts", "warned"),
    [
        pytest.param(
            _single([DSHM], [{"name": "dshm", "mountPath": "/dev/shm"}]),
            [DSHM], [{"name": "dshm", "mountPath": "/dev/shm"}],
            [f"{MC}.volumeMounts[0].mountPath"], id="own-volume-mounted-at-dev-shm",
        ),
        pytest.param(
            _single([{"name": "shared-memory", "emptyDir": {}}], [{"name": "shared-memory", "mountPath": "/dev/shm"}]),
            [{"name": "shared-memory", "emptyDir": {}}], [{"name": "shared-memory", "mountPath": "/dev/shm"}],
            [f"{W}.extraPodSpec.volumes[0].name", f"{MC}.volumeMounts[0].mountPath"],
            id="own-volume-named-shared-memory",
        ),
        pytest.param(
            _single([{"name": "shared-memory", "emptyDir": {}}], [{"name": "shared-memory", "mountPath": "/shm"}]),
            [{"name": "shared-memory", "emptyDir": {}}], [{"name": "shared-memory", "mountPath": "/shm"}],
            [f"{W}.extraPodSpec.volumes[0].name"], id="own-shared-memory-volume-elsewhere",
        ),
        pytest.param(
            _single(None, [{"name": "shared-memory", "mountPath": "/dev/shm", "readOnly": False}]),
            [SHM_VOLUME], [{"name": "shared-memory", "mountPath": "/dev/shm", "readOnly": False}],
            [f"{MC}.volumeMounts[0].mountPath"], id="own-mount-of-the-default-volume",
        ),
        pytest.param(
            _single(volumeMounts=[{"name": "models", "mountPoint": "/dev/shm"}]),
            [{"name": "models", "persistentVolumeClaim": {"claimName": "models"}}],
            [{"name": "models", "mountPath": "/dev/shm"}],
            [f"{W}.volumeMounts[0].mountPoint"], id="claim-mounted-at-dev-shm",
        ),
        pytest.param(
            _single(volumeMounts=[{"name": "shared-memory", "mountPoint": "/data"}]),
            [{"name": "shared-memory", "persistentVolumeClaim": {"claimName": "shared-memory"}}],
            [{"name": "shared-memory", "mountPath": "/data"}],
            [f"{W}.volumeMounts[0].name"], id="claim-named-shared-memory",
        ),
        pytest.param(
            _single([DSHM], [{"name": "dshm", "mountPath": "/dev/shm"}], sharedMemory={"disabled": True}),
            [DSHM], [{"name": "dshm", "mountPath": "/dev/shm"}], [], id="disabled-no-clash",
        ),
        pytest.param(
            _single(), [SHM_VOLUME], [SHM_MOUNT], [], id="no-clash-default-added",
        ),
    ],
)
def test_the_users_shared_memory_wins(svc, volumes, mounts, warned):
    """D31: a user volume named like the default, or a mount at its path, replaces the default (warning)."""
    out, results = _expand(svc)
    _assert_admissible(out)
    spec = _pod_specs(out)[0]
    assert spec["volumes"] == volumes
    assert _main(spec)["volumeMounts"] == mounts
    warnings = {p: m for p, m in _results(results, "warning").items() if "(D31)" in m}
    assert sorted(warnings) == sorted(warned)
    assert not _results(results, "error")


def test_shared_memory_clash_warning_text():
    _, results = _expand(_single([DSHM], [{"name": "dshm", "mountPath": "/dev/shm"}]))
    assert _results(results, "warning")[f"{MC}.volumeMounts[0].mountPath"] == (
        'a mount at "/dev/shm" is used instead of the default shared memory (volume "shared-memory" at "/dev/shm"): '
        "the default volume and mount are not added (the operator adds its own as well, and the API server rejects "
        "the duplicate) (D31)"
    )


def test_shared_memory_size_ignored_with_the_users_volume():
    svc = _single([DSHM], [{"name": "dshm", "mountPath": "/dev/shm"}], sharedMemory={"size": "16Gi"})
    _, results = _expand(svc)
    assert "is ignored" in _results(results, "warning")[f"{W}.sharedMemory.size"]


def test_same_claim_mounted_twice_is_one_volume():
    """D31: one pod volume per claim, one mount per entry (the operator adds two volumes of one name)."""
    svc = _single(volumeMounts=[{"name": "models", "mountPoint": "/a"}, {"name": "models", "mountPoint": "/b"}])
    out, results = _expand(svc)
    _assert_admissible(out)
    spec = _pod_specs(out)[0]
    assert spec["volumes"] == [{"name": "models", "persistentVolumeClaim": {"claimName": "models"}}, SHM_VOLUME]
    assert _main(spec)["volumeMounts"] == [{"name": "models", "mountPath": "/a"}, {"name": "models", "mountPath": "/b"},
                                          SHM_MOUNT]
    assert not _results(results, "error") and not _results(results, "warning")


def test_same_claim_twice_on_multinode_pods():
    """The same on both LeaderWorkerSet templates."""
    svc = worker(volumeMounts=[{"name": "models", "mountPoint": "/a"}, {"name": "models", "mountPoint": "/b"}])
    out, _ = _expand(svc)
    _assert_admissible(out)
    for spec in _pod_specs(out):
        assert [v["name"] for v in spec["volumes"]] == ["models", "shared-memory"]


@pytest.mark.parametrize(
    ("svc", "backend", "path", "words"),
    [
        pytest.param(_single(volumeMounts=[{"name": "models", "mountPoint": "/a"},
                                           {"name": "models", "mountPoint": "/a"}]),
                     "vllm", f"{W}.volumeMounts[1].mountPoint", '"/a" again', id="claim-twice-same-path"),
        pytest.param(_single(volumeMounts=[{"name": "models", "mountPoint": "/a"},
                                           {"name": "cache", "mountPoint": "/a"}]),
                     "vllm", f"{W}.volumeMounts[1].mountPoint", '"/a" again', id="two-claims-one-path"),
        pytest.param(_single([{"name": "models", "emptyDir": {}}],
                             volumeMounts=[{"name": "models", "mountPoint": "/m"}]),
                     "vllm", f"{W}.volumeMounts[0].name", '"models" again', id="claim-named-like-a-pod-volume"),
        pytest.param(_single([{"name": "x", "emptyDir": {}}, {"name": "x", "emptyDir": {}}]),
                     "vllm", f"{W}.extraPodSpec.volumes[1].name", '"x" again', id="two-pod-volumes-one-name"),
        pytest.param(_single([{"name": "x", "emptyDir": {}}], [{"name": "x", "mountPath": "/m"}],
                             volumeMounts=[{"name": "models", "mountPoint": "/m"}]),
                     "vllm", f"{W}.volumeMounts[0].mountPoint", '"/m" again', id="claim-at-a-user-mount-path"),
        pytest.param(_single([{"name": "x", "emptyDir": {}}], [{"name": "x", "mountPath": "/root/.cache/vllm"}],
                             volumeMounts=[{"name": "cache", "useAsCompilationCache": True}]),
                     "vllm", f"{W}.volumeMounts[0].useAsCompilationCache", '"/root/.cache/vllm" again',
                     id="cache-default-path-taken"),
        pytest.param(worker(args=["python3 -m dynamo.trtllm"], extraPodSpec={"volumes": [{"name": "k", "emptyDir": {}}],
                            "mainContainer": {"image": IMAGE, "args": ["python3 -m dynamo.trtllm"],
                                              "volumeMounts": [{"name": "k", "mountPath": "/ssh-pk"}]}}),
                     "trtllm", f"{MC}.volumeMounts[0].mountPath", "MPI SSH secret", id="trtllm-ssh-key-path"),
    ],
)
def test_collisions_between_the_users_own_entries_are_errors(svc, backend, path, words):
    """Two of the user's own volumes of one name, or mounts at one path: an error, never a rejected pod."""
    out, results = _expand(svc, backend)
    errors = _results(results, "error")
    assert out == [] and list(errors) == [path]
    assert words in errors[path]


def test_trtllm_users_ssh_volume_wins_with_a_warning():
    """A user volume named like the MPI SSH secret volume replaces it (no duplicate); a warning says so."""
    svc = worker(args=["python3 -m dynamo.trtllm"],
                 extraPodSpec={"volumes": [{"name": "mpi-run-ssh-secret", "secret": {"secretName": "mine"}}],
                               "mainContainer": {"image": IMAGE, "args": ["python3 -m dynamo.trtllm"]}})
    out, results = _expand(svc, "trtllm")
    _assert_admissible(out)
    assert "MPI SSH secret volume" in _results(results, "warning")[f"{W}.extraPodSpec.volumes[0].name"]
    for spec in _pod_specs(out):
        assert {"name": "mpi-run-ssh-secret", "secret": {"secretName": "mine"}} in spec["volumes"]


@pytest.mark.parametrize("size", ["0", "0Gi", "0Mi"])
def test_shared_memory_size_zero_keeps_the_default(size):
    """`sharedMemory.size: 0` keeps 8Gi, as the operator does (`IsZero`), with a warning."""
    out, results = _expand(_single(sharedMemory={"size": size}))
    assert _pod_specs(out)[0]["volumes"] == [SHM_VOLUME]
    assert _results(results, "warning") == {f"{W}.sharedMemory.size": (
        f'`size` "{size}" is zero: the default size 8Gi is used, as the operator does (use `disabled: true` to turn '
        "shared memory off)")}


def test_shared_memory_negative_size_is_an_error():
    out, results = _expand(_single(sharedMemory={"size": "-1Gi"}))
    assert out == [] and list(_results(results, "error")) == [f"{W}.sharedMemory.size"]
