# SPDX-License-Identifier: Apache-2.0
"""Canonical list order of a pod spec, as the operator's ``CanonicalizePodSpec`` sorts it.

Operator source: ``controller_common/pod.go``. Moved out of ``podtemplate`` unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _key_bytes(*parts: Any) -> tuple[Any, ...]:
    return tuple(_text(p).encode() for p in parts)


def _number_key(value: Any) -> tuple[Any, ...]:
    """A total order over what a user may write for a numeric field: numbers by value (unset as 0), then text.

    A wrong type (``tolerationSeconds: "x"``) is a validation error; this only keeps the sort from failing.
    """
    if value is None:
        return (0, 0, b"")
    # value == value is False for NaN only, which has no order.
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value == value:
        return (0, value, b"")
    return (1, 0, _text(value).encode())


def _env_from_key(source: dict[str, Any]) -> tuple[Any, ...]:
    prefix = _text(source.get("prefix"))
    if isinstance(source.get("configMapRef"), dict):
        return _key_bytes(f"cm:{_text(source['configMapRef'].get('name'))}:{prefix}")
    if isinstance(source.get("secretRef"), dict):
        return _key_bytes(f"sec:{_text(source['secretRef'].get('name'))}:{prefix}")
    return _key_bytes(f"other:{prefix}")


def _sort_list(value: Any, key: Callable[[Any], Any]) -> Any:
    if not isinstance(value, list):
        return value
    return sorted(value, key=lambda item: key(item) if isinstance(item, dict) else (b"",))


def canonicalize_container(container: dict[str, Any]) -> dict[str, Any]:
    """Sort a container's env, envFrom, ports, volume mounts and capabilities."""
    out = dict(container)
    if "env" in out:
        out["env"] = _sort_list(out["env"], lambda e: _key_bytes(e.get("name")))
    if "envFrom" in out:
        out["envFrom"] = _sort_list(out["envFrom"], _env_from_key)
    if "ports" in out:
        out["ports"] = _sort_list(
            out["ports"], lambda p: (_text(p.get("name")).encode(), _number_key(p.get("containerPort")))
        )
    if "volumeMounts" in out:
        out["volumeMounts"] = _sort_list(out["volumeMounts"], lambda m: _key_bytes(m.get("name"), m.get("mountPath")))
    caps = ((out.get("securityContext") or {}).get("capabilities")
            if isinstance(out.get("securityContext"), dict) else None)
    if isinstance(caps, dict):
        caps = dict(caps)
        for key in ("add", "drop"):
            if isinstance(caps.get(key), list):
                caps[key] = sorted(caps[key], key=lambda v: _text(v).encode())
        out["securityContext"] = {**out["securityContext"], "capabilities": caps}
    return out


def _items_key(item: dict[str, Any]) -> tuple[Any, ...]:
    return _key_bytes(item.get("key"), item.get("path"))


def _canonicalize_volume(volume: dict[str, Any]) -> dict[str, Any]:
    out = dict(volume)
    for source in ("configMap", "secret"):
        if isinstance(out.get(source), dict) and isinstance(out[source].get("items"), list):
            out[source] = {**out[source], "items": _sort_list(out[source]["items"], _items_key)}
    if isinstance(out.get("downwardAPI"), dict) and isinstance(out["downwardAPI"].get("items"), list):
        out["downwardAPI"] = {
            **out["downwardAPI"],
            "items": _sort_list(out["downwardAPI"]["items"], lambda i: _key_bytes(i.get("path"))),
        }
    projected = out.get("projected")
    if isinstance(projected, dict) and isinstance(projected.get("sources"), list):
        sources = []
        for src in projected["sources"]:
            if isinstance(src, dict):
                src = dict(src)
                for kind in ("configMap", "secret"):
                    if isinstance(src.get(kind), dict) and isinstance(src[kind].get("items"), list):
                        src[kind] = {**src[kind], "items": _sort_list(src[kind]["items"], _items_key)}
                if isinstance(src.get("downwardAPI"), dict) and isinstance(src["downwardAPI"].get("items"), list):
                    src["downwardAPI"] = {
                        **src["downwardAPI"],
                        "items": _sort_list(src["downwardAPI"]["items"], lambda i: _key_bytes(i.get("path"))),
                    }
            sources.append(src)
        out["projected"] = {**projected, "sources": _sort_list(sources, _projection_key)}
    return out


