"""Test vectors from github/codeql-action src/fingerprints.test.ts."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from credlint.cli import cli
from credlint.fingerprint import line_hashes, line_hashes_for, secret_fingerprint

LOREM = "Lorem ipsum dolor sit amet.\n" * 10


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("", ["c129715d7a2bc9a3:1"], id="empty"),
    pytest.param(" a\nb\n  \t\tc\n d", ["271789c17abda88f:1", "54703d4cd895b18:1", "180aee12dab6264:1",
                                        "a23a3dc5e078b07b:1"], id="whitespace"),
    pytest.param("x = 2\nx = 1\nprint(x)\nx = 3\nprint(x)\nx = 4\nprint(x)\n",
                 ["e54938cc54b302f1:1", "bb609acbe9138d60:1", "1131fd5871777f34:1", "5c482a0f8b35ea28:1",
                  "54517377da7028d2:1", "2c644846cb18d53e:1", "f1b89f20de0d133:1", "c129715d7a2bc9a3:1"], id="code"),
    pytest.param(LOREM, [f"a7f2ff13bc495cf2:{i}" for i in range(1, 7)] + [
        "a7f2ff1481e87703:1", "a9cf91f7bbf1862b:1", "55ec222b86bcae53:1", "cc97dc7b1d7d8f7b:1", "c129715d7a2bc9a3:1"],
        id="repeated-lines"),
])
def test_line_hashes_match_codeql(text: str, expected: list[str]) -> None:
    assert line_hashes(text) == expected


def test_crlf_hashes_like_lf() -> None:
    assert line_hashes("a\r\nb\r\n") == line_hashes("a\nb\n")


def test_secret_fingerprint_is_keyed() -> None:
    one = secret_fingerprint("jwt", "abc", b"repo-1")
    assert one == secret_fingerprint("jwt", "abc", b"repo-1")
    assert one != secret_fingerprint("jwt", "abc", b"repo-2")
    assert len(one) == 32


def test_hashing_only_some_lines_agrees_with_the_full_walk() -> None:
    """line_hashes_for() shortcuts the rolling hash; random texts with CR, tabs, repeats and emoji agree."""
    rng = random.Random(7)
    pieces = ["a", "b", " ", "\t", "\n", "\r", "\r\n", "x = 1\n", "é", "\U0001F600", "Lorem ipsum\n"]
    for _ in range(500):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 300)))
        full = line_hashes(text)
        assert line_hashes_for(text, set(range(1, len(full) + 1))) == {i + 1: h for i, h in enumerate(full)}


def test_a_password_fingerprint_costs_a_dictionary_attack_real_time(runner: CliRunner, tmp_path: Path) -> None:
    """The fingerprint's key (the first commit) is public: for a chosen password the JSON must not let a
    word list be tried at hash speed. scrypt with N=4096, r=8: each guess costs milliseconds."""
    (tmp_path / "settings.py").write_text('password = "Harbor2024!blue"\n')
    document = json.loads(runner.invoke(cli, ["scan", str(tmp_path), "--format", "json"]).stdout)
    [finding] = document["findings"]
    fast = [secret_fingerprint("hardcoded-password", hashlib.sha256(w.encode()).hexdigest(), b"credlint")
            for w in ("Harbor2024!blue", "marmalade")]
    assert finding["fingerprint"] not in fast
    slow = hashlib.scrypt(b"Harbor2024!blue", salt=b"credlint\0hardcoded-password", n=4096, r=8, p=1, dklen=16)
    assert finding["fingerprint"] == slow.hex()
