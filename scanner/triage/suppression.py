"""Inline suppression comments: `credlint: allow`, `credlint: allow[rule-id] -- reason`, and the markers
other scanners use, so that repositories migrating from them keep working.

Where a marker applies:
- on the finding's own line, always;
- on the line above, only when that line is a comment and nothing else (`# credlint: allow` written over
  a long line): a marker after code on line 1 is about line 1, never about a different secret on line 2;
- detect-secrets' `pragma: allowlist nextline secret` applies to the next line, as detect-secrets does;
  its `pragma: allowlist secret` and gitleaks' `gitleaks:allow` apply to their own line only.
A line that carries its own credlint marker is governed by it alone: `allow[other-rule]` there does not
let a comment above allow this rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from credlint.model import Finding

ALLOW = re.compile(
    r"credlint:\s*allow(?:\[(?P<rules>[a-z0-9,\s-]+)\])?"     # optional [rule-id, rule-id]
    r"(?:\s+--(?!>)\s*(?P<reason>[^\n]*?))?\s*(?:-->|\*/)?\s*$"  # optional -- reason, before a closing comment
)
OWN_LINE_MARKERS = ("pragma: allowlist secret", "gitleaks:allow")
NEXT_LINE_MARKER = "pragma: allowlist nextline secret"
COMMENT_ONLY = re.compile(r"^\s*(?:#|//|/\*|\*|--|;|<!--|%|rem\b)", re.I)
MAX_MARKER_LINE = 4096  # a marker is a comment people write; a longer line is data and is not searched


@dataclass(frozen=True, slots=True)
class Allowance:
    justification: str


@dataclass(frozen=True, slots=True)
class Marker:
    rules: frozenset[str] | None  # None: every rule
    justification: str
    comment_only: bool
    next_line: bool = False  # detect-secrets' nextline pragma
    own_line_only: bool = False  # other scanners' same-line markers


def parse_marker(line: str) -> Marker | None:
    if len(line) > MAX_MARKER_LINE or ("allow" not in line and "pragma" not in line):
        return None
    comment_only = bool(COMMENT_ONLY.match(line))
    match = ALLOW.search(line)
    if match:
        rules = match.group("rules")
        chosen = frozenset(r.strip() for r in rules.split(",") if r.strip()) if rules else None
        return Marker(chosen, (match.group("reason") or "").strip(), comment_only)
    if NEXT_LINE_MARKER in line:
        return Marker(None, f"{NEXT_LINE_MARKER} (inline marker of another scanner)", comment_only, next_line=True)
    marker = next((m for m in OWN_LINE_MARKERS if m in line), None)
    return Marker(None, f"{marker} (inline marker of another scanner)", False, own_line_only=True) if marker else None


class Allowances:
    """The markers of one text, parsed once per line however many findings it holds."""

    def __init__(self, line_text: Callable[[int], str], line_count: int) -> None:
        self.line_text, self.line_count = line_text, line_count
        self.cache: dict[int, Marker | None] = {}

    def marker(self, line: int) -> Marker | None:
        if line not in self.cache:
            self.cache[line] = parse_marker(self.line_text(line)) if 0 < line <= self.line_count else None
        return self.cache[line]

    def for_finding(self, line: int, rule_id: str) -> Allowance | None:
        own = self.marker(line)
        if own is not None and not own.next_line:
            return Allowance(own.justification) if own.rules is None or rule_id in own.rules else None
        above = self.marker(line - 1)
        if above is not None and (above.next_line or (above.comment_only and not above.own_line_only)):
            return Allowance(above.justification) if above.rules is None or rule_id in above.rules else None
        return None


def find_allowance(lines: list[str], line_number: int, rule_id: str) -> Allowance | None:
    """A marker on the finding's own line, or a comment-only marker on the line above it."""
    return Allowances(lambda n: lines[n - 1], len(lines)).for_finding(line_number, rule_id)


def judged(findings: list[Finding], allowances: Allowances) -> list[Finding]:
    """The findings, each one an allow comment covers marked suppressed with its justification."""
    out = []
    for finding in findings:
        allowance = allowances.for_finding(finding.location.line, finding.rule_id)
        out.append(replace(finding, suppressed=allowance.justification) if allowance else finding)
    return out


def judged_in(text: str, findings: list[Finding]) -> list[Finding]:
    """judged() against the text of the file the findings' locations refer to."""
    lines = text.split("\n")
    return judged(findings, Allowances(lambda n: lines[n - 1], len(lines)))
