"""Staged source: what the index holds, and which of its lines the commit adds.

A staged file is read whole from the index (so a key whose body changed under an unchanged BEGIN line is
still seen as a key, and allow comments have their context), and `added_lines` says which lines the
commit adds: a finding on none of them was already committed, and is not this commit's leak.

File names given (pre-commit passes them; `pre-commit run --all-files` passes every file with nothing
staged) are scanned whole from the index when they have no staged change, and from disk when the index
does not know them: a name the user gives is never silently left out.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from credlint.errors import ScanIncompleteError
from credlint.model import Chunk, Finding, Skip
from credlint.sources.base import Item, KeywordEnds, Progress, ReadLimits, Scan, Settled, SourceInfo
from credlint.sources.git import Oversized, diff_limit, read_blobs, run_git
from credlint.sources.history.patches import file_starts, parse_file
from credlint.sources.tree import Workspace, repository_salt
from credlint.text import printable as display_path

SYMLINK_MODE, GITLINK_MODE = "120000", "160000"
HUNK_NEW_SIDE = re.compile(rb"^@@+ (?:-\d+(?:,\d+)? )+\+(\d+)(?:,(\d+))? @@", re.M)


@dataclass(slots=True)
class StagedPlan:
    staged: list[str] = field(default_factory=list)  # files with a staged change
    whole: list[str] = field(default_factory=list)  # named files without one: scanned whole


def staged_names(repo: Path, only: Sequence[str]) -> list[str]:
    """Files added, copied, modified, renamed or type-changed in the index (deletions have nothing to scan)."""
    out = run_git(repo, ["--literal-pathspecs", "diff", "--cached", "--name-only", "-z", "--no-renames",
                         "--diff-filter=ACMRTUXB", "--", *only]).stdout
    return [os.fsdecode(raw) for raw in out.split(b"\0") if raw]


def plan(repo: Path, only: Sequence[str]) -> StagedPlan:
    staged = staged_names(repo, only)
    chosen = set(staged)
    # A folder named (`credlint scan . --staged`) limits what is staged; it is not a file to read whole.
    return StagedPlan(staged, [name for name in only if name not in chosen and not (repo / name).is_dir()])


def added_lines(repo: Path, names: Sequence[str], max_size: int) -> dict[str, frozenset[int]]:
    """New-file line numbers each staged file gains; a pure rename or a mode change gains none."""
    if not names:
        return {}
    # The whole index, not limited to the names: a rename is only seen with both of its paths in the diff.
    out = run_git(repo, [*diff_limit(max_size), "diff", "--cached", "-U0", "--no-color", "--no-ext-diff",
                         "--no-textconv", "-M"]).stdout
    lines: dict[str, frozenset[int]] = {}
    starts = [*file_starts(out), len(out)]
    for start, end in itertools.pairwise(starts):
        change = parse_file(out[start:end].rstrip(b"\n"))
        numbers = {first + i for first, count in hunk_ranges(change.body) for i in range(count)}
        lines[change.new_path] = frozenset(numbers)
    return lines


def hunk_ranges(body: bytes) -> Iterator[tuple[int, int]]:
    for match in HUNK_NEW_SIDE.finditer(body):
        yield int(match.group(1)), int(match.group(2)) if match.group(2) is not None else 1


@dataclass(frozen=True, slots=True)
class IndexEntry:
    mode: str
    oid: str  # the staged blob: read by id, since a name may hold a newline git's batch input cannot take


def index_entries(repo: Path, names: Sequence[str]) -> dict[str, IndexEntry]:
    out = run_git(repo, ["--literal-pathspecs", "ls-files", "-s", "-z", "--", *names]).stdout if names else b""
    entries: dict[str, IndexEntry] = {}
    for record in out.split(b"\0"):
        meta, _, name = record.partition(b"\t")
        fields = meta.split()
        if len(fields) == 3:
            entries[os.fsdecode(name)] = IndexEntry(fields[0].decode(), fields[1].decode())
    return entries


class StagedSource:
    """What the commit adds: the index content of changed files, reported only where the commit adds lines
    (unless whole_files); named files without a staged change are scanned whole (pre-commit --all-files)."""

    def __init__(self, workspace: Workspace, only: Sequence[str], whole_files: bool = False) -> None:
        self.repo, self.only, self.whole_files = workspace.root, only, whole_files
        self.info = SourceInfo(root=str(workspace.root), mode="staged", salt=repository_salt(workspace))
        self.found: list[Finding] = []
        self.outside_change = 0

    def items(self, limits: ReadLimits, progress: Progress | None,
              prefilter: KeywordEnds | None = None) -> Iterator[Item]:
        chosen = plan(self.repo, self.only)
        names = chosen.staged + chosen.whole
        entries = index_entries(self.repo, names)
        added = {} if self.whole_files else added_lines(self.repo, chosen.staged, limits.max_size)
        readable = [entry.oid for entry in entries.values() if entry.mode not in (SYMLINK_MODE, GITLINK_MODE)]
        blobs = read_blobs(self.repo, readable, limits.max_size)
        whole = set(chosen.whole)
        for name in names:
            lines = None if self.whole_files or name in whole else added.get(name, frozenset())
            shown = display_path(name)
            if limits.excluded(shown):
                yield Skip(shown, "excluded")
            else:
                entry = entries.get(name)
                blob = blobs.get(entry.oid) if entry else None
                yield index_chunk(self.repo, name, entry.mode if entry else "", blob, limits, lines)

    def take(self, origin: object, found: list[Finding]) -> None:
        """Only findings touching a line the commit adds (origin: those lines; None: every line counts)."""
        if not isinstance(origin, frozenset):
            self.found.extend(found)
            return
        kept = [f for f in found if any(n in origin for n in range(f.location.line, f.location.end_line + 1))]
        self.found.extend(kept)
        self.outside_change += len(found) - len(kept)

    def settle(self, scan: Scan) -> Settled:
        return Settled(self.found, outside_change=self.outside_change)


def index_chunk(repo: Path, name: str, mode: str, blob: bytes | Oversized | None, limits: ReadLimits,
                lines: frozenset[int] | None) -> Chunk | Skip:
    shown = display_path(name)
    if mode == SYMLINK_MODE:
        return Skip(shown, "symlink", "not followed")
    if mode == GITLINK_MODE:
        return Skip(shown, "submodule", "a nested repository is not followed")
    if not mode:  # named, but not in the index: the file on disk is what the user pointed at
        return disk_chunk(repo / name, shown, limits)
    if blob is None:
        return Skip(shown, "unreadable", "not in the index")
    if isinstance(blob, Oversized):
        return limits.too_large(shown, blob.size) or Skip(shown, "too-large")
    return limits.chunk(shown, blob, origin=lines)


def disk_chunk(path: Path, shown: str, limits: ReadLimits) -> Chunk | Skip:
    if path.is_symlink():
        return Skip(shown, "symlink", "not followed")
    try:
        with open(path, "rb") as handle:
            return limits.chunk(shown, handle.read(limits.max_size + 1))
    except FileNotFoundError as exc:  # a name given that exists nowhere: the scan did not happen, never a pass
        raise ScanIncompleteError(f"{shown}: no such file in the index or on disk") from exc
    except OSError as exc:
        return Skip(shown, "unreadable", exc.strerror or str(exc))
