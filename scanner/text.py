"""Text as the pipeline sees it: decoding that never fails, offsets to lines and columns, value maths."""

from __future__ import annotations

import bisect
import codecs
import math
import re
from collections import Counter

NEWLINE = re.compile("\n")
CONTEXT = 256  # characters of the line either side of a value that filters and the score look at


def decode(data: bytes) -> str:
    """One stray Latin-1 byte must not hide a whole file from the scan; surrogateescape keeps going and
    still round-trips to the exact bytes, so hashes match the file on disk."""
    return data.decode("utf-8", "surrogateescape")


# Longest first: the UTF-32 little-endian mark begins with the UTF-16 one.
BYTE_ORDER_MARKS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
                    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def decode_marked(data: bytes) -> str | None:
    """The text of data that starts with a byte order mark (Windows tools write UTF-16 with one: its NULs
    must not make it "binary"), without the mark; None when there is no mark."""
    for mark, encoding in BYTE_ORDER_MARKS:
        if data.startswith(mark):
            body = data[len(mark):]
            return decode(body) if encoding == "utf-8" else body.decode(encoding, "replace")
    return None


def only_cr_to_lf(text: str) -> str:
    """A file whose lines end in CR alone (classic Mac OS) is read as lines, not as one line; CRLF and LF
    files, and a stray CR inside a line of either, are left as they are."""
    # "\n" first: in an ordinary file it is found within a line, where "\r" in text reads the whole file.
    return text.replace("\r", "\n") if "\n" not in text and "\r" in text else text


def encode(text: str) -> bytes:
    """The exact bytes decode() was given."""
    return text.encode("utf-8", "surrogateescape")


# C0 controls but tab, DEL, C1 controls, and the bidirectional overrides of "Trojan Source": a file name,
# author or value holding them must not move a terminal's cursor, rewrite a line, open a hyperlink (OSC 8)
# or reorder what is shown.
TERMINAL_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """`text` with every character a terminal would act on written as a visible escape (\\x1b, \\u202e)."""
    return TERMINAL_UNSAFE.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}",
                               text)


def printable(text: str) -> str:
    """Undecodable bytes as U+FFFD: for display, and for GitHub, which reads files that way."""
    return encode(text).decode("utf-8", "replace")


class LineIndex:
    """Maps character offsets to 1-based (line, column) and back to the line's text.

    Most files have one or two candidates: counting newlines for those is cheaper than indexing every
    line of the file, so the table of line starts is built only once a file asks for more.
    """

    EAGER_AFTER = 4

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts: list[int] | None = None
        self.lookups = 0

    @property
    def starts(self) -> list[int]:
        if self._starts is None:
            self._starts = [0] + [m.end() for m in NEWLINE.finditer(self.text)]
        return self._starts

    def line_of(self, offset: int) -> int:
        self.lookups += 1
        if self._starts is None and self.lookups <= self.EAGER_AFTER:
            return self.text.count("\n", 0, offset) + 1
        return bisect.bisect_right(self.starts, offset)

    def line_start(self, line: int) -> int:
        return self.starts[line - 1]

    def position(self, offset: int) -> tuple[int, int]:
        line = self.line_of(offset)
        return line, offset - (self.text.rfind("\n", 0, offset) + 1) + 1

    def line_text(self, line: int) -> str:
        return self.text_around(self.line_start(line))

    def text_around(self, offset: int) -> str:
        """The whole line holding the offset."""
        start = self.text.rfind("\n", 0, offset) + 1
        end = self.text.find("\n", offset)
        return self.text[start:end if end >= 0 else len(self.text)]

    def context(self, start: int, end: int) -> str:
        """The line around a value, at most CONTEXT characters either side of it: what filters read. A
        whole 1 MB line per candidate would make every line check quadratic in the line's length."""
        low, high = max(0, start - CONTEXT), min(len(self.text), end + CONTEXT)
        begin = self.text.rfind("\n", low, start) + 1 or low
        stop = self.text.find("\n", end, high)
        return self.text[begin:high if stop < 0 else stop]


def shannon_entropy(value: str) -> float:
    """Bits per character; random base62 is about 5.95, English words about 3."""
    if not value:
        return 0.0
    total = len(value)
    return -sum(n / total * math.log2(n / total) for n in Counter(value).values())


def b64decode_loose(data: str) -> bytes | None:
    """Decode standard or URL-safe base64 with or without padding; None when it is not base64."""
    import base64  # few values are decoded: keep base64 off the start-up path
    import binascii

    cleaned = re.sub(r"\s+", "", data).replace("-", "+").replace("_", "/")
    cleaned += "=" * (-len(cleaned) % 4)
    try:
        return base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError):
        return None
