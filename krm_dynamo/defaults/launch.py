# SPDX-License-Identifier: Apache-2.0
"""Strings of the multinode launch: deployer addresses, shells, the TRT-LLM SSH and ``mpirun`` scripts.

Deployer strings come from the operator's ``lws.go`` and ``grove.go``; ``<svc>`` is
the service name handed to backends and ``<j>`` a worker index. The kubelet expands
``$(VAR)`` in command and args; LWS and Grove inject the variables. Script fragments
come from ``backend_trtllm.go`` and are joined with `` && ``; the ``\\n`` inside the
``printf`` fragments are literal backslash-n, as in the operator.
"""

from __future__ import annotations

from krm_dynamo.defaults.backends import MPI_SSH_PORT

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
TRTLLM_LEADER_SETUP = ("mkdir -p ~/.ssh",) + _SSH_SETUP
# the leader's last fragment; <n>, <hosts>, <exports>, <command> are filled in by render.backends
TRTLLM_MPIRUN = (
    "mpirun --oversubscribe -n <n> -H <hosts> --mca pml ob1 --mca plm_rsh_args "
    f"\"-p {MPI_SSH_PORT} -o StrictHostKeyChecking=no -i ~/.ssh/id_rsa\" <exports> "
    "bash -c 'source /opt/dynamo/venv/bin/activate && trtllm-llmapi-launch <command>'"
)
TRTLLM_WORKER_SCRIPT = (  # host keys, then sshd in the foreground
    ("mkdir -p ~/.ssh ~/.ssh/host_keys ~/.ssh/run",)
    + _SSH_SETUP
    + (
        "ssh-keygen -t rsa -f ~/.ssh/host_keys/ssh_host_rsa_key -N ''",
        "ssh-keygen -t ecdsa -f ~/.ssh/host_keys/ssh_host_ecdsa_key -N ''",
        "ssh-keygen -t ed25519 -f ~/.ssh/host_keys/ssh_host_ed25519_key -N ''",
        (
            f"printf 'Port {MPI_SSH_PORT}\\nHostKey ~/.ssh/host_keys/ssh_host_rsa_key\\nHostKey ~/.ssh/host_keys/ssh_host_ecdsa_key"
            "\\nHostKey ~/.ssh/host_keys/ssh_host_ed25519_key\\nPidFile ~/.ssh/run/sshd.pid\\nPermitRootLogin yes"
            "\\nPasswordAuthentication no\\nPubkeyAuthentication yes\\nAuthorizedKeysFile ~/.ssh/authorized_keys\\n' "
            "> ~/.ssh/sshd_config"
        ),
        "mkdir -p /run/sshd",
        "/usr/sbin/sshd -D -f ~/.ssh/sshd_config",
    )
)
