"""Redaction audit: fake secrets of every kind planted in one tree, then every output credlint can produce
searched for each raw value and for every 8-character piece of it. Zero hits, unless --show-secrets."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from credlint.detectors.rulebook import builtin_rules_dir
from tests.conftest import git
from tests.fakes import ALNUM, clear_key, crc32_token, jwt, openssh_key, pypi_token, rand

PIECE = 8
# Twenty scans in processes of their own: once in CI, on the main Python (the fast suite runs four times).
pytestmark = pytest.mark.slow


def planted(rng: random.Random) -> dict[str, tuple[str, list[str]]]:
    """file name -> (content, the secret values in it)."""
    files: dict[str, tuple[str, list[str]]] = {}
    for n, prefix in enumerate(("ghp_", "gho_", "ghu_", "ghs_", "ghr_") * 2):
        token = crc32_token(prefix, rng)
        files[f"src/github{n}.py"] = (f'GITHUB_TOKEN = "{token}"\n', [token])
    for n in range(5):
        token = pypi_token(rng)
        files[f"deploy/pypirc{n}"] = (f"[pypi]\nusername = __token__\npassword = {token}\n", [token])
    for n in range(5):
        token = jwt(rng)
        files[f"web/auth{n}.js"] = (f'const session = "{token}";\n', [token.rsplit(".", 1)[1]])
    for n in range(5):
        key_id, secret = "AKIA" + rand(rng, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16), rand(rng, ALNUM + "+/", 40)
        files[f"aws/creds{n}.ini"] = (f"[default]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n",
                                      [secret])
    for n in range(5):
        token = f"xoxb-{rng.randrange(10**11, 10**12)}-{rng.randrange(10**11, 10**12)}-{rand(rng, ALNUM, 24)}"
        files[f"bots/slack{n}.py"] = (f'SLACK = "{token}"\n', [token])
    for n in range(5):
        password = rand(rng, ALNUM, 6) + "!#" + rand(rng, ALNUM, 6)
        files[f"app/settings{n}.py"] = (f'DB_PASSWORD = "{password}"\n', [password])
    for n in range(5):
        password = rand(rng, ALNUM, 7) + "%" + rand(rng, ALNUM, 6)
        files[f"app/db{n}.py"] = (f'DSN = "postgresql://app:{password}@db.internal:5432/app"\n', [password])
    for n in range(3):
        password = rand(rng, ALNUM, 5) + "@" + rand(rng, ALNUM, 7)
        files[f"app/client{n}.py"] = (f'requests.get(url, auth=("ops", "{password}"))\n', [password])
    key = clear_key(rng)
    files["keys/server.pem"] = (key + "\n", [line for line in key.splitlines()[1:-1] if len(line) >= PIECE][:3])
    ssh = openssh_key(rng)
    files["keys/id_ed25519"] = (ssh + "\n", [line for line in ssh.splitlines()[1:-1] if len(line) >= PIECE][:3])
    suppressed = crc32_token("ghp_", rng)
    files["src/allowed.py"] = (f'TOKEN = "{suppressed}"  # credlint: allow test fixture\n', [suppressed])
    return files


def pieces(value: str) -> Iterator[str]:
    yield value
    for start in range(len(value) - PIECE + 1):
        yield value[start:start + PIECE]


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    root = tmp_path_factory.mktemp("redaction") / "repo"
    root.mkdir()
    secrets: list[str] = []
    for name, (content, values) in planted(random.Random(50)).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content)
        secrets.extend(values)
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", "-C", str(root), "init", "-q", "-b", "main"], check=True, env=env)
    git(root, "add", "-A")
    subprocess.run(["git", "-C", str(root), "-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-qm",
                    "plant"], check=True, env=env)
    assert len(set(secrets)) >= 50
    return root, secrets


def run(root: Path, *args: str, cache: Path | None = None) -> str:
    env = {**os.environ, "CREDLINT_CACHE_DIR": str(cache or root.parent / "cache")}
    out = subprocess.run([sys.executable, "-m", "credlint", *args], cwd=root, capture_output=True, text=True,
                         env=env, timeout=300)
    assert out.returncode in (0, 1, 2), out.stderr
    return out.stdout + out.stderr


OUTPUTS = {
    "text": ["scan", "."], "json": ["scan", ".", "--format", "json"], "sarif": ["scan", ".", "--format", "sarif"],
    "junit": ["scan", ".", "--format", "junit"], "gitlab": ["scan", ".", "--format", "gitlab"],
    "explain": ["scan", ".", "--explain", "--min-score", "0"],
    "suppressed": ["scan", ".", "--show-suppressed", "--format", "json"],
    "history": ["scan", ".", "--history", "--format", "json"],
    "history-text": ["scan", ".", "--history", "--show-suppressed"],
    "staged": ["scan", "--staged", "src/github0.py", "app/settings0.py", "keys/server.pem"],
    "debug": ["--debug", "scan", ".", "--format", "sarif"],
    "migrate": ["migrate", "."],
    "bad-flag-error": ["scan", ".", "--range", "nope..HEAD"],
    "rules": ["rules"],
}


@pytest.mark.parametrize("output", sorted(OUTPUTS))
def test_no_output_holds_a_secret(tree: tuple[Path, list[str]], output: str) -> None:
    root, secrets = tree
    shown = run(root, *OUTPUTS[output])
    leaks = sorted({piece for secret in secrets for piece in pieces(secret) if piece in shown})
    assert leaks == [], f"{output} shows {len(leaks)} secret pieces, e.g. {leaks[:3]}"


def test_files_credlint_writes_hold_no_secret(tree: tuple[Path, list[str]], tmp_path: Path) -> None:
    root, secrets = tree
    cache = tmp_path / "cache"
    baseline = tmp_path / "baseline.json"
    report = tmp_path / "report.sarif"
    run(root, "baseline", "create", ".", "-o", str(baseline), cache=cache)
    run(root, "scan", ".", "--format", "sarif", "-o", str(report), cache=cache)
    written = [baseline, report, *cache.iterdir()]
    assert len(written) >= 3
    # The rule cache holds the built-in rules' own (fake) examples, and a key format's framing (an OpenSSH
    # key's header, its zero padding) is in those as in the planted keys: what credlint ships is not a leak.
    shipped = "".join(path.read_text(encoding="utf-8") for path in builtin_rules_dir().glob("*.toml"))
    for path in written:
        data = path.read_bytes().decode("utf-8", "replace")
        leaks = sorted({piece for secret in secrets for piece in pieces(secret) if piece in data
                        and piece not in shipped})
        assert leaks == [], f"{path.name} holds {leaks[:3]}"


def test_the_audit_would_see_a_leak(tree: tuple[Path, list[str]]) -> None:
    """The control: with --show-secrets the same search finds every value."""
    root, secrets = tree
    shown = run(root, "scan", ".", "--format", "json", "--show-secrets")
    full_values = [s for s in secrets if len(s) < 100]
    assert sum(secret in shown for secret in full_values) >= len(full_values) * 0.9
