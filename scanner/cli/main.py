"""click entry point: parse flags, build Config, call scan, choose the exit code. Only the CLI modules print."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import click

from credlint import __version__
from credlint.cli.output import write_text
from credlint.cli.support import (
    FORMATS,
    SEVERITIES,
    Progress,
    one_line_summary,
    resolve_config,
    use_color,
)
from credlint.config import Config
from credlint.errors import ConfigError, CredlintError
from credlint.model import ScanResult, Severity
from credlint.reporters import RenderOptions, renderer
from credlint.sources.base import Source
from credlint.sources.tree import Workspace, locate
from credlint.text import terminal_safe

if TYPE_CHECKING:
    from collections.abc import Sequence

    from credlint.detectors.rulebook import Rule
    from credlint.sources.history.revisions import Revisions


class CredlintGroup(click.Group):
    """Turns a CredlintError into one line on stderr and exit code 2, wherever the command is invoked from.

    The maintenance commands (baseline, migrate, install-hook) and the organisation audit are imported
    only when one is asked for: every pre-commit run pays for what it imports.
    """

    LAZY: ClassVar[dict[str, tuple[str, str]]] = {
        "baseline": ("commands", "baseline"), "migrate": ("commands", "migrate"),
        "install-hook": ("commands", "install_hook"), "audit": ("org", "audit"),
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.LAZY])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.LAZY:
            import importlib

            module, attribute = self.LAZY[name]
            command: click.Command = getattr(importlib.import_module(f"credlint.cli.{module}"), attribute)
            return command
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CredlintError as exc:
            click.echo(f"credlint: error: {terminal_safe(str(exc))}", err=True)
            raise click.exceptions.Exit(2) from exc


@click.group(cls=CredlintGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
@click.option("--max-file-size", type=click.IntRange(1, 1 << 40),
              help="Skip (and count) files larger than this many bytes.")
@click.option("--file-timeout", type=click.FloatRange(0, 3600),
              help="Skip (and count as too-slow) a file that takes longer than this many seconds (default 5; 0: "
                   "no limit).")
@click.option("--rules", "rule_files", multiple=True, type=click.Path(path_type=Path), help="Extra rule file.")
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="Configuration file.")
@click.option("--show-secrets", is_flag=True, help="Print secret values (local triage only).")
@click.option("--explain", is_flag=True, help="List dropped candidates with the reason they were dropped.")
@click.option("--baseline", "baseline_file", type=click.Path(path_type=Path),
              help="Report only findings not accepted in this baseline file.")
@click.option("--show-suppressed", is_flag=True,
              help="Also list findings silenced by `credlint: allow` or accepted in the baseline.")
@click.option("--quiet", "-q", is_flag=True, help="No progress line.")
@click.option("--no-git-ignore", "include_ignored", is_flag=True,
              help="Also scan files .gitignore leaves out (counted as skipped otherwise).")
@click.option("--history", is_flag=True, help="Scan every commit reachable from any ref.")
@click.option("--branch", help="History of this ref only.")
@click.option("--since", "since_ref", help="Commits after REF up to HEAD (REF..HEAD).")
@click.option("--range", "commit_range", help="Commits in a range, e.g. origin/main..HEAD.")
@click.option("--staged", is_flag=True, help="What the commit adds: staged changes, and named files (pre-commit).")
@click.option("--whole-files", is_flag=True, help="With --staged: report findings anywhere in staged files, not only "
                                                 "on the lines the commit adds.")
@click.option("--pre-push", is_flag=True, help="The commits being pushed (PRE_COMMIT_FROM_REF..PRE_COMMIT_TO_REF).")
@click.option("--archive", "archives", multiple=True, type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Scan the members of a tar, zip, wheel or container image tarball (repeatable).")
def scan(paths: tuple[Path, ...], output_format: str, output: Path | None, min_score: int | None,
         fail_on: str | None, exclude: tuple[str, ...], max_file_size: int | None, file_timeout: float | None,
         rule_files: tuple[Path, ...],
         config_file: Path | None, show_secrets: bool, explain: bool, baseline_file: Path | None,
         show_suppressed: bool, quiet: bool, include_ignored: bool, **modes: Any) -> None:
    """Scan PATHS (default: the current folder; `-` reads standard input) for hardcoded secrets."""
    wanted = wanted_source(paths, **modes)
    targets = paths or (Path("."),)
    workspace = locate(targets)
    revisions = None
    if wanted.history is not None:
        if any(p.resolve() != workspace.root for p in paths):
            raise click.UsageError("history options scan the whole repository: give the repository itself (or "
                                   "no path), and --exclude GLOB to leave paths out")
        revisions = history_revisions(*wanted.history, repo=require_repository(workspace))
    config = scan_config(config_file, workspace, revisions).with_flags(
        min_score=min_score, fail_on=Severity.parse(fail_on) if fail_on else None, exclude=exclude,
        rules=rule_files, explain=explain or None, baseline=baseline_file, include_ignored=include_ignored or None,
        max_file_size=max_file_size, file_timeout=file_timeout)
    from credlint.checks import build_rulebook

    rulebook = build_rulebook(config)
    baseline = None
    if config.baseline:  # read before the scan: a bad file stops the run at once
        from credlint.triage.baseline import load_baseline

        baseline = load_baseline(config.baseline)
    progress = Progress(not quiet and sys.stderr.isatty())
    source = choose_source(wanted, targets, config, workspace, revisions)
    from credlint.pipeline import run_scan

    result = run_scan(source, rulebook, config, progress, baseline)
    progress.close()
    options = RenderOptions(show_secrets=show_secrets, tool_version=__version__, rules=rulebook.rules,
                            show_suppressed=show_suppressed,
                            color=output is None and output_format == "text" and use_color())
    emit(result, options, output_format, output, explain)
    sys.exit(1 if any(f.severity >= config.fail_on for f in result.findings) else 0)


@dataclass(frozen=True, slots=True)
class Wanted:
    """Which source the flags ask for."""

    paths: tuple[Path, ...]
    history: tuple[str, str] | None  # (option, value) of the history option given: a history source
    staged: bool
    whole_files: bool
    archives: tuple[Path, ...]


def wanted_source(paths: tuple[Path, ...], *, whole_files: bool, archives: tuple[Path, ...], staged: bool,
                  **history: Any) -> Wanted:
    chosen = history_option(**history)
    if whole_files and not staged:
        raise click.UsageError("--whole-files goes with --staged")
    if staged and chosen is not None:
        raise click.UsageError("--staged cannot be combined with history options")
    if archives and (staged or chosen is not None or paths):
        raise click.UsageError("--archive scans the archives named: no paths, staged or history options with it")
    return Wanted(paths, chosen, staged, whole_files, archives)


def history_option(history: bool, branch: str | None, since_ref: str | None, commit_range: str | None,
                   pre_push: bool) -> tuple[str, str] | None:
    """The one history option given, with its value; None for a working-tree or staged scan."""
    given = [(name, value if isinstance(value, str) else "")
             for name, value in (("--history", history), ("--branch", branch), ("--since", since_ref),
                                 ("--range", commit_range), ("--pre-push", pre_push)) if value]
    if len(given) > 1:
        raise click.UsageError(f"choose one of {', '.join(n for n, _ in given)}: each picks which commits to scan")
    if commit_range and ".." not in commit_range:
        raise click.UsageError(f"--range {commit_range!r} is not a range: give BASE..HEAD (or use --since REF "
                               "for REF..HEAD, --branch REF for the whole history of REF)")
    return given[0] if given else None


def history_revisions(option: str, value: str, repo: Path) -> Revisions:
    """The commits the option names, every ref verified (sources/history/revisions.py)."""
    from credlint.sources.history import revisions

    if option == "--range":
        return revisions.commit_range(repo, value)
    if option == "--since":
        return revisions.commit_range(repo, f"{value}..HEAD", "--since")
    if option == "--branch":
        return revisions.one_ref(repo, value)
    if option == "--pre-push":
        return revisions.pre_push(repo)
    return revisions.all_refs()


STDIN = Path("-")


def require_repository(workspace: Workspace) -> Path:
    """The repository a history scan reads: the work tree's top level, or a bare repository (a mirror)."""
    if workspace.in_git:
        return workspace.root
    from credlint.sources.git import run_git

    bare = run_git(workspace.root, ["rev-parse", "--is-bare-repository"], check=False, timeout=30)
    if bare.returncode == 0 and bare.stdout.strip() == b"true":
        return workspace.root
    raise ConfigError(f"{workspace.root}: not a git repository (history scans need one)")


