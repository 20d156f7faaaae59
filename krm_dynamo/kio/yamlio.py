# SPDX-License-Identifier: Apache-2.0
"""Reading and writing YAML at the edge, with the meaning kpt and kustomize give it.

kpt and kustomize read YAML with go-yaml v3 (kyaml): ``true``/``false`` are the only
booleans (``yes``, ``on``, ``Off``, ``NO`` are strings), integers may be written
``0x1F``, ``0o17``, ``0b101`` or as 1.1-style octals ``0644``, and timestamps are
not a type of their own. PyYAML's stock resolvers are YAML 1.1, so this module
installs resolvers with go-yaml v3's meaning for loading, and for dumping quotes every
string that *either* a YAML 1.1 or a YAML 1.2 reader would take for something else,
so that the output means the same to every tool downstream.

Output is block style, never uses anchors or aliases (kustomize splits items into
documents, and an alias across them breaks the build), and keeps key order.
The C parser and emitter are used when libyaml is available; the cyclic garbage
collector is paused during parse and emit (it makes large parses superlinear).
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import yaml

try:  # libyaml: about 5x faster than the pure-Python classes
    from yaml import CSafeDumper as _BaseDumper
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeDumper as _BaseDumper  # type: ignore[assignment]
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


class InputError(Exception):
    """Input that cannot be read as YAML; the message is one readable line."""


# --- resolvers ---------------------------------------------------------------------------

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
# go-yaml v3 strips "_" and then tries strconv.ParseInt(s, 0, 64): decimal, 0b, 0o, 0x
# (any case) and legacy octal with a leading 0.
_INT = re.compile(r"^[-+]?(?:0[bB][01_]+|0[oO][0-7_]+|0[xX][0-9a-fA-F_]+|0[0-7_]*|[1-9][0-9_]*)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9_]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_MERGE = re.compile(r"^<<$")

_TAG = "tag:yaml.org,2002:"


def _add(cls: type[Loader], tag: str, regexp: re.Pattern[str], first: str) -> None:
    cls.add_implicit_resolver(_TAG + tag, regexp, list(first) if first else [""])


class Loader(_BaseLoader):
    """Safe loader with go-yaml v3 scalar resolution and duplicate-key detection."""

    # PyYAML's per-class resolver table: this class starts from none of the YAML 1.1 ones.
    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key_node, _ in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.tag != _TAG + "merge":
                    if key_node.value in seen:
                        raise yaml.constructor.ConstructorError(
                            None,
                            None,
                            f'mapping key "{key_node.value}" already defined at line {seen[key_node.value] + 1}',
                            key_node.start_mark,
                        )
                    seen[key_node.value] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


def _construct_int(loader: Loader, node: yaml.ScalarNode) -> int | str:
    raw = loader.construct_scalar(node)
    text = raw.replace("_", "")
    sign = -1 if text.startswith("-") else 1
    text = text.lstrip("+-")
    try:
        if len(text) > 1 and text[0] == "0" and text[1].isdigit():
            return sign * int(text, 8)
        return sign * int(text, 0)
    except ValueError:  # "0x_": go-yaml's ParseInt fails too, and the scalar stays text
        return raw


def _construct_float(loader: Loader, node: yaml.ScalarNode) -> float | str:
    raw = loader.construct_scalar(node)
    text = raw.replace("_", "").lower()
    if text.endswith("inf"):
        return float("-inf") if text.startswith("-") else float("inf")
    if text.endswith("nan"):
        return float("nan")
    try:
        return float(text)
    except ValueError:  # "._": not a number to go-yaml either
        return raw


def _construct_set(loader: Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    """``!!set`` as the mapping it is written as (keys to null), in written order.

    PyYAML's Python ``set`` would make the output order depend on hash seeding.
    """
    return loader.construct_mapping(node)


def _construct_ordered_pairs(loader: Loader, node: yaml.SequenceNode) -> list[dict[Any, Any]]:
    """``!!omap`` / ``!!pairs`` as the list of one-key mappings they are written as."""
    return [loader.construct_mapping(item) for item in node.value] if isinstance(node, yaml.SequenceNode) else []


_add(Loader, "null", _NULL, "~nN")
Loader.add_implicit_resolver(_TAG + "null", _NULL, [""])  # an empty value
_add(Loader, "bool", _BOOL, "tTfF")
_add(Loader, "int", _INT, "-+0123456789")
_add(Loader, "float", _FLOAT, "-+0123456789.")
_add(Loader, "merge", _MERGE, "<")
Loader.add_constructor(_TAG + "int", _construct_int)
Loader.add_constructor(_TAG + "float", _construct_float)
Loader.add_constructor(_TAG + "set", _construct_set)
Loader.add_constructor(_TAG + "omap", _construct_ordered_pairs)
Loader.add_constructor(_TAG + "pairs", _construct_ordered_pairs)
# No timestamp resolver: like go-yaml v3 into a generic value, a date stays a string.


class Dumper(_BaseDumper):
    """Block-style, alias-free dumper that quotes every ambiguous string."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


