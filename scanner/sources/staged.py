"""Staged source: the blobs the index holds for changed files, not the working-tree files."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from scanner.model import Chunk, Skip
from scanner.sources.gitcmd import read_blobs, run_git
from scanner.sources.tree import SNIFF_BYTES, display_path

SYMLINK_MODE, GITLINK_MODE = "120000", "160000"


def staged_names(repo: Path, only: Sequence[str]) -> list[str]:
    """Files added, copied, modified, renamed or type-changed in the index (deletions have nothing to scan)."""
    out = run_git(repo, ["diff", "--cached", "--name-only", "-z", "--no-renames", "--diff-filter=ACMRTUXB",
                         "--", *only]).stdout
    return [os.fsdecode(raw) for raw in out.split(b"\0") if raw]


def index_modes(repo: Path, names: Sequence[str]) -> dict[str, str]:
    out = run_git(repo, ["ls-files", "-s", "-z", "--", *names]).stdout if names else b""
    modes: dict[str, str] = {}
    for entry in out.split(b"\0"):
        if entry:
            meta, _, name = entry.partition(b"\t")
            modes[os.fsdecode(name)] = meta.split()[0].decode()
    return modes


def iter_staged(repo: Path, only: Sequence[str], max_size: int) -> Iterator[Chunk | Skip]:
    names = staged_names(repo, only)
    modes = index_modes(repo, names)
    blobs = read_blobs(repo, [f":{name}" for name in names if modes.get(name) not in (SYMLINK_MODE, GITLINK_MODE)])
    for name in names:
        shown = display_path(name)
        if modes.get(name) == SYMLINK_MODE:
            yield Skip(shown, "symlink", "not followed")
            continue
        if modes.get(name) == GITLINK_MODE:
            yield Skip(shown, "submodule", "a nested repository is not followed")
            continue
        yield blob_chunk(shown, blobs.get(f":{name}"), max_size)


def blob_chunk(path: str, blob: bytes | None, max_size: int) -> Chunk | Skip:
    if blob is None:
        return Skip(path, "unreadable", "not in the index")
    if len(blob) > max_size:
        return Skip(path, "too-large", f"{len(blob)} bytes, limit {max_size}")
    if b"\0" in blob[:SNIFF_BYTES]:
        return Skip(path, "binary")
    return Chunk(path, blob.decode("utf-8", "surrogateescape"))
