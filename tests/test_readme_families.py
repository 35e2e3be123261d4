"""The README's provider list and counts are what `credlint rules --families` says (the issue asks that each new
family be in the README's list): a rule file added without its README line fails here."""

from __future__ import annotations

import re
from pathlib import Path

from credlint.detectors.rulebook import load_rulebook

README = Path(__file__).resolve().parent.parent / "README.md"


def section(text: str, heading: str) -> str:
    start = text.index(f"## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end > 0 else None]


def test_every_provider_family_is_in_the_readme_list_and_nothing_else() -> None:
    families = {rule.family for rule in load_rulebook().rules if rule.family}
    listed = set(re.findall(r"`([a-z0-9-]+)`", section(README.read_text(encoding="utf-8"), "Provider families")))
    assert families == listed, (sorted(families - listed), sorted(listed - families))


def test_the_readme_counts_are_the_rulebooks() -> None:
    rules = load_rulebook().rules
    families = {rule.family for rule in rules if rule.family}
    text = README.read_text(encoding="utf-8")
    assert f"{len(rules)} rules, {len(families)} provider families" in text
    assert f"{len(families)} provider families have a rule of their own" in section(text, "Provider families")
