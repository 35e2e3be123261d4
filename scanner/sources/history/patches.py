"""Parsing `git log -p` output: commits, file sections, added lines and their line numbers.

Patches are cut apart with bytes operations and regexes; the Python-level walk over hunk lines that
yields line numbers runs only for the few files that have a finding.
"""

from __future__ import annotations

import bisect
import itertools
import os
import re
from dataclasses import dataclass

from credlint.keyfiles import names_key_file

# Each commit's header line starts with NUL C NUL. Only a line's start counts: every line git prints for a
# patch starts with a diff prefix (+, -, space, \\) or a header word, never NUL, so file content cannot
# forge a commit boundary (a text-diffed .ai file holds NUL C NUL mid-line).
COMMIT_MARK = b"\x00C\x00"
LINE_MARK = b"\n" + COMMIT_MARK
LOG_FORMAT = "%x00C%x00%H%x00%P%x00%an%x00%aI%x00%at"
SHA = re.compile(rb"^[0-9a-f]{40}(?:[0-9a-f]{24})?$")  # SHA-1, or SHA-256 repositories
HUNK = re.compile(rb"^@@+ (?:-\d+(?:,\d+)? )+\+(\d+)(?:,\d+)? @@")


@dataclass(frozen=True, slots=True)
class CommitInfo:
    sha: str
    parents: tuple[str, ...]
    author: str
    date: str  # ISO 8601, the author date
    timestamp: int
    rank: int = 0  # position in `git rev-list` order (larger is older): a tie-break that does not depend on
    # which of the parallel git processes printed the commit first


@dataclass(frozen=True, slots=True)
class FileDiff:
    """One file's change in one commit, as git printed it (headers cut off)."""

    old_path: str
    new_path: str
    body: bytes  # from the first hunk header on
    columns: int = 1  # prefix columns: 1 for a plain diff, one per parent in a merge's combined diff
    binary: bool = False
    new_blob: str = ""  # the post-image's (abbreviated) object id, from the `index` line: a binary file's size

    def added(self) -> bytes:
        """The lines this change adds (for a merge: new against every parent), newline-joined."""
        return b"\n".join(added_pattern(self.columns).findall(self.body))

    def removed(self) -> bytes:
        return b"\n".join(REMOVED.findall(self.body)) if self.columns == 1 else b""

    def added_line_numbers(self) -> list[int]:
        """The new-file line number of each added line, in order: walked only when a finding needs it."""
        numbers: list[int] = []
        line = 0
        new_side = b"+" * self.columns
        for raw in self.body.split(b"\n"):
            if raw.startswith(b"@@"):
                hunk = HUNK.match(raw)
                line = int(hunk.group(1)) if hunk else line
            elif raw.startswith(new_side):
                numbers.append(line)
                line += 1
            elif raw[:1] in (b" ", b"+", b"-") and b"-" not in raw[:self.columns]:
                line += 1  # a merge line kept from one parent still occupies a line of the result
        return numbers


REMOVED = re.compile(rb"^-(.*)$", re.M)
ADDED = {1: re.compile(rb"^\+(.*)$", re.M)}


def added_pattern(columns: int) -> re.Pattern[bytes]:
    if columns not in ADDED:
        ADDED[columns] = re.compile(rb"^\+{%d}(.*)$" % columns, re.M)
    return ADDED[columns]


class CommitFormatError(ValueError):
    """A commit record that does not have the shape LOG_FORMAT gives it: skipped and counted, never fatal."""


def parse_commit_header(line: bytes) -> CommitInfo:
    fields = line.split(b"\x00")
    if len(fields) != 7 or fields[:2] != [b"", b"C"] or not SHA.match(fields[2]) or not fields[6].isdigit():
        raise CommitFormatError(f"unexpected commit header {line[:80]!r}")
    _, _, sha, parents, author, date, stamp = fields
    return CommitInfo(sha.decode(), tuple(parents.decode("ascii", "replace").split()),
                      author.decode("utf-8", "replace"), date.decode("ascii", "replace"), int(stamp))


def split_commits(stream: bytes) -> list[bytes]:
    """A whole `git log --format=LOG_FORMAT` output as one record per commit (see COMMIT_MARK)."""
    records: list[bytes] = []
    start = 0 if stream.startswith(COMMIT_MARK) else -1
    at = stream.find(LINE_MARK)
    while at >= 0:
        if start >= 0:
            records.append(stream[start:at + 1])
        start = at + 1
        at = stream.find(LINE_MARK, at + 1)
    if start >= 0:
        records.append(stream[start:])
    return records


def unquote_path(raw: bytes) -> str:
    """git C-quotes unusual paths ("a\\tb", "\\303\\251"); undo it and keep undecodable bytes."""
    if raw.startswith(b'"') and raw.endswith(b'"'):
        raw = raw[1:-1].decode("unicode_escape").encode("latin-1")
    return os.fsdecode(raw)


