from __future__ import annotations

import random

import pytest

from scanner.model import Validation
from scanner.validators import (
    base62_checksum,
    check_aws_key_id,
    check_basic_credentials,
    check_crc32_token,
    check_jwt,
    check_private_key,
    check_pypi_token,
)
from tests.fakes import crc32_token, jwt, pypi_token


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


def test_private_key_body_must_be_der_or_openssh() -> None:
    body = "MIIEvenIy8zJNfbNH2EiauFTOK4aNABNM7oNJGrATIGxuvI+O/nu9fefK0k0r4f1\n" * 3
    assert check_private_key(f"-----BEGIN PRIVATE KEY-----\n{body}-----END PRIVATE KEY-----") is Validation.PASSED
    assert check_private_key("-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----") is Validation.FAILED


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
