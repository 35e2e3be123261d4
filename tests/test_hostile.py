"""Hostile repositories: what a pull request, a remote, a ref name or a file must not be able to do to a scan.

One test (or a few) per case of the threat model in docs/reliability.md, each on a repository built here.
"""

from __future__ import annotations

import base64
import hashlib
import json
import marshal
import os
import random
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from credlint.cli import cli
from credlint.detectors.rulebook import load_rulebook
from credlint.detectors.rulecache import DIGEST_SIZE, MAGIC
from credlint.sources.history.patches import LINE_MARK
from credlint.sources.repository import without_userinfo
from tests.conftest import git
from tests.fakes import crc32_token

TOKEN = crc32_token("ghp_", random.Random(15))
OTHER = crc32_token("ghp_", random.Random(16))


def commit(repo: Path, files: dict[str, str | bytes], message: str = "change") -> str:
    for name, content in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    git(repo, "add", "--", *files)
    git(repo, "commit", "-qm", message)
    return git(repo, "rev-parse", "HEAD").strip()


def scan_json(runner: CliRunner, repo: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    result = runner.invoke(cli, ["scan", str(repo), *args, "--format", "json", "--quiet"])
    assert result.exit_code in (0, 1), result.output + result.stderr
    return result.exit_code, json.loads(result.stdout), result.stderr


def credlint(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The installed command in a process of its own: for what only a fresh interpreter shows."""
    return subprocess.run([sys.executable, "-m", "credlint", *args], cwd=cwd, capture_output=True, text=True,
                          env=env if env is not None else dict(os.environ), timeout=300)


# 1. A pull request cannot switch the gate off for its own secrets.

PR_CONFIGS = {
    "allowlist-paths": ".credlint.toml", "exclude": ".credlint.toml", "fail-on": ".credlint.toml",
    "disable": ".credlint.toml", "pyproject": "pyproject.toml",
}
PR_CONFIG_TEXT = {
    "allowlist-paths": '[allowlist]\npaths = ["**"]\n', "exclude": 'exclude = ["**"]\n',
    "fail-on": 'fail_on = "critical"\nmin_score = 100\n', "disable": 'disable = ["github-pat-classic"]\n',
    "pyproject": '[tool.credlint]\nexclude = ["**"]\n',
}


@pytest.mark.parametrize("case", sorted(PR_CONFIGS))
def test_range_reads_the_configuration_from_the_base_side(runner: CliRunner, git_repo: Path, case: str) -> None:
    base = commit(git_repo, {"README.md": "hello\n"})
    commit(git_repo, {PR_CONFIGS[case]: PR_CONFIG_TEXT[case], "app.py": f'token = "{TOKEN}"\n'})
    code, report, stderr = scan_json(runner, git_repo, "--range", f"{base}..HEAD")
    assert code == 1
    assert [f["rule_id"] for f in report["findings"]] == ["github-pat-classic"]
    assert report["summary"]["configuration"] == f"built-in defaults (no configuration at {base[:12]})"
    assert "configuration: built-in defaults" in stderr


def test_base_side_configuration_and_the_files_it_names_are_the_ones_used(runner: CliRunner, git_repo: Path,
                                                                           tmp_path: Path) -> None:
    # The base accepts one secret in a baseline; the pull request rewrites the baseline to accept its own.
    commit(git_repo, {"old.py": f'token = "{OTHER}"\n'})
    baseline = git_repo / ".credlint-baseline.json"
    runner.invoke(cli, ["baseline", "create", str(git_repo), "-o", str(baseline)])
    base = commit(git_repo, {".credlint.toml": 'baseline = ".credlint-baseline.json"\n',
                             ".credlint-baseline.json": baseline.read_text()})
    commit(git_repo, {"app.py": f'token = "{TOKEN}"\n'})
    runner.invoke(cli, ["baseline", "create", str(git_repo), "-o", str(baseline)])
    commit(git_repo, {".credlint-baseline.json": baseline.read_text(), "note.txt": "accepted\n"})
    code, report, _ = scan_json(runner, git_repo, "--range", f"{base}..HEAD")
    assert code == 1
    assert [f["path"] for f in report["findings"]] == ["app.py"]
    assert report["summary"]["configuration"] == f"{base[:12]}:.credlint.toml"


def test_an_explicit_config_overrides_the_base_side(runner: CliRunner, git_repo: Path, tmp_path: Path) -> None:
    base = commit(git_repo, {"README.md": "hello\n"})
    commit(git_repo, {"app.py": f'token = "{TOKEN}"\n'})
    chosen = tmp_path / "trusted.toml"
    chosen.write_text('exclude = ["app.py"]\n')
    code, report, _ = scan_json(runner, git_repo, "--range", f"{base}..HEAD", "--config", str(chosen))
    assert code == 0 and report["findings"] == []
    assert report["summary"]["configuration"] == str(chosen)


def test_pre_push_reads_the_configuration_of_what_the_remote_has(runner: CliRunner, git_repo: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    base = commit(git_repo, {"README.md": "hello\n"})
    head = commit(git_repo, {".credlint.toml": 'exclude = ["**"]\n', "app.py": f'token = "{TOKEN}"\n'})
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", base)
    monkeypatch.setenv("PRE_COMMIT_TO_REF", head)
    code, report, _ = scan_json(runner, git_repo, "--pre-push")
    assert code == 1 and [f["path"] for f in report["findings"]] == ["app.py"]


def test_the_working_tree_configuration_still_counts_for_a_tree_scan(runner: CliRunner, git_repo: Path) -> None:
    commit(git_repo, {".credlint.toml": 'exclude = ["app.py"]\n', "app.py": f'token = "{TOKEN}"\n'})
    code, report, _ = scan_json(runner, git_repo)
    assert code == 0 and report["summary"]["configuration"] == ".credlint.toml"


# 2. Credentials in the remote URL never reach a report.

AWKWARD = ["pa@ss/word", "p:w", "a/b/c", "q?x=1", "h#sh", "pc%40t", "sp ace", "@@", "x@y:z/w?#", "/", "@"]


@pytest.mark.parametrize("password", AWKWARD)
def test_userinfo_is_dropped_whatever_the_password_holds(password: str) -> None:
    for scheme in ("https", "ssh", "git+ssh", "ftp"):
        url = f"{scheme}://deploy:{password}@git.example.org/org/repo.git"
        assert without_userinfo(url) == f"{scheme}://git.example.org/org/repo.git"
    assert without_userinfo(f"https://{password}@git.example.org:8443/r.git") == "https://git.example.org:8443/r.git"


@pytest.mark.parametrize("url", ["https://git.example.org/org/repo.git", "/srv/git/a@b.git", "../other",
                                 "https://git.example.org/org/repo@v1.git", "file:///srv/repo.git"])
def test_urls_without_userinfo_are_kept(url: str) -> None:
    assert without_userinfo(url) == url


def test_scp_form_keeps_the_host() -> None:
    assert without_userinfo("git@github.com:org/repo.git") == "github.com:org/repo.git"


def test_remote_password_is_not_in_sarif(runner: CliRunner, git_repo: Path) -> None:
    commit(git_repo, {"app.py": f'token = "{TOKEN}"\n'})
    git(git_repo, "remote", "add", "origin", "https://deploy:pa@ss/word@git.example.org/org/repo.git")
    result = runner.invoke(cli, ["scan", str(git_repo), "--history", "--format", "sarif", "--quiet"])
    document = json.loads(result.stdout)
    provenance = document["runs"][0]["versionControlProvenance"][0]
    assert provenance["repositoryUri"] == "https://git.example.org/org/repo.git"
    for piece in ("deploy:", "pa@ss", "ss/word@"):
        assert piece not in result.stdout


# 3. A ref argument never reaches git as an option.

@pytest.mark.parametrize("option", ["--branch", "--since", "--range"])
def test_ref_options_cannot_inject_git_options(runner: CliRunner, git_repo: Path, tmp_path: Path,
                                               option: str) -> None:
    commit(git_repo, {"app.py": "x = 1\n"})
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    value = f"--output={victim}" + ("..HEAD" if option == "--range" else "")
    result = runner.invoke(cli, ["scan", str(git_repo), f"{option}={value}", "--quiet"])
    assert result.exit_code == 2
    assert "not a revision" in result.stderr and "Traceback" not in result.stderr
    assert victim.read_text() == "precious\n"
    assert not list(tmp_path.glob("victim.txt*HEAD"))


def test_pre_push_refs_from_the_environment_are_verified(runner: CliRunner, git_repo: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    commit(git_repo, {"app.py": "x = 1\n"})
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", f"--output={victim}")
    monkeypatch.setenv("PRE_COMMIT_TO_REF", "HEAD")
    result = runner.invoke(cli, ["scan", str(git_repo), "--pre-push", "--quiet"])
    assert result.exit_code == 2 and victim.read_text() == "precious\n"


def test_ordinary_refs_still_work(runner: CliRunner, git_repo: Path) -> None:
    base = commit(git_repo, {"README.md": "hello\n"})
    commit(git_repo, {"app.py": f'token = "{TOKEN}"\n'})
    git(git_repo, "tag", "v1", base)
    for args in (["--since", "v1"], ["--range", "v1..main"], ["--range", "v1...main"], ["--branch", "main"]):
        code, report, _ = scan_json(runner, git_repo, *args)
        assert code == 1 and [f["path"] for f in report["findings"]] == ["app.py"], args


# 4. --output writes into what it must not replace.

def test_output_through_a_symlink_writes_the_target_and_keeps_its_mode(runner: CliRunner, git_repo: Path,
                                                                        tmp_path: Path) -> None:
    commit(git_repo, {"README.md": "hello\n"})
    target = tmp_path / "target.txt"
    target.write_text("old\n")
    target.chmod(0o644)
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    result = runner.invoke(cli, ["scan", str(git_repo), "-o", str(link), "--quiet"])
    assert result.exit_code == 0
    assert link.is_symlink() and "0 findings" in target.read_text()
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_output_onto_a_character_device_stays_a_device(runner: CliRunner, git_repo: Path, tmp_path: Path) -> None:
    commit(git_repo, {"README.md": "hello\n"})
    device = tmp_path / "null"  # a second node of /dev/null: a wrong write replaces this one, not the real one
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    result = runner.invoke(cli, ["scan", str(git_repo), "-o", str(device), "--quiet"])
    assert result.exit_code == 0
    assert stat.S_ISCHR(os.lstat(device).st_mode)


def test_output_over_an_existing_file_keeps_its_mode(runner: CliRunner, git_repo: Path, tmp_path: Path) -> None:
    commit(git_repo, {"README.md": "hello\n"})
    report = tmp_path / "report.txt"
    report.write_text("old\n")
    report.chmod(0o664)
    assert runner.invoke(cli, ["scan", str(git_repo), "-o", str(report), "--quiet"]).exit_code == 0
    assert stat.S_IMODE(report.stat().st_mode) == 0o664


# 5. Files the repository supplies are read within bounds.

def test_rule_file_that_is_not_a_regular_file_is_refused(runner: CliRunner, git_repo: Path) -> None:
    commit(git_repo, {".credlint.toml": 'rules = ["/dev/zero"]\n'})
    result = runner.invoke(cli, ["scan", str(git_repo), "--quiet"])
    assert result.exit_code == 2
    assert "/dev/zero" in result.stderr and "not a regular file" in result.stderr


def test_oversized_rule_file_is_refused_without_reading_it(runner: CliRunner, git_repo: Path) -> None:
    (git_repo / "huge.toml").write_bytes(b"#" * (9 << 20))
    (git_repo / ".credlint.toml").write_text('rules = ["huge.toml"]\n')
    result = runner.invoke(cli, ["scan", str(git_repo), "--quiet"])
    assert result.exit_code == 2 and "huge.toml" in result.stderr and "larger than" in result.stderr


def test_configuration_that_is_a_device_is_refused(runner: CliRunner, git_repo: Path) -> None:
    (git_repo / ".credlint.toml").symlink_to("/dev/zero")
    result = runner.invoke(cli, ["scan", str(git_repo), "--quiet"])
    assert result.exit_code == 2 and "not a regular file" in result.stderr


def test_baseline_that_is_a_device_is_refused(runner: CliRunner, git_repo: Path) -> None:
    (git_repo / ".credlint.toml").write_text('baseline = "/dev/zero"\n')
    result = runner.invoke(cli, ["scan", str(git_repo), "--quiet"])
    assert result.exit_code == 2 and "not a regular file" in result.stderr


def big_text(size: int) -> bytes:
    line = b"lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor\n"
    return line * (size // len(line))


def peak_rss_mib(args: list[str], cwd: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run credlint in a child and return its peak resident memory (of it and its git children)."""
    code = ("import resource, subprocess, sys; p = subprocess.run(sys.argv[1:], capture_output=True, text=True);"
            "print(p.returncode); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
            "sys.stderr.write(p.stdout + p.stderr)")
    out = subprocess.run([sys.executable, "-c", code, sys.executable, "-m", "credlint", *args], cwd=cwd,
                         capture_output=True, text=True, timeout=300)
    code_line, rss_line = out.stdout.split()
    return subprocess.CompletedProcess(args, int(code_line), out.stderr, ""), int(rss_line) / 1024


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["--history", "--staged"])
def test_blobs_over_the_limit_are_not_read_into_memory(git_repo: Path, mode: str) -> None:
    size = 96 << 20
    (git_repo / "recorded.txt").write_bytes(big_text(size))
    git(git_repo, "add", "recorded.txt")
    if mode == "--history":
        git(git_repo, "commit", "-qm", "big")
    result, peak = peak_rss_mib(["scan", ".", mode, "--format", "json", "--quiet"], git_repo)
    assert result.returncode == 0, result.stdout
    report = json.loads(result.stdout[:result.stdout.rindex("}") + 1])
    # History counts it twice: in the commit that added it, and in the tip's tree.
    assert report["summary"]["skipped"] == {"too-large": 2 if mode == "--history" else 1}
    assert peak < 90, f"peak {peak:.0f} MiB for a {size >> 20} MiB blob"


def test_history_counts_a_large_blob_as_too_large_without_reading_it(runner: CliRunner, git_repo: Path) -> None:
    from credlint.sources.history.reader import HistoryReader

    commit(git_repo, {"recorded.txt": big_text(4 << 20).decode(), "small.png": b"\x89PNG\r\n\x1a\n\0\0"})
    reader = HistoryReader(git_repo, ["--all"], max_size=1 << 20)
    skips = sorted((s.path, s.reason) for s in reader.iter_changes() if not hasattr(s, "commit"))
    assert skips == [("recorded.txt", "too-large"), ("small.png", "binary")]
    assert reader.bytes_read < 64 << 10


# 6. The rule cache is verified, and rebuilt on any doubt.

def cache_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("rules-*"))


