"""The bad-input matrix of docs/reliability.md: one case a row, each with its expected outcome — a finding,
a counted skip with its reason, or exit 2 with a one-line message; never a traceback, never exit 0 on a scan
that did not happen. Inputs are built at run time."""

from __future__ import annotations

import json
import os
import random
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from credlint.cli import cli
from tests.conftest import git
from tests.fakes import crc32_token

TOKEN = crc32_token("ghp_", random.Random(13))
LINE = f'token = "{TOKEN}"\n'


def scan(runner: CliRunner, *args: str) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(cli, ["scan", *args, "--format", "json", "--quiet"])
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.stderr
    return result.exit_code, json.loads(result.stdout)


def found(report: dict[str, Any]) -> list[tuple[str, int, int]]:
    return [(f["path"], f["line"], f["column"]) for f in report["findings"]]


def skipped(report: dict[str, Any]) -> dict[str, str]:
    return {s["path"]: s["reason"] for s in report["summary"]["skipped_files"]}


# Files: (name, content) -> expected (findings as (path, line, column), skips as {path: reason}).

def token_at(line: int, column: int = 10) -> list[tuple[str, int, int]]:
    return [("f.txt", line, column)]


CONTENT_CASES: dict[str, tuple[bytes, list[tuple[str, int, int]], dict[str, str]]] = {
    "nul-binary": (b"\0\1\2" + LINE.encode(), [], {"f.txt": "binary"}),
    "invalid-utf8": (b"caf\xe9 \xff\xfe\n" + LINE.encode(), token_at(2), {}),
    "utf16-le-bom": (LINE.encode("utf-16"), token_at(1), {}),
    "utf16-be-bom": (b"\xfe\xff" + LINE.encode("utf-16-be"), token_at(1), {}),
    "utf8-bom": (b"\xef\xbb\xbf" + LINE.encode(), token_at(1), {}),
    "crlf": (b"a = 1\r\nb = 2\r\n" + LINE.replace("\n", "\r\n").encode(), token_at(3), {}),
    "cr-only": (b"a = 1\rb = 2\r" + LINE.replace("\n", "\r").encode(), token_at(3), {}),
    "nul-after-sniff": (b"x = 1\n" * 2000 + b"\0\n" + LINE.encode(), token_at(2002), {}),
    "empty": (b"", [], {}),
    "no-final-newline": (LINE.rstrip("\n").encode(), token_at(1), {}),
}


@pytest.mark.parametrize("case", sorted(CONTENT_CASES))
def test_content(runner: CliRunner, tmp_path: Path, case: str) -> None:
    data, expected, skips = CONTENT_CASES[case]
    (tmp_path / "f.txt").write_bytes(data)
    _, report = scan(runner, str(tmp_path))
    assert found(report) == expected
    assert skipped(report) == skips