def scan_config(config_file: Path | None, workspace: Workspace, revisions: Revisions | None) -> Config:
    """The configuration file given, else the one found: in the working tree, or for a range under review
    at its base commit (a pull request cannot rewrite the rules it is judged by)."""
    if config_file is not None or revisions is None or not revisions.reviewed:
        return resolve_config(config_file, workspace)
    import tempfile

    from credlint.sources.history.base_config import base_config

    folder = click.get_current_context().with_resource(tempfile.TemporaryDirectory(prefix="credlint-base-"))
    config = base_config(workspace.root, revisions.base, Path(folder))
    click.echo(f"credlint: configuration: {config.label} (the base of the range; --config FILE to choose)",
               err=True)
    return config


def choose_source(wanted: Wanted, targets: tuple[Path, ...], config: Config, workspace: Workspace,
                  revisions: Revisions | None) -> Source:
    """The source the flags name; each is imported only when chosen (history brings GitPython)."""
    paths = wanted.paths
    if paths == (STDIN,):
        if revisions is not None or wanted.staged:
            raise click.UsageError("`-` (standard input) scans the text piped in: no history or staged options")
        from credlint.sources.stream import StreamSource

        return StreamSource(sys.stdin.buffer)
    if STDIN in paths:
        raise click.UsageError("`-` (standard input) cannot be combined with other paths")
    if wanted.archives:
        from credlint.sources.archive import ArchiveSource

        return ArchiveSource(wanted.archives, Path.cwd())
    if revisions is not None:
        from credlint.sources.history.source import HistorySource

        return HistorySource(targets[0], revisions, config.rotate_after_days)
    if wanted.staged:
        from credlint.sources.staged import StagedSource

        if not workspace.in_git:
            raise ConfigError(f"{workspace.root}: not a git repository (--staged needs one)")
        return StagedSource(workspace, [os.path.relpath(p.resolve(), workspace.root) for p in paths],
                            wanted.whole_files)
    from credlint.sources.tree import TreeSource

    return TreeSource(targets, workspace, config.include_ignored)


