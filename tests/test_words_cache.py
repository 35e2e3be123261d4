"""The word sets are built once per machine and read from the cache after that, beside the rule cache."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from credlint.detectors import words
from credlint.detectors.rulebook import load_rulebook


@pytest.fixture
def fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("CREDLINT_CACHE_DIR", str(tmp_path))
    words.english_words.cache_clear()
    yield tmp_path
    words.english_words.cache_clear()  # the next test reads the session's cache again


def test_the_word_sets_are_read_from_the_cache_the_second_time(fresh_cache: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    first = words.english_words()
    [stored] = fresh_cache.glob("words-*.marshal")
    words.english_words.cache_clear()
    monkeypatch.setattr(words, "build_words", lambda: pytest.fail("built again"))
    assert words.english_words() == first
    assert stored.exists()


def test_storing_the_word_sets_keeps_the_rule_cache(fresh_cache: Path) -> None:
    load_rulebook()
    [rules] = fresh_cache.glob("rules-*.marshal")
    words.english_words()
    assert rules.exists() and list(fresh_cache.glob("words-*.marshal"))


def test_a_damaged_word_cache_is_rebuilt(fresh_cache: Path) -> None:
    first = words.english_words()
    [stored] = fresh_cache.glob("words-*.marshal")
    data = bytearray(stored.read_bytes())
    data[-100] ^= 0xFF
    stored.write_bytes(bytes(data))
    words.english_words.cache_clear()
    assert words.english_words() == first
