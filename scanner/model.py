"""The records that flow through the pipeline: chunks in, candidates, findings and skips out."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum, IntEnum


class Severity(IntEnum):
    """IntEnum so that "at or above the threshold" is a comparison."""

    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @classmethod
    def parse(cls, name: str) -> Severity:
        return cls[name.strip().upper()]

    @property
    def label(self) -> str:
        return self.name.lower()


class Confidence(IntEnum):
    LOW = 1
    MEDIUM = 2
    HIGH = 3

    @classmethod
    def parse(cls, name: str) -> Confidence:
        return cls[name.strip().upper()]

    @property
    def label(self) -> str:
        return self.name.lower()


class Validation(Enum):
    """Outcome of an offline structural check (checksum, decoding, parsing)."""

    PASSED = "passed"
    FAILED = "failed"
    NOT_CHECKED = "not-checked"


@dataclass(frozen=True, slots=True)
class Chunk:
    """Text to scan and where it came from; `path` is relative to the repository root, `/`-separated.

    A whole file's line numbers are its own, and its allow comments are judged in it. A chunk that is part
    of a file (the lines a commit adds) is placed by its source, which knows where each line sits."""

    path: str
    text: str
    whole: bool = True
    key: bytes = b""  # an identical chunk (same path and text) is scanned once; b"": no such bookkeeping
    origin: object = field(default=None, compare=False, repr=False)  # the source's own: where the text sits


@dataclass(frozen=True, slots=True)
class Skip:
    """A file that was not scanned, and why (binary, too-large, unreadable, excluded, …)."""

    path: str
    reason: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Location:
    path: str
    line: int
    column: int
    end_line: int
    end_column: int  # exclusive, as SARIF wants it
    line_hash: str = ""  # GitHub's primaryLocationLineHash, computed while the text is at hand


@dataclass(frozen=True, slots=True)
class Candidate:
    """A regex match before filtering and scoring; holds the raw secret, so never leaves the engine."""

    rule_id: str
    path: str
    start: int
    end: int
    secret: str = field(repr=False)
    line_text: str = field(repr=False)  # the line around the value (at most 256 characters either side)
    validation: Validation = Validation.NOT_CHECKED


@dataclass(frozen=True, slots=True)
class Dropped:
    """A candidate that a filter removed, with the reason code `--explain` shows."""

    rule_id: str
    path: str
    line: int
    reason: str


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a history finding came from, and what has happened to it since."""

    commit: str  # the commit that introduced the secret at this path
    author: str
    date: str  # ISO 8601 author date of that commit
    path: str  # the path at that commit
    commits_survived: int  # commits that have carried it (1 = only the one that added it)
    at_head: bool
    removed_in: str = ""  # the commit that deleted it, when known and gone from HEAD
    age_days: int = 0
    rotate_overdue: bool = False  # still at HEAD and older than rotate_after_days
    rotate_after_days: int = 90  # the rotation window the run was configured with
    tip: str = "HEAD"  # the revision whose tree "at HEAD" means: HEAD, or the tip of the range scanned
    in_tip_history: bool = True  # False: only other refs ever held it (never deleted: never on the tip)


@dataclass(frozen=True, slots=True)
class Finding:
    rule_id: str
    title: str
    kind: str
    location: Location
    secret_hash: str  # sha256 of the secret: fingerprints and baselines; never the secret
    redacted: str  # the only form reporters show by default
    severity: Severity
    confidence: Confidence
    score: int
    validation: Validation
    remediation: str
    secret: str = field(repr=False, compare=False)  # only for --show-secrets
    suppressed: str | None = None  # None, or the justification of an inline `credlint: allow`
    provenance: Provenance | None = None  # history scans only
    baseline_state: str = ""  # with a baseline: "new", or "unchanged" when the baseline accepts it
    related: tuple[Location, ...] = ()  # the other places (secret reuse)
    advisory: bool = False  # migration debt or hygiene at a call site: no secret value is being guessed at


@dataclass(slots=True)
class FileResult:
    """What scanning one chunk produced."""

    findings: list[Finding] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)  # kept only for --explain
    dropped_count: int = 0
    skipped: Skip | None = None  # the chunk could not be scanned in its time budget (too-slow)


@dataclass(frozen=True, slots=True)
class ScanResult:
    """What a scan decided, built once by the pipeline: reporters read it and never change it."""

    root: str
    findings: tuple[Finding, ...] = ()
    suppressed: tuple[Finding, ...] = ()  # inline allows: listed with --show-suppressed
    baselined: tuple[Finding, ...] = ()  # accepted in the baseline file
    baseline_used: bool = False
    dropped: tuple[Dropped, ...] = ()  # kept only for --explain
    dropped_count: int = 0
    skipped: tuple[Skip, ...] = ()
    files_scanned: int = 0
    bytes_scanned: int = 0
    elapsed: float = 0.0
    below_min_score: int = 0
    warnings: tuple[str, ...] = ()
    salt: str = "credlint"  # keys the public secret fingerprint (per repository: its first commit)
    mode: str = "tree"  # tree | staged | stdin | history | archive: SARIF keeps history and archives apart
    head: str = ""  # HEAD commit, for SARIF versionControlProvenance
    branch: str = ""
    repository_uri: str = ""
    commits_scanned: int = 0
    outside_change: int = 0  # --staged: findings on lines of a staged file that the commit does not change
    configuration: str = "built-in defaults"  # which configuration file decided (for a range: its base's)


def finding_order(finding: Finding) -> tuple[str, int, int, str]:
    """Reports list findings by path, then position, then rule: stable output for CI diffs."""
    loc = finding.location
    return loc.path, loc.line, loc.column, finding.rule_id
