from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from credlint.cli import cli
from credlint.detectors.rulebook import load_rulebook
from tests.fakes import crc32_token
from tests.helpers import SHARED, validate_sarif


def make_tree(root: Path, rng: random.Random) -> str:
    token = crc32_token("ghp_", rng)
    (root / "dir with space").mkdir()
    (root / "dir with space" / "tok.py").write_text(f'TOKEN = "{token}"\n', encoding="utf-8")
    (root / "settings.py").write_text('DB_PASSWORD = "Hq7!vRt2Lx9"\n', encoding="utf-8")
    return token


def test_json_report_schema(runner: CliRunner, tmp_path: Path, rng: random.Random) -> None:
    token = make_tree(tmp_path, rng)
    document = json.loads(runner.invoke(cli, ["scan", str(tmp_path), "--format", "json"]).output)
    assert document["schema_version"] == 1
    assert [(f["path"], f["line"], f["rule_id"]) for f in document["findings"]] == [
        ("dir with space/tok.py", 1, "github-pat-classic"), ("settings.py", 1, "hardcoded-password")]
    first = document["findings"][0]
    assert set(first) == {"rule_id", "title", "kind", "severity", "confidence", "score", "validation", "path", "line",
                          "column", "end_line", "end_column", "redacted", "fingerprint", "remediation"}
    assert (first["column"], first["end_column"], first["redacted"]) == (10, 50, "ghp_…(40 chars)")
    assert document["summary"]["findings_by_severity"] == {"high": 2}
    assert token not in json.dumps(document)


def test_json_is_deterministic(runner: CliRunner, tmp_path: Path, rng: random.Random) -> None:
    make_tree(tmp_path, rng)
    first = runner.invoke(cli, ["scan", str(tmp_path), "--format", "json"]).output
    assert first == runner.invoke(cli, ["scan", str(tmp_path), "--format", "json"]).output


def test_sarif_is_valid_and_github_ready(runner: CliRunner, tmp_path: Path, rng: random.Random) -> None:
    token = make_tree(tmp_path, rng)
    out = tmp_path / "out.sarif"
    result = runner.invoke(cli, ["scan", str(tmp_path), "--format", "sarif", "--output", str(out),
                                 "--exclude", "out.sarif"])
    assert result.exit_code == 1
    text = out.read_text(encoding="utf-8")
    assert token not in text
    document = json.loads(text)
    validate_sarif(document)
    run = document["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert len(rule_ids) == len(set(rule_ids)) >= 120
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]]
    assert uris == ["dir%20with%20space/tok.py", "settings.py"]
    for res in run["results"]:
        assert rule_ids[res["ruleIndex"]] == res["ruleId"]
        assert set(res["partialFingerprints"]) == {"primaryLocationLineHash", "credlintSecret/v1"}
    for rule in run["tool"]["driver"]["rules"]:
        assert rule["help"]["text"] and rule["help"]["markdown"] and rule["fullDescription"]["text"]
        float(rule["properties"]["security-severity"])


