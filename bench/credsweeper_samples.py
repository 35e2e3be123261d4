"""credlint on CredSweeper's sample files, against the findings CredSweeper's own tests expect of them.

    python -m bench.credsweeper_samples /path/to/CredSweeper          # a checkout, outside this repository
    python -m bench.credsweeper_samples /path/to/CredSweeper --misses  # each missed finding's rule, redacted

CredSweeper's `tests/samples/` holds one file per case (source code, configs, notes, keys), and
`tests/data/output.json` the findings its default run must report there, each with the lines it spans. A
CredSweeper finding is found when credlint reports any of its lines (a PEM key CredSweeper lists line by line,
credlint reports once). Findings of rules that report what is not a secret by itself (UUIDs, bucket names,
Firebase domains, app ids, salts, nonces) are left out. Lines credlint reports that CredSweeper does not are
counted: its samples mix positives and negatives, so some of these are false alarms and some are misses of
CredSweeper's. Nothing of the samples is copied or printed but file names, rule names and counts.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.planted import reported_lines
from credlint.triage.scoring import redact

SAMPLES, EXPECTED = Path("tests/samples"), Path("tests/data/output.json")
NOT_SECRETS = frozenset({"UUID", "AWS S3 Bucket", "Firebase Domain", "Tencent WeChat API App ID", "Salt", "Nonce"})


@dataclass(frozen=True)
class Expected:
    rule: str
    lines: tuple[tuple[str, int], ...]  # (sample path, line number)
    value: str


def expected_findings(report: list[dict[str, object]]) -> list[Expected]:
    found = []
    for finding in report:
        rule = str(finding["rule"])
        data = finding["line_data_list"]
        if rule in NOT_SECRETS or not isinstance(data, list) or not data:
            continue
        lines = tuple((str(d["path"]).removeprefix("./").removeprefix(f"{SAMPLES.as_posix()}/"), int(d["line_num"]))
                      for d in data)
        found.append(Expected(rule, lines, str(data[0].get("value") or "")))
    return found


def spans(lines: dict[str, set[int]]) -> set[tuple[str, int]]:
    return {(path, line) for path, numbers in lines.items() for line in numbers}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkout", type=Path, help="a CredSweeper checkout (tests/samples, tests/data)")
    parser.add_argument("--credlint", default=str(Path(__file__).resolve().parent.parent / ".venv/bin/credlint"))
    parser.add_argument("--misses", action="store_true", help="also list each missed finding, redacted")
    args = parser.parse_args(argv)
    if not (args.checkout / EXPECTED).is_file() or not (args.checkout / SAMPLES).is_dir():
        parser.error(f"no {SAMPLES} and {EXPECTED} in {args.checkout}")
    expected = expected_findings(json.loads((args.checkout / EXPECTED).read_text(encoding="utf-8")))
    reported = spans(reported_lines(args.checkout / SAMPLES, args.credlint, every_line=True))
    missed = [e for e in expected if not reported.intersection(e.lines)]
    listed = {line for e in expected for line in e.lines}
    print(f"CredSweeper findings found: {len(expected) - len(missed)}/{len(expected)} "
          f"({100 * (len(expected) - len(missed)) / len(expected):.1f} %)")
    print(f"lines credlint reports that CredSweeper does not: {len(reported - listed)}")
    print("missed, by CredSweeper rule: " + ", ".join(f"{rule} {n}" for rule, n in
                                                      Counter(e.rule for e in missed).most_common(12)))
    if args.misses:
        for e in sorted(missed, key=lambda e: e.lines):
            print(f"  {e.lines[0][0]}:{e.lines[0][1]} {e.rule} {redact(e.value)}")


if __name__ == "__main__":
    main()
