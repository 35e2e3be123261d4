"""Reports, baselines and rewritten files are written whole, with the mode a user expects, and never by
replacing what must be written into (a device, a FIFO, a link's target)."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from credlint.cli import cli
from credlint.cli.output import OutputError, write_text

TOKEN_LINE = 'KEY = "glpat-Qm7Xw2Lk9Vt4Rz8Np3Hs"\n'


def test_a_new_report_gets_the_umask_mode(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_text(tmp_path / "report.json", "{}")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "report.json").stat().st_mode) == 0o644


def test_an_existing_file_keeps_its_mode(tmp_path: Path) -> None:
    script = tmp_path / "deploy.sh"
    script.write_text("echo old\n")
    script.chmod(0o750)
    write_text(script, "echo new\n")
    assert (script.read_text(), stat.S_IMODE(script.stat().st_mode)) == ("echo new\n", 0o750)


def test_a_symbolic_link_is_written_through_not_replaced(tmp_path: Path) -> None:
    target = tmp_path / "real.sarif"
    target.write_text("old")
    link = tmp_path / "link.sarif"
    link.symlink_to(target)
    write_text(link, "new")
    assert link.is_symlink() and target.read_text() == "new"


def test_a_fifo_is_written_into(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    write_text(fifo, "report")
    reader.join(timeout=10)
    assert received == [b"report"] and stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.skipif(os.geteuid() == 0, reason="as root a wrong write would replace the machine's /dev/null")
def test_dev_null_stays_a_device() -> None:
    write_text(Path(os.devnull), "discarded")
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_line_endings_can_be_kept(tmp_path: Path) -> None:
    write_text(tmp_path / "a.py", "x = 1\ny = 2\n", newline="\r\n")
    assert (tmp_path / "a.py").read_bytes() == b"x = 1\r\ny = 2\r\n"


def test_a_missing_folder_is_a_usage_error_naming_it(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(TOKEN_LINE)
    out = tmp_path / "missing" / "report.sarif"
    result = runner.invoke(cli, ["scan", str(tmp_path), "--format", "sarif", "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr == f"credlint: error: {out}: folder {out.parent} does not exist\n"
    with pytest.raises(OutputError):
        write_text(out, "x")


def test_the_ci_form_says_why_it_failed(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(TOKEN_LINE)
    out = tmp_path / "credlint.sarif"
    result = runner.invoke(cli, ["scan", str(tmp_path), "--format", "sarif", "-o", str(out)])
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == f"credlint: 1 finding (high 1) written to {out}\n"
    assert json.loads(out.read_text())["runs"][0]["results"][0]["ruleId"] == "gitlab-pat"
