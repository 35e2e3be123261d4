"""The same repository through every source gives the same decisions: reuse, allow comments, rotation
window, placement by position, exit codes; and the history audit survives hostile content and reports
what a tree scan reports. Each test is a case where the sources once disagreed."""

from __future__ import annotations

import json
import os
import random
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from credlint.cli import cli
from tests.conftest import git
from tests.fakes import clear_key

SHARED_SECRET = "Kq8!vR2xLm-shared"
SECRET = "Hq7!vRt2Lx9"


def commit_all(repo: Path, message: str, date: str = "2024-01-02T10:00:00") -> str:
    git(repo, "add", "-A")
    env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    subprocess.run(["git", "-C", str(repo), "commit", "-qm", message], check=True, env=env)
    return git(repo, "rev-parse", "HEAD").strip()


def report(runner: CliRunner, *args: str) -> dict[str, Any]:
    result = runner.invoke(cli, ["scan", *args, "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def places(document: dict[str, Any]) -> set[tuple[str, str, int]]:
    return set(places_list(document))


def places_list(document: dict[str, Any]) -> list[tuple[str, str, int]]:
    return [(f["rule_id"], f["path"], f["line"]) for f in document["findings"]]


def test_reuse_is_reported_by_every_source(runner: CliRunner, git_repo: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(git_repo)
    (git_repo / "a.env").write_text(f"DB_PASSWORD={SHARED_SECRET}\n")
    (git_repo / "b.py").write_text(f'password = "{SHARED_SECRET}"\n')
    git(git_repo, "add", "-A")
    staged = report(runner, "--staged")
    commit_all(git_repo, "two files, one password")
    for document in (report(runner, "."), staged, report(runner, ".", "--history")):
        related = {f["path"]: [r["path"] for r in f.get("related", [])] for f in document["findings"]}
        assert related == {"a.env": ["b.py"], "b.py": ["a.env"]}, document["summary"]["mode"]


def test_an_allow_comment_above_the_secret_holds_in_history_too(runner: CliRunner, git_repo: Path) -> None:
    (git_repo / "app.py").write_text(f'# credlint: allow -- a fixture\npassword = "{SECRET}"\n')
    commit_all(git_repo, "allowed secret")
    tree = runner.invoke(cli, ["scan", str(git_repo)])
    history = runner.invoke(cli, ["scan", str(git_repo), "--history"])
    assert (tree.exit_code, history.exit_code) == (0, 0), history.output
    assert "1 suppressed inline" in tree.output and "1 suppressed inline" in history.output


def test_an_allow_comment_above_a_removed_secret_is_judged_in_the_commit_that_added_it(
        runner: CliRunner, git_repo: Path) -> None:
    (git_repo / "app.py").write_text("x = 1\n# credlint: allow -- a fixture\n")
    commit_all(git_repo, "the comment first", "2024-01-01T10:00:00")
    (git_repo / "app.py").write_text(f'x = 1\n# credlint: allow -- a fixture\npassword = "{SECRET}"\n')
    commit_all(git_repo, "then the secret under it", "2024-01-02T10:00:00")
    (git_repo / "app.py").write_text("x = 1\n")
    commit_all(git_repo, "both gone", "2024-01-03T10:00:00")
    result = runner.invoke(cli, ["scan", str(git_repo), "--history"])
    assert result.exit_code == 0 and "1 suppressed inline" in result.output, result.output


def test_the_text_report_names_the_configured_rotation_window(runner: CliRunner, git_repo: Path) -> None:
    (git_repo / "pyproject.toml").write_text("[tool.credlint]\nrotate_after_days = 7\n")
    (git_repo / "app.py").write_text(f'password = "{SECRET}"\n')
    commit_all(git_repo, "old secret", "2020-01-01T00:00:00")
    text = runner.invoke(cli, ["scan", str(git_repo), "--history"]).output
    assert "older than the 7-day rotation window" in text and "90-day" not in text


def test_migrate_rewrites_exactly_what_scan_reports(runner: CliRunner, tmp_path: Path) -> None:
    source = ('import smtplib\n'
              'server = smtplib.SMTP("mail.example.org")\n'
              'server.login("__token__", "Wq5#nRt8Yz1-tok")\n'
              'server.login("ops@example.org", "Kq8!vR2xLm")\n')
    (tmp_path / "mail.py").write_text(source)
    found = report(runner, str(tmp_path))["findings"]
    reported = {f["line"] for f in found if not f["rule_id"].endswith("environment")}
    diff = runner.invoke(cli, ["migrate", str(tmp_path)]).output
    rewritten = {int(line.split()[0]) for line in numbered_changes(source, diff)}
    assert reported == rewritten == {4}


def numbered_changes(original: str, diff: str) -> list[str]:
    """`N text` for each original line the diff removes, numbered from the hunk headers (the diff shows the
    removed secrets redacted, so the lines cannot be looked up by their text)."""
    lines = original.splitlines()
    changes, number = [], 0
    for line in diff.splitlines():
        if line.startswith("@@"):
            number = int(line.split()[1].lstrip("-").split(",")[0])
        elif line.startswith("-") and not line.startswith("---"):
            changes.append(f"{number} {lines[number - 1]}")
            number += 1
        elif line.startswith(" "):
            number += 1
    return changes


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes and links")
def test_migrate_keeps_modes_line_endings_and_links(runner: CliRunner, tmp_path: Path) -> None:
    script = tmp_path / "deploy.py"
    script.write_bytes(b'#!/usr/bin/env python3\r\nimport requests\r\n'
                       b'requests.get("https://x.example", auth=("ops", "Kq8!vR2xLm"))\r\n')
    script.chmod(0o755)
    (tmp_path / "link.py").symlink_to("deploy.py")
    assert runner.invoke(cli, ["migrate", str(tmp_path), "--write"]).exit_code == 0
    data = script.read_bytes()
    assert b'os.environ["OPS_PASSWORD"]' in data
    assert data.count(b"\r\n") == data.count(b"\n")  # every line still ends in CRLF
    assert stat.S_IMODE(script.stat().st_mode) == 0o755
    assert (tmp_path / "link.py").is_symlink() and os.readlink(tmp_path / "link.py") == "deploy.py"


@pytest.mark.parametrize(("sent", "expected"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_an_interrupted_run_exits_with_the_signal_code_not_the_findings_code(sent: int, expected: int) -> None:
    waiting = subprocess.Popen([sys.executable, "-m", "credlint", "scan", "-"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(1.5)  # started, and blocked reading standard input
    waiting.send_signal(sent)
    _, err = waiting.communicate(timeout=30)
    assert waiting.returncode == expected, err
    assert b"Traceback" not in err


def test_content_holding_the_commit_marker_does_not_end_the_audit(runner: CliRunner, git_repo: Path) -> None:
    (git_repo / ".gitattributes").write_text("*.ai diff\n")  # diffed as text, NUL bytes and all
    (git_repo / "logo.ai").write_bytes(b"%PDF-1.5\nstream \x00C\x00 more\x00C\x00\nendstream\n")
    commit_all(git_repo, "a drawing", "2024-01-01T10:00:00")
    (git_repo / "app.py").write_text(f'password = "{SECRET}"\n')
    added = commit_all(git_repo, "a secret", "2024-01-02T10:00:00")
    result = runner.invoke(cli, ["scan", str(git_repo), "--history", "--format", "json"])
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    assert [(f["path"], f["commit"]["sha"]) for f in document["findings"]] == [("app.py", added)]
    assert document["summary"]["commits_scanned"] == 2


def test_a_key_regenerated_in_place_is_reported_each_time(runner: CliRunner, git_repo: Path) -> None:
    keys = [clear_key(random.Random(seed)) for seed in (1, 2, 3)]
    commits = []
    for day, key in enumerate(keys, 1):
        (git_repo / "server.key").write_text(key + "\n")  # same BEGIN and END lines every time
        commits.append(commit_all(git_repo, f"key {day}", f"2024-01-0{day}T10:00:00"))
    document = report(runner, str(git_repo), "--history")
    found = sorted((f["commit"]["sha"], f["commit"]["at_head"], f["commit"]["removed_in"])
                   for f in document["findings"])
    assert found == sorted([(commits[0], False, commits[1]), (commits[1], False, commits[2]),
                            (commits[2], True, "")])


def test_history_places_findings_by_position(runner: CliRunner, git_repo: Path) -> None:
    (git_repo / "client.py").write_text(
        "import os\nimport requests\n\n"
        f"# the old value was {SECRET}, rotated\n"
        "def fetch(url):\n"
        '    return requests.get(url, auth=("ops", os.environ["OPS_PASSWORD"]))\n'
        f'password = "{SECRET}"\n')
    commit_all(git_repo, "client")
    tree = report(runner, str(git_repo))
    history = report(runner, str(git_repo), "--history")
    assert places(history) == places(tree)
    assert {f["rule_id"] for f in tree["findings"]} >= {"python-auth-from-environment"}
    assert all(f["commit"]["at_head"] for f in history["findings"])
    assert all("Gone from" not in f["remediation"] for f in history["findings"])


def test_carried_by_counts_commits_of_the_graph_not_of_a_time_window(runner: CliRunner, git_repo: Path) -> None:
    (git_repo / "base.txt").write_text("base\n")
    commit_all(git_repo, "base", "2024-01-01T00:00:00")
    git(git_repo, "checkout", "-qb", "side")
    (git_repo / "side.txt").write_text("side\n")
    commit_all(git_repo, "side work, written while the secret was in main", "2024-01-03T00:00:00")
    git(git_repo, "checkout", "-q", "main")
    (git_repo / "app.py").write_text(f'password = "{SECRET}"\n')
    added = commit_all(git_repo, "secret", "2024-01-02T00:00:00")
    (git_repo / "app.py").write_text("x = 1\n")
    removed = commit_all(git_repo, "secret removed", "2024-01-04T00:00:00")
    git(git_repo, "merge", "-q", "--no-edit", "side")
    [finding] = report(runner, str(git_repo), "--history")["findings"]
    commit = finding["commit"]
    assert (commit["sha"], commit["removed_in"], commit["commits_survived"]) == (added, removed, 1)


def test_a_secret_only_on_the_pushed_branch_is_at_its_tip_not_deleted(runner: CliRunner, git_repo: Path) -> None:
    (git_repo / "base.txt").write_text("base\n")
    commit_all(git_repo, "base")
    git(git_repo, "checkout", "-qb", "feature")
    (git_repo / "app.py").write_text(f'password = "{SECRET}"\n')
    added = commit_all(git_repo, "secret on feature")
    git(git_repo, "checkout", "-q", "main")
    document = report(runner, str(git_repo), "--range", "main..feature")
    [finding] = document["findings"]
    assert (finding["commit"]["sha"], finding["commit"]["at_head"]) == (added, True)
    assert "deleting the line" not in finding["remediation"]
    text = runner.invoke(cli, ["scan", str(git_repo), "--range", "main..feature"]).output
    assert "still in feature" in text


def test_history_reports_everything_the_tree_scan_reports(runner: CliRunner, git_repo: Path) -> None:
    call = ('requests.get("https://api.example.org", auth=(\n'
            '    "ops",\n'
            '    os.environ["{}"],\n'
            "))\n")
    (git_repo / "a.env").write_text(f"DB_PASSWORD={SHARED_SECRET}\n")
    (git_repo / "b.py").write_text(f'import os\nimport requests\n\npassword = "{SHARED_SECRET}"\n' + call.format("OLD"))
    commit_all(git_repo, "everything at once", "2024-01-01T10:00:00")
    (git_repo / "b.py").write_text(f'import os\nimport requests\n\npassword = "{SHARED_SECRET}"\n'
                                   + call.format("OPS_PASSWORD"))
    renamed = commit_all(git_repo, "one line of the call changes: no call in the patch", "2024-01-02T10:00:00")
    tree = report(runner, str(git_repo))
    history = report(runner, str(git_repo), "--history")
    assert ("python-auth-from-environment", "b.py", 7) in places(tree)
    at_head = {p for p, f in zip(places_list(history), history["findings"], strict=True) if f["commit"]["at_head"]}
    assert places(tree) == at_head
    [advisory] = [f for f in history["findings"] if f["rule_id"] == "python-auth-from-environment"]
    assert advisory["commit"]["sha"] == renamed  # by blame: the line the call reads now came with this commit
    related = {(f["path"], f["line"]): len(f.get("related", [])) for f in history["findings"]}
    assert related[("a.env", 1)] == related[("b.py", 4)] == 1
