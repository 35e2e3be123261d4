"""`credlint rules import .gitleaks.toml`: a gitleaks configuration's custom rules as a credlint rule file.

Each `[[rules]]` table keeps its regex, keywords, entropy, secret group, path regex and allowlists
(`regexes` on the secret, match or line; `stopwords`). credlint rules prove themselves with examples,
which gitleaks rules do not carry: an example is drawn from the regex itself (a random string it
matches, checked through credlint's whole pipeline). A rule whose regex cannot be sampled is left out and
named, so that someone writes its example by hand.
"""

from __future__ import annotations

import random
import re
import string
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from credlint.errors import RuleFileError

if sys.version_info >= (3, 11):
    import re._parser as sre_parse

    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import sre_parse

    import tomli as tomllib

ALLOW_TARGETS = {"secret": "secret", "match": "match", "line": "line"}
SAMPLES = 40  # tries per rule: lookarounds and anchors the sampler ignores can make a draw fail
MAX_REPEAT = 3  # beyond a repeat's minimum, at most this many more
PRINTABLE = string.ascii_letters + string.digits + "-_./+="
CLASS_POOL = PRINTABLE + " :\"'"  # what a character class may be drawn from (a space for \s, quotes, a colon)


@dataclass(frozen=True, slots=True)
class Imported:
    text: str  # the credlint rule file
    rule_ids: tuple[str, ...]
    left_out: tuple[tuple[str, str], ...]  # (gitleaks id, why)


