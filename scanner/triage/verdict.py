"""The last decisions, the same for every source: allow comments and baseline set findings aside,
--min-score drops (and counts) the unsure ones, reuse links the places of one value."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from credlint.config import Config
from credlint.model import Dropped, Finding, finding_order
from credlint.triage.reuse import with_reuse

if TYPE_CHECKING:  # only for a signature: the baseline module is imported when a baseline is used
    from credlint.triage.baseline import Baseline


@dataclass(slots=True)
class Verdict:
    findings: list[Finding] = field(default_factory=list)
    suppressed: list[Finding] = field(default_factory=list)
    baselined: list[Finding] = field(default_factory=list)
    below_min_score: list[Dropped] = field(default_factory=list)


def decide(found: list[Finding], config: Config, baseline: Baseline | None = None) -> Verdict:
    """Migration debt is not a guess about a value: it is reported whatever its (low) score, unless its
    rules are disabled. What falls below --min-score is counted (and explained), never silently lost."""
    verdict = Verdict()
    kept: list[Finding] = []
    for finding in found:
        if finding.suppressed is not None:
            verdict.suppressed.append(finding)
        elif finding.score >= config.min_score or finding.advisory:
            kept.append(finding)
        else:
            loc = finding.location
            verdict.below_min_score.append(Dropped(finding.rule_id, loc.path, loc.line,
                                                   f"below-min-score({finding.score})"))
    reported = with_reuse(kept)
    if baseline is not None:
        verdict.baselined = [replace(f, baseline_state="unchanged") for f in reported if baseline.accepts(f)]
        reported = [replace(f, baseline_state="new") for f in reported if not baseline.accepts(f)]
    verdict.findings = sorted(reported, key=finding_order)
    verdict.suppressed.sort(key=finding_order)
    verdict.baselined.sort(key=finding_order)
    return verdict
