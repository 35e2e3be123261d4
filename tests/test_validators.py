from __future__ import annotations

import json
import random
from collections.abc import Callable

import pytest

from credlint.detectors.validators import (
    base62_checksum,
    check_aws_key_id,
    check_basic_credentials,
    check_crc32_token,
    check_encrypted_private_key,
    check_jwt,
    check_private_key,
    check_pypi_token,
)
from credlint.model import Validation
from tests.fakes import (
    clear_key,
    crc32_token,
    der_sequence,
    jwt,
    legacy_encrypted_key,
    openssh_key,
    pem,
    pypi_token,
    random_bytes,
)


@pytest.mark.parametrize("prefix", ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "npm_"])
@pytest.mark.parametrize("leading_zero", [True, False], ids=["checksum-starts-with-0", "checksum-no-leading-0"])
def test_crc32_tokens_validate_with_and_without_leading_zero(
        prefix: str, leading_zero: bool, rng: random.Random) -> None:
    token = crc32_token(prefix, rng, leading_zero=leading_zero)
    assert token[34:].startswith("0") is leading_zero
    assert check_crc32_token(token) is Validation.PASSED


def test_crc32_token_with_a_wrong_checksum_fails(rng: random.Random) -> None:
    token = crc32_token("ghp_", rng)
    broken = token[:-1] + ("a" if token[-1] != "a" else "b")
    assert check_crc32_token(broken) is Validation.FAILED


def test_base62_checksum_is_left_padded_to_six() -> None:
    # Find a body whose CRC32 is small enough to need padding; the scheme pads with '0'.
    body = next(b for b in (f"{i:030d}" for i in range(200000)) if len(base62_checksum(b).lstrip("0")) < 6)
    assert len(base62_checksum(body)) == 6 and base62_checksum(body).startswith("0")


@pytest.mark.parametrize("location", ["pypi.org", "test.pypi.org"])
def test_pypi_token_decodes_as_a_macaroon_for_pypi(location: str, rng: random.Random) -> None:
    assert check_pypi_token(pypi_token(rng, location)) is Validation.PASSED


def test_pypi_token_for_another_host_fails(rng: random.Random) -> None:
    assert check_pypi_token(pypi_token(rng, "evil.example")) is Validation.FAILED
    assert check_pypi_token("pypi-AgEIcHlwaS5vcmc" + "x" * 60) is Validation.FAILED


def test_jwt_header_and_payload_must_decode(rng: random.Random) -> None:
    assert check_jwt(jwt(rng)) is Validation.PASSED
    assert check_jwt("eyJhbGciOi.eyJzdWIiOi.signaturesignature") is Validation.FAILED


def test_private_key_body_must_be_whole_der_or_openssh(rng: random.Random) -> None:
    key = clear_key(rng)
    assert check_private_key(key) is Validation.PASSED
    assert check_private_key(openssh_key(rng)) is Validation.PASSED
    lines = key.splitlines()
    truncated = "\n".join([*lines[:3], lines[-1]])
    assert check_private_key(truncated) is Validation.FAILED  # the SEQUENCE declares more than is there
    assert check_private_key("-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----") is Validation.FAILED


@pytest.mark.parametrize("writing", [
    pytest.param(lambda key: json.dumps({"private_key": key}), id="json-string-with-escaped-newlines"),
    pytest.param(lambda key: key.replace("\n", "\r\n"), id="crlf"),
    pytest.param(lambda key: "KEY = (\n" + "".join(f"    '{line}\\n'\n" for line in key.splitlines()) + ")",
                 id="joined-python-literals"),
    pytest.param(lambda key: "const KEY = " + " +\n  ".join(f'"{line}\\n"' for line in key.splitlines()) + ";",
                 id="concatenated-js-strings"),
    pytest.param(lambda key: key.replace("\n", "\\r\\n"), id="escaped-crlf"),
])
def test_a_key_is_decoded_from_how_code_writes_it(rng: random.Random, writing: Callable[[str], str]) -> None:
    assert check_private_key(writing(clear_key(rng))) is Validation.PASSED


def test_encrypted_keys_are_their_own_rule(rng: random.Random) -> None:
    for key in (legacy_encrypted_key(rng), openssh_key(rng, "aes256-ctr"),
                pem("ENCRYPTED PRIVATE KEY", der_sequence(random_bytes(rng, 200)))):
        assert (check_private_key(key), check_encrypted_private_key(key)) == (Validation.FAILED, Validation.PASSED)
    clear = clear_key(rng)
    assert (check_private_key(clear), check_encrypted_private_key(clear)) == (Validation.PASSED, Validation.FAILED)


@pytest.mark.parametrize(("key_id", "expected"), [
    pytest.param("AKIA" + "Q" * 15 + "7", Validation.PASSED, id="access-key"),
    pytest.param("ASIA" + "B" * 16, Validation.PASSED, id="session-key"),
    pytest.param("AKIA" + "Q" * 15 + "1", Validation.FAILED, id="digit-1-not-base32"),
    pytest.param("AKXA" + "Q" * 16, Validation.FAILED, id="unknown-prefix"),
])
def test_aws_key_id_structure(key_id: str, expected: Validation) -> None:
    assert check_aws_key_id(key_id) is expected


def test_basic_credentials_need_user_and_password() -> None:
    assert check_basic_credentials("ZGVwbG95OlhxNyFyVHo5cExtMg==") is Validation.PASSED  # deploy:Xq7!rTz9pLm2
    assert check_basic_credentials("bm9jb2xvbg==") is Validation.FAILED  # "nocolon"
