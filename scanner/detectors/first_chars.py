"""A regex's possible first characters, put in front of it as a lookahead.

Python's `re` tries a pattern at every position of the text unless it can tell from one character that no
match starts there, and it cannot for a case-insensitive alternation of words (`(?i)(?:secret|api_key|
token|…)`): the generic rules ran at 155 ms a MB on real JSON. With `(?=[acehkmst])` in front, positions
that cannot start a match are passed over at once: 64 ms a MB. The matches are the same by construction:
the class holds every character a match can begin with (under the pattern's own flags, so case folding is
re's), and when that cannot be worked out (a negated class, a category, a scoped flag, an empty match) the
pattern is left as it is.
"""

from __future__ import annotations

import importlib
import re
from typing import Any


def regex_internals(modern: str, legacy: str) -> Any:
    """re's own parser and constants (no public API): `re._parser` from Python 3.11, `sre_parse` before."""
    try:
        return importlib.import_module(modern)
    except ImportError:  # pragma: no cover - Python 3.10
        return importlib.import_module(legacy)


sre_parse = regex_internals("re._parser", "sre_parse")
sre_constants = regex_internals("re._constants", "sre_constants")
LEADING_FLAGS = re.compile(r"^\(\?[aiLmsux]+\)")
MAX_CLASS = 64  # a wider first set gains little and makes a long class
# With fewer possible first characters re finds its own way to skip positions (a literal prefix, a
# charset), and the lookahead only adds a step: measured on 1 MB of JSON and Python, every rule whose
# first set has 5 or more characters ran faster with it (0.78 s -> 0.42 s over 11 rules), and 5 of the 7
# with 3 or 4 ran slower.
MIN_CLASS = 5


def with_first_chars(pattern: str) -> str:
    """`pattern` with a lookahead for its first characters after its leading flags, or unchanged."""
    try:
        parsed = sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return pattern
    first = sequence_first(list(parsed))
    if first is None or first[1] or not MIN_CLASS <= len(first[0]) <= MAX_CLASS:
        return pattern
    flags = LEADING_FLAGS.match(pattern)
    at = flags.end() if flags else 0
    chars = "".join(re.escape(c) for c in sorted(first[0]))
    return f"{pattern[:at]}(?=[{chars}]){pattern[at:]}"


def sequence_first(items: list[tuple[Any, Any]]) -> tuple[set[str], bool] | None:
    """(first characters, whether the sequence can match the empty string), or None when unknown."""
    chars: set[str] = set()
    for op, arg in items:
        item = item_first(op, arg)
        if item is None:
            return None
        chars |= item[0]
        if not item[1]:
            return chars, False
    return chars, True


def item_first(op: Any, arg: Any) -> tuple[set[str], bool] | None:
    c = sre_constants
    if op is c.LITERAL:
        return {chr(arg)}, False
    if op is c.IN:
        chars = class_chars(arg)
        return (chars, False) if chars is not None else None
    if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
        return set(), True  # zero width: the next item decides the first character
    if op is c.BRANCH:
        return union([sequence_first(list(branch)) for branch in arg[1]])
    if op is c.SUBPATTERN:
        return subpattern_first(arg)
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
        low, _high, body = arg
        inner = sequence_first(list(body))
        return None if inner is None else (inner[0], inner[1] or low == 0)
    return None


def subpattern_first(arg: Any) -> tuple[set[str], bool] | None:
    """A group's first characters. `(?-i:T)` is understood (it starts with what it spells: a superset
    under the pattern's own IGNORECASE); other scoped flags are not: `(?i:k)` also starts with the Kelvin
    sign, which no swapped case names."""
    _group, add_flags, del_flags, body = arg
    if add_flags or del_flags & ~re.IGNORECASE:
        return None
    return sequence_first(list(body))


def union(parts: list[tuple[set[str], bool] | None]) -> tuple[set[str], bool] | None:
    if any(part is None for part in parts):
        return None
    known = [part for part in parts if part is not None]
    return set().union(*(chars for chars, _ in known)), any(empty for _, empty in known)


def class_chars(items: list[tuple[Any, Any]]) -> set[str] | None:
    c = sre_constants
    chars: set[str] = set()
    for op, arg in items:
        if op is c.LITERAL:
            chars.add(chr(arg))
        elif op is c.RANGE and arg[1] - arg[0] < MAX_CLASS:
            chars.update(chr(n) for n in range(arg[0], arg[1] + 1))
        else:  # NEGATE, CATEGORY (\d, \w), wide ranges
            return None
    return chars
