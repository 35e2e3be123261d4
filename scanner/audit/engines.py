"""Where the repositories of an audit are scanned: a local pool, or a Dask cluster.

Either way one task is one repository, run by `execute`: a worker process (audit/worker.py) that the task
can kill when the repository's time is up, which neither a process pool nor a Dask worker thread can do to
code running inside it. The local pool therefore needs no processes of its own: `jobs` threads each wait on
one worker process, so that `jobs` repositories are scanned at once, each in its own process.

Dask (`--dask ADDRESS`, or `--dask local` for a LocalCluster here) is used as it is, through
`dask.distributed`: `Client.map` and `as_completed` stream results back as repositories finish; nothing is
scheduled or sent over a socket by credlint itself.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any

from credlint.audit.worker import STATUS_FAILED, AuditTask
from credlint.errors import ConfigError

Outcome = dict[str, Any]
_RUNNING: set[subprocess.Popen[bytes]] = set()
_RUNNING_LOCK = threading.Lock()


def execute(task: AuditTask, timeout: float) -> Outcome:
    """Run one repository's worker process within `timeout` seconds (0: none); its outcome, or why not."""
    command = [sys.executable, "-m", "credlint.audit.worker"]
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True)
    with _RUNNING_LOCK:
        _RUNNING.add(process)
    try:
        out, err = process.communicate(task.as_json().encode(), timeout=timeout or None)
    except subprocess.TimeoutExpired:
        kill(process)
        process.communicate()
        return {"status": STATUS_FAILED, "reason": f"timed out after {timeout:g} s"}
    finally:
        with _RUNNING_LOCK:
            _RUNNING.discard(process)
    try:
        outcome: Outcome = json.loads(out)
    except ValueError:
        last = err.decode("utf-8", "replace").strip().splitlines()
        return {"status": STATUS_FAILED, "reason": f"worker exited {process.returncode}: "
                                                   f"{last[-1] if last else 'no output'}"}
    return outcome


def kill(process: subprocess.Popen[bytes]) -> None:
    """The worker and the git processes it started (its own process group)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def kill_running() -> None:
    """On an interrupted audit: stop what is still running (what finished is kept: the audit resumes)."""
    with _RUNNING_LOCK:
        running = list(_RUNNING)
    for process in running:
        kill(process)


def run_local(tasks: Sequence[AuditTask], jobs: int, timeout: float) -> Iterator[tuple[AuditTask, Outcome]]:
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(execute, task, timeout): task for task in tasks}
        try:
            for future in as_completed(futures):
                yield futures[future], outcome_of(future.result)
        except BaseException:
            for future in futures:
                future.cancel()
            kill_running()
            raise


def run_dask(tasks: Sequence[AuditTask], address: str, jobs: int, timeout: float
             ) -> Iterator[tuple[AuditTask, Outcome]]:
    try:
        import importlib

        distributed: Any = importlib.import_module("dask.distributed")  # untyped: used through Any
    except ImportError as exc:
        raise ConfigError("--dask needs dask.distributed: pip install 'credlint[dask]'") from exc
    with contextlib.ExitStack() as stack:
        if address == "local":
            cluster = stack.enter_context(distributed.LocalCluster(
                n_workers=max(1, jobs), threads_per_worker=1, processes=True, dashboard_address=None,
                silence_logs=40))
            client = stack.enter_context(distributed.Client(cluster))
        else:
            try:
                client = stack.enter_context(distributed.Client(address, timeout=30))
            except (OSError, TimeoutError, ValueError) as exc:
                raise ConfigError(f"--dask {address}: cannot reach the scheduler: {exc}") from exc
        futures = client.map(execute, list(tasks), [timeout] * len(tasks), pure=False)
        task_of = {future.key: task for future, task in zip(futures, tasks, strict=True)}
        for future in distributed.as_completed(futures):
            yield task_of[future.key], outcome_of(future.result)


def outcome_of(result: Callable[[], Outcome]) -> Outcome:
    """A task's outcome; a task the engine lost (a worker died, a cluster went away) is a failed one."""
    try:
        return result()
    except Exception as exc:  # whatever the engine raised, the audit goes on
        return {"status": STATUS_FAILED, "reason": f"the engine lost the task: {type(exc).__name__}: {exc}"}
