"""Chunk -> candidates: one keyword search over the text, then every detector on what it found. Pure, no I/O.

Each rule names its detector (Rule.detector); DETECTORS says which class finds its candidates. A new
detector is a class with keywords() and candidates() added to the table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Protocol

from credlint.detectors.keywords import build_matcher
from credlint.detectors.plugins import PluginDetector
from credlint.detectors.python_auth import PythonAuthDetector
from credlint.detectors.regex import RegexDetector
from credlint.detectors.rulebook import Rule, Rulebook
from credlint.model import Candidate, Chunk
from credlint.text import LineIndex

Hits = Mapping[str, list[int]]  # keyword -> end offsets of its occurrences ([]: present, offsets unknown)


class Detector(Protocol):
    def keywords(self) -> frozenset[str] | None:
        """Literals one of which any text it reports on holds (any case); None: it must see every chunk."""

    def candidates(self, chunk: Chunk, index: LineIndex, hits: Hits) -> Iterator[tuple[Rule, Candidate]]: ...


DETECTORS: dict[str, Callable[[Sequence[Rule]], Detector]] = {
    "regex": RegexDetector,
    "detect-secrets": PluginDetector,
    "python-auth": PythonAuthDetector,
}


class Engine:
    """The detectors of one rulebook, behind one keyword search. Rules of no detector here (the secret-reuse
    analyzer, which triage runs over a whole scan) find no candidates."""

    def __init__(self, rulebook: Rulebook) -> None:
        grouped: dict[str, list[Rule]] = {}
        for rule in rulebook.rules:
            if rule.detector in DETECTORS:
                grouped.setdefault(rule.detector, []).append(rule)
        self.detectors = [DETECTORS[name](rules) for name, rules in grouped.items()]
        wanted = [d.keywords() for d in self.detectors]
        self.keywords = sorted(set().union(*(k for k in wanted if k is not None)))
        self.matcher = build_matcher(self.keywords)
        # Raw bytes can rule a text out only when every detector has keywords and none spans a line break
        # (a patch's line prefixes could cut it apart).
        self.bytes_tell = None not in wanted and not any("\n" in k for k in self.keywords)

    def keyword_ends(self, data: bytes) -> list[int] | None:
        """Where any keyword ends in raw bytes: text holding none cannot produce a candidate. None when that
        cannot be known from the bytes (see bytes_tell; the fallback matcher folds case beyond ASCII)."""
        return self.matcher.byte_ends(data) if self.bytes_tell else None

    def expect(self, volume: int) -> None:
        """A scan is about to read this many bytes (detectors that prepare for large scans do it now)."""
        for detector in self.detectors:
            if isinstance(detector, RegexDetector):
                detector.expect(volume)

    def hits(self, text: str) -> dict[str, list[int]]:
        return {self.keywords[i]: ends for i, ends in self.matcher.hits(text).items()}

    def iter_candidates(self, chunk: Chunk) -> Iterator[tuple[Rule, Candidate, LineIndex]]:
        hits = self.hits(chunk.text)
        index = LineIndex(chunk.text)
        for detector in self.detectors:
            for rule, candidate in detector.candidates(chunk, index, hits):
                yield rule, candidate, index
