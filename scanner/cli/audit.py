"""`credlint baseline audit`: go through the accepted findings one by one and mark each real or false.

A finding marked real is reported again on every scan until it is removed (and rotated); one marked a
false alarm stays accepted, with the mark kept in the baseline for whoever reads it next.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from credlint.model import Finding
from credlint.triage.baseline import AUDIT_FALSE, AUDIT_REAL, Baseline

Ask = Callable[[Finding], str]  # "y" real, "n" false alarm, "s" skip, "q" quit
Save = Callable[[Baseline], None]


@dataclass(frozen=True, slots=True)
class AuditOutcome:
    baseline: Baseline
    real: int
    false: int
    left: int  # accepted findings not audited (skipped, or after quitting)


def audit(baseline: Baseline, findings: Iterable[Finding], ask: Ask, save: Save, *,
          again: bool = False) -> AuditOutcome:
    """Ask about each finding the baseline accepts and has not been audited (all of them with again);
    save after every answer, so that quitting keeps what was decided."""
    real = false = left = 0
    pending = [f for f in findings if (e := baseline.matching(f)) is not None and (again or e not in baseline.audits)]
    for index, finding in enumerate(pending):
        answer = ask(finding)
        if answer == "q":
            left += len(pending) - index
            break
        entry = baseline.matching(finding)
        if answer in ("y", "n") and entry is not None:
            baseline = baseline.audited(entry, AUDIT_REAL if answer == "y" else AUDIT_FALSE)
            save(baseline)
            real, false = real + (answer == "y"), false + (answer == "n")
        else:
            left += 1
    return AuditOutcome(baseline, real, false, left)
