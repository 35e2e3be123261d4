"""Git history source: stream `git log -p -U0` and turn each commit's added lines into chunks.

git writes patches while this process scans them (a wide pipe and read1() keep both busy), one commit
at a time. Patches are cut apart with bytes operations and regexes; the Python-level walk over hunk
lines that yields line numbers runs only for the few files that have a finding.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import re
import subprocess
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from scanner.errors import ScanIncompleteError
from scanner.model import Chunk, Skip
from scanner.sources.gitcmd import GIT, last_line

COMMIT_MARK = b"\x00C\x00"
LOG_FORMAT = "%x00C%x00%H%x00%P%x00%an%x00%aI%x00%at"
FILE_START = re.compile(rb"^diff --(?:git|cc) ", re.M)
HUNK = re.compile(rb"^@@+ (?:-\d+(?:,\d+)? )+\+(\d+)(?:,\d+)? @@")
PIPE_SIZE = 4 << 20


@dataclass(frozen=True, slots=True)
class CommitInfo:
    sha: str
    parents: tuple[str, ...]
    author: str
    date: str  # ISO 8601, the author date
    timestamp: int


@dataclass(frozen=True, slots=True)
class FileDiff:
    """One file's change in one commit, as git printed it (headers cut off)."""

    old_path: str
    new_path: str
    body: bytes  # from the first hunk header on
    columns: int = 1  # prefix columns: 1 for a plain diff, one per parent in a merge's combined diff
    binary: bool = False

    def added(self) -> bytes:
        """The lines this change adds (for a merge: new against every parent), newline-joined."""
        return b"\n".join(added_pattern(self.columns).findall(self.body))

    def removed(self) -> bytes:
        return b"\n".join(REMOVED.findall(self.body)) if self.columns == 1 else b""

    def added_line_numbers(self) -> list[int]:
        """The new-file line number of each added line, in order: walked only when a finding needs it."""
        numbers: list[int] = []
        line = 0
        new_side = b"+" * self.columns
        for raw in self.body.split(b"\n"):
            if raw.startswith(b"@@"):
                hunk = HUNK.match(raw)
                line = int(hunk.group(1)) if hunk else line
            elif raw.startswith(new_side):
                numbers.append(line)
                line += 1
            elif raw[:1] in (b" ", b"+", b"-") and b"-" not in raw[:self.columns]:
                line += 1  # a merge line kept from one parent still occupies a line of the result
        return numbers


REMOVED = re.compile(rb"^-(.*)$", re.M)
ADDED = {1: re.compile(rb"^\+(.*)$", re.M)}


def added_pattern(columns: int) -> re.Pattern[bytes]:
    if columns not in ADDED:
        ADDED[columns] = re.compile(rb"^\+{%d}(.*)$" % columns, re.M)
    return ADDED[columns]


@dataclass(frozen=True, slots=True)
class CommitChange:
    """The added text of one file in one commit, and what is needed to place findings in that file."""

    commit: CommitInfo
    chunk: Chunk
    diff: FileDiff
    removed_text: str
    old_path: str
    digest: bytes  # of path and added text: an identical change elsewhere is not scanned twice

    def line_map(self) -> list[int]:
        return self.diff.added_line_numbers()


def log_command(revisions: Sequence[str], merges: bool) -> list[str]:
    """Two passes, run side by side: every non-merge commit's patch (-U0: changed lines only; -M: a
    rename is not a new secret), and every merge's combined diff (--cc), which shows only what the merge
    itself added: a conflict resolution, not the merged branches again. Newest first: --reverse alone
    cost 0.6 s of git's 4.3 s on pytest's history."""
    which = ["--merges", "--cc"] if merges else ["--no-merges"]
    return [*GIT, "log", *revisions, *which, "-p", "-U0", "-M", "--no-color", "--no-ext-diff", "--no-textconv",
            f"--format={LOG_FORMAT}", "--"]


def parse_commit_header(line: bytes) -> CommitInfo:
    _, _, sha, parents, author, date, stamp = line.split(b"\x00")[:7]
    return CommitInfo(sha.decode(), tuple(parents.decode().split()), author.decode("utf-8", "replace"),
                      date.decode(), int(stamp or b"0"))


def unquote_path(raw: bytes) -> str:
    """git C-quotes unusual paths ("a\\tb", "\\303\\251"); undo it and keep undecodable bytes."""
    if raw.startswith(b'"') and raw.endswith(b'"'):
        raw = raw[1:-1].decode("unicode_escape").encode("latin-1")
    return os.fsdecode(raw)


def header_path(line: bytes, prefix: str) -> str:
    """Path from a `--- a/x` or `+++ b/x` line; '' for /dev/null. git ends names holding a space with a tab."""
    target = line[4:].removesuffix(b"\t")
    if target == b"/dev/null":
        return ""
    return unquote_path(target).removeprefix(prefix)


