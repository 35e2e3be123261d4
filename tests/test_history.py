"""History, staged and range scans on throwaway repositories built with real git commands."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from credlint.cli import cli
from credlint.sources.history.patches import COMMIT_MARK
from credlint.sources.history.reader import CommitSplitter
from tests.conftest import git
from tests.fakes import clear_key

SECRET_A = "Hq7!vRt2Lx9"
SECRET_B = "Zx8!kLq2Vm7"
SECRET_C = "Wq5#nRt8Yz1"


def commit_file(repo: Path, name: str, text: str, message: str, date: str = "2024-01-02T10:00:00") -> str:
    path = repo / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    git(repo, "add", name)
    env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    subprocess.run(["git", "-C", str(repo), "commit", "-qm", message], check=True, env=env)
    return git(repo, "rev-parse", "HEAD").strip()


def scan(runner: CliRunner, *args: str) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(cli, ["scan", *args, "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def facts(document: dict[str, Any]) -> list[tuple[str, int, str, bool]]:
    return [(f["path"], f["line"], f["commit"]["sha"], f["commit"]["at_head"]) for f in document["findings"]]


def test_secret_added_then_removed_is_reported_as_history_only(runner: CliRunner, git_repo: Path) -> None:
    added = commit_file(git_repo, "app.py", f'x = 1\npassword = "{SECRET_A}"\n', "add")
    removed = commit_file(git_repo, "app.py", "x = 1\n", "remove")
    code, document = scan(runner, str(git_repo), "--history")
    assert code == 1
    assert facts(document) == [("app.py", 2, added, False)]
    commit = document["findings"][0]["commit"]
    assert (commit["removed_in"], commit["commits_survived"], commit["path"]) == (removed, 1, "app.py")
    assert document["findings"][0]["remediation"].startswith("Gone from HEAD but still in history")
    text = runner.invoke(cli, ["scan", str(git_repo), "--history"]).output
    assert "gone from HEAD (removed in" in text and "but still in history: revoke and rotate" in text


def test_secret_still_at_head_carries_age_and_rotation(runner: CliRunner, git_repo: Path) -> None:
    added = commit_file(git_repo, "app.py", f'password = "{SECRET_A}"\n', "add", date="2020-01-01T00:00:00")
    commit_file(git_repo, "other.py", "y = 2\n", "more", date="2020-02-01T00:00:00")
    _, document = scan(runner, str(git_repo), "--history")
    commit = document["findings"][0]["commit"]
    assert (commit["sha"], commit["at_head"], commit["commits_survived"]) == (added, True, 2)
    assert commit["age_days"] > 365 and commit["rotate_overdue"] is True


def test_same_secret_on_two_branches_is_reported_once(runner: CliRunner, git_repo: Path) -> None:
    commit_file(git_repo, "base.txt", "base\n", "base")
    git(git_repo, "checkout", "-qb", "feature")
    first = commit_file(git_repo, "app.py", f'password = "{SECRET_A}"\n', "on feature", "2024-01-03T10:00:00")
    git(git_repo, "checkout", "-q", "main")
    commit_file(git_repo, "app.py", f'password = "{SECRET_A}"\n', "on main", "2024-01-04T10:00:00")
    _, document = scan(runner, str(git_repo), "--history")
    assert facts(document) == [("app.py", 1, first, True)]


def test_secret_written_in_a_merge_resolution(runner: CliRunner, git_repo: Path) -> None:
    commit_file(git_repo, "conf.py", "value = 1\n", "base")
    git(git_repo, "checkout", "-qb", "side")
    commit_file(git_repo, "conf.py", "value = 2\n", "side")
    git(git_repo, "checkout", "-q", "main")
    commit_file(git_repo, "conf.py", "value = 3\n", "main")
    subprocess.run(["git", "-C", str(git_repo), "merge", "-q", "side"], capture_output=True, check=False)
    (git_repo / "conf.py").write_text(f'value = 4\npassword = "{SECRET_B}"\n', encoding="utf-8")
    git(git_repo, "add", "conf.py")
    git(git_repo, "commit", "-qm", "merge with resolution")
    merge = git(git_repo, "rev-parse", "HEAD").strip()
    _, document = scan(runner, str(git_repo), "--history")
    assert facts(document) == [("conf.py", 2, merge, True)]


def test_rename_is_not_a_new_secret(runner: CliRunner, git_repo: Path) -> None:
    added = commit_file(git_repo, "old_name.py", f'password = "{SECRET_A}"\n' + "x = 1\n" * 20, "add")
    git(git_repo, "mv", "old_name.py", "new_name.py")
    git(git_repo, "commit", "-qm", "rename")
    _, document = scan(runner, str(git_repo), "--history")
    # Reported where HEAD holds it now; the commit facts keep the name it was added under.
    assert facts(document) == [("new_name.py", 1, added, True)]
    assert document["findings"][0]["commit"]["path"] == "old_name.py"


def test_range_and_since_scan_only_those_commits(runner: CliRunner, git_repo: Path) -> None:
    base = commit_file(git_repo, "a.py", f'password = "{SECRET_A}"\n', "old secret")
    newer = commit_file(git_repo, "b.py", f'password = "{SECRET_B}"\n', "new secret")
    for args in (["--range", f"{base}..HEAD"], ["--since", base]):
        _, document = scan(runner, str(git_repo), *args)
        assert facts(document) == [("b.py", 1, newer, True)], args


def test_branch_limits_history(runner: CliRunner, git_repo: Path) -> None:
    commit_file(git_repo, "base.txt", "base\n", "base")
    git(git_repo, "checkout", "-qb", "feature")
    commit_file(git_repo, "f.py", f'password = "{SECRET_C}"\n', "feature secret")
    git(git_repo, "checkout", "-q", "main")
    code, document = scan(runner, str(git_repo), "--branch", "main")
    assert (code, document["findings"]) == (0, [])


def test_empty_repository_says_so_and_passes(runner: CliRunner, git_repo: Path) -> None:
    code, document = scan(runner, str(git_repo), "--history")
    assert code == 0 and document["summary"]["warnings"] == ["empty repository: no commits to scan"]


def test_shallow_clone_warns_history_is_partial(runner: CliRunner, git_repo: Path, tmp_path: Path) -> None:
    commit_file(git_repo, "a.py", f'password = "{SECRET_A}"\n', "one")
    commit_file(git_repo, "b.py", "y = 1\n", "two")
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{git_repo}", str(shallow)], check=True)
    _, document = scan(runner, str(shallow), "--history")
    assert document["summary"]["warnings"][0].startswith("shallow clone: history is partial")


def test_history_outside_git_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from credlint.cli import main

    with pytest.raises(SystemExit) as exited:
        main(["scan", str(tmp_path), "--history"])
    assert exited.value.code == 2
    assert capsys.readouterr().err == f"credlint: error: {tmp_path}: not a git repository (history scans need one)\n"


def test_bad_revision_is_exit_2(git_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from credlint.cli import main

    commit_file(git_repo, "a.py", "x = 1\n", "one")
    with pytest.raises(SystemExit) as exited:
        main(["scan", str(git_repo), "--range", "nope..HEAD"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("credlint: error: --range 'nope': not a revision in")


def test_history_sarif_is_valid_and_separately_categorised(runner: CliRunner, git_repo: Path) -> None:
    from tests.helpers import validate_sarif

    commit_file(git_repo, "app.py", f'password = "{SECRET_A}"\n', "add")
    git(git_repo, "remote", "add", "origin", "https://bot:hunter22x@example.org/team/repo.git")
    document = json.loads(runner.invoke(cli, ["scan", str(git_repo), "--history", "--format", "sarif"]).output)
    validate_sarif(document)
    run = document["runs"][0]
    assert run["automationDetails"]["id"] == "credlint-history/"
    assert run["versionControlProvenance"][0]["repositoryUri"] == "https://example.org/team/repo.git"
    assert run["results"][0]["properties"]["commit"]["at_head"] is True


def test_staged_scans_the_index_not_the_working_tree(runner: CliRunner, git_repo: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    commit_file(git_repo, "base.txt", "base\n", "base")
    (git_repo / "staged.py").write_text(f'x = 1\npassword = "{SECRET_A}"\n')
    git(git_repo, "add", "staged.py")
    (git_repo / "staged.py").write_text("x = 1\n")  # the working file no longer has it: the index does
    (git_repo / "unstaged.py").write_text(f'password = "{SECRET_B}"\n')
    monkeypatch.chdir(git_repo)
    code, document = scan(runner, "--staged")
    assert code == 1
    assert [(f["path"], f["line"]) for f in document["findings"]] == [("staged.py", 2)]
    git(git_repo, "reset", "-q")
    code, document = scan(runner, "--staged")
    assert (code, document["findings"]) == (0, [])


def test_staged_limited_to_named_files(runner: CliRunner, git_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    commit_file(git_repo, "base.txt", "base\n", "base")
    for name, secret in (("one.py", SECRET_A), ("two.py", SECRET_B)):
        (git_repo / name).write_text(f'password = "{secret}"\n')
        git(git_repo, "add", name)
    monkeypatch.chdir(git_repo)
    _, document = scan(runner, "--staged", "two.py")
    assert [f["path"] for f in document["findings"]] == ["two.py"]


def test_staged_and_history_together_is_a_usage_error(runner: CliRunner) -> None:
    assert runner.invoke(cli, ["scan", "--staged", "--history"]).exit_code == 2


def test_install_hook_refuses_to_overwrite(runner: CliRunner, git_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(git_repo)
    first = runner.invoke(cli, ["install-hook"])
    hook = git_repo / ".git" / "hooks" / "pre-commit"
    assert first.exit_code == 0 and f"PYTHON={sys.executable}\n" in hook.read_text()
    assert os.access(hook, os.X_OK)
    assert runner.invoke(cli, ["install-hook"]).exit_code == 2
    assert runner.invoke(cli, ["install-hook", "--force"]).exit_code == 0


def test_the_installed_hook_needs_no_credlint_on_path(runner: CliRunner, git_repo: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(git_repo)
    assert runner.invoke(cli, ["install-hook"]).exit_code == 0
    hook = git_repo / ".git" / "hooks" / "pre-commit"
    (git_repo / "settings.py").write_text(f'password = "{SECRET_A}"\n')
    git(git_repo, "add", "settings.py")
    bare_path = {"PATH": "/usr/bin:/bin", "HOME": os.environ["HOME"]}
    blocked = subprocess.run([str(hook)], cwd=git_repo, env=bare_path, capture_output=True, text=True)
    assert blocked.returncode == 1, blocked.stderr
    assert "hardcoded-password" in blocked.stdout and SECRET_A not in blocked.stdout
    hook.write_text(hook.read_text().replace(f"PYTHON={sys.executable}", "PYTHON=/nonexistent/python3"))
    gone = subprocess.run([str(hook)], cwd=git_repo, env=bare_path, capture_output=True, text=True)
    assert gone.returncode == 1
    assert gone.stderr.splitlines()[0] == "credlint: /nonexistent/python3, which ran credlint when this hook was " \
                                          "installed, is gone;"


def test_awkward_history_binary_odd_names_detached_head(runner: CliRunner, git_repo: Path) -> None:
    (git_repo / "logo.bin").write_bytes(b"\x00\x01\x02" * 50)
    odd = os.fsencode(git_repo) + b"/we\xffird name.py"
    with open(odd, "wb") as handle:
        handle.write(f'password = "{SECRET_A}"\n'.encode())
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-qm", "binary and an odd name")
    git(git_repo, "checkout", "-q", "--detach")
    code, document = scan(runner, str(git_repo), "--history")
    assert code == 1
    assert [(f["path"], f["commit"]["at_head"]) for f in document["findings"]] == [("we\ufffdird name.py", True)]
    assert ("logo.bin", "binary") in [(s["path"], s["reason"]) for s in document["summary"]["skipped_files"]]


def test_secret_still_at_head_is_located_at_head_with_githubs_line_hash(runner: CliRunner, git_repo: Path) -> None:
    from credlint.fingerprint import line_hashes

    commit_file(git_repo, "app.py", f'password = "{SECRET_A}"\n', "add")
    text = "import os\n\n" + (git_repo / "app.py").read_text()
    commit_file(git_repo, "app.py", text, "move it down")
    document = json.loads(runner.invoke(cli, ["scan", str(git_repo), "--history", "--format", "sarif"]).output)
    result = document["runs"][0]["results"][0]
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 3
    assert result["partialFingerprints"]["primaryLocationLineHash"] == line_hashes(text)[2]


def test_history_only_secret_carries_the_line_hash_of_the_introducing_version(runner: CliRunner,
                                                                               git_repo: Path) -> None:
    from credlint.fingerprint import line_hashes

    text = f'import os\n\npassword = "{SECRET_A}"\n'
    commit_file(git_repo, "app.py", text, "add")
    commit_file(git_repo, "app.py", "import os\n", "remove")
    document = json.loads(runner.invoke(cli, ["scan", str(git_repo), "--history", "--format", "sarif"]).output)
    result = document["runs"][0]["results"][0]
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 3
    assert result["partialFingerprints"]["primaryLocationLineHash"] == line_hashes(text)[2]


def test_clean_merge_of_a_renamed_file_does_not_report_the_secret_again(runner: CliRunner, git_repo: Path) -> None:
    # Merges are diffed without rename detection, so the merge sees new.py as new against main's side;
    # the secret was still added by main's own commit, under the file's old name, and is reported once.
    body = "".join(f"line_{i} = {i}\n" for i in range(30))
    commit_file(git_repo, "old.py", body, "base")
    git(git_repo, "checkout", "-qb", "side")
    git(git_repo, "mv", "old.py", "new.py")
    git(git_repo, "commit", "-qm", "rename on side")
    git(git_repo, "checkout", "-q", "main")
    added = commit_file(git_repo, "old.py", body + f'password = "{SECRET_A}"\n', "secret on main")
    git(git_repo, "merge", "-q", "--no-edit", "side")
    assert (git_repo / "new.py").read_text(encoding="utf-8").endswith(f'password = "{SECRET_A}"\n')
    _, document = scan(runner, str(git_repo), "--history")
    assert facts(document) == [("new.py", 31, added, True)]


def test_commits_without_additions_are_counted_as_scanned(runner: CliRunner, git_repo: Path) -> None:
    commit_file(git_repo, "a.py", "x = 1\n", "add")
    git(git_repo, "commit", "-q", "--allow-empty", "-m", "empty")
    git(git_repo, "rm", "-q", "a.py")
    git(git_repo, "commit", "-qm", "deletion only")
    _, document = scan(runner, str(git_repo), "--history")
    assert document["summary"]["commits_scanned"] == 3


def test_commit_splitter_finds_marks_cut_across_reads(rng: random.Random) -> None:
    commits = [COMMIT_MARK + b"sha%d\x00\ndiff --git a/x b/x\n+line %d\n" % (i, i) * (1 + i % 3) for i in range(40)]
    commits.append(COMMIT_MARK + b"big\n" + b"+" * 100_000 + b"\n")
    stream = b"".join(commits)
    for _ in range(50):
        splitter, out, at = CommitSplitter(), [], 0
        while at < len(stream):
            size = rng.choice((1, 2, 3, 7, 64, 4096))
            out += splitter.feed(stream[at:at + size])
            at += size
        out += splitter.end()
        assert out == [COMMIT_MARK + part for part in stream.split(COMMIT_MARK)[1:]]


def test_keyword_prefilter_changes_no_finding(runner: CliRunner, git_repo: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    commit_file(git_repo, "app.py", f'password = "{SECRET_A}"\n', "literal")
    commit_file(git_repo, "client.py", 'import requests\nrequests.get(URL, auth=("bob", os.environ["PW"]))\n', "call")
    commit_file(git_repo, "deploy.sh", f"curl -u admin:{SECRET_B} https://example.invalid\n", "shell")
    commit_file(git_repo, "notes.txt", "nothing to see\n", "plain")
    _, filtered = scan(runner, str(git_repo), "--history")
    monkeypatch.setattr("credlint.detectors.engine.Engine.keyword_ends", lambda self, data: None)
    _, unfiltered = scan(runner, str(git_repo), "--history")
    assert len(filtered["findings"]) >= 3
    assert filtered["findings"] == unfiltered["findings"]


def test_equal_author_times_credit_the_commit_further_down_rev_list(runner: CliRunner, git_repo: Path) -> None:
    # A cherry-pick keeps the author time: which copy is "first" must not depend on which git process
    # printed its commit first.
    commit_file(git_repo, "base.txt", "base\n", "base")
    shas = []
    for branch, committed in (("one", "2024-03-01T00:00:00"), ("two", "2024-02-01T00:00:00")):
        git(git_repo, "checkout", "-q", "-b", branch, "main")
        (git_repo / "app.py").write_text(f'password = "{SECRET_A}"\n', encoding="utf-8")
        git(git_repo, "add", "app.py")
        env = {**os.environ, "GIT_AUTHOR_DATE": "2024-01-15T00:00:00", "GIT_COMMITTER_DATE": committed}
        subprocess.run(["git", "-C", str(git_repo), "commit", "-qm", branch], check=True, env=env)
        shas.append(git(git_repo, "rev-parse", "HEAD").strip())
    order = git(git_repo, "rev-list", "--all").split()
    assert order.index(shas[1]) > order.index(shas[0])  # "two", committed earlier, is further down
    reported = {scan(runner, str(git_repo), "--history")[1]["findings"][0]["commit"]["sha"] for _ in range(3)}
    assert reported == {shas[1]}


def test_mirror_clone_is_scanned(runner: CliRunner, git_repo: Path, tmp_path: Path) -> None:
    added = commit_file(git_repo, "app.py", f'password = "{SECRET_A}"\n', "add")
    mirror = tmp_path / "mirror.git"
    subprocess.run(["git", "clone", "-q", "--mirror", str(git_repo), str(mirror)], check=True)
    code, document = scan(runner, str(mirror), "--history")
    assert code == 1
    assert facts(document) == [("app.py", 1, added, True)]


def test_submodules_are_not_followed_and_the_report_says_so(runner: CliRunner, git_repo: Path,
                                                           tmp_path: Path) -> None:
    library = tmp_path / "library"
    library.mkdir()
    git(library, "init", "-q", "-b", "main")
    commit_file(library, "lib.py", f'password = "{SECRET_B}"\n', "library secret")
    commit_file(git_repo, "app.py", "x = 1\n", "app")
    git(git_repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(library), "vendor/library")
    git(git_repo, "commit", "-qm", "add submodule")
    code, document = scan(runner, str(git_repo), "--history")
    assert code == 0 and document["findings"] == []
    assert any(w.startswith("submodules are not followed") for w in document["summary"]["warnings"])


def test_sarif_names_the_branch_and_commit_scanned(runner: CliRunner, git_repo: Path) -> None:
    head = commit_file(git_repo, "app.py", f'password = "{SECRET_A}"\n', "add")
    git(git_repo, "remote", "add", "origin", "https://example.org/team/repo.git")
    git(git_repo, "checkout", "-q", "-b", "feature/audit")
    document = json.loads(runner.invoke(cli, ["scan", str(git_repo), "--history", "--format", "sarif"]).output)
    provenance = document["runs"][0]["versionControlProvenance"][0]
    assert (provenance["branch"], provenance["revisionId"]) == ("feature/audit", head)
    git(git_repo, "checkout", "-q", "--detach")
    document = json.loads(runner.invoke(cli, ["scan", str(git_repo), "--history", "--format", "sarif"]).output)
    assert "branch" not in document["runs"][0]["versionControlProvenance"][0]


def test_the_pre_commit_path_does_not_import_gitpython(git_repo: Path) -> None:
    # GitPython costs about 80 ms to import: history scans use it, a commit-time --staged scan must not.
    commit_file(git_repo, "base.txt", "base\n", "base")
    (git_repo / "app.py").write_text("x = 1\n", encoding="utf-8")
    git(git_repo, "add", "app.py")
    probe = ("import sys; from credlint.cli import main\n"
             "try:\n    main(['scan', '--staged', '--quiet'])\nexcept SystemExit as done:\n"
             "    print(done.code, 'git' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", probe], cwd=git_repo, capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])})
    assert out.stdout.splitlines()[-1].split() == ["0", "False"]


def test_staged_reports_what_the_commit_adds(runner: CliRunner, git_repo: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(git_repo)
    (git_repo / "legacy.py").write_text(f'password = "{SECRET_A}"\nx = 1\n')
    (git_repo / "moved.py").write_text(f'password = "{SECRET_B}"\n')
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-qm", "legacy secrets")
    (git_repo / "legacy.py").write_text(f'password = "{SECRET_A}"\nx = 2\n')  # touched, secret untouched
    git(git_repo, "mv", "moved.py", "renamed.py")  # a pure rename
    git(git_repo, "add", ".")
    code, document = scan(runner, "--staged")
    assert (code, document["findings"], document["summary"]["outside_change"]) == (0, [], 2)
    code, document = scan(runner, "--staged", "--whole-files")
    assert code == 1 and sorted(f["path"] for f in document["findings"]) == ["legacy.py", "renamed.py"]
    text = runner.invoke(cli, ["scan", "--staged"]).output
    assert "2 on lines this commit does not change (--whole-files lists them)" in text


def test_staged_sees_a_key_regenerated_under_its_unchanged_header(runner: CliRunner, git_repo: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import random

    monkeypatch.chdir(git_repo)
    old, new = clear_key(random.Random(1)), clear_key(random.Random(2))
    (git_repo / "server.key").write_text(old + "\n")
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-qm", "a key")
    (git_repo / "server.key").write_text(new + "\n")  # BEGIN and END lines unchanged: not in a -U0 diff
    git(git_repo, "add", ".")
    code, document = scan(runner, "--staged")
    assert code == 1 and [(f["rule_id"], f["path"]) for f in document["findings"]] == [("private-key", "server.key")]


def test_named_files_without_staged_changes_are_scanned_whole(runner: CliRunner, git_repo: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(git_repo)
    (git_repo / "old.py").write_text(f'password = "{SECRET_A}"\n')
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-qm", "committed")
    (git_repo / "untracked.py").write_text(f'password = "{SECRET_B}"\n')
    code, document = scan(runner, "--staged", "old.py", "untracked.py")
    assert code == 1 and sorted(f["path"] for f in document["findings"]) == ["old.py", "untracked.py"]
    assert runner.invoke(cli, ["scan", "--staged", "--", "no-such-file.py"]).exit_code == 2
