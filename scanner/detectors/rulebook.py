"""rules/*.toml -> Rulebook; rejects unknown keys, bad regexes, missing fields and rules without examples."""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from credlint.detectors.validators import VALIDATORS
from credlint.errors import RuleFileError
from credlint.model import Confidence, Severity

REQUIRED_KEYS = frozenset(
    {"id", "title", "description", "kind", "severity", "confidence", "keywords", "regex",
     "remediation", "references", "examples", "negative_examples"}
)
OPTIONAL_KEYS = frozenset({"secret_group", "min_entropy", "validator", "paths", "allow", "tags", "example_path"})
# kind = "detect-secrets" runs a named detect-secrets plugin instead of a regex (scanner/detectors/plugins.py).
PLUGIN_KIND = "detect-secrets"
PLUGIN_REQUIRED = (REQUIRED_KEYS - {"regex", "keywords"}) | {"plugin"}
PLUGIN_OPTIONAL = (OPTIONAL_KEYS - {"secret_group", "validator"}) | {"keywords"}
# `analyzer = "python-auth"` replaces regex and keywords with a parser (scanner/detectors/python_auth.py).
ANALYZERS = frozenset({"python-auth", "secret-reuse"})
CROSS_FILE_ANALYZERS = frozenset({"secret-reuse"})  # findings span files: examples cannot be one text
ANALYZER_REQUIRED = (REQUIRED_KEYS - {"regex", "keywords"}) | {"analyzer"}
ALLOW_KEYS = frozenset({"secret", "match", "line"})
KINDS = frozenset({"token", "key", "password", "connection-string", "basic-auth", PLUGIN_KIND})
RULE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


FAMILY_KINDS = frozenset({"token", "key", "connection-string"})
# First tags that say what a rule looks at rather than whose credential it is.
NOT_A_PROVIDER = frozenset({"generic", "http", "hygiene", "jwt", "pem", "database", "advisory", "shell", "python",
                            "netrc", "mail"})


@dataclass(frozen=True, slots=True)
class RuleAllow:
    """Regexes on the secret, the whole match or the line; any hit drops the candidate. Kept as text and
    compiled on first use (plain_compiled), as a rule's regex is: most are never needed in a scan."""

    secret: tuple[str, ...] = ()
    match: tuple[str, ...] = ()
    line: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    title: str
    description: str
    kind: str
    severity: Severity
    confidence: Confidence
    keywords: tuple[str, ...]
    pattern: str  # compiled on first use: most rules never meet one of their keywords in a given tree
    remediation: str
    references: tuple[str, ...]
    examples: tuple[str, ...]
    negative_examples: tuple[str, ...]
    source: str
    secret_group: int = 1
    min_entropy: float = 0.0
    validator: str = ""
    paths: tuple[str, ...] = ()  # regexes on the path, compiled on first use
    allow: RuleAllow = field(default_factory=RuleAllow)
    tags: tuple[str, ...] = ()
    plugin: str = ""  # a detect-secrets plugin class name, for kind = "detect-secrets"
    analyzer: str = ""  # a built-in parser that finds this rule's candidates instead of a regex
    example_path: str = "snippet.txt"  # the path examples are scanned under (for rules limited by `paths`)

    @property
    def family(self) -> str:
        """The provider whose credential format this rule knows ('' for rules that know a shape, not a provider:
        passwords, call sites, generic keys, PEM, JWT). The first tag names it."""
        if self.kind not in FAMILY_KINDS or not self.tags or self.tags[0] in NOT_A_PROVIDER:
            return ""
        return self.tags[0]

    @property
    def detector(self) -> str:
        """Which detector finds this rule's candidates (detectors/engine.py, DETECTORS)."""
        return PLUGIN_KIND if self.plugin else self.analyzer or "regex"

    @property
    def regex(self) -> re.Pattern[str]:
        return compiled(self.pattern)

    def applies_to(self, path: str) -> bool:
        return not self.paths or any(plain_compiled(p).search(path) for p in self.paths)


@dataclass(frozen=True, slots=True)
class Rulebook:
    rules: tuple[Rule, ...]

    def by_id(self) -> dict[str, Rule]:
        return {rule.id: rule for rule in self.rules}

    def select(self, enable: Sequence[str], disable: Sequence[str]) -> Rulebook:
        """Keep only `enable` (when given) minus `disable`; unknown ids are a config error upstream."""
        wanted = set(enable) if enable else {r.id for r in self.rules}
        return Rulebook(tuple(r for r in self.rules if r.id in wanted and r.id not in set(disable)))


def builtin_rules_dir() -> Path:
    """rules/ ships inside the wheel as credlint/rules; a source checkout keeps it at the top level."""
    package_dir = Path(__file__).resolve().parent.parent  # credlint/, this file being credlint/detectors/
    for candidate in (package_dir / "rules", package_dir.parent / "rules"):
        if candidate.is_dir() and any(candidate.glob("*.toml")):
            return candidate
    raise RuleFileError(f"no built-in rules found next to {package_dir}; reinstall credlint")


