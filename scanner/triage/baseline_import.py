"""Moving from detect-secrets: carry an audited `.secrets.baseline` over into a credlint baseline.

detect-secrets stores `hashed_secret`, the SHA-1 of the value. credlint scans the tree, hashes each of its
own findings the same way, and accepts those that detect-secrets had accepted (audited as not a secret,
or never audited): a finding is accepted only by an entry for the same value.

An entry audited `is_secret: true` wins over every other entry on its line: detect-secrets' GitHub
detector hashes only the token's prefix (`ghp`), so its confirmed entry never matches the full value,
while an unaudited high-entropy entry on the same line hashes the whole token and would accept it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from credlint.model import Finding
from credlint.triage.baseline import BaselineError


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    accepted: list[Finding]  # go into the credlint baseline
    confirmed: int  # detect-secrets entries audited as real secrets: still reported
    unmatched: int  # detect-secrets entries no credlint finding corresponds to


def sha1_hex(secret: str) -> str:
    return hashlib.sha1(secret.encode("utf-8", "surrogateescape"), usedforsecurity=False).hexdigest()


def read_detect_secrets_baseline(path: Path) -> dict[str, list[dict[str, Any]]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(f"{path}: cannot read detect-secrets baseline: {exc}") from exc
    results = data.get("results") if isinstance(data, dict) else None
    if not isinstance(results, dict) or "version" not in data:
        raise BaselineError(f"{path}: not a detect-secrets baseline (no version and results)")
    return {str(name): [e for e in entries if isinstance(e, dict)] for name, entries in results.items()
            if isinstance(entries, list)}


def import_detect_secrets(path: Path, findings: Iterable[Finding]) -> ImportOutcome:
    results = read_detect_secrets_baseline(path)
    accepted_keys = {(name, e.get("hashed_secret")) for name, entries in results.items() for e in entries
                     if e.get("is_secret") is not True}
    confirmed_lines = {(name, e.get("line_number")) for name, entries in results.items() for e in entries
                       if e.get("is_secret") is True}
    accepted = [f for f in findings if (f.location.path, sha1_hex(f.secret)) in accepted_keys
                and not on_confirmed_line(f, confirmed_lines)]
    matched = {(f.location.path, sha1_hex(f.secret)) for f in accepted}
    return ImportOutcome(accepted, len(confirmed_lines), len(accepted_keys - matched))


def on_confirmed_line(finding: Finding, confirmed: set[tuple[str, object]]) -> bool:
    loc = finding.location
    return any((loc.path, line) in confirmed for line in range(loc.line, loc.end_line + 1))
