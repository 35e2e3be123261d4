"""The tip's tree (HEAD, or the end of the range scanned), read from git's objects: what "still in HEAD"
means, placed by position, and scanned whole so that a history audit reports everything a tree scan does."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from credlint.errors import ScanIncompleteError
from credlint.model import Chunk, Skip
from credlint.sources.base import ReadLimits
from credlint.sources.git import Oversized, iter_blobs, run_git
from credlint.sources.tree import BINARY_SUFFIXES
from credlint.text import printable

SYMLINK_MODE, GITLINK_MODE = "120000", "160000"


@dataclass(frozen=True, slots=True)
class TipEntry:
    mode: str
    sha: str
    size: int  # -1 for a submodule (no blob)
    path: str  # as git names it (odd bytes kept)


@dataclass(frozen=True, slots=True)
class TipFile:
    """The origin of a chunk that is a whole file at the tip."""

    path: str


def tip_entries(repo: Path, tip: str, paths: Sequence[str] = ()) -> list[TipEntry]:
    """Every file of the tip's tree (or only `paths`), from `git ls-tree -r -z --long`."""
    args = ["--literal-pathspecs", "ls-tree", "-r", "-z", "--long", "--full-tree", tip]
    out = run_git(repo, [*args, "--", *paths] if paths else args).stdout
    entries = []
    for record in out.split(b"\0"):
        meta, tab, name = record.partition(b"\t")
        fields = meta.split()
        if tab and len(fields) == 4:
            size = int(fields[3]) if fields[3].isdigit() else -1
            entries.append(TipEntry(fields[0].decode(), fields[2].decode(), size, os.fsdecode(name)))
    return entries


def skip_for(entry: TipEntry, limits: ReadLimits) -> Skip | None:
    """Why a tip file is not read: as a tree scan decides it for the same file."""
    shown = printable(entry.path)
    if entry.mode == SYMLINK_MODE:
        return Skip(shown, "symlink", "not followed")
    if entry.mode == GITLINK_MODE:
        return Skip(shown, "submodule", "a nested repository is not followed")
    if limits.excluded(shown):
        return Skip(shown, "excluded")
    too_large = limits.too_large(shown, entry.size)
    if too_large is not None:
        return too_large
    if Path(entry.path).suffix.lower() in BINARY_SUFFIXES:
        return Skip(shown, "binary")
    return None


def iter_tip_chunks(repo: Path, entries: Sequence[TipEntry], limits: ReadLimits) -> Iterator[Chunk | Skip]:
    readable = []
    for entry in entries:
        skip = skip_for(entry, limits)
        if skip is None:
            readable.append(entry)
        else:
            yield skip
    by_sha: dict[str, list[TipEntry]] = {}
    for entry in readable:
        by_sha.setdefault(entry.sha, []).append(entry)
    for sha, data in iter_blobs(repo, list(by_sha), limits.max_size):
        for entry in by_sha[sha]:
            shown = printable(entry.path)
            if data is None:  # listed by ls-tree, unreadable by cat-file: "gone from HEAD" would be a lie
                raise ScanIncompleteError(f"{shown}: blob {sha[:12]} cannot be read: the "
                                          "repository is damaged or partial (git fsck; or fetch a full clone)")
            if isinstance(data, Oversized):
                yield limits.too_large(shown, data.size) or Skip(shown, "too-large")
            else:
                yield limits.chunk(shown, data, origin=TipFile(entry.path))
