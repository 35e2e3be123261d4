"""The regex detector: each rule's regex runs only near one of its keywords.

The engine's literal-keyword prefilter (detectors/keywords.py) says which keywords occur and where, so a rule
whose keywords are absent costs nothing and a `(?i)(?:password|...)` rule reads a few lines, not the file.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Mapping, Sequence

from credlint.detectors.regex_prefilter import Judgement, PrefilterRule, RegexPrefilter, load_or_build, made_before
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
# Text seen before the regex prefilter (detectors/regex_prefilter.py) is worth compiling, about a second:
# a commit hook never pays for it, a tree of a few hundred files does.
PREFILTER_AFTER = 8 << 20


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
        self.prefilter: RegexPrefilter | None = made_before(self.prefilter_rules())
        self.prefilter_tried = self.prefilter is not None
        self.seen = 0

    def keywords(self) -> frozenset[str]:
        return frozenset(self.keyword_rules)

    def prefilter_rules(self) -> list[PrefilterRule]:
        return [PrefilterRule(i, rule.pattern, rule.examples) for i, rule in enumerate(self.rules)
                if not self.whole_text[i]]

    def expect(self, volume: int) -> None:
        """A scan is about to read this many bytes: make the prefilter now if it will be wanted (before
        worker processes fork, so that they inherit it)."""
        if volume >= PREFILTER_AFTER:
            self.ready_prefilter()

    def ready_prefilter(self) -> None:
        if not self.prefilter_tried:
            self.prefilter_tried = True
            self.prefilter = load_or_build(self.prefilter_rules())

    def judge(self, text: str) -> Judgement | None:
        self.seen += len(text)
        if self.seen >= PREFILTER_AFTER:
            self.ready_prefilter()
        return self.prefilter.judge(text) if self.prefilter is not None else None

    def rule_windows(self, text: str, hits: Mapping[str, list[int]], path: str) -> list[tuple[Rule, Windows]]:
        """Each triggered rule that applies to the path, in rulebook order, with the line windows to search. The
        path comes first: a rule for one kind of file (.git-credentials) may share a keyword with every URL."""
        hit_rules = {i for keyword in hits for i in self.keyword_rules.get(keyword, ())}
        triggered = sorted(i for i in hit_rules if self.rules[i].applies_to(path))
        judgement = self.judge(text) if triggered else None
        out: list[tuple[Rule, Windows]] = []
        for i in triggered:
            rule = self.rules[i]
            offsets = [o for k in rule.keywords for o in hits.get(k, ())]
            if judgement is not None and judgement.ruled_out(i):
                offsets = within(offsets, judgement.unjudged)  # only the lines it could not read are left
                if not offsets:
                    continue
            # No offsets means the matcher only knows *that* a keyword occurs (non-ASCII text).
            whole = self.whole_text[i] or not offsets
            out.append((rule, None if whole else line_windows(text, offsets)))
        return out

    def candidates(self, chunk: Chunk, index: LineIndex,
                   hits: Mapping[str, list[int]]) -> Iterator[tuple[Rule, Candidate]]:
        for rule, windows in self.rule_windows(chunk.text, hits, chunk.path):
            longest = MAX_SECRET.get(rule.kind, DEFAULT_MAX_SECRET)
            for match in iter_matches(rule.regex, chunk.text, windows):
                start, end = match.span(rule.secret_group)
                if start < 0 or end <= start or end - start > longest:
                    continue
                yield rule, make_candidate(rule, chunk, match, index)


def within(offsets: list[int], spans: Sequence[tuple[int, int]]) -> list[int]:
    """The keyword end offsets whose keyword lies in one of the sorted, disjoint (start, end) spans."""
    starts = [start for start, _ in spans]
    kept = []
    for offset in offsets:
        at = bisect.bisect_right(starts, offset - 1) - 1
        if at >= 0 and offset - 1 < spans[at][1]:
            kept.append(offset)
    return kept


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
