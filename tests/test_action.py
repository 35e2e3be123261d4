"""The GitHub Action's scan step, run as the runner would run it: its script with the inputs as env."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO_ROOT, git
from tests.fakes import crc32_token
from tests.helpers import validate_sarif

DEFAULTS = {"path": ".", "format": "sarif", "output": "credlint.sarif", "fail-on": "medium", "range": "",
            "history": "false", "fail-on-findings": "true", "args": ""}


def action() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((REPO_ROOT / "action.yml").read_text())
    return loaded


def run_scan_step(repo: Path, **inputs: str) -> tuple[int, dict[str, str]]:
    [step] = [s for s in action()["runs"]["steps"] if s.get("id") == "scan"]
    given = {**DEFAULTS, **inputs}
    outputs = repo / "github-output"
    outputs.write_text("")
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": os.environ["HOME"],
           "GITHUB_OUTPUT": str(outputs), **{f"INPUT_{k.upper().replace('-', '_')}": v for k, v in given.items()}}
    done = subprocess.run(["bash", "-c", step["run"]], cwd=repo, env=env, capture_output=True, text=True, timeout=300)
    values = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    return done.returncode, values


def test_every_input_the_script_reads_is_declared() -> None:
    declared = set(action()["inputs"])
    [step] = [s for s in action()["runs"]["steps"] if s.get("id") == "scan"]
    assert set(DEFAULTS) == declared - {"python-version"}
    assert {k.removeprefix("INPUT_").lower().replace("_", "-") for k in step["env"]} == declared - {"python-version"}
    assert all(action()["inputs"][k]["default"] == v for k, v in DEFAULTS.items())


@pytest.mark.parametrize(("fail_on_findings", "step_code"), [("true", 1), ("false", 0)])
def test_the_scan_step_writes_upload_ready_sarif(git_repo: Path, fail_on_findings: str, step_code: int) -> None:
    token = crc32_token("ghp_", random.Random(11))
    (git_repo / "settings.py").write_text(f'GITHUB_TOKEN = "{token}"\n')
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-qm", "token")
    code, outputs = run_scan_step(git_repo, **{"fail-on-findings": fail_on_findings})
    assert (code, outputs) == (step_code, {"exit-code": "1", "report": "credlint.sarif"})
    sarif = json.loads((git_repo / "credlint.sarif").read_text())
    validate_sarif(sarif)
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["github-pat-classic"]


def test_a_range_scan_and_a_usage_error_that_is_never_green(git_repo: Path) -> None:
    (git_repo / "a.py").write_text("x = 1\n")
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-qm", "base")
    code, outputs = run_scan_step(git_repo, range="HEAD~0..HEAD", **{"fail-on-findings": "false"})
    assert (code, outputs["exit-code"]) == (0, "0")
    code, outputs = run_scan_step(git_repo, range="not-a-range", **{"fail-on-findings": "false"})
    assert (code, outputs["exit-code"]) == (2, "2")
