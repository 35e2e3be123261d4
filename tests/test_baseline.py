"""Baselines: accept today's findings, report only new ones, survive line moves, merge without conflicts."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from credlint.cli import cli
from tests.conftest import git

ACCEPTED = ['DB_PASSWORD = "Hq7!vRt2Lx9"', 'API_SECRET = "2E/ZNacl/tzfxXr6e5giSNHKZLWrr7RvOjRAIO7PL6I="',
            'LDAP_PASSWORD = "breeze-fjord-breeze-54"']
NEW = 'SMTP_PASSWORD = "Wq5#nRt8Yz1"'


def scan_json(runner: CliRunner, *args: str) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(cli, ["scan", *args, "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.output)


def lines_reported(document: dict[str, Any]) -> list[tuple[str, int]]:
    return [(f["path"], f["line"]) for f in document["findings"]]


@pytest.fixture
def accepted_repo(git_repo: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> Path:
    (git_repo / "settings.py").write_text("\n".join(ACCEPTED) + "\n")
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-qm", "settings")
    monkeypatch.chdir(git_repo)
    created = runner.invoke(cli, ["baseline", "create"])
    assert created.exit_code == 0, created.output
    assert created.output.endswith("3 accepted finding(s)\n")
    return git_repo


def test_only_the_new_finding_is_reported(runner: CliRunner, accepted_repo: Path) -> None:
    (accepted_repo / "settings.py").write_text("\n".join([*ACCEPTED, NEW]) + "\n")
    code, document = scan_json(runner, ".", "--baseline", ".credlint-baseline.json")
    assert (code, lines_reported(document)) == (1, [("settings.py", 4)])
    assert document["findings"][0]["baseline_state"] == "new"
    assert document["summary"]["baselined"] == 3


def test_moving_accepted_lines_keeps_them_accepted(runner: CliRunner, accepted_repo: Path) -> None:
    (accepted_repo / "settings.py").write_text("x = 1\n" * 20 + "\n".join(ACCEPTED) + "\n")
    code, document = scan_json(runner, ".", "--baseline", ".credlint-baseline.json")
    assert (code, document["findings"]) == (0, [])


def test_editing_an_accepted_value_reports_it_again(runner: CliRunner, accepted_repo: Path) -> None:
    edited = [ACCEPTED[0].replace("Hq7!vRt2Lx9", "Hq7!vRt2Lx0"), *ACCEPTED[1:]]
    (accepted_repo / "settings.py").write_text("\n".join(edited) + "\n")
    _, document = scan_json(runner, ".", "--baseline", ".credlint-baseline.json")
    assert lines_reported(document) == [("settings.py", 1)]


def test_baseline_never_holds_the_secret(accepted_repo: Path) -> None:
    text = (accepted_repo / ".credlint-baseline.json").read_text()
    assert "Hq7!vRt2Lx9" not in text and "breeze" not in text
    assert text.splitlines()[-1] == "null]}" and all(line.endswith(",") for line in text.splitlines()[1:-1])
    # The salt is in the file: passwords get a slow hash, the generated secret a keyed one.
    entries = [json.loads(line.rstrip(",")) for line in text.splitlines()[1:-1]]
    assert sorted(e["hash"].startswith("scrypt:") for e in entries) == [False, True, True]


def test_update_drops_stale_entries_and_adds_only_when_asked(runner: CliRunner, accepted_repo: Path) -> None:
    (accepted_repo / "settings.py").write_text("\n".join([ACCEPTED[0], NEW]) + "\n")
    updated = runner.invoke(cli, ["baseline", "update"])
    assert updated.output.endswith("1 entries (0 added, 2 dropped)\n")
    assert lines_reported(scan_json(runner, ".", "--baseline", ".credlint-baseline.json")[1]) == [("settings.py", 2)]
    added = runner.invoke(cli, ["baseline", "update", "--add-new"])
    assert added.output.endswith("2 entries (1 added, 0 dropped)\n")
    assert scan_json(runner, ".", "--baseline", ".credlint-baseline.json")[0] == 0


def test_two_branches_updating_the_baseline_merge_cleanly(runner: CliRunner, accepted_repo: Path) -> None:
    git(accepted_repo, "add", ".")
    git(accepted_repo, "commit", "-qm", "baseline")
    for branch, line in (("one", 'A_PASSWORD = "Kq2!mZp8Wx4"'), ("two", 'B_PASSWORD = "Rt6#vLq9Np3"')):
        git(accepted_repo, "checkout", "-q", "-b", branch, "main")
        (accepted_repo / f"{branch}.py").write_text(line + "\n")
        assert runner.invoke(cli, ["baseline", "update", "--add-new"]).exit_code == 0
        git(accepted_repo, "add", ".")
        git(accepted_repo, "commit", "-qm", f"accept {branch}")
    git(accepted_repo, "checkout", "-q", "one")
    merged = subprocess.run(["git", "-C", str(accepted_repo), "merge", "-q", "--no-edit", "two"],
                            capture_output=True, text=True, check=False)
    assert merged.returncode == 0, merged.stdout + merged.stderr
    code, document = scan_json(runner, ".", "--baseline", ".credlint-baseline.json")
    assert (code, document["findings"], document["summary"]["baselined"]) == (0, [], 5)


@pytest.mark.parametrize(("content", "message"), [
    pytest.param("{not json", "corrupt baseline", id="corrupt"),
    pytest.param('{"format": "credlint-baseline", "version": 99, "salt": "00", "entries": []}',
                 "baseline version 99 is not supported", id="unknown-version"),
    pytest.param('{"results": {}}', "not a credlint baseline", id="other-format"),
])
def test_bad_baseline_is_exit_2(content: str, message: str, tmp_path: Path, runner: CliRunner) -> None:
    bad = tmp_path / "b.json"
    bad.write_text(content)
    result = runner.invoke(cli, ["scan", str(tmp_path), "--baseline", str(bad)])
    assert result.exit_code == 2
    assert message in result.output


def test_sarif_marks_baseline_state(runner: CliRunner, accepted_repo: Path) -> None:
    from tests.helpers import validate_sarif

    (accepted_repo / "settings.py").write_text("\n".join([*ACCEPTED, NEW]) + "\n")
    args = ["scan", ".", "--baseline", ".credlint-baseline.json", "--format", "sarif"]
    document = json.loads(runner.invoke(cli, args).output)
    validate_sarif(document)
    assert [r["baselineState"] for r in document["runs"][0]["results"]] == ["new"]
    everything = json.loads(runner.invoke(cli, [*args, "--show-suppressed"]).output)
    assert sorted(r["baselineState"] for r in everything["runs"][0]["results"]) == ["new"] + ["unchanged"] * 3


def test_import_a_real_detect_secrets_baseline(runner: CliRunner, git_repo: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """detect-secrets scans the repo itself; an entry audited as a real secret stays reported."""
    (git_repo / "settings.py").write_text("\n".join(ACCEPTED) + "\n")
    git(git_repo, "add", ".")
    monkeypatch.chdir(git_repo)
    scanned = subprocess.run([sys.executable, "-m", "detect_secrets", "scan"], capture_output=True, text=True,
                             check=True)
    data = json.loads(scanned.stdout)
    entries = data["results"]["settings.py"]
    assert entries, "detect-secrets found nothing to import"
    for entry in entries:  # audit: the LDAP password is real, everything else a false positive
        entry["is_secret"] = entry["line_number"] == 3
    Path(".secrets.baseline").write_text(json.dumps(data))
    imported = runner.invoke(cli, ["baseline", "import", ".secrets.baseline"])
    assert imported.exit_code == 0, imported.output
    _, document = scan_json(runner, ".", "--baseline", ".credlint-baseline.json", "--exclude", ".secrets.baseline")
    reported = lines_reported(document)
    assert ("settings.py", 3) in reported
    found_by_detect_secrets = {e["line_number"] for e in entries if not e["is_secret"]}
    assert not found_by_detect_secrets & {line for _, line in reported}


def test_a_github_token_audited_real_stays_reported_whatever_else_is_on_its_line(
        runner: CliRunner, git_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """detect-secrets' GitHub detector hashes only the prefix (`ghp`); an unaudited high-entropy entry on the
    same line hashes the whole token. The audit (`is_secret: true`) must win."""
    import random

    from tests.fakes import crc32_token

    token = crc32_token("ghp_", random.Random(3))
    (git_repo / "settings.py").write_text(f'GITHUB_TOKEN = "{token}"\n')
    git(git_repo, "add", ".")
    monkeypatch.chdir(git_repo)
    scanned = subprocess.run([sys.executable, "-m", "detect_secrets", "scan"], capture_output=True, text=True,
                             check=True)
    data = json.loads(scanned.stdout)
    entries = data["results"]["settings.py"]
    by_type = {e["type"]: e for e in entries}
    assert by_type["GitHub Token"]["hashed_secret"] == hashlib.sha1(b"ghp").hexdigest()  # the trap itself
    by_type["GitHub Token"]["is_secret"] = True  # audited: real
    Path(".secrets.baseline").write_text(json.dumps(data))
    assert runner.invoke(cli, ["baseline", "import", ".secrets.baseline"]).exit_code == 0
    _, document = scan_json(runner, ".", "--baseline", ".credlint-baseline.json", "--exclude", ".secrets.baseline")
    assert lines_reported(document) == [("settings.py", 1)]


def test_audit_marks_real_secrets_reported_again_and_false_alarms_accepted(runner: CliRunner,
                                                                          accepted_repo: Path) -> None:
    """Answered at the prompt as a person at a terminal would: the first real, the second a false alarm,
    then quit; the marks are saved as they are given."""
    audited = runner.invoke(cli, ["baseline", "audit"], input="y\nn\nq\n")
    assert audited.exit_code == 0, audited.output
    assert audited.output.count("Real secret? [y]es, [n]o (false alarm), [s]kip, [q]uit") == 3
    assert audited.output.splitlines()[-1].endswith(
        "1 marked real (reported again until removed and rotated), 1 marked false alarms, 1 left to audit")
    marks = [json.loads(line.rstrip(","))
             for line in (accepted_repo / ".credlint-baseline.json").read_text().splitlines()[1:-1]]
    assert sorted(m.get("audit", "") for m in marks) == ["", "false-positive", "real"]
    _, document = scan_json(runner, ".", "--baseline", ".credlint-baseline.json")
    assert len(lines_reported(document)) == 1  # the one marked real is reported again
    again = runner.invoke(cli, ["baseline", "audit"], input="s\n")
    assert "0 marked real" in again.output.splitlines()[-1] and again.output.count("Real secret?") == 1


def test_audit_at_a_real_terminal(accepted_repo: Path) -> None:
    """The same questions on a pseudo-terminal, as a person at a shell sees them."""
    import pty
    import select

    main, child = pty.openpty()
    process = subprocess.Popen([str(Path(sys.executable).with_name("credlint")), "baseline", "audit"],
                               cwd=accepted_repo, stdin=child, stdout=child, stderr=child)
    os.close(child)
    seen, answers = b"", [b"n\n", b"n\n", b"n\n"]
    while process.poll() is None or select.select([main], [], [], 0.1)[0]:
        if not select.select([main], [], [], 5)[0]:
            break
        try:
            chunk = os.read(main, 4096)
        except OSError:
            break
        seen += chunk
        if chunk.rstrip().endswith(b"[q]uit:") and answers:
            os.write(main, answers.pop(0))
    process.wait(timeout=30)
    os.close(main)
    assert process.returncode == 0 and seen.count(b"Real secret?") == 3
    assert b"0 marked real (reported again until removed and rotated), 3 marked false alarms, 0 left" in seen
