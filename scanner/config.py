"""[tool.credlint] + flags -> frozen Config; every configuration message is written here."""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from credlint.allowlist import Allowlist
from credlint.errors import ConfigError
from credlint.files import read_bounded
from credlint.model import Severity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

# Measured on ../shared/bench/dev (docs/scoring.md): 30 keeps every labelled secret, including
# low-confidence rules in test paths, and drops the weakest generic matches.
DEFAULT_MIN_SCORE = 40
DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024
# Seconds one file may take before it is skipped as too-slow: the largest file allowed (10 MiB of minified
# code) takes about half a second here, so this is ten times that, not a tuned figure.
DEFAULT_FILE_TIMEOUT = 5.0
CONFIG_FILES = (".credlint.toml", "pyproject.toml")
CONFIG_LIMIT = 4 << 20  # a pyproject.toml is a few KiB; anything near this is not a configuration
TOP_KEYS = frozenset({"exclude", "enable", "disable", "rules", "min_score", "fail_on", "max_file_size",
                      "allowlist", "rule_allowlist", "rotate_after_days", "baseline", "file_timeout"})
ALLOWLIST_KEYS = frozenset({"paths", "regexes", "stopwords"})


@dataclass(frozen=True, slots=True)
class Config:
    exclude: tuple[str, ...] = ()
    enable: tuple[str, ...] = ()
    disable: tuple[str, ...] = ()
    rules: tuple[Path, ...] = ()
    min_score: int = DEFAULT_MIN_SCORE
    fail_on: Severity = Severity.MEDIUM
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    file_timeout: float = DEFAULT_FILE_TIMEOUT  # 0: no budget
    allow_paths: tuple[str, ...] = ()
    allowlist: Allowlist = field(default_factory=Allowlist)
    rotate_after_days: int = 90
    explain: bool = False  # flag only: keep a record of every dropped candidate
    include_ignored: bool = False  # flag only (--no-git-ignore): scan what .gitignore leaves out
    baseline: Path | None = None
    source: str = ""  # the file the settings came from, for messages
    label: str = "built-in defaults"  # which configuration this is, for the report (no absolute paths)

    def with_flags(self, **flags: Any) -> Config:
        """Command-line flags win over the file; None means "not given"."""
        given = {k: v for k, v in flags.items() if v is not None and v != ()}
        if "exclude" in given:
            given["exclude"] = self.exclude + tuple(given["exclude"])
        if "rules" in given:
            given["rules"] = self.rules + tuple(Path(p) for p in given["rules"])
        if "baseline" in given:
            given["baseline"] = Path(given["baseline"])
        return replace(self, **given)


def find_config_file(start: Path) -> Path | None:
    """`.credlint.toml` wins over `pyproject.toml`; a pyproject without [tool.credlint] does not count."""
    folder = start if start.is_dir() else start.parent
    for name in CONFIG_FILES:
        candidate = folder / name
        if os.path.lexists(candidate) and (name != "pyproject.toml" or holds_config(name, read_text(candidate))):
            return candidate
    return None


def holds_config(name: str, text: str) -> bool:
    return name != "pyproject.toml" or "[tool.credlint" in text


def read_text(path: Path) -> str:
    """A configuration file's text: a regular file within CONFIG_LIMIT, never a device or a FIFO."""
    try:
        return read_bounded(path, CONFIG_LIMIT, "configuration file").decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc}") from exc


def load_config(path: Path | None) -> Config:
    if path is None:
        return Config()
    return load_config_text(read_text(path), path.name, str(path), path.parent)


