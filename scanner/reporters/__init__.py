"""Output formats; each module exposes render(result, options) -> str."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from credlint.detectors.rulebook import Rule
from credlint.fingerprint import chosen_fingerprint, secret_fingerprint
from credlint.model import Finding, ScanResult, finding_order


@dataclass(frozen=True, slots=True)
class RenderOptions:
    show_secrets: bool = False
    color: bool = False
    tool_version: str = ""
    rules: tuple[Rule, ...] = ()  # SARIF lists every rule of the run, results or not
    show_suppressed: bool = False  # also list findings silenced by an inline `credlint: allow`


def shown_value(finding: Finding, options: RenderOptions) -> str:
    """The redacted form unless the user asked to see secrets (local triage only)."""
    return finding.secret if options.show_secrets else finding.redacted


# Format name -> module, imported when chosen: a pre-commit run that prints text never pays for the others.
REPORTERS = {name: f"credlint.reporters.{name}" for name in ("text", "json", "sarif", "junit", "gitlab")}
Render = Callable[[ScanResult, RenderOptions], str]


def renderer(name: str) -> Render:
    import importlib

    render: Render = importlib.import_module(REPORTERS[name]).render
    return render


CHOSEN_KINDS = frozenset({"password", "basic-auth", "connection-string"})


def fingerprint(result: ScanResult, finding: Finding) -> str:
    """scrypt for values a person chose (passwords), a keyed hash for generated ones (docs/json-format.md)."""
    if finding.kind in CHOSEN_KINDS and not finding.advisory:
        return chosen_fingerprint(finding.rule_id, finding.secret, result.salt.encode())
    return secret_fingerprint(finding.rule_id, finding.secret_hash, result.salt.encode())


def skip_counts(result: ScanResult) -> dict[str, int]:
    counts: dict[str, int] = {}
    for skip in result.skipped:
        counts[skip.reason] = counts.get(skip.reason, 0) + 1
    return dict(sorted(counts.items()))


def severity_counts(result: ScanResult) -> dict[str, int]:
    counts: dict[str, int] = {}
    for finding in sorted(result.findings, key=lambda f: -f.severity):
        counts[finding.severity.label] = counts.get(finding.severity.label, 0) + 1
    return counts


def listed_findings(result: ScanResult, options: RenderOptions) -> list[Finding]:
    """What a report lists: the findings, plus the suppressed ones when asked for."""
    if not options.show_suppressed:
        return list(result.findings)
    return sorted(result.findings + result.suppressed + result.baselined, key=finding_order)


def provenance_record(finding: Finding) -> dict[str, object] | None:
    """History facts as plain data (JSON `commit`, SARIF result properties)."""
    p = finding.provenance
    if p is None:
        return None
    return {"sha": p.commit, "author": p.author, "date": p.date, "path": p.path,
            "commits_survived": p.commits_survived, "at_head": p.at_head, "removed_in": p.removed_in,
            "age_days": p.age_days, "rotate_overdue": p.rotate_overdue, "tip": p.tip,
            "in_tip_history": p.in_tip_history}


def provenance_summary(finding: Finding) -> str:
    """One line for people: where it came from and what to do first."""
    p = finding.provenance
    if p is None:
        return ""
    carried = f"carried by {p.commits_survived} commit{'s' if p.commits_survived != 1 else ''}"
    where = f"introduced in {p.commit[:12]} by {p.author} on {p.date[:10]}, {carried}; "
    if p.at_head:
        overdue = (f", older than the {p.rotate_after_days}-day rotation window: rotate it first"
                   if p.rotate_overdue else "")
        return where + f"still in {p.tip}, {p.age_days} days old{overdue}"
    if not p.in_tip_history:
        return where + f"never on {p.tip}, only on other refs: revoke and rotate"
    removed = f" (removed in {p.removed_in[:12]})" if p.removed_in else ""
    return where + f"gone from {p.tip}{removed} but still in history: revoke and rotate"
