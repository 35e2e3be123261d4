"""GitHub's primaryLocationLineHash, as upload-sarif computes it (codeql-action src/fingerprints.ts).

Computing it ourselves keeps alerts stable for REST uploads too, and the action then agrees with us
instead of warning about an "inconsistent fingerprint" (../shared/docs/sarif-github.md §4).
"""

from __future__ import annotations

import hashlib
import hmac

BLOCK_SIZE = 100
MOD = 1 << 64
MOD_MASK = MOD - 1
PRIME = 37
EOF_MARKER = 65535
SPACE, TAB, CR, LF = 0x20, 0x09, 0x0D, 0x0A


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
    """Position-free identity of a finding: keyed, so a short secret cannot be brute-forced from it."""
    digest = hmac.new(key, f"{rule_id}\0{secret_hash}".encode(), hashlib.sha256).hexdigest()
    return digest[:32]
