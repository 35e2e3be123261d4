"""keywords -> regex -> Candidate; pure, no I/O.

A literal-keyword prefilter (Aho-Corasick over the lower-cased text) decides which rules can match at
all, so the regexes run only on chunks that contain one of their keywords.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from collections.abc import Iterator

import ahocorasick

from scanner.model import Candidate, Chunk, Validation
from scanner.rulebook import Rule, Rulebook
from scanner.validators import VALIDATORS

NEWLINE = re.compile("\n")


class LineIndex:
    """Maps character offsets to 1-based (line, column) and back to the line's text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in NEWLINE.finditer(text)]

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    def position(self, offset: int) -> tuple[int, int]:
        line = self.line_of(offset)
        return line, offset - self.starts[line - 1] + 1

    def line_text(self, line: int) -> str:
        start = self.starts[line - 1]
        end = self.starts[line] - 1 if line < len(self.starts) else len(self.text)
        return self.text[start:end]


def shannon_entropy(value: str) -> float:
    """Bits per character; random base62 is about 5.95, English words about 3."""
    if not value:
        return 0.0
    total = len(value)
    return -sum(n / total * math.log2(n / total) for n in Counter(value).values())


class Engine:
    def __init__(self, rulebook: Rulebook) -> None:
        self.rules = rulebook.rules
        self.automaton = build_automaton(self.rules)

    def rules_for(self, text: str) -> list[Rule]:
        """The rules with at least one keyword present in the text, in rulebook order."""
        if not self.rules:
            return []
        hits: set[int] = set()
        for _, indexes in self.automaton.iter(text.lower()):
            hits.update(indexes)
            if len(hits) == len(self.rules):
                break
        return [self.rules[i] for i in sorted(hits)]

    def iter_candidates(self, chunk: Chunk) -> Iterator[tuple[Rule, Candidate, LineIndex]]:
        index: LineIndex | None = None
        for rule in self.rules_for(chunk.text):
            if not rule.applies_to(chunk.path):
                continue
            for match in rule.regex.finditer(chunk.text):
                start, end = match.span(rule.secret_group)
                if start < 0 or end <= start:
                    continue
                index = index or LineIndex(chunk.text)
                yield rule, make_candidate(rule, chunk, match, index), index


def make_candidate(rule: Rule, chunk: Chunk, match: re.Match[str], index: LineIndex) -> Candidate:
    start, end = match.span(rule.secret_group)
    secret = match.group(rule.secret_group)
    validation = VALIDATORS[rule.validator](secret) if rule.validator else Validation.NOT_CHECKED
    return Candidate(
        rule_id=rule.id, path=chunk.path, start=start, end=end, secret=secret,
        line_text=index.line_text(index.line_of(start)), validation=validation,
    )


def build_automaton(rules: tuple[Rule, ...]) -> ahocorasick.Automaton:
    by_keyword: dict[str, list[int]] = {}
    for i, rule in enumerate(rules):
        for keyword in rule.keywords:
            by_keyword.setdefault(keyword, []).append(i)
    automaton = ahocorasick.Automaton()
    for keyword, indexes in by_keyword.items():
        automaton.add_word(keyword, tuple(indexes))
    if by_keyword:
        automaton.make_automaton()
    return automaton
