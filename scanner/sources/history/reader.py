"""Git history source: one `git diff-tree --stdin` per core over slices of the commit list, one for merges.

git writes patches while this process scans them (a wide pipe and batched reads keep both busy), one
commit at a time; sources/patches.py turns the text into commits and file diffs.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import selectors
import subprocess
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from credlint.errors import ScanIncompleteError
from credlint.keyfiles import key_file_text
from credlint.keystore import KEY_STORE_SUFFIXES, key_store_kind, key_store_text
from credlint.model import Chunk, Skip
from credlint.sources.base import KeywordEnds
from credlint.sources.git import GIT, BlobSizer, diff_limit, last_line, read_blobs, run_git
from credlint.sources.history.patches import (
    COMMIT_MARK,
    LINE_MARK,
    LOG_FORMAT,
    CommitFormatError,
    CommitInfo,
    FileDiff,
    decode,
    needs_header,
    parse_file,
    sections_with_added,
    split_commit,
)
from credlint.text import printable as display_path

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
    key_body: bool = False  # added lines look like a key body without its BEGIN line: read the post-image

    @property
    def old_path(self) -> str:
        return self.diff.old_path

    def line_map(self) -> list[int]:
        return self.diff.added_line_numbers()


# git maps whole pack files by default; smaller windows keep its RSS near 150 MB on sympy (370 MB
# otherwise) at no measured cost in time.
MEMORY_LIMITS = ["-c", "core.packedGitLimit=64m", "-c", "core.packedGitWindowSize=8m",
                 "-c", "core.deltaBaseCacheLimit=48m"]


def log_command(*, merges: bool, max_size: int) -> list[str]:
    """One shard: the commits named on stdin (--no-walk), patches only for what they add: -U0 (changed lines),
    --diff-filter=AMRC (no deletions: nothing to find in them).

    Ordinary commits get -M (a rename is not a new secret). Merges get --cc, which shows only what the merge
    itself added (a conflict resolution), not the merged branches again, and --no-renames: rename detection
    against every parent was half of git's time on sympy (15.8 s -> 7.8 s), and a resolution line is new
    against every parent whether or not git pairs the file with an old name.

    A file over the read limit is diffed as binary (git.diff_limit); the blob named on its `index` line then
    tells by its size a file too large from a binary one. `git diff-tree --stdin` prints byte for byte
    what `git log --no-walk --stdin` does, but log loads such a blob whole even so (git 2.39: 100 MB for
    96 MB). Measured on sympy (docs/benchmarks.md): diff-tree costs 5 % more git time than log; --full-index
    would cost 10 % more, so the abbreviated id is used, and cat-file resolves it.
    """
    shape = ["--cc", "--no-renames"] if merges else ["-M"]
    return [*GIT, *MEMORY_LIMITS, *diff_limit(max_size), "diff-tree", "--stdin", "--root",
            "-p", "-U0", *shape, "--diff-filter=AMRC", "--no-color", "--no-ext-diff", "--no-textconv",
            f"--format={LOG_FORMAT}"]


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
    """Cuts git's output stream, read in arbitrary blocks, into whole commits at each mark that starts a
    line (patches.LINE_MARK: content cannot forge one).

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
        at = self.pending.find(LINE_MARK, max(0, self.searched - len(LINE_MARK) + 1))
        while at >= 0:
            commits.append(bytes(self.pending[:at + 1]))
            del self.pending[:at + 1]  # cheap: CPython moves a bytearray's start instead of copying
            at = self.pending.find(LINE_MARK)
        self.searched = len(self.pending)
        return commits

    def end(self) -> list[bytes]:
        """The last commit, once the stream has ended."""
        rest = [bytes(self.pending)] if self.pending.startswith(COMMIT_MARK) else []
        self.pending.clear()
        self.searched = 0
        return rest