def rule_ids() -> list[str]:
    return [rule.id for rule in load_rulebook().rules]


@pytest.fixture
def built_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], Path]:
    """A rule cache of our own, just built: the rule ids it must give, and its file."""
    monkeypatch.setenv("CREDLINT_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("CREDLINT_NO_CACHE", raising=False)
    expected = rule_ids()
    [cached] = cache_files(tmp_path)
    return expected, cached


def test_corrupted_rule_cache_is_rebuilt(built_cache: tuple[list[str], Path]) -> None:
    expected, cached = built_cache
    original = cached.read_bytes()
    flips = random.Random(6)
    for _ in range(60):
        data = bytearray(original)
        for _ in range(flips.randint(1, 4)):
            data[flips.randrange(len(data))] ^= 1 << flips.randrange(8)
        cached.write_bytes(bytes(data))
        assert rule_ids() == expected


def poisoned(original: bytes) -> bytes:
    """The real cache with one rule left per file, under a digest that matches (what a poisoner writes)."""
    tables = marshal.loads(original[len(MAGIC) + DIGEST_SIZE:])
    payload = marshal.dumps([{**table, "rules": table["rules"][:1]} for table in tables])
    return MAGIC + hashlib.sha256(payload).digest() + payload


def test_poisoned_rule_cache_is_not_trusted(built_cache: tuple[list[str], Path]) -> None:
    expected, cached = built_cache
    original = cached.read_bytes()
    cached.write_bytes(poisoned(original)[len(MAGIC) + DIGEST_SIZE:])
    assert rule_ids() == expected  # well-formed tables without the digest
    cached.write_bytes(poisoned(original))
    cached.chmod(0o666)
    assert rule_ids() == expected  # a file anyone may write
    cached.chmod(0o600)
    cached.parent.chmod(0o777)
    assert rule_ids() == expected  # in a folder anyone may write
    cached.parent.chmod(0o700)
    cached.write_bytes(poisoned(original))
    assert len(rule_ids()) < len(expected)  # the control: this poison works where the cache trusts it


def test_rule_cache_key_follows_the_content_of_the_rule_files(tmp_path: Path) -> None:
    from credlint.detectors.rulecache import cache_key

    first = tmp_path / "a.toml"
    first.write_text("[[rules]]\nid = 'a'\n")
    key = cache_key([first])
    stamp = first.stat()
    first.write_text("[[rules]]\nid = 'b'\n")
    os.utime(first, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))  # same size, same time: only content differs
    assert cache_key([first]) != key


