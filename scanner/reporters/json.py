"""JSON report; the schema is documented in docs/json-format.md and versioned by `schema_version`."""

from __future__ import annotations

import json
from typing import Any

from credlint.model import Finding, ScanResult
from credlint.reporters import (
    RenderOptions,
    fingerprint,
    listed_findings,
    provenance_record,
    severity_counts,
    shown_value,
    skip_counts,
)

SCHEMA_VERSION = 1


def finding_record(result: ScanResult, finding: Finding, options: RenderOptions) -> dict[str, Any]:
    loc = finding.location
    record: dict[str, Any] = {
        "rule_id": finding.rule_id, "title": finding.title, "kind": finding.kind,
        "severity": finding.severity.label, "confidence": finding.confidence.label, "score": finding.score,
        "validation": finding.validation.value, "path": loc.path, "line": loc.line, "column": loc.column,
        "end_line": loc.end_line, "end_column": loc.end_column, "redacted": finding.redacted,
        "fingerprint": fingerprint(result, finding), "remediation": finding.remediation,
    }
    if options.show_secrets:
        record["secret"] = shown_value(finding, options)
    if finding.provenance is not None:
        record["commit"] = provenance_record(finding)
    if finding.suppressed is not None:
        record["suppressed"] = {"kind": "inSource", "justification": finding.suppressed}
    if finding.baseline_state:
        record["baseline_state"] = finding.baseline_state
    if finding.related:
        record["related"] = [{"path": r.path, "line": r.line, "column": r.column} for r in finding.related]
    return record


def render(result: ScanResult, options: RenderOptions) -> str:
    # No timings or absolute paths: the same tree gives byte-identical JSON, which CI diffs rely on.
    document = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "credlint", "version": options.tool_version},
        "findings": [finding_record(result, f, options) for f in listed_findings(result, options)],
        "summary": {
            "mode": result.mode, "configuration": result.configuration, "files_scanned": result.files_scanned,
            "commits_scanned": result.commits_scanned, "bytes_scanned": result.bytes_scanned,
            "findings": len(result.findings), "findings_by_severity": severity_counts(result),
            "suppressed": len(result.suppressed), "baselined": len(result.baselined),
            "below_min_score": result.below_min_score, "outside_change": result.outside_change,
            "skipped": skip_counts(result),
            "skipped_files": [{"path": s.path, "reason": s.reason, "detail": s.detail} for s in result.skipped],
            "warnings": result.warnings,
        },
    }
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
