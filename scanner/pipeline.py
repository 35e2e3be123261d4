"""Glue: sources -> engine -> filters -> scoring -> ScanResult; scan_text() runs the same path for tests."""

from __future__ import annotations

import bisect
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from credlint.allowlist import Allowlist
from credlint.config import DEFAULT_MIN_SCORE, Config
from credlint.detectors.engine import Engine
from credlint.detectors.rulebook import Rule, Rulebook
from credlint.fingerprint import line_hashes_for
from credlint.globs import matches_any
from credlint.model import Candidate, Chunk, Dropped, FileResult, Finding, ScanResult, Skip, finding_order
from credlint.sources.tree import FileRef, Workspace, iter_tree, locate, read_chunk, repository_salt
from credlint.text import LineIndex
from credlint.triage.assessment import GENERIC_TAG, assess, vendor_prefixes
from credlint.triage.filters import drop_reason
from credlint.triage.reuse import with_reuse
from credlint.triage.scoring import make_finding
from credlint.triage.suppression import Allowances

if TYPE_CHECKING:  # only for a signature: the baseline module is imported when a baseline is used
    from credlint.triage.baseline import Baseline

HYGIENE_TAG = "hygiene"
# Below these, starting two worker processes (about 0.1 s) costs more than it saves; chosen, not tuned.
PARALLEL_MIN_FILES = 400
PARALLEL_MIN_BYTES = 8 * 1024 * 1024
BATCH_FILES = 64
Progress = Callable[[int, int], None]


@dataclass(slots=True)
class Scanner:
    """Engine plus filters for one rulebook; built once per process."""

    rulebook: Rulebook
    allowlist: Allowlist = field(default_factory=Allowlist)
    explain: bool = False  # keep a record per dropped candidate; otherwise only count them (memory)
    engine: Engine = field(init=False)
    prefixes: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        self.engine = Engine(self.rulebook)
        self.prefixes = vendor_prefixes(self.rulebook.rules)

    def scan_chunk(self, chunk: Chunk, *, hash_lines: bool = True) -> FileResult:
        """Findings in one chunk; hash_lines=False when the chunk is not a whole file (history patches)."""
        result = FileResult()
        kept: list[tuple[Rule, Candidate, Finding]] = []
        rejected: list[tuple[int, int]] = []  # spans a provider rule looked at and turned down
        index: LineIndex | None = None
        for rule, cand, index in self.engine.iter_candidates(chunk):
            judged = assess(rule, cand, self.prefixes)
            reason = drop_reason(rule, cand, judged, self.allowlist)
            if reason:
                self.drop(result, Dropped(rule.id, chunk.path, index.line_of(cand.start), reason))
                if GENERIC_TAG not in rule.tags:
                    rejected.append((cand.start, cand.end))
            else:
                kept.append((rule, cand, make_finding(rule, cand, index, judged)))
        if kept and index is not None:
            pairs = self.without_rejected(kept, rejected, result, index)
            hygiene = {rule.id for rule, _ in pairs if HYGIENE_TAG in rule.tags}
            allowances = Allowances(index.line_text, len(index.starts))
            chosen = [with_allowance(f, allowances) for f in one_per_value(best_per_span(pairs), hygiene)]
            result.findings = with_line_hashes(chunk.text, chosen) if hash_lines else chosen
        return result

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


def one_per_value(findings: list[Finding], hygiene: set[str]) -> list[Finding]:
    """One finding per secret per line: a recorded HTTP exchange repeats one value in several headers.
    Hygiene findings (cleartext HTTP) describe another problem with the same value and stay."""
    best: dict[tuple[int, str, bool], Finding] = {}
    for finding in findings:
        key = (finding.location.line, finding.secret_hash, finding.rule_id in hygiene)
        if key not in best or finding.score > best[key].score:
            best[key] = finding
    return [f for f in findings if best[(f.location.line, f.secret_hash, f.rule_id in hygiene)] is f]


def with_allowance(finding: Finding, allowances: Allowances) -> Finding:
    allowance = allowances.for_finding(finding.location.line, finding.rule_id)
    return replace(finding, suppressed=allowance.justification) if allowance else finding


def best_per_span(kept: list[tuple[Rule, Finding]]) -> list[Finding]:
    """Where several rules match the same text, keep the most specific (highest score) finding. Hygiene
    findings (cleartext HTTP) sit beside the leak they describe, so they are kept once per span too."""
    ordered = sorted(kept, key=lambda pair: (-pair[1].score, -pair[0].confidence, pair[1].location.line))
    chosen, hygiene = Spans(), Spans()
    for rule, finding in ordered:
        (hygiene if HYGIENE_TAG in rule.tags else chosen).add_if_free(finding)
    return sorted(chosen.findings + hygiene.findings, key=lambda f: (f.location.line, f.location.column, f.rule_id))