def read_gitleaks(path: Path) -> list[dict[str, Any]]:
    from credlint.detectors.rulebook import RULE_FILE_LIMIT
    from credlint.files import read_bounded

    try:
        data = tomllib.loads(read_bounded(path, RULE_FILE_LIMIT, "gitleaks configuration").decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RuleFileError(f"{path}: cannot read gitleaks configuration: {exc}") from exc
    rules = data.get("rules")
    if not isinstance(rules, list) or not all(isinstance(r, dict) for r in rules):
        raise RuleFileError(f"{path}: no [[rules]] tables (a gitleaks configuration has them)")
    return rules


def rule_id(raw: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", raw.lower()).strip("-") or "imported-rule"


def python_regex(go: str) -> str:
    """RE2 and Python agree on what gitleaks rules use; `\\z` (end of text) is Python's `\\Z`."""
    return go.replace(r"\z", r"\Z")


def allowlists(table: dict[str, Any]) -> dict[str, list[str]]:
    """gitleaks' `[[rules.allowlists]]` (or the older `[rules.allowlist]`) as credlint's `[rules.allow]`."""
    given = table.get("allowlists") or ([table["allowlist"]] if isinstance(table.get("allowlist"), dict) else [])
    allow: dict[str, list[str]] = {}
    for entry in given:
        target = ALLOW_TARGETS.get(str(entry.get("regexTarget", "secret")), "secret")
        allow.setdefault(target, []).extend(python_regex(r) for r in entry.get("regexes", []))
        words = [re.escape(w) for w in entry.get("stopwords", [])]
        if words:
            allow.setdefault("secret", []).append("(?i)(?:" + "|".join(words) + ")")
    return allow


class Sampler:
    """A random string a regex matches, from the regex's parse tree: literals, classes, repeats (a few
    past their minimum), alternatives, groups. Anchors and lookarounds are ignored; a draw that then fails
    to match is simply thrown away."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def sample(self, pattern: str) -> str | None:
        try:
            return "".join(self.emit(sre_parse.parse(pattern)))
        except (re.error, ValueError, IndexError, OverflowError, RecursionError):
            return None

    def emit(self, tree: Any) -> list[str]:
        out: list[str] = []
        for op, value in tree:
            out.extend(self.one(op, value))
        return out

    def one(self, op: Any, value: Any) -> list[str]:
        if op is sre_parse.LITERAL:
            return [chr(value)]
        if op is sre_parse.NOT_LITERAL:
            return [self.rng.choice([c for c in PRINTABLE if ord(c) != value])]
        if op is sre_parse.ANY:
            return [self.rng.choice(PRINTABLE)]
        if op is sre_parse.IN:
            return [self.rng.choice(self.members(value))]
        if op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT):
            low, high, item = value
            extra = MAX_REPEAT if high == sre_parse.MAXREPEAT else min(MAX_REPEAT, high - low)
            return [c for _ in range(low + self.rng.randint(0, extra)) for c in self.emit(item)]
        if op is sre_parse.SUBPATTERN:
            return self.emit(value[-1])
        if op is sre_parse.BRANCH:
            return self.emit(self.rng.choice(value[1]))
        if op is sre_parse.GROUPREF:
            raise ValueError("back-references are not sampled")
        return []  # AT (anchors), ASSERT, ASSERT_NOT: nothing to emit

    def members(self, items: Any) -> list[str]:
        negate = any(op is sre_parse.NEGATE for op, _ in items)
        chosen = [c for c in CLASS_POOL if any(self.matches(op, value, c) for op, value in items)]
        pool = [c for c in PRINTABLE if c not in chosen] if negate else chosen
        if not pool:
            raise ValueError("empty character class")
        return pool

    @staticmethod
    def matches(op: Any, value: Any, char: str) -> bool:
        if op is sre_parse.LITERAL:
            return bool(ord(char) == value)
        if op is sre_parse.RANGE:
            return bool(value[0] <= ord(char) <= value[1])
        if op is sre_parse.CATEGORY:
            name = str(value)
            return {"CATEGORY_DIGIT": char.isdigit(), "CATEGORY_WORD": char.isalnum() or char == "_",
                    "CATEGORY_SPACE": char.isspace()}.get(name.rsplit(".", 1)[-1], False)
        return False


def literal_keyword(pattern: str) -> str:
    """The longest run of letters and digits written literally in the regex: what the engine searches
    for when gitleaks gave no keywords."""
    runs = re.findall(r"(?<![\\\[{])[A-Za-z0-9_-]{3,}", pattern)
    return max(runs, key=len).lower() if runs else ""


def credlint_table(raw: dict[str, Any]) -> dict[str, Any]:
    gid = str(raw.get("id", "imported-rule"))
    pattern = python_regex(str(raw.get("regex", "")))
    groups = re.compile(pattern).groups
    keywords = [str(k).lower() for k in raw.get("keywords", [])] or [literal_keyword(pattern)]
    table: dict[str, Any] = {
        "id": rule_id(gid), "title": str(raw.get("description") or gid)[:120],
        "description": f"Imported from gitleaks rule {gid}: {raw.get('description') or gid}",
        "kind": "token", "severity": "high", "confidence": "medium", "keywords": [k for k in keywords if k],
        "regex": pattern, "secret_group": int(raw.get("secretGroup", 1 if groups else 0)),
        "remediation": "Revoke the secret at its issuer and read it at run time from the environment or a "
                       "secret manager.",
        "references": [], "tags": ["imported", "gitleaks", *[str(t) for t in raw.get("tags", [])]],
        "examples": [], "negative_examples": [],
    }
    if "entropy" in raw:
        table["min_entropy"] = float(raw["entropy"])
    if raw.get("path"):
        table["paths"] = [python_regex(str(raw["path"]))]
    if allowlists(raw):
        table["allow"] = allowlists(raw)
    return table


def with_example(table: dict[str, Any], where: Path, seed: int) -> dict[str, Any] | None:
    """The table with the first sampled example the whole pipeline reports, or None."""
    from credlint.checks import example_failures
    from credlint.detectors.rulebook import Rulebook, parse_rule

    sampler = Sampler(random.Random(seed))
    for _ in range(SAMPLES):
        drawn = sampler.sample(str(table["regex"]))
        place = example_path(table, sampler)
        if not drawn or place is None:
            continue
        candidate = {**table, "examples": [drawn], **({"example_path": place} if place else {})}
        try:
            rule = parse_rule(candidate, where)
        except RuleFileError:
            return None
        if not example_failures(rule, Rulebook((rule,))):
            return candidate
    return None


def example_path(table: dict[str, Any], sampler: Sampler) -> str | None:
    """A file name the rule's path regex accepts ("" when the rule has none), drawn like the example."""
    if not table.get("paths"):
        return ""
    drawn = sampler.sample(table["paths"][0])
    return drawn if drawn and re.search(table["paths"][0], drawn) else None


def import_gitleaks(path: Path) -> Imported:
    tables, left_out = [], []
    for index, raw in enumerate(read_gitleaks(path)):
        gid = str(raw.get("id", f"rule {index + 1}"))
        if not raw.get("regex"):
            left_out.append((gid, "no regex (a path-only rule has no value to report)"))
            continue
        try:
            table = credlint_table(raw)
        except (re.error, ValueError, TypeError) as exc:
            left_out.append((gid, f"regex does not compile in Python: {exc}"))
            continue
        proven = with_example(table, path, index)
        if proven is None:
            left_out.append((gid, "no example could be drawn from its regex: add one by hand"))
        else:
            tables.append(proven)
    header = f"# Imported from {path.name} by `credlint rules import`; examples drawn from each regex.\n"
    text = header + "".join("\n" + render_table(t) for t in tables)
    return Imported(text, tuple(t["id"] for t in tables), tuple(left_out))


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json_string(str(value))


def json_string(text: str) -> str:
    """A TOML basic string: JSON's escapes are all valid TOML escapes."""
    import json

    return json.dumps(text, ensure_ascii=True)


def render_table(table: dict[str, Any]) -> str:
    lines = ["[[rules]]"]
    lines += [f"{key} = {toml_value(value)}" for key, value in table.items() if key != "allow"]
    if "allow" in table:
        lines += ["", "[rules.allow]"] + [f"{key} = {toml_value(value)}" for key, value in table["allow"].items()]
    return "\n".join(lines) + "\n"
