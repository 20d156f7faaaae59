# SPDX-License-Identifier: Apache-2.0
"""Naming checks: names the API server would reject later, reported before anything is applied.

The operator only lower-cases the service key; the resulting ``<dgd>-<svc>`` names
every object and is the value of ``nvidia.com/selector``, and the service key, DGD
name and Dynamo namespace are label values. Checking here turns an apply-time
rejection into a result with a field path.
"""

from __future__ import annotations

import re

from krm_dynamo.graph.report import Report

# Matched with fullmatch: in Go `$` ends the text, in Python it also matches before a final newline.
_DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_SERVICE_KEY_CHARS = re.compile(r"^[a-z0-9-]+$")
MAX_LABEL = 63


def is_label_value(value: str) -> bool:
    """A valid Kubernetes label value (at most 63 characters)."""
    return len(value) <= MAX_LABEL and bool(_LABEL_VALUE.fullmatch(value))


def check_label_value(value: str, what: str, path: str, report: Report) -> None:
    if not is_label_value(value):
        report.error(
            path,
            f'expected {what} to be a valid label value (at most 63 characters: letters, digits, "-", "_", "." '
            f'starting and ending with a letter or digit), got "{value}"',
        )


def check_service_key(key: str, name: str, frontend: bool, path: str, report: Report) -> None:
    """Characters of the lower-cased key, and the DNS rules of ``<dgd>-<svc>``."""
    if not _SERVICE_KEY_CHARS.fullmatch(key.lower()):
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
    if not _DNS1123_LABEL.fullmatch(name):
        report.error(
            path,
            f'expected the object name "{name}" (`<graph name>-<service name>`) to be a DNS-1123 label '
            '(lower-case letters, digits and "-", starting and ending with a letter or digit)',
        )
        return
    if frontend and not _DNS1035_LABEL.fullmatch(name):
        report.error(
            path,
            f'expected the Service name "{name}" to start with a letter (DNS-1035 label)',
        )
    check_label_value(key, "the service name", path, report)


# --- generic Kubernetes name rules (apimachinery validation) --------------------------------

_DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_QUALIFIED_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
MAX_SUBDOMAIN = 253


def is_dns1123_label(value: str) -> bool:
    """Lower-case letters, digits and "-", at most 63 characters (pod volume and object names)."""
    return len(value) <= MAX_LABEL and bool(_DNS1123_LABEL.fullmatch(value))


def is_dns1123_subdomain(value: str) -> bool:
    """DNS-1123 labels joined by ".", at most 253 characters (object names, hosts); "*." may lead."""
    if value.startswith("*."):
        value = value[2:]
    return len(value) <= MAX_SUBDOMAIN and bool(_DNS1123_SUBDOMAIN.fullmatch(value))


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
    return len(name) <= MAX_LABEL and bool(_QUALIFIED_NAME.fullmatch(name))


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
