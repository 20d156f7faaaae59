# SPDX-License-Identifier: Apache-2.0
"""The multinode launch strings of operator 1.0 and 1.1: the 0.6 rows of :mod:`.launch`, changed and extended.

Placeholders as in :mod:`.launch` (``<svc>`` the service name handed to backends, ``<j>`` a
worker index), plus ``<svc-lower>`` (the service name lower-cased, B07), ``<command>`` and
``<args>`` (the launch, joined), ``<n>`` a node count, ``<rank>`` a node rank, ``<port>`` a
port, ``<leader>`` / ``<host>`` the leader address. Each row cites its catalogue ID and the
operator file and line at the v1.1.0 cut (``01a4b6d6d``) or the v1.0.0 cut (``db88c9530``).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from krm_dynamo.defaults.admission import ANNOTATION_ORIGIN_VERSION, ANNOTATION_VLLM_EXECUTOR
from krm_dynamo.defaults.backends import MPI_SSH_PORT
from krm_dynamo.defaults.launch import LAUNCH, MPIRUN_EXPORTED_ENV
from krm_dynamo.defaults.profiles import RELEASE_1_0_COMMIT, at_cut
from krm_dynamo.defaults.sources import Entries, src
from krm_dynamo.defaults.waitleader import WAIT_LEADER_SCRIPT_1_0, WAIT_LEADER_SCRIPT_1_1

_VLLM = "dynamo/backend_vllm.go"
_TRT = "dynamo/backend_trtllm.go"
_HOME_SSH = "$HOME/.ssh"

# B06: SSH set-up under $HOME (a container may set HOME apart from the passwd entry).
_SSH_SETUP = (
    "ls -la /ssh-pk/",
    f"cp /ssh-pk/private.key {_HOME_SSH}/id_rsa",
    f"cp /ssh-pk/private.key.pub {_HOME_SSH}/id_rsa.pub",
    f"cp /ssh-pk/private.key.pub {_HOME_SSH}/authorized_keys",
    f"chmod 600 {_HOME_SSH}/id_rsa {_HOME_SSH}/authorized_keys",
    f"chmod 644 {_HOME_SSH}/id_rsa.pub",
    f"printf 'Host *\\nIdentityFile '$HOME'/.ssh/id_rsa\\nStrictHostKeyChecking no\\nPort {MPI_SSH_PORT}\\n' "
    f"> {_HOME_SSH}/config",
)
_SSHD_CONFIG = (
    f"printf 'Port {MPI_SSH_PORT}\\nHostKey '$HOME'/.ssh/host_keys/ssh_host_rsa_key"
    "\\nHostKey '$HOME'/.ssh/host_keys/ssh_host_ecdsa_key\\nHostKey '$HOME'/.ssh/host_keys/ssh_host_ed25519_key"
    "\\nPidFile '$HOME'/.ssh/run/sshd.pid\\nStrictModes no\\nPermitRootLogin yes\\nPasswordAuthentication no"
    "\\nPubkeyAuthentication yes\\nAuthorizedKeysFile '$HOME'/.ssh/authorized_keys\\n' > $HOME/.ssh/sshd_config"
)


def _worker_script(mkdir: str) -> tuple[str, ...]:
    return (
        mkdir, *_SSH_SETUP,
        f"ssh-keygen -t rsa -f {_HOME_SSH}/host_keys/ssh_host_rsa_key -N ''",
        f"ssh-keygen -t ecdsa -f {_HOME_SSH}/host_keys/ssh_host_ecdsa_key -N ''",
        f"ssh-keygen -t ed25519 -f {_HOME_SSH}/host_keys/ssh_host_ed25519_key -N ''",
        _SSHD_CONFIG,
        f"/usr/sbin/sshd -D -f {_HOME_SSH}/sshd_config",
    )


_WORKER_MKDIR = f"mkdir -p {_HOME_SSH} {_HOME_SSH}/host_keys {_HOME_SSH}/run"

_ROWS_1_0: dict[str, tuple[Any, str]] = {
    # --- deployers (B05, B07) -------------------------------------------------------------------
    "lws.leaderHostname": ("$LWS_LEADER_ADDRESS", src("B05", at_cut("dynamo/lws.go", 10))),
    "lws.workerHostname": (LAUNCH.values["lws.workerHostname"], src("B06", at_cut("dynamo/lws.go", 34))),
    "lws.dnsWait": (True, src("B06", at_cut("dynamo/lws.go", 18), "the leader waits for the workers' DNS names")),
    "grove.leaderHostname": ("$(GROVE_PCSG_NAME)-$(GROVE_PCSG_INDEX)-<svc-lower>-ldr-0.$(GROVE_HEADLESS_SERVICE)",
                             src("B07", at_cut("dynamo/grove.go", 29))),
    "grove.workerHostname": ("$(GROVE_PCSG_NAME)-$(GROVE_PCSG_INDEX)-<svc-lower>-wkr-<j>.$(GROVE_HEADLESS_SERVICE)",
                             src("B07", at_cut("dynamo/grove.go", 49))),
    "grove.dnsWait": (False, src("B06", at_cut("dynamo/grove.go", 37))),
    # --- SGLang: the leader keeps the deployer's form in 1.0 (B05) --------------------------------
    "sglang.leaderKubeletForm": (False, src("B05", at_cut("dynamo/backend_sglang.go", 71, commit=RELEASE_1_0_COMMIT))),
    # --- shell quoting (B04): 1.0 quotes args only; 1.1 also command tokens and the Ray leader ---------
    "shellQuote.commandTokens": (False, src("B04", at_cut("dynamo/utils.go", 53, commit=RELEASE_1_0_COMMIT))),
    "shellQuote.rayLeader": (False, src("B04", at_cut(_VLLM, 210, commit=RELEASE_1_0_COMMIT))),
    # --- vLLM (B01, B02) ------------------------------------------------------------------------
    "vllm.rayLeaderArgs": ("ray start --head --port=<port> && <command> <args> --distributed-executor-backend ray",
                           src("B01", at_cut(_VLLM, 343))),
    "vllm.rayCommand": (("/bin/sh", "-c"), src("B01", at_cut(_VLLM, 349), "leader and worker")),
    "vllm.mpFlags": ("--distributed-executor-backend mp --nnodes <n> --master-addr <leader> --master-port <port>",
                     src("B02", at_cut(_VLLM, 312))),
    "vllm.mpLeaderFlags": ("--node-rank 0", src("B02", at_cut(_VLLM, 319))),
    "vllm.mpWorkerFlags": ("--node-rank <rank> --headless", src("B02", at_cut(_VLLM, 323))),
    "vllm.mpMasterPort": (29500, src("B02", at_cut("consts/consts.go", 100))),
    "vllm.mpEnv": (("VLLM_NIXL_SIDE_CHANNEL_HOST", "status.podIP"),
                   src("B02", "N_E09", at_cut(_VLLM, 38), "appended after the sorted env")),
    "vllm.dataParallelRpcPort": (13445, src("B01", at_cut(_VLLM, 19))),
    # the size item is left out when the launch already sets --data-parallel-size
    "vllm.dataParallelFlags": (("--data-parallel-hybrid-lb", "--data-parallel-size <total>",
                                "--data-parallel-size-local <local>", "--data-parallel-start-rank <start>",
                                "--data-parallel-address <leader>", "--data-parallel-rpc-port <port>"),
                               src("B01", at_cut(_VLLM, 384))),
    "vllm.dataParallelWorkerStartRank": ("$(( <local> * <rank> ))", src("B01", at_cut(_VLLM, 400), "needs a shell")),
    "vllm.executorAnnotation": (ANNOTATION_VLLM_EXECUTOR, src("B02", at_cut("consts/consts.go", 97))),
    "vllm.originAnnotation": (ANNOTATION_ORIGIN_VERSION, src("B02", at_cut("consts/consts.go", 92))),
    "vllm.mpMinOriginVersion": ("1.0.0", src("B02", at_cut("featuregate/gates.go", 31))),
    # --- vLLM wait-for-leader init container (B03) -------------------------------------------------
    "vllm.waitLeader.name": ("wait-for-leader-mp", src("B03", at_cut(_VLLM, 229))),
    "vllm.waitLeader.command": (("python3", "-c", WAIT_LEADER_SCRIPT_1_0),
                                src("B03", at_cut(_VLLM, 93, commit=RELEASE_1_0_COMMIT),
                                    "<host> the leader address as given")),
    "vllm.waitLeader.shellHost": (False, src("B03", at_cut(_VLLM, 93, commit=RELEASE_1_0_COMMIT))),
    "vllm.waitLeader.configMapSuffix": (None, src("B03", "O01", at_cut(_VLLM, 116, commit=RELEASE_1_0_COMMIT),
                                                  "no ConfigMap before 1.1")),
    # --- TRT-LLM (B06) ----------------------------------------------------------------------------
    "trtllm.leaderSetup": ((f"mkdir -p {_HOME_SSH}", *_SSH_SETUP), src("B06", at_cut(_TRT, 142))),
    "trtllm.mpirun": (
        "mpirun $([ \"$(id -u)\" = \"0\" ] && echo --allow-run-as-root) --oversubscribe -n <n> -H <hosts> "
        f"--mca pml ob1 --mca plm_rsh_args \"-p {MPI_SSH_PORT} -o StrictHostKeyChecking=no -i $HOME/.ssh/id_rsa\" "
        "<exports> bash -c 'trtllm-llmapi-launch <command>'",
        src("B06", at_cut(_TRT, 166), "<n> = nodes x GPUs per node (D26)"),
    ),
    "trtllm.mpirunExportedEnv": ((*MPIRUN_EXPORTED_ENV, "TRTLLM_USE_UCX_KVCACHE"),
                                 src("B06", at_cut(_TRT, 256))),
    "trtllm.dnsWait": (
        "TIMEOUT=300; START_TIME=$(date +%s); for worker in <workers>; do echo \"Waiting for DNS: $worker\"; "
        "until getent hosts $worker >/dev/null 2>&1; do CURRENT_TIME=$(date +%s); "
        "if [ $((CURRENT_TIME - START_TIME)) -gt $TIMEOUT ]; then echo \"ERROR: Timeout waiting for DNS: $worker\"; "
        "exit 1; fi; echo \"DNS not ready for $worker, retrying...\"; sleep 2; done; "
        "echo \"\u2713 DNS resolved: $worker\"; done; echo \"All workers DNS ready\"",
        src("B06", at_cut(_TRT, 178), "<workers> the worker host names joined with spaces"),
    ),
    "trtllm.workerScript": (_worker_script(f"{_WORKER_MKDIR} /run/sshd"),
                            src("B06", at_cut(_TRT, 190, commit=RELEASE_1_0_COMMIT))),
}

_ROWS_1_1: dict[str, tuple[Any, str]] = {
    **_ROWS_1_0,
    "sglang.leaderKubeletForm": (True, src("B05", at_cut("dynamo/backend_sglang.go", 80), "$VAR becomes $(VAR)")),
    "shellQuote.commandTokens": (True, src("B04", at_cut("dynamo/utils.go", 55))),
    "shellQuote.rayLeader": (True, src("B04", at_cut(_VLLM, 336))),
    "vllm.waitLeader.command": (
        ("sh", "-c",
         "export LEADER_HOST=\"<host>\" LEADER_PORT=\"<port>\" && exec python3 /scripts/wait-for-leader.py"),
        src("B03", at_cut(_VLLM, 232)),
    ),
    "vllm.waitLeader.shellHost": (True, src("B03", at_cut(_VLLM, 227), "$(VAR) becomes ${VAR}")),
    # O01: the ConfigMap `<dgd>-<suffix>` holds the script under its key; the pod mounts it as a volume
    "vllm.waitLeader.configMapSuffix": ("wait-leader-script", src("B03", "O01", at_cut(_VLLM, 86))),
    "vllm.waitLeader.scriptKey": ("wait-for-leader.py", src("O01", at_cut(_VLLM, 87))),
    "vllm.waitLeader.script": (WAIT_LEADER_SCRIPT_1_1, src("O01", at_cut(_VLLM, 95))),
    "vllm.waitLeader.volume": ("wait-leader-script", src("B03", at_cut(_VLLM, 88), "volume and mount name")),
    "vllm.waitLeader.mountPath": ("/scripts", src("B03", at_cut(_VLLM, 89), "read-only")),
    "trtllm.workerScript": (_worker_script(_WORKER_MKDIR), src("B06", at_cut(_TRT, 196))),
}


def _launch(rows: dict[str, tuple[Any, str]]) -> Entries:
    return Entries(
        values=MappingProxyType({**LAUNCH.values, **{k: v for k, (v, _) in rows.items()}}),
        sources={**LAUNCH.sources, **{k: s for k, (_, s) in rows.items()}},
    )


LAUNCH_1_0 = _launch(_ROWS_1_0)
LAUNCH_1_1 = _launch(_ROWS_1_1)