def header_path(line: bytes, prefix: str) -> str:
    """Path from a `--- a/x` or `+++ b/x` line; '' for /dev/null. git ends names holding a space with a tab."""
    target = line[4:].removesuffix(b"\t")
    if target == b"/dev/null":
        return ""
    return unquote_path(target).removeprefix(prefix)


BINARY_FILES = re.compile(rb"^Binary files (.+) and (.+) differ$")


def binary_path(line: bytes) -> str:
    """`Binary files /dev/null and b/logo.png differ`: a new binary file has no ---/+++ lines."""
    match = BINARY_FILES.match(line)
    if not match:
        return ""
    new = header_path(b"+++ " + match.group(2), "b/")
    return new or header_path(b"--- " + match.group(1), "a/")


def parse_file(section: bytes) -> FileDiff:
    """One `diff --git` / `diff --cc` section: paths and flags from its header, the hunks as the body."""
    hunks_at = section.find(b"\n@@")
    header = section if hunks_at < 0 else section[:hunks_at]
    body = b"" if hunks_at < 0 else section[hunks_at + 1:]
    old = new = blob = ""
    binary = False
    for line in header.split(b"\n")[1:]:
        if line.startswith(b"index "):
            blob = line[6:].partition(b"..")[2].split(b" ", 1)[0].decode("ascii", "replace")
        elif line.startswith(b"--- "):
            old = header_path(line, "a/")
        elif line.startswith(b"+++ "):
            new = header_path(line, "b/")
        elif line.startswith(b"rename from "):
            old = unquote_path(line[12:])
        elif line.startswith(b"rename to "):
            new = unquote_path(line[10:])
        elif line.startswith((b"Binary files ", b"GIT binary patch")):
            binary = True
            new = new or binary_path(line)
    columns = len(body) - len(body.lstrip(b"@")) - 1 if body else 1
    return FileDiff(old, new, body, max(columns, 1), binary, blob)


def file_starts(patch: bytes) -> list[int]:
    """Offsets of each `diff --git`/`diff --cc` line. Hunk lines start with +, - or space, so a line
    starting with "diff --" is always a header; bytes.find beats a MULTILINE regex by 1.4 s on sympy."""
    starts = [0] if patch.startswith(b"diff --") else []
    at = patch.find(b"\ndiff --")
    while at >= 0:
        starts.append(at + 1)
        at = patch.find(b"\ndiff --", at + 1)
    return starts


def split_commit(text: bytes) -> tuple[CommitInfo, bytes, list[tuple[int, int]]]:
    """A raw commit as its header, its patch text and the (start, end) of each file section in it."""
    head_end = text.find(b"\n")
    header = text if head_end < 0 else text[:head_end]
    patch = b"" if head_end < 0 else text[head_end + 1:]
    starts = [*file_starts(patch), len(patch)]
    return parse_commit_header(header), patch, list(itertools.pairwise(starts))


def parse_commit(text: bytes) -> tuple[CommitInfo, list[FileDiff]]:
    commit, patch, sections = split_commit(text)
    return commit, [parse_file(patch[a:b].rstrip(b"\n")) for a, b in sections]


def sections_with_added(patch: bytes, sections: list[tuple[int, int]], ends: list[int]) -> set[int]:
    """Indexes of the sections where one of the given match ends falls on an added line: a line of a hunk
    (so not a `+++ b/path` header) starting with `+` (for a merge: new against at least one parent)."""
    wanted: set[int] = set()
    starts = [a for a, _ in sections]
    body_starts: dict[int, int] = {}
    for end in ends:
        index = bisect.bisect_right(starts, end - 1) - 1
        if index < 0 or index in wanted:
            continue
        line_start = patch.rfind(b"\n", 0, end - 1) + 1
        if patch[line_start:line_start + 1] != b"+":
            continue
        if index not in body_starts:
            hunks_at = patch.find(b"\n@@", starts[index], sections[index][1])
            body_starts[index] = sections[index][1] if hunks_at < 0 else hunks_at + 1
        if line_start > body_starts[index]:
            wanted.add(index)
    return wanted


def needs_header(patch: bytes, start: int, end: int) -> bool:
    """Whether the header of the section patch[start:end] matters on its own: a rename to follow, a binary
    file to count as skipped, or a file that is one key and no keyword (keyfiles.py). Searched in place: most
    sections are never cut out of the patch."""
    hunks_at = patch.find(b"\n@@", start, end)
    header_end = end if hunks_at < 0 else hunks_at
    return any(patch.find(marker, start, header_end) >= 0
               for marker in (b"\nrename from ", b"\nBinary files ", b"\nGIT binary patch")) \
        or names_key_file(patch, start, header_end)


def decode(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")
