"""Faults during a scan: signals in the middle of a history, an output that cannot be written, files that
vanish, two baseline updates at once. Each leaves a clear exit code and never half a report."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from credlint.sources.base import FileRef, ReadLimits
from credlint.sources.tree import read_file
from tests.conftest import git
from tests.fakes import crc32_token

TOKEN = crc32_token("ghp_", random.Random(77))


def long_history(repo: Path, commits: int = 20000) -> None:
    """Many commits at once, through fast-import: a history scan that takes a while. Every change holds a
    keyword (`token`), so that every patch is parsed and searched: patches without one are skipped unread, and
    such a history took 1.1 s in all, too close to the signal's second."""
    stream = []
    for n in range(commits):
        body = f"token_{n} = {n}\n" * 50
        stream.append(f"commit refs/heads/main\ncommitter T <t@example.org> {1700000000 + n} +0000\n"
                      f"data 3\nc{n % 10}\n"
                      f"M 100644 inline file{n % 200}.py\ndata {len(body)}\n{body}\n")
    subprocess.run(["git", "-C", str(repo), "fast-import", "--quiet"], input="".join(stream), text=True, check=True)
    git(repo, "reset", "-q", "--hard", "main")


@pytest.mark.slow  # builds a 20,000-commit history
@pytest.mark.parametrize(("sent", "expected"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_during_a_history_scan_leaves_no_report(git_repo: Path, sent: int, expected: int) -> None:
    long_history(git_repo)
    report = git_repo.parent / "report.json"
    scan = subprocess.Popen([sys.executable, "-m", "credlint", "scan", ".", "--history", "--quiet", "--format",
                             "json", "-o", str(report)], cwd=git_repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(1.0)
    if scan.poll() is not None:
        pytest.skip("the history was scanned before the signal could be sent")
    scan.send_signal(sent)
    _, err = scan.communicate(timeout=60)
    assert scan.returncode == expected, err
    assert b"Traceback" not in err
    assert not report.exists()
    assert not [p.name for p in git_repo.parent.iterdir() if p.name.startswith(".report.json")]


def credlint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "credlint", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
def test_output_to_a_full_device_is_exit_2_naming_it(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(f'token = "{TOKEN}"\n')
    result = credlint("scan", ".", "-o", "/dev/full", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()] and "/dev/full" in result.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_output_into_a_read_only_folder_is_exit_2_naming_it(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(f'token = "{TOKEN}"\n')
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    result = credlint("scan", ".", "-o", str(folder / "r.txt"), cwd=tmp_path)
    assert result.returncode == 2 and str(folder) in result.stderr


def test_a_file_that_vanishes_before_it_is_read_is_counted(tmp_path: Path) -> None:
    gone = tmp_path / "gone.txt"
    assert read_file(FileRef(str(gone), "gone.txt"), ReadLimits(1 << 20)).reason == "vanished"  # type: ignore[union-attr]


def test_a_file_that_grows_past_the_limit_while_read_is_not_half_scanned(tmp_path: Path) -> None:
    path = tmp_path / "growing.txt"
    path.write_text("x" * 100)
    limits = ReadLimits(50)  # listed at 100 bytes against a limit of 50: never read at all
    skip = read_file(FileRef(str(path), "growing.txt"), limits)
    assert getattr(skip, "reason", None) == "too-large"


@pytest.mark.slow
def test_two_baseline_updates_at_once_leave_one_valid_baseline(git_repo: Path) -> None:
    for n in range(30):
        (git_repo / f"m{n}.py").write_text(f'token = "{crc32_token("ghp_", random.Random(n))}"\n')
    baseline = git_repo / ".credlint-baseline.json"
    assert credlint("baseline", "create", ".", "-o", str(baseline), cwd=git_repo).returncode == 0
    assert credlint("baseline", "update", ".", "--add-new", cwd=git_repo).returncode == 0
    sequential = baseline.read_text()
    runs = [subprocess.Popen([sys.executable, "-m", "credlint", "baseline", "update", ".", "--add-new"],
                             cwd=git_repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(4)]
    assert [run.wait(timeout=120) for run in runs] == [0, 0, 0, 0]
    assert json.loads(baseline.read_text()) == json.loads(sequential)
    assert not [p.name for p in git_repo.iterdir() if p.name.startswith(".credlint-baseline.json.")]