class Shard:
    """One `git diff-tree --stdin` process over a slice of the commits, parsed as its output arrives."""

    def __init__(self, repo: Path, commits: Sequence[str], *, max_size: int, merges: bool = False) -> None:
        self.repo = repo
        self.proc = subprocess.Popen(log_command(merges=merges, max_size=max_size), cwd=repo, stdin=subprocess.PIPE,
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
            raise ScanIncompleteError(f"git diff-tree failed in {self.repo}: {last_line(self.stderr)}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def list_commits(repo: Path, revisions: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """The commits to scan with their parents, in `git rev-list` order (newest first). Merges are scanned
    too, since their resolutions can add secrets, but by a git process of their own (see log_command)."""
    out = run_git(repo, ["rev-list", "--parents", *revisions, "--"])
    graph: dict[str, tuple[str, ...]] = {}
    for line in out.stdout.decode("ascii", "replace").splitlines():
        shas = line.split()
        if shas:
            graph[shas[0]] = tuple(shas[1:])
    return graph


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
    keyword_ends: KeywordEnds | None = None
    commits: int = 0  # parsed so far: for progress
    listed: int = 0  # asked for: git prints nothing for a commit with no additions (empty, deletions only)
    file_changes: int = 0  # file sections read, whether or not a keyword sent them on to be parsed
    bytes_read: int = 0
    ranks: dict[str, int] = field(default_factory=dict)  # sha -> position in rev-list order
    parents: dict[str, tuple[str, ...]] = field(default_factory=dict)  # the scanned commits' graph
    sizer: BlobSizer = field(init=False)

    def __post_init__(self) -> None:
        self.sizer = BlobSizer(self.repo)

    def iter_changes(self) -> Iterator[CommitChange | Skip]:
        self.parents = list_commits(self.repo, self.revisions)
        commits = list(self.parents)
        self.listed = len(commits)
        self.ranks = {sha: rank for rank, sha in enumerate(commits)}
        merges = [sha for sha in commits if len(self.parents[sha]) > 1]
        ordinary = [sha for sha in commits if len(self.parents[sha]) <= 1]
        running = [Shard(self.repo, s, max_size=self.max_size) for s in shard(ordinary, max(1, self.shards))]
        if merges:
            running.append(Shard(self.repo, merges, max_size=self.max_size, merges=True))
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
            self.sizer.close()

    def changes_in(self, raw: bytes) -> list[CommitChange | Skip]:
        """One commit's changes; a commit that cannot be read is one counted Skip, and the walk goes on."""
        self.commits += 1
        self.bytes_read += len(raw)
        try:
            commit, patch, sections = split_commit(raw)
            commit = replace(commit, rank=self.ranks.get(commit.sha, 0))
            self.file_changes += len(sections)
            wanted = self.sections_to_parse(patch, sections)
            return [change for index, (start, end) in enumerate(sections)
                    if wanted is None or index in wanted or needs_header(patch, start, end)
                    for change in self.changes_of(commit, parse_file(patch[start:end].rstrip(b"\n")))]
        except (CommitFormatError, ValueError, IndexError) as exc:
            return [Skip(f"commit {record_name(raw)}", "unreadable-commit", str(exc)[:200])]

    def sections_to_parse(self, patch: bytes, sections: list[tuple[int, int]]) -> set[int] | None:
        """The file changes with a keyword on an added line (None: all of them), or the first body line of
        a private key (a key regenerated in place: its unchanged BEGIN line is not in the patch). Most
        changes hold neither, and cutting them out, decoding and scanning them was most of the Python work."""
        ends = self.keyword_ends(patch) if self.keyword_ends else None
        if ends is None:
            return None
        return sections_with_added(patch, sections, ends + key_body_ends(patch))

    def key_store_diff(self, diff: FileDiff) -> FileDiff | None:
        """A binary change that adds a key store, as a one-line text change naming it (scanner/keystore.py).
        Only files named as key stores are read: a history's other binaries (images, archives) stay unread."""
        if not diff.new_blob.strip("0") or not diff.new_path.lower().endswith(KEY_STORE_SUFFIXES):
            return None
        data = read_blobs(self.repo, [diff.new_blob], self.max_size).get(diff.new_blob)
        if not isinstance(data, bytes) or not (kind := key_store_kind(data)):
            return None
        line = key_store_text(kind, data).rstrip("\n").encode("ascii")
        return replace(diff, body=b"@@ -0,0 +1 @@\n+" + line, columns=1, binary=False)

    def changes_of(self, commit: CommitInfo, diff: FileDiff) -> Iterator[CommitChange | Skip]:
        path = diff.new_path or diff.old_path
        if diff.binary:
            store = self.key_store_diff(diff)
            if store is not None:
                yield from self.changes_of(commit, store)
                return
            size = self.sizer.size(diff.new_blob) if diff.new_blob.strip("0") else None
            too_large = size is not None and size > self.max_size
            yield Skip(display_path(path), "too-large" if too_large else "binary",
                       f"{size} bytes in commit {commit.sha[:12]}" if too_large else f"in commit {commit.sha[:12]}")
            return
        if not diff.body and diff.old_path == diff.new_path:
            return
        added = diff.added()
        if len(added) > self.max_size:
            yield Skip(display_path(path), "too-large", f"{len(added)} bytes added in commit {commit.sha[:12]}")
            return
        digest = hashlib.sha1(path.encode("utf-8", "surrogateescape") + b"\0" + added, usedforsecurity=False).digest()
        chunk = Chunk(path, key_file_text(path, decode(added)), whole=False, key=digest)
        yield CommitChange(commit, chunk, diff, digest, key_body_without_begin(added))


# The first base64 line of a private key's body starts with its DER or OpenSSH structure: RSA and PKCS#8
# (MII…, MIG…, MH…), Ed25519 PKCS#8 (MC4CAQ…), OpenSSH (b3BlbnNzaC1rZXktdjE…).
KEY_BODY_STARTS = (b"\n+MI", b"\n+MH", b"\n+MC4CAQ", b"\n+b3BlbnNzaC1rZXktdjE")
KEY_BODY_LINE = re.compile(rb"^(?:MI|MH|MC4CAQ|b3BlbnNzaC1rZXktdjE)[A-Za-z0-9+/]{40,}={0,2}\r?$", re.M)


def key_body_ends(patch: bytes) -> list[int]:
    """Where a line that may start a key body ends its prefix, for sections_with_added."""
    ends: list[int] = []
    for start in KEY_BODY_STARTS:
        at = patch.find(start)
        while at >= 0:
            ends.append(at + len(start))
            at = patch.find(start, at + 1)
    return ends


def key_body_without_begin(added: bytes) -> bool:
    """Added lines that look like a key's body, without the BEGIN line that would make them one."""
    return b"-----BEGIN" not in added and KEY_BODY_LINE.search(added) is not None


def record_name(raw: bytes) -> str:
    """The commit a record claims to be, printable, for the Skip that counts it."""
    header = raw[len(COMMIT_MARK):raw.find(b"\n")] if raw.startswith(COMMIT_MARK) else raw[:40]
    name = header.split(b"\x00", 1)[0][:12].decode("ascii", "replace")
    return name or "(no sha)"
