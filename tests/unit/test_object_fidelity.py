# SPDX-License-Identifier: Apache-2.0
"""Object-level fidelity (issue 10): what the operator writes, and nothing the API server rejects (D31)."""

from __future__ import annotations

import copy

import k8s_validate
import pytest
from multinode_util import IMAGE
from multinode_util import dgd as _dgd
from multinode_util import kinds as _kinds
from multinode_util import ok as _ok
from multinode_util import run as _run
from multinode_util import worker as _worker

from krm_dynamo.kio import yamlio

GROVE = {"multinodeOrchestrator": "grove"}


def _errors(results) -> list[tuple[str, str]]:
    return [(r.field_path, r.message) for r in results if r.severity == "error"]


def _frontend(**extra) -> dict:
    svc: dict = {"componentType": "frontend", "replicas": 1, "extraPodSpec": {"mainContainer": {"image": IMAGE}}}
    svc.update(extra)
    return svc


# --- storageClass: "" --------------------------------------------------------------------


def test_empty_storage_class_is_written_as_given():
    """The CRD rule only asks that `storageClass` be present; "" turns off dynamic provisioning."""
    dgd = _dgd({"Frontend": _frontend()})
    dgd["spec"]["pvcs"] = [{"name": "models", "create": True, "storageClass": "", "size": "10Gi",
                            "volumeAccessMode": "ReadWriteMany"}]
    out, _ = _ok(dgd)
    (pvc,) = _kinds(out, "PersistentVolumeClaim")
    assert pvc["spec"]["storageClassName"] == ""
    assert 'storageClassName: ""\n' in yamlio.dump_all([pvc])
    assert k8s_validate.validate_object(pvc) == []


def test_missing_storage_class_is_still_an_error():
    dgd = _dgd({"Frontend": _frontend()})
    dgd["spec"]["pvcs"] = [{"name": "models", "create": True, "size": "10Gi", "volumeAccessMode": "ReadWriteMany"}]
    _, results = _run(dgd)
    assert _errors(results) == [(
        "spec.pvcs[0].storageClass",
        "When create is true, size, storageClass, and volumeAccessMode are required; missing `storageClass`",
    )]
