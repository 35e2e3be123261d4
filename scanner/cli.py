"""click commands: parse flags, build Config, call scan, choose the exit code. Only this module prints."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from scanner import __version__
from scanner.config import Config, find_config_file, load_config
from scanner.errors import ConfigError, CredlintError
from scanner.model import ScanResult, Severity
from scanner.reporters import RenderOptions
from scanner.rulebook import Rulebook, load_rulebook
from scanner.sources.tree import Workspace, locate

FORMATS = ("text", "json", "sarif")
SEVERITIES = [s.label for s in Severity]


def renderer(name: str) -> Callable[[ScanResult, RenderOptions], str]:
    # Imported on demand: a pre-commit run that prints text never pays for the others.
    if name == "json":
        from scanner.reporters.json import render
    elif name == "sarif":
        from scanner.reporters.sarif import render
    else:
        from scanner.reporters.text import render
    return render


def write_atomically(path: Path, text: str) -> None:
    """A CI step that reads the report never sees half a file."""
    folder = path.resolve().parent
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def resolve_config(config_file: Path | None, workspace: Workspace) -> Config:
    if config_file is not None:
        if not config_file.is_file():
            raise ConfigError(f"{config_file}: configuration file not found")
        return load_config(config_file)
    return load_config(find_config_file(workspace.root))


def build_rulebook(config: Config) -> Rulebook:
    rulebook = load_rulebook()
    if config.rules:
        from scanner.checks import verify_rule_files

        rulebook = Rulebook(rulebook.rules + verify_rule_files(config.rules))
    known = {r.id for r in rulebook.rules}
    for rule_id in config.enable + config.disable:
        if rule_id not in known:
            raise ConfigError(f"{config.source or 'flags'}: unknown rule id {rule_id!r} in enable/disable "
                              f"(see `credlint rules`)")
    return rulebook.select(config.enable, config.disable)


class Progress:
    """A single self-rewriting line on a terminal's stderr; silent when stderr is not a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, done: int, total: int) -> None:
        if self.enabled:
            click.echo(f"\rscanning: {done}/{total} files", nl=False, err=True)

    def close(self) -> None:
        if self.enabled:
            click.echo("\r\033[K", nl=False, err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="credlint")
@click.option("--debug", is_flag=True, help="Show tracebacks for internal errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Find hardcoded tokens, passwords and basic-auth call sites."""
    ctx.obj = {"debug": debug}


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write the report here (atomically).")
@click.option("--min-score", type=click.IntRange(0, 100), help="Report findings scoring at least this.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), help="Exit 1 on findings at or above this severity.")
@click.option("--exclude", multiple=True, help="Glob of paths to skip (repeatable).")
@click.option("--rules", "rule_files", multiple=True, type=click.Path(path_type=Path), help="Extra rule file.")
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="Configuration file.")
@click.option("--show-secrets", is_flag=True, help="Print secret values (local triage only).")
@click.option("--explain", is_flag=True, help="List dropped candidates with the reason they were dropped.")
@click.option("--show-suppressed", is_flag=True, help="Also list findings silenced by `credlint: allow`.")
@click.option("--quiet", "-q", is_flag=True, help="No progress line.")
def scan(paths: tuple[Path, ...], output_format: str, output: Path | None, min_score: int | None,
         fail_on: str | None, exclude: tuple[str, ...], rule_files: tuple[Path, ...], config_file: Path | None,
         show_secrets: bool, explain: bool, show_suppressed: bool, quiet: bool) -> None:
    """Scan PATHS (default: the current folder) for hardcoded secrets."""
    from scanner.scan import scan_paths

    paths = paths or (Path("."),)
    workspace = locate(paths)
    config = resolve_config(config_file, workspace).with_flags(
        min_score=min_score, fail_on=Severity.parse(fail_on) if fail_on else None, exclude=exclude,
        rules=rule_files, explain=explain or None)
    rulebook = build_rulebook(config)
    progress = Progress(not quiet and sys.stderr.isatty())
    result = scan_paths(paths, rulebook, config, progress, workspace)
    progress.close()
    options = RenderOptions(show_secrets=show_secrets, tool_version=__version__, rules=rulebook.rules,
                            show_suppressed=show_suppressed,
                            color=output is None and output_format == "text" and use_color())
    emit(result, options, output_format, output, explain)
    sys.exit(1 if any(f.severity >= config.fail_on for f in result.findings) else 0)


def emit(result: ScanResult, options: RenderOptions, output_format: str, output: Path | None,
         explain: bool) -> None:
    report = renderer(output_format)(result, options)
    if output is not None:
        write_atomically(output, report)
    else:
        click.echo(report, nl=False)
    if explain:
        for d in sorted(result.dropped, key=lambda d: (d.path, d.line, d.rule_id)):
            click.echo(f"dropped {d.path}:{d.line} {d.rule_id} {d.reason}", err=output_format != "text")


def use_color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


@cli.command(name="rules")
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="Configuration file.")
def list_rules(config_file: Path | None) -> None:
    """List the rules: id, severity, confidence, title."""
    config = resolve_config(config_file, locate([Path(".")]))
    for rule in build_rulebook(config).rules:
        click.echo(f"{rule.id:<40} {rule.severity.label:<8} {rule.confidence.label:<6} {rule.title}")


def main(argv: list[str] | None = None) -> Any:
    """Entry point: turns CredlintError and unexpected errors into one line and exit code 2."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        return cli.main(args=argv, prog_name="credlint", standalone_mode=True)
    except CredlintError as exc:
        click.echo(f"credlint: error: {exc}", err=True)
        sys.exit(2)
    except Exception as exc:  # the last line of defence: one line, never a traceback unless asked
        if debug:
            raise
        click.echo(f"credlint: internal error: {type(exc).__name__}: {exc} (rerun with --debug for the traceback)",
                   err=True)
        sys.exit(2)
