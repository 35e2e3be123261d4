"""Fake credentials in their real formats (prefixes, lengths, checksums), drawn from a seeded RNG."""

from __future__ import annotations

import base64
import json
import random
import string

from credlint.detectors.validators import base62_checksum

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


def random_bytes(rng: random.Random, n: int) -> bytes:
    return bytes(rng.randrange(256) for _ in range(n))


def pem(label: str, raw: bytes, headers: tuple[str, ...] = ()) -> str:
    body = base64.b64encode(raw).decode()
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    head = [*headers, ""] if headers else []
    return "\n".join([f"-----BEGIN {label}-----", *head, *lines, f"-----END {label}-----"])


def der_sequence(content: bytes) -> bytes:
    """An ASN.1 SEQUENCE header with the exact length of `content` (what a whole DER key has)."""
    size = len(content)
    if size < 0x80:
        return b"\x30" + bytes([size]) + content
    length = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return b"\x30" + bytes([0x80 | len(length)]) + length + content


def clear_key(rng: random.Random, label: str = "PRIVATE KEY", size: int = 300) -> str:
    """A PEM private key whose body is a DER SEQUENCE of random bytes (the shape of PKCS#1/#8/SEC1)."""
    return pem(label, der_sequence(random_bytes(rng, size)))


def ssh_string(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def openssh_key(rng: random.Random, cipher: str = "none") -> str:
    kdf = (b"none", b"") if cipher == "none" else (b"bcrypt", ssh_string(random_bytes(rng, 16)) + b"\0\0\0\x10")
    public = ssh_string(b"ssh-ed25519") + ssh_string(random_bytes(rng, 32))
    blob = (b"openssh-key-v1\0" + ssh_string(cipher.encode()) + ssh_string(kdf[0]) + ssh_string(kdf[1])
            + b"\0\0\0\x01" + ssh_string(public) + ssh_string(random_bytes(rng, 144)))
    return pem("OPENSSH PRIVATE KEY", blob)


def legacy_encrypted_key(rng: random.Random) -> str:
    """PKCS#1 under a passphrase (OpenSSL's legacy PEM encryption): the body is AES-CBC ciphertext."""
    iv = random_bytes(rng, 16).hex().upper()
    return pem("RSA PRIVATE KEY", random_bytes(rng, 608), ("Proc-Type: 4,ENCRYPTED", f"DEK-Info: AES-128-CBC,{iv}"))
