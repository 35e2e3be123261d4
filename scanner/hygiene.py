"""Secret reuse: one value in several files is one finding that lists every place."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace

from scanner.model import Finding, Severity
from scanner.rulebook import Rule


def reuse_findings(findings: Iterable[Finding], rule: Rule) -> list[Finding]:
    by_secret: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        # Low findings are migration debt: their "value" is an expression like os.environ[...], not a secret.
        if finding.severity > Severity.LOW and finding.suppressed is None:
            by_secret[finding.secret_hash].append(finding)
    out = []
    for group in by_secret.values():
        places = sorted(group, key=lambda f: (f.location.path, f.location.line))
        if len({f.location.path for f in places}) < 2:
            continue
        first = places[0]
        out.append(replace(first, rule_id=rule.id, title=rule.title, kind=rule.kind, severity=rule.severity,
                           confidence=rule.confidence, remediation=rule.remediation,
                           related=tuple(f.location for f in places[1:])))
    return out