# 7. A value too deep to decode or parse is judged without that step; the scan goes on.

def test_deeply_nested_jwt_payload_does_not_end_the_scan(runner: CliRunner, git_repo: Path) -> None:
    header = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').decode().rstrip("=")
    payload = base64.urlsafe_b64encode(b'{"sub":' + b"[" * 100_000 + b"]" * 100_000 + b"}").decode().rstrip("=")
    signature = base64.urlsafe_b64encode(random.Random(7).randbytes(32)).decode().rstrip("=")
    commit(git_repo, {"deep.txt": f"auth = {header}.{payload}.{signature}\n", "app.py": f'token = "{TOKEN}"\n'})
    code, report, _ = scan_json(runner, git_repo)
    assert code == 1 and "app.py" in [f["path"] for f in report["findings"]]
    assert report["summary"]["files_scanned"] == 2


def test_jwt_check_on_a_payload_nested_past_the_stack_fails_quietly() -> None:
    from credlint.detectors.validators import check_jwt
    from credlint.model import Validation

    header = base64.urlsafe_b64encode(b'{"alg":"HS256"}').decode().rstrip("=")
    payload = base64.urlsafe_b64encode(b'{"a":' + b"[" * 100_000 + b"]" * 100_000 + b"}").decode().rstrip("=")
    assert check_jwt(f"{header}.{payload}.{'s' * 43}") is Validation.FAILED


