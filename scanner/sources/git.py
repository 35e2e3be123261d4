"""Small, strict wrappers around the git command line: every failure becomes a ScanIncompleteError."""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from credlint.errors import ScanIncompleteError

# Never let a user's or repository's configuration change what git prints.
GIT = ["git", "-c", "core.quotepath=off", "-c", "color.ui=never", "-c", "diff.noprefix=false",
       "-c", "diff.mnemonicPrefix=false", "-c", "log.showSignature=false"]


def run_git(repo: Path, args: Sequence[str], *, check: bool = True, stdin: bytes | None = None,
            timeout: float = 600) -> subprocess.CompletedProcess[bytes]:
    try:
        out = subprocess.run([*GIT, "-C", str(repo), *args], input=stdin, capture_output=True, check=False,
                             timeout=timeout)
    except FileNotFoundError as exc:
        raise ScanIncompleteError(f"git is not installed or not on PATH: it is needed to read the repository "
                                  f"at {repo}") from exc
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ScanIncompleteError(f"git {args[0]} failed in {repo}: {exc}") from exc
    if check and out.returncode != 0:
        raise ScanIncompleteError(f"git {args[0]} failed in {repo}: {last_line(out.stderr)}")
    return out


def last_line(stderr: bytes) -> str:
    lines = stderr.decode("utf-8", "replace").strip().splitlines()
    return lines[-1] if lines else "no message"


def diff_limit(max_size: int) -> list[str]:
    """git options that diff a file over the read limit as binary: git then neither loads nor prints it
    (a 400 MB blob that packs to 1 MB was 2.5 GB of memory as a text diff). It is skipped as too large
    either way; this keeps its bytes out of the pipe."""
    return ["-c", f"core.bigFileThreshold={max_size}"]


def git_text(repo: Path, args: Sequence[str], *, check: bool = True) -> str:
    return os.fsdecode(run_git(repo, args, check=check).stdout).strip()


@dataclass(frozen=True, slots=True)
class Oversized:
    """A blob larger than the read limit: its size, read from git without reading the blob."""

    size: int


def read_blobs(repo: Path, specs: Sequence[str], max_size: int) -> dict[str, bytes | Oversized | None]:
    """Contents of `REV:path` specs or object ids, None where the object is missing or not a blob; a blob over
    `max_size` is skipped as git streams it, never held (however well it compresses)."""
    return dict(iter_blobs(repo, specs, max_size))


def object_spec(repo: Path, revision: str, path: str) -> str:
    """A name for `revision:path` that git's line-based batch input can take: the blob id itself when the
    path holds a newline (`REV:path` would be cut in two), "" when there is no such blob."""
    if "\n" not in path:
        return f"{revision}:{path}"
    out = run_git(repo, ["--literal-pathspecs", "ls-tree", "-z", revision, "--", path], check=False).stdout
    meta, _, _ = out.partition(b"\t")
    fields = meta.split()
    return fields[2].decode("ascii") if len(fields) == 3 and fields[1] == b"blob" else ""


