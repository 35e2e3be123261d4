from __future__ import annotations

import random

from scanner.rulebook import Rulebook
from scanner.scan import scan_text
from scanner.scoring import redact
from tests.fakes import crc32_token


def test_worked_example_from_docs(rulebook: Rulebook, rng: random.Random) -> None:
    """docs/scoring.md: a checksum-valid GitHub token in src/ scores 60 + 30 + 10 + 10 = 100 (capped)."""
    token = crc32_token("ghp_", rng)
    [finding] = scan_text(f'TOKEN = "{token}"\n', rulebook, "src/settings.py")
    assert (finding.rule_id, finding.score, finding.validation.value) == ("github-pat-classic", 100, "passed")


def test_test_paths_and_docs_lower_the_score(rulebook: Rulebook) -> None:
    line = 'LDAP_BIND_PASSWORD = "breeze-fjord-breeze-54"\n'
    [in_src] = scan_text(line, rulebook, "src/app.py")
    [in_tests] = scan_text(line, rulebook, "tests/test_app.py")
    [in_docs] = scan_text(line, rulebook, "docs/setup.md")
    assert in_src.score - in_tests.score == 10
    assert in_src.score - in_docs.score == 5


def test_redaction_shows_prefix_and_length_only() -> None:
    assert redact("ghp_abcdefghijklmnopqrstuvwxyz0123456789") == "ghp_…(40 chars)"
    assert redact("Tr0ub4dor-3") == "Tr…(11 chars)"
    assert redact("abc") == "…(3 chars)"
