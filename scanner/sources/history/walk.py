"""The walk: the newest-first stream of commit changes turned into introductions (the oldest sighting of each
secret in each file, a file being all the names renames gave it)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from credlint.model import Finding
from credlint.sources.history.patches import CommitInfo
from credlint.text import printable

IntroKey = tuple[str, str, str]  # rule, path (the newest name of the file), secret hash


@dataclass(frozen=True, slots=True)
class Introduction:
    """The oldest sighting of a secret at a path, placed at the line it had in that commit's file."""

    finding: Finding
    commit: CommitInfo
    path: str  # as git names it at that commit (odd bytes kept): the finding shows a printable form

    def older_than(self, other: Introduction) -> bool:
        """By author time; for equal times (a rebased or cherry-picked copy) the commit further down rev-list
        order, so that the result does not depend on which git process printed first."""
        return (self.commit.timestamp, -self.commit.rank) < (other.commit.timestamp, -other.commit.rank)


def placed(finding: Finding, lines: list[int]) -> Finding:
    """A finding moved from chunk lines to file lines: lines[i] is the file line of the chunk's line i + 1."""
    loc = finding.location
    line = lines[loc.line - 1] if loc.line <= len(lines) else loc.line
    end_line = lines[loc.end_line - 1] if loc.end_line <= len(lines) else line
    return replace(finding, location=replace(loc, path=printable(loc.path), line=line, end_line=end_line))


class HistoryWalk:
    def __init__(self) -> None:
        self.introductions: dict[IntroKey, Introduction] = {}
        # The oldest sighting among the tip's ancestors: for a secret the tip holds, the commit that added it
        # there (an older copy on a branch that was never merged is not that commit).
        self.on_tip: dict[IntroKey, Introduction] = {}
        self.renames: dict[str, tuple[int, str]] = {}  # old name -> (rank, new name) of its newest rename

    def note_rename(self, commit: CommitInfo, old: str, new: str) -> None:
        if old and new and old != new and (old not in self.renames or commit.rank < self.renames[old][0]):
            self.renames[old] = (commit.rank, new)

    def sighted(self, finding: Finding, commit: CommitInfo, path: str, *, on_tip: bool) -> None:
        """A finding already placed in the file `path` as `commit` has it."""
        key = (finding.rule_id, path, finding.secret_hash)
        sighting = Introduction(finding, commit, path)
        for table in (self.introductions, self.on_tip) if on_tip else (self.introductions,):
            known = table.get(key)
            if known is None or sighting.older_than(known):
                table[key] = sighting

    def distinct(self, *, on_tip: bool = False) -> dict[IntroKey, Introduction]:
        """One introduction per secret per file, keyed by the file's newest name: merges are diffed without
        rename detection, so a clean merge can show a renamed file's lines as new under its new name."""
        oldest: dict[IntroKey, Introduction] = {}
        for (rule_id, path, secret_hash), intro in (self.on_tip if on_tip else self.introductions).items():
            key = (rule_id, self.current_path(path), secret_hash)
            known = oldest.get(key)
            if known is None or intro.older_than(known):
                oldest[key] = intro
        return oldest

    def current_path(self, path: str) -> str:
        """Follow renames forward from the path at introduction to the newest name."""
        return self.names_from(path)[-1]

    def names_from(self, path: str) -> list[str]:
        """Every name the file had from `path` on."""
        names = [path]
        while path in self.renames and self.renames[path][1] not in names:
            path = self.renames[path][1]
            names.append(path)
        return names
