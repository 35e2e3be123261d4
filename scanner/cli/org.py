"""`credlint audit`: every repository of an organisation, its whole history, one report (audit/)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

from credlint.audit.repos import GITHUB_API, GITLAB_API, RepoSpec, list_github_org, list_gitlab_group, read_repo_list
from credlint.audit.run import COMBINED, AuditOptions, AuditRun, run_audit
from credlint.cli.support import SEVERITIES
from credlint.config import Config, load_config_text
from credlint.errors import ConfigError
from credlint.model import Severity
from credlint.text import terminal_safe


@click.command()
@click.argument("repos", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--github-org", help="Every repository of this GitHub organisation (token: GITHUB_TOKEN).")
@click.option("--gitlab-group", help="Every project of this GitLab group and its subgroups (token: GITLAB_TOKEN).")
@click.option("--api-url", help="The provider's API (default: GITHUB_API_URL or CI_API_V4_URL, else the public "
                                "service).")
@click.option("--output-dir", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="Per-repository JSON and SARIF reports, and the combined audit.json.")
@click.option("--cache", type=click.Path(path_type=Path, file_okay=False),
              help="Bare mirrors of the repositories (default: ~/.cache/credlint/audit).")
@click.option("--jobs", type=click.IntRange(1, 1024), help="Repositories scanned at once (default: the cores).")
@click.option("--dask", "dask_address", metavar="ADDRESS",
              help="Run on this Dask scheduler (tcp://host:8786), or `local` for a LocalCluster here.")
@click.option("--timeout", type=click.FloatRange(0), default=0, help="Seconds a repository may take (0: no limit).")
@click.option("--fail-on", type=click.Choice(SEVERITIES), help="Exit 1 on findings at or above this severity.")
@click.option("--config", "config_file", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Configuration applied to every repository.")
@click.option("--html", "html_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write a self-contained HTML report here.")
@click.option("--quiet", "-q", is_flag=True, help="No progress lines.")
def audit(repos: Path | None, github_org: str | None, gitlab_group: str | None, api_url: str | None,
          output_dir: Path, cache: Path | None, jobs: int | None, dask_address: str | None, timeout: float,
          fail_on: str | None, config_file: Path | None, html_file: Path | None, quiet: bool) -> None:
    """Audit every repository of REPOS (a file of URLs or paths, one a line), of a GitHub organisation or of a
    GitLab group: each one's whole history, incrementally."""
    specs = listed_repositories(repos, github_org, gitlab_group, api_url)
    config_text = config_file.read_text(encoding="utf-8") if config_file else ""
    config = load_config_text(config_text, config_file.name, str(config_file), config_file.parent) \
        if config_file else Config()
    options = AuditOptions(cache=cache or default_cache(), output_dir=output_dir,
                           jobs=jobs or os.cpu_count() or 1, dask=dask_address or "", timeout=timeout,
                           config_text=config_text,
                           config_base=str(config_file.parent.resolve()) if config_file else "")
    done = run_audit(specs, options, None if quiet else show_progress)
    if html_file is not None:
        from credlint.audit.html import render_html
        from credlint.audit.run import write_text

        write_text(html_file, render_html(done.report, time.time()))
    summarize(done, output_dir, html_file)
    threshold = Severity.parse(fail_on) if fail_on else config.fail_on
    sys.exit(exit_code(done, threshold))


def listed_repositories(repos: Path | None, github_org: str | None, gitlab_group: str | None,
                        api_url: str | None) -> list[RepoSpec]:
    given = [name for name, value in (("REPOS", repos), ("--github-org", github_org),
                                      ("--gitlab-group", gitlab_group)) if value]
    if len(given) != 1:
        raise click.UsageError("give one of REPOS, --github-org NAME or --gitlab-group NAME")
    if repos is not None:
        specs = read_repo_list(repos)
    elif github_org:
        specs = list_github_org(github_org, os.environ.get("GITHUB_TOKEN", ""),
                                api_url or os.environ.get("GITHUB_API_URL") or GITHUB_API)
    else:
        assert gitlab_group
        specs = list_gitlab_group(gitlab_group, os.environ.get("GITLAB_TOKEN", ""),
                                  api_url or os.environ.get("CI_API_V4_URL") or GITLAB_API)
    if not specs:
        raise ConfigError(f"{given[0]}: no repositories to audit")
    return specs


def default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "credlint" / "audit"


def show_progress(done: int, total: int, findings: int) -> None:
    click.echo(f"credlint audit: {done}/{total} repositories, {findings} findings so far", err=True)


def summarize(done: AuditRun, output_dir: Path, html_file: Path | None) -> None:
    totals = done.report["totals"]
    written = f"{output_dir / COMBINED}" + (f" and {html_file}" if html_file else "")
    click.echo(f"credlint audit: {totals['repositories']} repositories ({done.scanned} scanned, {done.unchanged} "
               f"unchanged, {done.failed} failed); {totals['secrets']} secrets ({totals['live_at_head']} live at "
               f"HEAD, {totals['history_only']} only in history), {totals['migration_debt']} migration debt; "
               f"written to {terminal_safe(written)}", err=True)
    for repository in done.report["repositories"]:
        if repository["status"] == "failed":
            click.echo(f"credlint audit: {terminal_safe(repository['repository'])}: failed: "
                       f"{terminal_safe(repository['reason'])}", err=True)


def exit_code(done: AuditRun, threshold: Severity) -> int:
    """2 when nothing could be scanned; 1 on a finding at or above the threshold; else 0."""
    report = done.report
    if report["totals"]["scanned"] == 0:
        return 2
    worst = [s["severity"] for s in report["secrets"]] + [d["severity"] for d in report["migration_debt"]]
    return 1 if any(Severity.parse(s) >= threshold for s in worst) else 0
