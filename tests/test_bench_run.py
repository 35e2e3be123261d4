"""bench/run.py names a missing peer before it measures anything (it used to stop with a traceback midway)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.run import main


def peers_venv(root: Path, *, binaries: tuple[str, ...], scripts: tuple[str, ...]) -> Path:
    """A peers folder laid out as a venv is: the native binaries inside their packages, console scripts in bin/."""
    for name in binaries:
        binary = root / "lib" / "python3.11" / "site-packages" / name / "bin" / name
        binary.parent.mkdir(parents=True)
        binary.write_text("")
    (root / "bin").mkdir(parents=True)
    for name in scripts:
        (root / "bin" / name).write_text("")
    return root


@pytest.mark.parametrize(("scripts", "missing"), [
    pytest.param((), "detect-secrets", id="no-detect-secrets"),
    pytest.param(("detect-secrets",), "detect-secrets-hook", id="no-hook"),
])
def test_a_missing_peer_is_named_before_any_run(tmp_path: Path, scripts: tuple[str, ...], missing: str) -> None:
    peers = peers_venv(tmp_path / "peers", binaries=("betterleaks", "kingfisher"), scripts=scripts)
    with pytest.raises(SystemExit) as stopped:
        main(["--tree", f"t={tmp_path}", "--peers", str(peers), "--workdir", str(tmp_path / "work")])
    assert str(stopped.value).startswith(f"{missing} not installed in {peers}")
    assert not (tmp_path / "work").exists()  # nothing was measured
