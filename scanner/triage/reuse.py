"""Secret reuse: one value in several files. Every place stays its own finding (each one leaks it); each
also lists the others, and says why reuse is a problem of its own."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace

from credlint.model import Finding

MAX_RELATED = 20  # SARIF viewers list every related location; a value in 500 files needs no 499 links
REUSE_NOTE = ("The same value is also in {count} other place{s}: give each service or environment its own "
              "credential, stored once in a secret manager and referenced from each place.")


def with_reuse(findings: Iterable[Finding]) -> list[Finding]:
    """The findings, those whose secret is in more than one file decorated with the other places. Only
    reportable secrets take part: migration debt holds an expression, not a value."""
    findings = list(findings)
    groups: dict[str, list[int]] = defaultdict(list)
    for i, finding in enumerate(findings):
        if not finding.advisory and finding.suppressed is None:
            groups[finding.secret_hash].append(i)
    for members in groups.values():
        if len({findings[i].location.path for i in members}) < 2:
            continue
        for i in members:
            findings[i] = decorated(findings[i], [findings[j] for j in members if j != i])
    return findings


def decorated(finding: Finding, others: list[Finding]) -> Finding:
    places = sorted((other.location for other in others), key=lambda loc: (loc.path, loc.line, loc.column))
    note = REUSE_NOTE.format(count=len(places), s="s" if len(places) != 1 else "")
    return replace(finding, related=tuple(places[:MAX_RELATED]), remediation=f"{finding.remediation}\n{note}")
