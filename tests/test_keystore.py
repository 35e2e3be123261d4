"""A committed key store is a file of private keys: reported as one, never skipped as binary."""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import pytest

from credlint.keystore import key_store_kind
from tests.conftest import git
from tests.helpers import scan_json

RNG = random.Random(7)


def der_length(n: int) -> bytes:
    return bytes([0x82, n >> 8, n & 0xFF])


def pfx_bytes(size: int = 1200, rng: random.Random = RNG) -> bytes:
    """The opening of every PFX (RFC 7292): SEQUENCE { INTEGER 3, SEQUENCE { OID pkcs7-data, [0] … } }."""
    body = rng.randbytes(size)
    content = bytes.fromhex("06092a864886f70d010701") + b"\xa0" + der_length(len(body)) + body
    inner = b"\x30" + der_length(len(content)) + content
    outer = b"\x02\x01\x03" + inner
    return b"\x30" + der_length(len(outer)) + outer


def jks_bytes() -> bytes:
    return b"\xfe\xed\xfe\xed\x00\x00\x00\x02\x00\x00\x00\x01" + RNG.randbytes(900)


@pytest.mark.parametrize(("data", "kind"), [(pfx_bytes(), "PKCS#12"), (jks_bytes(), "JKS"),
                                            (b"\xce\xce\xce\xce\x00\x00\x00\x02" + RNG.randbytes(64), "JCEKS"),
                                            (b"\x30\x82\x01\x00" + RNG.randbytes(300), ""),
                                            (b"\x89PNG\r\n\x1a\n\x00\x00" + RNG.randbytes(64), "")])
def test_key_stores_are_told_by_their_structure(data: bytes, kind: str) -> None:
    assert key_store_kind(data) == kind


def test_a_key_store_is_reported_whatever_its_name_and_other_binaries_are_still_skipped(tmp_path: Path) -> None:
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "signing.p12").write_bytes(pfx_bytes())
    (tmp_path / "deploy" / "release-store").write_bytes(jks_bytes())
    (tmp_path / "logo.bin").write_bytes(b"\x00\x01binary" + RNG.randbytes(200))
    report = scan_json(tmp_path)
    found = sorted((f["path"], f["rule_id"]) for f in report["findings"])
    assert found == [("deploy/release-store", "binary-key-store"), ("deploy/signing.p12", "binary-key-store")]
    assert all(f["redacted"].startswith("sha2") and "(71 chars)" in f["redacted"] for f in report["findings"])
    assert report["summary"]["skipped"]["binary"] == 1


def test_a_key_store_is_reported_whatever_its_digest_happens_to_spell(tmp_path: Path) -> None:
    # These two bodies' SHA-256 digests (`…9856297282…`) read as a typed pattern to the shape judge, about 1 in
    # 1,000 do: they were dropped as readable tokens, and a real key store made by openssl once went unreported.
    for seed in (247, 1567):
        (tmp_path / f"store-{seed}.p12").write_bytes(pfx_bytes(rng=random.Random(seed)))
    report = scan_json(tmp_path)
    assert sorted(f["path"] for f in report["findings"]) == ["store-1567.p12", "store-247.p12"]


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
def test_a_pkcs12_file_made_by_openssl_is_reported(tmp_path: Path) -> None:
    key, cert, store = tmp_path / "k.pem", tmp_path / "c.pem", tmp_path / "out" / "client.pfx"
    store.parent.mkdir()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "1", "-subj", "/CN=credlint-test"], check=True, capture_output=True)
    subprocess.run(["openssl", "pkcs12", "-export", "-in", cert, "-inkey", key, "-out", store,
                    "-passout", "pass:changeit"], check=True, capture_output=True)
    report = scan_json(store.parent)
    assert [f["rule_id"] for f in report["findings"]] == ["binary-key-store"]


def test_a_key_store_deleted_from_head_is_still_reported_from_history(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "client.pfx").write_bytes(pfx_bytes())
    (tmp_path / "logo.bin").write_bytes(b"\x00\x01binary" + RNG.randbytes(200))
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "add certificates")
    git(tmp_path, "rm", "-q", "certs/client.pfx")
    git(tmp_path, "commit", "-qm", "remove the certificate")
    assert scan_json(tmp_path)["findings"] == []
    history = scan_json(tmp_path, "--history")
    assert [(f["path"], f["rule_id"], f["line"]) for f in history["findings"]] == [
        ("certs/client.pfx", "binary-key-store", 1)]
    skipped = {(s["path"], s["reason"]) for s in history["summary"]["skipped_files"]}
    assert skipped == {("logo.bin", "binary")}  # the logo: read by neither walk, counted
