"""Candidate -> Finding: a 0-100 score from documented ingredients, and redaction, done once here.

The formula is written out with a worked example in docs/scoring.md; keep the two in step.
"""

from __future__ import annotations

import re

from scanner.engine import LineIndex, shannon_entropy
from scanner.model import Candidate, Confidence, Finding, Location, Severity, Validation
from scanner.rulebook import Rule

BASE_BY_CONFIDENCE = {Confidence.HIGH: 60, Confidence.MEDIUM: 45, Confidence.LOW: 30}
VALIDATED_BONUS = 30
SPECIFICITY_BONUS = 10  # a provider format beats a name-based (generic) rule on the same text
ENTROPY_BONUS_MAX = 10
TEST_PATH_PENALTY = 10
DOCS_PATH_PENALTY = 5
NEARBY_PLACEHOLDER_PENALTY = 15

TEST_PATH = re.compile(r"(?i)(?:^|/)(?:tests?|spec|specs|fixtures?|testdata|__tests__|examples?|samples?)/"
                       r"|(?:^|/)test_[^/]*$|_test\.[a-z]+$|\.(?:spec|test)\.[jt]sx?$")
DOCS_PATH = re.compile(r"(?i)\.(?:md|markdown|rst|txt|adoc)$|(?:^|/)docs?/")
NEARBY_PLACEHOLDER = re.compile(r"(?i)\b(?:example|sample|dummy|fake|placeholder|not\s+a\s+real)\b")


def entropy_bonus(secret: str) -> int:
    """Up to +10: 0 at 3.0 bits/char (words), full at 5.0 (random base62 is ~5.9)."""
    if len(secret) < 8:
        return 0
    return round(min(ENTROPY_BONUS_MAX, max(0.0, (shannon_entropy(secret) - 3.0) * 5)))


def context_penalty(path: str, line_text: str, secret: str) -> int:
    penalty = TEST_PATH_PENALTY if TEST_PATH.search(path) else 0
    penalty += DOCS_PATH_PENALTY if DOCS_PATH.search(path) else 0
    around = line_text.replace(secret, " ")
    penalty += NEARBY_PLACEHOLDER_PENALTY if NEARBY_PLACEHOLDER.search(around) else 0
    return penalty


def score(rule: Rule, cand: Candidate) -> int:
    total = BASE_BY_CONFIDENCE[rule.confidence]
    total += VALIDATED_BONUS if cand.validation is Validation.PASSED else 0
    total += 0 if "generic" in rule.tags else SPECIFICITY_BONUS
    total += entropy_bonus(cand.secret)
    total -= context_penalty(cand.path, cand.line_text, cand.secret)
    return max(0, min(100, total))


def redact(secret: str) -> str:
    """Prefix and length only: at most 4 characters, and never more than a quarter of the secret."""
    shown = min(4, len(secret) // 4)
    first_line = secret[:shown].split("\n")[0]
    return f"{first_line}…({len(secret)} chars)"


def secret_sha256(secret: str) -> str:
    import hashlib  # here, not at import: a clean run never hashes anything (start-up, docs/benchmarks.md)

    return hashlib.sha256(secret.encode("utf-8", "surrogateescape")).hexdigest()


def make_finding(rule: Rule, cand: Candidate, index: LineIndex, line_hash: str = "") -> Finding:
    line, column = index.position(cand.start)
    end_line, end_column = index.position(cand.end)
    return Finding(
        rule_id=rule.id, title=rule.title, kind=rule.kind,
        location=Location(cand.path, line, column, end_line, end_column, line_hash),
        secret_hash=secret_sha256(cand.secret), redacted=redact(cand.secret),
        severity=rule.severity, confidence=rule.confidence, score=score(rule, cand),
        validation=cand.validation, remediation=rule.remediation, secret=cand.secret,
    )


LEVELS = ("note", "warning", "error")
LEVEL_BY_SEVERITY = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning",
                     Severity.LOW: "note"}


def level_for(finding: Finding) -> str:
    """SARIF level: the rule's level for its severity, one step softer when the score says we are unsure."""
    step = LEVELS.index(LEVEL_BY_SEVERITY[finding.severity])
    return LEVELS[step - 1 if finding.score < 50 and step > 0 else step]


SECURITY_SEVERITY = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5", Severity.LOW: "2.0"}
