"""The history source: every commit's additions, and the tip's tree, settled into one finding per secret
per file with where it came from and what became of it.

A full history (`--history`, `--branch REF`) scans the tip's tree whole, so the audit reports everything a
tree scan reports, placed by position; each such finding takes its provenance from the oldest commit that
added it, or from `git blame` when no patch showed it being added (a call site the parser needs the whole
file for). A range (`--range A..B`, `--since`, `--pre-push`) reports what its commits add, placed at the
range's tip when the tip still holds it.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from credlint.model import Chunk, Finding, Location, Provenance, Skip
from credlint.sources.base import Item, KeywordEnds, Placed, Progress, ReadLimits, Scan, Settled, SourceInfo
from credlint.sources.git import object_spec, read_blobs
from credlint.sources.history.patches import CommitInfo
from credlint.sources.history.provenance import CommitGraph, blame_newest, iter_removals
from credlint.sources.history.reader import KEY_BODY_LINE, CommitChange, HistoryReader
from credlint.sources.history.revisions import Revisions, commit_of
from credlint.sources.history.tip import TipFile, iter_tip_chunks, tip_entries
from credlint.sources.history.walk import HistoryWalk, Introduction, IntroKey, placed
from credlint.sources.repository import Repository
from credlint.sources.tree import Workspace, repository_salt
from credlint.text import LineIndex, decode, printable

SECONDS_PER_DAY = 86_400
HISTORY_ONLY = ("Gone from {tip} but still in history: deleting the line did not remove the secret from the "
                "repository. Revoke and rotate it now, then consider rewriting history (git filter-repo) and "
                "force-pushing.")
ELSEWHERE = ("Never on {tip}: only other branches or refs hold it, and the repository still does. Revoke and "
             "rotate it now, then delete or rewrite those refs.")
KEY_BLOCK_LINES = 200  # a PEM block is searched this far around a changed body line


@dataclass(frozen=True, slots=True)
class Sighting:
    """How a secret the tip holds came to be there: first added anywhere, and added on the tip's history."""

    first: Introduction | None = None
    on_tip: Introduction | None = None


@dataclass(frozen=True, slots=True)
class Region:
    """The origin of a chunk cut from a commit's post-image: a private key whose body the commit changed."""

    change: CommitChange
    first_line: int


