"""Rule files prove themselves: every example must be reported and every negative example dropped."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from credlint.detectors.rulebook import Rule, Rulebook, load_rulebook
from credlint.errors import RuleFileError
from credlint.pipeline import scan_text


def example_failures(rule: Rule, rulebook: Rulebook) -> list[str]:
    """Messages for each example the full pipeline does not treat as the rule says it should."""
    failures = []
    for text in rule.examples:
        if rule.id not in {f.rule_id for f in scan_text(text, rulebook, rule.example_path)}:
            failures.append(f"example not reported: {text!r}")
    for text in rule.negative_examples:
        if rule.id in {f.rule_id for f in scan_text(text, rulebook, rule.example_path)}:
            failures.append(f"negative example reported: {text!r}")
    return failures


def verify_rule_files(paths: Iterable[Path]) -> tuple[Rule, ...]:
    """Load user rule files and reject any whose examples fail (built-in rules are checked by the tests)."""
    extra = load_rulebook(paths, builtin=False)
    for rule in extra.rules:
        failures = example_failures(rule, Rulebook((rule,)))
        if failures:
            raise RuleFileError(f"{rule.source} [{rule.id}]: {failures[0]}")
    return extra.rules
