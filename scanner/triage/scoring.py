"""Candidate -> Finding: a 0-100 score from documented ingredients, and redaction, done once here.

The formula is written out with a worked example in docs/scoring.md; keep the two in step.
"""

from __future__ import annotations

import re

from credlint.detectors.rulebook import Rule
from credlint.detectors.shape import PART, Shape
from credlint.model import Candidate, Confidence, Finding, Location, Severity, Validation
from credlint.text import LineIndex, shannon_entropy
from credlint.triage.assessment import ADVISORY_TAG, BASIC_CREDENTIALS, CHOSEN_KINDS, GENERIC_TAG, Assessment
from credlint.triage.context import Context, is_production
from credlint.triage.filters import is_vendor_example

# Evidence: what the rule itself proves about the value, before its shape and place are looked at.
VALIDATED = 90  # a checksum, a macaroon for pypi.org, a parseable key or JWT
PROVIDER_BY_CONFIDENCE = {Confidence.HIGH: 75, Confidence.MEDIUM: 65, Confidence.LOW: 55}
CALL_SITE = 55  # a password handed to a login call, a Basic header, URL userinfo: a password, maybe a real one
NAME_ONLY = 50  # a secret-named variable or key (generic rules)
ADVISORY = 20  # migration debt: no secret at all, only a place that still logs in with a password
# Shape of the value (scanner/detectors/shape.py).
SHAPE_POINTS = {Shape.RANDOM: 10, Shape.HUMAN: 0, Shape.WORDS: -15, Shape.PATTERNED: -25}
HUMAN_TOKEN = -10  # a token or key made of words plus digits: people do not type tokens
ENTROPY_MAX = 5
# Context (scanner/triage/context.py): each place lowers the score; together at most CONTEXT_FLOOR.
CONTEXT_POINTS = {Context.TEST: -10, Context.DOCS: -10, Context.EXAMPLE: -10, Context.VENDORED: -15,
                  Context.RECORDED: -10}
CONTEXT_FLOOR = -20
COMMENT = -5
NEARBY_PLACEHOLDER = -10
PRODUCTION_CONFIG = 5  # a password in a committed .env, properties or YAML file is more often a real one
# A password in a tool's own credential file (.netrc, .pgpass, FileZilla) outside tests and examples is one in
# use, however it reads: this offsets the words shape of typed passwords (`hunter22` is readable elsewhere).
CREDENTIAL_STORE = 15
WELL_KNOWN = -15  # the jwt.io sample, the Azure Storage emulator key: real format, published everywhere
# Words on the line, outside the value, that say the value is not meant to work (`wrong_vault_password`).
DUMMY_WORDS = frozenset({"example", "sample", "dummy", "fake", "placeholder", "wrong", "invalid", "incorrect",
                         "bogus", "mock", "bad"})


def evidence(rule: Rule, cand: Candidate) -> int:
    if ADVISORY_TAG in rule.tags:
        return ADVISORY
    if cand.validation is Validation.PASSED and rule.validator != BASIC_CREDENTIALS:
        return VALIDATED
    if GENERIC_TAG in rule.tags:
        return NAME_ONLY
    if rule.kind in CHOSEN_KINDS:
        return CALL_SITE
    return PROVIDER_BY_CONFIDENCE[rule.confidence]


def shape_points(rule: Rule, judged: Assessment) -> int:
    if judged.shape is Shape.HUMAN and rule.kind in ("token", "key"):
        return HUMAN_TOKEN
    return SHAPE_POINTS[judged.shape]


def entropy_bonus(secret: str) -> int:
    """0 to +5: 0 at 3.0 bits per character (words), full at 5.0 (random base62 is about 5.9)."""
    if len(secret) < 8:
        return 0
    return round(min(ENTROPY_MAX, max(0.0, (shannon_entropy(secret) - 3.0) * 2.5)))


def context_points(rule: Rule, cand: Candidate, judged: Assessment) -> int:
    points = max(CONTEXT_FLOOR, sum(CONTEXT_POINTS.get(c, 0) for c in judged.contexts))
    points += COMMENT if judged.in_comment else 0
    points += NEARBY_PLACEHOLDER if says_dummy(cand.line_text.replace(cand.secret, " ")) else 0
    if rule.kind in CHOSEN_KINDS and is_production(judged.contexts):
        points += production_points(judged.contexts)
    return points


def production_points(contexts: frozenset[Context]) -> int:
    if Context.CREDENTIAL_STORE in contexts:
        return CREDENTIAL_STORE
    return PRODUCTION_CONFIG if Context.CONFIG in contexts else 0


def says_dummy(text: str) -> bool:
    text = RESERVED_DOMAIN.sub(" ", text)
    return bool(DUMMY_WORDS.intersection(p.lower() for p in PART.findall(text)) or NOT_REAL.search(text))


NOT_REAL = re.compile(r"(?i)\bnot\s+a\s+real\b")
# RFC 2606 names (`api.example.org`) are where documentation and configuration templates point alike.
RESERVED_DOMAIN = re.compile(r"(?i)\bexample\.(?:com|org|net)\b|\.example\b")


def score(rule: Rule, cand: Candidate, judged: Assessment) -> int:
    """0-100, written out in docs/scoring.md: evidence + shape + entropy + context (+ well-known example)."""
    if ADVISORY_TAG in rule.tags:
        return ADVISORY
    total = evidence(rule, cand) + shape_points(rule, judged) + entropy_bonus(judged.judged)
    total += context_points(rule, cand, judged)
    total += WELL_KNOWN if is_vendor_example(cand.secret) else 0
    return max(0, min(100, total))


def redact(secret: str) -> str:
    """Prefix and length only: at most 4 characters, and never more than a quarter of the secret."""
    shown = min(4, len(secret) // 4)
    first_line = secret[:shown].split("\n")[0]
    return f"{first_line}…({len(secret)} chars)"


def secret_sha256(secret: str) -> str:
    import hashlib  # here, not at import: a clean run never hashes anything (start-up, docs/benchmarks.md)

    return hashlib.sha256(secret.encode("utf-8", "surrogateescape")).hexdigest()


def make_finding(rule: Rule, cand: Candidate, index: LineIndex, judged: Assessment, line_hash: str = "",
                 points: int | None = None) -> Finding:
    """The finding for a kept candidate; `points` is its score when already computed for the same value in
    the same surroundings."""
    line, column = index.position(cand.start)
    end_line, end_column = index.position(cand.end)
    return Finding(
        rule_id=rule.id, title=rule.title, kind=rule.kind,
        location=Location(cand.path, line, column, end_line, end_column, line_hash),
        secret_hash=secret_sha256(cand.secret), redacted=redact(cand.secret),
        severity=rule.severity, confidence=rule.confidence,
        score=score(rule, cand, judged) if points is None else points,
        validation=cand.validation, remediation=rule.remediation, secret=cand.secret,
        advisory=ADVISORY_TAG in rule.tags,
    )


LEVELS = ("note", "warning", "error")
LEVEL_BY_SEVERITY = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning",
                     Severity.LOW: "note"}


def level_for(finding: Finding) -> str:
    """SARIF level: the rule's level for its severity, one step softer when the score says we are unsure."""
    step = LEVELS.index(LEVEL_BY_SEVERITY[finding.severity])
    return LEVELS[step - 1 if finding.score < 50 and step > 0 else step]


SECURITY_SEVERITY = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5", Severity.LOW: "2.0"}
