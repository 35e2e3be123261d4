"""How well does a value-shape judgement tell readable dummies from real secrets? (docs/scoring.md)

    python -m bench.shape_eval --realworld ../realworld --triage ../shared/bench/realworld/dev-triage.tsv \
        --dev ../shared/bench/dev

Values are collected at run time and only counted: nothing is written. Three sets:
  dummies   rule matches, before any filter, on lines of real repositories judged FP as a readable value
            (dummy, docs example, field name, identifier, vendor-prefixed dummy, placeholder, encoded text)
  real      rule matches on lines judged right there, and every labelled finding of the dev corpus
  random    generated values (base62, base64, hex, Django-style, printable), 16 to 64 characters
A judgement is good when it calls the dummies readable and nothing else.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import string
import subprocess
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from credlint.detectors.engine import Engine
from credlint.detectors.rulebook import load_rulebook
from credlint.detectors.shape import Shape, decoded_text, judge
from credlint.model import Chunk
from credlint.sources.base import FileRef, ReadLimits
from credlint.sources.tree import iter_tree, locate, read_file
from credlint.text import shannon_entropy

READABLE_CLASSES = {"dummy-test-value", "docs-example", "field-name", "identifier", "vendor-prefixed-dummy",
                    "placeholder", "encoded-data"}
SKIPPED_KINDS = {"key"}  # keys are judged by structure, not shape
Judge = Callable[[str], bool]


def findings(credlint: str, checkout: Path) -> list[dict[str, object]]:
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "f.json"
        subprocess.run([credlint, "scan", ".", "--format", "json", "--show-secrets", "--min-score", "0", "-q",
                        "-o", str(out)], cwd=checkout, check=False, capture_output=True)
        found: list[dict[str, object]] = json.loads(out.read_text())["findings"]
        return found


def candidates(checkout: Path) -> Iterator[tuple[str, int, str, str]]:
    """Every rule match before any filter (path, line, kind, value): the filters are what is measured."""
    rulebook = load_rulebook()
    engine = Engine(rulebook)
    advisory = {r.id for r in rulebook.rules if "advisory" in r.tags}
    workspace = locate([checkout])
    for ref in iter_tree([checkout], workspace, ()):
        chunk = read_file(ref, ReadLimits(10 * 1024 * 1024)) if isinstance(ref, FileRef) else None
        if not isinstance(chunk, Chunk):
            continue
        for rule, cand, index in engine.iter_candidates(chunk):
            if rule.id not in advisory:
                yield chunk.path, index.line_of(cand.start), rule.kind, cand.secret


def judged_rows(paths: Iterable[Path]) -> dict[tuple[str, str], str]:
    rows: dict[tuple[str, str], str] = {}
    for path in paths:
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                verdict = "FP:" + row["class"] if row["verdict"] == "FP" else "right"
                rows.setdefault((row["repo"].split("/")[-1], row["path:line"]), verdict)
    return rows


def realworld_values(root: Path, triage: list[Path]) -> tuple[list[str], list[str]]:
    verdicts = judged_rows(triage)
    dummies, real = [], []
    for checkout in sorted(p for p in root.iterdir() if (p / ".git").exists()):
        seen: set[tuple[str, int, str]] = set()
        for path, line, kind, value in candidates(checkout):
            verdict = verdicts.get((checkout.name, f"{path}:{line}"))
            if verdict is None or kind in SKIPPED_KINDS or (path, line, value) in seen:
                continue
            seen.add((path, line, value))
            if verdict == "right":
                real.append(value)
            elif verdict.removeprefix("FP:") in READABLE_CLASSES:
                dummies.append(value)
    return dummies, real


def dev_values(credlint: str, corpus: Path) -> list[str]:
    labels = {(r["file"], r["line"]) for r in map(json.loads, (corpus / "labels.jsonl").open())
              if r["class"] != "basic_auth_advisory"}
    return [str(f["secret"]) for f in findings(credlint, corpus / "tree")
            if (f["path"], f["line"]) in labels and f["kind"] not in SKIPPED_KINDS and f.get("severity") != "low"]


def random_values(count: int = 300) -> list[str]:
    rng = random.Random(2026)
    alphabets = [string.ascii_letters + string.digits, string.ascii_letters + string.digits + "+/",
                 "0123456789abcdef", string.ascii_lowercase + string.digits + "!@#$%^&*(-_=+)",
                 string.ascii_letters + string.digits + string.punctuation]
    return ["".join(rng.choice(a) for _ in range(n)) for a in alphabets for n in (16, 24, 32, 64)
            for _ in range(count // 4)]


def readable_by_shape(value: str) -> bool:
    text = decoded_text(value)
    target = (text.partition(":")[2] or text) if text else value
    return judge(target) in (Shape.WORDS, Shape.PATTERNED)


def class_entropy(value: str) -> float:
    """Bits per character if each character were drawn uniformly from the classes the value uses."""
    classes = [string.ascii_lowercase, string.ascii_uppercase, string.digits]
    size = sum(len(c) for c in classes if any(ch in c for ch in value))
    size += 32 if any(not ch.isalnum() for ch in value) else 0
    return math.log2(size) if size else 0.0


JUDGES: dict[str, Judge] = {
    "word shape (credlint)": readable_by_shape,
    "Shannon entropy < 3.5 bits/char": lambda v: shannon_entropy(v) < 3.5,
    "Shannon entropy < 3.0 bits/char": lambda v: shannon_entropy(v) < 3.0,
    "character-class entropy < 5 bits/char": lambda v: class_entropy(v) < 5.0,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--realworld", type=Path, required=True, help="folder of checkouts at the triage commits")
    parser.add_argument("--triage", type=Path, action="append", required=True)
    parser.add_argument("--dev", type=Path, required=True, help="the labelled corpus (labels.jsonl, tree/)")
    parser.add_argument("--credlint", default=str(Path(__file__).resolve().parent.parent / ".venv/bin/credlint"))
    args = parser.parse_args()
    dummies, real = realworld_values(args.realworld, args.triage)
    real += dev_values(args.credlint, args.dev)
    generated = random_values()
    print(f"{'judgement':<40} {'dummies readable':>17} {'real readable':>14} {'random readable':>16}")
    for name, readable in JUDGES.items():
        counts: Counter[str] = Counter()
        for label, values in (("dummies", dummies), ("real", real), ("random", generated)):
            counts[label] = sum(1 for v in values if readable(v))
        print(f"{name:<40} {counts['dummies']:>8}/{len(dummies):<8} {counts['real']:>6}/{len(real):<7} "
              f"{counts['random']:>7}/{len(generated):<8}")


if __name__ == "__main__":
    main()