def test_sarif_with_no_results_keeps_results_and_rules(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    document = json.loads(runner.invoke(cli, ["scan", str(tmp_path), "--format", "sarif"]).output)
    validate_sarif(document)
    assert document["runs"][0]["results"] == [] and document["runs"][0]["tool"]["driver"]["rules"]


def test_sarif_passes_shared_check_sarif(runner: CliRunner, tmp_path: Path, rng: random.Random) -> None:
    tool = SHARED / "tools" / "check-sarif"
    if not tool.is_file() or shutil.which("python3") is None:
        import pytest

        pytest.skip("../shared/tools/check-sarif not available")
    make_tree(tmp_path, rng)
    out = tmp_path.parent / f"{tmp_path.name}.sarif"
    runner.invoke(cli, ["scan", str(tmp_path), "--format", "sarif", "--output", str(out)])
    check = subprocess.run(["python3", str(tool), "--strict", "--source-root", str(tmp_path), str(out)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.parametrize(("no_color", "expected"), [
    pytest.param(None, True, id="unset"),
    pytest.param("", True, id="empty-does-not-count"),
    pytest.param("1", False, id="set"),
    pytest.param("false", False, id="any-non-empty-value"),
])
def test_colour_on_a_terminal_unless_no_color(monkeypatch: pytest.MonkeyPatch, no_color: str | None,
                                              expected: bool) -> None:
    from credlint.cli.support import use_color

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    if no_color is None:
        monkeypatch.delenv("NO_COLOR", raising=False)
    else:
        monkeypatch.setenv("NO_COLOR", no_color)
    assert use_color() is expected


def test_the_text_fix_shows_every_step_of_the_remediation(runner: CliRunner, tmp_path: Path) -> None:
    for name in ("a.env", "b.env"):
        (tmp_path / name).write_text("DB_PASSWORD=Harbor2024!blue\n")
    output = runner.invoke(cli, ["scan", str(tmp_path)]).output
    fix = [line.strip() for line in output.splitlines() if "fix:" in line or "other place" in line]
    assert fix[0].startswith("fix: Change the password") and fix[1].startswith("The same value is also in 1")


def test_sarif_keeps_the_most_severe_past_githubs_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    from credlint.model import Confidence, Finding, Location, ScanResult, Severity, Validation
    from credlint.reporters import RenderOptions, sarif

    def finding(line: int, severity: Severity) -> Finding:
        return Finding("jwt", "JWT", "token", Location("a.py", line, 1, line, 5), "h", "x…(5 chars)", severity,
                       Confidence.HIGH, 90, Validation.PASSED, "Revoke it.", "xxxxx")

    monkeypatch.setattr(sarif, "MAX_RESULTS", 2)
    result = ScanResult(root=".", findings=(finding(1, Severity.LOW), finding(2, Severity.CRITICAL),
                                            finding(3, Severity.HIGH)))
    document = json.loads(sarif.render(result, RenderOptions(rules=load_rulebook().rules)))
    lines = [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in document["runs"][0]["results"]]
    assert lines == [2, 3]
    [invocation] = document["runs"][0]["invocations"]
    assert [n["message"]["text"] for n in invocation["toolExecutionNotifications"]] == [
        "3 results exceed GitHub's 2 per run; kept the 2 most severe"]
    assert result.warnings == ()  # reporters read the result, never change it


def test_junit_has_one_failing_case_per_finding_and_one_passing_case_when_clean(runner: CliRunner,
                                                                             tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    (tmp_path / "a.env").write_text("DB_PASSWORD=Harbor2024!blue\n")
    root = ET.fromstring(runner.invoke(cli, ["scan", str(tmp_path), "--format", "junit"]).stdout)
    [case] = root.iter("testcase")
    failure = case.find("failure")
    assert (root.get("failures"), case.get("classname"), case.get("name")) == ("1", "a.env",
                                                                               "hardcoded-password-config at line 1")
    assert failure is not None and "Harbor2024!blue" not in ET.tostring(root, encoding="unicode")
    (tmp_path / "a.env").write_text("DB_PASSWORD=${DB_PASSWORD}\n")
    clean = ET.fromstring(runner.invoke(cli, ["scan", str(tmp_path), "--format", "junit"]).stdout)
    assert [(c.get("name"), c.find("failure")) for c in clean.iter("testcase")] == [("no findings in 1 files", None)]


def test_gitlab_secret_detection_report(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "a.env").write_text("DB_PASSWORD=Harbor2024!blue\n")
    document = json.loads(runner.invoke(cli, ["scan", str(tmp_path), "--format", "gitlab"]).stdout)
    assert document["version"].startswith("15.") and document["scan"]["type"] == "secret_detection"
    assert document["scan"]["status"] == "success" and document["scan"]["analyzer"]["id"] == "credlint"
    [vulnerability] = document["vulnerabilities"]
    assert (vulnerability["category"], vulnerability["severity"], vulnerability["location"]["file"],
            vulnerability["location"]["start_line"]) == ("secret_detection", "High", "a.env", 1)
    assert len(vulnerability["id"]) == 64 and vulnerability["identifiers"][0]["value"] == "hardcoded-password-config"
    assert "Harbor2024!blue" not in json.dumps(document)
    again = json.loads(runner.invoke(cli, ["scan", str(tmp_path), "--format", "gitlab"]).stdout)
    assert again == document  # deterministic: no clock in the report


def test_standard_input_is_scanned(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["scan", "-", "--format", "json"], input='password = "Q7wYtN2kLp9v!x"\n')
    document = json.loads(result.stdout)
    assert (result.exit_code, [(f["path"], f["line"]) for f in document["findings"]]) == (1, [("stdin", 1)])
    assert runner.invoke(cli, ["scan", "-", "--staged"], input="").exit_code == 2


def test_max_file_size_on_the_command_line(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "big.env").write_text("DB_PASSWORD=Harbor2024!blue\n" + "x" * 2000)
    document = json.loads(runner.invoke(cli, ["scan", str(tmp_path), "--format", "json", "--max-file-size",
                                              "1000"]).stdout)
    assert (document["findings"], document["summary"]["skipped"]) == ([], {"too-large": 1})
