"""Teams moving from gitleaks keep their custom rules: `credlint rules import` converts them."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from credlint.cli import cli

GITLEAKS = Path(__file__).parent / "data" / "gitleaks.toml"


def test_rules_are_converted_with_examples_drawn_from_their_regex(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "imported.toml"
    result = runner.invoke(cli, ["rules", "import", str(GITLEAKS), "-o", str(out)])
    assert result.exit_code == 1  # one rule could not be converted: said, and not silently dropped
    assert result.stdout == f"wrote {out}: 2 rule(s)\n"
    assert result.stderr == "left out only-path: no regex (a path-only rule has no value to report)\n"
    (tmp_path / "app.py").write_text('token = "acme_q8v2kx7m3p9r4t6w1z5yq8v2kx7m3p9r"\n'
                                     'fixture = "acme_testq8v2kx7m3p9r4t6w1z5yq8v2kx7"\n')
    (tmp_path / "prod.env").write_text("WIDGET_KEY=Q8V2KX7M3P9R4T6W1Z5YQ8V2\n")
    (tmp_path / "notes.txt").write_text("WIDGET_KEY=Q8V2KX7M3P9R4T6W1Z5YQ8V2\n")
    scanned = runner.invoke(cli, ["scan", str(tmp_path), "--rules", str(out), "--format", "json",
                                  "--exclude", "imported.toml"])
    imported = {"acme-api-token", "widget-key"}  # built-in rules may read these lines too
    found = sorted((f["rule_id"], f["path"], f["line"]) for f in json.loads(scanned.stdout)["findings"]
                   if f["rule_id"] in imported)
    # the stopword allowlist drops the fixture; the path regex keeps the widget rule to .env files
    assert found == [("acme-api-token", "app.py", 1), ("widget-key", "prod.env", 1)]


def test_not_a_gitleaks_configuration_is_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "x.toml"
    bad.write_text('title = "no rules here"\n')
    result = runner.invoke(cli, ["rules", "import", str(bad), "-o", str(tmp_path / "out.toml")])
    assert result.exit_code == 2 and "no [[rules]] tables" in result.stderr
