"""A cache of the parsed built-in rule files: TOML parsing was 16 ms of every run's start-up.

The cache holds only plain data (marshal of the TOML tables, no code and no pickle), is keyed by each
file's name, size and modification time and the Python version, and any problem with it just means the
files are parsed again. CREDLINT_CACHE_DIR moves it; CREDLINT_NO_CACHE=1 turns it off.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

Tables = list[dict[str, Any]]


def cache_dir() -> Path | None:
    if os.environ.get("CREDLINT_NO_CACHE"):
        return None
    explicit = os.environ.get("CREDLINT_CACHE_DIR")
    base = Path(explicit) if explicit else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "credlint"
    return base


def cache_key(files: Sequence[Path]) -> str:
    """CRC32 of versions, names, sizes and times: a cache key, not a security boundary (zlib is loaded anyway)."""
    stamp = sys.version + "".join(f"\0{p.name}\0{p.stat().st_size}\0{p.stat().st_mtime_ns}" for p in files)
    return f"{zlib.crc32(stamp.encode()):08x}{len(files):04x}"


def load_tables(files: Sequence[Path], parse: Callable[[Path], dict[str, Any]]) -> list[dict[str, Any]]:
    """The parsed TOML of each file, from the cache when it is current."""
    folder = cache_dir()
    if folder is None:
        return [parse(f) for f in files]
    target = folder / f"rules-{cache_key(files)}.marshal"
    with contextlib.suppress(OSError, EOFError, ValueError, TypeError):
        cached = marshal.loads(target.read_bytes())
        if isinstance(cached, list) and len(cached) == len(files):
            return cached
    tables = [parse(f) for f in files]
    store(target, tables)
    return tables


def store(target: Path, data: list[Any]) -> None:
    """Best effort: a read-only home or a full disk only costs the next run its speed."""
    with contextlib.suppress(OSError, ValueError):
        target.parent.mkdir(parents=True, exist_ok=True)
        import tempfile

        fd, tmp = tempfile.mkstemp(prefix=".rules-", dir=target.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(marshal.dumps(data))
        os.replace(tmp, target)
