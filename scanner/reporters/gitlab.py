"""GitLab secret-detection report (security report schema 15.x, `secret-detection-report-format.json`):
what a `secret_detection` artifact in `.gitlab-ci.yml` shows in merge requests and the vulnerability report.

The published schema could not be fetched on the machine this was written on: the structure follows
GitLab's documentation of the format and is checked by tests/test_reporters.py.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from credlint.model import Finding, ScanResult, Severity
from credlint.reporters import RenderOptions, fingerprint, listed_findings, shown_value

SCHEMA_VERSION = "15.0.7"
SCHEMA = ("https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/v15.0.7/dist/"
          "secret-detection-report-format.json")
SEVERITY = {Severity.CRITICAL: "Critical", Severity.HIGH: "High", Severity.MEDIUM: "Medium", Severity.LOW: "Low"}
FIXED_TIME = "1970-01-01T00:00:00"  # deterministic output: the same tree gives the same report


def vulnerability(result: ScanResult, finding: Finding, options: RenderOptions) -> dict[str, Any]:
    loc = finding.location
    identity = f"{finding.rule_id}\0{loc.path}\0{fingerprint(result, finding)}"
    location: dict[str, Any] = {"file": loc.path, "start_line": loc.line, "end_line": loc.end_line}
    if finding.provenance is not None:
        location["commit"] = {"sha": finding.provenance.commit, "author": finding.provenance.author,
                              "date": finding.provenance.date}
    else:
        location["commit"] = {"sha": result.head or "0000000"}
    return {
        "id": hashlib.sha256(identity.encode()).hexdigest(),
        "category": "secret_detection",
        "name": finding.title,
        "description": f"{finding.title}: {shown_value(finding, options)} (score {finding.score}).",
        "severity": SEVERITY[finding.severity],
        "solution": finding.remediation,
        "raw_source_code_extract": shown_value(finding, options),
        "scanner": {"id": "credlint", "name": "credlint"},
        "location": location,
        "identifiers": [{"type": "credlint_rule_id", "name": f"credlint rule {finding.rule_id}",
                         "value": finding.rule_id}],
    }


def render(result: ScanResult, options: RenderOptions) -> str:
    tool = {"id": "credlint", "name": "credlint", "version": options.tool_version or "0",
            "vendor": {"name": "credlint"}}
    document = {
        "version": SCHEMA_VERSION,
        "schema": SCHEMA,
        "vulnerabilities": [vulnerability(result, f, options) for f in listed_findings(result, options)],
        "scan": {"analyzer": tool, "scanner": tool, "type": "secret_detection", "start_time": FIXED_TIME,
                 "end_time": FIXED_TIME, "status": "success"},
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