def emit(result: ScanResult, options: RenderOptions, output_format: str, output: Path | None,
         explain: bool) -> None:
    report = renderer(output_format)(result, options)
    if output is not None:
        write_text(output, report)
        # A CI step that fails on findings must say why, although the report went to a file.
        click.echo(f"credlint: {one_line_summary(result)} written to {terminal_safe(str(output))}", err=True)
    else:
        click.echo(report, nl=False)
    if explain:
        for d in sorted(result.dropped, key=lambda d: (d.path, d.line, d.rule_id)):
            click.echo(terminal_safe(f"dropped {d.path}:{d.line} {d.rule_id} {d.reason}"), err=output_format != "text")


@cli.group(name="rules", invoke_without_command=True)
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="Configuration file.")
@click.option("--families", is_flag=True, help="List the provider families: each with its rules, then the count.")
@click.pass_context
def list_rules(ctx: click.Context, config_file: Path | None, families: bool) -> None:
    """List the rules: id, severity, confidence, title (`rules import` converts a gitleaks configuration)."""
    if ctx.invoked_subcommand is not None:
        return
    config = resolve_config(config_file, locate([Path(".")]))
    from credlint.checks import build_rulebook

    rules = build_rulebook(config).rules
    if families:
        echo_families(rules)
        return
    for rule in rules:
        click.echo(f"{rule.id:<40} {rule.severity.label:<8} {rule.confidence.label:<6} {rule.title}")


def echo_families(rules: Sequence[Rule]) -> None:
    by_family: dict[str, list[str]] = {}
    for rule in rules:
        if rule.family:
            by_family.setdefault(rule.family, []).append(rule.id)
    for family in sorted(by_family):
        click.echo(f"{family:<24} {' '.join(by_family[family])}")
    provider_rules = sum(len(ids) for ids in by_family.values())
    click.echo(f"{len(by_family)} provider families, {provider_rules} provider-specific rules of {len(rules)}")


@list_rules.command(name="import")
@click.argument("gitleaks_config", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True,
              help="The credlint rule file to write (then: rules = [\"FILE\"] in [tool.credlint], or --rules FILE).")
def import_rules(gitleaks_config: Path, output: Path) -> None:
    """Convert a gitleaks configuration's [[rules]] into a credlint rule file."""
    from credlint.gitleaks_import import import_gitleaks

    imported = import_gitleaks(gitleaks_config)
    write_text(output, imported.text)
    click.echo(f"wrote {output}: {len(imported.rule_ids)} rule(s)")
    for gid, why in imported.left_out:
        click.echo(f"left out {gid}: {why}", err=True)
    if imported.left_out:
        sys.exit(1)


class Terminated(BaseException):
    """SIGTERM: unwind (git processes are stopped, temporary files removed) and exit 143, as shells report it."""


INTERRUPTED, TERMINATED = 130, 143  # 128 + SIGINT, 128 + SIGTERM: what pre-commit and CI runners expect


def on_sigterm(signum: int, frame: object) -> None:
    raise Terminated


def main(argv: list[str] | None = None) -> Any:
    """Entry point: exit 0 clean, 1 findings, 2 usage or internal error (one line; a traceback only with
    --debug), 130 on Ctrl-C and 143 on SIGTERM, never the findings code for an interrupted run."""
    import signal

    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        code = cli.main(args=argv, prog_name="credlint", standalone_mode=False)
    except click.ClickException as exc:  # usage errors: exit 2, with click's own message
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort as exc:
        interrupted = isinstance(exc.__cause__, KeyboardInterrupt)
        click.echo("credlint: interrupted" if interrupted else "credlint: aborted", err=True)
        sys.exit(INTERRUPTED if interrupted else 1)
    except KeyboardInterrupt:
        click.echo("credlint: interrupted", err=True)
        sys.exit(INTERRUPTED)
    except Terminated:
        click.echo("credlint: terminated", err=True)
        sys.exit(TERMINATED)
    except Exception as exc:  # the last line of defence: one line, never a traceback unless asked
        if debug:
            raise
        click.echo(f"credlint: internal error: {type(exc).__name__}: {terminal_safe(str(exc))} (rerun with --debug "
                   "for the traceback)", err=True)
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)