def parse_file(section: bytes) -> FileDiff:
    """One `diff --git` / `diff --cc` section: paths and flags from its header, the hunks as the body."""
    hunks_at = section.find(b"\n@@")
    header = section if hunks_at < 0 else section[:hunks_at]
    body = b"" if hunks_at < 0 else section[hunks_at + 1:]
    old = new = ""
    binary = False
    for line in header.split(b"\n")[1:]:
        if line.startswith(b"--- "):
            old = header_path(line, "a/")
        elif line.startswith(b"+++ "):
            new = header_path(line, "b/")
        elif line.startswith(b"rename from "):
            old = unquote_path(line[12:])
        elif line.startswith(b"rename to "):
            new = unquote_path(line[10:])
        elif line.startswith((b"Binary files ", b"GIT binary patch")):
            binary = True
    columns = len(body) - len(body.lstrip(b"@")) - 1 if body else 1
    return FileDiff(old, new, body, max(columns, 1), binary)


def iter_commits(blocks: Iterator[bytes]) -> Iterator[tuple[CommitInfo, list[FileDiff]]]:
    """Cut git log output into commits, each with its file diffs."""
    pending = b""
    for block in blocks:
        pending += block
        start = pending.find(COMMIT_MARK)
        while start >= 0:
            end = pending.find(COMMIT_MARK, start + len(COMMIT_MARK))
            if end < 0:
                break
            yield parse_commit(pending[start:end])
            start = end
        pending = pending[start:] if start >= 0 else pending
    if pending.startswith(COMMIT_MARK):
        yield parse_commit(pending)


def parse_commit(text: bytes) -> tuple[CommitInfo, list[FileDiff]]:
    head_end = text.find(b"\n")
    header = text if head_end < 0 else text[:head_end]
    patch = b"" if head_end < 0 else text[head_end + 1:]
    starts = [m.start() for m in FILE_START.finditer(patch)] + [len(patch)]
    files = [parse_file(patch[a:b].rstrip(b"\n")) for a, b in itertools.pairwise(starts)]
    return parse_commit_header(header), files


def decode(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def iter_blocks(stream: IO[bytes]) -> Iterator[bytes]:
    """read1() takes what the pipe holds without waiting for a full block, so git keeps writing while
    this process scans (a blocking read(1 MiB) cost 2 s on pytest's history)."""
    while block := stream.read1(1 << 20):  # type: ignore[attr-defined]
        yield block


def widen_pipe(stream: object) -> None:
    """Let git write ahead while a commit is being scanned (Linux only; the default pipe is 64 KiB)."""
    try:
        import fcntl
    except ImportError:  # Windows
        return
    setter = getattr(fcntl, "F_SETPIPE_SZ", None)
    fileno = getattr(stream, "fileno", None)
    if setter is None or fileno is None:
        return
    with contextlib.suppress(OSError):  # above /proc/sys/fs/pipe-max-size for unprivileged users
        fcntl.fcntl(fileno(), setter, PIPE_SIZE)


class GitPass:
    """One `git log` process. buffered=True drains its output on a thread so it runs alongside the other."""

    def __init__(self, repo: Path, command: list[str], buffered: bool) -> None:
        self.repo = repo
        self.proc = subprocess.Popen(command, cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     bufsize=1 << 20)
        widen_pipe(self.proc.stdout)
        self.collected: list[bytes] | None = None
        self.thread: threading.Thread | None = None
        if buffered:
            self.collected = []
            self.thread = threading.Thread(target=self.drain, daemon=True)
            self.thread.start()

    def drain(self) -> None:
        assert self.proc.stdout is not None and self.collected is not None
        self.collected.extend(iter_blocks(self.proc.stdout))

    def blocks(self) -> Iterator[bytes]:
        if self.thread is not None and self.collected is not None:
            self.thread.join()
            return iter(self.collected)
        assert self.proc.stdout is not None
        return iter_blocks(self.proc.stdout)

    def finish(self) -> None:
        if self.proc.stdout:
            self.proc.stdout.close()
        stderr = self.proc.stderr.read() if self.proc.stderr else b""
        if self.proc.wait() != 0:
            raise ScanIncompleteError(f"git log failed in {self.repo}: {last_line(stderr)}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@dataclass(slots=True)
class HistoryReader:
    """Runs the git log passes and yields each commit's changes."""

    repo: Path
    revisions: Sequence[str]
    max_size: int
    commits: int = 0

    def iter_changes(self) -> Iterator[CommitChange | Skip]:
        merges = GitPass(self.repo, log_command(self.revisions, merges=True), buffered=True)
        plain = GitPass(self.repo, log_command(self.revisions, merges=False), buffered=False)
        try:
            for git_pass in (plain, merges):
                for commit, files in iter_commits(git_pass.blocks()):
                    self.commits += 1
                    for diff in files:
                        yield from self.changes_of(commit, diff)
                git_pass.finish()
        finally:
            plain.stop()
            merges.stop()

    def changes_of(self, commit: CommitInfo, diff: FileDiff) -> Iterator[CommitChange | Skip]:
        path = diff.new_path or diff.old_path
        if diff.binary:
            yield Skip(path, "binary", f"in commit {commit.sha[:12]}")
            return
        if not diff.body and diff.old_path == diff.new_path:
            return
        added = diff.added()
        if len(added) > self.max_size:
            yield Skip(path, "too-large", f"{len(added)} bytes added in commit {commit.sha[:12]}")
            return
        removed = diff.removed()
        digest = hashlib.sha1(path.encode("utf-8", "surrogateescape") + b"\0" + added, usedforsecurity=False).digest()
        yield CommitChange(commit, Chunk(path, decode(added)), diff, decode(removed), diff.old_path, digest)
