"""An organisation audit: every repository's whole history, on the engine chosen, resumable.

Results are written as each repository finishes: its JSON and SARIF reports and a state file holding the
digest of its refs. A repository whose refs (and credlint's rules and configuration) are where its state
file says is not scanned again, so a second audit scans only what moved and an interrupted one resumes
where it stopped. A repository that fails is recorded with its reason, and the audit goes on.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from credlint.audit.combined import combined_report
from credlint.audit.engines import Outcome, run_dask, run_local
from credlint.audit.repos import RepoSpec
from credlint.audit.worker import STATUS_FAILED, STATUS_SCANNED, STATUS_UNCHANGED, AuditTask
from credlint.errors import ConfigError

REPOSITORIES = "repositories"
COMBINED = "audit.json"
KEY_FILE = "audit.key"
Progress = Callable[[int, int, int], None]  # done, total, findings so far


@dataclass(frozen=True, slots=True)
class AuditOptions:
    cache: Path
    output_dir: Path
    jobs: int = 1
    dask: str = ""  # "", "local", or a scheduler address
    timeout: float = 0.0  # per repository, seconds; 0: none
    config_text: str = ""
    config_base: str = ""


@dataclass(frozen=True, slots=True)
class AuditRun:
    report: dict[str, Any]  # the combined report, as written to audit.json
    scanned: int
    unchanged: int
    failed: int


def run_audit(specs: Sequence[RepoSpec], options: AuditOptions, progress: Progress | None = None) -> AuditRun:
    folder = options.output_dir / REPOSITORIES
    folder.mkdir(parents=True, exist_ok=True)
    key = audit_key(options.cache)
    now = time.time()
    states = {spec.name: read_state(folder / f"{spec.slug}.state.json") for spec in specs}
    tasks = [AuditTask(spec, str(options.cache / "mirrors"), key, str(states[spec.name].get("digest", "")),
                       options.config_text, options.config_base, now) for spec in specs]
    # Largest first: a large history started last keeps one worker busy while the others idle.
    tasks.sort(key=lambda task: -expected_cost(task.spec, options.cache))
    records: dict[str, dict[str, Any]] = {}
    counts = {STATUS_SCANNED: 0, STATUS_UNCHANGED: 0, STATUS_FAILED: 0}
    findings = 0
    for task, outcome in dispatch(tasks, options):
        record = settle(task.spec, outcome, states[task.spec.name], folder)
        counts[STATUS_FAILED if record["status"] == STATUS_FAILED else
               STATUS_UNCHANGED if outcome.get("status") == STATUS_UNCHANGED else STATUS_SCANNED] += 1
        records[task.spec.name] = record
        findings += len(record.get("findings", ()))
        if progress:
            progress(len(records), len(tasks), findings)
    report = combined_report([records[spec.name] for spec in specs])
    write_json(options.output_dir / COMBINED, report)
    return AuditRun(report, counts[STATUS_SCANNED], counts[STATUS_UNCHANGED], counts[STATUS_FAILED])


def dispatch(tasks: Sequence[AuditTask], options: AuditOptions) -> Iterator[tuple[AuditTask, Outcome]]:
    if options.dask:
        return run_dask(tasks, options.dask, options.jobs, options.timeout)
    return run_local(tasks, options.jobs, options.timeout)


def settle(spec: RepoSpec, outcome: Outcome, state: dict[str, Any], folder: Path) -> dict[str, Any]:
    """The repository's record for the combined report, its files written (scanned) or reused (unchanged)."""
    status = outcome.get("status")
    files = {"report": f"{REPOSITORIES}/{spec.slug}.json", "sarif": f"{REPOSITORIES}/{spec.slug}.sarif"}
    if status == STATUS_UNCHANGED and isinstance(state.get("record"), dict) and all(
            (folder.parent / name).exists() for name in files.values()):
        record: dict[str, Any] = state["record"]
        return record
    if status != STATUS_SCANNED:
        reason = str(outcome.get("reason", "")) if status == STATUS_FAILED else "its earlier results are missing"
        return {"repository": spec.name, "status": STATUS_FAILED, "reason": reason}
    write_text(folder.parent / files["report"], str(outcome["json"]))
    write_text(folder.parent / files["sarif"], str(outcome["sarif"]))
    record = {"repository": spec.name, "status": STATUS_SCANNED, "reason": "", **files,
              "commits": outcome.get("commits", 0), "warnings": outcome.get("warnings", []),
              "skipped": outcome.get("skipped", 0), "findings": outcome.get("findings", []),
              "fail_on": outcome.get("fail_on", "medium")}
    # Last: a state file names results that are all on disk.
    write_json(folder / f"{spec.slug}.state.json", {"digest": outcome["digest"], "record": record})
    return record


def expected_cost(spec: RepoSpec, cache: Path) -> int:
    """Bytes of the repository's packs: of its mirror when there is one, of a local repository otherwise
    (the order of the work only, never its result)."""
    for folder in (cache / "mirrors" / f"{spec.slug}.git" / "objects", Path(spec.url) / ".git" / "objects",
                   Path(spec.url) / "objects"):
        try:
            return sum(entry.stat().st_size for entry in os.scandir(folder / "pack"))
        except OSError:
            continue
    return 0


def read_state(path: Path) -> dict[str, Any]:
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def audit_key(cache: Path) -> str:
    """The HMAC key of secret identities, made once per cache folder and readable by its owner only."""
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / KEY_FILE
    try:
        key = path.read_text(encoding="ascii").strip()
        bytes.fromhex(key)
        if len(key) == 64:
            return key
    except (OSError, ValueError):
        pass
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key


def write_json(path: Path, document: object) -> None:
    write_text(path, json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def write_text(path: Path, text: str) -> None:
    """Atomically: a killed audit leaves the previous file or the new one, never half of one."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_text(text, encoding="utf-8", errors="surrogateescape")
        os.replace(partial, path)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write: {exc.strerror or exc}") from exc
