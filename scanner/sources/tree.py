"""Working-tree source: list files (git-aware), then read each one into a Chunk or a counted Skip."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from credlint.errors import ScanIncompleteError
from credlint.globs import matches_any
from credlint.model import Chunk, Skip
from credlint.sources.base import FileRef, Item, KeywordEnds, Progress, ReadLimits, SourceInfo
from credlint.sources.git import nul_lines, root_commits, toplevel
from credlint.sources.stream import Collected
from credlint.text import printable as display_path

BINARY_SUFFIXES = frozenset({
    ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".ico", ".webp", ".tiff", ".psd", ".pdf", ".zip", ".gz", ".tgz",
    ".bz2", ".xz", ".7z", ".rar", ".jar", ".war", ".ear", ".whl", ".egg", ".class", ".pyc", ".pyo", ".so",
    ".dylib", ".dll", ".exe", ".o", ".a", ".lib", ".bin", ".dat", ".db", ".sqlite", ".woff", ".woff2", ".ttf",
    ".otf", ".eot", ".mp3", ".mp4", ".mov", ".avi", ".mkv", ".wav", ".flac", ".ogg", ".webm", ".iso", ".dmg",
    ".deb", ".rpm", ".parquet", ".npy", ".npz", ".pkl", ".h5",
})
SKIPPED_DIRS = frozenset({".git", ".hg", ".svn"})


@dataclass(frozen=True, slots=True)
class Workspace:
    """Where paths are reported relative to: the git top level, else the folder holding every scanned path."""

    root: Path
    in_git: bool


def locate(paths: Sequence[Path]) -> Workspace:
    folders = [p.resolve() if p.is_dir() else p.resolve().parent for p in paths]
    top = toplevel(folders[0])
    return Workspace(top, True) if top else Workspace(Path(os.path.commonpath(folders)), False)


def iter_git_files(top: Path, paths: Sequence[Path], include_ignored: bool = False) -> Iterator[str | Skip]:
    """Tracked plus untracked-not-ignored files under `paths`, relative to `top` (git respects .gitignore).
    A path the user names is scanned even when it is ignored (`credlint scan .env`); ignored files under a
    scanned folder are counted as skipped (`gitignored`), or scanned too with include_ignored."""
    specs = [os.path.relpath(p.resolve(), top) for p in paths]
    # check-ignore exits 1 when nothing is ignored, and reads plain paths (it refuses --literal-pathspecs).
    named = set(nul_lines(top, ["check-ignore", "-z", "--stdin"], ok=(0, 1),
                          stdin=b"".join(os.fsencode(s) + b"\0" for s in specs)))
    listed = [p for p, spec in zip(paths, specs, strict=True) if spec not in named]
    seen: set[str] = set()
    for path in (p for p, spec in zip(paths, specs, strict=True) if spec in named):
        yield from unique(iter_walk_files(top, [path]), seen)
    if not listed:
        return
    rest = [os.path.relpath(p.resolve(), top) for p in listed]
    # --literal-pathspecs: a file called `:x.txt` is a name, not pathspec magic.
    listing = ["--literal-pathspecs", "ls-files", "-z", "--others", "--exclude-standard"]
    yield from unique(nul_lines(top, [*listing, "--cached", "--", *rest]), seen)
    ignored = nul_lines(top, [*listing, "--ignored", "--directory", "--", *rest])
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
        # Absolute paths: relpath of a relative one asks the kernel for the working folder every time; and
        # relpath once per folder, not per file (100,000 files: 2 s of path arithmetic).
        for folder, dirs, files in os.walk(os.path.abspath(path), followlinks=False):
            dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS or not os.path.isdir(os.path.join(folder, d)))
            relative = os.path.relpath(folder, top)
            prefix = "" if relative == os.curdir else relative + os.sep
            for name in sorted(files) + [d for d in dirs if os.path.islink(os.path.join(folder, d))]:
                yield prefix + name


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
            yield FileRef(os.path.join(top, name), display_path(rel))


def read_file(ref: FileRef, limits: ReadLimits) -> Chunk | Skip:
    """Read one file; anything odd about it becomes a counted Skip, never an exception."""
    checked = check_file(ref, limits.max_size)
    if isinstance(checked, Skip):
        return checked
    try:
        with open(ref.disk_path, "rb") as handle:
            # The size it had, plus one byte: asking for the limit allocates a 10 MiB buffer per file.
            raw = handle.read(checked + 1)
            if len(raw) > checked:  # it grew since it was looked at: read on up to the limit
                raw += handle.read(limits.max_size + 1 - len(raw))
    except OSError as exc:
        return Skip(ref.rel_path, "unreadable", exc.strerror or str(exc))
    if len(raw) > limits.max_size:  # grew past the limit since it was listed
        return Skip(ref.rel_path, "too-large", f"over {limits.max_size} bytes")
    return limits.chunk(ref.rel_path, raw)


def check_file(ref: FileRef, max_size: int) -> Skip | int:
    """Why the file is not read, or its size."""
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
    if os.path.splitext(ref.rel_path)[1].lower() in BINARY_SUFFIXES:  # no Path: this runs for every file
        return Skip(ref.rel_path, "binary")
    return info.st_size


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
    roots = root_commits(workspace.root) if workspace.in_git else []
    return roots[0] if roots else "credlint"


class TreeSource(Collected):
    """The files under the given paths, as the working tree holds them (git-aware: .gitignore respected)."""

    def __init__(self, paths: Sequence[Path], workspace: Workspace, include_ignored: bool = False) -> None:
        super().__init__()
        self.paths, self.workspace, self.include_ignored = paths, workspace, include_ignored
        self.info = SourceInfo(root=str(workspace.root), mode="tree", salt=repository_salt(workspace))

    def items(self, limits: ReadLimits, progress: Progress | None,
              prefilter: KeywordEnds | None = None) -> Iterator[Item]:
        yield from iter_tree(self.paths, self.workspace, limits.exclude, self.include_ignored)
