from __future__ import annotations

import contextlib

import pytest

from credlint.detectors.keywords import AhoCorasickMatcher, HyperscanMatcher, KeywordMatcher, byte_to_char_offsets

KEYWORDS = ["ghp_", "password", "token"]
TEXTS = [
    "x = 1\npassword = 'a'\nTOKEN=ghp_abc\n",
    "café = 1\nPassword = 'é'\n# ünïcode token\n",  # non-ASCII: byte and character offsets differ
    "",
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
