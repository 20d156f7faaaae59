# SPDX-License-Identifier: Apache-2.0
"""Strings of the multinode launch: deployer addresses, shells, the TRT-LLM SSH and ``mpirun`` scripts.

Deployer strings come from the operator's ``lws.go`` and ``grove.go``; ``<svc>`` is
the service name handed to backends and ``<j>`` a worker index. The kubelet expands
``$(VAR)`` in command and args; LWS and Grove inject the variables. Script fragments
come from ``backend_trtllm.go`` and are joined with `` && ``; the ``\\n`` inside the
``printf`` fragments are literal backslash-n, as in the operator.
"""

from __future__ import annotations

from types import MappingProxyType

from krm_dynamo.defaults.backends import MPI_SSH_PORT
from krm_dynamo.defaults.sources import (
    OP_GROVE,
    OP_LWS,
    OP_SGLANG,
    OP_TRTLLM,
    OP_VLLM,
    Entries,
    src,
)

# --- deployers: leader address, worker host names, node rank ----------------------------------
LWS_LEADER_HOSTNAME = "$(LWS_LEADER_ADDRESS)"  # lws.go GetLeaderHostname
LWS_NODE_RANK = "$(LWS_WORKER_INDEX)"  # lws.go GetNodeRank (needs a shell)
# R3 (upstream 17e224762, settled form): worker j's address from the leader's, j = 1 … nodeCount-1
LWS_WORKER_HOSTNAME = "$(echo \"$LWS_LEADER_ADDRESS\" | sed 's/\\./-<j>\\./')"
LWS_FIRST_WORKER_INDEX = 1
# grove.go GetLeaderHostname / GetHostNames / GetNodeRank: `<svc>` = the services key as written
GROVE_LEADER_HOSTNAME = "$(GROVE_PCSG_NAME)-$(GROVE_PCSG_INDEX)-<svc>-ldr-0.$(GROVE_HEADLESS_SERVICE)"
GROVE_WORKER_HOSTNAME = "$(GROVE_PCSG_NAME)-$(GROVE_PCSG_INDEX)-<svc>-wkr-<j>.$(GROVE_HEADLESS_SERVICE)"
GROVE_FIRST_WORKER_INDEX = 0
GROVE_NODE_RANK = "$((GROVE_PCLQ_POD_INDEX + 1))"  # needs a shell (not a kubelet reference)

# --- vLLM (backend_vllm.go): Ray head on the leader, Ray workers joining it ---------------------
# <port> is RAY_HEAD_PORT, <args> the leader's args joined with spaces, <leader> the leader address
VLLM_LEADER_ARGS = "ray start --head --port=<port> && <args>"
VLLM_WORKER_ARGS = "ray start --address=<leader>:<port> --block"

# --- SGLang (backend_sglang.go): flags added to the python launch ------------------------------
# <leader> the leader address, <port> SGLANG_DIST_INIT_PORT, <n> the node count, <rank> the node rank
SGLANG_FLAGS = "--dist-init-addr <leader>:<port> --nnodes <n> --node-rank <rank>"
SGLANG_LEADER_RANK = "0"

# --- shells ---------------------------------------------------------------------------------
SHELL_COMMAND = ("/bin/sh", "-c")  # backend_trtllm.go: leader and worker command
SGLANG_SHELL_COMMAND = ("sh", "-c")  # backend_sglang.go: a python command that needs a shell
SHELLS = ("sh", "bash", "dash", "ash", "zsh", "ksh")  # basenames counted as a shell for the vLLM launch warning

# --- TRT-LLM (backend_trtllm.go) ------------------------------------------------------------
SSH_KEY_MOUNT_PATH = "/ssh-pk"  # the SSH secret mount (read-only)
SSH_SECRET_DEFAULT_MODE = 420  # UpdatePodSpec: 0644
# setupLeaderContainer: names always exported with `mpirun -x`
MPIRUN_EXPORTED_ENV = (
    "CUDA_VISIBLE_DEVICES", "MODEL_PATH", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_ENDPOINT",
    "TOKENIZERS_PARALLELISM", "NCCL_DEBUG", "NCCL_IB_DISABLE", "NCCL_P2P_DISABLE", "TENSORRT_LLM_CACHE_DIR",
    "HF_HOME", "TRANSFORMERS_CACHE", "HF_DATASETS_CACHE", "PATH", "LD_LIBRARY_PATH", "PYTHONPATH", "HOME", "USER",
)
# SSH set-up shared by leader and worker
_SSH_SETUP = (
    f"ls -la {SSH_KEY_MOUNT_PATH}/",
    f"cp {SSH_KEY_MOUNT_PATH}/private.key ~/.ssh/id_rsa",
    f"cp {SSH_KEY_MOUNT_PATH}/private.key.pub ~/.ssh/id_rsa.pub",
    f"cp {SSH_KEY_MOUNT_PATH}/private.key.pub ~/.ssh/authorized_keys",
    "chmod 600 ~/.ssh/id_rsa ~/.ssh/authorized_keys",
    "chmod 644 ~/.ssh/id_rsa.pub ~/.ssh/authorized_keys",
    f"printf 'Host *\\nIdentityFile ~/.ssh/id_rsa\\nStrictHostKeyChecking no\\nPort {MPI_SSH_PORT}\\n' > ~/.ssh/config",
)
TRTLLM_LEADER_SETUP = ("mkdir -p ~/.ssh", *_SSH_SETUP)
# the leader's last fragment; <n>, <hosts>, <exports>, <command> are filled in by render.backends
TRTLLM_MPIRUN = (
    "mpirun --oversubscribe -n <n> -H <hosts> --mca pml ob1 --mca plm_rsh_args "
    f"\"-p {MPI_SSH_PORT} -o StrictHostKeyChecking=no -i ~/.ssh/id_rsa\" <exports> "
    "bash -c 'source /opt/dynamo/venv/bin/activate && trtllm-llmapi-launch <command>'"
)
TRTLLM_WORKER_SCRIPT = (  # host keys, then sshd in the foreground
    "mkdir -p ~/.ssh ~/.ssh/host_keys ~/.ssh/run",
    *_SSH_SETUP,
    "ssh-keygen -t rsa -f ~/.ssh/host_keys/ssh_host_rsa_key -N ''",
    "ssh-keygen -t ecdsa -f ~/.ssh/host_keys/ssh_host_ecdsa_key -N ''",
    "ssh-keygen -t ed25519 -f ~/.ssh/host_keys/ssh_host_ed25519_key -N ''",
    (
        f"printf 'Port {MPI_SSH_PORT}\\nHostKey ~/.ssh/host_keys/ssh_host_rsa_key"
        "\\nHostKey ~/.ssh/host_keys/ssh_host_ecdsa_key"
        "\\nHostKey ~/.ssh/host_keys/ssh_host_ed25519_key\\nPidFile ~/.ssh/run/sshd.pid\\nPermitRootLogin yes"
        "\\nPasswordAuthentication no\\nPubkeyAuthentication yes\\nAuthorizedKeysFile ~/.ssh/authorized_keys\\n' "
        "> ~/.ssh/sshd_config"
    ),
    "mkdir -p /run/sshd",
    "/usr/sbin/sshd -D -f ~/.ssh/sshd_config",
)

