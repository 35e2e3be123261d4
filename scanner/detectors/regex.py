"""The regex detector: each rule's regex runs only near one of its keywords.

The engine's literal-keyword prefilter (detectors/keywords.py) says which keywords occur and where, so a rule
whose keywords are absent costs nothing and a `(?i)(?:password|...)` rule reads a few lines, not the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence

from credlint.detectors.rulebook import Rule
from credlint.detectors.validators import VALIDATORS
from credlint.model import Candidate, Chunk, Validation
from credlint.text import LineIndex

# A rule whose regex can span lines runs on the whole text; every other rule runs only on the lines
# where one of its keywords occurs.
MULTILINE_MARKERS = ("[\\s\\S]", "(?s")
# A finding is one value: no match is longer than this (keys excepted, which span lines and run on the
# whole text). On a line longer than twice this, a regex runs only this far either side of its keyword,
# so that a 1 MB line of minified code or recorded JSON costs what its keywords cost, not its length.
MAX_SPAN = 1024
MAX_SECRET = {"key": 20000, "token": 4096}
DEFAULT_MAX_SECRET = MAX_SPAN
Windows = list[tuple[int, int]] | None  # (start, end) spans of the text to search; None: all of it


def spans_lines(rule: Rule) -> bool:
    return any(marker in rule.pattern for marker in MULTILINE_MARKERS)


class RegexDetector:
    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = tuple(rules)
        self.keyword_rules: dict[str, list[int]] = {}
        for index, rule in enumerate(self.rules):
            for keyword in rule.keywords:
                self.keyword_rules.setdefault(keyword, []).append(index)
        self.whole_text = [spans_lines(rule) for rule in self.rules]

    def keywords(self) -> frozenset[str]:
        return frozenset(self.keyword_rules)

    def rule_windows(self, text: str, hits: Mapping[str, list[int]]) -> list[tuple[Rule, Windows]]:
        """Each triggered rule, in rulebook order, with the line windows to search."""
        triggered = sorted({i for keyword in hits for i in self.keyword_rules.get(keyword, ())})
        out: list[tuple[Rule, Windows]] = []
        for i in triggered:
            rule = self.rules[i]
            offsets = [o for k in rule.keywords for o in hits.get(k, ())]
            # No offsets means the matcher only knows *that* a keyword occurs (non-ASCII text).
            whole = self.whole_text[i] or not offsets
            out.append((rule, None if whole else line_windows(text, offsets)))
        return out

    def candidates(self, chunk: Chunk, index: LineIndex,
                   hits: Mapping[str, list[int]]) -> Iterator[tuple[Rule, Candidate]]:
        for rule, windows in self.rule_windows(chunk.text, hits):
            if not rule.applies_to(chunk.path):
                continue
            longest = MAX_SECRET.get(rule.kind, DEFAULT_MAX_SECRET)
            for match in iter_matches(rule.regex, chunk.text, windows):
                start, end = match.span(rule.secret_group)
                if start < 0 or end <= start or end - start > longest:
                    continue
                yield rule, make_candidate(rule, chunk, match, index)


def line_windows(text: str, offsets: list[int]) -> list[tuple[int, int]]:
    """Merge the lines holding the given offsets into disjoint (start, end) windows; on a long line, only
    MAX_SPAN either side of each offset."""
    windows: list[tuple[int, int]] = []
    for offset in sorted(offsets):
        if windows and offset < windows[-1][1]:
            continue
        low, high = max(0, offset - MAX_SPAN), min(len(text), offset + MAX_SPAN)
        start = text.rfind("\n", low, offset) + 1 or low  # searched within the span only: one pass, not n²
        end = text.find("\n", offset, high)
        end = high if end < 0 else end
        if windows and start <= windows[-1][1] + 1:
            windows[-1] = (windows[-1][0], end)
        else:
            windows.append((start, end))
    return windows


def iter_matches(regex: re.Pattern[str], text: str, windows: list[tuple[int, int]] | None) -> Iterator[re.Match[str]]:
    if windows is None:
        yield from regex.finditer(text)
        return
    for start, end in windows:
        yield from regex.finditer(text, start, end)


def make_candidate(rule: Rule, chunk: Chunk, match: re.Match[str], index: LineIndex) -> Candidate:
    start, end = match.span(rule.secret_group)
    secret = match.group(rule.secret_group)
    validation = VALIDATORS[rule.validator](secret) if rule.validator else Validation.NOT_CHECKED
    return Candidate(
        rule_id=rule.id, path=chunk.path, start=start, end=end, secret=secret,
        line_text=index.context(start, end), validation=validation,
    )