# Quote a string when a YAML 1.1 reader (PyYAML, go-yaml v2 in kubectl) or a go-yaml v3
# reader would resolve it to anything but a string: the union of both resolver sets.
Dumper.yaml_implicit_resolvers = {
    first: list(resolvers) for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}
for _first, _resolvers in Loader.yaml_implicit_resolvers.items():
    Dumper.yaml_implicit_resolvers.setdefault(_first, []).extend(_resolvers)


def _represent_str(dumper: Dumper, data: str) -> yaml.ScalarNode:
    """Quote as go-yaml v3 does, because kpt writes our style back into the user's files.

    A string another reader would take for a bool, number or null gets double quotes
    (``"true"``, ``"8000"``); text plain style cannot hold falls back to single quotes
    in the emitter; multi-line text (scripts, JSON blobs) is a literal block.
    """
    if "\n" in data:
        return dumper.represent_scalar(_TAG + "str", data, style="|")
    if dumper.resolve(yaml.ScalarNode, data, (True, False)) != _TAG + "str":  # type: ignore[no-untyped-call]
        return dumper.represent_scalar(_TAG + "str", data, style='"')
    return dumper.represent_scalar(_TAG + "str", data)


Dumper.add_representer(str, _represent_str)


@contextmanager
def _gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# --- reading -----------------------------------------------------------------------------


def decode(data: bytes, source: str) -> str:
    """UTF-8 text of ``data``; a clear error for anything else (KRM mandates UTF-8)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{source}: input must be UTF-8 encoded; "
            f"byte 0x{data[exc.start]:02x} at offset {exc.start} is not valid UTF-8"
        ) from None
    return text[1:] if text.startswith("\ufeff") else text


def load_documents(text: str, source: str) -> list[Any]:
    """All documents of a YAML stream, as plain Python values."""
    return [data for data, _node in load_documents_with_nodes(text, source)]


def load_documents_with_nodes(text: str, source: str) -> list[tuple[Any, Any]]:
    """Documents with their composed node trees, so that messages can name lines."""
    loader = Loader(text)
    out = []
    try:
        with _gc_paused():
            while loader.check_node():
                node = loader.get_node()
                out.append((loader.construct_document(node), node))
    except yaml.MarkedYAMLError as exc:
        raise InputError(_yaml_error_line(exc, source)) from None
    except yaml.YAMLError as exc:
        raise InputError(f"{source}: invalid YAML: {exc}") from None
    except RecursionError:
        raise InputError(f"{source}: invalid YAML: nesting is too deep") from None
    finally:
        loader.dispose()
    return out


def _yaml_error_line(exc: yaml.MarkedYAMLError, source: str) -> str:
    mark = exc.problem_mark or exc.context_mark
    where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark is not None else source
    problem = exc.problem or exc.context or "invalid YAML"
    context = f" ({exc.context})" if exc.context and exc.problem else ""
    return f"{where}: invalid YAML: {problem}{context}"


def line_of(node: Any, path: str | None) -> int | None:
    """1-based line of the field at dotted ``path`` (``a.b[2].c``) in a node tree.

    Falls back to the deepest existing ancestor, so a missing field points at its parent.
    """
    if node is None:
        return None
    line: int = node.start_mark.line + 1
    for part in _split_path(path or ""):
        if isinstance(part, int):
            if isinstance(node, yaml.SequenceNode) and 0 <= part < len(node.value):
                node = node.value[part]
            else:
                break
        else:
            if not isinstance(node, yaml.MappingNode):
                break
            match = next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == part), None)
            if match is None:
                break
            key_line = next(k.start_mark.line for k, v in node.value if v is match)
            node = match
            line = key_line + 1
            continue
        line = node.start_mark.line + 1
    return line


_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _split_path(path: str) -> list[str | int]:
    return [int(idx) if idx else name for name, idx in _PATH_PART.findall(path)]


# --- writing -----------------------------------------------------------------------------


def dump(data: Any) -> str:
    """One YAML document, block style, no aliases."""
    return dump_all([data])


def dump_all(documents: list[Any]) -> str:
    """A multi-document YAML stream (``---`` between documents)."""
    with _gc_paused():
        text: str = yaml.dump_all(
            documents,
            Dumper=Dumper,
            sort_keys=False,
            default_flow_style=False,
            allow_unicode=True,
            width=_NEVER_FOLD,
            indent=2,
        )
        return text


_NEVER_FOLD = 2**31 - 1  # the line width: long strings (commands, JSON values) are never folded
