"""The Hyperscan prefilter of the regex rules changes the time of a scan, never its candidates."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credlint.detectors import regex_prefilter
from credlint.detectors.engine import Engine
from credlint.detectors.regex import RegexDetector, spans_lines, within
from credlint.detectors.regex_prefilter import (
    PrefilterRule,
    is_safe_pattern,
    load_or_build,
    readable_part,
    reports_own_examples,
)
from credlint.detectors.rulebook import load_rulebook
from credlint.model import Chunk
from credlint.text import LineIndex

hyperscan = pytest.importorskip("hyperscan")
RULEBOOK = load_rulebook()
ENGINE = Engine(RULEBOOK)
[DETECTOR] = [d for d in ENGINE.detectors if isinstance(d, RegexDetector)]
REGEX_RULES = [r for r in DETECTOR.rules if not spans_lines(r)]


@pytest.fixture(scope="module")
def prefilter() -> regex_prefilter.RegexPrefilter:
    made = load_or_build(DETECTOR.prefilter_rules())
    assert made is not None
    return made


def candidates(text: str, prefiltered: regex_prefilter.RegexPrefilter | None,
               path: str = "snippet.txt") -> list[tuple[str, int, int]]:
    saved = DETECTOR.prefilter
    DETECTOR.prefilter = prefiltered
    try:
        found = DETECTOR.candidates(Chunk(path=path, text=text), LineIndex(text), ENGINE.hits(text))
        return sorted((rule.id, c.start, c.end) for rule, c in found)
    finally:
        DETECTOR.prefilter = saved


def test_every_built_in_single_line_rule_is_covered(prefilter: regex_prefilter.RegexPrefilter) -> None:
    covered = {DETECTOR.rules[i].id for i in prefilter.covered}
    assert covered == {r.id for r in REGEX_RULES}


def test_a_plain_text_without_any_match_rules_out_every_rule(prefilter: regex_prefilter.RegexPrefilter) -> None:
    judgement = prefilter.judge("the key to the token economy is a secret handshake\n" * 50)
    assert judgement.unjudged == ()
    assert all(judgement.ruled_out(i) for i in prefilter.covered)


EXAMPLES = [(rule, example) for rule in REGEX_RULES for example in rule.examples + rule.negative_examples]


@pytest.mark.parametrize("surroundings", ["ascii", "non-ascii line", "separator line", "same line non-ascii"])
def test_every_example_gives_the_same_candidates_with_and_without_it(
        prefilter: regex_prefilter.RegexPrefilter, surroundings: str) -> None:
    around = {"ascii": ("config = {\n", "\n}\n"), "non-ascii line": ("# clé: déjà vu\n", "\n# naïve\n"),
              "separator line": ("a\x1cb = 1\n", "\n"), "same line non-ascii": ("é ", " ü")}[surroundings]
    for rule, example in EXAMPLES:
        text = around[0] + example + around[1]
        assert candidates(text, prefilter, rule.example_path) == candidates(text, None, rule.example_path), \
            (rule.id, example)


# Where `re` and a byte-mode reading part: a Unicode space is `\s`, a Unicode letter `\w` and one character
# (two or more bytes), \x1c is a space; and the value grown past the bytes a bounded repeat allows.
@pytest.mark.parametrize(("old", "new"), [(" ", "\u00a0"), (" ", "\u2028"), (" ", "\x1c"), ("a", "ä"), ("e", "€"),
                                          ("0", "٠"), ("x", "\udcff")])
def test_examples_respelt_with_what_byte_mode_reads_otherwise_give_the_same_candidates(
        prefilter: regex_prefilter.RegexPrefilter, old: str, new: str) -> None:
    for rule, example in EXAMPLES:
        text = example.replace(old, new)
        longer = text.replace(new, new * 40) if new.strip() else text
        for variant in (text, longer):
            assert candidates(variant, prefilter, rule.example_path) == \
                candidates(variant, None, rule.example_path), (rule.id, variant)


# Text made of pieces of the rules' own examples, cut anywhere, glued with characters the two regex
# engines read differently (Unicode letters and spaces, \x1c-\x1f, the vertical tab).
PIECES = st.sampled_from([e for _, e in EXAMPLES]).flatmap(
    lambda e: st.tuples(st.integers(0, len(e)), st.integers(0, len(e))).map(lambda ij: e[min(ij):max(ij)]))
GLUE = st.sampled_from(["", " ", "\n", "\t", "é", "\u00a0", "\u2028", "\x1c", "\x1f", "\x0b", "K", "ſ", "=", '"',
                        "'", ":", "\udcff"])


@settings(max_examples=int(os.environ.get("CREDLINT_FUZZ_EXAMPLES", "300")), deadline=None)
@given(st.lists(st.tuples(PIECES, GLUE), min_size=1, max_size=8))
def test_random_text_gives_the_same_candidates(parts: list[tuple[str, str]]) -> None:
    made = load_or_build(DETECTOR.prefilter_rules())
    text = "".join(piece + glue for piece, glue in parts)
    assert candidates(text, made) == candidates(text, None)


def test_lines_it_cannot_read_are_blanked_in_place() -> None:
    data, unjudged = readable_part("key = 1\nclé = 'x'\nok\n\x1d\n")
    assert data == b"key = 1\n" + b" " * 9 + b"\nok\n \n"
    assert unjudged == ((8, 17), (21, 22))
    assert readable_part("plain\ttext\n") == (b"plain\ttext\n", ())


def blanked_line_by_line(text: str) -> tuple[bytes, tuple[tuple[int, int], ...]]:
    """readable_part's contract, written the slow, obvious way: a line holding anything but ASCII without
    \\x1c-\\x1f becomes spaces, every other line stays as it is."""
    data, spans, offset = [], [], 0
    for line in text.split("\n"):
        if line.isascii() and not any(c in line for c in "\x1c\x1d\x1e\x1f"):
            data.append(line.encode())
        else:
            data.append(b" " * len(line))
            spans.append((offset, offset + len(line)))
        offset += len(line) + 1
    return b"\n".join(data), tuple(spans)


@given(st.text(alphabet=st.sampled_from(["a", "?", "!", "\n", "\r", "é", "日", "\x1c", "\x1f", "\udcff", " "])))
def test_every_unreadable_line_is_blanked_and_every_other_kept_whatever_question_marks_it_holds(text: str) -> None:
    assert readable_part(text) == blanked_line_by_line(text)


def test_keywords_are_kept_only_where_the_prefilter_could_not_read() -> None:
    assert within([3, 10, 12, 30], [(8, 12), (25, 40)]) == [10, 12, 30]


@pytest.mark.parametrize(("pattern", "safe"), [
    (r"(?i)token[ \t]*=[ \t]*([a-z0-9]{20})", True),
    (r"a{,3}", False),  # {0,3} to re, the text "{,3}" to Hyperscan
    (r"[[:alpha:]]+", False),
    (r"(?a)\w+", False),
    (r"caf\u00e9", False),
    (r"key[:=]\s*(\S+)", True),
    ("clé=(\\w+)", False),
])
def test_patterns_the_engines_read_differently_are_not_prefiltered(pattern: str, safe: bool) -> None:
    assert is_safe_pattern(pattern) is safe


def test_a_rule_whose_examples_the_database_misses_is_not_covered() -> None:
    # A database that reads the rule's pattern wrongly (here: another pattern) is caught by its examples.
    database = regex_prefilter.compile_database([r"nothing-like-it"], hyperscan)
    made = regex_prefilter.RegexPrefilter(database, [0], frozenset({0}))
    rule = PrefilterRule(0, r"token=(\w{8})", ("token=abcdefgh",))
    assert not reports_own_examples(made, rule)
    assert reports_own_examples(made, PrefilterRule(0, r"nothing-like-it", ("nothing-like-it",)))


def test_a_pattern_hyperscan_refuses_is_left_to_re() -> None:
    rules = [PrefilterRule(0, r"token=(\w{8})", ("token=abcdefgh",)), PrefilterRule(1, r"\b\B", ())]
    made = regex_prefilter.build(rules, hyperscan)
    assert made is not None and made.covered == frozenset({0})


def built_rules(folder: Path, monkeypatch: pytest.MonkeyPatch) -> list[PrefilterRule]:
    monkeypatch.setenv("CREDLINT_CACHE_DIR", str(folder))
    monkeypatch.setattr(regex_prefilter, "_MADE", {})
    return [PrefilterRule(0, r"token=(\w{8})", ("token=abcdefgh",))]


def test_the_database_is_read_from_the_cache_the_second_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rules = built_rules(tmp_path, monkeypatch)
    first = load_or_build(rules)
    [stored] = tmp_path.glob("regexdb-*.hs")
    monkeypatch.setattr(regex_prefilter, "_MADE", {})
    monkeypatch.setattr(regex_prefilter, "build", lambda *a: pytest.fail("compiled again"))
    second = load_or_build(rules)
    assert first is not None and second is not None and second.covered == first.covered
    assert second.possible("token=abcdefgh") == frozenset({0})
    assert stored.exists()


@pytest.mark.parametrize("damage", ["flip", "group-writable"])
def test_a_damaged_or_untrusted_cache_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  damage: str) -> None:
    rules = built_rules(tmp_path, monkeypatch)
    load_or_build(rules)
    [stored] = tmp_path.glob("regexdb-*.hs")
    if damage == "flip":
        data = bytearray(stored.read_bytes())
        data[-100] ^= 0xFF
        stored.write_bytes(bytes(data))
    else:
        stored.chmod(stored.stat().st_mode | stat.S_IWGRP)
    monkeypatch.setattr(regex_prefilter, "_MADE", {})
    rebuilt: list[bool] = []
    real_build = regex_prefilter.build

    def counting_build(*args: object) -> object:
        rebuilt.append(True)
        return real_build(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(regex_prefilter, "build", counting_build)
    made = load_or_build(rules)
    assert rebuilt == [True]
    assert made is not None and made.possible("token=abcdefgh") == frozenset({0})


def test_a_small_scan_never_builds_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(regex_prefilter, "_MADE", {})
    monkeypatch.setattr(regex_prefilter, "cached_or_built", lambda *a: pytest.fail("made for a small scan"))
    detector = RegexDetector([r for r in RULEBOOK.rules if r.detector == "regex"])
    text = 'api_key = "Zx9Qw2Er7Ty5Ui3Op1As"\n'
    list(detector.candidates(Chunk(path="a.py", text=text), LineIndex(text), ENGINE.hits(text)))
    assert detector.prefilter is None