def _projection_key(source: dict[str, Any]) -> tuple[Any, ...]:
    if isinstance(source.get("configMap"), dict):
        return _key_bytes(f"cm:{_text(source['configMap'].get('name'))}")
    if isinstance(source.get("secret"), dict):
        return _key_bytes(f"sec:{_text(source['secret'].get('name'))}")
    if source.get("downwardAPI") is not None:
        return _key_bytes("downward:")
    if isinstance(source.get("serviceAccountToken"), dict):
        return _key_bytes(f"sat:{_text(source['serviceAccountToken'].get('audience'))}")
    return _key_bytes("z:other")


def canonicalize_pod_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """Sort every list of a pod spec as the operator's ``CanonicalizePodSpec`` does.

    Sorts are stable (the operator's are not; only equal keys could tell, and pull
    secrets are de-duplicated by name first, R5).
    """
    return canonicalize_pod_spec_with_main(spec, None)[0]


def unique_pull_secrets(refs: list[Any]) -> list[Any]:
    """``imagePullSecrets`` with the first entry of each name kept, in order (R5)."""
    seen: set[Any] = set()
    unique = []
    for ref in refs:
        name = ref.get("name") if isinstance(ref, dict) else None
        marker = name if isinstance(name, str) or name is None else repr(name)  # a wrong type is a V2 error
        if marker in seen:
            continue
        seen.add(marker)
        unique.append(ref)
    return unique


def canonicalize_pod_spec_with_main(spec: dict[str, Any], main_index: int | None
                                    ) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """:func:`canonicalize_pod_spec`, also returning the canonical ``containers[main_index]`` itself."""
    out = dict(spec)
    main = None
    for key in ("containers", "initContainers", "ephemeralContainers"):
        if isinstance(out.get(key), list):
            containers = [canonicalize_container(c) if isinstance(c, dict) else c for c in out[key]]
            if key == "containers" and main_index is not None:
                main = containers[main_index]
            out[key] = _sort_list(containers, lambda c: _key_bytes(c.get("name")))
    if isinstance(out.get("imagePullSecrets"), list):
        unique = unique_pull_secrets(out["imagePullSecrets"])
        out["imagePullSecrets"] = _sort_list(unique, lambda r: _key_bytes(r.get("name")))
    if isinstance(out.get("volumes"), list):
        volumes = [_canonicalize_volume(v) if isinstance(v, dict) else v for v in out["volumes"]]
        out["volumes"] = _sort_list(volumes, lambda v: _key_bytes(v.get("name")))
    if isinstance(out.get("tolerations"), list):
        out["tolerations"] = _sort_list(
            out["tolerations"],
            lambda t: (*_key_bytes(t.get("key"), t.get("operator"), t.get("value"), t.get("effect")),
                       _number_key(t.get("tolerationSeconds"))),
        )
    if isinstance(out.get("topologySpreadConstraints"), list):
        out["topologySpreadConstraints"] = _sort_list(
            out["topologySpreadConstraints"],
            lambda c: (*_key_bytes(c.get("topologyKey"), c.get("whenUnsatisfiable")), _number_key(c.get("maxSkew"))),
        )
    if isinstance(out.get("hostAliases"), list):
        aliases = []
        for alias in out["hostAliases"]:
            if isinstance(alias, dict) and isinstance(alias.get("hostnames"), list):
                alias = {**alias, "hostnames": sorted(alias["hostnames"], key=lambda h: _text(h).encode())}
            aliases.append(alias)
        out["hostAliases"] = _sort_list(aliases, lambda a: _key_bytes(a.get("ip")))
    dns = out.get("dnsConfig")
    if isinstance(dns, dict):
        dns = dict(dns)
        if isinstance(dns.get("options"), list):
            dns["options"] = _sort_list(dns["options"], lambda o: _key_bytes(o.get("name"), o.get("value")))
        for key in ("nameservers", "searches"):
            if isinstance(dns.get(key), list):
                dns[key] = sorted(dns[key], key=lambda v: _text(v).encode())
        out["dnsConfig"] = dns
    return out, main


