"""No rule's regex is superlinear: attack lines built from each rule's own examples and keywords, at 8 and
32 KiB, take at most about four times as long at the larger size (regex alone; a generous floor below
which time does not count). The full-pipeline figures at 64 KiB and 1 MiB are bench/run.py's."""

from __future__ import annotations

import random
import re
import time
from pathlib import Path
from typing import cast

import pytest
from click.testing import CliRunner

from credlint.cli import cli
from credlint.detectors.redos import slowest_growth, superlinear, time_line
from credlint.detectors.rulebook import Rule, load_rulebook
from tests.fakes import crc32_token

SMALL, LARGE = 8 << 10, 32 << 10
TOKEN = crc32_token("ghp_", random.Random(32))


def regex_rules() -> list[Rule]:
    return [rule for rule in load_rulebook().rules if rule.pattern]


@pytest.mark.slow  # 30 s for every rule: once in CI, on the main Python
@pytest.mark.parametrize("rule", regex_rules(), ids=lambda rule: rule.id)
def test_rule_regex_is_linear_on_attack_lines(rule: Rule) -> None:
    growth = slowest_growth(rule.regex, rule.examples, rule.keywords, SMALL, LARGE)
    assert not superlinear(growth, SMALL, LARGE), (
        f"{rule.id}: {growth.attack}: {growth.small * 1000:.1f} ms at 8 KiB, {growth.large * 1000:.1f} ms at 32 KiB")


@pytest.mark.slow
def test_the_check_catches_a_quadratic_regex() -> None:
    # Quadratic, not exponential: every start in a run of letters scans to the end of the line.
    growth = slowest_growth(re.compile(r"[a-z ]*password = (\w+);"), ["password = abc;"], ["password"],
                            2 << 10, 8 << 10)
    assert superlinear(growth, 2 << 10, 8 << 10), growth


def write_rule(path: Path, rule_id: str, regex: str, example: str) -> Path:
    """A user rule file of one password rule keyed on `passwd`, complete enough to pass every other check."""
    path.write_text(f"""[[rules]]
id = "{rule_id}"
title = "Password"
description = "A password."
kind = "password"
severity = "high"
confidence = "medium"
keywords = ["passwd"]
regex = '{regex}'
remediation = "Rotate it."
references = ["https://example.org"]
examples = ["{example}"]
negative_examples = ["passwd = ;"]
""")
    return path


def test_a_superlinear_user_rule_is_refused_at_load(runner: CliRunner, tmp_path: Path) -> None:
    rules = write_rule(tmp_path / "slow.toml", "slow-password", r"[a-z0-9_ ]*passwd = (\w{4,});",
                       "passwd = hunter2Tq9x;")
    (tmp_path / "a.txt").write_text("hello\n")
    result = runner.invoke(cli, ["scan", str(tmp_path / "a.txt"), "--rules", str(rules)])
    assert result.exit_code == 2
    # The message, not the word: this test's own folder name holds "superlinear".
    assert "[slow-password]: regex is superlinear" in result.stderr


def test_a_file_over_its_time_budget_is_counted_too_slow_and_the_scan_goes_on(tmp_path: Path) -> None:
    """A rule that escaped the load check (built-in rules are not checked at load) meets the file budget."""
    from credlint.config import Config
    from credlint.detectors.rulebook import Rulebook
    from tests.helpers import scan_tree

    slow = write_rule(tmp_path / "slow.toml", "exponential", "passwd = ((?:[a-z]+)+);", "passwd = abc;")
    rulebook = Rulebook(load_rulebook().rules + load_rulebook([slow], builtin=False).rules)
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "attack.txt").write_text("passwd = " + "a" * 40 + "!\n")
    (tree / "app.py").write_text('token = "' + TOKEN + '"\n')
    result = scan_tree([tree], rulebook, Config(file_timeout=0.5))
    assert [(s.path, s.reason) for s in result.skipped] == [("attack.txt", "too-slow")]
    assert [f.location.path for f in result.findings] == ["app.py"]


class PreemptedPattern:
    """A pattern whose search spends its time off the CPU, as a thread does while a busy machine runs
    another process on its core."""

    def finditer(self, line: str) -> list[str]:
        time.sleep(0.05)
        return [line]


def test_time_off_the_cpu_does_not_count_as_the_regex_time() -> None:
    assert time_line(cast("re.Pattern[str]", PreemptedPattern()), "x" * 100) < 0.01