_R3 = "R3 (the LWS worker host names of the settled upstream form)"
_TRTLLM_LEADER = f"{OP_TRTLLM} setupLeaderContainer"
_TRTLLM_WORKER = f"{OP_TRTLLM} (worker container hook)"
# The strings above with their sources, as ``krm-dynamo explain`` prints them.
LAUNCH = Entries(
    values=MappingProxyType({
        "lws.leaderHostname": LWS_LEADER_HOSTNAME,
        "lws.workerHostname": LWS_WORKER_HOSTNAME,
        "lws.firstWorkerIndex": LWS_FIRST_WORKER_INDEX,
        "lws.nodeRank": LWS_NODE_RANK,
        "grove.leaderHostname": GROVE_LEADER_HOSTNAME,
        "grove.workerHostname": GROVE_WORKER_HOSTNAME,
        "grove.firstWorkerIndex": GROVE_FIRST_WORKER_INDEX,
        "grove.nodeRank": GROVE_NODE_RANK,
        "vllm.leaderArgs": VLLM_LEADER_ARGS,
        "vllm.workerArgs": VLLM_WORKER_ARGS,
        "vllm.shells": SHELLS,
        "sglang.flags": SGLANG_FLAGS,
        "sglang.leaderRank": SGLANG_LEADER_RANK,
        "sglang.shellCommand": SGLANG_SHELL_COMMAND,
        "trtllm.shellCommand": SHELL_COMMAND,
        "trtllm.sshKeyMountPath": SSH_KEY_MOUNT_PATH,
        "trtllm.sshSecretDefaultMode": SSH_SECRET_DEFAULT_MODE,
        "trtllm.mpirunExportedEnv": MPIRUN_EXPORTED_ENV,
        "trtllm.leaderSetup": TRTLLM_LEADER_SETUP,
        "trtllm.mpirun": TRTLLM_MPIRUN,
        "trtllm.workerScript": TRTLLM_WORKER_SCRIPT,
    }),
    sources={
        "lws.leaderHostname": f"{OP_LWS} GetLeaderHostname",
        "lws.workerHostname": src(f"{OP_LWS} (host list)", _R3),
        "lws.firstWorkerIndex": src(f"{OP_LWS} (host list)", _R3),
        "lws.nodeRank": src(f"{OP_LWS} GetNodeRank", "needs a shell"),
        "grove.leaderHostname": f"{OP_GROVE} GetLeaderHostname",
        "grove.workerHostname": f"{OP_GROVE} GetHostNames",
        "grove.firstWorkerIndex": f"{OP_GROVE} GetHostNames",
        "grove.nodeRank": src(f"{OP_GROVE} GetNodeRank", "needs a shell"),
        "vllm.leaderArgs": src(OP_VLLM, "the leader's args, unchanged when empty"),
        "vllm.workerArgs": src(OP_VLLM, "replaces the worker's args"),
        "sglang.flags": src(OP_SGLANG, "after the token holding the last sglang of a python segment"),
        "sglang.leaderRank": OP_SGLANG,
        "vllm.shells": src(
            OP_VLLM, "krm-dynamo's check: the Ray rewrite leaves the command alone, so it must be a shell"
        ),
        "sglang.shellCommand": src(OP_SGLANG, "a python command whose flags need a shell"),
        "trtllm.shellCommand": src(OP_TRTLLM, "leader and worker command"),
        "trtllm.sshKeyMountPath": src(f"{OP_TRTLLM} (container hook)", "the SSH secret, read-only"),
        "trtllm.sshSecretDefaultMode": src(f"{OP_TRTLLM} UpdatePodSpec", "0644"),
        "trtllm.mpirunExportedEnv": src(_TRTLLM_LEADER, "always exported with mpirun -x, then the container's env"),
        "trtllm.leaderSetup": src(_TRTLLM_LEADER, "SSH set-up, joined with && before mpirun"),
        "trtllm.mpirun": src(_TRTLLM_LEADER, "<n> = nodes x GPUs per node (D26), <hosts> from the deployer"),
        "trtllm.workerScript": src(_TRTLLM_WORKER, "SSH set-up, host keys, sshd in the foreground"),
    },
)
