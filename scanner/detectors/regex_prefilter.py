"""Which regex rules could match a text at all, decided for all of them in one Hyperscan pass.

The keyword prefilter says where `key` or `token` occurs; in documentation and service models that is on
most lines, and the regexes then read them all (botocore's tree: 3 of its 6 CPU-seconds, for rules that
match in 1 file of 25). Hyperscan's prefilter mode compiles every single-line rule into one database that
reports a superset of the rules whose regex matches somewhere in the text; a rule it does not report is
skipped for that text, one it reports runs exactly as before. So the findings are the same, and only the
time changes.

The superset holds where Hyperscan reads a pattern as `re` does, which is checked rather than assumed:
- only lines of ASCII without \\x1c-\\x1f are prefiltered: there `\\w`, `\\s`, `\\b` and case folding mean
  the same in both engines (`re` counts Unicode letters and spaces, and \\x1c-\\x1f, as word or space
  characters; Hyperscan's byte mode does not); a line holding anything else is searched by every rule, as
  every regex rule but the multi-line ones matches within one line;
- a pattern is covered only if it is ASCII, has none of the spellings the engines read differently
  (`{,n}`, `\\u`, `\\U`, `\\N`, `\\Z`, Python's own flags a, L, u, POSIX classes) and its own examples
  are reported;
- any other rule, and every rule when Hyperscan is missing, runs on every text as before.
Compiling takes about a second, so it is done only for scans large enough to gain from it, and the
database is kept in the rule cache folder under the same checks as the parsed rules (detectors/rulecache.py).
"""

from __future__ import annotations

import hashlib
import marshal
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from credlint.detectors import rulecache

MAGIC = b"credlint-regexdb-1\n"
# `re` counts \x1c-\x1f as spaces in a str pattern, Hyperscan's byte mode does not; every character
# beyond ASCII is read differently too. The lines holding one are left out of the scan (unjudged: every rule
# still runs there). Encoded to ASCII with '?' for every other character (one byte a character), and the
# separators made '?' too, such a line holds a '?' that is not the text's own.
SEPARATORS = "\x1c\x1d\x1e\x1f"
SEPARATORS_TO_MARK = bytes.maketrans(SEPARATORS.encode(), b"????")
MARK = ord("?")
# `{,n}` is a repeat to `re` and text to Hyperscan; \u, \U, \N are `re`'s alone; (?a), (?L), (?u) are
# Python's flags; `[[:alpha:]]` is a POSIX class to Hyperscan and a set of six characters to `re`.
UNSAFE_SPELLING = re.compile(r"\{,|\\[uUNZ]|\(\?[a-zA-Z]*[aLu][a-zA-Z-]*[:)]|\[[:.=]\^?[a-z]+[:.=]\]")
Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class PrefilterRule:
    index: int  # the rule's position in the detector's rule list
    pattern: str
    examples: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Judgement:
    """covered: the rules the prefilter can rule out; possible: those of them that may match on the lines
    it read; unjudged: (start, end) of the lines it could not read, where every rule may match."""

    covered: frozenset[int]
    possible: frozenset[int]
    unjudged: tuple[Span, ...]

    def ruled_out(self, rule: int) -> bool:
        return rule in self.covered and rule not in self.possible


class RegexPrefilter:
    def __init__(self, database: Any, ids: Sequence[int], covered: frozenset[int]) -> None:
        self.database = database
        self.ids = tuple(ids)  # Hyperscan expression id -> rule index
        self.covered = covered  # rule indexes whose absence from a report proves they cannot match

    def judge(self, text: str) -> Judgement:
        data, unjudged = readable_part(text)
        found: set[int] = set()

        def on_match(expression: int, start: int, end: int, flags: int, context: object) -> None:
            found.add(self.ids[expression])

        self.database.scan(data, match_event_handler=on_match)
        return Judgement(self.covered, frozenset(found), unjudged)

    def possible(self, text: str) -> frozenset[int] | None:
        """The covered rules that may match the text; None if it has lines the prefilter cannot read."""
        judgement = self.judge(text)
        return None if judgement.unjudged else judgement.possible


def readable_part(text: str) -> tuple[bytes, tuple[Span, ...]]:
    """The text as ASCII with the lines it cannot judge blanked out (same length: offsets hold), and where
    those lines are. C-level encodes and finds only: a codec error handler was called once per run of other
    characters (a PDF in a history: a million calls, a fifth of the scan)."""
    data = text.encode("ascii", "replace")  # one byte a character
    if text.isascii() and not any(separator in text for separator in SEPARATORS):
        return data, ()
    # The same encoding with the text's own '?' made '!': each '?' left marks a character the scan cannot read.
    marks = text.replace("?", "!").encode("ascii", "replace").translate(SEPARATORS_TO_MARK)
    spans: list[Span] = []
    pieces: list[bytes] = []
    done = 0
    position = marks.find(MARK)
    while position >= 0:
        start = marks.rfind(b"\n", done, position) + 1 or done
        end = marks.find(b"\n", position)
        end = len(marks) if end < 0 else end
        pieces += [data[done:start], b" " * (end - start)]
        spans.append((start, end))
        done = end
        position = marks.find(MARK, end)
    pieces.append(data[done:])
    return b"".join(pieces), tuple(spans)


