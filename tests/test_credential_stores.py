"""A tool's own credential file (.netrc, .pgpass, shadow, FileZilla's and editors' SFTP settings) holds the
logins in use: a weak or typed password there is reported, and so is a password hash; the same values in code
are stand-ins and stay quiet. Placeholders stay quiet everywhere."""

from __future__ import annotations

import pytest

from credlint.config import DEFAULT_MIN_SCORE
from credlint.detectors.rulebook import Rulebook
from credlint.pipeline import scan_text


def reported(text: str, rulebook: Rulebook, path: str) -> set[str]:
    return {finding.rule_id for finding in scan_text(text, rulebook, path)}


@pytest.mark.parametrize(("path", "text", "rule"), [
    pytest.param("home/ops/.netrc", "machine ftp.acme.io login ops password pass123\n", "netrc-password",
                 id="netrc-weak-password"),
    pytest.param("db/.pgpass", "localhost:5432:orders:root:postgres\n", "pgpass-password", id="pgpass-default"),
    pytest.param(".esmtprc", 'password "letmein"\n', "esmtprc-password", id="esmtprc-default"),
    pytest.param("sftp-config.json", '    "password": "hunter22",\n', "hardcoded-password", id="typed-password"),
    pytest.param(".vscode/sftp.json", '  "password": "qwerty123456"\n', "hardcoded-password", id="keyboard-pattern"),
])
def test_a_weak_password_in_a_credential_store_is_reported(rulebook: Rulebook, path: str, text: str,
                                                           rule: str) -> None:
    assert rule in reported(text, rulebook, path)


@pytest.mark.parametrize("text", [
    'password = "pass123"\n',
    'password = "hunter22"\n',
    'password = "qwerty123456"\n',
])
def test_the_same_values_in_code_stay_quiet(rulebook: Rulebook, text: str) -> None:
    assert not reported(text, rulebook, "src/app.py")


@pytest.mark.parametrize(("path", "text"), [
    pytest.param("home/ops/.netrc", "machine ftp.acme.io login ops password $FTP_PASSWORD\n", id="reference"),
    pytest.param("sftp-config.json", '    "password": "<password>",\n', id="angle-placeholder"),
    pytest.param("sftp-config.json", '    "password": "your_password",\n', id="your-password"),
    pytest.param(".esmtprc", 'password ""\n', id="empty"),
])
def test_placeholders_in_a_credential_store_stay_quiet(rulebook: Rulebook, path: str, text: str) -> None:
    assert not reported(text, rulebook, path)


def test_a_weak_password_in_a_store_fixture_scores_below_the_default(rulebook: Rulebook) -> None:
    """Tests lower a store's weak password back under --min-score; a random one in the same fixture stays."""
    text = "machine ftp.acme.io login ops password {}\n"
    [weak] = scan_text(text.format("pass123"), rulebook, "tests/fixtures/.netrc", min_score=0)
    [strong] = scan_text(text.format("Kq8!vR2xLm7#Tz"), rulebook, "tests/fixtures/.netrc", min_score=0)
    assert weak.score < DEFAULT_MIN_SCORE <= strong.score


SHA512_CRYPT = "$6$Ux2Q8aTw$Y1c9q0mZr3LkV7hJ2pQe5sWfN8bD4gXo6tRiKaC0vMuE3yHnPjB7lZdS9qFw1eTx5oGk2Ua8Ic4Nr6Vb0Lm1z/"


def test_a_password_hash_is_reported_in_the_file_that_logs_in_with_it(rulebook: Rulebook) -> None:
    entry = f"deploy:{SHA512_CRYPT}:19000:0:99999:7:::\n"
    assert "passwd-file-hash" in reported(entry, rulebook, "etc/shadow")
    assert "passwd-file-hash" in reported("admin:$apr1$Qm7vX2kd$Zr9tLp3WnF8sHc1bYq5Ke0\n", rulebook,
                                          "web/.htpasswd")


def test_a_password_hash_elsewhere_is_not_a_secret(rulebook: Rulebook) -> None:
    assert not reported(f'password = "{SHA512_CRYPT}"\n', rulebook, "src/seed_users.py")
    assert not reported(f"deploy:{SHA512_CRYPT}:19000:0:99999:7:::\n", rulebook, "docs/notes.log")


def test_a_git_credentials_line_with_raw_separators_in_user_and_password(rulebook: Rulebook) -> None:
    line = "https://ci-bot@corp.example.net:h5Vd!8Qa@3kPz@git.example.net\n"
    [finding] = scan_text(line, rulebook, "home/ci/.git-credentials")
    assert (finding.rule_id, finding.redacted) == ("git-credentials-password", "h5V…(13 chars)")


def test_a_password_hash_in_a_store_fixture_is_a_fixture(rulebook: Rulebook) -> None:
    assert not reported("admin:$apr1$Qm7vX2kd$Zr9tLp3WnF8sHc1bYq5Ke0\n", rulebook, "tests/fixtures/.htpasswd")


@pytest.mark.parametrize(("path", "text"), [
    pytest.param("home/ci/.git-credentials", "https://deploy:password@git.example.net\n", id="the-field-word"),
    pytest.param(".esmtprc", 'password "passwd"\n', id="another-field-word"),
    pytest.param("home/ops/.netrc", "machine ftp.acme.io login ops password your-ftp-password\n",
                 id="your-something-password"),
])
def test_a_value_that_names_its_field_is_a_template_even_in_a_store(rulebook: Rulebook, path: str,
                                                                     text: str) -> None:
    assert not reported(text, rulebook, path)


def test_a_stored_password_encoded_as_readable_text_is_still_a_password(rulebook: Rulebook) -> None:
    """FileZilla keeps base64 of what was typed: `mediapass7` reads as words, and is the password."""
    line = '<Pass encoding="base64">bWVkaWFwYXNzNw==</Pass>\n'
    assert "filezilla-password" in reported(line, rulebook, "AppData/Roaming/FileZilla/sitemanager.xml")
    assert not reported('secret_key = "bWVkaWFwYXNzNw=="\n', rulebook, "src/app.py")


def test_a_weak_login_in_a_docker_config_is_reported(rulebook: Rulebook) -> None:
    """`auth` is base64 of `admin:admin123`: a weak login to a registry, and the one in use."""
    text = '{"auths": {"nexus.acme.io:8443": {"auth": "YWRtaW46YWRtaW4xMjM="}}}\n'
    assert reported(text, rulebook, "home/ci/.docker/config.json")
