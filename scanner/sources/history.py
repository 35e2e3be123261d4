"""Git history source: one `git log --no-walk --stdin` per core over slices of the commit list, one for merges.

git writes patches while this process scans them (a wide pipe and unbuffered reads keep both busy), one
commit at a time; sources/patches.py turns the text into commits and file diffs.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import selectors
import subprocess
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from scanner.errors import ScanIncompleteError
from scanner.model import Chunk, Skip
from scanner.sources.gitcmd import GIT, last_line, run_git
from scanner.sources.patches import COMMIT_MARK, LOG_FORMAT, CommitInfo, FileDiff, decode, parse_commit
from scanner.sources.tree import display_path

PIPE_SIZE = 4 << 20
READ_SIZE = 1 << 20


@dataclass(frozen=True, slots=True)
class CommitChange:
    """The added text of one file in one commit, and what is needed to place findings in that file."""

    commit: CommitInfo
    chunk: Chunk
    diff: FileDiff
    digest: bytes  # of path and added text: an identical change elsewhere is not scanned twice

    @property
    def old_path(self) -> str:
        return self.diff.old_path

    def line_map(self) -> list[int]:
        return self.diff.added_line_numbers()


# git maps whole pack files by default; smaller windows keep its RSS near 150 MB on sympy (370 MB
# otherwise) at no measured cost in time.
MEMORY_LIMITS = ["-c", "core.packedGitLimit=64m", "-c", "core.packedGitWindowSize=8m",
                 "-c", "core.deltaBaseCacheLimit=48m"]


def log_command(*, merges: bool) -> list[str]:
    """One shard: the commits named on stdin (--no-walk), patches only for what they add: -U0 (changed lines),
    --diff-filter=AMRC (no deletions: nothing to find in them).

    Ordinary commits get -M (a rename is not a new secret). Merges get --cc, which shows only what the merge
    itself added (a conflict resolution), not the merged branches again, and --no-renames: rename detection
    against every parent was half of git's time on sympy (15.8 s -> 7.8 s), and a resolution line is new
    against every parent whether or not git pairs the file with an old name.
    """
    shape = ["--cc", "--no-renames"] if merges else ["-M"]
    return [*GIT, *MEMORY_LIMITS, "log", "--no-walk", "--stdin", "-p", "-U0", *shape, "--diff-filter=AMRC",
            "--no-color", "--no-ext-diff", "--no-textconv", f"--format={LOG_FORMAT}"]


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


class CommitSplitter:
    """Cuts git's output stream, read in arbitrary blocks, into whole commits at each COMMIT_MARK.

    Each byte is searched for a mark once: re-searching a large commit's growing buffer on every read was
    17 s of Python CPU on sympy.
    """

    def __init__(self) -> None:
        self.pending = bytearray()  # the commit being read, from its mark on
        self.searched = 0  # bytes of `pending` known to hold no further mark

    def feed(self, block: bytes) -> list[bytes]:
        self.pending += block
        commits = []
        # A mark may straddle two reads, so the last len(mark) - 1 searched bytes are searched again.
        end = self.pending.find(COMMIT_MARK, max(len(COMMIT_MARK), self.searched - len(COMMIT_MARK) + 1))
        while end >= 0:
            commits.append(bytes(self.pending[:end]))
            del self.pending[:end]  # cheap: CPython moves a bytearray's start instead of copying
            end = self.pending.find(COMMIT_MARK, len(COMMIT_MARK))
        self.searched = len(self.pending)
        return commits

    def end(self) -> list[bytes]:
        """The last commit, once the stream has ended."""
        rest = [bytes(self.pending)] if self.pending.startswith(COMMIT_MARK) else []
        self.pending.clear()
        self.searched = 0
        return rest


class Shard:
    """One `git log --no-walk --stdin` process over a slice of the commits, parsed as its output arrives."""

    def __init__(self, repo: Path, commits: Sequence[str], *, merges: bool = False) -> None:
        self.repo = repo
        self.proc = subprocess.Popen(log_command(merges=merges), cwd=repo, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert self.proc.stdin is not None and self.proc.stdout is not None
        widen_pipe(self.proc.stdout)
        self.splitter = CommitSplitter()
        # Feed the commit list from a thread: git reads stdin while it already writes patches.
        self.feeder = threading.Thread(target=self.feed, args=("".join(f"{c}\n" for c in commits).encode(),),
                                       daemon=True)
        self.feeder.start()
        self.stderr = b""
        self.errors = threading.Thread(target=self.read_stderr, daemon=True)
        self.errors.start()

    def feed(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            self.proc.stdin.write(data)
            self.proc.stdin.close()

    def read_stderr(self) -> None:
        assert self.proc.stderr is not None
        self.stderr = self.proc.stderr.read()

    def fileno(self) -> int:
        assert self.proc.stdout is not None
        return self.proc.stdout.fileno()

    def take(self) -> tuple[list[bytes], bool]:
        """Whole commits read so far (raw text) and whether the output has ended."""
        block = os.read(self.fileno(), READ_SIZE)
        if not block:
            return self.splitter.end(), True
        return self.splitter.feed(block), False

    def finish(self) -> None:
        code = self.proc.wait()
        self.errors.join()
        if code != 0:
            raise ScanIncompleteError(f"git log failed in {self.repo}: {last_line(self.stderr)}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def list_commits(repo: Path, revisions: Sequence[str]) -> tuple[list[str], list[str]]:
    """The commits to scan, newest first, as (ordinary commits, merges): merges are scanned too, since
    their resolutions can add secrets, but by a git process of their own (see log_command)."""
    out = run_git(repo, ["rev-list", "--parents", *revisions, "--"])
    ordinary: list[str] = []
    merges: list[str] = []
    for line in out.stdout.decode("ascii").splitlines():
        shas = line.split()
        if shas:
            (merges if len(shas) > 2 else ordinary).append(shas[0])
    return ordinary, merges


def shard(commits: list[str], count: int) -> list[list[str]]:
    """Contiguous slices: neighbouring commits share blobs, which keeps each git's delta cache warm."""
    size = -(-len(commits) // count) if commits else 0
    return [commits[i:i + size] for i in range(0, len(commits), size)] if size else []


@dataclass(slots=True)
class HistoryReader:
    """Runs one git process per core over slices of the ordinary commits, and one over the merges, and yields
    each commit's changes.

    This is how betterleaks keeps up with git: patch generation is git's work, and it parallelises.
    """

    repo: Path
    revisions: Sequence[str]
    max_size: int
    shards: int = 2
    commits: int = 0  # parsed so far: for progress
    listed: int = 0  # asked for: git prints nothing for a commit with no additions (empty, deletions only)

    def iter_changes(self) -> Iterator[CommitChange | Skip]:
        ordinary, merges = list_commits(self.repo, self.revisions)
        self.listed = len(ordinary) + len(merges)
        running = [Shard(self.repo, s) for s in shard(ordinary, max(1, self.shards))]
        if merges:
            running.append(Shard(self.repo, merges, merges=True))
        try:
            with selectors.DefaultSelector() as selector:
                for process in running:
                    selector.register(process.fileno(), selectors.EVENT_READ, process)
                while selector.get_map():
                    for key, _ in selector.select():
                        process = key.data
                        raw_commits, ended = process.take()
                        if ended:
                            selector.unregister(key.fileobj)
                        for raw in raw_commits:
                            yield from self.changes_in(raw)
            for process in running:
                process.finish()
        finally:
            for process in running:
                process.stop()

    def changes_in(self, raw: bytes) -> Iterator[CommitChange | Skip]:
        commit, files = parse_commit(raw)
        self.commits += 1
        for diff in files:
            yield from self.changes_of(commit, diff)

    def changes_of(self, commit: CommitInfo, diff: FileDiff) -> Iterator[CommitChange | Skip]:
        path = diff.new_path or diff.old_path
        if diff.binary:
            yield Skip(display_path(path), "binary", f"in commit {commit.sha[:12]}")
            return
        if not diff.body and diff.old_path == diff.new_path:
            return
        added = diff.added()
        if len(added) > self.max_size:
            yield Skip(display_path(path), "too-large", f"{len(added)} bytes added in commit {commit.sha[:12]}")
            return
        digest = hashlib.sha1(path.encode("utf-8", "surrogateescape") + b"\0" + added, usedforsecurity=False).digest()
        yield CommitChange(commit, Chunk(path, decode(added)), diff, digest)


def iter_removals(repo: Path, paths: Sequence[str]) -> Iterator[tuple[CommitInfo, str, str]]:
    """(commit, path, removed text) for every change to `paths` in HEAD's history, newest first: where the
    secrets that HEAD no longer holds were deleted. One path-limited git log for all of them."""
    if not paths:
        return
    command = ["log", "--no-merges", "-p", "-U0", "--diff-filter=DMR", "--no-color", "--no-ext-diff",
               "--no-textconv", f"--format={LOG_FORMAT}", "HEAD", "--", *paths]
    out = run_git(repo, command).stdout
    for raw in out.split(COMMIT_MARK)[1:]:
        commit, files = parse_commit(COMMIT_MARK + raw)
        for diff in files:
            removed = diff.removed()
            if removed:
                yield commit, diff.old_path or diff.new_path, decode(removed)
