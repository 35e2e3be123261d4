"""Attack lines for a rule's regex, and the check that its time grows linearly with them.

A backtracking regex can take time quadratic (or worse) in the length of a line that almost matches: a cut
of a real example followed by a long run of one character, a prefix repeated, a keyword followed by a run.
Minified bundles and recorded JSON bring such lines by accident; a pull request can bring them on purpose.
The test suite runs every built-in rule through these lines (tests/test_redos.py), and a user's rule file is
refused at load when one of its rules is superlinear on them.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

FILLERS = ("a", "0", " ", "=", '"', "/", "-", ".", ":", "\n")
CUTS = (0.25, 0.5, 0.75, 1.0)


@dataclass(frozen=True, slots=True)
class Growth:
    """How long the slowest attack line took at two sizes."""

    attack: str  # a short description: which example, cut and filler
    small: float  # seconds at the smaller size
    large: float  # seconds at the larger size

    @property
    def ratio(self) -> float:
        return self.large / max(self.small, 1e-6)


def seeds(examples: Sequence[str], keywords: Sequence[str]) -> Iterator[tuple[str, str]]:
    """(description, prefix) pairs: cuts of each example, and each keyword alone."""
    for n, example in enumerate(examples[:3]):
        for cut in CUTS:
            end = max(1, int(len(example) * cut))
            yield f"example {n} cut at {end}", example[:end]
    for keyword in keywords[:4]:
        yield f"keyword {keyword!r}", keyword


def attack_lines(examples: Sequence[str], keywords: Sequence[str], size: int) -> Iterator[tuple[str, str]]:
    """(description, line) pairs of about `size` characters."""
    for name, prefix in seeds(examples, keywords):
        for filler in FILLERS:
            yield f"{name} + {filler!r} run", prefix + filler * (size - len(prefix))
        yield f"{name} repeated", (prefix * (size // max(1, len(prefix)) + 1))[:size]


def time_line(regex: re.Pattern[str], line: str, repeat: int = 2) -> float:
    """The best of `repeat` runs in this thread's CPU time: a busy machine (CI runs test suites side by
    side) preempts the thread, which adds wall time but no CPU time, so only the regex's own cost counts."""
    best = float("inf")
    for _ in range(repeat):
        start = time.thread_time()
        for _match in regex.finditer(line):
            pass
        best = min(best, time.thread_time() - start)
    return best


def slowest_growth(regex: re.Pattern[str], examples: Sequence[str], keywords: Sequence[str],
                   small: int, large: int) -> Growth:
    """The attack that grows superlinearly from `small` to `large` characters, confirmed by a second timing
    (the slowest such); when there is none, the slowest attack at the larger size."""
    growths = []
    big = dict(attack_lines(examples, keywords, large))
    for name, line in attack_lines(examples, keywords, small):
        before = time_line(regex, line)
        if before * (large / small) ** 2 < 0.002:  # even quadratic growth would stay under 2 ms
            continue
        growths.append((Growth(name, before, time_line(regex, big[name])), line))
    growths.sort(key=lambda pair: pair[0].large, reverse=True)
    # Only the lines that looked superlinear are timed again, the slowest first: a superlinear regex is
    # usually confirmed on its first, and a linear one's noise costs a few lines, not every line again.
    for growth, line in growths:
        if superlinear(growth, small, large):
            again = confirmed(regex, growth.attack, line, big[growth.attack])
            if superlinear(again, small, large):
                return again
    return growths[0][0] if growths else Growth("", 0.0, 0.0)


def confirmed(regex: re.Pattern[str], name: str, small_line: str, large_line: str) -> Growth:
    """Both sizes timed again, best of more runs: one slow run (a cache flushed by a neighbour, a page
    fault) must not make a linear regex look superlinear, while a truly superlinear one stays so."""
    return Growth(name, time_line(regex, small_line, repeat=5), time_line(regex, large_line, repeat=5))


def superlinear(growth: Growth, small: int, large: int) -> bool:
    """Linear growth multiplies time by large/small; allow twice that (timer noise, cache effects), and
    ignore anything that stays under 20 ms at the larger size."""
    return growth.large > 0.02 and growth.ratio > 2 * large / small
