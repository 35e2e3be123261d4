"""Human output: grouped by file, one finding per block, a summary at the end."""

from __future__ import annotations

from itertools import groupby

from credlint.model import Finding, ScanResult, Severity
from credlint.reporters import (
    RenderOptions,
    listed_findings,
    provenance_summary,
    severity_counts,
    shown_value,
    skip_counts,
)
from credlint.text import terminal_safe as safe

COLORS = {Severity.CRITICAL: "\033[1;31m", Severity.HIGH: "\033[31m", Severity.MEDIUM: "\033[33m",
          Severity.LOW: "\033[36m"}
BOLD, DIM, RESET = "\033[1m", "\033[2m", "\033[0m"


def paint(text: str, code: str, options: RenderOptions) -> str:
    return f"{code}{text}{RESET}" if options.color else text


def render_finding(finding: Finding, options: RenderOptions) -> list[str]:
    """Every field that comes from the scanned content (path, value, author, justification) goes through
    terminal_safe: a file name holding ESC[ or OSC 8 must not act on the reader's terminal."""
    loc = finding.location
    severity = paint(f"{finding.severity.label:<8}", COLORS[finding.severity], options)
    value = safe(shown_value(finding, options))
    where = f"{safe(loc.path)}:{loc.line}:{loc.column}"
    head = f"  {where}  {severity} {safe(finding.rule_id)}  score {finding.score}  {value}"
    lines = [head, f"      {safe(finding.title)}"]
    if finding.provenance is not None:
        lines.append(f"      {safe(provenance_summary(finding))}")
    if finding.related:
        lines.append("      also in: " + ", ".join(f"{safe(r.path)}:{r.line}" for r in finding.related))
    # The whole remediation: its later lines are the revoke and rotate steps, and the reuse advice.
    for i, step in enumerate(finding.remediation.splitlines()):
        lines.append(paint(f"      {'fix: ' if i == 0 else '     '}{safe(step)}", DIM, options))
    if finding.suppressed is not None:
        lines.append(f"      suppressed inline{': ' + safe(finding.suppressed) if finding.suppressed else ''}")
    if finding.baseline_state == "unchanged":
        lines.append("      accepted in the baseline")
    return lines


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def summary(result: ScanResult) -> str:
    skips = skip_counts(result)
    skipped = f"{len(result.skipped)} skipped" + (
        f" ({', '.join(f'{reason} {n}' for reason, n in skips.items())})" if skips else "")
    by_severity = severity_counts(result)
    found = f"{len(result.findings)} finding{'s' if len(result.findings) != 1 else ''}" + (
        f" ({', '.join(f'{s} {n}' for s, n in by_severity.items())})" if by_severity else "")
    below = f", {result.below_min_score} below --min-score" if result.below_min_score else ""
    below += f", {len(result.suppressed)} suppressed inline" if result.suppressed else ""
    below += f", {len(result.baselined)} accepted in the baseline" if result.baselined else ""
    below += (f", {result.outside_change} on lines this commit does not change (--whole-files lists them)"
              if result.outside_change else "")
    scanned = {"history": f"files and patches from {result.commits_scanned} commits",
               "staged": "staged files (what the commit adds)", "archive": "archive members"}.get(result.mode, "files")
    return (f"{result.files_scanned} {scanned} scanned ({human_size(result.bytes_scanned)}), {skipped}; "
            f"{found}{below}; {result.elapsed:.2f} s")


def render(result: ScanResult, options: RenderOptions) -> str:
    lines: list[str] = []
    for path, findings in groupby(listed_findings(result, options), key=lambda f: f.location.path):
        lines.append(paint(safe(path), BOLD, options))
        for finding in findings:
            lines.extend(render_finding(finding, options))
        lines.append("")
    lines.extend(f"warning: {safe(w)}" for w in result.warnings)
    lines.append(summary(result))
    return "\n".join(lines) + "\n"