Position = tuple[int, int]


class Spans:
    """Disjoint spans kept sorted, so that each overlap test is a bisection: a line of recorded JSON with
    20,000 values must not cost 20,000² comparisons."""

    def __init__(self) -> None:
        self.starts: list[Position] = []
        self.ends: list[Position] = []
        self.findings: list[Finding] = []

    def add_if_free(self, finding: Finding) -> None:
        loc = finding.location
        start, end = (loc.line, loc.column), (loc.end_line, loc.end_column)
        i = bisect.bisect_left(self.starts, start)
        if (i > 0 and self.ends[i - 1] > start) or (i < len(self.starts) and self.starts[i] < end):
            return
        self.starts.insert(i, start)
        self.ends.insert(i, end)
        self.findings.append(finding)


def with_line_hashes(text: str, findings: list[Finding]) -> list[Finding]:
    # GitHub hashes the file as UTF-8 with invalid bytes replaced, so do the same.
    as_github_reads_it = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    hashes = line_hashes_for(as_github_reads_it, {f.location.line for f in findings})
    return [replace(f, location=replace(f.location, line_hash=hashes.get(f.location.line, ""))) for f in findings]


def scan_text(text: str, rulebook: Rulebook, path: str = "input.txt",
              min_score: int = DEFAULT_MIN_SCORE) -> list[Finding]:
    """Scan one string through the full pipeline (engine, filters, scoring, --min-score); what tests and rule
    examples use."""
    found = Scanner(rulebook).scan_chunk(Chunk(path, text)).findings
    return [f for f in found if f.score >= min_score or f.advisory]


# Each worker process builds its Scanner once, in the pool initializer.
_WORKER: dict[str, object] = {}


def _init_worker(rulebook: Rulebook, config: Config) -> None:
    _WORKER["scanner"] = Scanner(rulebook, config.allowlist, config.explain)
    _WORKER["max_size"] = config.max_file_size


def _scan_batch(refs: list[FileRef]) -> list[tuple[FileResult | Skip, int]]:
    scanner = _WORKER["scanner"]
    max_size = _WORKER["max_size"]
    assert isinstance(scanner, Scanner) and isinstance(max_size, int)
    return [scan_ref(scanner, ref, max_size) for ref in refs]


def scan_ref(scanner: Scanner, ref: FileRef, max_size: int) -> tuple[FileResult | Skip, int]:
    chunk = read_chunk(ref, max_size)
    if isinstance(chunk, Skip):
        return chunk, 0
    return scanner.scan_chunk(chunk), len(chunk.text)


def batched(refs: Sequence[FileRef], size: int) -> Iterator[list[FileRef]]:
    for start in range(0, len(refs), size):
        yield list(refs[start:start + size])


def scan_paths(paths: Sequence[Path], rulebook: Rulebook, config: Config, progress: Progress | None = None,
               workspace: Workspace | None = None) -> ScanResult:
    started = time.monotonic()
    workspace = workspace or locate(paths)
    result = ScanResult(root=str(workspace.root), salt=repository_salt(workspace))
    refs: list[FileRef] = []
    for item in iter_tree(paths, workspace, config.exclude + config.allow_paths, config.include_ignored):
        if isinstance(item, Skip):
            result.skipped.append(item)
        else:
            refs.append(item)
    for outcome, size in run_refs(refs, rulebook, config, progress):
        collect(result, outcome, size)
    finish(result, config)
    result.elapsed = time.monotonic() - started
    return result


def scan_staged(paths: Sequence[Path], rulebook: Rulebook, config: Config, workspace: Workspace,
                whole_files: bool = False) -> ScanResult:
    """What the commit adds: the index content of changed files, reported only where the commit adds lines
    (unless whole_files); named files without a staged change are scanned whole (pre-commit --all-files)."""
    from credlint.sources.staged import iter_staged

    started = time.monotonic()
    result = ScanResult(root=str(workspace.root), salt=repository_salt(workspace), mode="staged")
    only = [os.path.relpath(p.resolve(), workspace.root) for p in paths]
    scanner = Scanner(rulebook, config.allowlist, config.explain)
    for item in iter_staged(workspace.root, only, config.max_file_size, whole_files=whole_files):
        chunk = item.chunk
        if isinstance(chunk, Skip):
            collect(result, chunk, 0)
        elif matches_any(chunk.path, config.exclude + config.allow_paths):
            collect(result, Skip(chunk.path, "excluded"), 0)
        else:
            scanned = scanner.scan_chunk(chunk)
            if item.added is not None:
                scanned.findings, outside = on_lines(scanned.findings, item.added)
                result.outside_change += outside
            collect(result, scanned, len(chunk.text))
    finish(result, config)
    result.elapsed = time.monotonic() - started
    return result