def load_config_text(text: str, name: str, where: str, base: Path) -> Config:
    """Settings from the text of a file called `name` (pyproject.toml: its [tool.credlint]); relative paths
    in it are relative to `base`; `where` names it in messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: invalid TOML: {exc}") from exc
    if name == "pyproject.toml":
        tool = data.get("tool", {})
        if not isinstance(tool, dict):
            raise ConfigError(f"{where}: [tool] must be a table")
        return parse_config(tool.get("credlint", {}), where, base)
    return parse_config(data, where, base)


def parse_config(table: dict[str, Any], where: str, base: Path) -> Config:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [tool.credlint] must be a table")
    section = "[tool.credlint]" if where.endswith("pyproject.toml") else ""
    at = f"{where} {section}".strip()
    for key in sorted(set(table) - TOP_KEYS):
        import difflib  # only when there is a typo to explain

        close = difflib.get_close_matches(key, TOP_KEYS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ConfigError(f"{at}: unknown key {key!r}{hint}")
    allow = table.get("allowlist", {})
    return Config(
        exclude=string_list(table, "exclude", at), enable=string_list(table, "enable", at),
        disable=string_list(table, "disable", at),
        rules=tuple(base / p for p in string_list(table, "rules", at)),
        min_score=integer(table, "min_score", at, DEFAULT_MIN_SCORE, 0, 100),
        fail_on=severity(table.get("fail_on", "medium"), f"{at}: fail_on"),
        max_file_size=integer(table, "max_file_size", at, DEFAULT_MAX_FILE_SIZE, 1, 1 << 40),
        file_timeout=seconds(table, "file_timeout", at, DEFAULT_FILE_TIMEOUT),
        allow_paths=string_list(check_allowlist(allow, f"{at} allowlist"), "paths", f"{at} allowlist"),
        allowlist=parse_allowlist(allow, table.get("rule_allowlist", {}), at),
        rotate_after_days=integer(table, "rotate_after_days", at, 90, 1, 36500), source=where,
        baseline=base / string(table, "baseline", at) if "baseline" in table else None,
    )


def check_allowlist(table: Any, at: str) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise ConfigError(f"{at}: must be a table with paths, regexes and stopwords")
    for key in sorted(set(table) - ALLOWLIST_KEYS):
        raise ConfigError(f"{at}: unknown key {key!r}; use paths, regexes or stopwords")
    return table


def parse_allowlist(table: Any, per_rule: Any, at: str) -> Allowlist:
    if not isinstance(per_rule, dict):
        raise ConfigError(f"{at}: rule_allowlist must be a table of rule ids")
    scoped = {rule_id: value_allowlist(check_allowlist(t, f"{at} rule_allowlist.{rule_id}"), at)
              for rule_id, t in per_rule.items()}
    base = value_allowlist(check_allowlist(table, f"{at} allowlist"), at)
    return Allowlist(base.regexes, base.stopwords, scoped)


def value_allowlist(table: dict[str, Any], at: str) -> Allowlist:
    regexes = []
    for pattern in string_list(table, "regexes", at):
        try:
            regexes.append(re.compile(pattern))
        except re.error as exc:
            raise ConfigError(f"{at}: bad regex {pattern!r} in regexes: {exc}") from exc
    stopwords = tuple(w.lower() for w in string_list(table, "stopwords", at))
    return Allowlist(tuple(regexes), stopwords)


def string_list(table: dict[str, Any], key: str, at: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{at}: {key} must be a list of strings")
    return tuple(value)


def string(table: dict[str, Any], key: str, at: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{at}: {key} must be a non-empty string")
    return value


def integer(table: dict[str, Any], key: str, at: str, default: int, low: int, high: int) -> int:
    value = table.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ConfigError(f"{at}: {key} must be a whole number from {low} to {high}, not {value!r}")
    return value


def seconds(table: dict[str, Any], key: str, at: str, default: float) -> float:
    value = table.get(key, default)
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 3600:
        raise ConfigError(f"{at}: {key} must be a number of seconds from 0 (no limit) to 3600, not {value!r}")
    return float(value)


def severity(value: Any, at: str) -> Severity:
    try:
        return Severity.parse(str(value))
    except KeyError:
        raise ConfigError(f"{at} must be one of low, medium, high, critical, not {value!r}") from None
