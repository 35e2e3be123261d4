"""Writing a report, baseline or rewritten file where the user pointed: whole or not at all, and never
replacing what must be written into.

- A regular file (new or existing) is written to a temporary file beside it and renamed over it, so a CI
  step reading the report never sees half of one. A new file gets the mode the umask gives (a baseline is
  committed and shared); an existing file keeps its mode (an executable script stays executable).
- Anything else — a character device such as /dev/null, a FIFO, a symbolic link (to /proc/self/fd/1, say)
  — is written in place: renaming a file over /dev/null as root turns the device into a regular file.
- A missing folder or a refused write is the user's to fix: a CredlintError naming the path (exit 2).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from credlint.errors import CredlintError


class OutputError(CredlintError):
    """The report could not be written where asked."""


def write_text(path: Path, text: str, *, newline: str | None = None) -> None:
    data = text.encode("utf-8", "surrogateescape")
    if newline is not None and newline != "\n":
        data = data.replace(b"\n", newline.encode())
    write_bytes(path, data)


def write_bytes(path: Path, data: bytes) -> None:
    try:
        current = os.lstat(path)
    except FileNotFoundError:
        current = None
    except OSError as exc:
        raise OutputError(f"{path}: cannot write there: {exc.strerror or exc}") from exc
    if current is not None and not stat.S_ISREG(current.st_mode):
        write_in_place(path, data)
        return
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"{path}: folder {folder} does not exist")
    mode = stat.S_IMODE(current.st_mode) if current is not None else default_mode()
    replace_atomically(path, folder, data, mode)


def default_mode() -> int:
    """What open() would give a new file: 0o666 under the process umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_in_place(path: Path, data: bytes) -> None:
    try:
        with open(path, "wb") as handle:  # follows a symbolic link to its target, as a shell redirect does
            handle.write(data)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write there: {exc.strerror or exc}") from exc


def replace_atomically(path: Path, folder: Path, data: bytes, mode: int) -> None:
    import tempfile  # imported here: most runs print instead of writing a file

    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write in {folder}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot write there: {exc.strerror or exc}") from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
