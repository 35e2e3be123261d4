"""Value shape: was this value generated, as keys and tokens are, or written by a person?

A value a person could read aloud as words is not a generated secret. It is cut into parts (runs of
letters split at case changes, runs of digits, single symbols), and the letter parts are looked up in
an English word-frequency list (scanner/detectors/words.py), whole or cut into common words. What was measured
to choose the list, the thresholds and this design is in docs/scoring.md ("Value shape").
"""

from __future__ import annotations

import functools
import re
import urllib.parse
from dataclasses import dataclass
from enum import Enum

from credlint.detectors.words import Words, english_words


class Shape(Enum):
    RANDOM = "random"  # no words: generated, as keys and tokens are
    HUMAN = "human"  # words made into a password: digits and symbols added, or spelled in leet
    WORDS = "words"  # readable: words, identifiers, field paths, sentences, self-describing dummies
    PATTERNED = "patterned"  # typed by hand: runs, repeats, alphabet and keyboard sequences


PART = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+|[^A-Za-z0-9]")
PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
# A value that names what it is (`wrongpassword`, `kmsPswd`, `chat_stream_test_token`) is a dummy or a label.
SELF_DESCRIBING = frozenset(
    "password passwords passwd pswd pwd passphrase pass secret secrets token tokens apikey credential credentials "
    "test testing dummy fake mock sample example demo wrong incorrect invalid foo bar baz qux changeme "
    "auth login admin user".split()
)
# Found inside a run of letters too (`testvncpass`, `mynewpassword`); short ones only as whole parts.
SELF_DESCRIBING_INSIDE = ("password", "passwd", "secret", "dummy", "example", "sample", "test", "pass", "fake",
                          "mock", "token", "wrong", "invalid", "auth")
SEQUENCES = ("0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiop", "asdfghjkl", "zxcvbnm", "!@#$%^&*()")
LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g", "@": "a",
                      "$": "s", "!": "i", "|": "l"})
LEET_TOKEN = re.compile(r"[A-Za-z0-9@$!|]+")
WORDY_COVERAGE = 0.75  # share of the letters that must be words
WORDY_LETTER_SHARE = 0.5  # and letters must be at least half of the letters and digits (hex is not words)
MAX_NUMBERS = 2
TYPED_WORD_LENGTH = 12
PATTERNED_SHARE = 0.3
PATTERNED_SHORT = 16  # below this, one "000" in random hex is a fifth of the value: ask for half
PATTERNED_MIN_LENGTH = 8
MAX_JUDGED_LENGTH = 400  # longer values are keys and blobs; reading them as words proves nothing


@dataclass(frozen=True, slots=True)
class Reading:
    """How much of a value reads as words."""

    letters: int
    covered: int
    self_describing: int  # letters in words that say "password", "test", "dummy", …
    alnum: int
    parts: tuple[str, ...]

    @property
    def is_wordy(self) -> bool:
        return (self.letters >= 3 and self.covered >= WORDY_COVERAGE * self.letters
                and self.letters >= WORDY_LETTER_SHARE * self.alnum and self.numbers <= MAX_NUMBERS)

    @property
    def numbers(self) -> int:
        """Runs of digits: words carry one or two (`secret2`, `Shards[-1]`); random text scatters them."""
        return sum(1 for p in self.parts if p.isdigit())

    @property
    def is_self_describing(self) -> bool:
        return self.self_describing > 0 and (self.is_wordy or 2 * self.self_describing >= self.letters)


def judge(value: str) -> Shape:
    """The shape of one value, as it is written (see decoded_text for encoded ones)."""
    if not value or len(value) > MAX_JUDGED_LENGTH:
        return Shape.RANDOM
    return _judge(value)


@functools.lru_cache(maxsize=8192)
def _judge(value: str) -> Shape:
    text = urllib.parse.unquote(value) if PERCENT_ESCAPE.search(value) else value
    if has_foreign_letters(text) or is_typed_word(text):
        return Shape.WORDS
    if is_patterned(text):
        return Shape.PATTERNED
    words = english_words()
    reading = read(text, words)
    if reading.is_self_describing or read(text.lower().translate(LEET), words).is_self_describing:
        return Shape.WORDS
    if reading.is_wordy:
        return Shape.HUMAN if is_decorated(reading.parts) else Shape.WORDS
    return Shape.HUMAN if reads_as_leet(text, english_words()) else Shape.RANDOM


def is_readable(value: str) -> bool:
    return judge(value) in (Shape.WORDS, Shape.PATTERNED)


def has_foreign_letters(text: str) -> bool:
    """Letters outside ASCII (`пароль`, `səcrət`): a person wrote this; key and token generators emit ASCII."""
    return any(c.isalpha() and not c.isascii() for c in text)


def is_typed_word(text: str) -> bool:
    """Letters only, and short (`sikrit`, `kmsPswd`): typed, dictionary word or not. Generated passwords and
    tokens carry digits or symbols, or are long enough that letters alone make them strong."""
    return text.isascii() and text.isalpha() and len(text) < TYPED_WORD_LENGTH


def is_patterned(text: str) -> bool:
    if len(text) < PATTERNED_MIN_LENGTH:
        return False
    if LONG_SEQUENCE.search(text.lower()):
        return True
    return patterned_share(text) >= (PATTERNED_SHARE if len(text) >= PATTERNED_SHORT else 0.5)


