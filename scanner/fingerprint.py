"""GitHub's primaryLocationLineHash, as upload-sarif computes it (codeql-action src/fingerprints.ts).

Computing it ourselves keeps alerts stable for REST uploads too, and the action then agrees with us
instead of warning about an "inconsistent fingerprint" (../shared/docs/sarif-github.md §4).
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import replace

from credlint.model import Finding
from credlint.text import printable

BLOCK_SIZE = 100
MOD = 1 << 64
MOD_MASK = MOD - 1
PRIME = 37
EOF_MARKER = 65535
SPACE, TAB, CR, LF = 0x20, 0x09, 0x0D, 0x0A
NEWLINE = re.compile("\n")
ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


def utf16_units(text: str) -> list[int]:
    data = text.encode("utf-16-le", "surrogatepass")
    return [int.from_bytes(data[i:i + 2], "little") for i in range(0, len(data), 2)]


def line_hashes(text: str) -> list[str]:
    """One `hash:occurrence` string per line of the text (plus the empty line after a final newline)."""
    first_mult = pow(PRIME, BLOCK_SIZE, MOD)
    window = [0] * BLOCK_SIZE
    pos = 0
    hash_value = 0
    line_numbers = [-1] * BLOCK_SIZE
    counts: dict[int, int] = {}
    results: list[str] = []
    line = 1
    line_start = True
    prev_cr = False

    def output(line_number: int, value: int) -> None:
        counts[value] = counts.get(value, 0) + 1
        while len(results) < line_number:
            results.append("")
        results[line_number - 1] = f"{value:x}:{counts[value]}"

    def update(unit: int) -> None:
        nonlocal hash_value, pos, line_start
        hash_value = (hash_value * PRIME + unit - first_mult * window[pos]) & MOD_MASK
        window[pos] = unit
        line_numbers[pos] = line if line_start else -1
        line_start = False
        pos = (pos + 1) % BLOCK_SIZE
        # The slot about to be overwritten started a line: its 100-unit window is now complete.
        if line_numbers[pos] != -1:
            output(line_numbers[pos], hash_value)

    for unit in utf16_units(text):
        if unit in (SPACE, TAB) or (prev_cr and unit == LF):
            prev_cr = False
            continue
        if unit == CR:
            unit = LF
            prev_cr = True
        else:
            prev_cr = False
        update(unit)
        if unit == LF:
            line += 1
            line_start = True
    update(EOF_MARKER)
    for _ in range(BLOCK_SIZE):
        update(0)
    return results


def secret_fingerprint(rule_id: str, secret_hash: str, key: bytes) -> str:
    """Position-free identity of a finding: HMAC-SHA256 of rule and value, keyed by the repository's first
    commit. That key is public in every clone, so this hides a value only when the value is too long to
    guess, as generated tokens and keys are; chosen passwords go through chosen_fingerprint."""
    import hashlib
    import hmac

    digest = hmac.new(key, f"{rule_id}\0{secret_hash}".encode(), hashlib.sha256).hexdigest()
    return digest[:32]


# scrypt with these costs takes about 9 ms per value here (docs/json-format.md): a 10,000-word dictionary
# costs 90 CPU-seconds per finding instead of microseconds, while a scan pays 9 ms per reported password.
SCRYPT_COST = {"n": 2 ** 12, "r": 8, "p": 1}


@functools.lru_cache(maxsize=4096)
def chosen_fingerprint(rule_id: str, secret: str, key: bytes) -> str:
    """For passwords, which a person chose and a dictionary may hold: a deliberately slow, salted scrypt."""
    import hashlib

    salt = key + b"\0" + rule_id.encode()
    return hashlib.scrypt(secret.encode("utf-8", "surrogateescape"), salt=salt, dklen=16, **SCRYPT_COST).hex()


def kept_units(text: str) -> str:
    """The text as the hash sees it: CRLF and CR become LF, spaces and tabs are dropped."""
    return text.replace("\r\n", "\n").replace("\r", "\n").translate({SPACE: None, TAB: None})


def window_hash(window: str) -> int:
    """Hash of the 100 units from a line start: the file's end is one 65535 unit, then zeros."""
    units = [ord(c) for c in window[:BLOCK_SIZE]]
    if len(units) < BLOCK_SIZE:
        units += [EOF_MARKER] + [0] * (BLOCK_SIZE - len(units) - 1)
    value = 0
    for unit in units:
        value = (value * PRIME + unit) & MOD_MASK
    return value


def line_hashes_for(text: str, lines: set[int]) -> dict[int, str]:
    """The same values as line_hashes(), for a few lines only: a finding needs its own line's hash.

    Hashing every line of every file with a finding cost 9 of 11 seconds on the synthetic benchmark;
    this hashes only the requested lines and counts earlier lines with an identical 100-unit window
    (equal windows are what give equal hashes, hence the `:N` occurrence number).
    """
    if not text.isascii() and ASTRAL.search(text):  # UTF-16 surrogate pairs: the reference walk handles them
        every = line_hashes(text)
        return {n: every[n - 1] for n in lines if 0 < n <= len(every)}
    kept = kept_units(text)
    starts = [0] + [m.end() for m in NEWLINE.finditer(kept)]
    out: dict[int, str] = {}
    seen: Counter[str] = Counter()  # windows of the lines counted so far: one pass, however many lines asked
    counted = 0
    for number in sorted(n for n in lines if 0 < n <= len(starts)):
        for start in starts[counted:number]:
            seen[kept[start:start + BLOCK_SIZE]] += 1
        counted = number
        window = kept[starts[number - 1]:starts[number - 1] + BLOCK_SIZE]
        out[number] = f"{window_hash(window):x}:{seen[window]}"
    return out


def with_line_hashes(text: str, findings: list[Finding]) -> list[Finding]:
    """Each finding with the line hash of its line in `text`, the file its location refers to. GitHub hashes
    the file as UTF-8 with invalid bytes replaced, so this does the same."""
    if not findings:
        return findings
    hashes = line_hashes_for(printable(text), {f.location.line for f in findings})
    return [replace(f, location=replace(f.location, line_hash=hashes.get(f.location.line, ""))) for f in findings]
