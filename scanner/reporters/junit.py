"""JUnit XML: one failing test case per finding, for CI systems that show test reports (Jenkins, GitLab,
Azure Pipelines). A clean scan is one passing case, so the report never reads as "no tests ran"."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from credlint.model import Finding, ScanResult
from credlint.reporters import RenderOptions, listed_findings, shown_value


def testcase(suite: ET.Element, finding: Finding, options: RenderOptions) -> None:
    loc = finding.location
    case = ET.SubElement(suite, "testcase", classname=loc.path, name=f"{finding.rule_id} at line {loc.line}",
                         file=loc.path, line=str(loc.line))
    message = f"{finding.title}: {shown_value(finding, options)} (severity {finding.severity.label}, " \
              f"score {finding.score})"
    failure = ET.SubElement(case, "failure", message=message, type=finding.severity.label)
    failure.text = f"{loc.path}:{loc.line}:{loc.column} {finding.rule_id}\n{finding.remediation}"


def render(result: ScanResult, options: RenderOptions) -> str:
    findings = listed_findings(result, options)
    suites = ET.Element("testsuites", name="credlint", tests=str(max(1, len(findings))),
                        failures=str(len(findings)))
    suite = ET.SubElement(suites, "testsuite", name=f"credlint {result.mode} scan", tests=str(max(1, len(findings))),
                          failures=str(len(findings)), errors="0", skipped="0")
    for finding in findings:
        testcase(suite, finding, options)
    if not findings:
        ET.SubElement(suite, "testcase", classname="credlint", name=f"no findings in {result.files_scanned} files")
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
