"""Glue for git history: HistoryReader -> Scanner -> one finding per (rule, path, secret) -> provenance."""

from __future__ import annotations

import bisect
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from credlint.config import Config
from credlint.detectors.rulebook import Rulebook
from credlint.fingerprint import line_hashes_for
from credlint.globs import matches_any
from credlint.model import Finding, Location, Provenance, ScanResult, Skip
from credlint.pipeline import Scanner, collect_findings, finish
from credlint.sources.git import git_text, read_blobs
from credlint.sources.history.patches import CommitInfo
from credlint.sources.history.reader import CommitChange, HistoryReader, iter_removals
from credlint.sources.repository import Repository
from credlint.sources.tree import Workspace, display_path, repository_salt
from credlint.text import LineIndex

SECONDS_PER_DAY = 86_400
Progress = Callable[[int, int], None]
HISTORY_ONLY = ("Gone from HEAD but still in history: deleting the line did not remove the secret from the "
                "repository. Revoke and rotate it now, then consider rewriting history (git filter-repo) and "
                "force-pushing.")


@dataclass(slots=True)
class Introduction:
    """The oldest sighting of a secret at a path."""

    finding: Finding
    commit: CommitInfo
    path: str  # as git names it (odd bytes kept): the finding shows a printable form

    def older_than(self, other: Introduction) -> bool:
        """By author time; for equal times (a rebased or cherry-picked copy) the commit further down rev-list
        order, so that the result does not depend on which git process printed first."""
        return (self.commit.timestamp, -self.commit.rank) < (other.commit.timestamp, -other.commit.rank)


def scan_history(path: Path, revisions: Sequence[str], rulebook: Rulebook, config: Config,
                 progress: Progress | None = None, now: float | None = None) -> ScanResult:
    started = time.monotonic()
    with Repository.open(path) as repository:
        repo = repository.root
        result = ScanResult(root=str(repo), salt=repository_salt(Workspace(repo, True)), mode="history",
                            head=repository.head_sha(), branch=repository.branch(),
                            repository_uri=repository.remote_uri())
        if not repository.has_commits():
            result.warnings.append("empty repository: no commits to scan")
            return result
        warn_about_repository(repository, result)
    walk_history(repo, revisions, rulebook, config, result, progress, now)
    result.elapsed = time.monotonic() - started
    return result


def walk_history(repo: Path, revisions: Sequence[str], rulebook: Rulebook, config: Config, result: ScanResult,
                 progress: Progress | None, now: float | None) -> None:
    scanner = Scanner(rulebook, config.allowlist, config.explain)
    history = HistoryWalk(scanner, result, config.exclude + config.allow_paths)
    reader = HistoryReader(repo, revisions, config.max_file_size, shards=os.cpu_count() or 2,
                           keyword_ends=scanner.engine.keyword_ends)
    for change in reader.iter_changes():
        history.take(change)
        if progress and reader.commits % 500 == 0:
            progress(reader.commits, 0)
    result.commits_scanned = reader.listed
    result.files_scanned, result.bytes_scanned = reader.file_changes, reader.bytes_read
    provenance = ProvenanceFinder(repo, config.rotate_after_days, now or time.time(), has_head=bool(result.head))
    report_introductions(history, provenance, result)
    finish(result, config)


def report_introductions(history: HistoryWalk, provenance: ProvenanceFinder, result: ScanResult) -> None:
    """Each secret once, where HEAD holds it now or, if HEAD no longer does, where and when it was removed."""
    intros = history.distinct_introductions()
    at_head = {id(i): provenance.at_head(i, history.current_path(i.path)) for i in intros}
    gone = [i for i in intros if not at_head[id(i)]]
    removals = find_removals(provenance.repo, gone, history)
    line_hashes = provenance.introduced_line_hashes(gone)
    for intro in intros:
        finding = provenance.annotate(intro, at_head[id(intro)], removals.get(id(intro)),
                                      history.current_path(intro.path), line_hashes.get(id(intro), ""))
        collect_finding(result, finding)


def warn_about_repository(repository: Repository, result: ScanResult) -> None:
    if repository.is_shallow():
        result.warnings.append("shallow clone: history is partial; fetch the full history "
                               "(git fetch --unshallow, or fetch-depth: 0 in actions/checkout) for a complete audit")
    if repository.has_submodules():
        result.warnings.append("submodules are not followed: scan each submodule's repository separately")


