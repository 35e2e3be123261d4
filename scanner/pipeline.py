"""The one orchestration: a source's chunks -> detectors -> triage -> a ScanResult, for every source alike.

run_scan() reads what the source lists (files in worker processes once a tree is large), scans each chunk
with the Scanner, hands the findings back to the source to place, then applies the decisions that are the
same for every source (triage/verdict.py). scan_text() is run_scan() over one text: every rule example
proves the whole pipeline.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from credlint.allowlist import Allowlist
from credlint.config import DEFAULT_MIN_SCORE, Config
from credlint.deadline import TooSlowError, deadline
from credlint.detectors.engine import Engine
from credlint.detectors.regex import PREFILTER_AFTER
from credlint.detectors.rulebook import Rule, Rulebook
from credlint.fingerprint import with_line_hashes
from credlint.model import Candidate, Chunk, Dropped, FileResult, Finding, ScanResult, Skip
from credlint.sources.base import FileRef, ReadLimits, Settled, Source
from credlint.sources.base import Progress as Progress
from credlint.sources.stream import TextSource
from credlint.sources.tree import read_file
from credlint.text import LineIndex
from credlint.triage.assessment import GENERIC_TAG, Assessment, assess, vendor_prefixes
from credlint.triage.filters import drop_reason
from credlint.triage.overlap import distinct
from credlint.triage.scoring import make_finding, score
from credlint.triage.suppression import Allowances, judged, judged_in
from credlint.triage.verdict import decide

if TYPE_CHECKING:  # only for a signature: the baseline module is imported when a baseline is used
    from credlint.triage.baseline import Baseline

# Below these, starting two worker processes (about 0.1 s) costs more than it saves; chosen, not tuned.
PARALLEL_MIN_FILES = 400
PARALLEL_MIN_BYTES = 8 * 1024 * 1024
BATCH_FILES = 64


@dataclass(slots=True)
class Scanner:
    """Detectors plus the per-chunk triage for one rulebook; built once per process."""

    rulebook: Rulebook
    allowlist: Allowlist = field(default_factory=Allowlist)
    explain: bool = False  # keep a record per dropped candidate; otherwise only count them (memory)
    file_timeout: float = 0.0  # seconds a chunk may take (0: no budget): then it is skipped as too-slow
    prebuilt: Engine | None = None  # an engine already built for this rulebook, reused (scan_text)
    engine: Engine = field(init=False)
    prefixes: frozenset[str] = field(init=False)
    seen: dict[bytes, list[Finding]] = field(init=False, default_factory=dict)
    volume: int = field(init=False, default=0)  # characters given to scan_chunk so far

    def __post_init__(self) -> None:
        self.engine = self.prebuilt or Engine(self.rulebook)
        self.prefixes = vendor_prefixes(self.rulebook.rules)

    def scan_chunk(self, chunk: Chunk) -> FileResult:
        """Findings in one chunk, within the time budget: a chunk that runs out of it is a counted skip."""
        # The regex prefilter is compiled once the scan has seen enough text (seconds for a large rulebook on a
        # fresh cache): here, before the budget starts, never inside the budget of the chunk that crossed the line.
        self.volume += len(chunk.text)
        self.engine.expect(self.volume)
        try:
            with deadline(self.file_timeout):
                return self.scan_chunk_unbounded(chunk)
        except TooSlowError:
            # The keyword matcher may have been interrupted mid-scan: its scratch state is rebuilt.
            self.engine = Engine(self.rulebook)
            return FileResult(skipped=Skip(chunk.path, "too-slow", f"over {self.file_timeout:g} s"))

    def scan_chunk_unbounded(self, chunk: Chunk) -> FileResult:
        """Findings in one chunk. A whole file's allow comments and line hashes are judged here; a part of
        a file is judged once its source has placed the findings (Settled.placed)."""
        result = FileResult()
        kept: list[tuple[Rule, Candidate, Finding]] = []
        rejected: list[tuple[int, int]] = []  # spans a provider rule looked at and turned down
        index: LineIndex | None = None
        # A value repeated in the same surroundings (a generated file, a crafted line holding it 10,000
        # times) is judged once: judging is most of a candidate's cost, and the same inputs decide the same.
        verdicts: dict[tuple[str, str, str], tuple[Assessment, str | None, int]] = {}
        for rule, cand, index in self.engine.iter_candidates(chunk):
            key = (rule.id, cand.secret, cand.line_text)
            known = verdicts.get(key)
            if known is None:
                judgement = assess(rule, cand, self.prefixes)
                reason = drop_reason(rule, cand, judgement, self.allowlist)
                known = verdicts[key] = (judgement, reason, 0 if reason else score(rule, cand, judgement))
            judgement, reason, points = known
            if reason:
                self.drop(result, Dropped(rule.id, chunk.path, index.line_of(cand.start), reason))
                if GENERIC_TAG not in rule.tags:
                    rejected.append((cand.start, cand.end))
            else:
                kept.append((rule, cand, make_finding(rule, cand, index, judgement, points=points)))
        if kept and index is not None:
            chosen = distinct(self.without_rejected(kept, rejected, result, index))
            if chunk.whole:
                chosen = with_line_hashes(chunk.text, judged(chosen, Allowances(index.line_text, len(index.starts))))
            result.findings = chosen
        return result

    def scan_once(self, chunk: Chunk) -> tuple[FileResult, bool]:
        """scan_chunk, remembering chunks with a key: an identical change carried by several branches or
        cherry-picks is scanned once. The flag says whether this chunk was new."""
        if not chunk.key:
            return self.scan_chunk(chunk), True
        known = self.seen.get(chunk.key)
        if known is not None:
            return FileResult(findings=known), False
        result = self.scan_chunk(chunk)
        if result.skipped is None:
            self.seen[chunk.key] = result.findings
        return result, True

    def drop(self, result: FileResult, dropped: Dropped) -> None:
        result.dropped_count += 1
        if self.explain:
            result.dropped.append(dropped)

    def without_rejected(self, kept: list[tuple[Rule, Candidate, Finding]], rejected: list[tuple[int, int]],
                         result: FileResult, index: LineIndex) -> list[tuple[Rule, Finding]]:
        """A generic rule does not report a value the provider's own rule examined and rejected (a
        `ghp_` string with a wrong checksum, an `xoxb-` mock name): the provider knows its format."""
        out = []
        for rule, cand, finding in kept:
            if GENERIC_TAG in rule.tags and any(s < cand.end and cand.start < e for s, e in rejected):
                self.drop(result, Dropped(rule.id, cand.path, index.line_of(cand.start), "provider-rejected"))
            else:
                out.append((rule, finding))
        return out


@dataclass(slots=True)
class Tally:
    """What the scan read and dropped, counted as chunks come back."""

    skipped: list[Skip] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    dropped_count: int = 0
    files: int = 0
    bytes: int = 0

    def add(self, outcome: FileResult | Skip, size: int, new: bool = True) -> None:
        skip = outcome if isinstance(outcome, Skip) else outcome.skipped
        if skip is not None:
            self.skipped.append(skip)
            return
        assert isinstance(outcome, FileResult)
        self.files += 1
        self.bytes += size
        if new:
            self.dropped.extend(outcome.dropped)
            self.dropped_count += outcome.dropped_count

    def counted(self, result: FileResult) -> FileResult:
        """A result of the source's own late scans (settle): only a too-slow skip needs counting there."""
        if result.skipped is not None:
            self.skipped.append(result.skipped)
        return result


