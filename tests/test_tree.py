"""Bad input is counted and reported, never fatal: binary, huge, invalid UTF-8, links, odd names, .gitignore."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from credlint.cli import cli
from tests.conftest import git


def scan_json(runner: CliRunner, *args: str) -> dict[str, object]:
    result = runner.invoke(cli, ["scan", *args, "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    document: dict[str, object] = json.loads(result.output)
    return document


def skipped(document: dict[str, object]) -> list[tuple[str, str]]:
    summary = document["summary"]
    assert isinstance(summary, dict)
    return sorted((s["path"], s["reason"]) for s in summary["skipped_files"])


def test_bad_files_are_skipped_and_counted(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n")
    (tmp_path / "blob.dat2").write_bytes(b"abc\0def")
    (tmp_path / "huge.txt").write_text("a" * 2048)
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    (tmp_path / "dangling").symlink_to(tmp_path / "missing-target")
    (tmp_path / "config.yml").write_text("x: 1\n")
    (tmp_path / "pyproject.toml").write_text("[tool.credlint]\nmax_file_size = 1024\n")
    document = scan_json(runner, str(tmp_path))
    assert skipped(document) == [("blob.dat2", "binary"), ("dangling", "broken-symlink"), ("huge.txt", "too-large"),
                                 ("image.png", "binary"), ("loop", "symlink-loop")]
    assert document["summary"]["files_scanned"] == 2  # type: ignore[index]


def test_invalid_utf8_is_still_scanned(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "latin1.py").write_bytes(b'# caf\xe9\npassword = "Hq7!vRt2Lx9"\n')
    document = scan_json(runner, str(tmp_path))
    assert [(f["path"], f["line"]) for f in document["findings"]] == [("latin1.py", 2)]  # type: ignore[attr-defined]


def test_odd_file_names(runner: CliRunner, tmp_path: Path) -> None:
    odd = os.fsencode(tmp_path) + b"/we\xffird name.py"
    with open(odd, "wb") as handle:
        handle.write(b'password = "Hq7!vRt2Lx9"\n')
    document = scan_json(runner, str(tmp_path))
    assert [f["path"] for f in document["findings"]] == ["we\ufffdird name.py"]  # type: ignore[attr-defined]


def test_git_tree_respects_gitignore(runner: CliRunner, git_repo: Path) -> None:
    (git_repo / ".gitignore").write_text("build/\n")
    (git_repo / "build").mkdir()
    (git_repo / "build" / "out.py").write_text('password = "Hq7!vRt2Lx9"\n')
    (git_repo / "tracked.py").write_text('password = "Zx8!kLq2Vm7"\n')
    git(git_repo, "add", "tracked.py", ".gitignore")
    git(git_repo, "commit", "-qm", "init")
    (git_repo / "untracked.py").write_text('password = "Wq5#nRt8Yz1"\n')
    document = scan_json(runner, str(git_repo))
    assert sorted(f["path"] for f in document["findings"]) == ["tracked.py", "untracked.py"]  # type: ignore[attr-defined]


def test_scanning_a_subfolder_of_a_repository_reports_repo_relative_paths(runner: CliRunner, git_repo: Path) -> None:
    (git_repo / "pkg").mkdir()
    (git_repo / "pkg" / "a.py").write_text('password = "Hq7!vRt2Lx9"\n')
    (git_repo / "other.py").write_text('password = "Zx8!kLq2Vm7"\n')
    document = scan_json(runner, str(git_repo / "pkg"))
    assert [f["path"] for f in document["findings"]] == ["pkg/a.py"]  # type: ignore[attr-defined]


def test_an_ignored_path_the_user_names_is_scanned_and_ignored_files_are_counted(runner: CliRunner, git_repo: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(git_repo)
    (git_repo / ".gitignore").write_text(".env\nbuild/\n")
    (git_repo / ".env").write_text("DB_PASSWORD=Harbor2024!blue\n")
    (git_repo / "build").mkdir()
    (git_repo / "build" / "settings.py").write_text('password = "Q7wYtN2kLp9v!x"\n')
    named = json.loads(runner.invoke(cli, ["scan", ".env", "--format", "json"]).stdout)
    assert [f["path"] for f in named["findings"]] == [".env"]
    folder = json.loads(runner.invoke(cli, ["scan", "build", "--format", "json"]).stdout)
    assert [f["path"] for f in folder["findings"]] == ["build/settings.py"]
    everything = json.loads(runner.invoke(cli, ["scan", ".", "--format", "json"]).stdout)
    assert everything["findings"] == []
    assert sorted((s["path"], s["reason"]) for s in everything["summary"]["skipped_files"]) == [
        (".env", "gitignored"), ("build", "gitignored")]
    unignored = json.loads(runner.invoke(cli, ["scan", ".", "--format", "json", "--no-git-ignore"]).stdout)
    assert sorted(f["path"] for f in unignored["findings"]) == [".env", "build/settings.py"]
