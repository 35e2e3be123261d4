from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from credlint.cli import cli, main
from tests.fakes import crc32_token


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_clean_tree_exits_0(runner: CliRunner, tmp_path: Path) -> None:
    write(tmp_path, "app.py", "print('hello')\n")
    result = runner.invoke(cli, ["scan", str(tmp_path)])
    assert result.exit_code == 0
    assert result.output.startswith("1 files scanned (15 B), 0 skipped; 0 findings; ")


def test_finding_exits_1_and_is_redacted(runner: CliRunner, tmp_path: Path, rng: random.Random) -> None:
    token = crc32_token("ghp_", rng)
    write(tmp_path, "src/settings.py", f'GITHUB_TOKEN = "{token}"\n')
    result = runner.invoke(cli, ["scan", str(tmp_path)])
    assert result.exit_code == 1
    assert token not in result.output
    lines = result.output.splitlines()
    assert lines[0] == "src/settings.py"
    assert lines[1] == "  src/settings.py:1:17  high     github-pat-classic  score 100  ghp_…(40 chars)"
    assert lines[2] == "      GitHub personal access token (classic)"
    assert lines[3].startswith("      fix: Revoke it under GitHub Settings")


def test_show_secrets_reveals_the_value(runner: CliRunner, tmp_path: Path, rng: random.Random) -> None:
    token = crc32_token("ghp_", rng)
    write(tmp_path, "a.py", f'GITHUB_TOKEN = "{token}"\n')
    result = runner.invoke(cli, ["scan", str(tmp_path), "--show-secrets"])
    assert token in result.output


def test_fail_on_threshold(runner: CliRunner, tmp_path: Path) -> None:
    write(tmp_path, "hooks.env", "SLACK_WEBHOOK=https://hooks.slack.com/services/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\n")
    assert runner.invoke(cli, ["scan", str(tmp_path), "--fail-on", "high"]).exit_code == 0  # medium finding
    assert runner.invoke(cli, ["scan", str(tmp_path), "--fail-on", "medium"]).exit_code == 1


def test_missing_path_is_exit_2_with_one_line(tmp_path: Path, capsys: object) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(SystemExit) as exited:
        main(["scan", str(missing)])
    assert exited.value.code == 2
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    assert err == f"credlint: error: {missing}: no such file or directory\n"


def test_bad_config_key_is_exit_2_naming_file_and_key(tmp_path: Path, capsys: object) -> None:
    config = write(tmp_path, "pyproject.toml", "[tool.credlint]\nmin_scroe = 10\n")
    with pytest.raises(SystemExit) as exited:
        main(["scan", str(tmp_path)])
    assert exited.value.code == 2
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    assert err == f"credlint: error: {config} [tool.credlint]: unknown key 'min_scroe' (did you mean 'min_score'?)\n"


def test_bad_rule_file_flag_is_exit_2(tmp_path: Path, capsys: object) -> None:
    bad = Path(__file__).parent / "data" / "bad_rules" / "bad-regex.toml"
    with pytest.raises(SystemExit) as exited:
        main(["scan", str(tmp_path), "--rules", str(bad)])
    assert exited.value.code == 2
    assert capsys.readouterr().err.startswith(f"credlint: error: {bad} [demo-token]: bad regex")  # type: ignore[attr-defined]


def test_usage_error_is_exit_2(runner: CliRunner) -> None:
    assert runner.invoke(cli, ["scan", "--format", "xml"]).exit_code == 2


def test_config_from_pyproject_is_applied(runner: CliRunner, tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.credlint]\nexclude = ["fixtures/**"]\nmin_score = 10\n')
    write(tmp_path, "fixtures/a.py", 'password = "Hq7!vRt2Lx9"\n')
    result = runner.invoke(cli, ["scan", str(tmp_path), "--format", "json"])
    document = json.loads(result.output)
    assert document["findings"] == []
    assert document["summary"]["skipped"] == {"excluded": 1}


def test_extra_rule_file_and_output_file(runner: CliRunner, tmp_path: Path) -> None:
    write(tmp_path, "a.py", "DEMO = 'demo_q8v2kx7m3p9r4t6w1z5y'\n")
    rules = Path(__file__).parent / "data" / "good_rule.toml"
    out = tmp_path / "report.json"
    result = runner.invoke(cli, ["scan", str(tmp_path / "a.py"), "--rules", str(rules), "--format", "json",
                                 "--output", str(out)])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"credlint: 1 finding (high 1) written to {out}\n"  # a red CI step says why
    assert [f["rule_id"] for f in json.loads(out.read_text())["findings"]] == ["demo-token"]


def test_explain_lists_dropped_candidates(runner: CliRunner, tmp_path: Path) -> None:
    write(tmp_path, "a.py", 'password = "${DB_PASSWORD}"\n')
    result = runner.invoke(cli, ["scan", str(tmp_path), "--explain"])
    assert "dropped a.py:1 hardcoded-password placeholder" in result.output.splitlines()


def test_rules_command_lists_every_rule(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["rules"])
    assert result.exit_code == 0
    assert any(line.startswith("github-pat-classic") for line in result.output.splitlines())
    assert len(result.output.splitlines()) >= 120


def test_rules_families_names_each_provider_once_and_counts_them(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["rules", "--families"])
    assert result.exit_code == 0
    *rows, total = result.output.splitlines()
    families = {row.split()[0]: row.split()[1:] for row in rows}
    assert len(families) == len(rows)
    assert "github-pat-classic" in families["github"] and "stripe-secret-key" in families["stripe"]
    assert not {"generic", "http", "advisory", "pem", "jwt"} & set(families), "shapes are not providers"
    assert total.startswith(f"{len(rows)} provider families, {sum(map(len, families.values()))} provider-specific")