class HistorySource:
    def __init__(self, path: Path, revisions: Revisions, rotate_after_days: int = 90,
                 now: float | None = None, shards: int | None = None) -> None:
        warnings: list[str] = []
        with Repository.open(path) as repository:
            self.repo = repository.root
            self.empty = not repository.has_commits()
            if self.empty:
                warnings.append("empty repository: no commits to scan")
            if repository.is_shallow():
                warnings.append("shallow clone: history is partial; fetch the full history (git fetch "
                                "--unshallow, or fetch-depth: 0 in actions/checkout) for a complete audit")
            if repository.has_submodules():
                warnings.append("submodules are not followed: scan each submodule's repository separately")
            head, branch, uri = repository.head_sha(), repository.branch(), repository.remote_uri()
        self.revisions = list(revisions.args)
        self.tip_name = revisions.tip
        self.tip = "" if self.empty else commit_of(self.repo, revisions.tip_ref)
        self.whole_tree = revisions.whole
        self.rotate_after_days, self.now = rotate_after_days, now or time.time()
        self.shards = shards or os.cpu_count() or 2
        self.info = SourceInfo(root=str(self.repo), mode="history", salt=repository_salt(Workspace(self.repo, True)),
                               head=head, branch=branch, repository_uri=uri, warnings=tuple(warnings))
        self.walk = HistoryWalk()
        self.tip_found: list[Finding] = []
        self.tip_files = self.tip_bytes = 0
        self.reader: HistoryReader | None = None
        self._tip_ancestors: frozenset[str] | None = None
        self.limits = ReadLimits(0)

    def items(self, limits: ReadLimits, progress: Progress | None, prefilter: KeywordEnds | None = None
              ) -> Iterator[Item]:
        self.limits = limits
        if self.empty:
            return
        if self.whole_tree and self.tip:
            yield from self.counted(iter_tip_chunks(self.repo, tip_entries(self.repo, self.tip), limits))
        self.reader = HistoryReader(self.repo, self.revisions, limits.max_size, shards=self.shards,
                                    keyword_ends=prefilter)
        for change in self.reader.iter_changes():
            yield from self.chunks_of(change, limits)
            if progress and self.reader.commits % 500 == 0:
                progress(self.reader.commits, 0)

    def counted(self, items: Iterator[Chunk | Skip]) -> Iterator[Chunk | Skip]:
        for item in items:
            if isinstance(item, Chunk):
                self.tip_files += 1
                self.tip_bytes += len(item.text)
            yield item

    def chunks_of(self, change: CommitChange | Skip, limits: ReadLimits) -> Iterator[Item]:
        if isinstance(change, Skip):
            yield change
            return
        self.walk.note_rename(change.commit, change.old_path, change.chunk.path)
        if not change.chunk.text:
            return
        shown = printable(change.chunk.path)
        if limits.excluded(shown):
            yield Skip(shown, "excluded", f"in commit {change.commit.sha[:12]}")
            return
        yield replace(change.chunk, origin=change)
        if change.key_body:
            yield from self.key_regions(change)

    def key_regions(self, change: CommitChange) -> Iterator[Chunk]:
        """The PEM blocks of the commit's version of the file that hold a changed body line: a key
        regenerated in place changes every line but BEGIN and END, which -U0 leaves out."""
        spec = object_spec(self.repo, change.commit.sha, change.chunk.path)
        blob = read_blobs(self.repo, [spec], self.limits.max_size).get(spec) if spec else None
        if not isinstance(blob, bytes):
            return
        lines = decode(blob).split("\n")
        added = change.line_map()
        for first, last in sorted({block for n in added if (block := pem_block(lines, n)) is not None}):
            text = "\n".join(lines[first - 1:last])
            key = hashlib.sha1(f"{change.chunk.path}\0{text}".encode("utf-8", "surrogateescape"),
                               usedforsecurity=False).digest()
            yield Chunk(change.chunk.path, text, whole=False, key=key, origin=Region(change, first))

    def take(self, origin: object, found: list[Finding]) -> None:
        if isinstance(origin, TipFile):
            self.tip_found.extend(found)
        elif isinstance(origin, CommitChange) and found:
            lines = origin.line_map()
            on_tip = origin.commit.sha in self.tip_ancestors()
            for finding in found:
                self.walk.sighted(placed(finding, lines), origin.commit, origin.chunk.path, on_tip=on_tip)
        elif isinstance(origin, Region) and found:
            offset = origin.first_line - 1
            commit = origin.change.commit
            for finding in found:
                lines = list(range(1 + offset, finding.location.end_line + offset + 1))
                self.walk.sighted(placed(finding, lines), commit, origin.change.chunk.path,
                                  on_tip=commit.sha in self.tip_ancestors())

    def tip_ancestors(self) -> frozenset[str]:
        """The tip and every scanned commit it descends from (known once the reader has listed them)."""
        if self._tip_ancestors is None:
            graph = CommitGraph(self.reader.parents if self.reader else {})
            self._tip_ancestors = graph.ancestors(self.tip) if self.tip else frozenset()
        return self._tip_ancestors

    def settle(self, scan: Scan) -> Settled:
        reader = self.reader
        intros, on_tip = (self.introductions(on_tip=flag) for flag in (False, True))
        if not self.whole_tree and self.tip:
            self.scan_tip_files(sorted({self.walk.current_path(i.path) for i in intros.values()}), scan)
        settler = Settler(self, CommitGraph(reader.parents if reader else {}))
        findings, placed_findings = settler.settle(intros, on_tip)
        return Settled(findings, placed_findings,
                       files_scanned=(reader.file_changes if reader else 0) + self.tip_files,
                       bytes_scanned=(reader.bytes_read if reader else 0) + self.tip_bytes,
                       commits_scanned=reader.listed if reader else 0)

    def introductions(self, *, on_tip: bool) -> dict[IntroKey, Introduction]:
        """Keyed by rule, printable newest path and secret hash: as the tip's findings are."""
        return {(rule, printable(path), digest): intro
                for (rule, path, digest), intro in self.walk.distinct(on_tip=on_tip).items()}

    def scan_tip_files(self, paths: list[str], scan: Scan) -> None:
        """A range's tip, for the files its commits added secrets to: where they sit now."""
        if not paths:
            return
        for item in iter_tip_chunks(self.repo, tip_entries(self.repo, self.tip, paths), self.limits):
            if isinstance(item, Chunk):
                self.tip_found.extend(scan(item).findings)


