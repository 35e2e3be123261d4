"""Archive source: the members of a tar (plain or compressed), zip, wheel or container image, each scanned as
a file and reported as `ARCHIVE!member` (`image.tar!blobs/sha256/…!etc/app.conf` inside a layer).

Nothing is extracted to disk. An archive inside an archive (an image's layers, a jar in a war) is opened in
turn, recognised by its first bytes rather than its name (OCI layers have none), to a fixed depth. What
cannot be read — a link, a device, an encrypted or corrupt member, one over the size limit — is a counted
Skip; an archive that is not one at all is an error (exit 2), never an empty green run.
"""

from __future__ import annotations

import io
import os
import stat
import tarfile
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

from credlint.errors import ScanIncompleteError
from credlint.model import Chunk, Skip
from credlint.sources.base import SNIFF_BYTES, Item, KeywordEnds, Progress, ReadLimits, SourceInfo
from credlint.sources.stream import Collected
from credlint.sources.tree import BINARY_SUFFIXES
from credlint.text import printable

MAX_DEPTH = 4  # archive in archive in archive…: enough for image -> layer -> wheel -> member
NESTED_ZIP_LIMIT = 256 << 20  # a zip must be seekable: one inside another is read into memory up to this
TAR_MAGIC_AT = 257
COMPRESSED_MAGIC = (b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00")
ZIP_MAGIC = b"PK\x03\x04"
READ_ERRORS: tuple[type[BaseException], ...] = (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError,
                                                ValueError, RuntimeError, NotImplementedError)


def archive_kind(head: bytes) -> str:
    """"zip", "tar" (plain or compressed: tarfile tells which), or "" for anything else."""
    if head.startswith(ZIP_MAGIC):
        return "zip"
    if head[TAR_MAGIC_AT:TAR_MAGIC_AT + 5] == b"ustar" or head.startswith(COMPRESSED_MAGIC):
        return "tar"
    return ""


class ArchiveSource(Collected):
    def __init__(self, archives: Sequence[Path], root: Path) -> None:
        super().__init__()
        self.archives = archives
        self.info = SourceInfo(root=str(root), mode="archive")

    def items(self, limits: ReadLimits, progress: Progress | None,
              prefilter: KeywordEnds | None = None) -> Iterator[Item]:
        for archive in self.archives:
            yield from ArchiveReader(limits).top(archive)


class ArchiveReader:
    def __init__(self, limits: ReadLimits) -> None:
        self.limits = limits

    def top(self, archive: Path) -> Iterator[Chunk | Skip]:
        name = printable(archive.as_posix())
        try:
            with open(archive, "rb") as handle:
                kind = archive_kind(handle.read(SNIFF_BYTES))
                handle.seek(0)
                if not kind:
                    raise ScanIncompleteError(f"{name}: not a tar or zip archive (nor a compressed tar)")
                yield from self.members(handle, kind, name, 1)
        except OSError as exc:
            raise ScanIncompleteError(f"{name}: cannot read the archive: {exc.strerror or exc}") from exc

    def members(self, handle: IO[bytes], kind: str, prefix: str, depth: int) -> Iterator[Chunk | Skip]:
        """Every member, a member that cannot be read being one counted Skip and the rest still read."""
        try:
            yield from (self.zip_members if kind == "zip" else self.tar_members)(handle, prefix, depth)
        except READ_ERRORS as exc:
            yield Skip(prefix, "unreadable", f"archive cut short or corrupt: {type(exc).__name__}: {exc}"[:200])

    def tar_members(self, handle: IO[bytes], prefix: str, depth: int) -> Iterator[Chunk | Skip]:
        with tarfile.open(fileobj=handle, mode="r:*") as tar:
            for info in tar:
                path = f"{prefix}!{printable(info.name)}"
                if info.isdir():
                    continue
                if info.issym() or info.islnk():
                    yield Skip(path, "symlink", "not followed")
                elif not info.isfile():
                    yield Skip(path, "not-a-file")
                else:
                    member = tar.extractfile(info)
                    if member is None:
                        yield Skip(path, "unreadable")
                    else:
                        yield from self.member(member, info.size, path, depth)

    def zip_members(self, handle: IO[bytes], prefix: str, depth: int) -> Iterator[Chunk | Skip]:
        with zipfile.ZipFile(handle) as archive:
            for info in archive.infolist():
                path = f"{prefix}!{printable(info.filename)}"
                mode = info.external_attr >> 16
                if info.is_dir():
                    continue
                if stat.S_ISLNK(mode):
                    yield Skip(path, "symlink", "not followed")
                elif info.flag_bits & 0x1:
                    yield Skip(path, "encrypted", "a password-protected member cannot be read")
                else:
                    with archive.open(info) as member:
                        yield from self.member(member, info.file_size, path, depth)

    def member(self, member: IO[bytes], size: int, path: str, depth: int) -> Iterator[Chunk | Skip]:
        if self.limits.excluded(path):
            yield Skip(path, "excluded")
            return
        head = member.read(SNIFF_BYTES)
        kind = archive_kind(head)
        if kind and depth < MAX_DEPTH:
            yield from self.nested(member, head, kind, size, path, depth)
            return
        if size > self.limits.max_size:
            yield Skip(path, "too-large", f"{size} bytes, limit {self.limits.max_size}")
        elif os.path.splitext(path)[1].lower() in BINARY_SUFFIXES:
            yield Skip(path, "binary")
        else:
            data = head + member.read(self.limits.max_size + 1 - len(head))  # a lying size header reads no more
            yield self.limits.chunk(path, data) if len(data) <= self.limits.max_size else \
                Skip(path, "too-large", f"over {self.limits.max_size} bytes")

    def nested(self, member: IO[bytes], head: bytes, kind: str, size: int, path: str,
               depth: int) -> Iterator[Chunk | Skip]:
        if kind == "zip" or not member.seekable():
            if size > NESTED_ZIP_LIMIT:
                yield Skip(path, "too-large", f"an archive of {size} bytes inside another")
                return
            member = io.BytesIO(head + member.read(NESTED_ZIP_LIMIT + 1 - len(head)))
        member.seek(0)
        yield from self.members(member, kind, path, depth + 1)
