# SPDX-License-Identifier: Apache-2.0
"""The wait-for-leader script of vLLM multiprocessing workers (B03, O01), as the operator emits it.

A vLLM ``mp`` worker pod gets an init container that waits until the leader's master port
answers. Operator 1.0 passes :data:`WAIT_LEADER_SCRIPT_1_0` inline (``python3 -c``), with
``<host>`` and ``<port>`` filled in; operator 1.1 ships :data:`WAIT_LEADER_SCRIPT_1_1` once per
DGD in a ConfigMap and the init container runs it with ``LEADER_HOST`` / ``LEADER_PORT`` set.
The text is output, so it is kept byte for byte as the operator writes it
(``internal/dynamo/backend_vllm.go`` at each cut).
"""

from __future__ import annotations

# Operator 1.0 (db88c9530, UpdatePodSpec): <host> the leader address, <port> the master port.
WAIT_LEADER_SCRIPT_1_0 = """import socket, time
host, port = "<host>", <port>
print(f"Waiting for leader master port at {host}:{port}...", flush=True)
start = time.monotonic()
last_status = start
last_err = ""
while True:
    try:
        s = socket.create_connection((host, port), timeout=2)
        s.close()
        elapsed = time.monotonic() - start
        print(f"Leader master port ready (waited {elapsed:.1f}s)", flush=True)
        break
    except Exception as e:
        last_err = f"{type(e).__name__}: {e}"
    now = time.monotonic()
    if now - last_status >= 30:
        print(f"Still waiting for {host}:{port}... ({now - start:.0f}s elapsed, last error: {last_err})", flush=True)
        last_status = now
    time.sleep(2)
"""

# Operator 1.1 (01a4b6d6d, WaitLeaderScript): reads LEADER_HOST and LEADER_PORT from the env.
WAIT_LEADER_SCRIPT_1_1 = """import socket, time, json, ssl, urllib.request, os

SA = "/var/run/secrets/kubernetes.io/serviceaccount"
host = os.environ["LEADER_HOST"]
port = int(os.environ["LEADER_PORT"])

def _k8s_ctx():
    return ssl.create_default_context(cafile=f"{SA}/ca.crt")

def _k8s_headers():
    token = open(f"{SA}/token").read()
    return {"Authorization": f"Bearer {token}"}

def _k8s_api():
    ns = open(f"{SA}/namespace").read()
    return f"https://kubernetes.default.svc/api/v1/namespaces/{ns}/pods"

def leader_pod_is_healthy():
    try:
        ip = socket.gethostbyname(host)
    except socket.gaierror:
        return False, "DNS resolution failed", None, None
    try:
        req = urllib.request.Request(
            f"{_k8s_api()}?fieldSelector=status.podIP={ip}",
            headers=_k8s_headers(),
        )
        resp = json.loads(urllib.request.urlopen(req, context=_k8s_ctx(), timeout=5).read())
        pods = resp.get("items", [])
        if not pods:
            return False, f"no pod found with IP {ip}", None, ip
        pod = pods[0]
        name = pod["metadata"].get("name", "unknown")
        uid = pod["metadata"].get("uid", "unknown")
        phase = pod.get("status", {}).get("phase")
        deletion_ts = pod["metadata"].get("deletionTimestamp")
        info = f"ip={ip} pod={name} uid={uid} phase={phase} deletionTimestamp={deletion_ts}"
        if deletion_ts:
            return False, f"pod {name} is terminating", info, ip
        if phase != "Running":
            return False, f"pod {name} phase is {phase}", info, ip
        return True, "", info, ip
    except Exception as e:
        # Fall back to TCP-only when the API is unavailable (e.g. 403 no RBAC)
        return True, f"K8s API unavailable ({e}), falling back to TCP", f"ip={ip}", ip

print(f"Waiting for leader master port at {host}:{port}...", flush=True)
time.sleep(5)
start = time.monotonic()
last_status = start
last_err = ""
while True:
    healthy, reason, pod_info, leader_ip = leader_pod_is_healthy()
    if healthy:
        try:
            s = socket.create_connection((leader_ip, port), timeout=2)
            s.close()
            elapsed = time.monotonic() - start
            print(f"Leader master port ready (waited {elapsed:.1f}s) [{pod_info}]", flush=True)
            break
        except Exception as e:
            last_err = f"tcp: {type(e).__name__}: {e} [{pod_info}]"
    else:
        last_err = f"{reason} [{pod_info}]" if pod_info else reason
    now = time.monotonic()
    if now - last_status >= 30:
        print(f"Still waiting for {host}:{port}... ({now - start:.0f}s elapsed, last: {last_err})", flush=True)
        last_status = now
    time.sleep(5)
"""
