"""SARIF 2.1.0 that GitHub code scanning accepts (../shared/docs/sarif-github.md is the checklist)."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

from credlint.detectors.rulebook import Rule
from credlint.model import Finding, Location, ScanResult
from credlint.reporters import RenderOptions, fingerprint, listed_findings, provenance_record, shown_value
from credlint.triage.scoring import LEVEL_BY_SEVERITY, SECURITY_SEVERITY, level_for

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
MAX_RESULTS = 25_000  # GitHub rejects a run with more
PRECISION = {3: "very-high", 2: "high", 1: "medium"}
# History and archive results point at files GitHub may not have at HEAD: each keeps its own category.
CATEGORIES = {"history": "credlint-history/", "archive": "credlint-archive/"}
CWE_TAG = {"password": "external/cwe/cwe-259", "basic-auth": "external/cwe/cwe-522"}


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    references = "".join(f"\n- <{url}>" for url in rule.references)
    tags = list(dict.fromkeys(["security", "secret", CWE_TAG.get(rule.kind, "external/cwe/cwe-798"),
                               *rule.tags]))[:10]
    return {
        "id": rule.id, "name": rule.title[:255],
        "shortDescription": {"text": rule.title[:1024]},
        "fullDescription": {"text": rule.description[:1024]},
        "help": {
            "text": f"{rule.description}\n\nRemediation: {rule.remediation}",
            "markdown": f"**{rule.title}**\n\n{rule.description}\n\n**Remediation:** {rule.remediation}"
                        + (f"\n\n**References:**{references}" if references else ""),
        },
        "defaultConfiguration": {"level": LEVEL_BY_SEVERITY[rule.severity]},
        "properties": {"tags": tags, "precision": PRECISION[int(rule.confidence)],
                       "security-severity": SECURITY_SEVERITY[rule.severity]},
    }


def artifact_uri(path: str) -> str:
    """Repository-relative and percent-encoded: spaces, `%` and a `:` in the first segment break GitHub."""
    return urllib.parse.quote(path, safe="/")


def sarif_result(result: ScanResult, finding: Finding, rule_index: int, options: RenderOptions) -> dict[str, Any]:
    loc = finding.location
    message = f"{result_message(finding, options)} {finding.remediation.splitlines()[0]}".strip()
    fingerprints = {"credlintSecret/v1": fingerprint(result, finding)}
    if loc.line_hash:
        fingerprints["primaryLocationLineHash"] = loc.line_hash
    return {
        "ruleId": finding.rule_id, "ruleIndex": rule_index, "level": level_for(finding),
        "message": {"text": message},
        "locations": [{"physicalLocation": physical(loc)}],
        "partialFingerprints": fingerprints,
        **related_locations(finding),
        "properties": {"score": finding.score, "severity": finding.severity.label,
                       "confidence": finding.confidence.label, "validation": finding.validation.value}
                      | ({"commit": provenance_record(finding)} if finding.provenance else {}),
    } | suppressions(finding)


def result_message(finding: Finding, options: RenderOptions) -> str:
    """What GitHub shows on the alert. Migration debt holds no secret: it is a login that reads its password
    at run time, not a hard-coded value."""
    value = escape_markdown(shown_value(finding, options))
    if finding.advisory:
        return f"{finding.title}: the password comes from {value} (score {finding.score})."
    return f"{finding.title}: {value} is hard-coded (score {finding.score})."


def escape_markdown(text: str) -> str:
    """GitHub renders result messages as Markdown: a value must not become a link or emphasis."""
    return "".join(f"\\{c}" if c in MARKDOWN_SPECIAL else c for c in text)


MARKDOWN_SPECIAL = frozenset("\\`*_{}[]()#+!|<>~")


def physical(loc: Location) -> dict[str, Any]:
    return {"artifactLocation": {"uri": artifact_uri(loc.path), "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": loc.line, "startColumn": loc.column, "endLine": loc.end_line,
                       "endColumn": loc.end_column}}


def related_locations(finding: Finding) -> dict[str, Any]:
    if not finding.related:
        return {}
    return {"relatedLocations": [{"id": i, "physicalLocation": physical(loc)}
                                 for i, loc in enumerate(finding.related, 1)]}


def suppressions(finding: Finding) -> dict[str, Any]:
    """GitHub ignores `suppressions` and would open an alert: such results appear only on request."""
    state = {"baselineState": finding.baseline_state} if finding.baseline_state else {}
    if finding.baseline_state == "unchanged":
        return state | {"suppressions": [{"kind": "external", "justification": "accepted in the baseline"}]}
    if finding.suppressed is None:
        return state
    entry = {"kind": "inSource"} | ({"justification": finding.suppressed} if finding.suppressed else {})
    return state | {"suppressions": [entry]}


def most_severe(findings: list[Finding]) -> list[Finding]:
    if len(findings) <= MAX_RESULTS:
        return findings
    ranked = sorted(findings, key=lambda f: (-f.severity, -f.score))[:MAX_RESULTS]
    return sorted(ranked, key=lambda f: (f.location.path, f.location.line, f.location.column))


def render(result: ScanResult, options: RenderOptions) -> str:
    rules = list(options.rules)
    index = {rule.id: i for i, rule in enumerate(rules)}
    listed = listed_findings(result, options)
    findings = most_severe(listed)
    warnings = list(result.warnings)
    if len(findings) < len(listed):
        warnings.append(f"{len(listed)} results exceed GitHub's {MAX_RESULTS} per run; "
                        f"kept the {MAX_RESULTS} most severe")
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "credlint", "version": options.tool_version, "semanticVersion": options.tool_version,
            "informationUri": "https://github.com/credlint/credlint",
            "rules": [rule_descriptor(r) for r in rules],
        }},
        "automationDetails": {"id": CATEGORIES.get(result.mode, "credlint/")},
        "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The root of the scanned repository."}}},
        "columnKind": "unicodeCodePoints",
        "results": [sarif_result(result, f, index[f.rule_id], options) for f in findings],
    }
    if warnings:  # shallow clones, truncation: said where the upload's reader looks
        run["invocations"] = [{"executionSuccessful": True, "toolExecutionNotifications": [
            {"level": "warning", "message": {"text": w}} for w in warnings]}]
    if result.repository_uri and result.head:
        run["versionControlProvenance"] = [{"repositoryUri": result.repository_uri, "revisionId": result.head}
                                           | ({"branch": result.branch} if result.branch else {})]
    document = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"

