"""Accepted findings: a baseline file keyed by rule, path and a salted hash of the secret (never the value).

The file is JSON with one entry per line, every entry line ending in a comma and a fixed closing line, so
a union merge of two branches (`.gitattributes`: `merge=union`) is always valid JSON; `baseline update`
puts the lines back in order.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from credlint.errors import CredlintError
from credlint.fingerprint import chosen_fingerprint
from credlint.model import Finding

FORMAT = "credlint-baseline"
VERSION = 1
DEFAULT_NAME = ".credlint-baseline.json"
CLOSING = "null]}"


class BaselineError(CredlintError):
    """The baseline file is missing, corrupt or of an unknown version: never treated as empty."""


@dataclass(frozen=True, slots=True, order=True)
class BaselineEntry:
    rule_id: str
    path: str
    hash: str


AUDIT_REAL = "real"  # audited: a real secret, reported again until it is removed and rotated
AUDIT_FALSE = "false-positive"  # audited: not a secret, accepted for good
AUDITS = frozenset({AUDIT_REAL, AUDIT_FALSE})


@dataclass(frozen=True, slots=True)
class Baseline:
    salt: str
    entries: frozenset[BaselineEntry] = field(default_factory=frozenset)
    audits: dict[BaselineEntry, str] = field(default_factory=dict)  # `credlint baseline audit`

    def entry_for(self, finding: Finding) -> BaselineEntry:
        if is_chosen(finding):
            digest = SCRYPT_PREFIX + chosen_fingerprint(finding.rule_id, finding.secret, bytes.fromhex(self.salt))
        else:
            digest = secret_digest(self.salt, finding.secret)
        return BaselineEntry(finding.rule_id, finding.location.path, digest)

    def matching(self, finding: Finding) -> BaselineEntry | None:
        entry = self.entry_for(finding)
        if entry in self.entries:
            return entry
        # Baselines written before passwords were hashed with scrypt keep working.
        legacy = BaselineEntry(finding.rule_id, finding.location.path, secret_digest(self.salt, finding.secret))
        return legacy if is_chosen(finding) and legacy in self.entries else None

    def accepts(self, finding: Finding) -> bool:
        entry = self.matching(finding)
        return entry is not None and self.audits.get(entry) != AUDIT_REAL

    def with_findings(self, findings: Iterable[Finding]) -> Baseline:
        return Baseline(self.salt, self.entries | {self.entry_for(f) for f in findings}, self.audits)

    def keeping(self, findings: Iterable[Finding]) -> Baseline:
        """Only the entries that still match one of the findings (their audit marks with them)."""
        current = {entry for f in findings if (entry := self.matching(f)) is not None}
        kept = frozenset(self.entries & current)
        return Baseline(self.salt, kept, {e: a for e, a in self.audits.items() if e in kept})

    def audited(self, entry: BaselineEntry, mark: str) -> Baseline:
        return Baseline(self.salt, self.entries, {**self.audits, entry: mark})


SCRYPT_PREFIX = "scrypt:"
CHOSEN_KINDS = frozenset({"password", "basic-auth", "connection-string"})


def is_chosen(finding: Finding) -> bool:
    """A value a person chose (a password): the salt is in the file, so only a slow hash makes a dictionary
    attack on the committed baseline cost real time."""
    return finding.kind in CHOSEN_KINDS and not finding.advisory


def secret_digest(salt: str, secret: str) -> str:
    """HMAC-SHA256 keyed by the file's random salt: equal secrets match. The salt is in the same file, so
    this hides a value only when it is too long to guess (a generated token or key)."""
    return hmac.new(bytes.fromhex(salt), secret.encode("utf-8", "surrogateescape"), hashlib.sha256).hexdigest()


def new_baseline(findings: Iterable[Finding] = ()) -> Baseline:
    import secrets

    return Baseline(secrets.token_hex(16)).with_findings(findings)


def render_baseline(baseline: Baseline) -> str:
    head = json.dumps({"format": FORMAT, "version": VERSION, "salt": baseline.salt})[:-1]
    lines = [f'{head}, "entries": [']
    for entry in sorted(baseline.entries):
        record = {"rule_id": entry.rule_id, "path": entry.path, "hash": entry.hash}
        if entry in baseline.audits:
            record["audit"] = baseline.audits[entry]
        lines.append(json.dumps(record, ensure_ascii=False) + ",")
    lines.append(CLOSING)
    return "\n".join(lines) + "\n"


BASELINE_LIMIT = 256 << 20  # 100 bytes an entry: two million accepted findings


def load_baseline(path: Path) -> Baseline:
    from credlint.files import read_bounded

    if not os.path.lexists(path):
        raise BaselineError(f"{path}: baseline file not found (create one with `credlint baseline create`)")
    try:
        data = json.loads(read_bounded(path, BASELINE_LIMIT, "baseline"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(f"{path}: corrupt baseline ({exc}); restore it from version control") from exc
    return parse_baseline(data, path)


def parse_baseline(data: Any, path: Path) -> Baseline:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BaselineError(f"{path}: not a credlint baseline (no format: {FORMAT})")
    if data.get("version") != VERSION:
        raise BaselineError(f"{path}: baseline version {data.get('version')!r} is not supported "
                            f"(this credlint reads version {VERSION}); upgrade credlint")
    salt, entries = data.get("salt"), data.get("entries")
    if not isinstance(salt, str) or not is_hex(salt) or not isinstance(entries, list):
        raise BaselineError(f"{path}: corrupt baseline (salt or entries missing)")
    parsed = [parse_entry(e, path) for e in entries if e is not None]
    return Baseline(salt, frozenset(entry for entry, _ in parsed), {entry: mark for entry, mark in parsed if mark})


def parse_entry(entry: Any, path: Path) -> tuple[BaselineEntry, str]:
    if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) for k in ("rule_id", "path", "hash")):
        raise BaselineError(f"{path}: corrupt baseline entry {entry!r}")
    mark = entry.get("audit", "")
    if mark and mark not in AUDITS:
        raise BaselineError(f"{path}: unknown audit mark {mark!r} (known: {', '.join(sorted(AUDITS))})")
    return BaselineEntry(entry["rule_id"], entry["path"], entry["hash"]), mark


def is_hex(value: str) -> bool:
    try:
        bytes.fromhex(value)
    except ValueError:
        return False
    return bool(value)


UNION_ATTRIBUTE = "merge=union"


def ensure_union_merge(repo: Path, baseline_path: Path) -> bool:
    """Add `<baseline> merge=union` to .gitattributes so that branches adding entries merge cleanly."""
    attributes = repo / ".gitattributes"
    try:
        name = baseline_path.resolve().relative_to(repo.resolve()).as_posix()
    except ValueError:
        return False
    line = f"/{name} {UNION_ATTRIBUTE}"
    existing = attributes.read_text(encoding="utf-8") if attributes.exists() else ""
    if line in existing.splitlines():
        return False
    separator = "" if not existing or existing.endswith("\n") else "\n"
    attributes.write_text(f"{existing}{separator}{line}\n", encoding="utf-8")
    return True