def on_lines(findings: list[Finding], lines: frozenset[int]) -> tuple[list[Finding], int]:
    """The findings touching one of the given lines, and how many did not."""
    kept = [f for f in findings if any(n in lines for n in range(f.location.line, f.location.end_line + 1))]
    return kept, len(findings) - len(kept)


def scan_stream(stream: BinaryIO, rulebook: Rulebook, config: Config, name: str = "stdin") -> ScanResult:
    """Text piped in (a pre-receive hook, `git show | credlint scan -`): read up to the size limit."""
    started = time.monotonic()
    result = ScanResult(root=os.getcwd())
    raw = stream.read(config.max_file_size + 1)
    if len(raw) > config.max_file_size:
        collect(result, Skip(name, "too-large", f"over {config.max_file_size} bytes"), 0)
    elif b"\0" in raw[:8192]:
        collect(result, Skip(name, "binary"), 0)
    else:
        chunk = Chunk(name, raw.decode("utf-8", "surrogateescape"))
        collect(result, Scanner(rulebook, config.allowlist, config.explain).scan_chunk(chunk), len(raw))
    finish(result, config)
    result.elapsed = time.monotonic() - started
    return result


def run_refs(refs: list[FileRef], rulebook: Rulebook, config: Config,
             progress: Progress | None) -> Iterable[tuple[FileResult | Skip, int]]:
    if not should_parallelise(refs):
        scanner = Scanner(rulebook, config.allowlist, config.explain)
        for done, ref in enumerate(refs, 1):
            yield scan_ref(scanner, ref, config.max_file_size)
            if progress and done % 200 == 0:
                progress(done, len(refs))
        return
    # Imported here: a small scan (the pre-commit case) never pays for them.
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_all_start_methods, get_context

    # fork shares the compiled rulebook with the workers instead of pickling it to each one.
    context = get_context("fork") if "fork" in get_all_start_methods() else None
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 2, mp_context=context, initializer=_init_worker,
                             initargs=(rulebook, config)) as pool:
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
    return sum(_size(ref) for ref in refs) >= PARALLEL_MIN_BYTES


def _size(ref: FileRef) -> int:
    try:
        return os.lstat(ref.disk_path).st_size
    except OSError:
        return 0


def collect(result: ScanResult, outcome: FileResult | Skip, size: int) -> None:
    if isinstance(outcome, Skip):
        result.skipped.append(outcome)
        return
    result.files_scanned += 1
    result.bytes_scanned += size
    collect_findings(result, outcome)


def collect_findings(result: ScanResult, outcome: FileResult) -> None:
    result.findings.extend(f for f in outcome.findings if f.suppressed is None)
    result.suppressed.extend(f for f in outcome.findings if f.suppressed is not None)
    result.dropped.extend(outcome.dropped)
    result.dropped_count += outcome.dropped_count


def finish(result: ScanResult, config: Config) -> None:
    """Apply --min-score; what falls below it is counted and explained, not silently lost. Migration debt
    is not a guess about a value: it is reported whatever its (low) score, unless its rules are disabled."""
    kept = []
    for finding in result.findings:
        if finding.score >= config.min_score or finding.advisory:
            kept.append(finding)
        else:
            result.below_min_score += 1
            if config.explain:
                loc = finding.location
                result.dropped.append(Dropped(finding.rule_id, loc.path, loc.line, f"below-min-score({finding.score})"))
    result.findings = sorted(with_reuse(kept), key=finding_order)
    result.suppressed.sort(key=finding_order)
    # Parallel readers (worker processes, git shards) deliver these in arrival order.
    result.skipped.sort(key=lambda s: (s.path, s.reason, s.detail))
    result.dropped.sort(key=lambda d: (d.path, d.line, d.rule_id))



def apply_baseline(result: ScanResult, baseline: Baseline) -> None:
    """Findings the baseline accepts move to result.baselined: counted, not reported, not failing the run."""
    result.baseline_used = True
    result.baselined = [replace(f, baseline_state="unchanged") for f in result.findings if baseline.accepts(f)]
    result.findings = [replace(f, baseline_state="new") for f in result.findings if not baseline.accepts(f)]
