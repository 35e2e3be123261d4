"""English words, from wordfreq's frequency list: what tells a readable value from a generated one.

Two sets, because a word found whole is stronger evidence than a word found inside a longer run: a
value part that *is* a word may be rarer (Zipf >= 2.0: "pagination", "oauth", "pygmalion"), while the
pieces a run is cut into must be common (Zipf >= 3.5), or random letters would split into obscure
three-letter words. Both thresholds were measured (docs/scoring.md, "Value shape").

Building the sets from wordfreq takes about 0.3 s, so they are cached as marshal data beside the rule
cache, keyed by wordfreq's version and checked as the rule cache is (owner, SHA-256); any problem with the
cache only means they are built again.
"""

from __future__ import annotations

import contextlib
import functools
import marshal
import math
from dataclasses import dataclass
from pathlib import Path

from credlint.detectors.rulecache import cached

WHOLE_MIN_ZIPF = 2.0
PIECE_MIN_ZIPF = 3.5
SHORT_MIN_ZIPF = 6.0  # two-letter words count only when they are as common as "of", "to", "my", "at"
MIN_LENGTH = 3
FORMAT = 3  # 3: written by store_blob with its own magic (2 was read as plain marshal and never matched)
MAGIC = b"credlint-words-1\n"


@dataclass(frozen=True, slots=True)
class Words:
    whole: frozenset[str]  # a value part that is one of these reads as a word
    pieces: frozenset[str]  # the words a run of letters may be cut into
    short: frozenset[str]  # two-letter function words ("BeAtLeast")


@functools.cache
def english_words() -> Words:
    """The word sets, from the cache when it is current; built from wordfreq otherwise."""
    name = f"words-{FORMAT}-{data_stamp()}-{WHOLE_MIN_ZIPF}-{PIECE_MIN_ZIPF}.marshal"
    return cached(name, MAGIC, loaded, build_words,
                  lambda words: marshal.dumps([sorted(words.whole), sorted(words.pieces), sorted(words.short)]))


def data_stamp() -> str:
    """Size and time of wordfreq's English list: importing wordfreq (0.3 s) or reading its version from the
    package metadata (40 ms) to key the cache would cost more than the cache saves."""
    import importlib.util

    spec = importlib.util.find_spec("wordfreq")
    origin = Path(spec.origin) if spec and spec.origin else None
    try:
        stat = (origin.parent / "data" / "large_en.msgpack.gz").stat() if origin else None
    except OSError:
        stat = None
    return f"{stat.st_size:x}-{stat.st_mtime_ns:x}" if stat else "unknown"


def loaded(payload: bytes) -> Words | None:
    with contextlib.suppress(EOFError, ValueError, TypeError):
        whole, pieces, short = marshal.loads(payload)
        if isinstance(whole, list) and isinstance(pieces, list) and isinstance(short, list):
            return Words(frozenset(whole), frozenset(pieces), frozenset(short))
    return None


def build_words() -> Words:
    from wordfreq import get_frequency_dict

    whole: set[str] = set()
    pieces: set[str] = set()
    short: set[str] = set()
    for word, frequency in get_frequency_dict("en", "large").items():
        if len(word) < 2 or not word.isascii() or not word.isalpha():
            continue
        zipf = math.log10(frequency) + 9  # wordfreq's Zipf scale: log10 of occurrences per billion words
        if len(word) < MIN_LENGTH:
            if zipf >= SHORT_MIN_ZIPF:
                short.add(word)
            continue
        if zipf >= WHOLE_MIN_ZIPF:
            whole.add(word)
        if zipf >= PIECE_MIN_ZIPF:
            pieces.add(word)
    return Words(frozenset(whole), frozenset(pieces), frozenset(short))
