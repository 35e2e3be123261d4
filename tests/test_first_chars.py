"""The first-character lookahead changes how fast a rule's regex runs, never what it matches."""

from __future__ import annotations

import random
import re

import pytest

from credlint.detectors.first_chars import with_first_chars
from credlint.detectors.redos import attack_lines
from credlint.detectors.rulebook import Rule, load_rulebook

RULES = [rule for rule in load_rulebook().rules if rule.pattern]
ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 :=\"'_-./\n"
SAMPLE = "".join(random.Random(5).choice(ALPHABET) for _ in range(20_000))


def spans(pattern: str, text: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(pattern, text)]


def test_the_generic_rules_get_the_lookahead() -> None:
    changed = {rule.id for rule in RULES if with_first_chars(rule.pattern) != rule.pattern}
    assert {"hardcoded-secret", "hardcoded-secret-config", "basic-auth-call-literal"} <= changed


@pytest.mark.parametrize("rule", [r for r in RULES if with_first_chars(r.pattern) != r.pattern], ids=lambda r: r.id)
def test_same_matches_with_and_without_the_lookahead(rule: Rule) -> None:
    texts = [*rule.examples, *rule.negative_examples, SAMPLE, "\n".join(rule.examples).upper(),
             *(line for _, line in attack_lines(rule.examples, rule.keywords, 2048))]
    for text in texts:
        assert spans(with_first_chars(rule.pattern), text) == spans(rule.pattern, text)


@pytest.mark.parametrize(("pattern", "expected"), [
    (r"(?i)(?:alpha|beta|gamma|delta|omega)=\w+", r"(?i)(?=[abdgo])(?:alpha|beta|gamma|delta|omega)=\w+"),
    (r"\b(?:a|b|c|d|e)x", r"(?=[abcde])\b(?:a|b|c|d|e)x"),
    (r"(?:a|b|c|d|e)?x", r"(?=[abcdex])(?:a|b|c|d|e)?x"),  # optional: a match may start with x too
    (r"[^a]bcdefg", r"[^a]bcdefg"),  # a negated class: unknown, left alone
    (r"(?i:a|b|c|d|e)x", r"(?i:a|b|c|d|e)x"),  # a scoped IGNORECASE: left alone ((?i:k) matches the Kelvin sign)
    (r"(?i)(?:(?<![a-z])|(?-i:(?<=[a-z])(?=T)))token|secret|api|key|credential",
     r"(?i)(?=[ackst])(?:(?<![a-z])|(?-i:(?<=[a-z])(?=T)))token|secret|api|key|credential"),  # (?-i:…) understood
    (r"(?s:a|b|c|d|e)x", r"(?s:a|b|c|d|e)x"),  # any other scoped flag: left alone
    (r"(?:a|b|c|d|e|)", r"(?:a|b|c|d|e|)"),  # can match the empty string
])
def test_what_gets_a_lookahead(pattern: str, expected: str) -> None:
    assert with_first_chars(pattern) == expected