def run_scan(source: Source, rulebook: Rulebook, config: Config, progress: Progress | None = None,
             baseline: Baseline | None = None, engine: Engine | None = None) -> ScanResult:
    started = time.monotonic()
    scanner = Scanner(rulebook, config.allowlist, config.explain, config.file_timeout, engine)
    limits = ReadLimits(config.max_file_size, config.exclude + config.allow_paths)
    tally = Tally()
    refs: list[FileRef] = []
    for item in source.items(limits, progress, scanner.engine.keyword_ends):
        if isinstance(item, FileRef):
            refs.append(item)
        elif isinstance(item, Skip):
            tally.add(item, 0)
        else:
            outcome, new = scanner.scan_once(item)
            tally.add(outcome, len(item.text), new)
            source.take(item.origin, outcome.findings)
    for read, size in read_and_scan(refs, scanner, rulebook, config, limits, progress):
        tally.add(read, size)
        if not isinstance(read, Skip):
            source.take(None, read.findings)
    settled = source.settle(lambda chunk: tally.counted(scanner.scan_chunk(chunk)))
    return build_result(source, settled, tally, config, baseline, time.monotonic() - started)


def build_result(source: Source, settled: Settled, tally: Tally, config: Config, baseline: Baseline | None,
                 elapsed: float) -> ScanResult:
    found = settled.findings + [f for placed in settled.placed for f in judged_placed(placed.finding, placed.text)]
    verdict = decide(found, config, baseline)
    dropped = tally.dropped + (verdict.below_min_score if config.explain else [])
    info = source.info
    return ScanResult(
        root=info.root, mode=info.mode, salt=info.salt, head=info.head, branch=info.branch,
        repository_uri=info.repository_uri, warnings=info.warnings, configuration=config.label,
        findings=tuple(verdict.findings), suppressed=tuple(verdict.suppressed), baselined=tuple(verdict.baselined),
        baseline_used=baseline is not None,
        dropped=tuple(sorted(dropped, key=lambda d: (d.path, d.line, d.rule_id))), dropped_count=tally.dropped_count,
        # Parallel readers (worker processes, git shards) deliver these in arrival order.
        skipped=tuple(sorted(tally.skipped + settled.skipped, key=lambda s: (s.path, s.reason, s.detail))),
        files_scanned=tally.files if settled.files_scanned is None else settled.files_scanned,
        bytes_scanned=tally.bytes if settled.bytes_scanned is None else settled.bytes_scanned,
        commits_scanned=settled.commits_scanned, outside_change=settled.outside_change,
        below_min_score=len(verdict.below_min_score), elapsed=elapsed)


