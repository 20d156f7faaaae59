# SPDX-License-Identifier: Apache-2.0
"""Where the 1.x merge (P04: mergo v0.3.16, pointers merged deeply) keeps a default the user meant to change.

Said as warnings, since the output follows the operator: a zero ``terminationGracePeriodSeconds``
or probe timing no longer replaces the default, and a number laid over a probe's named port
leaves the name. A ``mainContainer`` probe naming another handler than the default replaces it
(D58), which is noted.
"""

from __future__ import annotations

from krm_dynamo import defaults
from krm_dynamo.graph.report import Report
from krm_dynamo.graph.rules.context import ServiceCheck

_MERGED_PROBES = ("livenessProbe", "readinessProbe")


def check_deep_merge(s: ServiceCheck, report: Report) -> None:
    """The P04 surprises of ``extraPodSpec`` and ``mainContainer`` probes, one warning each."""
    table = s.graph.table
    if not table.switch("P04"):
        return
    component_defaults = table.for_component(s.svc.componentType)
    grace = s.component.pod_fields.get("terminationGracePeriodSeconds")
    default_grace = component_defaults.pod.get("terminationGracePeriodSeconds")
    if grace == 0 and default_grace:
        report.warning(f"{s.path}.extraPodSpec.terminationGracePeriodSeconds",
                       f"`0` does not replace the default {default_grace} from operator 1.0 on: its merge keeps a set "
                       "value over a zero one (P04)")
    for kind in _MERGED_PROBES:
        user, default = s.main.get(kind), component_defaults.probes.get(kind)
        if not isinstance(user, dict) or not isinstance(default, dict):
            continue
        path = f"{s.mc_path}.{kind}"
        zeros = [k for k, v in user.items() if v == 0 and not isinstance(v, bool) and default.get(k)]
        if zeros:
            report.warning(path, f"{', '.join(f'`{k}: 0`' for k in zeros)} does not replace the default from operator "
                                 "1.0 on: its merge keeps a set value over a zero one (P04)")
        handlers = [h for h in defaults.PROBE_HANDLERS if user.get(h) is not None]
        if handlers and default.get(handlers[0]) is None:
            report.info(path, f"`{handlers[0]}` replaces the default probe's handler; the operator's merge would keep "
                              "both, which the API server rejects (D58)")
        for handler in ("httpGet", "tcpSocket"):
            mine, theirs = user.get(handler), default.get(handler)
            if isinstance(mine, dict) and isinstance(theirs, dict) and isinstance(mine.get("port"), int) \
                    and isinstance(theirs.get("port"), str):
                report.warning(f"{path}.{handler}.port",
                               f"port {mine['port']} is ignored from operator 1.0 on: its merge keeps the default's "
                               f"named port \"{theirs['port']}\" (P04); give the port by name")
