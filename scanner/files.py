"""Reading the files a configuration names (rule files, baselines, the configuration itself) within bounds.

These paths come from a repository as often as from the user: `rules = ["/dev/zero"]` must be a clear
error, not a read that never ends. Only a regular file is read, and never more than its limit.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from credlint.errors import ConfigError


def read_bounded(path: Path, limit: int, what: str) -> bytes:
    """The bytes of a regular file of at most `limit` bytes, else a ConfigError naming `what` and the path."""
    try:
        # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer that never comes.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read {what}: {exc.strerror or exc}") from exc
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError(f"{path}: {what} is not a regular file")
        if info.st_size > limit:
            raise ConfigError(f"{path}: {what} is larger than {limit} bytes ({info.st_size})")
        try:
            data = handle.read(limit + 1)
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read {what}: {exc.strerror or exc}") from exc
    if len(data) > limit:  # it grew while being read
        raise ConfigError(f"{path}: {what} is larger than {limit} bytes")
    return data
