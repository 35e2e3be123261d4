"""The real pre-commit framework runs this repository's hooks (`pre-commit try-repo`) in a throwaway repo."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, git
from tests.fakes import crc32_token

pytestmark = pytest.mark.skipif(shutil.which("git") is None or not (REPO_ROOT / ".git").exists(),
                                reason="needs git and a git checkout of credlint (an sdist has none)")


def pre_commit(*args: str, cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, check=False, timeout=600)


def test_manifest_is_valid(tmp_path: Path) -> None:
    result = pre_commit("validate-manifest", str(REPO_ROOT / ".pre-commit-hooks.yaml"), cwd=tmp_path,
                        home=tmp_path / "cache")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_try_repo_blocks_a_fake_token_and_passes_a_clean_commit(git_repo: Path, tmp_path: Path) -> None:
    import random

    home = tmp_path / "pre-commit-home"
    (git_repo / "README.md").write_text("hello\n")
    git(git_repo, "add", "README.md")
    git(git_repo, "commit", "-qm", "init")

    token = crc32_token("ghp_", random.Random(99))
    (git_repo / "settings.py").write_text(f'GITHUB_TOKEN = "{token}"\n')
    git(git_repo, "add", "settings.py")
    blocked = pre_commit("try-repo", str(REPO_ROOT), "credlint", "--verbose", cwd=git_repo, home=home)
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    assert "github-pat-classic" in blocked.stdout and token not in blocked.stdout

    (git_repo / "settings.py").write_text('GITHUB_TOKEN = os.environ["GITHUB_TOKEN"]\n')
    git(git_repo, "add", "settings.py")
    clean = pre_commit("try-repo", str(REPO_ROOT), "credlint", "--verbose", cwd=git_repo, home=home)
    assert clean.returncode == 0, clean.stdout + clean.stderr


@pytest.mark.slow
def test_all_files_fails_on_a_committed_token(git_repo: Path, tmp_path: Path) -> None:
    """`pre-commit run --all-files` (and pre-commit.ci) passes every file with nothing staged: the hook
    must scan them, not report "0 files scanned" as a pass."""
    import random

    token = crc32_token("ghp_", random.Random(7))
    (git_repo / "settings.py").write_text(f'GITHUB_TOKEN = "{token}"\n')
    git(git_repo, "add", "settings.py")
    git(git_repo, "commit", "-qm", "a token already committed")
    result = pre_commit("try-repo", str(REPO_ROOT), "credlint", "--verbose", "--all-files", cwd=git_repo,
                        home=tmp_path / "pre-commit-home")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "github-pat-classic" in result.stdout and token not in result.stdout