def is_safe_pattern(pattern: str) -> bool:
    return pattern.isascii() and not UNSAFE_SPELLING.search(pattern)


# Prefilters made in this process, by cache key: worker processes forked after one was made inherit it.
_MADE: dict[str, RegexPrefilter | None] = {}


def made_before(rules: Sequence[PrefilterRule]) -> RegexPrefilter | None:
    hyperscan = import_hyperscan()
    return _MADE.get(cache_key(safe(rules), hyperscan)) if hyperscan else None


def load_or_build(rules: Sequence[PrefilterRule]) -> RegexPrefilter | None:
    """From this process or the cache when either holds this exact rule set, else compiled (then stored)."""
    hyperscan = import_hyperscan()
    if hyperscan is None:
        return None
    candidates = safe(rules)
    key = cache_key(candidates, hyperscan)
    if key not in _MADE:
        _MADE[key] = cached_or_built(candidates, key, hyperscan)
    return _MADE[key]


def import_hyperscan() -> Any:
    try:
        import hyperscan
    except ImportError:  # platforms without a wheel: every rule runs on every text, as before
        return None
    return hyperscan


def safe(rules: Sequence[PrefilterRule]) -> list[PrefilterRule]:
    return [r for r in rules if is_safe_pattern(r.pattern)]


def cached_or_built(rules: Sequence[PrefilterRule], key: str, hyperscan: Any) -> RegexPrefilter | None:
    def dumped(built: RegexPrefilter | None) -> bytes:
        assert built is not None  # rulecache.cached stores only what was made
        return marshal.dumps((list(built.ids), sorted(built.covered), hyperscan.dumpb(built.database)))

    return rulecache.cached(f"regexdb-{key}.hs", MAGIC, lambda payload: loaded(payload, hyperscan),
                            lambda: build(rules, hyperscan), dumped)


def cache_key(rules: Sequence[PrefilterRule], hyperscan: Any) -> str:
    key = hashlib.sha256(rulecache.database_stamp(hyperscan).encode())
    for rule in rules:
        key.update(f"\0{rule.index}\0{rule.pattern}".encode())
        for example in rule.examples:
            key.update(b"\1" + example.encode("utf-8", "surrogateescape"))
    return key.hexdigest()[:32]


def loaded(payload: bytes, hyperscan: Any) -> RegexPrefilter | None:
    try:
        ids, covered, blob = marshal.loads(payload)
        database = rulecache.load_database(blob, hyperscan)
        return RegexPrefilter(database, [int(i) for i in ids], frozenset(int(i) for i in covered))
    except (EOFError, ValueError, TypeError, hyperscan.error):
        return None


def build(rules: Sequence[PrefilterRule], hyperscan: Any) -> RegexPrefilter | None:
    compiled = compile_what_compiles(rules, hyperscan)
    if compiled is None:
        return None
    database, kept = compiled
    prefilter = RegexPrefilter(database, [r.index for r in kept], frozenset(r.index for r in kept))
    proven = frozenset(r.index for r in kept if reports_own_examples(prefilter, r))
    return RegexPrefilter(database, prefilter.ids, proven)


def compile_what_compiles(rules: Sequence[PrefilterRule], hyperscan: Any) -> tuple[Any, list[PrefilterRule]] | None:
    """One database of all the rules when they compile together; otherwise of those that compile alone (a
    user's pattern may be one Hyperscan refuses: that rule simply is not prefiltered)."""
    kept = list(rules)
    try:
        return (compile_database([r.pattern for r in kept], hyperscan), kept) if kept else None
    except hyperscan.error:
        pass
    kept = [r for r in rules if compiles_alone(r.pattern, hyperscan)]
    return (compile_database([r.pattern for r in kept], hyperscan), kept) if kept else None


def compiles_alone(pattern: str, hyperscan: Any) -> bool:
    try:
        compile_database([pattern], hyperscan)
    except hyperscan.error:
        return False
    return True


def compile_database(patterns: Sequence[str], hyperscan: Any) -> Any:
    # SINGLEMATCH: whether a rule may match is all that is asked, so each reports once per text.
    flags = hyperscan.HS_FLAG_PREFILTER | hyperscan.HS_FLAG_SINGLEMATCH | hyperscan.HS_FLAG_ALLOWEMPTY
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    database.compile(expressions=[p.encode("ascii") for p in patterns], ids=list(range(len(patterns))),
                     elements=len(patterns), flags=[flags] * len(patterns))
    return database


def reports_own_examples(prefilter: RegexPrefilter, rule: PrefilterRule) -> bool:
    for example in rule.examples:
        if not re.search(rule.pattern, example):
            continue  # an example found by another part of the rule (a line allowlist, a validator)
        if prefilter.judge(example).ruled_out(rule.index):
            return False
    return True
