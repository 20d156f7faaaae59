# SPDX-License-Identifier: Apache-2.0
"""Bytes in and out at the edge: bounded reads, regular files only, complete writes or an error.

* Input is read up to :data:`~krm_dynamo.kio.limits.MAX_INPUT_BYTES` in total; one byte
  more is an error, before anything is parsed.
* ``render`` reads only what the user named: regular files (and ``/dev/null``, read as
  empty); a FIFO, socket or device is refused, never opened in a way that could block.
* Output is written completely or the run fails: every write is checked and flushed, so a
  closed pipe (``EPIPE``), a full disk or a short write is an :class:`OutputError`, also
  when Python's streams are unbuffered (``PYTHONUNBUFFERED=1``, as in the container).
"""

from __future__ import annotations

import os
import stat
from typing import IO, Any

from krm_dynamo.kio import limits
from krm_dynamo.kio.yamlio import InputError

_CHUNK = 1 << 20


class OutputError(Exception):
    """The output could not be written completely; the message says why (one line)."""


def read_stream(stream: IO[bytes], source: str, budget: int = limits.MAX_INPUT_BYTES) -> bytes:
    """All bytes of ``stream``, at most ``budget`` of them."""
    chunks: list[bytes] = []
    total = 0
    try:
        while total <= budget:  # in chunks: one read of the whole budget would reserve all of it
            chunk = stream.read(min(budget + 1 - total, _CHUNK))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise InputError(f"{source}: cannot read: {exc.strerror or exc}") from None
    data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    _check_size(data, source, budget)
    return data


def read_file(path: str, budget: int = limits.MAX_INPUT_BYTES) -> bytes:
    """The bytes of the regular file ``path`` (``/dev/null`` reads as empty), at most ``budget``."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            if _is_dev_null(info):
                return b""
            raise InputError(
                f"{path}: is {_file_kind(info.st_mode)}, not a regular file; "
                "render reads files, directories and - (stdin)"
            )
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return read_stream(fh, path, budget)
    finally:
        os.close(fd)


def _check_size(data: bytes, source: str, budget: int) -> None:
    if len(data) > budget:
        limit = limits.MAX_INPUT_BYTES
        raise InputError(
            f"{source}: input is larger than the limit of {limit} bytes ({limit // (1024 * 1024)} MiB) "
            "krm-dynamo reads in one run"
        )


def _is_dev_null(info: os.stat_result) -> bool:
    try:
        null = os.stat(os.devnull)
    except OSError:  # pragma: no cover - every POSIX system has it
        return False
    return stat.S_ISCHR(info.st_mode) and info.st_rdev == null.st_rdev


def _file_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"  # pragma: no cover


def write_all(stream: Any, text: str) -> None:
    """Write ``text`` completely to ``stream`` and flush it, or raise :class:`OutputError`.

    A stream with a file descriptor (the real stdout) is written with ``os.write`` in a
    loop, so a short write is continued and every failure seen; other streams (tests'
    ``StringIO``) get ``write`` and ``flush``.
    """
    try:
        fileno = stream.fileno()
    except (AttributeError, OSError, ValueError):
        fileno = None
    try:
        if fileno is None:
            stream.write(text)
            stream.flush()
            return
        stream.flush()  # anything the text layer still holds goes first
        data = memoryview(text.encode("utf-8"))
        while data:
            written = os.write(fileno, data)
            if written <= 0:  # pragma: no cover - os.write raises instead
                raise OSError(0, "nothing could be written")
            data = data[written:]
    except OSError as exc:
        raise OutputError(f"cannot write the output: {_reason(exc)}") from None


def _reason(exc: OSError) -> str:
    if isinstance(exc, BrokenPipeError):
        return "the reader closed the pipe (EPIPE); the output is incomplete"
    return f"{exc.strerror or exc}; the output is incomplete"
