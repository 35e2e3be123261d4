"""Fake credentials in their real formats (prefixes, lengths, checksums), drawn from a seeded RNG."""

from __future__ import annotations

import base64
import json
import random
import string

from scanner.validators import base62_checksum

ALNUM = string.ascii_letters + string.digits


def rand(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def crc32_token(prefix: str, rng: random.Random, *, leading_zero: bool | None = None) -> str:
    """`prefix` + 30 random base62 + checksum; leading_zero picks tokens whose checksum starts with '0'."""
    while True:
        body = rand(rng, ALNUM, 30)
        checksum = base62_checksum(body)
        if leading_zero is None or checksum.startswith("0") == leading_zero:
            return f"{prefix}{body}{checksum}"


def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def macaroon_v2(location: str, identifier: bytes, caveat: bytes, signature: bytes) -> bytes:
    def field(kind: int, data: bytes) -> bytes:
        return varint(kind) + varint(len(data)) + data

    return (b"\x02" + field(1, location.encode()) + field(2, identifier) + b"\x00"
            + field(2, caveat) + b"\x00" + b"\x00" + field(6, signature))


def pypi_token(rng: random.Random, location: str = "pypi.org") -> str:
    identifier = json.dumps({"version": 1, "nonce": rand(rng, "0123456789abcdef", 32)}).encode()
    caveat = json.dumps([1, {"project_ids": [rand(rng, "0123456789abcdef", 8)]}]).encode()
    signature = bytes(rng.randrange(256) for _ in range(32))
    raw = macaroon_v2(location, identifier, caveat, signature)
    return "pypi-" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def jwt(rng: random.Random) -> str:
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = b64url(json.dumps({"sub": rand(rng, ALNUM, 12), "exp": 4102444800}).encode())
    return f"{header}.{payload}.{b64url(bytes(rng.randrange(256) for _ in range(32)))}"
