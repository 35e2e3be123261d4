from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from credlint.cli import cli
from credlint.config import DEFAULT_MIN_SCORE
from credlint.detectors.rulebook import Rulebook
from credlint.model import Finding
from credlint.pipeline import scan_text
from credlint.triage.scoring import redact
from tests.fakes import clear_key, crc32_token


def only(text: str, rulebook: Rulebook, path: str) -> Finding:
    [finding] = scan_text(text, rulebook, path, min_score=0)
    return finding


def test_worked_example_from_docs(rulebook: Rulebook, rng: random.Random) -> None:
    """docs/scoring.md: a checksum-valid GitHub token in src/ scores 90 + 10 + 5 = 105, capped at 100."""
    token = crc32_token("ghp_", rng)
    finding = only(f'TOKEN = "{token}"\n', rulebook, "src/settings.py")
    assert (finding.rule_id, finding.score, finding.validation.value) == ("github-pat-classic", 100, "passed")


def test_the_order_of_what_matters(rulebook: Rulebook, rng: random.Random) -> None:
    """A validated token or key > a literal password in production config > a dictionary word in a test >
    migration debt; and the default --min-score falls between the last two reportable ones."""
    validated = only(clear_key(rng), rulebook, "deploy/tls/server.key")
    production_password = only("DB_PASSWORD=Harbor2024!blue\n", rulebook, "deploy/prod.env")
    word_in_test = only('client.connect(password="marmalade")\n', rulebook, "tests/test_client.py")
    debt = only('requests.get(url, auth=(user, os.environ["PARTNER_PASSWORD"]))\n', rulebook, "app/client.py")
    assert validated.score > production_password.score > word_in_test.score > debt.score
    assert production_password.score >= DEFAULT_MIN_SCORE > word_in_test.score
    assert debt.advisory and debt.severity.label == "low"


@pytest.mark.parametrize(("path", "points"), [
    pytest.param("tests/test_app.py", -10, id="test"),
    pytest.param("docs/setup.md", -10, id="docs"),
    pytest.param("examples/app.py", -10, id="example"),
    pytest.param("vendor/lib/app.py", -15, id="vendored"),
    pytest.param("examples/tests/test_app.py", -20, id="test-in-example"),
    pytest.param("vendor/lib/tests/docs/examples/app.md", -20, id="never-below-the-floor"),
])
def test_context_lowers_the_score(rulebook: Rulebook, path: str, points: int) -> None:
    line = 'LDAP_BIND_PASSWORD = "Tiger-Maple-88"\n'
    assert only(line, rulebook, path).score - only(line, rulebook, "src/app.py").score == points


def test_a_generated_value_outscores_a_human_one_and_both_outscore_words(rulebook: Rulebook) -> None:
    scores = [only(f'password = "{value}"\n', rulebook, "src/app.py").score
              for value in ("q8Vz!3mKw#Lp2xRt", "Harbor2024!blue", "marmalade")]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == 3


def test_a_published_example_scores_below_an_unknown_token(rulebook: Rulebook) -> None:
    jwt_io = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2"
              "MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c")
    published = only(f'token = "{jwt_io}"\n', rulebook, "docs/auth.md")
    assert DEFAULT_MIN_SCORE <= published.score < only(f'token = "{jwt_io[:-4]}AbCd"\n', rulebook, "docs/auth.md").score


def test_words_on_the_line_that_say_dummy_lower_the_score(rulebook: Rulebook) -> None:
    plain = only('vault_password = "Tiger-Maple-88"\n', rulebook, "src/app.py")
    wrong = only('wrong_vault_password = "Tiger-Maple-88"\n', rulebook, "src/app.py")
    assert plain.score - wrong.score == 10
    # example.org is where documentation and real configuration templates point alike: no signal
    url = only('SYNC_URL = "https://ops:Tiger-Maple-88@sync.example.org/v1"\n', rulebook, "src/app.py")
    assert url.score == only('SYNC_URL = "https://ops:Tiger-Maple-88@sync.acme.io/v1"\n', rulebook,
                             "src/app.py").score


def test_migration_debt_is_reported_whatever_the_min_score(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "client.py").write_text('import os\nrequests.get(url, auth=(user, os.environ["PW"]))\n')
    (tmp_path / "test_words.py").write_text('client.connect(password="marmalade")\n')
    result = runner.invoke(cli, ["scan", str(tmp_path), "--format", "json", "--min-score", "90"])
    document = json.loads(result.output)
    assert [(f["rule_id"], f["path"]) for f in document["findings"]] == [("python-auth-from-environment",
                                                                           "client.py")]
    assert document["summary"]["below_min_score"] == 1


def test_redaction_shows_prefix_and_length_only() -> None:
    assert redact("ghp_abcdefghijklmnopqrstuvwxyz0123456789") == "ghp_…(40 chars)"
    assert redact("Tr0ub4dor-3") == "Tr…(11 chars)"
    assert redact("abc") == "…(3 chars)"
