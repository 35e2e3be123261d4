"""Recall and false alarms of credlint on other scanners' own rule test data, read from their checkouts.

    python -m bench.outside --kingfisher /path/kingfisher/data/rules --trufflehog /path/trufflehog/pkg/detectors
    python -m bench.outside --trufflehog /path/trufflehog/pkg/detectors --misses aws   # which shapes are missed
    python -m bench.outside --gitleaks /path/gitleaks/cmd/generate/config
    python -m bench.outside --kingfisher DIR --json outside.json

Cases (bench/outside_cases.py): Kingfisher rules' `examples` (positive) and `negative_examples` (negative);
TruffleHog's `*_test.go` table entries with a literal `input:` (positive when `want:` lists strings, negative
when it is empty or nil) and its `validPattern` / `invalidPattern` constants; `fmt.Sprintf` inputs of literals
and the file's string constants are evaluated, inputs built at run time (calls, `+`) counted as skipped. The
family of a case is the middle of a Kingfisher rule id (`kingfisher.airtable.1`: airtable), the TruffleHog
detector folder, or the gitleaks rule id. gitleaks' `tps`/`fps` lists and its generated samples (each secret in
every syntax of its generator, random secrets drawn from the rule's own regex, seeded) are read as
bench/outside_cases.py describes.

Every case is written to its own file, cases/<source>/<family>/<n>.log in a temporary folder, and credlint scans
that folder once, with its default --min-score. A positive is found when credlint reports anything in its file;
a negative is a false alarm when it does. The layout is checked against credlint's path contexts: no folder or
suffix that credlint scores lower (test, docs, example ...); `.txt` would be docs (-10), hence `.log`.

Nothing of the test data is copied into the repository, and no value is printed or written: only counts, rule
and family names, and with --misses each line's longest token redacted as credlint redacts (its first 4
characters, never more than a quarter of it, and its length).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.outside_cases import Case, Harvest, gitleaks_cases, kingfisher_cases, trufflehog_cases
from credlint.triage.context import path_contexts
from credlint.triage.scoring import redact

MOST_MISSED = 25
DEFAULT_SUFFIX = ".log"  # `.txt` is a docs file to credlint
TOKEN = re.compile(r"[^\s\"'`=:,;<>()\[\]{}]+")


@dataclass
class FamilyCounts:
    positives: int = 0
    found: int = 0
    negatives: int = 0
    flagged: int = 0
    found_by: Counter[str] = field(default_factory=Counter)  # credlint rule id -> positives it found
    flagged_by: Counter[str] = field(default_factory=Counter)  # credlint rule id -> negatives it flagged

    @property
    def missed(self) -> int:
        return self.positives - self.found


@dataclass
class SourceResult:
    source: str
    harvest: Harvest
    families: dict[str, FamilyCounts]

    def total(self, attribute: str) -> int:
        return sum(int(getattr(counts, attribute)) for counts in self.families.values())

    @property
    def families_with_positives(self) -> int:
        return sum(1 for counts in self.families.values() if counts.positives)

    @property
    def families_found(self) -> int:
        return sum(1 for counts in self.families.values() if counts.found)

    def most_missed(self, limit: int = MOST_MISSED) -> list[tuple[str, FamilyCounts]]:
        missed = [(name, counts) for name, counts in self.families.items() if counts.missed]
        return sorted(missed, key=lambda item: (-item[1].missed, item[0]))[:limit]


# ---- writing and scanning ------------------------------------------------------------------------------------

def folder_names(cases: Iterable[Case], suffix: str) -> dict[tuple[str, str], str]:
    """A folder per (source, family): the family's own name when it is safe and neutral to credlint, else
    `family<n>` (a family named `tests` or `e2e` would lower every score in it)."""
    names: dict[tuple[str, str], str] = {}
    for key in dict.fromkeys((case.source, case.family) for case in cases):
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", key[1]).strip(".") or "family"
        if path_contexts(f"cases/{key[0]}/{name}/1{suffix}"):
            name = f"family{len(names)}"
        names[key] = name
    return names


def write_cases(root: Path, cases: Sequence[Case], suffix: str) -> dict[str, Case]:
    """Each case in its own file under root; returns the scan-relative path of each."""
    folders = folder_names(cases, suffix)
    numbers: Counter[tuple[str, str]] = Counter()
    by_path: dict[str, Case] = {}
    for case in cases:
        key = (case.source, case.family)
        numbers[key] += 1
        relative = f"cases/{case.source}/{folders[key]}/{numbers[key]}{suffix}"
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(case.text if case.text.endswith("\n") else case.text + "\n", encoding="utf-8",
                          errors="replace")
        by_path[relative] = case
    return by_path


@dataclass(frozen=True)
class Scan:
    rules_by_path: dict[str, list[str]]
    version: str
    skipped_files: int
    seconds: float


def scan(credlint: str, tree: Path, output: Path) -> Scan:
    """One credlint run over the tree (from inside it: finding paths are relative to the scanned folder, as
    the cases' are), its findings grouped by file."""
    started = time.perf_counter()
    proc = subprocess.run([credlint, "scan", ".", "--format", "json", "-o", str(output), "-q"], cwd=tree,
                          capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if not output.exists():
        raise SystemExit(f"credlint exited {proc.returncode} without a report:\n{proc.stderr}")
    report = json.loads(output.read_text(encoding="utf-8"))
    rules_by_path: dict[str, list[str]] = defaultdict(list)
    for finding in report["findings"]:
        rules_by_path[finding["path"]].append(finding["rule_id"])
    summary = report.get("summary", {})
    return Scan(dict(rules_by_path), str(report.get("tool", {}).get("version", "?")),
                len(summary.get("skipped_files", [])), seconds)


def tally(by_path: dict[str, Case], rules_by_path: dict[str, list[str]]) -> dict[str, dict[str, FamilyCounts]]:
    """source -> family -> counts."""
    counts: dict[str, dict[str, FamilyCounts]] = defaultdict(lambda: defaultdict(FamilyCounts))
    for path, case in by_path.items():
        family = counts[case.source][case.family]
        rules = set(rules_by_path.get(path, ()))
        if case.positive:
            family.positives += 1
            family.found += bool(rules)
            family.found_by.update(rules)
        else:
            family.negatives += 1
            family.flagged += bool(rules)
            family.flagged_by.update(rules)
    return {source: dict(families) for source, families in counts.items()}


# ---- reporting -----------------------------------------------------------------------------------------------

def ratio(part: int, whole: int) -> str:
    return f"{part}/{whole} {100 * part / whole:5.1f}%" if whole else f"{part}/{whole}     -"


def summary_table(results: Sequence[SourceResult]) -> list[str]:
    lines = [f"{'source':<12} {'cases':>6} {'skipped':>8}  {'recall (found/positives)':<25} "
             f"{'false alarms (flagged/negatives)':<33} {'families found':>15}"]
    for r in results:
        lines.append(f"{r.source:<12} {len(r.harvest.cases):>6} {sum(r.harvest.skipped.values()):>8}  "
                     f"{ratio(r.total('found'), r.total('positives')):<25} "
                     f"{ratio(r.total('flagged'), r.total('negatives')):<33} "
                     f"{r.families_found:>7}/{r.families_with_positives:<7}")
    for r in results:
        reasons = ", ".join(f"{reason} {n}" for reason, n in r.harvest.skipped.most_common()) or "none"
        ignored = f"; {r.harvest.ignored} table entries with a want of another type ignored" \
            if r.harvest.ignored else ""
        lines.append(f"  {r.source} skipped: {reasons}{ignored}")
    return lines


def most_missed_lines(results: Sequence[SourceResult]) -> list[str]:
    lines: list[str] = []
    for r in results:
        lines.append(f"\n{r.source}: the {MOST_MISSED} families with the most missed positives (missed/total)")
        lines += [f"  {name}: {counts.missed}/{counts.positives}" for name, counts in r.most_missed()]
    return lines


def report(results: Sequence[SourceResult], result_scan: Scan, files: int) -> str:
    header = (f"credlint {result_scan.version}: one scan of {files} case files in {result_scan.seconds:.1f} s"
              + (f", {result_scan.skipped_files} files skipped by credlint" if result_scan.skipped_files else ""))
    return "\n".join([header, "", *summary_table(results), *most_missed_lines(results)])


def line_shapes(text: str) -> list[str]:
    """The redacted longest token of each non-blank line: enough to see a shape, never the value."""
    shapes = []
    for line in text.splitlines():
        tokens = TOKEN.findall(line)
        if tokens:
            shapes.append(redact(max(tokens, key=len)))
    return shapes


def misses_report(family: str, by_path: dict[str, Case], rules_by_path: dict[str, list[str]]) -> str:
    missed = [(path, case) for path, case in by_path.items()
              if case.family == family and case.positive and path not in rules_by_path]
    if not any(case.family == family for case in by_path.values()):
        return f"no family {family!r} in the cases"
    lines = [f"{family}: {len(missed)} missed positives"]
    for _, case in sorted(missed, key=lambda item: (item[1].source, item[1].origin)):
        lines.append(f"  {case.source} {case.origin}: {' | '.join(line_shapes(case.text))}")
    return "\n".join(lines)


def as_json(results: Sequence[SourceResult], result_scan: Scan, credlint: str, suffix: str) -> dict[str, object]:
    sources: dict[str, object] = {}
    for r in results:
        sources[r.source] = {
            "cases": len(r.harvest.cases), "skipped": sum(r.harvest.skipped.values()),
            "skipped_by_reason": dict(r.harvest.skipped), "ignored_entries": r.harvest.ignored,
            "positives": r.total("positives"), "found": r.total("found"),
            "negatives": r.total("negatives"), "flagged": r.total("flagged"),
            "recall": r.total("found") / r.total("positives") if r.total("positives") else None,
            "false_alarm_rate": r.total("flagged") / r.total("negatives") if r.total("negatives") else None,
            "families_with_positives": r.families_with_positives, "families_found": r.families_found,
            "most_missed": [{"family": name, "missed": c.missed, "positives": c.positives}
                            for name, c in r.most_missed()],
            "families": {name: {"positives": c.positives, "found": c.found, "negatives": c.negatives,
                                "flagged": c.flagged, "found_by": dict(c.found_by), "flagged_by": dict(c.flagged_by)}
                         for name, c in sorted(r.families.items())},
        }
    return {"credlint": credlint, "credlint_version": result_scan.version, "suffix": suffix,
            "credlint_skipped_files": result_scan.skipped_files, "sources": sources}


# ---- command line --------------------------------------------------------------------------------------------

def harvests(args: argparse.Namespace) -> dict[str, Harvest]:
    found: dict[str, Harvest] = {}
    if args.kingfisher:
        found["kingfisher"] = kingfisher_cases(args.kingfisher)
    if args.trufflehog:
        found["trufflehog"] = trufflehog_cases(args.trufflehog)
    if args.gitleaks:
        found["gitleaks"] = gitleaks_cases(args.gitleaks)
    return found


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kingfisher", type=Path, help="Kingfisher's rules folder (data/rules)")
    parser.add_argument("--trufflehog", type=Path, help="TruffleHog's detectors folder (pkg/detectors)")
    parser.add_argument("--gitleaks", type=Path, help="gitleaks' rule generator folder (cmd/generate/config)")
    parser.add_argument("--credlint", default=str(Path(__file__).resolve().parent.parent / ".venv/bin/credlint"))
    parser.add_argument("--json", type=Path, help="also write the figures and per-family counts here")
    parser.add_argument("--misses", metavar="FAMILY", help="also list this family's missed positives, redacted")
    parser.add_argument("--suffix", default=DEFAULT_SUFFIX, help=f"of each case file (default {DEFAULT_SUFFIX})")
    args = parser.parse_args(argv)
    if not (args.kingfisher or args.trufflehog or args.gitleaks):
        parser.error("give --kingfisher, --trufflehog, --gitleaks or several")
    contexts = sorted(context.value for context in path_contexts(f"cases/x/y/1{args.suffix}"))
    if contexts:
        print(f"note: credlint scores *{args.suffix} files lower ({', '.join(contexts)})", file=sys.stderr)
    harvested = harvests(args)
    cases = [case for harvest in harvested.values() for case in harvest.cases]
    with tempfile.TemporaryDirectory(prefix="credlint-outside-") as scratch:
        tree = Path(scratch) / "tree"
        by_path = write_cases(tree, cases, args.suffix)
        result_scan = scan(args.credlint, tree, Path(scratch) / "findings.json")
    counts = tally(by_path, result_scan.rules_by_path)
    results = [SourceResult(source, harvest, counts.get(source, {})) for source, harvest in harvested.items()]
    print(report(results, result_scan, len(by_path)))
    if args.misses:
        print("\n" + misses_report(args.misses, by_path, result_scan.rules_by_path))
    if args.json:
        args.json.write_text(json.dumps(as_json(results, result_scan, args.credlint, args.suffix), indent=2) + "\n")


if __name__ == "__main__":
    main()
