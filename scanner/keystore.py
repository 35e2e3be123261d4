"""Binary key stores named by their own structure: a committed PKCS#12 (.p12/.pfx), Java KeyStore or JCEKS file
is a file of private keys, so it is reported as one instead of being skipped as binary.

A key store cannot be read without its password, and need not be: that it is in the repository is the leak.
Its text, for the rules, is one line naming the kind and the SHA-256 of the file (the finding's value), so
two key stores are two findings and the same one committed twice is one.
"""

from __future__ import annotations

import hashlib

JKS_MAGIC = b"\xfe\xed\xfe\xed"
JCEKS_MAGIC = b"\xce\xce\xce\xce"
PKCS7_DATA_OID = bytes.fromhex("06092a864886f70d010701")  # 1.2.840.113549.1.7.1, the PFX's authSafe content type
PFX_VERSION = b"\x02\x01\x03"  # INTEGER 3: the only PFX version (RFC 7292)
HEADER_BYTES = 32
# The names key stores go by; a history reads only binaries named so (a tree reads every file's first bytes).
KEY_STORE_SUFFIXES = (".p12", ".pfx", ".jks", ".jceks", ".keystore", ".truststore", ".bks", ".ks")


def key_store_kind(data: bytes) -> str:
    """'PKCS#12', 'JKS', 'JCEKS', or '' when `data` does not open as a key store does."""
    if data[:4] == JKS_MAGIC:
        return "JKS"
    if data[:4] == JCEKS_MAGIC:
        return "JCEKS"
    head = data[:HEADER_BYTES]
    if head[:1] == b"\x30" and PFX_VERSION in head[:12] and PKCS7_DATA_OID in head:
        return "PKCS#12"
    return ""


def key_store_text(kind: str, data: bytes) -> str:
    """What the rules read in place of the bytes (rules/private-keys.toml, binary-key-store)."""
    return f"binary key store {kind} sha256:{hashlib.sha256(data).hexdigest()}\n"
