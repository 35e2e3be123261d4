"""One repository of an audit, in a process of its own: mirror it, and scan its whole history unless its
refs are where the last audit left them.

It runs as `python -m credlint.audit.worker`, reading the task as JSON on standard input and writing the
outcome as JSON on standard output, so that whatever engine dispatches it (the local pool, a Dask worker)
can give it a time limit by killing it, and a crash or a runaway repository takes nothing else down.
Reports come back as text in the outcome; the audit writes them, so a worker on another machine needs no
shared disk but its own mirror cache.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import hmac
import json
import os
import re
import shutil
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from credlint import __version__
from credlint.audit.repos import RepoSpec, clone_header
from credlint.errors import CredlintError
from credlint.model import Finding

GIT_TIMEOUT = 3600.0  # the audit's own per-repository limit is the one that matters; this only ends a hang
STATUS_SCANNED, STATUS_UNCHANGED, STATUS_FAILED = "scanned", "unchanged", "failed"
RACY_PREFIX = re.compile(r"^fatal: (?:remote error: |git )?upload-pack: ")


@dataclasses.dataclass(frozen=True, slots=True)
class AuditTask:
    spec: RepoSpec
    cache: str  # folder of bare mirrors, on the machine that runs the task
    key: str  # hex HMAC key: the same secret in two repositories gets the same identity, and no one can
    #           test a guess against a report without it
    previous_digest: str = ""  # the refs digest of this repository's last result, "" for none
    config_text: str = ""  # the audit's configuration file, as TOML text ("" for the defaults)
    config_base: str = ""  # the folder its relative paths (rule files) are relative to
    now: float = 0.0  # one clock for every repository of an audit

    def as_json(self) -> str:
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, text: str) -> AuditTask:
        data = json.loads(text)
        return cls(**{**data, "spec": RepoSpec(**data["spec"])})


class AuditFailureError(CredlintError):
    """This repository could not be audited (clone error, corrupt pack): recorded, and the audit goes on."""


def run_task(task: AuditTask) -> dict[str, Any]:
    mirror = Path(task.cache) / f"{task.spec.slug}.git"
    with mirror_lock(mirror):
        update_mirror(task.spec, mirror)
        digest = refs_digest(mirror, task.config_text)
        if digest == task.previous_digest:
            return {"status": STATUS_UNCHANGED, "digest": digest}
        return scan_mirror(task, mirror, digest)


@contextlib.contextmanager
def mirror_lock(mirror: Path) -> Iterator[None]:
    """One process a mirror at a time: a killed audit's orphans may still be fetching when it is re-run."""
    mirror.parent.mkdir(parents=True, exist_ok=True)
    with open(mirror.with_suffix(".lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def git(args: Sequence[str], spec: RepoSpec, cwd: Path | None = None) -> str:
    import subprocess

    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "true"}
    header = clone_header(spec, dict(os.environ))
    if header:  # in the environment, not in argv (ps) or the mirror's config (disk)
        env.update({"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "http.extraHeader", "GIT_CONFIG_VALUE_0": header})
    try:
        done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, timeout=GIT_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise AuditFailureError(f"git {args[0]}: {exc}") from exc
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise AuditFailureError(f"git {args[0]} failed: {stable(lines[-1]) if lines else f'exit {done.returncode}'}")
    return done.stdout.decode("utf-8", "replace")


def stable(message: str) -> str:
    """git names the same refusal of the other side two ways, depending on which process reports it
    first; the combined report must not depend on that race."""
    return RACY_PREFIX.sub("fatal: upload-pack: ", message)


def update_mirror(spec: RepoSpec, mirror: Path) -> None:
    """Fetch into the mirror, or clone it beside and move it in place: an interrupted clone never leaves a
    half mirror that looks whole."""
    if (mirror / "HEAD").exists():
        git(["--git-dir", str(mirror), "fetch", "--prune", "--quiet", "origin"], spec)
        return
    partial = mirror.with_name(mirror.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    shutil.rmtree(mirror, ignore_errors=True)
    # --no-local: a local path is cloned as a remote one is, every object sent and checked (a copy by hard
    # links would take a repository with missing objects for a whole one, and share its files).
    git(["clone", "--mirror", "--no-local", "--quiet", "--", spec.url, str(partial)], spec)
    partial.rename(mirror)


def refs_digest(mirror: Path, config_text: str) -> str:
    """Every ref and where it points, with what decides the findings (version, rules, configuration): the
    same digest means the same result."""
    from credlint.detectors.rulebook import builtin_rules_dir

    refs = git(["--git-dir", str(mirror), "for-each-ref", "--format=%(objectname) %(refname)"],
               RepoSpec("", ""))
    digest = hashlib.sha256(f"{__version__}\0{config_text}\0{refs}".encode())
    for rule_file in sorted(builtin_rules_dir().glob("*.toml")):
        digest.update(rule_file.read_bytes())
    return digest.hexdigest()


def scan_mirror(task: AuditTask, mirror: Path, digest: str) -> dict[str, Any]:
    from credlint.checks import build_rulebook
    from credlint.pipeline import run_scan
    from credlint.reporters import RenderOptions, renderer
    from credlint.sources.history.revisions import all_refs
    from credlint.sources.history.source import HistorySource

    config = audit_config(task.config_text, Path(task.config_base or "."))
    rulebook = build_rulebook(config)
    source = HistorySource(mirror, all_refs(), config.rotate_after_days, now=task.now or time.time())
    result = run_scan(source, rulebook, config)
    # Named as the list names it: the cache path is this machine's business.
    result = dataclasses.replace(result, root=task.spec.name, repository_uri=task.spec.name)
    options = RenderOptions(tool_version=__version__, rules=rulebook.rules)
    removed = commit_dates(mirror, {f.provenance.removed_in for f in result.findings
                                    if f.provenance is not None and f.provenance.removed_in})
    providers = rulebook_tags(rulebook.rules)
    return {
        "status": STATUS_SCANNED, "digest": digest, "commits": result.commits_scanned,
        "warnings": list(result.warnings), "skipped": len(result.skipped),
        "findings": [finding_summary(f, task.key, removed, providers) for f in result.findings],
        "json": renderer("json")(result, options), "sarif": renderer("sarif")(result, options),
        "fail_on": config.fail_on.label,
    }


def audit_config(config_text: str, base: Path) -> Any:
    from credlint.config import Config, load_config_text

    if not config_text:
        return Config()
    return load_config_text(config_text, "credlint.toml", "the audit's --config", base)


def rulebook_tags(rules: Sequence[Any]) -> dict[str, str]:
    """rule id -> the provider it names (its first tag that is not a kind of check), else its kind."""
    plain = {"advisory", "generic", "http", "python", "php", "shell", "pem", "database"}
    return {r.id: next((t for t in r.tags if t not in plain), r.kind) for r in rules}


def commit_dates(mirror: Path, commits: set[str]) -> dict[str, str]:
    if not commits:
        return {}
    out = git(["--git-dir", str(mirror), "show", "-s", "--format=%H %aI", *sorted(commits), "--"], RepoSpec("", ""))
    return dict(line.split(" ", 1) for line in out.splitlines() if " " in line)


def finding_summary(finding: Finding, key: str, removed: dict[str, str], providers: dict[str, str]
                    ) -> dict[str, Any]:
    """What the organisation report needs of a finding: never the secret, only a keyed hash of it."""
    p = finding.provenance
    identity = hmac.new(bytes.fromhex(key), finding.secret.encode("utf-8", "surrogateescape"), "sha256")
    return {
        "rule_id": finding.rule_id, "title": finding.title, "kind": finding.kind,
        "provider": providers.get(finding.rule_id, finding.kind), "severity": finding.severity.label,
        "path": finding.location.path, "line": finding.location.line, "redacted": finding.redacted,
        "secret_id": "" if finding.advisory else identity.hexdigest()[:32], "advisory": finding.advisory,
        "commit": p.commit if p else "", "author": p.author if p else "", "date": p.date if p else "",
        "at_head": p.at_head if p else True, "removed_in": p.removed_in if p else "",
        "removed_date": removed.get(p.removed_in, "") if p and p.removed_in else "",
        "remediation": finding.remediation,
    }


def named_as_listed(message: str, task: AuditTask) -> str:
    """A message about the mirror, with the repository named as the list names it."""
    mirror = str(Path(task.cache) / f"{task.spec.slug}.git")
    for spelling in (mirror + ".partial", mirror):
        message = message.replace(spelling, task.spec.name)
    return message


def main() -> None:
    try:
        task = AuditTask.from_json(sys.stdin.read())
    except (ValueError, TypeError, KeyError) as exc:
        print(json.dumps({"status": STATUS_FAILED, "reason": f"bad task: {exc}"}))
        sys.exit(2)
    try:
        outcome = run_task(task)
    except CredlintError as exc:
        outcome = {"status": STATUS_FAILED, "reason": named_as_listed(str(exc), task)}
    except (OSError, RecursionError, MemoryError) as exc:  # never a traceback in place of an outcome
        outcome = {"status": STATUS_FAILED, "reason": named_as_listed(f"{type(exc).__name__}: {exc}", task)}
    sys.stdout.write(json.dumps(outcome, ensure_ascii=False))


if __name__ == "__main__":
    main()
