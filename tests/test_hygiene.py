from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from credlint.cli import cli
from credlint.detectors.rulebook import Rulebook
from credlint.pipeline import scan_text
from tests.helpers import validate_sarif


def test_a_reused_secret_is_reported_at_each_place_and_each_lists_the_others(runner: CliRunner,
                                                                            tmp_path: Path) -> None:
    (tmp_path / "a.env").write_text("DB_PASSWORD=Kq8!vR2xLm-shared\n")
    (tmp_path / "b.py").write_text('x = 1\npassword = "Kq8!vR2xLm-shared"\n')
    (tmp_path / "c.py").write_text('password = "Zx8!kLq2Vm7-own"\n')
    document = json.loads(runner.invoke(cli, ["scan", str(tmp_path), "--format", "json"]).output)
    places = {(f["path"], f["line"]): f.get("related", []) for f in document["findings"]}
    assert places == {("a.env", 1): [{"path": "b.py", "line": 2, "column": 13}],
                      ("b.py", 2): [{"path": "a.env", "line": 1, "column": 13}], ("c.py", 1): []}
    assert all(f["rule_id"] != "secret-reuse" for f in document["findings"])  # no second alarm
    [shared] = [f for f in document["findings"] if f["path"] == "a.env"]
    assert "also in 1 other place" in shared["remediation"]
    sarif = json.loads(runner.invoke(cli, ["scan", str(tmp_path), "--format", "sarif"]).output)
    validate_sarif(sarif)
    [result] = [r for r in sarif["runs"][0]["results"] if r["locations"][0]["physicalLocation"]["artifactLocation"]
                ["uri"] == "a.env"]
    assert result["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "b.py"


def test_a_reused_dummy_below_min_score_is_not_reported_as_reuse(runner: CliRunner, tmp_path: Path) -> None:
    for name in ("test_a.py", "test_b.py"):
        (tmp_path / name).write_text('password = "pygmalion"\n')
    document = json.loads(runner.invoke(cli, ["scan", str(tmp_path), "--format", "json"]).output)
    assert document["findings"] == []


def test_cleartext_http_is_reported_beside_the_leak(rulebook: Rulebook) -> None:
    found = scan_text("PROXY = 'http://svc:Kq8!vR2xLm@proxy.example.org:3128'\n", rulebook, "settings.py")
    assert sorted(f.rule_id for f in found) == ["cleartext-http-credentials", "url-credentials"]
    assert scan_text("PROXY = 'http://svc:Kq8!vR2xLm@localhost:3128'\n", rulebook, "settings.py")[0].rule_id == (
        "url-credentials")
