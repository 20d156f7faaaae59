# SPDX-License-Identifier: Apache-2.0
"""SGLang multinode launch (``backend_sglang.go``): ``--dist-init-addr``, ``--nnodes``, ``--node-rank``."""

from __future__ import annotations

import re
from typing import Any

from krm_dynamo import defaults
from krm_dynamo.render.backends.common import PodRole, launch_values
from krm_dynamo.render.backends.flags import inject_flags

_SHELL_VAR = r"\$([A-Za-z_][A-Za-z0-9_]*)"  # compiled on first use (start-up)


def kubelet_form(address: str) -> str:
    """A bare shell variable ``$VAR`` as the kubelet reference ``$(VAR)``; anything else as is
    (operator 1.1 leader, B05: a leader launched without a shell still gets its address)."""
    match = re.fullmatch(_SHELL_VAR, address)
    return f"$({match.group(1)})" if match else address


def sglang_flags(pod: PodRole) -> tuple[str, bool]:
    """``--dist-init-addr <leader>:29500 --nnodes N --node-rank R`` and whether it needs a shell."""
    launch = launch_values(pod.release)
    leader = pod.deployer.leader_hostname(pod.service_name)
    if pod.role == defaults.ROLE_LEADER:
        rank, needs_shell = launch["sglang.leaderRank"], False
        if launch.get("sglang.leaderKubeletForm"):
            leader = kubelet_form(leader)
    else:
        rank, needs_shell = pod.deployer.node_rank, pod.deployer.node_rank_needs_shell
    flags = (launch["sglang.flags"].replace("<port>", str(defaults.SGLANG_DIST_INIT_PORT))
             .replace("<n>", str(pod.node_count)).replace("<rank>", rank).replace("<leader>", leader))
    return flags, needs_shell


def inject_sglang_flags(container: dict[str, Any], flags: str, needs_shell: bool,
                        table: defaults.OperatorDefaults | None = None) -> dict[str, Any]:
    """Put the multinode flags into the launch (``backend_sglang.go``); the container is returned changed or as is.

    Args are shell-quoted from operator 1.0 and command tokens from 1.1 (B04).
    """
    table = table if table is not None else defaults.for_release()
    quote = table.switch("B04")
    launch = launch_values(table)
    return inject_flags(container, flags, needs_shell, "sglang", quote_args=quote,
                        quote_command=quote and bool(launch.get("shellQuote.commandTokens")),
                        shell=tuple(launch["sglang.shellCommand"]))
