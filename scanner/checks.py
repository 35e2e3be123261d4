"""Rule files prove themselves: every example must be reported and every negative example dropped."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from credlint.config import Config
from credlint.detectors.rulebook import Rule, Rulebook, load_rulebook
from credlint.errors import ConfigError, RuleFileError
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
    """Load user rule files and reject any whose examples fail or whose regex is superlinear (built-in rules
    are checked by the tests)."""
    extra = load_rulebook(paths, builtin=False)
    for rule in extra.rules:
        failures = example_failures(rule, Rulebook((rule,))) or growth_failures(rule)
        if failures:
            raise RuleFileError(f"{rule.source} [{rule.id}]: {failures[0]}")
    return extra.rules


# Sizes for the check at load: small enough to cost milliseconds on a linear regex.
LOAD_CHECK_SMALL, LOAD_CHECK_LARGE = 2 << 10, 8 << 10


def growth_failures(rule: Rule) -> list[str]:
    """A message if the rule's regex takes superlinear time on the attack lines of detectors/redos.py."""
    if not rule.pattern:
        return []
    from credlint.detectors.redos import slowest_growth, superlinear

    growth = slowest_growth(rule.regex, rule.examples, rule.keywords, LOAD_CHECK_SMALL, LOAD_CHECK_LARGE)
    if not superlinear(growth, LOAD_CHECK_SMALL, LOAD_CHECK_LARGE):
        return []
    return [f"regex is superlinear: on {growth.attack} it takes {growth.small * 1000:.0f} ms at 2 KiB and "
            f"{growth.large * 1000:.0f} ms at 8 KiB (linear would be about 4 times); bound its repetitions "
            "(a{1,64} rather than a+) and avoid nested quantifiers"]


def build_rulebook(config: Config) -> Rulebook:
    """The built-in rules plus the configuration's rule files (checked), less what it disables."""
    rulebook = load_rulebook()
    if config.rules:
        rulebook = Rulebook(rulebook.rules + verify_rule_files(config.rules))
    known = {r.id for r in rulebook.rules}
    for rule_id in config.enable + config.disable:
        if rule_id not in known:
            raise ConfigError(f"{config.source or 'flags'}: unknown rule id {rule_id!r} in enable/disable "
                              f"(see `credlint rules`)")
    return rulebook.select(config.enable, config.disable)
