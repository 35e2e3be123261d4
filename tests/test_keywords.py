from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from credlint.detectors.keywords import AhoCorasickMatcher, HyperscanMatcher, KeywordMatcher, byte_to_char_offsets

KEYWORDS = ["ghp_", "password", "token"]
TEXTS = [
    "x = 1\npassword = 'a'\nTOKEN=ghp_abc\n",
    "café = 1\nPassword = 'é'\n# ünïcode token\n",  # non-ASCII: byte and character offsets differ
    "",
    "%PDF \udce2\udce3 token?\udccf password\n\U0001f511 ghp_ é?token",  # escaped bytes, '?', astral characters
]


def matchers() -> list[KeywordMatcher]:
    found: list[KeywordMatcher] = [AhoCorasickMatcher(KEYWORDS)]
    with contextlib.suppress(ImportError):  # no Hyperscan wheel on this platform
        found.append(HyperscanMatcher(KEYWORDS))
    return found


@pytest.mark.parametrize("text", TEXTS)
def test_matchers_report_character_end_offsets(text: str) -> None:
    expected = {}
    lowered = text.lower()
    for keyword_id, keyword in enumerate(KEYWORDS):
        ends = [i + len(keyword) for i in range(len(lowered)) if lowered.startswith(keyword, i)]
        if ends:
            expected[keyword_id] = ends
    for matcher in matchers():
        assert {k: sorted(v) for k, v in matcher.hits(text).items()} == expected, type(matcher).__name__


def test_byte_to_char_offsets() -> None:
    data = "é token".encode()
    assert byte_to_char_offsets(data, [data.index(b"token") + 5]) == [7]


def cached_matcher(folder: Path, monkeypatch: pytest.MonkeyPatch) -> HyperscanMatcher:
    pytest.importorskip("hyperscan")
    monkeypatch.setenv("CREDLINT_CACHE_DIR", str(folder))
    return HyperscanMatcher(KEYWORDS)


def test_the_keyword_database_is_read_from_the_cache_the_second_time(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    first = cached_matcher(tmp_path, monkeypatch)
    [stored] = tmp_path.glob("keywords-*.hs")
    import hyperscan

    def no_new_database(*args: object, **kwargs: object) -> None:
        pytest.fail("compiled again")

    monkeypatch.setattr(hyperscan, "Database", no_new_database)
    second = HyperscanMatcher(KEYWORDS)
    assert [second.hits(t) for t in TEXTS] == [first.hits(t) for t in TEXTS]
    assert stored.exists()


def test_a_damaged_keyword_cache_is_compiled_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = cached_matcher(tmp_path, monkeypatch)
    [stored] = tmp_path.glob("keywords-*.hs")
    data = bytearray(stored.read_bytes())
    data[-20] ^= 0xFF
    stored.write_bytes(bytes(data))
    again = HyperscanMatcher(KEYWORDS)
    assert [again.hits(t) for t in TEXTS] == [first.hits(t) for t in TEXTS]


def test_other_keywords_get_their_own_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cached_matcher(tmp_path, monkeypatch)
    other = HyperscanMatcher(["secret"])
    assert other.hits("a secret password") == {0: [8]}
    assert len(list(tmp_path.glob("keywords-*.hs"))) == 1  # the older set's file is replaced, not kept
