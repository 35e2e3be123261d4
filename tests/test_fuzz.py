"""Fuzzed loaders: the rule-file, configuration and baseline loaders and the history patch parser, fed random
and mutated input by hypothesis. A loader may refuse its input only with a CredlintError (one line, exit 2);
the patch parser only with the errors the history reader counts as an unreadable commit. The budget is
fixed (max_examples), so CI time stays bounded; inputs it once found are kept as @example cases."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from credlint.config import load_config_text
from credlint.detectors.rulebook import load_rulebook
from credlint.errors import CredlintError
from credlint.sources.history.patches import CommitFormatError, parse_file, split_commit, split_commits
from credlint.sources.history.reader import CommitSplitter
from credlint.triage.baseline import load_baseline

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
SEED_RULES = (RULES_DIR / "npm.toml").read_bytes()
SEED_CONFIG = b"""exclude = ["tests/**"]
min_score = 50
fail_on = "high"
rules = ["extra.toml"]
[allowlist]
paths = ["docs/**"]
regexes = ["^EXAMPLE"]
stopwords = ["dummy"]
[rule_allowlist.hardcoded-password]
stopwords = ["changeme"]
"""
SEED_BASELINE = json.dumps({"format": "credlint-baseline", "version": 1, "salt": "abc",
                            "entries": [{"rule_id": "github-pat-classic", "path": "a.py", "hash": "0" * 64}]}).encode()
SEED_PATCH = (b"\x00C\x00" + b"a" * 40 + b"\x00\x00Test\x002024-01-02T10:00:00+00:00\x001704189600\n"
              b"diff --git a/app.py b/app.py\nnew file mode 100644\nindex 0000000..e69de29\n--- /dev/null\n"
              b"+++ b/app.py\n@@ -0,0 +1,2 @@\n+token = 'x'\n+password = 'y'\n"
              b"diff --git \"a/t\\tb.txt\" \"b/t\\tb.txt\"\nindex 1..2 100644\nBinary files a/x and b/x differ\n")

# CI raises the budget (.ci/run): CREDLINT_FUZZ_EXAMPLES examples a test.
FUZZ = settings(max_examples=int(os.environ.get("CREDLINT_FUZZ_EXAMPLES", "300")), deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """The seed with a few random edits: replaced, inserted and deleted byte runs."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(("replace", "insert", "delete")))
        run = draw(st.binary(min_size=1, max_size=12))
        if action == "replace":
            data[at:at + len(run)] = run
        elif action == "insert":
            data[at:at] = run
        else:
            del data[at:at + len(run)]
    return bytes(data)


def inputs(seed: bytes) -> st.SearchStrategy[bytes]:
    return st.one_of(mutated(seed), st.binary(max_size=400))


def load_from_file(data: bytes, name: str, loader: Callable[[Path], object]) -> None:
    """Write `data` to a file called `name` and load it; only a CredlintError may refuse it."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        with contextlib.suppress(CredlintError):
            loader(path)


@FUZZ
@given(inputs(SEED_RULES))
@example(b"[[rules]]\nid = 'x'\nregex = '('\n")
@example(b"rules = 1")
def test_rule_file_loader(data: bytes) -> None:
    load_from_file(data, "rules.toml", lambda path: load_rulebook([path], builtin=False))


@FUZZ
@given(inputs(SEED_CONFIG), st.sampled_from((".credlint.toml", "pyproject.toml")), st.booleans())
@example(b"tool = 1", "pyproject.toml", False)
@example(b"[tool]\ncredlint = 1", "pyproject.toml", False)
@example(b"min_score = 1e400", ".credlint.toml", False)
def test_configuration_loader(data: bytes, name: str, in_section: bool) -> None:
    text = data.decode("utf-8", "replace")
    if name == "pyproject.toml" and in_section:
        text = "[tool.credlint]\n" + text
    with contextlib.suppress(CredlintError):
        load_config_text(text, name, name, Path("."))


@FUZZ
@given(inputs(SEED_BASELINE))
@example(b'{"format": "credlint-baseline", "version": 1, "salt": 1, "entries": {}}')
@example(b"[]")
def test_baseline_loader(data: bytes) -> None:
    load_from_file(data, "baseline.json", load_baseline)


@FUZZ
@given(inputs(SEED_PATCH), st.integers(1, 64))
def test_patch_parser(data: bytes, block: int) -> None:
    splitter = CommitSplitter()
    records = [r for start in range(0, len(data), block) for r in splitter.feed(data[start:start + block])]
    records += splitter.end()
    assert b"".join(records) in data or not records  # nothing invented, nothing reordered
    for raw in split_commits(data) + records:
        try:
            _, patch, sections = split_commit(raw)
        except (CommitFormatError, ValueError, IndexError):
            continue  # what the reader counts as an unreadable commit
        for start, end in sections:
            diff = parse_file(patch[start:end])
            diff.added()
            diff.added_line_numbers()