def collect_finding(result: ScanResult, finding: Finding) -> None:
    (result.suppressed if finding.suppressed is not None else result.findings).append(finding)


class HistoryWalk:
    """Turns the newest-first stream of commit changes into introductions, renames and removals."""

    def __init__(self, scanner: Scanner, result: ScanResult, excluded: tuple[str, ...]) -> None:
        self.scanner = scanner
        self.result = result
        self.excluded = excluded
        self.introductions: dict[tuple[str, str, str], Introduction] = {}
        self.renames: dict[str, tuple[int, str]] = {}  # old name -> (rank, new name) of its newest rename
        # Each unique (path, added text) is scanned once, however many branches or cherry-picks carry it;
        # older copies reuse the findings so that the oldest commit is still the one credited.
        self.scanned: dict[bytes, list[Finding]] = {}

    def take(self, change: CommitChange | Skip) -> None:
        if isinstance(change, Skip):
            self.result.skipped.append(change)
            return
        old, new = change.old_path, change.chunk.path
        if old and new and old != new and (old not in self.renames or change.commit.rank < self.renames[old][0]):
            self.renames[old] = (change.commit.rank, new)
        if change.chunk.text and self.excluded and matches_any(new, self.excluded):
            self.result.skipped.append(Skip(display_path(new), "excluded", f"in commit {change.commit.sha[:12]}"))
        elif change.chunk.text:
            self.note_additions(change)

    def findings_in(self, change: CommitChange) -> list[Finding]:
        known = self.scanned.get(change.digest)
        if known is not None:
            return known
        scanned = self.scanner.scan_chunk(change.chunk, hash_lines=False)
        collect_findings(self.result, replace(scanned, findings=[]))
        self.scanned[change.digest] = scanned.findings
        return scanned.findings

    def note_additions(self, change: CommitChange) -> None:
        for finding in self.findings_in(change):
            key = (finding.rule_id, change.chunk.path, finding.secret_hash)
            sighting = Introduction(place(finding, change), change.commit, change.chunk.path)
            known = self.introductions.get(key)
            if known is None or sighting.older_than(known):
                self.introductions[key] = sighting

    def distinct_introductions(self) -> list[Introduction]:
        """One introduction per secret per file, a file being all the names renames gave it: merges are diffed
        without rename detection, so a clean merge can show a renamed file's lines as new under its new name."""
        oldest: dict[tuple[str, str, str], Introduction] = {}
        for (rule_id, path, secret_hash), intro in self.introductions.items():
            key = (rule_id, self.current_path(path), secret_hash)
            known = oldest.get(key)
            if known is None or intro.older_than(known):
                oldest[key] = intro
        return list(oldest.values())

    def current_path(self, path: str) -> str:
        """Follow renames forward from the path at introduction to the newest name."""
        return self.names_from(path)[-1]

    def names_of(self, intro: Introduction) -> set[str]:
        """Every name the file had from the introduction on."""
        return set(self.names_from(intro.path))

    def names_from(self, path: str) -> list[str]:
        names = [path]
        while path in self.renames and self.renames[path][1] not in names:
            path = self.renames[path][1]
            names.append(path)
        return names


def find_removals(repo: Path, gone: list[Introduction], history: HistoryWalk) -> dict[int, CommitInfo]:
    """For secrets HEAD no longer holds: the oldest later commit on HEAD's history that deleted them."""
    names = {id(i): history.names_of(i) for i in gone}
    found: dict[int, CommitInfo] = {}
    paths = sorted({name for group in names.values() for name in group})
    for commit, path, removed in iter_removals(repo, paths) if gone else ():
        for intro in gone:
            if (path in names[id(intro)] and commit.timestamp >= intro.commit.timestamp
                    and commit.sha != intro.commit.sha and intro.finding.secret in removed):
                found[id(intro)] = commit  # newest first: the last match is the oldest removal
    return found