def test_long_string_concatenation_does_not_end_the_scan(runner: CliRunner, git_repo: Path) -> None:
    chain = " + ".join(['"ab"'] * 3000)
    commit(git_repo, {"gen.py": f"blob = {chain}\nrequests.get(url, auth=('admin', 'Hq7!vRt2Lx9'))\n",
                      "app.py": f'token = "{TOKEN}"\n'})
    code, report, _ = scan_json(runner, git_repo)
    assert code == 1 and "app.py" in [f["path"] for f in report["findings"]]
    assert "gen.py" in [f["path"] for f in report["findings"]]  # judged without the parse: still found
    assert report["summary"]["files_scanned"] == 2


# 8. Names git treats specially are names.

SPECIAL_NAMES = [":x.txt", ":(glob)*.txt", "new\nline.txt", "tab\there.txt", '"quoted".txt', "back\\slash.txt",
                 "-dash.txt", "*star.txt"]


@pytest.mark.parametrize("name", SPECIAL_NAMES)
def test_special_names_are_scanned_in_every_mode(runner: CliRunner, git_repo: Path, name: str) -> None:
    commit(git_repo, {"README.md": "hello\n"})
    (git_repo / name).write_text(f'token = "{TOKEN}"\n')
    git(git_repo, "--literal-pathspecs", "add", "--", name)
    staged = runner.invoke(cli, ["scan", str(git_repo), "--staged", "--format", "json", "--quiet"])
    assert staged.exit_code == 1, staged.output
    assert json.loads(staged.stdout)["summary"]["skipped"] == {}
    git(git_repo, "commit", "-qm", "add")
    code, tree, _ = scan_json(runner, git_repo)
    assert code == 1 and len(tree["findings"]) == 1
    code, history, _ = scan_json(runner, git_repo, "--history")
    assert code == 1 and [f["commit"]["at_head"] for f in history["findings"]] == [True]
    assert history["findings"][0]["path"] == tree["findings"][0]["path"]


