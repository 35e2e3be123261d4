"""Offline structural checks: confirm a match is the provider's format without calling the network."""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from credlint.model import Validation
from credlint.text import b64decode_loose

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def base62_checksum(body: str) -> str:
    """GitHub's and npm's checksum: CRC32 of the random part in base62, left-padded with '0' to 6.

    About a fifth of genuine tokens therefore have a checksum starting with '0'; a scanner that
    expects six significant digits rejects exactly those.
    """
    value = zlib.crc32(body.encode("ascii"))
    digits = ""
    while value:
        value, rest = divmod(value, 62)
        digits = BASE62[rest] + digits
    return digits.rjust(6, "0")


def check_crc32_token(secret: str) -> Validation:
    """`prefix_` + 30 random base62 + 6 checksum (ghp_, gho_, ghu_, ghs_, ghr_, npm_)."""
    _, _, tail = secret.partition("_")
    if len(tail) != 36 or not tail.isascii() or not tail.isalnum():
        return Validation.FAILED
    return _passed(base62_checksum(tail[:30]) == tail[30:])


def read_varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while pos < len(data):
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7
    raise ValueError("truncated varint")


def macaroon_fields(raw: bytes) -> list[tuple[int, bytes]] | None:
    """Fields of a libmacaroons v2 binary macaroon (version byte 2, then type/length/value, 0 ends a section)."""
    if not raw or raw[0] != 2:
        return None
    fields: list[tuple[int, bytes]] = []
    pos = 1
    try:
        while pos < len(raw):
            field_type, pos = read_varint(raw, pos)
            if field_type == 0:
                continue
            length, pos = read_varint(raw, pos)
            if pos + length > len(raw):
                return None
            fields.append((field_type, raw[pos:pos + length]))
            pos += length
    except ValueError:
        return None
    return fields


MACAROON_LOCATION, MACAROON_IDENTIFIER, MACAROON_SIGNATURE = 1, 2, 6


def check_pypi_token(secret: str) -> Validation:
    """PyPI upload tokens are `pypi-` + base64url of a v2 macaroon whose location is a PyPI host."""
    raw = b64decode_loose(secret.removeprefix("pypi-"))
    fields = macaroon_fields(raw) if raw else None
    if not fields or fields[0][0] != MACAROON_LOCATION:
        return Validation.FAILED
    kinds = [kind for kind, _ in fields]
    signed = fields[-1][0] == MACAROON_SIGNATURE and len(fields[-1][1]) == 32
    return _passed(fields[0][1] in {b"pypi.org", b"test.pypi.org"} and MACAROON_IDENTIFIER in kinds and signed)


def decode_json_segment(segment: str) -> object:
    import json

    raw = b64decode_loose(segment)
    if raw is None:
        return None
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):  # nested past the interpreter's stack
        return None


def check_jwt(secret: str) -> Validation:
    """A JWT's header must decode to a JSON object with `alg`, its payload to a JSON object."""
    parts = secret.split(".")
    if len(parts) != 3:
        return Validation.FAILED
    header, payload = decode_json_segment(parts[0]), decode_json_segment(parts[1])
    ok = isinstance(header, dict) and "alg" in header and isinstance(payload, dict) and len(parts[2]) >= 16
    if not ok:
        return Validation.FAILED
    from credlint.detectors.shape import is_readable  # here: the word machinery is not part of every start-up

    return _passed(not is_readable(parts[2]))  # a signature spelt in words is a hand-made sample


PEM_BODY = re.compile(r"-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY( BLOCK)?-----(.*?)-----END", re.S)
# Between the lines of a key written as joined string literals: `...\n'  +  'MIIE...` or `"\n"\n    "...`.
LITERAL_JOIN = re.compile(r"""(?:\\[nr])*["']\s*\+?\s*[bBuUrRfF]?["']""")
ESCAPED_BREAK = re.compile(r"\\[nr]")
OPENSSH_MAGIC = b"openssh-key-v1\0"
ARMOR_CRC = re.compile(r"^=[A-Za-z0-9+/]{4}$")


@dataclass(frozen=True, slots=True)
class KeyBlock:
    label: str  # "RSA ", "EC ", "OPENSSH ", "ENCRYPTED ", "PGP ", ""
    headers: tuple[str, ...]  # "Proc-Type: 4,ENCRYPTED", "DEK-Info: …"
    body: bytes | None  # the decoded base64, None when it is not base64


