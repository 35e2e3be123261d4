"""Inline suppression comments: `credlint: allow`, `credlint: allow[rule-id] -- reason`, and the markers
other scanners use, so that repositories migrating from them keep working."""

from __future__ import annotations

import re
from dataclasses import dataclass

ALLOW = re.compile(
    r"credlint:\s*allow(?:\[(?P<rules>[a-z0-9,\s-]+)\])?"   # optional [rule-id, rule-id]
    r"(?:\s*--\s*(?P<reason>[^\n]*?))?\s*(?:-->|\*/)?\s*$"  # optional -- reason, before a closing comment
)
FOREIGN_MARKERS = ("pragma: allowlist secret", "gitleaks:allow")


@dataclass(frozen=True, slots=True)
class Allowance:
    justification: str


def allowance_on(line: str, rule_id: str) -> Allowance | None:
    """The suppression a line grants this rule, if any."""
    match = ALLOW.search(line)
    if match:
        rules = match.group("rules")
        if rules and rule_id not in {r.strip() for r in rules.split(",")}:
            return None
        return Allowance((match.group("reason") or "").strip())
    for marker in FOREIGN_MARKERS:
        if marker in line:
            return Allowance(f"{marker} (inline marker of another scanner)")
    return None


def find_allowance(lines: list[str], line_number: int, rule_id: str) -> Allowance | None:
    """A marker on the finding's own line or on the line just above it."""
    for number in (line_number, line_number - 1):
        if 0 < number <= len(lines):
            allowance = allowance_on(lines[number - 1], rule_id)
            if allowance:
                return allowance
    return None
