"""Cutting `git log -p` output apart, and choosing which file changes the keyword prefilter sends on."""

from __future__ import annotations

import itertools
import re

from credlint.sources.history.patches import COMMIT_MARK, needs_header, sections_with_added, split_commit

HEADER = COMMIT_MARK + b"a" * 40 + b"\x00\x00Ann\x002024-01-01T00:00:00+00:00\x001704067200\n"


def commit(*sections: bytes) -> bytes:
    return HEADER + b"\n" + b"".join(sections)


def section(path: str, body: bytes) -> bytes:
    name = path.encode()
    return (b"diff --git a/" + name + b" b/" + name + b"\nindex 1111111..2222222 100644\n--- a/" + name
            + b"\n+++ b/" + name + b"\n" + body)


def chosen(raw: bytes, keyword: bytes) -> set[int]:
    _, patch, sections = split_commit(raw)
    ends = [m.end() for m in re.finditer(re.escape(keyword), patch, re.I)]
    return sections_with_added(patch, sections, ends)


def test_only_keywords_on_added_lines_choose_a_section() -> None:
    raw = commit(
        section("password_policy.py", b"@@ -1 +1 @@\n-x = 1\n+x = 2\n"),  # keyword in the path only
        section("a.py", b"@@ -1 +1 @@\n-old_password = 1\n+x = 3\n"),  # keyword on a removed line only
        section("b.py", b"@@ -0,0 +1 @@\n+PASSWORD = 'x'\n"),  # added, upper case
    )
    assert chosen(raw, b"password") == {2}


def test_an_added_line_that_looks_like_a_file_header_still_counts() -> None:
    # The added line "++ password" is printed as "+++ password": inside a hunk it is content, not a header.
    raw = commit(section("notes.txt", b"@@ -0,0 +1 @@\n+++ password: hunter2hunter2\n"))
    assert chosen(raw, b"password") == {0}


def test_merge_lines_new_against_a_parent_count() -> None:
    raw = commit(b"diff --cc conf.py\nindex 1,2..3\n--- a/conf.py\n+++ b/conf.py\n"
                 b"@@@ -1,1 -1,1 +1,2 @@@\n  value = 4\n++password = 'x'\n")
    assert chosen(raw, b"password") == {0}


def test_renames_and_binary_files_keep_their_header() -> None:
    rename = b"diff --git a/old.py b/new.py\nsimilarity index 100%\nrename from old.py\nrename to new.py\n"
    binary = (b"diff --git a/logo.png b/logo.png\nnew file mode 100644\nindex 0000000..1111111\n"
              b"Binary files /dev/null and b/logo.png differ\n")
    plain = section("c.py", b"@@ -1 +1 @@\n-x\n+y\n")
    parts = (plain, rename, plain, binary, plain)
    bounds = list(itertools.pairwise(itertools.accumulate((len(p) for p in parts), initial=0)))
    patch = b"".join(parts)
    assert [needs_header(patch, a, b) for a, b in bounds] == [False, True, False, True, False]
