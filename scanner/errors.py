"""Errors the user can act on; the CLI turns each into one line and exit code 2."""

from __future__ import annotations


class CredlintError(Exception):
    """A problem the user can fix: the message says what, where and what to do."""


class RuleFileError(CredlintError):
    """A rule file is malformed: unknown key, bad regex, missing field, failing example."""


class ConfigError(CredlintError):
    """`[tool.credlint]`, `.credlint.toml` or a flag has an invalid key or value."""


class ScanIncompleteError(CredlintError):
    """The scan could not finish (path vanished, git failed): never reported as clean."""
