"""Working-tree source: list files (git-aware), then read each one into a Chunk or a counted Skip."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from credlint.errors import ScanIncompleteError
from credlint.globs import matches_any
from credlint.model import Chunk, Skip

BINARY_SUFFIXES = frozenset({
    ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".ico", ".webp", ".tiff", ".psd", ".pdf", ".zip", ".gz", ".tgz",
    ".bz2", ".xz", ".7z", ".rar", ".jar", ".war", ".ear", ".whl", ".egg", ".class", ".pyc", ".pyo", ".so",
    ".dylib", ".dll", ".exe", ".o", ".a", ".lib", ".bin", ".dat", ".db", ".sqlite", ".woff", ".woff2", ".ttf",
    ".otf", ".eot", ".mp3", ".mp4", ".mov", ".avi", ".mkv", ".wav", ".flac", ".ogg", ".webm", ".iso", ".dmg",
    ".deb", ".rpm", ".parquet", ".npy", ".npz", ".pkl", ".h5",
})
SNIFF_BYTES = 8192
SKIPPED_DIRS = frozenset({".git", ".hg", ".svn"})


@dataclass(frozen=True, slots=True)
class FileRef:
    """A file to read: where it is on disk, and its path relative to the repository root."""

    disk_path: str
    rel_path: str


def display_path(raw: str) -> str:
    """Odd bytes in a file name become U+FFFD for display; the disk path keeps the real bytes."""
    return raw.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def may_be_in_git(folder: Path) -> bool:
    """False only when no `.git` exists in the folder or above it and no GIT_DIR says otherwise: then
    there is no need to start git at all (a few milliseconds of every pre-commit run outside git)."""
    if os.environ.get("GIT_DIR") or os.environ.get("GIT_WORK_TREE"):
        return True
    return any((parent / ".git").exists() for parent in (folder.resolve(), *folder.resolve().parents))


def git_toplevel(path: Path) -> Path | None:
    folder = path if path.is_dir() else path.parent
    if not may_be_in_git(folder):
        return None
    try:
        out = subprocess.run(["git", "-C", str(folder), "rev-parse", "--show-toplevel"],
                             capture_output=True, check=False, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return Path(os.fsdecode(out.stdout.strip())) if out.returncode == 0 and out.stdout.strip() else None


@dataclass(frozen=True, slots=True)
class Workspace:
    """Where paths are reported relative to: the git top level, else the folder holding every scanned path."""

    root: Path
    in_git: bool


def locate(paths: Sequence[Path]) -> Workspace:
    folders = [p.resolve() if p.is_dir() else p.resolve().parent for p in paths]
    top = git_toplevel(folders[0])
    return Workspace(top, True) if top else Workspace(Path(os.path.commonpath(folders)), False)


def git_lines(top: Path, *args: str, stdin: bytes | None = None) -> list[str]:
    """NUL-separated output of one git command in `top`; a failure stops the scan (never a silent 0)."""
    # ls-files takes names literally (a file called `:x.txt` is not pathspec magic); check-ignore refuses the
    # flag and reads plain paths anyway.
    literal = ["--literal-pathspecs"] if args[0] != "check-ignore" else []
    cmd = ["git", "-C", str(top), *literal, *args]
    try:
        out = subprocess.run(cmd, input=stdin, capture_output=True, check=False, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ScanIncompleteError(f"git {args[0]} failed in {top}: {exc}") from exc
    if out.returncode not in (0, 1) or (out.returncode == 1 and args[0] != "check-ignore"):
        message = out.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ScanIncompleteError(f"git {args[0]} failed in {top}: {message[-1] if message else out.returncode}")
    return [os.fsdecode(raw) for raw in out.stdout.split(b"\0") if raw]


def iter_git_files(top: Path, paths: Sequence[Path], include_ignored: bool = False) -> Iterator[str | Skip]:
    """Tracked plus untracked-not-ignored files under `paths`, relative to `top` (git respects .gitignore).
    A path the user names is scanned even when it is ignored (`credlint scan .env`); ignored files under a
    scanned folder are counted as skipped (`gitignored`), or scanned too with include_ignored."""
    specs = [os.path.relpath(p.resolve(), top) for p in paths]
    named = set(git_lines(top, "check-ignore", "-z", "--stdin", stdin=b"".join(os.fsencode(s) + b"\0" for s in specs)))
    listed = [p for p, spec in zip(paths, specs, strict=True) if spec not in named]
    seen: set[str] = set()
    for path in (p for p, spec in zip(paths, specs, strict=True) if spec in named):
        yield from unique(iter_walk_files(top, [path]), seen)
    if not listed:
        return
    rest = [os.path.relpath(p.resolve(), top) for p in listed]
    yield from unique(git_lines(top, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", *rest), seen)
    ignored = git_lines(top, "ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory", "--",
                        *rest)
    for name in ignored:
        if include_ignored:
            yield from unique(iter_walk_files(top, [top / name]), seen)
        else:
            yield Skip(display_path(name.rstrip("/").replace(os.sep, "/")), "gitignored",
                       "folder" if name.endswith("/") else "")


def unique(names: Iterable[str], seen: set[str]) -> Iterator[str]:
    for name in names:
        if name not in seen:  # a conflicted file is listed once per stage
            seen.add(name)
            yield name


def iter_walk_files(top: Path, paths: Sequence[Path]) -> Iterator[str]:
    """Every file under `paths` outside git; links to folders are not followed, so loops cannot happen."""
    for path in paths:
        if not path.is_dir() or path.is_symlink():
            yield os.path.relpath(path, top)
            continue
        for folder, dirs, files in os.walk(path, followlinks=False):
            dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS or not os.path.isdir(os.path.join(folder, d)))
            for name in sorted(files) + [d for d in dirs if os.path.islink(os.path.join(folder, d))]:
                yield os.path.relpath(os.path.join(folder, name), top)


def iter_tree(paths: Sequence[Path], workspace: Workspace, exclude: Sequence[str],
              include_ignored: bool = False) -> Iterator[FileRef | Skip]:
    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise ScanIncompleteError(f"{path}: no such file or directory")
    top = workspace.root
    names = iter_git_files(top, paths, include_ignored) if workspace.in_git else iter_walk_files(top, paths)
    for name in names:
        if isinstance(name, Skip):
            yield name
            continue
        rel = name.replace(os.sep, "/")
        if exclude and matches_any(rel, exclude):
            yield Skip(display_path(rel), "excluded")
        else:
            yield FileRef(str(top / name), display_path(rel))


def read_chunk(ref: FileRef, max_size: int) -> Chunk | Skip:
    """Read one file; anything odd about it becomes a counted Skip, never an exception."""
    skip = check_file(ref, max_size)
    if skip:
        return skip
    try:
        with open(ref.disk_path, "rb") as handle:
            raw = handle.read(max_size + 1)
    except OSError as exc:
        return Skip(ref.rel_path, "unreadable", exc.strerror or str(exc))
    if len(raw) > max_size:
        return Skip(ref.rel_path, "too-large", f"over {max_size} bytes")
    if b"\0" in raw[:SNIFF_BYTES]:
        return Skip(ref.rel_path, "binary")
    # One stray Latin-1 byte must not hide a whole file from the scan; surrogateescape keeps going and
    # still round-trips to the exact bytes, so hashes match the file on disk.
    return Chunk(ref.rel_path, raw.decode("utf-8", errors="surrogateescape"))


def check_file(ref: FileRef, max_size: int) -> Skip | None:
    try:
        info = os.lstat(ref.disk_path)
    except FileNotFoundError:
        return Skip(ref.rel_path, "vanished", "listed but gone before it was read")
    except OSError as exc:
        return Skip(ref.rel_path, "unreadable", exc.strerror or str(exc))
    if stat.S_ISLNK(info.st_mode):
        return symlink_skip(ref)
    if stat.S_ISDIR(info.st_mode):
        return Skip(ref.rel_path, "submodule", "a nested repository is not followed")
    if not stat.S_ISREG(info.st_mode):
        return Skip(ref.rel_path, "not-a-file")
    if info.st_size > max_size:
        return Skip(ref.rel_path, "too-large", f"{info.st_size} bytes, limit {max_size}")
    if Path(ref.rel_path).suffix.lower() in BINARY_SUFFIXES:
        return Skip(ref.rel_path, "binary")
    return None


def symlink_skip(ref: FileRef) -> Skip:
    """Links are not followed: their targets inside the tree are scanned as themselves."""
    try:
        os.stat(ref.disk_path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return Skip(ref.rel_path, "symlink-loop")
        return Skip(ref.rel_path, "broken-symlink")
    return Skip(ref.rel_path, "symlink", "not followed")


def repository_salt(workspace: Workspace) -> str:
    """Key for public fingerprints: the repository's first commit, stable across clones and runs."""
    if not workspace.in_git:
        return "credlint"
    top = workspace.root
    try:
        out = subprocess.run(["git", "-C", str(top), "rev-list", "--max-parents=0", "HEAD"],
                             capture_output=True, check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return "credlint"
    roots = sorted(out.stdout.decode("ascii", "replace").split()) if out.returncode == 0 else []
    return roots[0] if roots else "credlint"
