"""Helpers the commands share: configuration and rulebook loading, report rendering and writing."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path

import click

from credlint.config import Config, find_config_file, load_config
from credlint.errors import ConfigError
from credlint.model import ScanResult, Severity
from credlint.reporters import REPORTERS
from credlint.sources.tree import Workspace

FORMATS = tuple(REPORTERS)
SEVERITIES = [s.label for s in Severity]


def one_line_summary(result: ScanResult) -> str:
    """`3 findings (high 2, medium 1)`, for stderr when the report itself went to a file."""
    counts: dict[str, int] = {}
    for finding in sorted(result.findings, key=lambda f: -f.severity):
        counts[finding.severity.label] = counts.get(finding.severity.label, 0) + 1
    total = len(result.findings)
    detail = f" ({', '.join(f'{label} {n}' for label, n in counts.items())})" if counts else ""
    scanned = "" if result.files_scanned or result.commits_scanned else ", nothing scanned"
    return f"{total} finding{'s' if total != 1 else ''}{detail}{scanned}"


def resolve_config(config_file: Path | None, workspace: Workspace) -> Config:
    """The file given, else the one at the workspace root; labelled for the report by its path relative to
    the root (JSON reports hold no absolute paths), or as given."""
    if config_file is not None and not os.path.lexists(config_file):
        raise ConfigError(f"{config_file}: configuration file not found")
    path = config_file if config_file is not None else find_config_file(workspace.root)
    config = load_config(path)
    if path is None:
        return config
    try:
        label = path.resolve().relative_to(workspace.root).as_posix() if config_file is None else str(path)
    except ValueError:
        label = str(path)
    return replace(config, label=label)


class Progress:
    """A single self-rewriting line on a terminal's stderr; silent when stderr is not a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, done: int, total: int) -> None:
        if self.enabled:
            what = f"{done}/{total} files" if total else f"{done} commits"
            click.echo(f"\rscanning: {what}", nl=False, err=True)

    def close(self) -> None:
        if self.enabled:
            click.echo("\r\033[K", nl=False, err=True)


def use_color() -> bool:
    """On a terminal, unless NO_COLOR is set to something (no-color.org: an empty value does not count)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")
