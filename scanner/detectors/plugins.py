"""detect-secrets plugins as credlint rules: the plugin finds values, credlint filters, scores and reports.

detect-secrets' own filters are deliberately not used: `is_indirect_reference` drops every line shaped
`x = f(...)`, and with it `connect(password="…")`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from credlint.detectors.plugin_catalog import plugin_classes
from credlint.detectors.rulebook import Rule
from credlint.model import Candidate, Chunk
from credlint.text import LineIndex


class PluginDetector:
    """One plugin instance per rule, run line by line over a chunk."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.runners: list[tuple[Rule, Any]] = [(rule, plugin_classes()[rule.plugin]()) for rule in rules]

    def keywords(self) -> frozenset[str] | None:
        """A rule without keywords runs on every chunk: then no text can be ruled out by its keywords."""
        if any(not rule.keywords for rule, _ in self.runners):
            return None
        return frozenset(k for rule, _ in self.runners for k in rule.keywords)

    def candidates(self, chunk: Chunk, index: LineIndex,
                   hits: Mapping[str, list[int]]) -> Iterator[tuple[Rule, Candidate]]:
        for rule, plugin in self.runners:
            if not rule.applies_to(chunk.path) or (rule.keywords and not any(k in hits for k in rule.keywords)):
                continue
            for start, secret in iter_secrets(plugin, chunk.path, chunk.text):
                end = start + len(secret)
                yield rule, Candidate(rule.id, chunk.path, start, end, secret, index.context(start, end))


def iter_secrets(plugin: Any, path: str, text: str) -> Iterator[tuple[int, str]]:
    """(offset in text, secret value) for every value the plugin reports."""
    offset = 0
    for number, line in enumerate(text.split("\n"), 1):
        for found in plugin.analyze_line(filename=path, line=line, line_number=number):
            value = found.secret_value or ""
            column = line.find(value) if value else -1
            if column >= 0:
                yield offset + column, value
        offset += len(line) + 1
