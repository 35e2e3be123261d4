"""Small, strict wrappers around the git command line: every failure becomes a ScanIncompleteError."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

from credlint.errors import ScanIncompleteError

# Never let a user's or repository's configuration change what git prints.
GIT = ["git", "-c", "core.quotepath=off", "-c", "color.ui=never", "-c", "diff.noprefix=false",
       "-c", "diff.mnemonicPrefix=false", "-c", "log.showSignature=false"]


def run_git(repo: Path, args: Sequence[str], *, check: bool = True, stdin: bytes | None = None,
            timeout: float = 600) -> subprocess.CompletedProcess[bytes]:
    try:
        out = subprocess.run([*GIT, "-C", str(repo), *args], input=stdin, capture_output=True, check=False,
                             timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ScanIncompleteError(f"git {args[0]} failed in {repo}: {exc}") from exc
    if check and out.returncode != 0:
        raise ScanIncompleteError(f"git {args[0]} failed in {repo}: {last_line(out.stderr)}")
    return out


def last_line(stderr: bytes) -> str:
    lines = stderr.decode("utf-8", "replace").strip().splitlines()
    return lines[-1] if lines else "no message"


def git_text(repo: Path, args: Sequence[str], *, check: bool = True) -> str:
    return os.fsdecode(run_git(repo, args, check=check).stdout).strip()


def read_blobs(repo: Path, specs: Sequence[str]) -> dict[str, bytes | None]:
    """Contents of `REV:path` specs in one `git cat-file --batch` call; None where the object is missing."""
    if not specs:
        return {}
    out = run_git(repo, ["cat-file", "--batch"], stdin=b"".join(os.fsencode(s) + b"\n" for s in specs)).stdout
    blobs: dict[str, bytes | None] = {}
    pos = 0
    for spec in specs:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        pos = end + 1
        blobs[spec] = None
        if len(header) == 3 and header[2].isdigit():  # "<sha> <type> <size>", else "<spec> missing"
            size = int(header[2])
            if header[1] == b"blob":
                blobs[spec] = out[pos:pos + size]
            pos += size + 1
    return blobs


def hooks_dir(repo: Path) -> Path:
    """Where git looks for hooks here (core.hooksPath, worktrees and all)."""
    path = Path(git_text(repo, ["rev-parse", "--git-path", "hooks"]))
    return path if path.is_absolute() else repo / path
