"""keywords -> regex -> Candidate; pure, no I/O.

A literal-keyword prefilter (scanner/detectors/keywords.py) decides which rules can match at all and on which
lines, so each regex runs only near one of its keywords.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from collections.abc import Iterator

from credlint.detectors.keywords import build_matcher
from credlint.detectors.plugins import PluginRunner
from credlint.detectors.python_auth import PREFILTER_KEYWORDS, iter_auth_sites
from credlint.detectors.rulebook import Rule, Rulebook
from credlint.detectors.validators import VALIDATORS
from credlint.model import Candidate, Chunk, Validation

NEWLINE = re.compile("\n")


class LineIndex:
    """Maps character offsets to 1-based (line, column) and back to the line's text.

    Most files have one or two candidates: counting newlines for those is cheaper than indexing every
    line of the file, so the table of line starts is built only once a file asks for more.
    """

    EAGER_AFTER = 4

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts: list[int] | None = None
        self.lookups = 0

    @property
    def starts(self) -> list[int]:
        if self._starts is None:
            self._starts = [0] + [m.end() for m in NEWLINE.finditer(self.text)]
        return self._starts

    def line_of(self, offset: int) -> int:
        self.lookups += 1
        if self._starts is None and self.lookups <= self.EAGER_AFTER:
            return self.text.count("\n", 0, offset) + 1
        return bisect.bisect_right(self.starts, offset)

    def line_start(self, line: int) -> int:
        return self.starts[line - 1]

    def position(self, offset: int) -> tuple[int, int]:
        line = self.line_of(offset)
        return line, offset - (self.text.rfind("\n", 0, offset) + 1) + 1

    def line_text(self, line: int) -> str:
        return self.text_around(self.line_start(line))

    def text_around(self, offset: int) -> str:
        """The whole line holding the offset."""
        start = self.text.rfind("\n", 0, offset) + 1
        end = self.text.find("\n", offset)
        return self.text[start:end if end >= 0 else len(self.text)]

    def context(self, start: int, end: int) -> str:
        """The line around a value, at most CONTEXT characters either side of it: what filters read. A
        whole 1 MB line per candidate would make every line check quadratic in the line's length."""
        low, high = max(0, start - CONTEXT), min(len(self.text), end + CONTEXT)
        begin = self.text.rfind("\n", low, start) + 1 or low
        stop = self.text.find("\n", end, high)
        return self.text[begin:high if stop < 0 else stop]


def shannon_entropy(value: str) -> float:
    """Bits per character; random base62 is about 5.95, English words about 3."""
    if not value:
        return 0.0
    total = len(value)
    return -sum(n / total * math.log2(n / total) for n in Counter(value).values())


# A rule whose regex can span lines runs on the whole text; every other rule runs only on the lines
# where one of its keywords occurs, which is what keeps `(?i)(?:password|...)`-style rules cheap.
MULTILINE_MARKERS = ("[\\s\\S]", "(?s")
# A finding is one value: no match is longer than this (keys excepted, which span lines and run on the
# whole text). On a line longer than twice this, a regex runs only this far either side of its keyword,
# so that a 1 MB line of minified code or recorded JSON costs what its keywords cost, not its length.
MAX_SPAN = 1024
CONTEXT = 256  # characters of the line either side of a value that filters and the score look at
MAX_SECRET = {"key": 20000, "token": 4096}
DEFAULT_MAX_SECRET = MAX_SPAN


def spans_lines(rule: Rule) -> bool:
    return any(marker in rule.pattern for marker in MULTILINE_MARKERS)


