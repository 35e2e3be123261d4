"""A finding is one value, placed where it is, however long the line around it (minified code, recorded
JSON). No timing here: bench/run.py measures speed."""

from __future__ import annotations

import random

from credlint.detectors.regex import MAX_SPAN
from credlint.detectors.rulebook import Rulebook
from credlint.pipeline import scan_text
from tests.fakes import crc32_token


def test_a_megabyte_line_yields_its_secrets_exactly_where_they_are(rulebook: Rulebook, rng: random.Random) -> None:
    token = crc32_token("ghp_", rng)
    password = "Q7wYtN2kLp9v!x"
    filler = "".join(rng.choice("abcdefghij ,:{}[]") for _ in range(500_000))
    line = f'{{"data": "{filler}", "token": "{token}", "more": "{filler}", "password": "{password}"}}'
    assert len(line) > 1_000_000
    found = scan_text(line + "\n", rulebook, "recorded/response.json")
    assert sorted((f.rule_id, line[f.location.column - 1:f.location.end_column - 1]) for f in found) == sorted(
        [("github-pat-classic", token), ("hardcoded-password", password)])


def test_no_span_is_longer_than_one_value(rulebook: Rulebook) -> None:
    """A keyword followed by a megabyte without a closing quote must not become a megabyte-long finding."""
    for line in ('password = "' + "x7Qz" * 250_000, "login(" + "user, os.environ[" * 60_000,
                 'auth = HTTPBasicAuth("ops", "' + "k9" * 300_000 + '")'):
        for finding in scan_text(line + "\n", rulebook, "app.py", min_score=0):
            assert finding.location.end_column - finding.location.column <= MAX_SPAN


def test_many_values_on_one_line_are_each_reported_once_in_place(rulebook: Rulebook) -> None:
    values = [f"Xk9#mWq2!pLs{i:04d}" for i in range(300)]
    line = "{" + ", ".join(f'"password": "{v}"' for v in values) + "}"
    found = scan_text(line + "\n", rulebook, "fixtures/users.json", min_score=0)
    assert [line[f.location.column - 1:f.location.end_column - 1] for f in found] == values
