"""Commands around the scan: baselines, the migration rewrite, the plain git hook."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from credlint.checks import build_rulebook
from credlint.cli.output import write_text
from credlint.cli.support import resolve_config
from credlint.errors import ConfigError
from credlint.model import Finding, Skip
from credlint.sources.tree import Workspace, locate
from credlint.text import terminal_safe


@click.group()
def baseline() -> None:
    """Accept the findings of today so that only new ones are reported."""


def tree_findings(path: Path, config_file: Path | None) -> tuple[Workspace, list[Finding]]:
    """Everything a working-tree scan reports, suppressed inline or not (for baseline bookkeeping)."""
    from credlint.pipeline import run_scan
    from credlint.sources.tree import TreeSource

    workspace = locate([path])
    config = resolve_config(config_file, workspace)
    result = run_scan(TreeSource([path], workspace, config.include_ignored), build_rulebook(config), config)
    return workspace, list(result.findings)


def baseline_path(workspace: Workspace, given: Path | None) -> Path:
    from credlint.triage.baseline import DEFAULT_NAME

    return given if given is not None else workspace.root / DEFAULT_NAME


@baseline.command(name="create")
@click.argument("path", default=".", type=click.Path(path_type=Path))
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Default: .credlint-baseline.json at the root.")
@click.option("--config", "config_file", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace an existing baseline.")
def baseline_create(path: Path, output: Path | None, config_file: Path | None, force: bool) -> None:
    """Scan PATH and accept every current finding."""
    from credlint.triage.baseline import ensure_union_merge, new_baseline, render_baseline

    workspace, findings = tree_findings(path, config_file)
    target = baseline_path(workspace, output)
    if target.exists() and not force:
        raise ConfigError(f"{target} already exists; use `credlint baseline update`, or --force to replace it")
    write_text(target, render_baseline(new_baseline(findings)))
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
    from credlint.triage.baseline import load_baseline, render_baseline

    workspace, findings = tree_findings(path, config_file)
    target = baseline_path(workspace, baseline_file)
    current = load_baseline(target)
    updated = current.keeping(findings)
    if add_new:
        updated = updated.with_findings(findings)
    write_text(target, render_baseline(updated))
    added, dropped = len(updated.entries - current.entries), len(current.entries - updated.entries)
    click.echo(f"updated {target}: {len(updated.entries)} entries ({added} added, {dropped} dropped)")


@baseline.command(name="audit")
@click.argument("path", default=".", type=click.Path(path_type=Path))
@click.option("--baseline", "baseline_file", type=click.Path(path_type=Path))
@click.option("--config", "config_file", type=click.Path(path_type=Path))
@click.option("--again", is_flag=True, help="Also ask about findings audited before.")
@click.option("--show-secrets", is_flag=True, help="Show each value (local triage only).")
def baseline_audit(path: Path, baseline_file: Path | None, config_file: Path | None, again: bool,
                   show_secrets: bool) -> None:
    """Mark each accepted finding a real secret (reported again until rotated) or a false alarm."""
    from credlint.cli.audit import audit
    from credlint.triage.baseline import load_baseline, render_baseline

    workspace, findings = tree_findings(path, config_file)
    target = baseline_path(workspace, baseline_file)
    outcome = audit(load_baseline(target), findings, lambda f: ask_about(f, show_secrets),
                    lambda b: write_text(target, render_baseline(b)), again=again)
    click.echo(f"{target}: {outcome.real} marked real (reported again until removed and rotated), "
               f"{outcome.false} marked false alarms, {outcome.left} left to audit")


def ask_about(finding: Finding, show_secrets: bool) -> str:
    loc = finding.location
    value = finding.secret if show_secrets else finding.redacted
    shown = terminal_safe(f"{loc.path}:{loc.line}:{loc.column}  {finding.severity.label}  {finding.rule_id}  {value}")
    click.echo(f"\n{shown}")
    click.echo(f"  {finding.title}")
    answer: str = click.prompt("  Real secret? [y]es, [n]o (false alarm), [s]kip, [q]uit",
                               type=click.Choice(["y", "n", "s", "q"]), show_choices=False)
    return answer


@baseline.command(name="import")
@click.argument("secrets_baseline", type=click.Path(path_type=Path))
@click.argument("path", default=".", type=click.Path(path_type=Path))
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Default: .credlint-baseline.json at the root.")
@click.option("--config", "config_file", type=click.Path(path_type=Path))
def baseline_import(secrets_baseline: Path, path: Path, output: Path | None, config_file: Path | None) -> None:
    """Convert a detect-secrets .secrets.baseline: what it accepted stays accepted."""
    from credlint.triage.baseline import new_baseline, render_baseline
    from credlint.triage.baseline_import import import_detect_secrets

    workspace, findings = tree_findings(path, config_file)
    outcome = import_detect_secrets(secrets_baseline, findings)
    target = baseline_path(workspace, output)
    write_text(target, render_baseline(new_baseline(outcome.accepted)))
    click.echo(f"wrote {target}: {len(outcome.accepted)} accepted; {outcome.confirmed} audited as real secrets "
               f"stay reported; {outcome.unmatched} detect-secrets entries matched no credlint finding")


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--write", is_flag=True, help="Apply the changes instead of printing a diff.")
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="Configuration file.")
def migrate(paths: tuple[Path, ...], write: bool, config_file: Path | None) -> None:
    """Rewrite the secrets `credlint scan` reports in Python files to read os.environ[...]; print the diff
    (or --write it)."""
    from credlint.migrate import migrate_source
    from credlint.sources.base import FileRef, ReadLimits
    from credlint.sources.tree import iter_tree, read_file

    targets = paths or (Path("."),)
    workspace = locate(targets)
    config = resolve_config(config_file, workspace)
    rulebook = build_rulebook(config)
    limits = ReadLimits(config.max_file_size, config.exclude + config.allow_paths)
    variables: set[str] = set()
    for ref in iter_tree(targets, workspace, limits.exclude, config.include_ignored):
        if not isinstance(ref, FileRef) or not ref.rel_path.endswith(".py"):
            continue
        chunk = read_file(ref, limits)  # links, binary, huge: skipped as the scan skips them
        if isinstance(chunk, Skip):
            continue
        newline = "\r\n" if "\r\n" in chunk.text else "\n"  # rewritten files keep their line endings
        migration = migrate_source(ref.rel_path, chunk.text.replace("\r\n", "\n"), rulebook, config)
        if migration.note:
            click.echo(terminal_safe(f"{ref.rel_path}: {migration.note}"), err=True)
        if migration.rewritten == migration.original:
            continue
        variables.update(migration.variables)
        if write:
            write_text(Path(ref.disk_path), migration.rewritten, newline=newline)
            click.echo(f"rewrote {terminal_safe(ref.rel_path)}")
        else:
            # The diff shows the file's own lines: each is made safe for a terminal, line breaks kept.
            click.echo("\n".join(terminal_safe(line) for line in migration.diff().split("\n")), nl=False)
    if variables:
        click.echo("\nSet these environment variables (from your secret store) before running the code:")
        click.echo("".join(f"  {name}\n" for name in sorted(variables)), nl=False)


HOOK_SCRIPT = """#!/bin/sh
# Installed by `credlint install-hook`: block commits that add hardcoded secrets.
# Skip once with `git commit --no-verify`; silence one line with a `credlint: allow` comment.
# The interpreter that installed credlint, by its absolute path (as pre-commit does): no PATH needed.
PYTHON={python}
if [ ! -x "$PYTHON" ]; then
    echo "credlint: $PYTHON, which ran credlint when this hook was installed, is gone;" >&2
    echo "credlint: reinstall credlint, then run: credlint install-hook --force" >&2
    exit 1
fi
exec "$PYTHON" -m {module} scan --staged --quiet
"""


@click.command(name="install-hook")
@click.option("--force", is_flag=True, help="Replace an existing pre-commit hook.")
def install_hook(force: bool) -> None:
    """Write a plain git pre-commit hook that runs `credlint scan --staged` (for repositories not using
    the pre-commit framework)."""
    from credlint.sources.git import hooks_dir

    workspace = locate([Path(".")])
    if not workspace.in_git:
        raise ConfigError(f"{workspace.root}: not a git repository")
    hook = hooks_dir(workspace.root) / "pre-commit"
    if hook.exists() and not force:
        raise ConfigError(f"{hook} already exists; rerun with --force to replace it")
    import shlex

    hook.parent.mkdir(parents=True, exist_ok=True)
    hook.write_text(HOOK_SCRIPT.format(python=shlex.quote(sys.executable), module="credlint"), encoding="utf-8")
    hook.chmod(0o755)
    click.echo(f"installed {hook}")