class Engine:
    def __init__(self, rulebook: Rulebook) -> None:
        self.rules = tuple(r for r in rulebook.rules if not r.plugin and not r.analyzer)
        self.plugins = [PluginRunner(r) for r in rulebook.rules if r.plugin]
        self.analyzed = {r.id: r for r in rulebook.rules if r.analyzer == "python-auth"}
        # The analyzer's keywords trigger no rule here; they are searched so that keyword_ends() covers it.
        analyzer_keywords = PREFILTER_KEYWORDS if self.analyzed else ()
        self.keywords: list[str] = sorted({k for rule in self.rules for k in rule.keywords} | set(analyzer_keywords))
        keyword_ids = {k: i for i, k in enumerate(self.keywords)}
        self.rule_keywords = [tuple(keyword_ids[k] for k in rule.keywords) for rule in self.rules]
        self.keyword_rules: list[list[int]] = [[] for _ in self.keywords]
        for rule_index, keyword_ids_of_rule in enumerate(self.rule_keywords):
            for keyword_id in keyword_ids_of_rule:
                self.keyword_rules[keyword_id].append(rule_index)
        self.whole_text = [spans_lines(rule) for rule in self.rules]
        self.matcher = build_matcher(self.keywords)
        self.bytes_tell = not self.plugins and not any("\n" in k for k in self.keywords)

    def keyword_ends(self, data: bytes) -> list[int] | None:
        """Where any keyword ends in raw bytes: text holding none cannot produce a candidate. None when that
        cannot be known from the bytes: plugins run without keywords, a keyword spanning lines could be cut
        apart by a patch's line prefixes, and the fallback matcher folds case beyond ASCII."""
        return self.matcher.byte_ends(data) if self.bytes_tell else None

    def rules_for(self, text: str) -> list[Rule]:
        """The rules with at least one keyword present in the text, in rulebook order."""
        return [rule for rule, _ in self.rule_windows(text)]

    def rule_windows(self, text: str) -> list[tuple[Rule, list[tuple[int, int]] | None]]:
        """Each triggered rule with the (start, end) line windows to search; None means the whole text."""
        hits = self.matcher.hits(text)
        triggered = sorted({i for keyword_id in hits for i in self.keyword_rules[keyword_id]})
        out: list[tuple[Rule, list[tuple[int, int]] | None]] = []
        for i in triggered:
            rule = self.rules[i]
            offsets = [o for k in self.rule_keywords[i] if k in hits for o in hits[k]]
            # No offsets means the matcher only knows *that* a keyword occurs (non-ASCII text).
            whole = self.whole_text[i] or not offsets
            out.append((rule, None if whole else line_windows(text, offsets)))
        return out

    def iter_candidates(self, chunk: Chunk) -> Iterator[tuple[Rule, Candidate, LineIndex]]:
        index: LineIndex | None = None
        for rule, windows in self.rule_windows(chunk.text):
            if not rule.applies_to(chunk.path):
                continue
            longest = MAX_SECRET.get(rule.kind, DEFAULT_MAX_SECRET)
            for match in iter_matches(rule.regex, chunk.text, windows):
                start, end = match.span(rule.secret_group)
                if start < 0 or end <= start or end - start > longest:
                    continue
                index = index or LineIndex(chunk.text)
                yield rule, make_candidate(rule, chunk, match, index), index
        for runner in self.plugins:
            yield from self.plugin_candidates(runner, chunk)
        if self.analyzed:
            yield from self.analyzer_candidates(chunk)

    def analyzer_candidates(self, chunk: Chunk) -> Iterator[tuple[Rule, Candidate, LineIndex]]:
        wanted = {rid: r for rid, r in self.analyzed.items() if r.applies_to(chunk.path)}
        if not wanted:
            return
        index = LineIndex(chunk.text)
        for site in iter_auth_sites(chunk.text):
            rule = wanted.get(site.rule_id)
            if rule is None or site.line > len(index.starts):
                continue
            # The site's position, not a search for its text: the same text may sit earlier on the line.
            start = index.line_start(site.line) + site.column
            end = start + len(site.value)
            yield rule, Candidate(rule.id, chunk.path, start, end, site.value, index.context(start, end)), index

    def plugin_candidates(self, runner: PluginRunner, chunk: Chunk) -> Iterator[tuple[Rule, Candidate, LineIndex]]:
        rule = runner.rule
        lowered = chunk.text.lower() if rule.keywords else ""
        if not rule.applies_to(chunk.path) or (rule.keywords and not any(k in lowered for k in rule.keywords)):
            return
        index = LineIndex(chunk.text)
        for start, secret in runner.iter_secrets(chunk.path, chunk.text):
            context = index.context(start, start + len(secret))
            yield rule, Candidate(rule.id, chunk.path, start, start + len(secret), secret, context), index


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