def load_rulebook(extra_files: Iterable[Path] = (), *, builtin: bool = True) -> Rulebook:
    """Built-in rules are trusted to compile (the test suite compiles and runs every one); extra files are
    checked completely before use."""
    from credlint.detectors.rulecache import load_tables

    builtins = sorted(builtin_rules_dir().glob("*.toml")) if builtin else []
    parsed = [(p, False, data) for p, data in zip(builtins, load_tables(builtins, read_rule_file), strict=True)]
    parsed += [(Path(f), True, read_rule_file(Path(f))) for f in extra_files]
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for path, strict, data in parsed:
        for rule in rule_tables(path, data, strict=strict):
            if rule.id in seen:
                raise RuleFileError(f"{path} [{rule.id}]: duplicate rule id, first defined in {seen[rule.id]}")
            seen[rule.id] = str(path)
            rules.append(rule)
    return Rulebook(tuple(rules))


RULE_FILE_LIMIT = 8 << 20  # the built-in rules are 200 KiB; gitleaks' whole configuration is 100 KiB


def load_rule_file(path: Path, *, strict: bool = True) -> list[Rule]:
    return rule_tables(path, read_rule_file(path), strict=strict)


def read_rule_file(path: Path) -> dict[str, Any]:
    # Imported here: the built-in rules come from the marshal cache, so most runs never parse TOML.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    from credlint.files import read_bounded

    try:
        data: dict[str, Any] = tomllib.loads(read_bounded(path, RULE_FILE_LIMIT, "rule file").decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise RuleFileError(f"{path}: cannot read rule file: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise RuleFileError(f"{path}: invalid TOML: {exc}") from exc
    return data


def rule_tables(path: Path, data: dict[str, Any], *, strict: bool) -> list[Rule]:
    if set(data) - {"rules"}:
        raise RuleFileError(f"{path}: unknown top-level key(s) {sorted(set(data) - {'rules'})}; only [[rules]]")
    tables = data.get("rules")
    if not isinstance(tables, list) or not tables:
        raise RuleFileError(f"{path}: no [[rules]] tables")
    return [parse_rule(table, path, strict=strict) for table in tables]


def parse_rule(table: dict[str, Any], path: Path, *, strict: bool = True) -> Rule:
    where = f"{path} [{table.get('id', '?')}]"
    if table.get("kind") == PLUGIN_KIND:
        return parse_plugin_rule(table, path, where)
    if "analyzer" in table:
        return parse_analyzer_rule(table, path, where)
    check_keys(table, where)
    pattern = table["regex"]
    if not isinstance(pattern, str):
        raise RuleFileError(f"{where}: regex must be a string")
    group = as_int(table.get("secret_group", 1), where, "secret_group")
    if strict:
        regex = compile_regex(pattern, where, "regex")
        if not 0 <= group <= regex.groups:
            raise RuleFileError(f"{where}: secret_group {group} but the regex has {regex.groups} group(s)")
    validator = str(table.get("validator", ""))
    if validator and validator not in VALIDATORS:
        raise RuleFileError(f"{where}: unknown validator {validator!r}; known: {', '.join(sorted(VALIDATORS))}")
    return Rule(**common_fields(table, path, where, strict), kind=choice(table, "kind", KINDS, where),
                keywords=keywords(table, where), pattern=pattern, secret_group=group, validator=validator,
                examples=strings(table, "examples", where, nonempty=True))


def common_fields(table: dict[str, Any], path: Path, where: str, strict: bool = True) -> dict[str, Any]:
    """What every kind of rule has: identity, severity, remediation, proof, scope and allowlist. Strict: the
    path and allow regexes are checked to compile (the built-in rules, checked by the tests, are not)."""
    return {
        "id": rule_id(table, where), "title": text(table, "title", where),
        "description": text(table, "description", where), "severity": enum_value(Severity, table, "severity", where),
        "confidence": enum_value(Confidence, table, "confidence", where),
        "remediation": text(table, "remediation", where), "references": strings(table, "references", where),
        "negative_examples": strings(table, "negative_examples", where), "source": path.name,
        "min_entropy": float(table.get("min_entropy", 0.0)),
        "paths": checked_patterns(strings(table, "paths", where), where, "paths", strict),
        "allow": parse_allow(table.get("allow", {}), where, strict), "tags": strings(table, "tags", where),
        "example_path": str(table.get("example_path", "snippet.txt")),
    }


def parse_plugin_rule(table: dict[str, Any], path: Path, where: str) -> Rule:
    from credlint.detectors.plugin_catalog import plugin_names

    check_keys(table, where, PLUGIN_REQUIRED, PLUGIN_OPTIONAL)
    plugin = text(table, "plugin", where)
    if plugin not in plugin_names():
        raise RuleFileError(f"{where}: unknown detect-secrets plugin {plugin!r}; known: {', '.join(plugin_names())}")
    return Rule(**common_fields(table, path, where), kind=PLUGIN_KIND, pattern="", plugin=plugin,
                keywords=tuple(w.lower() for w in strings(table, "keywords", where)),
                examples=strings(table, "examples", where, nonempty=True))


def parse_analyzer_rule(table: dict[str, Any], path: Path, where: str) -> Rule:
    check_keys(table, where, ANALYZER_REQUIRED, OPTIONAL_KEYS - {"secret_group", "validator"})
    analyzer = choice(table, "analyzer", ANALYZERS, where)
    per_text = analyzer not in CROSS_FILE_ANALYZERS
    return Rule(**common_fields(table, path, where), kind=choice(table, "kind", KINDS, where), keywords=(),
                pattern="", analyzer=analyzer, examples=strings(table, "examples", where, nonempty=per_text))


def check_keys(table: dict[str, Any], where: str, required: frozenset[str] = REQUIRED_KEYS,
               optional: frozenset[str] = OPTIONAL_KEYS) -> None:
    known = required | optional
    for key in sorted(set(table) - known):
        import difflib  # only when there is a typo to explain

        close = difflib.get_close_matches(key, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise RuleFileError(f"{where}: unknown key {key!r}{hint}")
    missing = sorted(required - set(table))
    if missing:
        raise RuleFileError(f"{where}: missing required key(s) {', '.join(missing)}")


def rule_id(table: dict[str, Any], where: str) -> str:
    value = text(table, "id", where)
    if not RULE_ID.match(value):
        raise RuleFileError(f"{where}: id must be kebab-case (a-z, 0-9, '-')")
    return value


def text(table: dict[str, Any], key: str, where: str) -> str:
    value = table[key]
    if not isinstance(value, str) or not value.strip():
        raise RuleFileError(f"{where}: {key} must be a non-empty string")
    return value.strip()


def strings(table: dict[str, Any], key: str, where: str, *, nonempty: bool = False) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RuleFileError(f"{where}: {key} must be a list of strings")
    if nonempty and not value:
        raise RuleFileError(f"{where}: {key} must not be empty: every rule proves itself with examples")
    return tuple(value)


def keywords(table: dict[str, Any], where: str) -> tuple[str, ...]:
    words = strings(table, "keywords", where, nonempty=True)
    for word in words:
        if word != word.lower() or not word:
            raise RuleFileError(f"{where}: keyword {word!r} must be a non-empty lower-case string")
    return words


def choice(table: dict[str, Any], key: str, allowed: frozenset[str], where: str) -> str:
    value = text(table, key, where)
    if value not in allowed:
        raise RuleFileError(f"{where}: {key} {value!r} is not one of {', '.join(sorted(allowed))}")
    return value


def enum_value(enum: type[Severity] | type[Confidence], table: dict[str, Any], key: str, where: str) -> Any:
    value = text(table, key, where)
    try:
        return enum.parse(value)
    except KeyError:
        names = ", ".join(m.name.lower() for m in enum)
        raise RuleFileError(f"{where}: {key} {value!r} is not one of {names}") from None


def as_int(value: Any, where: str, key: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise RuleFileError(f"{where}: {key} must be an integer")
    return value


@functools.lru_cache(maxsize=1024)
def compiled(pattern: str) -> re.Pattern[str]:
    """A rule's regex, with a lookahead for its first characters (detectors/first_chars.py: the same
    matches, found faster); compiled once per process."""
    from credlint.detectors.first_chars import with_first_chars

    return re.compile(with_first_chars(pattern))


@functools.lru_cache(maxsize=1024)
def plain_compiled(pattern: str) -> re.Pattern[str]:
    """A path or allow regex of a rule, compiled once per process, when first needed."""
    return re.compile(pattern)


def checked_patterns(patterns: tuple[str, ...], where: str, key: str, strict: bool) -> tuple[str, ...]:
    """The patterns; strict, each checked to compile (a rule file with a bad one is refused at load, named)."""
    for pattern in patterns if strict else ():
        compile_regex(pattern, where, key)
    return patterns


def compile_regex(pattern: Any, where: str, key: str) -> re.Pattern[str]:
    if not isinstance(pattern, str):
        raise RuleFileError(f"{where}: {key} must be a string")
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise RuleFileError(f"{where}: bad {key} regex: {exc}") from exc


def parse_allow(table: Any, where: str, strict: bool = True) -> RuleAllow:
    if not isinstance(table, dict):
        raise RuleFileError(f"{where}: allow must be a table with secret/match/line regex lists")
    for key in sorted(set(table) - ALLOW_KEYS):
        raise RuleFileError(f"{where}: unknown key 'allow.{key}'; use secret, match or line")
    return RuleAllow(**{key: checked_patterns(strings(table, key, where), where, f"allow.{key}", strict)
                        for key in ALLOW_KEYS})