def test_version(runner: CliRunner) -> None:
    from credlint import __version__

    assert runner.invoke(cli, ["--version"]).output == f"credlint, version {__version__}\n"


def test_inline_allow_suppresses_and_show_suppressed_lists(runner: CliRunner, tmp_path: Path) -> None:
    write(tmp_path, "a.py", 'password = "Hq7!vRt2Lx9"  # credlint: allow -- local fixture\n')
    quiet = runner.invoke(cli, ["scan", str(tmp_path), "--format", "json"])
    assert quiet.exit_code == 0
    assert json.loads(quiet.output)["findings"] == []
    assert json.loads(quiet.output)["summary"]["suppressed"] == 1
    shown = json.loads(runner.invoke(cli, ["scan", str(tmp_path), "--format", "json", "--show-suppressed"]).output)
    assert [f["suppressed"] for f in shown["findings"]] == [{"kind": "inSource", "justification": "local fixture"}]
    sarif = json.loads(runner.invoke(cli, ["scan", str(tmp_path), "--format", "sarif"]).output)
    assert sarif["runs"][0]["results"] == []
    sarif = json.loads(runner.invoke(cli, ["scan", str(tmp_path), "--format", "sarif", "--show-suppressed"]).output)
    assert sarif["runs"][0]["results"][0]["suppressions"] == [{"kind": "inSource", "justification": "local fixture"}]


def test_internal_error_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("credlint.pipeline.run_scan", broken)
    with pytest.raises(SystemExit) as exited:
        main(["scan", str(tmp_path)])
    assert exited.value.code == 2
    assert capsys.readouterr().err == (
        "credlint: internal error: RuntimeError: disk on fire (rerun with --debug for the traceback)\n")
    with pytest.raises(RuntimeError):
        main(["--debug", "scan", str(tmp_path)])


def test_allowlist_paths_regexes_and_rule_allow(runner: CliRunner, tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", "[tool.credlint.allowlist]\npaths = [\"fixtures/**\"]\n"
                                      "regexes = ['^Zx8']\n")
    write(tmp_path, "fixtures/a.py", 'password = "Hq7!vRt2Lx9"\n')
    write(tmp_path, "app.py", 'password = "Zx8!kLq2Vm7"\nother_password = "Wq5#nRt8Yz1"\n')
    document = json.loads(runner.invoke(cli, ["scan", str(tmp_path), "--format", "json"]).output)
    assert [(f["path"], f["line"]) for f in document["findings"]] == [("app.py", 2)]
    assert document["summary"]["skipped"] == {"excluded": 1}


def test_a_rules_own_allow_table(tmp_path: Path) -> None:
    from credlint.checks import verify_rule_files
    from credlint.detectors.rulebook import Rulebook
    from credlint.pipeline import scan_text

    rules = (Path(__file__).parent / "data" / "good_rule.toml").read_text() + (
        "\n[rules.allow]\nsecret = ['^demo_0']  # fixtures generated by the demo SDK start with demo_0\n")
    path = write(tmp_path, "rule.toml", rules)
    rulebook = Rulebook(verify_rule_files([path]))
    assert scan_text("DEMO = 'demo_0q8v2kx7m3p9r4t6w1z5'", rulebook) == []
    assert [f.rule_id for f in scan_text("DEMO = 'demo_q8v2kx7m3p9r4t6w1z5y'", rulebook)] == ["demo-token"]


@pytest.mark.parametrize(("args", "message"), [
    pytest.param(["--range", "v1"], "is not a range", id="range-without-dots"),
    pytest.param(["--history", "--range", "a..b"], "choose one of --history, --range", id="history-and-range"),
    pytest.param(["--history", "src"], "history options scan the whole repository", id="history-with-a-path"),
])
def test_history_options_that_would_be_taken_silently_are_usage_errors(runner: CliRunner, git_repo: Path,
                                                                       monkeypatch: pytest.MonkeyPatch,
                                                                       args: list[str], message: str) -> None:
    monkeypatch.chdir(git_repo)
    (git_repo / "src").mkdir()
    result = runner.invoke(cli, ["scan", *args])
    assert result.exit_code == 2 and message in result.stderr


def test_sarif_does_not_call_an_environment_lookup_hard_coded(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "client.py").write_text('import os\nrequests.get(url, auth=(user, os.environ["PW"]))\n')
    sarif = json.loads(runner.invoke(cli, ["scan", str(tmp_path), "--format", "sarif"]).stdout)
    [result] = sarif["runs"][0]["results"]
    assert "hard-coded" not in result["message"]["text"] and "the password comes from" in result["message"]["text"]


@pytest.mark.parametrize(("content", "args", "code"), [
    pytest.param("x = 1\n", [], 0, id="clean"),
    pytest.param('password = "Kq8!vR2xLm"\n', [], 1, id="findings"),
    pytest.param('password = "Kq8!vR2xLm"\n', ["--fail-on", "critical"], 0, id="findings-below-the-threshold"),
    pytest.param("x = 1\n", ["--format", "xml"], 2, id="usage-error"),
])
def test_main_exit_codes(tmp_path: Path, content: str, args: list[str], code: int) -> None:
    write(tmp_path, "app.py", content)
    with pytest.raises(SystemExit) as exited:
        main(["scan", str(tmp_path), "--quiet", *args])
    assert exited.value.code == code
