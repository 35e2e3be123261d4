"""A cache of the parsed built-in rule files: TOML parsing was 16 ms of every run's start-up.

The cache holds only plain data (marshal of the TOML tables, no code and no pickle). It is trusted only as
far as it can be checked, and any doubt means the files are parsed again:
- its name is a SHA-256 of the credlint and Python versions and of each rule file's name and content
  (reading and hashing them costs a fraction of a millisecond), so edited rules never meet a stale cache;
- it starts with a SHA-256 of what follows, so a flipped byte is caught before unmarshalling;
- it is used only when owned by this user and writable by nobody else, inside a folder that is the same
  (a cache folder shared between users, or restored from elsewhere, is a way to make a scan find nothing).
CREDLINT_CACHE_DIR moves it; CREDLINT_NO_CACHE=1 turns it off.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import platform
import stat
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

Tables = list[dict[str, Any]]
T = TypeVar("T")
MAGIC = b"credlint-rules-1\n"
DIGEST_SIZE = 32


def cache_dir() -> Path | None:
    if os.environ.get("CREDLINT_NO_CACHE"):
        return None
    explicit = os.environ.get("CREDLINT_CACHE_DIR")
    base = Path(explicit) if explicit else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "credlint"
    return base


def cache_key(files: Sequence[Path]) -> str:
    """SHA-256 of the versions and of every file's name and content."""
    from credlint import __version__

    key = hashlib.sha256(f"{__version__}\0{sys.version}".encode())
    for path in files:
        key.update(b"\0" + path.name.encode("utf-8", "surrogateescape") + b"\0")
        key.update(hashlib.sha256(path.read_bytes()).digest())
    return key.hexdigest()[:32]


def load_tables(files: Sequence[Path], parse: Callable[[Path], dict[str, Any]]) -> list[dict[str, Any]]:
    """The parsed TOML of each file, from the cache when it is current and intact."""
    if cache_dir() is None:  # not even the files' hash is needed
        return [parse(f) for f in files]
    try:
        name = f"rules-{cache_key(files)}.marshal"
    except OSError:
        return [parse(f) for f in files]
    return cached(name, MAGIC, lambda payload: tables_in(payload, len(files)), lambda: [parse(f) for f in files],
                  marshal.dumps)


def tables_in(payload: bytes, count: int) -> Tables | None:
    """The tables a cache payload holds, or None when it is corrupt or of the wrong shape."""
    with contextlib.suppress(EOFError, ValueError, TypeError):
        tables = marshal.loads(payload)
        if isinstance(tables, list) and len(tables) == count and all(isinstance(t, dict) for t in tables):
            return tables
    return None


def read_blob(target: Path, magic: bytes) -> bytes | None:
    """The payload of a cache file written by store_blob, or None when it is missing, not ours or corrupt."""
    with contextlib.suppress(OSError):
        if not trusted(target.parent) or not trusted(target):
            return None
        data = target.read_bytes()
        payload = data[len(magic) + DIGEST_SIZE:]
        if data.startswith(magic) and data[len(magic):len(magic) + DIGEST_SIZE] == hashlib.sha256(payload).digest():
            return payload
    return None


def trusted(path: Path) -> bool:
    """Owned by this user (where the platform has owners) and writable by no one else."""
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        return False
    owner_ok = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    return owner_ok and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def cached(name: str, magic: bytes, load: Callable[[bytes], T | None], make: Callable[[], T],
           dump: Callable[[T], bytes]) -> T:
    """What the cache file `name` holds, checked by read_blob and turned back by `load`; else `make()`, stored
    with `dump` when it made something. The family whose older files the new one replaces is the name's part
    before its first `-` with the same suffix. Without a cache folder (CREDLINT_NO_CACHE), always `make()`."""
    folder = cache_dir()
    if folder is None:
        return make()
    target = folder / name
    payload = read_blob(target, magic)
    found = load(payload) if payload is not None else None
    if found is not None:
        return found
    made = make()
    if made is not None:
        store_blob(target, magic, dump(made), f"{name.split('-', 1)[0]}-*{Path(name).suffix}")
    return made


def store_blob(target: Path, magic: bytes, payload: bytes, family: str) -> None:
    """Best effort: a read-only home or a full disk only costs the next run its speed. Older files of the
    same family (earlier rule files and versions) are removed."""
    with contextlib.suppress(OSError, ValueError):
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        import tempfile

        fd, tmp = tempfile.mkstemp(prefix=".credlint-", dir=target.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(magic + hashlib.sha256(payload).digest() + payload)
        os.replace(tmp, target)
        for stale in target.parent.glob(family):
            if stale != target:
                stale.unlink(missing_ok=True)


# ---- compiled Hyperscan databases (the keyword and regex prefilters) --------------------------------------

def database_stamp(hyperscan: Any) -> str:
    """What a serialised Hyperscan database depends on besides its patterns: credlint's and Hyperscan's
    versions and the machine (a database is compiled for one CPU family)."""
    from credlint import __version__

    version = str(getattr(hyperscan, "__version__", "")) + str(getattr(hyperscan, "HS_VERSION", ""))
    return f"{__version__}\0{version}\0{platform.machine()}"


def load_database(blob: bytes, hyperscan: Any) -> Any:
    """A database from `hyperscan.dumpb` output; raises hyperscan.error (or ValueError) when it is not one."""
    database = hyperscan.loadb(blob, hyperscan.HS_MODE_BLOCK)
    database.scratch = hyperscan.Scratch(database)  # a loaded database comes without one
    return database
