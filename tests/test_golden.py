"""The whole report for one small tree, as text and as SARIF, against files checked in beside it: any
change to what a user sees shows up as a diff. After a deliberate change, rewrite them with
CREDLINT_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py, and review the diff."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from credlint.cli import cli
from tests.helpers import validate_sarif

GOLDEN = Path(__file__).parent / "data" / "golden"
UPDATE = os.environ.get("CREDLINT_UPDATE_GOLDEN") == "1"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy outside this repository: no git, no repository configuration, paths relative to the tree."""
    return Path(shutil.copytree(GOLDEN / "tree", tmp_path / "tree"))


def stable_text(report: str) -> str:
    return re.sub(r"; \d+\.\d\d s$", "; N.NN s", report.rstrip("\n"), flags=re.M) + "\n"


def stable_sarif(document: dict[str, Any]) -> str:
    """Without what changes with every release or rule added: the version, the rule table, rule indexes."""
    run = document["runs"][0]
    driver = run["tool"]["driver"]
    driver.pop("rules")
    driver["version"] = driver["semanticVersion"] = "VERSION"
    for result in run["results"]:
        result.pop("ruleIndex")
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def check(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8"), f"{name} changed; see the module docstring"


def test_text_report(runner: CliRunner, tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tree)
    result = runner.invoke(cli, ["scan", "."])
    assert result.exit_code == 1
    check("report.txt", stable_text(result.stdout))


def test_sarif_report(runner: CliRunner, tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tree)
    result = runner.invoke(cli, ["scan", ".", "--format", "sarif"])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    validate_sarif(document)
    check("report.sarif.json", stable_sarif(document))
