# SPDX-License-Identifier: Apache-2.0
"""The worker hash of operator 1.x (M01, N_E07), computed as the operator computes it.

From 1.0 the operator hashes the specs of all worker services of a DGD (``componentType``
``worker``, ``prefill`` or ``decode``): each spec with the fields that do not shape the pod
zeroed, as ``json.Marshal`` writes a ``map[service]spec`` (keys sorted), SHA-256, the first 8
hex digits. The value is a pure function of the stored DGD; :mod:`krm_dynamo.kube.gostruct`
writes the Go bytes (struct order, ``omitempty``, quantities as Go writes them, the CRD's defaults).

What the operator does with it, and what this function keeps (D60):

* the label ``nvidia.com/dynamo-worker-hash`` on the worker pods and their Deployment or
  LeaderWorkerSet: kept (:func:`label_workers` adds it to the service labels, so it goes
  wherever those go);
* ``DYN_NAMESPACE_WORKER_SUFFIX`` on worker containers: kept. The runtime registers a worker
  under ``<Dynamo namespace>-<hash>``, so all workers of one spec revision (prefill and decode
  alike) find each other there, and the frontend finds them by its namespace prefix;
* the hash appended to the worker object names: left out. Names stay ``<dgd>-<service>``, so
  an edit rolls the same Deployment instead of replacing it (delete and create under GitOps).

The Grove path hashes nothing (:func:`label_workers` returns at once for a graph in Grove mode).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from functools import cache
from typing import Any

from krm_dynamo import defaults
from krm_dynamo.defaults.catalog import release_key
from krm_dynamo.kube import gojson
from krm_dynamo.kube.gostruct import Encoder

LAYOUT = "golayout.json"


@cache
def _layout() -> tuple[Encoder, Any]:
    import json  # here: only a 1.x DGD with workers pays for it
    from importlib import resources

    data = json.loads(resources.files("krm_dynamo.kube").joinpath(LAYOUT).read_text(encoding="utf-8"))
    return Encoder(data["types"], data["crdDefaults"]), data["root"]


def hash_input(services: Mapping[str, Any], table: defaults.OperatorDefaults) -> str:
    """The bytes the operator hashes: ``{"<service>": <spec>, ...}`` over the worker services, as Go writes them."""
    encoder, root = _layout()
    spec = table.worker_hash
    assert spec is not None  # only 1.x table sets hash
    drop = set(spec.excluded_fields) | {name for name, since in spec.later_fields.items()
                                        if release_key(since) > release_key(table.release)}
    parts = []
    for name in sorted(services, key=lambda k: str(k).encode()):
        svc = services[name]
        if not isinstance(svc, dict) or svc.get("componentType") not in table.worker_types:
            continue
        kept = {k: v for k, v in svc.items() if k not in drop}
        parts.append(f"{gojson.dumps(str(name))}:{encoder.encode(kept, root)}")
    return "{" + ",".join(parts) + "}"


def workers_spec_hash(services: Mapping[str, Any], table: defaults.OperatorDefaults) -> str:
    """The worker hash of a DGD's ``spec.services`` (as read from YAML) under ``table``'s release."""
    assert table.worker_hash is not None
    digest = hashlib.sha256(hash_input(services, table).encode()).hexdigest()
    return digest[:table.worker_hash.length]


def label_workers(derived: Any, spec: Any) -> None:
    """M01 on the Deployment / LeaderWorkerSet path: the hash label on every worker service.

    ``derived`` is the :class:`~krm_dynamo.graph.derive.DerivedGraph`, ``spec`` the DGD's
    ``spec`` as read. The operator sets the label after the service labels, so it wins over a
    user value.
    """
    table = derived.table
    if table.worker_hash is None or derived.grove_mode or not isinstance(spec, dict):
        return
    services = spec.get("services")
    if not isinstance(services, dict):
        return
    try:
        value = workers_spec_hash(services, table)
    except (ValueError, TypeError, ArithmeticError, RecursionError):
        return  # a value no API server would store: the rules report it, and nothing is rendered
    for component in derived.services.values():
        if component.component_type in table.worker_types:
            component.labels[table.worker_hash.label] = value
