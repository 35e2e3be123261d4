"""What every source shares: the read limits, what it says about itself, and the contract the pipeline runs.

A source lists what to scan (chunks, files to read, or counted skips), takes the findings of each chunk
back, and settles them: only it knows where a chunk's lines sit in a file or a commit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from credlint.globs import matches_any
from credlint.keyfiles import key_file_text
from credlint.keystore import key_store_kind, key_store_text
from credlint.model import Chunk, FileResult, Finding, Skip
from credlint.text import decode, decode_marked, only_cr_to_lf

SNIFF_BYTES = 8192  # a NUL within this many bytes: a binary file, as git decides it
Progress = Callable[[int, int], None]  # (done, total); total 0 when unknown (commits of a history)
# Where the rulebook's keywords end in raw bytes (None: cannot tell): text holding none cannot produce a
# finding, which lets a source that reads large raw streams (git patches) leave most of them unparsed.
KeywordEnds = Callable[[bytes], list[int] | None]


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """Decided once for every source: how large a text may be, what counts as binary, what is excluded."""

    max_size: int
    exclude: tuple[str, ...] = ()

    def excluded(self, path: str) -> bool:
        return bool(self.exclude) and matches_any(path, self.exclude)

    def too_large(self, path: str, size: int, what: str = "bytes") -> Skip | None:
        return Skip(path, "too-large", f"{size} {what}, limit {self.max_size}") if size > self.max_size else None

    def chunk(self, path: str, data: bytes, *, whole: bool = True, key: bytes = b"",
              origin: object = None) -> Chunk | Skip:
        """The text of `data`, or why it is not scanned. Never an exception: odd bytes decode losslessly."""
        skip = self.too_large(path, len(data))
        if skip is not None:
            return skip
        kind = key_store_kind(data)
        if kind:  # binary, but a file of private keys: the rules read what it is, not its bytes
            return Chunk(path, key_store_text(kind, data), whole, key, origin)
        text = decode_marked(data)
        if text is None:
            if b"\0" in data[:SNIFF_BYTES]:
                return Skip(path, "binary")
            text = decode(data)
        return Chunk(path, key_file_text(path, only_cr_to_lf(text)), whole, key, origin)


@dataclass(frozen=True, slots=True)
class FileRef:
    """A file to read, possibly in a worker process: where it is on disk, its path relative to the root."""

    disk_path: str
    rel_path: str


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """What a report says about where its findings come from."""

    root: str
    mode: str  # tree | staged | stdin | history | archive
    salt: str = "credlint"
    head: str = ""
    branch: str = ""
    repository_uri: str = ""
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Placed:
    """A finding its source placed in a file it did not scan whole (a commit's added lines): the pipeline
    judges its allow comments and line hash on `text`, that file as the finding's location sees it."""

    finding: Finding
    text: str | None


@dataclass(slots=True)
class Settled:
    """A source's findings, in file coordinates, and the counts only the source knows."""

    findings: list[Finding] = field(default_factory=list)  # judged in whole files
    placed: list[Placed] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    files_scanned: int | None = None  # None: what the pipeline counted
    bytes_scanned: int | None = None
    commits_scanned: int = 0
    outside_change: int = 0


Item = Chunk | Skip | FileRef
Scan = Callable[[Chunk], FileResult]


class Source(Protocol):
    info: SourceInfo

    def items(self, limits: ReadLimits, progress: Progress | None,
              prefilter: KeywordEnds | None = None) -> Iterator[Item]:
        """What to scan, in any order; FileRefs may be read in worker processes."""

    def take(self, origin: object, found: list[Finding]) -> None:
        """The findings of one item (origin: its chunk's origin; None for a FileRef)."""

    def settle(self, scan: Scan) -> Settled:
        """Every finding placed in its file; `scan` scans any further chunk the source needs (a tip blob)."""
