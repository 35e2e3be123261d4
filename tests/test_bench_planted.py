"""The planted-repository scorer: risk lines found per file, capped at the file's count; extra lines counted."""

from __future__ import annotations

from bench.planted import Listed, file_scores, read_listing, summary

LISTING = """\
# name,num_risk,num_informative
.netrc,2,0

# a comment between rows
web/.env,3,2
README.md,0,1
"""


def test_the_listing_skips_comments_and_blank_lines() -> None:
    assert read_listing(LISTING.splitlines()) == {
        ".netrc": Listed(2, 0), "web/.env": Listed(3, 2), "README.md": Listed(0, 1)}


def test_a_file_scores_at_most_its_risk_lines_and_the_rest_is_beyond_the_count() -> None:
    listed = read_listing(LISTING.splitlines())
    lines = {".netrc": {1, 2, 3}, "web/.env": {4}, "README.md": {7}, "notes/other.txt": {1},
             ".leaky-meta/benchmark.py": {9}}
    scores = {s.name: s for s in file_scores(listed, lines)}
    assert (scores[".netrc"].found, scores[".netrc"].beyond) == (2, 1)
    assert (scores["web/.env"].found, scores["web/.env"].beyond) == (1, 0)
    assert (scores["README.md"].found, scores["README.md"].beyond) == (0, 1)
    assert scores["notes/other.txt"].beyond == 1
    assert ".leaky-meta/benchmark.py" not in scores  # the benchmark's own files are not scored
    assert summary(list(scores.values()), per_file=False) == [
        "risk lines found: 3/5 (60.0 %)", "files with a risk line found: 2/2", "reported lines beyond the count: 3"]
