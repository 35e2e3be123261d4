"""Literal keyword search: which keywords occur in a text, and where.

Hyperscan finds every keyword in one pass at memory speed (measured on the sympy tree, 33 M characters:
0.015 s, against 0.46 s for pyahocorasick and 0.32 s for re2; docs/benchmarks.md). pyahocorasick remains the
fallback where no Hyperscan wheel exists for the platform.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, Protocol

from credlint.detectors import rulecache

KeywordHits = dict[int, list[int]]  # keyword id -> end offsets (characters) of its occurrences
MAGIC = b"credlint-keywords-1\n"


class KeywordMatcher(Protocol):
    def hits(self, text: str) -> KeywordHits: ...

    def byte_ends(self, data: bytes) -> list[int] | None:
        """End offsets of every keyword in raw UTF-8 bytes, or None where this matcher cannot tell without
        decoding (then every part of the data must be treated as a possible match)."""


class HyperscanMatcher:
    def __init__(self, keywords: list[str]) -> None:
        import hyperscan

        self.db = cached_or_compiled(keywords, hyperscan)
        self.ascii_keywords = all(k.isascii() for k in keywords)

    def hits(self, text: str) -> KeywordHits:
        found: KeywordHits = {}

        def on_match(keyword_id: int, start: int, end: int, flags: int, context: object) -> None:
            found.setdefault(keyword_id, []).append(end)

        if self.ascii_keywords:
            # One byte a character (anything else becomes '?'), so the ends are character offsets as found.
            # UTF-8 and a decode per keyword had cost a third of a history scan that meets PDFs (requests).
            self.db.scan(text.encode("ascii", "replace"), match_event_handler=on_match)
            return found
        data = text.encode("utf-8", "surrogateescape")
        self.db.scan(data, match_event_handler=on_match)
        if len(data) != len(text):
            return {k: byte_to_char_offsets(data, ends) for k, ends in found.items()}
        return found

    def byte_ends(self, data: bytes) -> list[int] | None:
        ends: list[int] = []

        def on_match(keyword_id: int, start: int, end: int, flags: int, context: object) -> None:
            ends.append(end)

        self.db.scan(data, match_event_handler=on_match)
        return ends


def cached_or_compiled(keywords: list[str], hyperscan: Any) -> Any:
    """The keyword database from the cache when it holds these keywords, else compiled and stored: compiling
    the built-in rules' 528 keywords took 11 ms of every run, loading them takes 0.5 ms."""
    def compiled() -> Any:
        database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        database.compile(expressions=[re.escape(k).encode() for k in keywords], ids=list(range(len(keywords))),
                         elements=len(keywords), flags=[hyperscan.HS_FLAG_CASELESS] * len(keywords))
        return database

    return rulecache.cached(f"keywords-{cache_key(keywords, hyperscan)}.hs", MAGIC,
                            lambda payload: loaded(payload, hyperscan), compiled, hyperscan.dumpb)


def cache_key(keywords: list[str], hyperscan: Any) -> str:
    key = hashlib.sha256(rulecache.database_stamp(hyperscan).encode())
    for keyword in keywords:
        key.update(b"\0" + keyword.encode("utf-8", "surrogateescape"))
    return key.hexdigest()[:32]


def loaded(payload: bytes, hyperscan: Any) -> Any:
    try:
        return rulecache.load_database(payload, hyperscan)
    except (ValueError, TypeError, hyperscan.error):
        return None


def byte_to_char_offsets(data: bytes, ends: list[int]) -> list[int]:
    """Keywords are ASCII, so every match ends on a character boundary; decode the gaps to count characters."""
    out: list[int] = []
    chars = previous = 0
    for end in sorted(ends):
        chars += len(data[previous:end].decode("utf-8", "surrogateescape"))
        previous = end
        out.append(chars)
    return out


class AhoCorasickMatcher:
    def __init__(self, keywords: list[str]) -> None:
        import ahocorasick

        self.automaton = ahocorasick.Automaton()
        for keyword_id, keyword in enumerate(keywords):
            self.automaton.add_word(keyword, keyword_id)
        self.automaton.make_automaton()

    def hits(self, text: str) -> KeywordHits:
        found: KeywordHits = {}
        lowered = text.lower()
        for end, keyword_id in self.automaton.iter(lowered):
            found.setdefault(keyword_id, []).append(end + 1)
        if len(lowered) != len(text):  # 'İ'.lower() is two characters: offsets no longer line up
            return {keyword_id: [] for keyword_id in found}
        return found

    def byte_ends(self, data: bytes) -> list[int] | None:
        return None  # str.lower() folds non-ASCII letters (the Kelvin sign to 'k'): bytes would miss them


class NoKeywords:
    def hits(self, text: str) -> KeywordHits:
        return {}

    def byte_ends(self, data: bytes) -> list[int] | None:
        return []


def build_matcher(keywords: list[str]) -> KeywordMatcher:
    if not keywords:
        return NoKeywords()
    try:
        return HyperscanMatcher(keywords)
    except ImportError:
        return AhoCorasickMatcher(keywords)
