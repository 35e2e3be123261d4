"""Adversarial lines through the whole pipeline: for each rule, the attack line of credlint.detectors.redos
that is slowest for its regex (measured at 32 KiB, regex alone), then that line at 64 KiB and 1 MiB scanned
by the whole rulebook as one file. Prints the slowest lines and the total; `bench/run.py --adversarial`.

    python -m bench.adversarial [--sizes 65536,1048576] [--top 10]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

from credlint.detectors.redos import attack_lines, time_line
from credlint.detectors.rulebook import Rule, load_rulebook
from credlint.pipeline import scan_text

PROBE = 32 << 10


def worst_attack(rule: Rule) -> str:
    """The name of the attack line this rule's regex is slowest on."""
    timed = [(time_line(rule.regex, line, 1), name) for name, line in attack_lines(rule.examples, rule.keywords,
                                                                                    PROBE)]
    return max(timed)[1]


def line_of(rule: Rule, name: str, size: int) -> str:
    return dict(attack_lines(rule.examples, rule.keywords, size))[name]


def measure(sizes: Sequence[int], top: int) -> list[tuple[float, int, str, str]]:
    rulebook = load_rulebook()
    rows: list[tuple[float, int, str, str]] = []
    for rule in (r for r in rulebook.rules if r.pattern):
        name = worst_attack(rule)
        for size in sizes:
            text = line_of(rule, name, size)
            start = time.perf_counter()
            scan_text(text + "\n", rulebook, "attack.txt", min_score=0)
            rows.append((time.perf_counter() - start, size, rule.id, name))
    rows.sort(reverse=True)
    for seconds, size, rule_id, name in rows[:top]:
        print(f"{seconds:7.3f} s  {size >> 10:5d} KiB  {rule_id}: {name}")
    for size in sizes:
        times = [r[0] for r in rows if r[1] == size]
        print(f"{size >> 10} KiB: {len(times)} lines, slowest {max(times):.3f} s, total {sum(times):.1f} s")
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=f"{64 << 10},{1 << 20}")
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args(argv)
    measure([int(s) for s in args.sizes.split(",")], args.top)


if __name__ == "__main__":
    main()