@pytest.mark.parametrize("name,content,reason", [
    ("logo.png", b"\x89PNG\r\n\x1a\n" + LINE.encode(), "binary"),
    ("mod.pyc", b"\x6f\x0d\x0d\x0a" + LINE.encode(), "binary"),
])
def test_binary_formats_are_counted(runner: CliRunner, tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    (tmp_path / name).write_bytes(content)
    _, report = scan(runner, str(tmp_path))
    assert report["findings"] == [] and skipped(report) == {name: reason}


ODD_NAMES = ["new\nline.txt", "tab\there.txt", '"quoted".txt', "back\\slash.txt", "-dash.txt",
             "\x1b[31mred.txt", "\x1b]8;;https:example.org\x07link.txt", "cr\rname.txt"]


@pytest.mark.parametrize("name", ODD_NAMES)
def test_odd_file_names_are_scanned_and_shown_safely(runner: CliRunner, tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text(LINE)
    code, report = scan(runner, str(tmp_path))
    assert code == 1 and [f["path"] for f in report["findings"]] == [name]
    text = runner.invoke(cli, ["scan", str(tmp_path), "--quiet"]).stdout
    assert not any(c in text for c in "\x1b\r\x07"), repr(text)


def test_non_utf8_file_name_is_scanned(runner: CliRunner, tmp_path: Path) -> None:
    raw = os.fsencode(str(tmp_path)) + b"/caf\xe9.txt"
    with open(raw, "wb") as handle:
        handle.write(LINE.encode())
    code, report = scan(runner, str(tmp_path))
    assert code == 1 and [f["path"] for f in report["findings"]] == ["caf\ufffd.txt"]


def make_loop(folder: Path) -> None:
    (folder / "loop").symlink_to(folder / "loop")


def make_dangling(folder: Path) -> None:
    (folder / "dangling").symlink_to(folder / "nowhere")


def make_fifo(folder: Path) -> None:
    os.mkfifo(folder / "fifo")


def make_device(folder: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("making a device node needs root")
    os.mknod(folder / "device", stat.S_IFCHR | 0o666, os.makedev(1, 3))


SPECIAL_FILES: dict[str, tuple[Callable[[Path], None], str, str]] = {
    "symlink-loop": (make_loop, "loop", "symlink-loop"),
    "dangling-link": (make_dangling, "dangling", "broken-symlink"),
    "fifo": (make_fifo, "fifo", "not-a-file"),
    "device": (make_device, "device", "not-a-file"),
}


@pytest.mark.parametrize("case", sorted(SPECIAL_FILES))
def test_special_files_are_counted(runner: CliRunner, tmp_path: Path, case: str) -> None:
    make, name, reason = SPECIAL_FILES[case]
    make(tmp_path)
    (tmp_path / "ok.txt").write_text(LINE)
    code, report = scan(runner, str(tmp_path))
    assert code == 1 and [f["path"] for f in report["findings"]] == ["ok.txt"]
    assert skipped(report) == {name: reason}


def without_file_access_override() -> None:
    """For a scan run by root: drop the capabilities that let root read any file (CAP_DAC_OVERRIDE,
    CAP_DAC_READ_SEARCH) from the child's bounding set, so that it meets permissions as a user does."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def test_an_unreadable_file_is_counted(tmp_path: Path) -> None:
    (tmp_path / "unreadable").write_text(LINE)
    (tmp_path / "unreadable").chmod(0)
    (tmp_path / "ok.txt").write_text(LINE)
    report = tmp_path / "report.json"
    as_user = without_file_access_override if os.geteuid() == 0 else None
    try:
        done = subprocess.run([sys.executable, "-m", "credlint", "scan", str(tmp_path), "--format", "json", "--quiet",
                               "-o", str(report)], capture_output=True, text=True, timeout=120, preexec_fn=as_user)
    except subprocess.SubprocessError as exc:  # a container that forbids dropping capabilities
        pytest.skip(f"cannot run the scan without root's file access: {exc}")
    assert done.returncode == 1, done.stderr
    result = json.loads(report.read_text())
    assert [f["path"] for f in result["findings"]] == ["ok.txt"]
    assert skipped(result) == {"unreadable": "unreadable"}


def test_deep_nesting(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path
    for level in range(200):
        folder = folder / f"d{level % 10}"
    folder.mkdir(parents=True)
    (folder / "deep.txt").write_text(LINE)
    code, report = scan(runner, str(tmp_path))
    assert code == 1 and len(report["findings"]) == 1


def test_path_that_does_not_exist_is_exit_2(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "credlint", "scan", str(tmp_path / "missing")],
                            capture_output=True, text=True)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1


# Git: each repository shape, and what the scan says about it.

def commit_all(repo: Path, message: str = "c") -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)
    return git(repo, "rev-parse", "HEAD").strip()


def test_detached_head(runner: CliRunner, git_repo: Path) -> None:
    (git_repo / "a.txt").write_text(LINE)
    sha = commit_all(git_repo)
    git(git_repo, "checkout", "-q", "--detach", sha)
    code, report = scan(runner, str(git_repo), "--history")
    assert code == 1 and report["findings"][0]["commit"]["at_head"] is True


@pytest.mark.slow
def test_ten_thousand_branches(runner: CliRunner, git_repo: Path) -> None:
    (git_repo / "a.txt").write_text(LINE)
    sha = commit_all(git_repo)
    refs = "".join(f"create refs/heads/b{i} {sha}\n" for i in range(10_000))
    subprocess.run(["git", "-C", str(git_repo), "update-ref", "--stdin"], input=refs, text=True, check=True)
    code, report = scan(runner, str(git_repo), "--history")
    assert code == 1 and len(report["findings"]) == 1


def test_corrupt_loose_object_is_exit_2_with_one_line(git_repo: Path) -> None:
    (git_repo / "a.txt").write_text(LINE)
    commit_all(git_repo)
    blob = git(git_repo, "rev-parse", "HEAD:a.txt").strip()
    path = git_repo / ".git" / "objects" / blob[:2] / blob[2:]
    path.chmod(0o644)
    path.write_bytes(b"not zlib at all")
    result = subprocess.run([sys.executable, "-m", "credlint", "scan", ".", "--history"], cwd=git_repo,
                            capture_output=True, text=True)
    assert result.returncode == 2, result.stdout
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_missing_pack_is_exit_2_with_one_line(git_repo: Path) -> None:
    (git_repo / "a.txt").write_text(LINE)
    commit_all(git_repo)
    git(git_repo, "gc", "-q")
    for pack in (git_repo / ".git" / "objects" / "pack").glob("*.pack"):
        pack.unlink()
    result = subprocess.run([sys.executable, "-m", "credlint", "scan", ".", "--history"], cwd=git_repo,
                            capture_output=True, text=True)
    assert result.returncode == 2, result.stdout
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_git_dir_pointing_at_garbage_is_exit_2(git_repo: Path, tmp_path: Path) -> None:
    garbage = tmp_path / "garbage"
    garbage.mkdir()
    env = {**os.environ, "GIT_DIR": str(garbage)}
    for args in (["scan", ".", "--history"], ["scan", ".", "--staged"]):
        result = subprocess.run([sys.executable, "-m", "credlint", *args], cwd=git_repo, capture_output=True,
                                text=True, env=env)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_worktree_is_scanned_as_its_repository(runner: CliRunner, git_repo: Path, tmp_path: Path) -> None:
    (git_repo / "a.txt").write_text(LINE)
    commit_all(git_repo)
    other = tmp_path / "other"
    git(git_repo, "worktree", "add", "-q", str(other), "-b", "side")
    code, tree = scan(runner, str(other))
    assert code == 1 and [f["path"] for f in tree["findings"]] == ["a.txt"]
    code, history = scan(runner, str(other), "--history")
    assert code == 1 and [f["path"] for f in history["findings"]] == ["a.txt"]


def test_submodule_is_said_not_followed(runner: CliRunner, git_repo: Path, tmp_path: Path) -> None:
    inner = tmp_path / "inner"
    inner.mkdir()
    git(inner, "init", "-q", "-b", "main")
    (inner / "secret.txt").write_text(LINE)
    commit_all(inner)
    (git_repo / "README.md").write_text("hello\n")
    commit_all(git_repo)
    git(git_repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(inner), "inner")
    commit_all(git_repo)
    _, report = scan(runner, str(git_repo), "--history")
    assert any("submodules are not followed" in w for w in report["summary"]["warnings"])
    _, tree = scan(runner, str(git_repo))
    assert skipped(tree) == {"inner": "submodule"}


def peak_of(args: list[str], cwd: Path) -> tuple[dict[str, Any], float]:
    """A scan's JSON report and its peak resident memory in MiB (of credlint and its children)."""
    code = ("import resource, subprocess, sys; p = subprocess.run(sys.argv[1:], capture_output=True);"
            "sys.stdout.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))")
    report = cwd / "report.json"
    out = subprocess.run([sys.executable, "-c", code, sys.executable, "-m", "credlint", *args, "--format", "json",
                          "--quiet", "-o", str(report)], cwd=cwd, capture_output=True, text=True, timeout=600)
    return json.loads(report.read_text()), int(out.stdout) / 1024


@pytest.mark.slow
def test_a_200_mb_file_is_skipped_without_being_read(tmp_path: Path) -> None:
    with open(tmp_path / "huge.txt", "wb") as handle:
        handle.truncate(200 << 20)  # sparse: 200 MB that takes no disk
    report, peak = peak_of(["scan", "huge.txt"], tmp_path)
    assert skipped(report) == {"huge.txt": "too-large"} and peak < 80


@pytest.mark.slow
@pytest.mark.parametrize("with_secret", [False, True])
def test_a_50_mb_single_line(tmp_path: Path, with_secret: bool) -> None:
    filler = "".join(random.Random(3).choice("abcdefghij ,:{}[]") for _ in range(1000))
    line = (filler * 50_000)[:50_000_000]
    middle = len(line) // 2
    planted = f' "token": "{TOKEN}" ' if with_secret else ""
    (tmp_path / "recorded.json").write_text(line[:middle] + planted + line[middle:] + "\n")
    report, peak = peak_of(["scan", "recorded.json", "--max-file-size", str(64 << 20)], tmp_path)
    assert len(report["findings"]) == (1 if with_secret else 0)
    assert peak < 5 * 50, f"peak {peak:.0f} MiB for a 50 MB line"  # the bytes, the text, and working room


@pytest.mark.slow
def test_a_hundred_thousand_small_files(tmp_path: Path) -> None:
    for folder in range(100):
        (tmp_path / f"d{folder}").mkdir()
        for n in range(1000):
            (tmp_path / f"d{folder}" / f"f{n}.py").write_text(f"value_{n} = {n}\n")
    (tmp_path / "d7" / "f7.py").write_text(LINE)
    report, peak = peak_of(["scan", "."], tmp_path)
    assert report["summary"]["files_scanned"] == 100_000 and len(report["findings"]) == 1
    assert peak < 150, f"peak {peak:.0f} MiB"