def pem_block(lines: list[str], line: int) -> tuple[int, int] | None:
    """The (BEGIN, END) lines, 1-based, of the PEM block holding `line`, when that line is a key body line."""
    if not 0 < line <= len(lines) or not KEY_BODY_LINE.match(lines[line - 1].encode("utf-8", "surrogateescape")):
        return None
    begin = next((n for n in range(line - 1, max(0, line - KEY_BLOCK_LINES), -1)
                  if lines[n - 1].lstrip().startswith("-----BEGIN")), None)
    end = next((n for n in range(line + 1, min(len(lines), line + KEY_BLOCK_LINES) + 1)
                if lines[n - 1].lstrip().startswith("-----END")), None)
    return (begin, end) if begin is not None and end is not None else None


class Settler:
    """Turns the tip's findings and the walk's introductions into the report's findings."""

    def __init__(self, source: HistorySource, graph: CommitGraph) -> None:
        self.source, self.graph = source, graph
        self.repo, self.tip, self.tip_name = source.repo, source.tip, source.tip_name

    def settle(self, intros: dict[IntroKey, Introduction], on_tip: dict[IntroKey, Introduction]
               ) -> tuple[list[Finding], list[Placed]]:
        """A finding the tip holds takes the commit that added it on the tip's history; a secret the tip no
        longer holds, the oldest commit anywhere that added it."""
        tip_found = self.source.tip_found
        matched: dict[int, Sighting] = {}  # index into tip_found -> how it was introduced
        by_key: dict[IntroKey, list[int]] = {}
        for i, finding in enumerate(tip_found):
            by_key.setdefault((finding.rule_id, finding.location.path, finding.secret_hash), []).append(i)
        unmatched: dict[IntroKey, Introduction] = {}
        for key, intro in intros.items():
            if key in by_key:
                matched.update({i: Sighting(intro, on_tip.get(key)) for i in by_key[key]})
            else:
                unmatched[key] = intro
        at_tip, gone = self.find_at_tip(unmatched, on_tip, matched)
        findings = [self.at_tip(finding, matched.get(i, Sighting())) for i, finding in enumerate(tip_found)
                    if i in matched or self.source.whole_tree]
        return findings, [Placed(f, text) for f, text in at_tip] + self.gone(gone)

    def find_at_tip(self, unmatched: dict[IntroKey, Introduction], on_tip: dict[IntroKey, Introduction],
                    matched: dict[int, Sighting]) -> tuple[list[tuple[Finding, str]], list[Introduction]]:
        """Introductions the tip's scan did not report under the same rule and value: still at the tip as
        text (the whole file read differently), or gone."""
        texts = self.tip_texts({self.source.walk.current_path(i.path) for i in unmatched.values()})
        at_tip: list[tuple[Finding, str]] = []
        gone: list[Introduction] = []
        for key, intro in unmatched.items():
            path = self.source.walk.current_path(intro.path)
            text = texts.get(path)
            start = text.find(intro.finding.secret) if text is not None and intro.finding.secret else -1
            if start < 0:
                gone.append(intro)
                continue
            location = located(text or "", start, len(intro.finding.secret), printable(path))
            covering = self.covering(location, matched)
            if covering is not None:
                matched[covering] = Sighting(intro, on_tip.get(key))
            else:
                sighting = Sighting(intro, on_tip.get(key))
                at_tip.append((self.at_tip(replace(intro.finding, location=location), sighting), text or ""))
        return at_tip, gone

    def covering(self, location: Location, matched: dict[int, Sighting]) -> int | None:
        """An unmatched tip finding at the same place (another rule, or the value read differently)."""
        for i, finding in enumerate(self.source.tip_found):
            loc = finding.location
            if i not in matched and loc.path == location.path and loc.line <= location.line <= loc.end_line:
                return i
        return None

    def tip_texts(self, paths: set[str]) -> dict[str, str]:
        if not self.tip or not paths:
            return {}
        specs = {spec: path for path in paths if (spec := object_spec(self.repo, self.tip, path))}
        blobs = read_blobs(self.repo, sorted(specs), self.source.limits.max_size)
        return {specs[spec]: decode(data) for spec, data in blobs.items() if isinstance(data, bytes)}

    def at_tip(self, finding: Finding, sighting: Sighting) -> Finding:
        """Provenance of a secret the tip holds: the first commit anywhere that added it (exposure began
        there), and how many commits of the tip's history have carried it since it was added there."""
        on_tip = sighting.on_tip.commit if sighting.on_tip else None
        first = sighting.first.commit if sighting.first else on_tip or self.blamed(finding)
        if first is None:
            return finding
        counted_from = on_tip or (first if first.sha in self.source.tip_ancestors() else self.blamed(finding))
        age = self.age(first)
        provenance = Provenance(
            commit=first.sha, author=first.author, date=first.date,
            path=sighting.first.finding.location.path if sighting.first else finding.location.path,
            commits_survived=self.graph.carried(counted_from.sha, self.tip, until_included=True) if counted_from else 1,
            at_head=True, age_days=age, rotate_overdue=age > self.source.rotate_after_days,
            rotate_after_days=self.source.rotate_after_days, tip=self.tip_name)
        return replace(finding, provenance=provenance)

    def blamed(self, finding: Finding) -> CommitInfo | None:
        loc = finding.location
        return blame_newest(self.repo, self.tip, loc.path, loc.line, loc.end_line) if self.tip else None

    def age(self, commit: CommitInfo) -> int:
        return max(0, int((self.source.now - commit.timestamp) // SECONDS_PER_DAY))

    def gone(self, gone: list[Introduction]) -> list[Placed]:
        """Secrets the tip no longer holds. Advisories are left out: a call site that read its password at
        run time and is gone leaves nothing to revoke."""
        gone = [intro for intro in gone if not intro.finding.advisory]
        removals = self.removals(gone)
        texts = self.introduced_texts(gone)
        out = []
        for intro in gone:
            removal = removals.get(id(intro))
            in_tip_history = bool(self.tip) and self.tip in self.graph.descendants(intro.commit.sha)
            age = self.age(intro.commit)
            provenance = Provenance(
                commit=intro.commit.sha, author=intro.commit.author, date=intro.commit.date,
                path=intro.finding.location.path,
                commits_survived=self.graph.carried(intro.commit.sha, removal.sha if removal else None,
                                                    until_included=False),
                at_head=False, removed_in=removal.sha if removal else "", age_days=age,
                rotate_after_days=self.source.rotate_after_days, tip=self.tip_name, in_tip_history=in_tip_history)
            advice = (HISTORY_ONLY if in_tip_history else ELSEWHERE).format(tip=self.tip_name)
            finding = replace(intro.finding, provenance=provenance,
                              remediation=f"{advice}\n{intro.finding.remediation}")
            out.append(Placed(finding, texts.get(id(intro))))
        return out

    def removals(self, gone: list[Introduction]) -> dict[int, CommitInfo]:
        """For each secret the tip's history once held: the oldest commit on that history, after the one
        that added it, that deleted it from one of the file's names."""
        wanted = [i for i in gone if self.tip and self.tip in self.graph.descendants(i.commit.sha)]
        names = {id(i): set(self.source.walk.names_from(i.path)) for i in wanted}
        paths = sorted({name for group in names.values() for name in group})
        found: dict[int, CommitInfo] = {}
        for commit, path, removed in iter_removals(self.repo, self.tip, paths) if wanted else ():
            for intro in wanted:
                if (path in names[id(intro)] and commit.sha != intro.commit.sha
                        and commit.sha in self.graph.descendants(intro.commit.sha)
                        and needle(intro.finding.secret) in removed):
                    found[id(intro)] = commit  # newest first: the last match is the oldest removal
        return found

    def introduced_texts(self, gone: list[Introduction]) -> dict[int, str]:
        """The file as the introducing commit had it: allow comments and GitHub's line hash are judged there
        (code scanning cannot hash a line of a file the analysed commit lacks)."""
        specs = {id(i): spec for i in gone if (spec := object_spec(self.repo, i.commit.sha, i.path))}
        blobs = read_blobs(self.repo, sorted(set(specs.values())), self.source.limits.max_size)
        return {key: decode(blob) for key, spec in specs.items() if isinstance(blob := blobs.get(spec), bytes)}


def located(text: str, start: int, length: int, path: str) -> Location:
    index = LineIndex(text)
    line, column = index.position(start)
    end_line, end_column = index.position(start + length)
    return Location(path, line, column, end_line, end_column)


def needle(secret: str) -> str:
    """What a deletion of the secret must remove: a key's longest line (a key regenerated in place keeps its
    BEGIN and END lines), or the whole value."""
    lines = [line.strip() for line in secret.splitlines()]
    return max(lines, key=len) if len(lines) > 1 else secret
