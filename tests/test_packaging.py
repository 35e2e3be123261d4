"""The wheel ships rules/ and works from a fresh virtual environment; the repository passes its own scan."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from credlint.cli import cli
from tests.conftest import REPO_ROOT


def run(*cmd: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, cwd=cwd, check=False)


def clean_copy(target: Path) -> Path:
    """The checkout's own files (tracked or new, never ignored): a build must not pick up a stale build/."""
    listed = run("git", "-C", REPO_ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for name in filter(None, listed.stdout.split("\0")):
        source, copy = REPO_ROOT / name, target / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            copy.symlink_to(os.readlink(source))
        elif source.is_file():
            shutil.copy2(source, copy)
    return target


IN_GIT_CHECKOUT = (REPO_ROOT / ".git").exists()


def pyproject() -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    parsed: dict[str, Any] = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    return parsed


def extra_requirements(*names: str) -> list[str]:
    """These packages' requirements as the [test] extra states them, version bounds included."""
    extra: list[str] = pyproject()["project"]["optional-dependencies"]["test"]
    chosen = [requirement for requirement in extra if re.split(r"[\[<>=!~;\s]", requirement, maxsplit=1)[0] in names]
    assert len(chosen) == len(names), (names, chosen)
    return chosen


@pytest.mark.slow
@pytest.mark.skipif(not IN_GIT_CHECKOUT, reason="builds from the git checkout (an sdist's tests skip it)")
def test_wheel_installs_and_scans(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    built = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, clean_copy(tmp_path / "src"))
    assert built.returncode == 0, built.stderr
    [wheel] = dist.glob("credlint-*.whl")
    assert {name.split("/")[0] for name in zipfile.ZipFile(wheel).namelist()} == {"credlint",
                                                                                 "credlint-0.1.0.dist-info"}
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    installed = run(env_dir / "bin" / "python", "-m", "pip", "install", "-q", wheel)
    assert installed.returncode == 0, installed.stderr
    target = tmp_path / "project"
    target.mkdir()
    (target / "settings.py").write_text('DB_PASSWORD = "Hq7!vRt2Lx9"\n')
    # Run from an unrelated folder so nothing can come from the source checkout.
    scanned = run(env_dir / "bin" / "credlint", "scan", target, "--format", "json", cwd=tmp_path)
    assert scanned.returncode == 1, scanned.stderr
    assert [f["rule_id"] for f in json.loads(scanned.stdout)["findings"]] == ["hardcoded-password"]
    listed = run(env_dir / "bin" / "credlint", "rules", cwd=tmp_path)
    assert len(listed.stdout.splitlines()) >= 120
    # Another distribution's top-level `scanner` package (several exist on PyPI) must not shadow credlint.
    [site] = (env_dir / "lib").glob("python*/site-packages")
    (site / "scanner").mkdir()
    (site / "scanner" / "__init__.py").write_text('raise ImportError("another distribution\'s scanner")\n')
    collided = run(env_dir / "bin" / "credlint", "--version", cwd=tmp_path)
    assert (collided.returncode, collided.stdout) == (0, "credlint, version 0.1.0\n"), collided.stderr


# The modules that read the shipped data (rule files, README, fixtures) and the command line: enough to show
# the unpacked sdist's tests run against the installed package. The whole suite runs on the checkout already.
SDIST_SAMPLE = ["tests/test_rule_examples.py", "tests/test_golden.py", "tests/test_readme_families.py",
                "tests/test_syntax_table.py", "tests/test_cli.py", "tests/test_rulebook.py"]


@pytest.mark.slow
@pytest.mark.skipif(not IN_GIT_CHECKOUT, reason="builds from the git checkout (an sdist's tests skip it)")
def test_the_sdist_installs_and_its_tests_pass(tmp_path: Path) -> None:
    """`pip install` of the built sdist; it holds every file of the checkout's package, rules and tests, and a
    sample of those tests passes, run from the unpacked sdist with that install."""
    dist = tmp_path / "dist"
    source = clean_copy(tmp_path / "src")
    built = run(sys.executable, "-m", "build", "--sdist", "--no-isolation", "--outdir", dist, source)
    assert built.returncode == 0, built.stdout + built.stderr
    [sdist] = dist.glob("credlint-*.tar.gz")
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp_path / "unpacked", filter="data")
    [unpacked] = (tmp_path / "unpacked").iterdir()
    assert {"LICENSE", "CHANGELOG.md", "action.yml"} <= {p.name for p in unpacked.iterdir()}
    wanted = {p.relative_to(source) for folder in ("scanner", "rules", "tests") for p in (source / folder).rglob("*")
              if p.is_file() and "__pycache__" not in p.parts}
    shipped = {p.relative_to(unpacked) for p in unpacked.rglob("*") if p.is_file()}
    assert wanted <= shipped, sorted(str(p) for p in wanted - shipped)
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    # Only what the sample needs: the [test] extra (Dask, Playwright, mypy…) is installed and used on the
    # checkout by .ci/run on every Python, and would double this test's time here.
    python = env_dir / "bin" / "python"
    installed = run(python, "-m", "pip", "install", "-q", sdist, *extra_requirements("pytest", "jsonschema"))
    assert installed.returncode == 0, installed.stderr
    tested = run(python, "-m", "pytest", "-q", "-m", "not slow", "-p", "no:cacheprovider", *SDIST_SAMPLE,
                 cwd=unpacked)
    assert tested.returncode == 0, tested.stdout[-3000:] + tested.stderr[-2000:]


def test_repository_passes_its_own_scan(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["scan", str(REPO_ROOT)])
    assert result.exit_code == 0, result.output


def test_every_package_folder_is_listed_for_the_build() -> None:
    """A new subpackage missing from [tool.setuptools] packages installs without its modules."""
    listed = set(pyproject()["tool"]["setuptools"]["packages"])
    folders = {"credlint" + "".join(f".{part}" for part in init.parent.relative_to(REPO_ROOT / "scanner").parts)
               for init in (REPO_ROOT / "scanner").rglob("__init__.py")}
    assert folders <= listed, sorted(folders - listed)