def place(finding: Finding, change: CommitChange) -> Finding:
    """Move a finding from chunk coordinates to the line it had in the file at that commit."""
    loc = finding.location
    lines = change.line_map()
    line = lines[loc.line - 1] if loc.line <= len(lines) else loc.line
    end_line = lines[loc.end_line - 1] if loc.end_line <= len(lines) else line
    return replace(finding, location=replace(loc, path=display_path(loc.path), line=line, end_line=end_line))


class ProvenanceFinder:
    """Works out, per introduction, whether HEAD still holds it, how old it is, how long it survived."""

    def __init__(self, repo: Path, rotate_after_days: int, now: float, *, has_head: bool) -> None:
        self.repo = repo
        self.rotate_after_days = rotate_after_days
        self.now = now
        self.head_blobs: dict[str, str | None] = {}
        self.has_head = has_head
        # Author times of HEAD's history, sorted: "commits that carried it" is then a bisect, not a
        # rev-list per finding (measured: 0.3 s each on sympy).
        stamps = git_text(repo, ["log", "--format=%at", "HEAD"], check=False).split() if self.has_head else []
        self.head_times = sorted(int(t) for t in stamps)

    def head_text(self, path: str) -> str | None:
        if path not in self.head_blobs:
            blob = read_blobs(self.repo, [f"HEAD:{path}"]).get(f"HEAD:{path}") if self.has_head else None
            self.head_blobs[path] = blob.decode("utf-8", "surrogateescape") if blob is not None else None
        return self.head_blobs[path]

    def at_head(self, intro: Introduction, current_path: str) -> bool:
        text = self.head_text(current_path)
        return text is not None and intro.finding.secret in text

    def head_location(self, intro: Introduction, current_path: str) -> Location:
        """Where HEAD holds the secret now: what to fix, and what GitHub can annotate (with its line hash)."""
        text = self.head_text(current_path) or ""
        start = text.find(intro.finding.secret)
        if start < 0:
            return intro.finding.location
        index = LineIndex(text)
        line, column = index.position(start)
        end_line, end_column = index.position(start + len(intro.finding.secret))
        readable = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        line_hash = line_hashes_for(readable, {line}).get(line, "")
        return Location(display_path(current_path), line, column, end_line, end_column, line_hash)

    def introduced_line_hashes(self, gone: list[Introduction]) -> dict[int, str]:
        """GitHub's line hash of each finding HEAD no longer holds, from the file as its introducing commit
        had it: code scanning cannot compute one for a file or line the analysed commit lacks."""
        specs = {id(i): f"{i.commit.sha}:{i.path}" for i in gone}
        blobs = read_blobs(self.repo, sorted(set(specs.values())))
        hashes: dict[int, str] = {}
        for intro in gone:
            blob = blobs.get(specs[id(intro)])
            line = intro.finding.location.line
            if blob is not None:
                hashes[id(intro)] = line_hashes_for(blob.decode("utf-8", "replace"), {line}).get(line, "")
        return hashes

    def annotate(self, intro: Introduction, at_head: bool, removal: CommitInfo | None,
                 current_path: str = "", introduced_line_hash: str = "") -> Finding:
        age = max(0, int((self.now - intro.commit.timestamp) // SECONDS_PER_DAY))
        provenance = Provenance(
            commit=intro.commit.sha, author=intro.commit.author, date=intro.commit.date,
            path=intro.finding.location.path, commits_survived=self.survived(intro.commit, at_head, removal),
            at_head=at_head, removed_in=removal.sha if removal else "", age_days=age,
            rotate_overdue=at_head and age > self.rotate_after_days,
        )
        remediation = intro.finding.remediation if at_head else f"{HISTORY_ONLY}\n{intro.finding.remediation}"
        location = (self.head_location(intro, current_path) if at_head
                    else replace(intro.finding.location, line_hash=introduced_line_hash))
        return replace(intro.finding, provenance=provenance, remediation=remediation, location=location)

    def survived(self, introduced: CommitInfo, at_head: bool, removal: CommitInfo | None) -> int:
        """Commits of HEAD's history from the introducing one up to HEAD, or up to (not including) the
        removal; by author time. 1 when HEAD's history never carried it."""
        first = bisect.bisect_left(self.head_times, introduced.timestamp)
        if at_head:
            last = len(self.head_times)
        elif removal is not None:
            last = bisect.bisect_left(self.head_times, removal.timestamp)
        else:
            return 1
        return max(1, last - first)
