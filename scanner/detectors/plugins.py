"""detect-secrets plugins as credlint rules: the plugin finds values, credlint filters, scores and reports.

detect-secrets' own filters are deliberately not used: `is_indirect_reference` drops every line shaped
`x = f(...)`, and with it `connect(password="…")`.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from credlint.detectors.rulebook import Rule


@lru_cache(maxsize=1)
def plugin_classes() -> dict[str, type[Any]]:
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    mapping: dict[str, type[Any]] = get_mapping_from_secret_type_to_class()
    return {cls.__name__: cls for cls in mapping.values()}


def plugin_names() -> list[str]:
    return sorted(plugin_classes())


class PluginRunner:
    """One plugin instance per rule, run line by line over a chunk."""

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.plugin = plugin_classes()[rule.plugin]()

    def iter_secrets(self, path: str, text: str) -> Iterator[tuple[int, str]]:
        """(offset in text, secret value) for every value the plugin reports."""
        offset = 0
        for number, line in enumerate(text.split("\n"), 1):
            for found in self.plugin.analyze_line(filename=path, line=line, line_number=number):
                value = found.secret_value or ""
                column = line.find(value) if value else -1
                if column >= 0:
                    yield offset + column, value
            offset += len(line) + 1