def judged_placed(finding: Finding, text: str | None) -> list[Finding]:
    if text is None:
        return [finding]
    return with_line_hashes(text, judged_in(text, [finding]))


# scan_text() meets one rulebook thousands of times (every rule example, at load and in the tests), and building
# its engine (the keyword database, the regex prefilter's plan) costs more than scanning one line: it is built
# once per rulebook and thread (an engine's scratch space is not to be shared between threads).
_TEXT_ENGINES = threading.local()


def text_engine(rulebook: Rulebook) -> Engine:
    cached: tuple[Rulebook, Engine] | None = getattr(_TEXT_ENGINES, "last", None)
    if cached is None or cached[0] is not rulebook:
        cached = (rulebook, Engine(rulebook))
        _TEXT_ENGINES.last = cached
    return cached[1]


def scan_text(text: str, rulebook: Rulebook, path: str = "input.txt",
              min_score: int = DEFAULT_MIN_SCORE) -> list[Finding]:
    """One string through the whole pipeline; what tests and rule examples use."""
    result = run_scan(TextSource(path, text), rulebook, Config(min_score=min_score), engine=text_engine(rulebook))
    if any(skip.reason == "too-slow" for skip in result.skipped):
        _TEXT_ENGINES.last = None  # interrupted mid-scan: its scratch state is not to be trusted again
    return list(result.findings)


# Each worker process builds its Scanner once, in the pool initializer.
_WORKER: dict[str, object] = {}


def _init_worker(rulebook: Rulebook, config: Config, limits: ReadLimits) -> None:
    _WORKER["scanner"] = Scanner(rulebook, config.allowlist, config.explain, config.file_timeout)
    _WORKER["limits"] = limits


def _scan_batch(refs: list[FileRef]) -> list[tuple[FileResult | Skip, int]]:
    scanner, limits = _WORKER["scanner"], _WORKER["limits"]
    assert isinstance(scanner, Scanner) and isinstance(limits, ReadLimits)
    return [scan_ref(scanner, ref, limits) for ref in refs]


def scan_ref(scanner: Scanner, ref: FileRef, limits: ReadLimits) -> tuple[FileResult | Skip, int]:
    chunk = read_file(ref, limits)
    if isinstance(chunk, Skip):
        return chunk, 0
    return scanner.scan_chunk(chunk), len(chunk.text)


def batched(refs: Sequence[FileRef], size: int) -> Iterator[list[FileRef]]:
    for start in range(0, len(refs), size):
        yield list(refs[start:start + size])


def read_and_scan(refs: list[FileRef], scanner: Scanner, rulebook: Rulebook, config: Config, limits: ReadLimits,
                  progress: Progress | None) -> Iterable[tuple[FileResult | Skip, int]]:
    if not should_parallelise(refs):
        for done, ref in enumerate(refs, 1):
            yield scan_ref(scanner, ref, limits)
            if progress and done % 200 == 0:
                progress(done, len(refs))
        return
    # Imported here: a small scan (the pre-commit case) never pays for them.
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_all_start_methods, get_context

    # fork shares the compiled rulebook, and the regex prefilter made here, with the workers instead of
    # pickling it to each one.
    scanner.engine.expect(volume_up_to(refs, PREFILTER_AFTER))
    context = get_context("fork") if "fork" in get_all_start_methods() else None
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 2, mp_context=context, initializer=_init_worker,
                             initargs=(rulebook, config, limits)) as pool:
        done = 0
        for batch in pool.map(_scan_batch, batched(refs, BATCH_FILES)):
            yield from batch
            done += len(batch)
            if progress:
                progress(done, len(refs))


def should_parallelise(refs: list[FileRef]) -> bool:
    if (os.cpu_count() or 1) < 2 or len(refs) < BATCH_FILES * 2:
        return False
    if len(refs) >= PARALLEL_MIN_FILES:
        return True
    return volume_up_to(refs, PARALLEL_MIN_BYTES) >= PARALLEL_MIN_BYTES


def volume_up_to(refs: list[FileRef], limit: int) -> int:
    """The files' total size, counted only until it reaches the limit (100,000 lstat calls cost 0.1 s)."""
    total = 0
    for ref in refs:
        total += _size(ref)
        if total >= limit:
            break
    return total


def _size(ref: FileRef) -> int:
    try:
        return os.lstat(ref.disk_path).st_size
    except OSError:
        return 0