# 9. Ownership and environment: one clear line and exit 2.

def test_repository_owned_by_someone_else_is_one_line_and_exit_2(git_repo: Path) -> None:
    commit(git_repo, {"app.py": f'token = "{TOKEN}"\n', ".gitignore": "ignored/\n"})
    env = {**os.environ, "GIT_TEST_ASSUME_DIFFERENT_OWNER": "1"}
    for args in (["scan", ".", "--history"], ["scan", "."], ["scan", ".", "--staged"]):
        result = credlint(*args, cwd=git_repo, env=env)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "safe.directory" in result.stderr and "Traceback" not in result.stderr


def test_git_missing_from_path_is_one_line_and_exit_2(git_repo: Path, tmp_path: Path) -> None:
    commit(git_repo, {"app.py": f'token = "{TOKEN}"\n'})
    empty = tmp_path / "bin"
    empty.mkdir()
    env = {**os.environ, "PATH": str(empty)}
    for args in (["scan", ".", "--history"], ["scan", "."], ["scan", ".", "--staged"]):
        result = credlint(*args, cwd=git_repo, env=env)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "git" in result.stderr and "PATH" in result.stderr


def test_gitpython_that_cannot_run_git_is_one_line_and_exit_2(git_repo: Path) -> None:
    commit(git_repo, {"app.py": f'token = "{TOKEN}"\n'})
    env = {**os.environ, "GIT_PYTHON_GIT_EXECUTABLE": "/nonexistent/git"}
    result = credlint("scan", ".", "--history", cwd=git_repo, env=env)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "GitPython cannot run git" in result.stderr