def key_block(secret: str) -> KeyBlock | None:
    """The PEM block in a match, decoded from wherever it was written: a file, a JSON string with `\\n`
    escapes, `\\r\\n` endings, or string literals joined over several lines of code."""
    text = ESCAPED_BREAK.sub("\n", LITERAL_JOIN.sub("", secret))
    match = PEM_BODY.search(text)
    if not match:
        return None
    lines = [line.strip().strip("'\"") for line in match.group(3).strip().splitlines()]
    headers = tuple(line for line in lines if ":" in line)
    # An armoured (PGP) block ends with a CRC-24 line, `=` and four base64 characters.
    data = "".join(line for line in lines if line and ":" not in line and not ARMOR_CRC.match(line))
    return KeyBlock(match.group(1), headers, b64decode_loose(data) if data else None)


def der_length_matches(raw: bytes) -> bool:
    """An ASN.1 SEQUENCE whose declared length is exactly the data: a truncated fragment or a piece of a
    public key pasted under a private-key header is not."""
    if len(raw) < 2 or raw[0] != 0x30:
        return False
    if raw[1] < 0x80:
        return 2 + raw[1] == len(raw)
    size = raw[1] & 0x7F
    if not 1 <= size <= 4 or len(raw) < 2 + size:
        return False
    return 2 + size + int.from_bytes(raw[2:2 + size], "big") == len(raw)


def openssh_cipher(raw: bytes) -> str | None:
    """The cipher name of an openssh-key-v1 blob ("none" when clear), None when the blob is cut short."""
    if not raw.startswith(OPENSSH_MAGIC):
        return None
    pos, fields = len(OPENSSH_MAGIC), []
    for _ in range(3):  # ciphername, kdfname, kdfoptions
        if pos + 4 > len(raw):
            return None
        size = int.from_bytes(raw[pos:pos + 4], "big")
        fields.append(raw[pos + 4:pos + 4 + size])
        pos += 4 + size
    return fields[0].decode("ascii", "replace") if pos + 4 <= len(raw) else None


def is_encrypted(block: KeyBlock) -> bool:
    raw = block.body or b""
    return ("ENCRYPTED" in block.label or any("ENCRYPTED" in h for h in block.headers)
            or openssh_cipher(raw) not in (None, "none"))


def is_whole_key(block: KeyBlock) -> bool:
    raw = block.body
    if raw is None:
        return False
    if raw.startswith(OPENSSH_MAGIC):
        return openssh_cipher(raw) is not None and len(raw) > 64
    if any("ENCRYPTED" in h for h in block.headers):  # legacy PEM encryption: the body is ciphertext
        return len(raw) >= 64 and len(raw) % 8 == 0
    return der_length_matches(raw)


def check_private_key(secret: str) -> Validation:
    """A clear private key: DER whose length is exactly the body, or an OpenSSH key with cipher none.
    PGP blocks are armoured, so only their length is checked. Encrypted keys are another rule's."""
    block = key_block(secret)
    if block is None:
        return Validation.FAILED
    if "PGP" in block.label:
        return _passed(block.body is not None and len(block.body) > 48)
    return _passed(is_whole_key(block) and not is_encrypted(block))


def check_encrypted_private_key(secret: str) -> Validation:
    """A whole private key under a passphrase (legacy PEM Proc-Type, PKCS#8 ENCRYPTED, OpenSSH with a
    cipher): useless without the passphrase, which is often next to it."""
    block = key_block(secret)
    return _passed(block is not None and is_whole_key(block) and is_encrypted(block))


AWS_KEY_ID = re.compile(r"^(AKIA|ASIA|ABIA|ACCA|AIDA|AROA|AIPA|ANPA|ANVA|APKA|AGPA)[A-Z2-7]{16}$")


def check_aws_key_id(secret: str) -> Validation:
    """Known 4-letter prefix then 16 base32 characters (RFC 4648 alphabet: no 0, 1, 8, 9)."""
    return _passed(bool(AWS_KEY_ID.match(secret)))


def check_basic_credentials(secret: str) -> Validation:
    """`Authorization: Basic` value: base64 that decodes to printable `user:password`."""
    raw = b64decode_loose(secret)
    if raw is None:
        return Validation.FAILED
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        return Validation.FAILED
    user, sep, password = decoded.partition(":")
    return _passed(bool(sep and user and password and decoded.isprintable()))


def _passed(ok: bool) -> Validation:
    return Validation.PASSED if ok else Validation.FAILED


VALIDATORS: dict[str, Callable[[str], Validation]] = {
    "github-checksum": check_crc32_token,
    "npm-checksum": check_crc32_token,
    "pypi-macaroon": check_pypi_token,
    "jwt": check_jwt,
    "private-key": check_private_key,
    "encrypted-private-key": check_encrypted_private_key,
    "aws-key-id": check_aws_key_id,
    "basic-credentials": check_basic_credentials,
}
