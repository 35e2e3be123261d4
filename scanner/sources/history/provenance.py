"""What happened to each secret after it was committed: still at the tip, removed (where), or only on other
refs; how many commits carried it, by the commit graph; and, for a secret the tip holds that no patch showed
being added, the commit that added it by `git blame`."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from credlint.sources.git import run_git
from credlint.sources.history.patches import LOG_FORMAT, CommitFormatError, CommitInfo, parse_commit, split_commits
from credlint.text import decode


class CommitGraph:
    """The scanned commits and their parents (from `git rev-list --parents`)."""

    def __init__(self, parents: dict[str, tuple[str, ...]]) -> None:
        self.parents = parents
        self._children: dict[str, list[str]] | None = None
        self._descendants: dict[str, frozenset[str]] = {}

    @property
    def children(self) -> dict[str, list[str]]:
        if self._children is None:
            children: dict[str, list[str]] = {}
            for sha, parents in self.parents.items():
                for parent in parents:
                    children.setdefault(parent, []).append(sha)
            self._children = children
        return self._children

    def descendants(self, sha: str) -> frozenset[str]:
        """The commit and every scanned commit that has it as an ancestor."""
        if sha not in self._descendants:
            self._descendants[sha] = frozenset(walk(sha, lambda c: self.children.get(c, ())))
        return self._descendants[sha]

    def ancestors(self, sha: str) -> frozenset[str]:
        """The commit and every scanned commit it descends from."""
        return frozenset(walk(sha, lambda c: self.parents.get(c, ()))) if sha in self.parents else frozenset()

    def between(self, first: str, last: str) -> frozenset[str]:
        """Commits that descend from `first` (or are it) and that `last` descends from (or is): every path
        from one to the other runs through descendants of `first` only."""
        within = self.descendants(first)
        if last not in within:
            return frozenset()
        return frozenset(walk(last, lambda c: [p for p in self.parents.get(c, ()) if p in within]))

    def carried(self, introduced: str, until: str | None, *, until_included: bool) -> int:
        """Commits that held the secret: from the one that added it up to `until` (the tip, or the removal,
        which no longer holds it); with no end known, every descendant of the commit that added it."""
        if until is None:
            return max(1, len(self.descendants(introduced)))
        span = self.between(introduced, until)
        return max(1, len(span) - (0 if until_included or until not in span else 1))


def walk(start: str, step: Callable[[str], Iterable[str]]) -> Iterator[str]:
    """Every commit reachable from `start` along `step(commit) -> next commits`, each once."""
    seen = {start}
    queue = [start]
    while queue:
        current = queue.pop()
        yield current
        for following in step(current):
            if following not in seen:
                seen.add(following)
                queue.append(following)


def iter_removals(repo: Path, tip: str, paths: Sequence[str]) -> Iterator[tuple[CommitInfo, str, str]]:
    """(commit, path, removed text) for every change to `paths` in the tip's history, newest first: where
    the secrets the tip no longer holds were deleted. One path-limited git log for all of them."""
    if not paths:
        return
    command = ["log", "--no-merges", "-p", "-U0", "--diff-filter=DMR", "--no-color", "--no-ext-diff",
               "--no-textconv", f"--format={LOG_FORMAT}", tip, "--", *paths]
    for raw in split_commits(run_git(repo, command).stdout):
        try:
            commit, files = parse_commit(raw)
        except (CommitFormatError, ValueError, IndexError):
            continue  # the walk over every commit has counted it already
        for diff in files:
            removed = diff.removed()
            if removed:
                yield commit, diff.old_path or diff.new_path, decode(removed)


def blame_newest(repo: Path, tip: str, path: str, first: int, last: int) -> CommitInfo | None:
    """The newest commit among those that last changed lines first..last at the tip: the commit in which
    the text there, as a whole, first existed."""
    out = run_git(repo, ["blame", "--porcelain", "-L", f"{first},{last}", tip, "--", path], check=False)
    if out.returncode != 0:
        return None
    commits = dict(blame_commits(out.stdout.decode("utf-8", "replace").splitlines()))
    if not commits:
        return None
    return max(commits.values(), key=lambda c: c.timestamp)


def blame_commits(lines: Iterable[str]) -> Iterator[tuple[str, CommitInfo]]:
    """(sha, commit) for each commit `git blame --porcelain` describes (it describes each one once)."""
    sha, fields = "", dict[str, str]()
    for line in lines:
        if line.startswith("\t"):
            if sha and "author-time" in fields:
                yield sha, commit_from_blame(sha, fields)
            sha, fields = "", {}
            continue
        key, _, value = line.partition(" ")
        if len(key) in (40, 64) and all(c in "0123456789abcdef" for c in key):
            sha, fields = key, {}
        else:
            fields[key] = value


def commit_from_blame(sha: str, fields: dict[str, str]) -> CommitInfo:
    stamp = int(fields["author-time"])
    zone = fields.get("author-tz", "+0000")
    offset = datetime.timedelta(hours=int(zone[1:3] or 0), minutes=int(zone[3:5] or 0))
    tz = datetime.timezone(-offset if zone.startswith("-") else offset)
    date = datetime.datetime.fromtimestamp(stamp, tz).isoformat()
    return CommitInfo(sha, (), fields.get("author", ""), date, stamp)