def test_without_git_a_folder_outside_any_repository_still_scans(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(f'token = "{TOKEN}"\n')
    empty = tmp_path / "bin"
    empty.mkdir()
    result = credlint("scan", ".", cwd=tmp_path, env={**os.environ, "PATH": str(empty)})
    assert result.returncode == 1 and "app.py" in result.stdout


# 10. Content cannot forge the history reader's own markers.

def test_forged_commit_separator_does_not_hide_a_token(runner: CliRunner, git_repo: Path) -> None:
    # Past the first 8 KiB, where git and the tree scan look for NUL: both read the file as text.
    forged = LINE_MARK.decode("latin-1") + "0" * 40 + "\0\0\0Mallory\0\0\n"
    commit(git_repo, {"data.txt": "filler line\n" * 1000 + f"{forged}token = \"{TOKEN}\"\n"})
    assert [f["path"] for f in scan_json(runner, git_repo)[1]["findings"]] == ["data.txt"]
    code, report, _ = scan_json(runner, git_repo, "--history")
    assert code == 1 and [f["path"] for f in report["findings"]] == ["data.txt"]
    assert "unreadable-commit" not in report["summary"]["skipped"]


def test_utf16_file_diffed_as_text_does_not_abort_history(runner: CliRunner, git_repo: Path) -> None:
    text = f'token = "{TOKEN}"\n'.encode("utf-16")
    commit(git_repo, {".gitattributes": "*.txt diff\n", "wide.txt": text, "app.py": f'other = "{OTHER}"\n'})
    code, report, _ = scan_json(runner, git_repo, "--history")
    assert code == 1 and "app.py" in [f["path"] for f in report["findings"]]