def read(text: str, words: Words) -> Reading:
    parts = tuple(PART.findall(text))
    alpha = [p for p in parts if p.isalpha()]
    return Reading(
        letters=sum(map(len, alpha)), covered=sum(covered_letters(p, words) for p in alpha),
        self_describing=sum(self_describing_letters(p) for p in alpha),
        alnum=sum(len(p) for p in parts if p.isalnum()), parts=parts,
    )


def covered_letters(part: str, words: Words) -> int:
    """Letters of one part that are words. An upper-case run (`KMS`, `AKIACL`) counts only whole: cutting
    shouted letters into words finds words in random key ids."""
    low = part.lower()
    if low in words.whole or (len(low) == 2 and low in words.short):
        return len(low)
    if part.isupper() and len(part) > 1:
        return 0
    return segment(low, words.pieces)


def segment(run: str, pieces: frozenset[str]) -> int:
    """Most letters of a lower-case run that a cut into common words covers (`whydowesend…`)."""
    best = [0] * (len(run) + 1)
    for start in range(len(run) - 1, -1, -1):
        best[start] = best[start + 1]
        for end in range(start + 3, min(len(run), start + 24) + 1):
            if run[start:end] in pieces:
                best[start] = max(best[start], end - start + best[end])
    return best[0]


def self_describing_letters(part: str) -> int:
    low = part.lower()
    if low in SELF_DESCRIBING:
        return len(low)
    found = 0
    for word in SELF_DESCRIBING_INSIDE:
        if word in low:
            found += len(word)
            low = low.replace(word, " ")
    return found


def is_decorated(parts: tuple[str, ...]) -> bool:
    """Words turned into a password: a number that is not a sequence, plus a symbol or mixed case
    (`Spring2025@plo`, `CopperTundra6227_`, `gecko-velvet-cobalt-24`; not `secret2`, `Password123`)."""
    numbers = [p for p in parts if p.isdigit() and len(p) >= 2 and not (len(p) >= 3 and is_sequence(p))]
    if not numbers:
        return False
    joined = "".join(parts)
    has_symbol = any(not p.isalnum() for p in parts)
    return has_symbol or (any(c.isupper() for c in joined) and any(c.islower() for c in joined))


def is_sequence(text: str) -> bool:
    low = text.lower()
    return len(set(low)) == 1 or any(low in run or low in run[::-1] for run in SEQUENCES)


def reads_as_leet(text: str, words: Words) -> bool:
    """`N3bul4*408`, `7hund3r~94A`: a word spelt with digits for letters makes up half the value."""
    alnum = sum(c.isalnum() for c in text)
    spelt = 0
    for token in LEET_TOKEN.findall(text):
        if token.isalpha() or token.isdigit() or not any(c.isalpha() for c in token):
            continue
        plain = token.lower().translate(LEET)
        if len(plain) >= 4 and (plain in words.whole or segment(plain, words.pieces) == len(plain)):
            spelt += len(token)
    return alnum > 0 and 2 * spelt >= alnum


# Every 4-character piece of a sequence, found overlapping in one pass (a lookahead consumes nothing).
SEQUENCE_PIECES = re.compile("(?=(" + "|".join(sorted({re.escape(run[i:i + 4]) for source in SEQUENCES
                                                       for run in (source, source[::-1])
                                                       for i in range(len(run) - 3)})) + "))")
REPEATS = re.compile(r"(.)\1{2,}")
# Five of a sequence in a row (`BCDEF`, `56789`, `qwert`): a hand-typed dummy however random the rest looks.
# By chance it is rare (200,000 random values each): 4.5 in 100,000 of 24 base62 characters, 6 in 10,000 of 40 hex.
LONG_SEQUENCE = re.compile("|".join(sorted({re.escape(run[i:i + 5]) for source in SEQUENCES
                                            for run in (source, source[::-1]) for i in range(len(run) - 4)})))


def patterned_share(text: str) -> float:
    """Share of the value in runs of one character (3+) or in alphabet, digit and keyboard sequences (4+)."""
    low = text.lower()
    marked = bytearray(len(low))
    for match in REPEATS.finditer(low):
        marked[match.start():match.end()] = b"\x01" * (match.end() - match.start())
    for match in SEQUENCE_PIECES.finditer(low):
        marked[match.start():match.start() + 4] = b"\x01\x01\x01\x01"
    return sum(marked) / len(low)


BASE64_TEXT = re.compile(r"^[A-Za-z0-9+/_-]{4,}={0,2}$")
MIN_ENCODED = 8  # a whole value; the parts of a joined one (`enhjdg==|MTIzNA==`) may be shorter
HEX_TEXT = re.compile(r"^(?:[0-9a-fA-F]{2}){4,}$")


def decoded_text(value: str) -> str | None:
    """The readable text a base64 or hex value encodes (`eyJmb28iOiAiYmFyIn0=`, `enhjdg==|MTIzNA==`), or
    None: random bytes, which is what an encoded key is, do not decode to printable text."""
    for separator in "|:":
        if separator in value:
            parts = [decoded_one(part) for part in value.split(separator)]
            return separator.join(p for p in parts if p) if all(parts) else None
    return decoded_one(value) if len(value) >= MIN_ENCODED else None


def decoded_one(value: str) -> str | None:
    if HEX_TEXT.match(value):
        return printable(bytes.fromhex(value))
    if not BASE64_TEXT.match(value):
        return None
    from credlint.text import b64decode_loose

    raw = b64decode_loose(value)
    return printable(raw) if raw else None


def printable(raw: bytes) -> str | None:
    if len(raw) < 4:
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    shown = sum(c.isprintable() or c in "\n\t" for c in text)
    return text if shown == len(text) else None