class BlobSizer:
    """One `git cat-file --batch-check` kept open, asked one object at a time (the sizes of the few binary
    or oversized files of a history, which the patches do not show)."""

    def __init__(self, repo: Path) -> None:
        self.repo = repo
        self.proc: subprocess.Popen[bytes] | None = None

    def size(self, oid: str) -> int | None:
        if self.proc is None:
            try:
                self.proc = subprocess.Popen([*GIT, "-C", str(self.repo), "cat-file", "--batch-check"],
                                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            except OSError as exc:
                raise ScanIncompleteError(f"git cat-file failed in {self.repo}: {exc}") from exc
        assert self.proc.stdin is not None and self.proc.stdout is not None
        try:
            self.proc.stdin.write(oid.encode("ascii") + b"\n")
            self.proc.stdin.flush()
            fields = self.proc.stdout.readline().split()
        except OSError:
            return None
        return int(fields[2]) if len(fields) == 3 and fields[2].isdigit() else None

    def close(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


def hooks_dir(repo: Path) -> Path:
    """Where git looks for hooks here (core.hooksPath, worktrees and all)."""
    path = Path(git_text(repo, ["rev-parse", "--git-path", "hooks"]))
    return path if path.is_absolute() else repo / path


def may_be_in_git(folder: Path) -> bool:
    """False only when no `.git` exists in the folder or above it and no GIT_DIR says otherwise: then
    there is no need to start git at all (a few milliseconds of every pre-commit run outside git)."""
    if os.environ.get("GIT_DIR") or os.environ.get("GIT_WORK_TREE"):
        return True
    return any((parent / ".git").exists() for parent in (folder.resolve(), *folder.resolve().parents))


def toplevel(path: Path) -> Path | None:
    """The work tree holding `path`, or None outside git (and in a bare repository). A repository git
    refuses to read, or no git at all where a `.git` exists, stops the scan: scanning it as a plain folder
    would ignore its .gitignore and its history without a word."""
    folder = path if path.is_dir() else path.parent
    if not may_be_in_git(folder):
        return None
    out = run_git(folder, ["rev-parse", "--show-toplevel"], check=False, timeout=30)
    if out.returncode != 0 and b"dubious ownership" in out.stderr:
        raise ScanIncompleteError(f"git refuses to read the repository at {folder.resolve()}: another user owns "
                                  "it (git's safe.directory check); if you trust it, run `git config --global "
                                  f"--add safe.directory {folder.resolve()}`")
    return Path(os.fsdecode(out.stdout.strip())) if out.returncode == 0 and out.stdout.strip() else None


def nul_lines(top: Path, args: Sequence[str], *, stdin: bytes | None = None, ok: tuple[int, ...] = (0,)) -> list[str]:
    """NUL-separated output of one git command; any exit code not in `ok` stops the scan (never a silent 0)."""
    out = run_git(top, args, check=False, stdin=stdin)
    if out.returncode not in ok:
        command = next((a for a in args if not a.startswith("-")), "")
        raise ScanIncompleteError(f"git {command} failed in {top}: {last_line(out.stderr)}")
    return [os.fsdecode(raw) for raw in out.stdout.split(b"\0") if raw]


def root_commits(repo: Path) -> list[str]:
    """The commits without parents that HEAD descends from, sorted; [] without a HEAD or outside git."""
    try:
        out = run_git(repo, ["rev-list", "--max-parents=0", "HEAD"], check=False, timeout=60)
    except ScanIncompleteError:
        return []
    return sorted(out.stdout.decode("ascii", "replace").split()) if out.returncode == 0 else []


def iter_blobs(repo: Path, objects: Sequence[str], max_size: int | None = None
               ) -> Iterator[tuple[str, bytes | Oversized | None]]:
    """(object, content) for each object name, streamed from one `git cat-file --batch`: a whole tree is
    never held in memory at once. None for an object that is missing or not a blob; Oversized for a blob
    over max_size, whose bytes are read past in small pieces."""
    if not objects:
        return
    try:
        proc = subprocess.Popen([*GIT, "-C", str(repo), "cat-file", "--batch"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    except OSError as exc:
        raise ScanIncompleteError(f"git cat-file failed in {repo}: {exc}") from exc
    assert proc.stdin is not None and proc.stdout is not None
    feeder = threading.Thread(target=feed_lines, args=(proc.stdin, objects), daemon=True)
    feeder.start()
    try:
        for name in objects:
            header = proc.stdout.readline().split()
            if len(header) == 3 and header[2].isdigit():  # "<sha> <type> <size>", else "<name> missing"
                size = int(header[2])
                if max_size is not None and size > max_size:
                    skip_bytes(proc.stdout, size + 1)
                    yield name, Oversized(size) if header[1] == b"blob" else None
                    continue
                data = proc.stdout.read(size + 1)[:-1]  # the content, then a newline
                yield name, data if header[1] == b"blob" else None
            elif header:
                yield name, None
            else:
                raise ScanIncompleteError(f"git cat-file ended early in {repo}")
    finally:
        proc.kill()
        proc.wait()
        feeder.join()


def skip_bytes(stream: IO[bytes], count: int) -> None:
    while count > 0:
        piece = stream.read(min(count, 1 << 20))
        if not piece:
            return
        count -= len(piece)


def feed_lines(stream: IO[bytes], names: Sequence[str]) -> None:
    with contextlib.suppress(BrokenPipeError, OSError):
        for name in names:
            stream.write(os.fsencode(name) + b"\n")
        stream.close()
