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
from scanner.baseline import DEFAULT_NAME, load_baseline
from scanner.config import Config, find_config_file, load_config
from scanner.errors import ConfigError, CredlintError
from scanner.model import Finding, ScanResult, Severity, Skip
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
        with os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape") as handle:
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
            what = f"{done}/{total} files" if total else f"{done} commits"
            click.echo(f"\rscanning: {what}", nl=False, err=True)

    def close(self) -> None:
        if self.enabled:
            click.echo("\r\033[K", nl=False, err=True)


class CredlintGroup(click.Group):
    """Turns a CredlintError into one line on stderr and exit code 2, wherever the command is invoked from."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CredlintError as exc:
            click.echo(f"credlint: error: {exc}", err=True)
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
@click.option("--rules", "rule_files", multiple=True, type=click.Path(path_type=Path), help="Extra rule file.")
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="Configuration file.")
@click.option("--show-secrets", is_flag=True, help="Print secret values (local triage only).")
@click.option("--explain", is_flag=True, help="List dropped candidates with the reason they were dropped.")
@click.option("--baseline", "baseline_file", type=click.Path(path_type=Path),
              help="Report only findings not accepted in this baseline file.")
@click.option("--show-suppressed", is_flag=True,
              help="Also list findings silenced by `credlint: allow` or accepted in the baseline.")
@click.option("--quiet", "-q", is_flag=True, help="No progress line.")
@click.option("--history", is_flag=True, help="Scan every commit reachable from any ref.")
@click.option("--branch", help="History of this ref only.")
@click.option("--since", "since_ref", help="Commits after REF up to HEAD (REF..HEAD).")
@click.option("--range", "commit_range", help="Commits in a range, e.g. origin/main..HEAD.")
@click.option("--staged", is_flag=True, help="What the index holds for changed files (pre-commit).")
@click.option("--pre-push", is_flag=True, help="The commits being pushed (PRE_COMMIT_FROM_REF..PRE_COMMIT_TO_REF).")
def scan(paths: tuple[Path, ...], output_format: str, output: Path | None, min_score: int | None,
         fail_on: str | None, exclude: tuple[str, ...], rule_files: tuple[Path, ...], config_file: Path | None,
         show_secrets: bool, explain: bool, baseline_file: Path | None, show_suppressed: bool, quiet: bool,
         **modes: Any) -> None:
    """Scan PATHS (default: the current folder) for hardcoded secrets."""
    revisions = history_revisions(**modes)
    staged = modes["staged"]
    if staged and revisions is not None:
        raise click.UsageError("--staged cannot be combined with history options")
    targets = paths or (Path("."),)
    workspace = locate(targets)
    config = resolve_config(config_file, workspace).with_flags(
        min_score=min_score, fail_on=Severity.parse(fail_on) if fail_on else None, exclude=exclude,
        rules=rule_files, explain=explain or None, baseline=baseline_file)
    rulebook = build_rulebook(config)
    baseline = load_baseline(config.baseline) if config.baseline else None  # a bad file stops before the scan
    progress = Progress(not quiet and sys.stderr.isatty())
    result = run_mode(targets, paths, revisions, staged, rulebook, config, progress, workspace)
    progress.close()
    if baseline is not None:
        from scanner.scan import apply_baseline

        apply_baseline(result, baseline)
    options = RenderOptions(show_secrets=show_secrets, tool_version=__version__, rules=rulebook.rules,
                            show_suppressed=show_suppressed,
                            color=output is None and output_format == "text" and use_color())
    emit(result, options, output_format, output, explain)
    sys.exit(1 if any(f.severity >= config.fail_on for f in result.findings) else 0)


def history_revisions(history: bool, branch: str | None, since_ref: str | None, commit_range: str | None,
                      pre_push: bool, staged: bool) -> list[str] | None:
    """git log revision arguments for the history options, or None for a working-tree or staged scan."""
    chosen = [name for name, value in (("--branch", branch), ("--since", since_ref), ("--range", commit_range),
                                       ("--pre-push", pre_push)) if value]
    if len(chosen) > 1:
        raise click.UsageError(f"choose one of {', '.join(chosen)}")
    if commit_range:
        return [commit_range]
    if since_ref:
        return [f"{since_ref}..HEAD"]
    if branch:
        return [branch]
    if pre_push:
        return pre_push_revisions()
    return ["--all"] if history else None


NULL_SHA = "0" * 40


def pre_push_revisions() -> list[str]:
    """pre-commit exports the refs being pushed; a new branch has no 'from', so scan what no remote has."""
    to_ref = os.environ.get("PRE_COMMIT_TO_REF", "")
    from_ref = os.environ.get("PRE_COMMIT_FROM_REF", "")
    if not to_ref:  # pre-commit leaves them unset when the push holds a root commit: scan all of HEAD
        return ["HEAD"]
    if not from_ref or from_ref == NULL_SHA:
        return [to_ref, "--not", "--remotes"]
    return [f"{from_ref}..{to_ref}"]


def run_mode(targets: tuple[Path, ...], paths: tuple[Path, ...], revisions: list[str] | None, staged: bool,
             rulebook: Rulebook, config: Config, progress: Progress, workspace: Workspace) -> ScanResult:
    if revisions is not None:
        from scanner.history_scan import scan_history

        return scan_history(targets[0], revisions, rulebook, config, progress)
    if staged:
        from scanner.scan import scan_staged

        if not workspace.in_git:
            raise ConfigError(f"{workspace.root}: not a git repository (--staged needs one)")
        return scan_staged(paths, rulebook, config, workspace)
    from scanner.scan import scan_paths

    return scan_paths(targets, rulebook, config, progress, workspace)


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


@cli.group()
def baseline() -> None:
    """Accept the findings of today so that only new ones are reported."""


def tree_findings(path: Path, config_file: Path | None) -> tuple[Workspace, list[Finding]]:
    """Everything a working-tree scan reports, suppressed inline or not (for baseline bookkeeping)."""
    from scanner.scan import scan_paths

    workspace = locate([path])
    config = resolve_config(config_file, workspace)
    result = scan_paths([path], build_rulebook(config), config, None, workspace)
    return workspace, result.findings


def baseline_path(workspace: Workspace, given: Path | None) -> Path:
    return given if given is not None else workspace.root / DEFAULT_NAME


@baseline.command(name="create")
@click.argument("path", default=".", type=click.Path(path_type=Path))
@click.option("--output", "-o", type=click.Path(path_type=Path), help=f"Default: {DEFAULT_NAME} at the root.")
@click.option("--config", "config_file", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace an existing baseline.")
def baseline_create(path: Path, output: Path | None, config_file: Path | None, force: bool) -> None:
    """Scan PATH and accept every current finding."""
    from scanner.baseline import ensure_union_merge, new_baseline, render_baseline

    workspace, findings = tree_findings(path, config_file)
    target = baseline_path(workspace, output)
    if target.exists() and not force:
        raise ConfigError(f"{target} already exists; use `credlint baseline update`, or --force to replace it")
    write_atomically(target, render_baseline(new_baseline(findings)))
    if workspace.in_git and ensure_union_merge(workspace.root, target):
        click.echo(f"added {target.name} merge=union to .gitattributes")
    click.echo(f"wrote {target}: {len(findings)} accepted finding(s)")


@baseline.command(name="update")
@click.argument("path", default=".", type=click.Path(path_type=Path))
@click.option("--baseline", "baseline_file", type=click.Path(path_type=Path))
@click.option("--config", "config_file", type=click.Path(path_type=Path))
@click.option("--add-new", is_flag=True, help="Also accept findings that are not in the baseline yet.")
def baseline_update(path: Path, baseline_file: Path | None, config_file: Path | None, add_new: bool) -> None:
    """Drop entries that no longer match; with --add-new, accept new findings too."""
    from scanner.baseline import render_baseline

    workspace, findings = tree_findings(path, config_file)
    target = baseline_path(workspace, baseline_file)
    current = load_baseline(target)
    updated = current.keeping(findings)
    if add_new:
        updated = updated.with_findings(findings)
    write_atomically(target, render_baseline(updated))
    added, dropped = len(updated.entries - current.entries), len(current.entries - updated.entries)
    click.echo(f"updated {target}: {len(updated.entries)} entries ({added} added, {dropped} dropped)")


@baseline.command(name="import")
@click.argument("secrets_baseline", type=click.Path(path_type=Path))
@click.argument("path", default=".", type=click.Path(path_type=Path))
@click.option("--output", "-o", type=click.Path(path_type=Path), help=f"Default: {DEFAULT_NAME} at the root.")
@click.option("--config", "config_file", type=click.Path(path_type=Path))
def baseline_import(secrets_baseline: Path, path: Path, output: Path | None, config_file: Path | None) -> None:
    """Convert a detect-secrets .secrets.baseline: what it accepted stays accepted."""
    from scanner.baseline import new_baseline, render_baseline
    from scanner.detect_secrets_bridge import import_detect_secrets

    workspace, findings = tree_findings(path, config_file)
    outcome = import_detect_secrets(secrets_baseline, findings)
    target = baseline_path(workspace, output)
    write_atomically(target, render_baseline(new_baseline(outcome.accepted)))
    click.echo(f"wrote {target}: {len(outcome.accepted)} accepted; {outcome.confirmed} audited as real secrets "
               f"stay reported; {outcome.unmatched} detect-secrets entries matched no credlint finding")


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--write", is_flag=True, help="Apply the changes instead of printing a diff.")
def migrate(paths: tuple[Path, ...], write: bool) -> None:
    """Rewrite literal passwords in Python files to read os.environ[...]; print the diff (or --write it)."""
    from scanner.migrate import migrate_source
    from scanner.sources.tree import iter_tree

    targets = paths or (Path("."),)
    workspace = locate(targets)
    variables: set[str] = set()
    for ref in iter_tree(targets, workspace, ()):
        if isinstance(ref, Skip) or not ref.rel_path.endswith(".py"):
            continue
        text = Path(ref.disk_path).read_text(encoding="utf-8", errors="surrogateescape")
        migration = migrate_source(ref.rel_path, text)
        if migration.note:
            click.echo(f"{ref.rel_path}: {migration.note}", err=True)
        if migration.rewritten == migration.original:
            continue
        variables.update(migration.variables)
        if write:
            write_atomically(Path(ref.disk_path), migration.rewritten)
            click.echo(f"rewrote {ref.rel_path}")
        else:
            click.echo(migration.diff(), nl=False)
    if variables:
        click.echo("\nSet these environment variables (from your secret store) before running the code:")
        click.echo("".join(f"  {name}\n" for name in sorted(variables)), nl=False)


HOOK_SCRIPT = """#!/bin/sh
# Installed by `credlint install-hook`: block commits that add hardcoded secrets.
# Skip once with `git commit --no-verify`; silence one line with a `credlint: allow` comment.
exec credlint scan --staged --quiet
"""


@cli.command(name="install-hook")
@click.option("--force", is_flag=True, help="Replace an existing pre-commit hook.")
def install_hook(force: bool) -> None:
    """Write a plain git pre-commit hook that runs `credlint scan --staged` (for repositories not using
    the pre-commit framework)."""
    from scanner.sources.gitcmd import hooks_dir

    workspace = locate([Path(".")])
    if not workspace.in_git:
        raise ConfigError(f"{workspace.root}: not a git repository")
    hook = hooks_dir(workspace.root) / "pre-commit"
    if hook.exists() and not force:
        raise ConfigError(f"{hook} already exists; rerun with --force to replace it")
    hook.parent.mkdir(parents=True, exist_ok=True)
    hook.write_text(HOOK_SCRIPT, encoding="utf-8")
    hook.chmod(0o755)
    click.echo(f"installed {hook}")


def main(argv: list[str] | None = None) -> Any:
    """Entry point: an unexpected error becomes one line and exit code 2 (a traceback only with --debug)."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        return cli.main(args=argv, prog_name="credlint", standalone_mode=True)
    except Exception as exc:  # the last line of defence: one line, never a traceback unless asked
        if debug:
            raise
        click.echo(f"credlint: internal error: {type(exc).__name__}: {exc} (rerun with --debug for the traceback)",
                   err=True)
        sys.exit(2)
