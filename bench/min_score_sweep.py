"""Sweep --min-score: precision and recall at each threshold, on judged real repositories and the corpus.

    python -m bench.min_score_sweep \
        --realworld ../realworld ../shared/bench/realworld/dev-triage.tsv,bench/realworld/dev-extra-triage.tsv \
        --realworld ../ownrw bench/realworld/own-triage.tsv --dev ../shared/bench/dev

Each checkout is scanned once at --min-score 0; each threshold then keeps the findings scoring at least it
(migration debt is kept whatever its score, as the scanner does). Real repositories are matched to the
judged rows as ../shared/bench/realworld/score_realworld.py matches them (the same rule on the line first,
else the only verdict on that line; recall within one line); the corpus is scored by its own score.py.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

RIGHT = {"TP-secret", "TP-basic-auth-literal", "advisory-correct"}
THRESHOLDS = (0, 20, 30, 35, 40, 45, 50, 55, 60)
Finding = dict[str, Any]


def scan(credlint: str, checkout: Path, output_format: str = "json") -> Any:
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "out"
        subprocess.run([credlint, "scan", ".", "--format", output_format, "--min-score", "0", "-q", "-o", str(out)],
                       cwd=checkout, capture_output=True, check=False)
        return json.loads(out.read_text(encoding="utf-8"))


def read_rows(paths: list[Path]) -> dict[str, list[dict[str, str]]]:
    by_repo: dict[str, list[dict[str, str]]] = defaultdict(list)
    for path in paths:
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                if "history" in row["tool"] + row.get("sampled", ""):
                    continue
                row["path"], _, row["line"] = row["path:line"].rpartition(":")
                if row["line"].isdigit():
                    by_repo[row["repo"]].append(row)
    return by_repo


def judge(findings: list[Finding], rows: list[dict[str, str]]) -> tuple[int, int, int, int]:
    """right, wrong, true lines found, true lines: the matching of score_realworld.py."""
    mine = [r for r in rows if r["tool"] == "credlint"]
    by_rule = {(r["path"], int(r["line"]), r["rule"]): r["verdict"] in RIGHT for r in mine}
    by_line: dict[tuple[str, int], set[bool]] = defaultdict(set)
    for r in mine:
        by_line[(r["path"], int(r["line"]))].add(r["verdict"] in RIGHT)
    right = wrong = 0
    for f in findings:
        verdict = by_rule.get((f["path"], f["line"], f["rule_id"]))
        if verdict is None and len(by_line.get((f["path"], f["line"]), ())) == 1:
            verdict = next(iter(by_line[(f["path"], f["line"])]))
        if verdict is not None:
            right, wrong = right + verdict, wrong + (not verdict)
    truth = {(r["path"], int(r["line"])) for r in rows if r["verdict"] in RIGHT}
    near = {(f["path"], f["line"] + d) for f in findings for d in (-1, 0, 1)}
    return right, wrong, len(truth & near), len(truth)


def kept(findings: list[Finding], threshold: int) -> list[Finding]:
    return [f for f in findings if f["score"] >= threshold or f.get("severity") == "low"]


def realworld_rows(credlint: str, root: Path, triage: list[Path]) -> dict[int, tuple[int, int, int, int]]:
    rows = read_rows(triage)
    scans = {repo: scan(credlint, root / repo.split("/", 1)[1])["findings"] for repo in sorted(rows)
             if (root / repo.split("/", 1)[1] / ".git").exists()}
    table = {}
    for threshold in THRESHOLDS:
        totals = [judge(kept(found, threshold), rows[repo]) for repo, found in scans.items()]
        right, wrong, found, truth = (sum(t[i] for t in totals) for i in range(4))
        table[threshold] = (right, wrong, found, truth)
    return table


def dev_rows(credlint: str, corpus: Path) -> dict[int, tuple[float, float]]:
    sarif = scan(credlint, corpus / "tree", "sarif")
    rules = {r["id"]: r for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    table = {}
    for threshold in THRESHOLDS:
        cut = json.loads(json.dumps(sarif))
        run = cut["runs"][0]
        run["results"] = [r for r in run["results"] if r["properties"]["score"] >= threshold
                          or "advisory" in rules[r["ruleId"]]["properties"]["tags"]]
        with tempfile.TemporaryDirectory() as scratch:
            path, report = Path(scratch) / "cut.sarif", Path(scratch) / "score.json"
            path.write_text(json.dumps(cut), encoding="utf-8")
            subprocess.run([sys.executable, str(corpus.parent / "score.py"), "--sarif", str(path), "--corpus",
                            str(corpus), "--json", str(report)], capture_output=True, check=True)
            scored = json.loads(report.read_text(encoding="utf-8"))
        table[threshold] = (scored["precision"], scored["recall_must"])
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--realworld", nargs=2, action="append", default=[], metavar=("CHECKOUTS", "TRIAGE"),
                        help="a folder of checkouts and its triage files (comma-separated)")
    parser.add_argument("--dev", type=Path, help="the labelled corpus folder (labels.jsonl, tree/)")
    parser.add_argument("--credlint", default=str(Path(__file__).resolve().parent.parent / ".venv/bin/credlint"))
    args = parser.parse_args()
    columns = [realworld_rows(args.credlint, Path(root), [Path(p) for p in triage.split(",")])
               for root, triage in args.realworld]
    dev = dev_rows(args.credlint, args.dev) if args.dev else {}
    print("| min score | " + " | ".join(f"{Path(r).name}: precision, recall" for r, _ in args.realworld)
          + (" | corpus: precision, recall secret+literal |" if dev else " |"))
    for threshold in THRESHOLDS:
        cells = [f"{t[0] / max(1, t[0] + t[1]):.3f} ({t[0]}/{t[0] + t[1]}), {t[2] / max(1, t[3]):.3f}"
                 for t in (c[threshold] for c in columns)]
        if dev:
            cells.append(f"{dev[threshold][0]:.3f}, {dev[threshold][1]:.3f}")
        print(f"| {threshold} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
