# SPDX-License-Identifier: Apache-2.0
"""Naming checks: names the API server would reject later, reported before anything is applied.

The operator only lower-cases the service key; the resulting ``<dgd>-<svc>`` names
every object and is the value of ``nvidia.com/selector``, and the service key, DGD
name and Dynamo namespace are label values. Checking here turns an apply-time
rejection into a result with a field path.
"""

from __future__ import annotations

from krm_dynamo.graph.report import Report

MAX_LABEL = 63

# The apimachinery patterns, as character checks: compiling six regular expressions costs more
# start-up than all the names of a run take to check. Each check reads a value as the pattern
# `^...$` does in Go, where `$` ends the text: a final line break fails, as the API server says
# (tests/test_hand_checks.py compares them with `re.fullmatch` on generated text).
_LOWER = frozenset("abcdefghijklmnopqrstuvwxyz")
_LOWER_ALNUM = _LOWER | frozenset("0123456789")
_LOWER_ALNUM_DASH = _LOWER_ALNUM | {"-"}
_ALNUM = _LOWER_ALNUM | frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_NAME_CHARS = _ALNUM | frozenset("-_.")


def _label(text: str) -> bool:
    """``[a-z0-9]([-a-z0-9]*[a-z0-9])?``, the whole text."""
    return bool(text) and text[0] in _LOWER_ALNUM and text[-1] in _LOWER_ALNUM and _LOWER_ALNUM_DASH.issuperset(text)


def _name(text: str) -> bool:
    """``([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]``, the whole text."""
    return bool(text) and text[0] in _ALNUM and text[-1] in _ALNUM and _NAME_CHARS.issuperset(text)


def _dns1123_label(value: str) -> bool:
    """``^[a-z0-9]([-a-z0-9]*[a-z0-9])?$``"""
    return _label(value)


def _dns1035_label(value: str) -> bool:
    """``^[a-z]([-a-z0-9]*[a-z0-9])?$``"""
    return _label(value) and value[0] in _LOWER


def _label_value(value: str) -> bool:
    """``^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$`` (empty is a valid label value)."""
    return not value or _name(value)


def _service_key_chars(value: str) -> bool:
    """``^[a-z0-9-]+$``"""
    return bool(value) and _LOWER_ALNUM_DASH.issuperset(value)


def _qualified_name(value: str) -> bool:
    """``^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$``"""
    return _name(value)


def _dns1123_subdomain(value: str) -> bool:
    """``^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$``"""
    return all(_label(label) for label in value.split("."))


def is_label_value(value: str) -> bool:
    """A valid Kubernetes label value (at most 63 characters)."""
    return len(value) <= MAX_LABEL and _label_value(value)


def check_label_value(value: str, what: str, path: str, report: Report) -> None:
    if not is_label_value(value):
        report.error(
            path,
            f'expected {what} to be a valid label value (at most 63 characters: letters, digits, "-", "_", "." '
            f'starting and ending with a letter or digit), got "{value}"',
        )


def check_service_key(key: str, name: str, frontend: bool, path: str, report: Report) -> None:
    """Characters of the lower-cased key, and the DNS rules of ``<dgd>-<svc>``."""
    if not _service_key_chars(key.lower()):
        report.error(
            path,
            f'expected the service name to contain only letters, digits and "-" (it names Kubernetes objects '
            f'in lower case), got "{key}"',
        )
        return
    if len(name) > MAX_LABEL:
        report.error(
            path,
            f'expected the object name "{name}" (`<graph name>-<service name>`) to have at most 63 characters, '
            f"got {len(name)}",
        )
        return
    if not _dns1123_label(name):
        report.error(
            path,
            f'expected the object name "{name}" (`<graph name>-<service name>`) to be a DNS-1123 label '
            '(lower-case letters, digits and "-", starting and ending with a letter or digit)',
        )
        return
    if frontend and not _dns1035_label(name):
        report.error(
            path,
            f'expected the Service name "{name}" to start with a letter (DNS-1035 label)',
        )
    check_label_value(key, "the service name", path, report)


# --- generic Kubernetes name rules (apimachinery validation) --------------------------------

MAX_SUBDOMAIN = 253


def is_dns1123_label(value: str) -> bool:
    """Lower-case letters, digits and "-", at most 63 characters (pod volume and object names)."""
    return len(value) <= MAX_LABEL and _dns1123_label(value)


def is_dns1123_subdomain(value: str) -> bool:
    """DNS-1123 labels joined by ".", at most 253 characters (object names, hosts); "*." may lead."""
    if value.startswith("*."):
        value = value[2:]
    return len(value) <= MAX_SUBDOMAIN and _dns1123_subdomain(value)


def dns_label_message(what: str, value: str) -> str:
    return (
        f'expected {what} to be a DNS-1123 label (at most 63 lower-case letters, digits and "-", starting and '
        f'ending with a letter or digit), got "{value}"'
    )


def is_qualified_name(key: str) -> bool:
    """A label or annotation key: ``[prefix/]name``, prefix a DNS subdomain, name at most 63 characters."""
    prefix, slash, name = key.rpartition("/")
    if slash and (not prefix or not is_dns1123_subdomain(prefix) or prefix.startswith("*.")):
        return False
    return len(name) <= MAX_LABEL and _qualified_name(name)


def check_qualified_name(key: str, what: str, path: str, report: Report) -> None:
    if not is_qualified_name(key):
        report.error(
            path,
            f'expected {what} of the form [prefix/]name (name at most 63 letters, digits, "-", "_", "." starting '
            f'and ending with a letter or digit; prefix a DNS subdomain), got "{key}"',
        )


def check_label(key: str, value: str, path: str, report: Report) -> None:
    """A user label: a qualified key and a label value."""
    check_qualified_name(key, "a label key", path, report)
    if is_qualified_name(key):
        check_label_value(value, f"the value of label `{key}`", path, report)
