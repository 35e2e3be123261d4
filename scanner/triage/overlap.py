"""One finding per value: where rules overlap, the most specific wins; one value is reported once a line."""

from __future__ import annotations

import bisect

from credlint.detectors.rulebook import Rule
from credlint.model import Finding

HYGIENE_TAG = "hygiene"
Position = tuple[int, int]


def one_per_value(findings: list[Finding], hygiene: set[str]) -> list[Finding]:
    """One finding per secret per line: a recorded HTTP exchange repeats one value in several headers.
    Hygiene findings (cleartext HTTP) describe another problem with the same value and stay."""
    best: dict[tuple[int, str, bool], Finding] = {}
    for finding in findings:
        key = (finding.location.line, finding.secret_hash, finding.rule_id in hygiene)
        if key not in best or finding.score > best[key].score:
            best[key] = finding
    return [f for f in findings if best[(f.location.line, f.secret_hash, f.rule_id in hygiene)] is f]


def best_per_span(kept: list[tuple[Rule, Finding]]) -> list[Finding]:
    """Where several rules match the same text, keep the most specific (highest score) finding. Hygiene
    findings (cleartext HTTP) sit beside the leak they describe, so they are kept once per span too."""
    ordered = sorted(kept, key=lambda pair: (-pair[1].score, -pair[0].confidence, pair[1].location.line))
    chosen, hygiene = Spans(), Spans()
    for rule, finding in ordered:
        (hygiene if HYGIENE_TAG in rule.tags else chosen).add_if_free(finding)
    return sorted(chosen.findings + hygiene.findings, key=lambda f: (f.location.line, f.location.column, f.rule_id))


def distinct(kept: list[tuple[Rule, Finding]]) -> list[Finding]:
    """best_per_span, then one_per_value."""
    hygiene = {rule.id for rule, _ in kept if HYGIENE_TAG in rule.tags}
    return one_per_value(best_per_span(kept), hygiene)


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
