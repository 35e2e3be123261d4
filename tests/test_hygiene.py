from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from scanner.cli import cli
from scanner.rulebook import Rulebook
from scanner.scan import scan_text
from tests.helpers import validate_sarif


def test_reused_secret_is_one_finding_listing_every_place(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "a.env").write_text("DB_PASSWORD=Kq8!vR2xLm-shared\n")
    (tmp_path / "b.py").write_text('x = 1\npassword = "Kq8!vR2xLm-shared"\n')
    (tmp_path / "c.py").write_text('password = "Zx8!kLq2Vm7-own"\n')
    document = json.loads(runner.invoke(cli, ["scan", str(tmp_path), "--format", "json"]).output)
    [reuse] = [f for f in document["findings"] if f["rule_id"] == "secret-reuse"]
    assert (reuse["path"], reuse["line"], reuse["related"]) == ("a.env", 1, [{"path": "b.py", "line": 2,
                                                                              "column": 13}])
    sarif = json.loads(runner.invoke(cli, ["scan", str(tmp_path), "--format", "sarif"]).output)
    validate_sarif(sarif)
    [result] = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "secret-reuse"]
    assert result["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "b.py"


def test_cleartext_http_is_reported_beside_the_leak(rulebook: Rulebook) -> None:
    found = scan_text("PROXY = 'http://svc:Kq8!vR2xLm@proxy.example.org:3128'\n", rulebook, "settings.py")
    assert sorted(f.rule_id for f in found) == ["cleartext-http-credentials", "url-credentials"]
    assert scan_text("PROXY = 'http://svc:Kq8!vR2xLm@localhost:3128'\n", rulebook, "settings.py")[0].rule_id == (
        "url-credentials")
