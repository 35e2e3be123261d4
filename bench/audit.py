"""Repositories per minute of `credlint audit`, on the local pool with 1 and 2 jobs and on a Dask
LocalCluster of 2 workers, over the same list; and what that means for 1,000 and 10,000 repositories.

    python -m bench.run --audit repos.txt

Every engine starts from an empty cache and output folder, so each run clones (mirrors) and scans every
repository: the figures are a first audit's. A second audit of unchanged repositories only fetches.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ENGINES = {"pool, 1 job": ["--jobs", "1"], "pool, 2 jobs": ["--jobs", "2"],
           "dask LocalCluster, 2 workers": ["--dask", "local", "--jobs", "2"]}


@dataclass(frozen=True)
class AuditMeasurement:
    engine: str
    repositories: int
    commits: int
    wall_s: float

    @property
    def per_minute(self) -> float:
        return self.repositories / self.wall_s * 60


def measure_audit(listing: Path) -> list[AuditMeasurement]:
    credlint = str(Path(sys.executable).with_name("credlint"))
    results = []
    for engine, args in ENGINES.items():
        with tempfile.TemporaryDirectory(prefix="credlint-audit-bench-") as scratch:
            started = time.perf_counter()
            subprocess.run([credlint, "audit", str(listing), "--output-dir", f"{scratch}/out", "--cache",
                            f"{scratch}/cache", "-q", *args], check=False, capture_output=True)
            wall = time.perf_counter() - started
            report = json.loads(Path(scratch, "out", "audit.json").read_text())
        scanned = [r for r in report["repositories"] if r["status"] == "scanned"]
        results.append(AuditMeasurement(engine, len(scanned), sum(r["commits"] for r in scanned), wall))
        print(f"{engine:<30} {wall:8.1f} s", file=sys.stderr)
    return results


def audit_report(results: list[AuditMeasurement]) -> str:
    lines = [f"{'engine':<30} {'repos':>6} {'commits':>9} {'wall s':>8} {'repos/min':>10}"]
    lines += [f"{r.engine:<30} {r.repositories:>6} {r.commits:>9} {r.wall_s:>8.1f} {r.per_minute:>10.1f}"
              for r in results]
    single = next(r for r in results if r.engine == "pool, 1 job")
    seconds_per_repository = single.wall_s / max(1, single.repositories)
    lines.append(f"\none worker: {seconds_per_repository:.1f} s a repository of this mix (linear in workers: an "
                 "upper bound on the gain, see docs/benchmarks.md)")
    for total in (1_000, 10_000):
        for workers in (2, 16, 64):
            hours = total * seconds_per_repository / workers / 3600
            lines.append(f"{total:>6} repositories, {workers:>2} workers: {hours:6.1f} h")
    return "\n".join(lines)
