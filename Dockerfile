# syntax=docker/dockerfile:1
# krm-dynamo as a KRM container function (kpt `image:`, kustomize `container: image:`)
# and as an Argo CD Config Management Plugin sidecar (command overridden to
# /var/run/argocd/argocd-cmp-server; a standalone kustomize is included for that).
# This project publishes no image: build it, push it to a registry of your own, and name
# that image where the examples say ghcr.io/krm-dynamo/krm-dynamo:v0.1.0 (README.md).
#
#   docker build -t ghcr.io/krm-dynamo/krm-dynamo:v0.1.0 .        # or: podman build ...
#
# Build args: PYTHON_IMAGE (a Debian-based image with `python` 3.11+ and its venv module),
# KUSTOMIZE_IMAGE (an image with a static kustomize at /app/kustomize), and for an offline
# build PIP_NO_INDEX=1 and PIP_FIND_LINKS=DIR, DIR holding the wheels of requirements.lock
# and of the setuptools pinned below, mounted into the build
# (`podman build --network none -v "$PWD/wheels:/wheels:ro" --build-arg PIP_FIND_LINKS=/wheels ...`).
#
# Runs as any non-root user: kpt and kustomize start functions with `--user nobody`,
# Argo CD sidecars with uid 999. Nothing is written at run time.

ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm@sha256:65a93d69fa75478d554f4ad27c85c1e69fa184956261b4301ebaf6dbb0a3543d
ARG KUSTOMIZE_IMAGE=registry.k8s.io/kustomize/kustomize:v5.8.1@sha256:899fcd3bc898160e62bcaf82932b0cb29ba38d16272353db2e7acbba82129429

FROM ${KUSTOMIZE_IMAGE} AS kustomize

# ---- builder: a virtual environment with the pinned dependencies and the package ----
FROM ${PYTHON_IMAGE} AS builder
# Unset unless given: pip then uses its index (PyPI).
ARG PIP_NO_INDEX
ARG PIP_FIND_LINKS
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/krm-dynamo
WORKDIR /src
COPY requirements.lock ./
# Exact pins, no resolver: every runtime dependency is listed in requirements.lock.
RUN /opt/krm-dynamo/bin/pip install --no-deps --only-binary=:all: -r requirements.lock \
 && /opt/krm-dynamo/bin/pip install --no-deps "setuptools==80.9.0"
COPY pyproject.toml README.md ./
COPY krm_dynamo ./krm_dynamo
# Bytecode at build time: as `nobody` Python cannot write __pycache__, and compiling on
# every start would cost more than the function's own work. unchecked-hash pycs stay
# valid whatever the file times are after COPY.
RUN /opt/krm-dynamo/bin/pip install --no-deps --no-build-isolation . \
 && /opt/krm-dynamo/bin/pip uninstall --yes setuptools pip \
 && /opt/krm-dynamo/bin/python -c "import krm_dynamo.cli, yaml, pydantic, jsonschema; assert yaml.__with_libyaml__" \
 && /opt/krm-dynamo/bin/python -m compileall -q -j 0 --invalidation-mode unchecked-hash /opt/krm-dynamo

# ---- runtime: slim Python, the venv, kustomize; no compilers, no pip ----
FROM ${PYTHON_IMAGE}
# pip, setuptools and wheel of the base image are not needed (the function's venv does not
# see them); the standard library may ship without bytecode, so compile it too. The paths
# come from the interpreter: /usr/local/lib/python3.11 in python:*-slim, /usr/lib in Debian.
RUN stdlib="$(python -c 'import sysconfig; print(sysconfig.get_path("stdlib"))')" \
 && purelib="$(python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')" \
 && rm -rf "$stdlib/ensurepip" "$purelib"/* /usr/local/bin/pip* \
 && python -m compileall -q -j 0 --invalidation-mode unchecked-hash "$stdlib"
COPY --from=kustomize /app/kustomize /usr/local/bin/kustomize
COPY --from=builder /opt/krm-dynamo /opt/krm-dynamo
ENV PATH=/opt/krm-dynamo/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
# nobody:nogroup
USER 65534:65534
WORKDIR /tmp
ENTRYPOINT ["krm-dynamo"]
