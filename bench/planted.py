"""Risk lines found in a planted-secret repository that counts its own secrets (Plazmaz/leaky-repo's layout).

    python -m bench.planted /path/to/leaky-repo            # a checkout of it, outside this repository
    python -m bench.planted /path/to/leaky-repo --per-file

The repository lists, in `.leaky-meta/secrets.csv`, each file with its number of "risk" lines (a secret) and
"informative" lines (a host or user name); lines are counted, not values. credlint scans the checkout once at
its default --min-score; a file scores min(lines credlint reports in it, its risk lines). A reported line in a
file with no risk line, or beyond a file's risk and informative lines together, is counted as a line beyond
the count: the list says nothing there is a secret. Nothing of the repository is copied or printed but file
names and counts.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

LISTING = Path(".leaky-meta/secrets.csv")


@dataclass(frozen=True)
class Listed:
    risk: int
    informative: int


@dataclass(frozen=True)
class FileScore:
    name: str
    listed: Listed
    reported: int

    @property
    def found(self) -> int:
        return min(self.reported, self.listed.risk)

    @property
    def beyond(self) -> int:
        if not self.listed.risk:
            return self.reported
        return max(0, self.reported - self.listed.risk - self.listed.informative)


def read_listing(lines: Iterable[str]) -> dict[str, Listed]:
    """`name,num_risk,num_informative` rows; `#` comments and blank lines skipped."""
    listed: dict[str, Listed] = {}
    for raw in lines:
        row = raw.strip()
        if not row or row.startswith("#"):
            continue
        name, risk, informative = row.rsplit(",", 2)
        listed[name] = Listed(int(risk), int(informative))
    return listed


def reported_lines(folder: Path, credlint: str, every_line: bool = False) -> dict[str, set[int]]:
    """The lines credlint reports in the folder, scanned from inside it (paths relative to it): each finding's
    first line, or with every_line all the lines it spans."""
    with tempfile.TemporaryDirectory(prefix="credlint-bench-") as scratch:
        output = Path(scratch) / "findings.json"
        proc = subprocess.run([credlint, "scan", ".", "--format", "json", "-o", str(output), "-q", "--no-git-ignore"],
                              cwd=folder, capture_output=True, text=True, check=False)
        if not output.exists():
            raise SystemExit(f"credlint exited {proc.returncode} without a report:\n{proc.stderr}")
        findings = json.loads(output.read_text(encoding="utf-8"))["findings"]
    lines: dict[str, set[int]] = defaultdict(set)
    for finding in findings:
        last = finding.get("end_line", finding["line"]) if every_line else finding["line"]
        lines[finding["path"]].update(range(finding["line"], last + 1))
    return lines


def file_scores(listed: dict[str, Listed], lines: dict[str, set[int]]) -> list[FileScore]:
    names = sorted(set(listed) | {name for name in lines if not name.startswith(".leaky-meta/")})
    return [FileScore(name, listed.get(name, Listed(0, 0)), len(lines.get(name, ()))) for name in names]


def summary(scores: Sequence[FileScore], per_file: bool) -> list[str]:
    risk = sum(s.listed.risk for s in scores)
    found = sum(s.found for s in scores)
    rows = [f"risk lines found: {found}/{risk} ({100 * found / risk:.1f} %)" if risk else "no risk lines listed",
            f"files with a risk line found: {sum(1 for s in scores if s.found)}/"
            f"{sum(1 for s in scores if s.listed.risk)}",
            f"reported lines beyond the count: {sum(s.beyond for s in scores)}"]
    if per_file:
        rows += [f"  {s.name}: {s.found}/{s.listed.risk}" + (f" (+{s.beyond} beyond)" if s.beyond else "")
                 for s in scores]
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("repository", type=Path, help="a checkout with .leaky-meta/secrets.csv")
    parser.add_argument("--credlint", default=str(Path(__file__).resolve().parent.parent / ".venv/bin/credlint"))
    parser.add_argument("--per-file", action="store_true", help="also list each file's figures")
    args = parser.parse_args(argv)
    listing = args.repository / LISTING
    if not listing.is_file():
        parser.error(f"no {LISTING} in {args.repository}")
    listed = read_listing(listing.read_text(encoding="utf-8").splitlines())
    print("\n".join(summary(file_scores(listed, reported_lines(args.repository, args.credlint)), args.per_file)))


if __name__ == "__main__":
    main()
