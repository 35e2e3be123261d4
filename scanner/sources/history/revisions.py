"""Which commits a history option names, verified before git sees them.

Every ref a user, a hook's environment or a pull request's branch name supplies is resolved to a commit id
with `git rev-parse --verify --end-of-options` first, and only commit ids (and credlint's own options) reach
`git rev-list`: a value such as `--output=FILE` can only ever be a revision that does not exist, never an
option that truncates a file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from credlint.errors import ConfigError
from credlint.sources.git import run_git

NULL_SHA = "0" * 40


class RevisionError(ConfigError):
    """A ref that does not name a commit here: exit 2 with the option and the value."""


@dataclass(frozen=True, slots=True)
class Revisions:
    """What to scan: rev-list arguments, how to name the tip, and what a reviewed range is reviewed against."""

    args: tuple[str, ...]  # commit ids and credlint's own options (--all, --not, --remotes), nothing else
    tip: str  # for messages: HEAD, the branch given, the end of the range
    tip_ref: str = "HEAD"  # the tip as git resolves it (a commit id once verified)
    whole: bool = False  # a whole history (all refs, or one ref's): the tip's tree is reported whole
    reviewed: bool = False  # a range under review (--range, --since, --pre-push): configuration from its base
    base: str = ""  # the base commit of a reviewed range; "" when the range has none (a first push)


def commit_of(repo: Path, ref: str) -> str:
    """The commit `ref` names, "" when it names none (an unborn HEAD); git never reads it as an option."""
    out = run_git(repo, ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"], check=False)
    return out.stdout.decode("ascii", "replace").strip() if out.returncode == 0 else ""


def verify(repo: Path, ref: str, option: str) -> str:
    """The commit `ref` names, or a RevisionError naming the option it came from."""
    sha = commit_of(repo, ref)
    if len(sha) != 40:
        raise RevisionError(f"{option} {ref!r}: not a revision in {repo}")
    return sha


def all_refs() -> Revisions:
    return Revisions(("--all",), "HEAD", whole=True)


def one_ref(repo: Path, ref: str, option: str = "--branch") -> Revisions:
    sha = verify(repo, ref, option)
    return Revisions((sha,), ref, sha, whole=True)


def commit_range(repo: Path, text: str, option: str = "--range") -> Revisions:
    """`A..B` (what B has that A has not; base A) or `A...B` (either side since they parted; base their
    merge base). An empty side is HEAD, as git reads it."""
    symmetric = "..." in text
    left, _, right = text.partition("..." if symmetric else "..")
    start, end = (verify(repo, side or "HEAD", option) for side in (left, right))
    base = merge_base(repo, start, end) if symmetric else start
    dots = "..." if symmetric else ".."
    return Revisions((f"{start}{dots}{end}",), right or "HEAD", end, reviewed=True, base=base)


def merge_base(repo: Path, first: str, second: str) -> str:
    out = run_git(repo, ["merge-base", first, second], check=False)
    return out.stdout.decode("ascii", "replace").strip() if out.returncode == 0 else ""


def pre_push(repo: Path, environ: Mapping[str, str] = os.environ) -> Revisions:
    """pre-commit exports the refs being pushed; a new branch has no 'from', so scan what no remote has."""
    to_ref = environ.get("PRE_COMMIT_TO_REF", "")
    from_ref = environ.get("PRE_COMMIT_FROM_REF", "")
    if not to_ref:  # pre-commit leaves them unset when the push holds a root commit: all of HEAD
        sha = verify(repo, "HEAD", "--pre-push")
        return Revisions((sha,), "HEAD", sha, whole=True, reviewed=True)
    if not from_ref or from_ref == NULL_SHA:
        end = verify(repo, to_ref, "PRE_COMMIT_TO_REF")
        return Revisions((end, "--not", "--remotes"), to_ref, end, reviewed=True, base=boundary(repo, end))
    start, end = verify(repo, from_ref, "PRE_COMMIT_FROM_REF"), verify(repo, to_ref, "PRE_COMMIT_TO_REF")
    return Revisions((f"{start}..{end}",), to_ref, end, reviewed=True, base=start)


def boundary(repo: Path, end: str) -> str:
    """The newest commit a remote already has that a new branch grows from; "" if no remote has any."""
    out = run_git(repo, ["rev-list", "--boundary", end, "--not", "--remotes"], check=False)
    for line in out.stdout.decode("ascii", "replace").splitlines():
        if line.startswith("-"):
            return line[1:].strip()
    return ""
