"""Git history source: one `git log --no-walk --stdin` per core over slices of the commit list, one for merges.

git writes patches while this process scans them (a wide pipe and batched reads keep both busy), one
commit at a time; sources/patches.py turns the text into commits and file diffs.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import selectors
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from credlint.errors import ScanIncompleteError
from credlint.model import Chunk, Skip
from credlint.sources.git import GIT, last_line, run_git
from credlint.sources.history.patches import (
    COMMIT_MARK,
    LOG_FORMAT,
    CommitInfo,
    FileDiff,
    decode,
    needs_header,
    parse_commit,
    parse_file,
    sections_with_added,
    split_commit,
)
from credlint.sources.tree import display_path

PIPE_SIZE = 4 << 20
WIDE_PIPE = 1 << 20
READ_SIZE = 1 << 20
BATCH_BYTES = 256 << 10
BATCH_WAIT = 0.005  # seconds: git writes about 5 MB/s per process on sympy, well within a 1 MiB pipe


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


def widen_pipe(stream: object) -> int:
    """Let git write ahead while a commit is being scanned (Linux only; the default pipe is 64 KiB).
    Returns the new size, 0 if unchanged."""
    try:
        import fcntl
    except ImportError:  # Windows
        return 0
    setter = getattr(fcntl, "F_SETPIPE_SZ", None)
    fileno = getattr(stream, "fileno", None)
    if setter is None or fileno is None:
        return 0
    for size in (PIPE_SIZE, pipe_max_size()):
        try:
            return int(fcntl.fcntl(fileno(), setter, size))
        except OSError:  # above /proc/sys/fs/pipe-max-size without CAP_SYS_RESOURCE
            continue
    return 0


def pipe_max_size() -> int:
    """The largest pipe an unprivileged process may ask for (1 MiB by default)."""
    try:
        return int(Path("/proc/sys/fs/pipe-max-size").read_text(encoding="ascii"))
    except (OSError, ValueError):
        return 1 << 20


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
        self.wide = widen_pipe(self.proc.stdout) >= WIDE_PIPE
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

    def take(self) -> tuple[list[bytes], int]:
        """Whole commits read so far (raw text) and how many bytes were read: 0 when the output has ended."""
        block = os.read(self.fileno(), READ_SIZE)
        if not block:
            return self.splitter.end(), 0
        return self.splitter.feed(block), len(block)

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
    """The commits to scan in `git rev-list` order, newest first: all of them, and the merges among them.
    Merges are scanned too, since their resolutions can add secrets, but by a git process of their own
    (see log_command)."""
    out = run_git(repo, ["rev-list", "--parents", *revisions, "--"])
    commits: list[str] = []
    merges: list[str] = []
    for line in out.stdout.decode("ascii").splitlines():
        shas = line.split()
        if shas:
            commits.append(shas[0])
            if len(shas) > 2:
                merges.append(shas[0])
    return commits, merges


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
    # Where keywords end in a patch (None: cannot tell); sections with none on an added line are not parsed.
    keyword_ends: Callable[[bytes], list[int] | None] | None = None
    commits: int = 0  # parsed so far: for progress
    listed: int = 0  # asked for: git prints nothing for a commit with no additions (empty, deletions only)
    file_changes: int = 0  # file sections read, whether or not a keyword sent them on to be parsed
    bytes_read: int = 0
    ranks: dict[str, int] = field(default_factory=dict)  # sha -> position in rev-list order

    def iter_changes(self) -> Iterator[CommitChange | Skip]:
        commits, merges = list_commits(self.repo, self.revisions)
        self.listed = len(commits)
        self.ranks = {sha: rank for rank, sha in enumerate(commits)}
        merge_set = set(merges)
        ordinary = [sha for sha in commits if sha not in merge_set]
        running = [Shard(self.repo, s) for s in shard(ordinary, max(1, self.shards))]
        if merges:
            running.append(Shard(self.repo, merges, merges=True))
        try:
            with selectors.DefaultSelector() as selector:
                for process in running:
                    selector.register(process.fileno(), selectors.EVENT_READ, process)
                while selector.get_map():
                    read = 0
                    for key, _ in selector.select():
                        raw_commits, size = key.data.take()
                        read += size
                        if not size:
                            selector.unregister(key.fileobj)
                        for raw in raw_commits:
                            yield from self.changes_in(raw)
                    # git writes 4 KiB at a time; waking for each was 90,000 reads and 2 s of CPU on sympy.
                    # With wide pipes git keeps writing while this waits for a bigger batch.
                    if read < BATCH_BYTES and all(process.wide for process in running):
                        time.sleep(BATCH_WAIT)
            for process in running:
                process.finish()
        finally:
            for process in running:
                process.stop()

    def changes_in(self, raw: bytes) -> Iterator[CommitChange | Skip]:
        commit, patch, sections = split_commit(raw)
        commit = replace(commit, rank=self.ranks.get(commit.sha, 0))
        self.commits += 1
        self.bytes_read += len(raw)
        self.file_changes += len(sections)
        wanted = self.sections_to_parse(patch, sections)
        for index, (start, end) in enumerate(sections):
            if wanted is None or index in wanted or needs_header(patch, start, end):
                yield from self.changes_of(commit, parse_file(patch[start:end].rstrip(b"\n")))

    def sections_to_parse(self, patch: bytes, sections: list[tuple[int, int]]) -> set[int] | None:
        """The file changes with a keyword on an added line (None: all of them). Most changes hold none,
        and cutting them out of the patch, decoding and scanning them was most of the Python work."""
        ends = self.keyword_ends(patch) if self.keyword_ends else None
        return None if ends is None else sections_with_added(patch, sections, ends)

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
