"""Every reason a candidate can be dropped, end to end: a file that only that reason keeps quiet, scanned by
the CLI with --explain. A filter removed or made to stop firing fails its case; a reason added without a
case fails the completeness test."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from credlint.cli import cli
from credlint.triage.filters import FILTERS

# reason -> (file name, content, rule the dropped candidate belongs to)
CASES = {
    "checksum-failed": ("token.py", 'token = "ghp_Zq8Xk2Lm9Rt4Vw7Yb3Nc6Pd1Hs5Jf0Ga8Ke2"\n', "github-pat-classic"),
    "provider-rejected": ("token.py", 'token = "ghp_Zq8Xk2Lm9Rt4Vw7Yb3Nc6Pd1Hs5Jf0Ga8Ke2"\n', "hardcoded-secret"),
    "placeholder": ("settings.py", 'password = "changeme_placeholder"\n', "hardcoded-password"),
    "reference": ("app.properties", "db.password=config.database.password_value\n", "hardcoded-password-config"),
    "placeholder-credentials": ("request.txt", "Authorization: Basic dXNlcjpwYXNzd29yZA==\n",
                                "authorization-basic-literal"),
    "token-stand-in": ("upload.py", 'auth = ("__token__", "Kq8!vR2xLmTok")\n', "basic-auth-tuple-literal"),
    "password-hash": ("users.py", 'password = "$2b$12$abcdefghijklmnopqrstuuQ0dXVYb3ZS3YkSB.Ta2S3wl5qGhS2Zq"\n',
                      "hardcoded-password"),
    "digest": ("lock.py", 'client_secret = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"\n',
               "hardcoded-secret"),
    "uuid": ("ids.py", 'api_key = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"\n', "hardcoded-secret"),
    "path-like": ("tags.py", 'password = "external/cwe/cwe-259"\n', "hardcoded-password"),
    "file-path": ("paths.py", 'password = "~/.config/gcloud/credentials.json"\n', "hardcoded-password"),
    "format-template": ("client.py", 'api_token = "Zq8vKx2PzLm7%s-RtY4wN6bQ3j"\n', "hardcoded-secret"),
    "names-itself": ("messages.py", 'MSG_USERAUTH_GSSAPI_TOKEN = "userauth-gssapi-token"\n', "hardcoded-secret"),
    "encoded-text": ("encoded.py", 'secret_key = "eW91IGFyZSBub3Qgc3VwcG9zZWQgdG8gZGVjb2RlIHRoaXMh"\n',
                     "hardcoded-secret"),
    "readable-token": ("cursor.py", 'api_token = "users_list_pagination_cursor"\n', "hardcoded-secret"),
    "patterned": ("keyboard.py", 'password = "qwerty123456"\n', "hardcoded-password"),
    "trivial-default": ("db.py", 'password = "postgres"\n', "hardcoded-password"),
    "published-example": ("digest_auth.py", 'password = "CircleOfLife"\n', "hardcoded-password"),
    "sequential": ("seq.py", 'password = "abcdefghijk"\n', "hardcoded-password"),
    "low-entropy": ("app.properties", "api.secret=x9x9x9x9y8y8y8y8z7z7\n", "hardcoded-secret-config"),
    "rule-allowlist": ("captcha.py", 'RECAPTCHA_SITE_KEY = "6LcQ8fAqAAAAAJx7pZkD1nWvR4uTyB2sE9mHgLoC"\n',
                       "hardcoded-key"),
    "config-allowlist": ("settings.py", 'password = "Kq8!vR2xLm-allowed"\n', "hardcoded-password"),
    "below-min-score": ("tests/test_login.py", 'password = "Kq8!vR2xLm"\n', "hardcoded-password"),
}
CONFIG = {
    "config-allowlist": '[tool.credlint.allowlist]\nregexes = ["-allowed$"]\n',
    "below-min-score": "[tool.credlint]\nmin_score = 100\n",
}
OTHER_REASONS = {"config-allowlist", "provider-rejected", "below-min-score"}


def test_every_drop_reason_has_a_case() -> None:
    assert set(CASES) == {name for name, _ in FILTERS} | OTHER_REASONS


@pytest.mark.parametrize("reason", sorted(CASES))
def test_the_reason_alone_keeps_the_file_quiet(reason: str, runner: CliRunner, tmp_path: Path) -> None:
    name, text, rule_id = CASES[reason]
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_text(text)
    if reason in CONFIG:
        (tmp_path / "pyproject.toml").write_text(CONFIG[reason])
    result = runner.invoke(cli, ["scan", str(tmp_path), "--explain"])
    dropped = [line.split() for line in result.stdout.splitlines() if line.startswith("dropped ")]
    assert ["dropped", f"{name}:1", rule_id, reason] in [[*d[:3], d[3].split("(")[0]] for d in dropped], \
        result.stdout
    assert result.exit_code == 0 and "0 findings" in result.stdout, result.stdout
