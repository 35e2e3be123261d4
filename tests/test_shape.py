"""Value shape: values invented for these tests, one table per class, none taken from the corpora."""

from __future__ import annotations

import base64
import random
import string

import pytest

from credlint.detectors.shape import Shape, decoded_text, judge

ALPHABETS = {
    "base62": string.ascii_letters + string.digits,
    "base64": string.ascii_letters + string.digits + "+/",
    "hex": "0123456789abcdef",
    "django-secret": string.ascii_lowercase + string.digits + "!@#$%^&*(-_=+)",
    "printable": string.ascii_letters + string.digits + string.punctuation,
}


@pytest.mark.parametrize("value", [
    pytest.param("marmalade", id="dictionary-word"),
    pytest.param("lighthouse", id="compound-word"),
    pytest.param("bluebirdmorning", id="words-run-together"),
    pytest.param("openthedoorplease", id="sentence-run-together"),
    pytest.param("to-be-filled-in-later", id="hyphenated-sentence"),
    pytest.param("Reservations[].Instances[].InstanceId", id="field-path"),
    pytest.param("PaginationConfig.MaxItems", id="dotted-field-names"),
    pytest.param("last_evaluated_key", id="snake-case-identifier"),
    pytest.param("OrderCreatedEvent", id="camel-case-identifier"),
    pytest.param("MERGE_ON_SUCCESS", id="enum-label"),
    pytest.param("lighthouse7", id="word-and-one-digit"),
    pytest.param("contraseña", id="non-ascii-letters"),
    pytest.param("кодовоеслово", id="another-script"),
    pytest.param("pass%2Fphrase", id="percent-encoded-words"),
])
def test_readable_words(value: str) -> None:
    assert judge(value) is Shape.WORDS


@pytest.mark.parametrize("value", [
    pytest.param("zorblax", id="made-up-word"),
    pytest.param("kwyjibo", id="another-made-up-word"),
    pytest.param("xyzzyPlugh", id="made-up-camel-case"),
    pytest.param("dbAdmPwd", id="abbreviations"),
])
def test_short_letters_only_values_are_typed_not_generated(value: str) -> None:
    assert judge(value) is Shape.WORDS


@pytest.mark.parametrize("value", [
    pytest.param("notARealPassword", id="says-password"),
    pytest.param("my_api_secret_value", id="says-secret"),
    pytest.param("fakeToken123", id="says-fake-and-token"),
    pytest.param("s3cr3tP4ss", id="leet-self-describing"),
    pytest.param("Wr0ngPassw0rd!2024", id="decorated-but-self-describing"),
    pytest.param("testdbpass", id="test-and-pass-inside-a-run"),
    pytest.param("Admin#2024login", id="admin-and-login"),
    pytest.param("ssoauth42", id="auth-inside-a-run"),
])
def test_self_describing_values_are_words_whatever_their_decoration(value: str) -> None:
    assert judge(value) is Shape.WORDS


@pytest.mark.parametrize("value", [
    pytest.param("qwertyuiop123", id="keyboard-row"),
    pytest.param("abcd1234abcd1234", id="alphabet-and-digit-runs"),
    pytest.param("7f3e0000000000aa91", id="long-run-of-one-character"),
    pytest.param("5c2e91abcdefzzzz07bd3f", id="hex-with-hand-typed-runs"),
    # One run of five is enough when the rest looks random: a person filled in a dummy.
    pytest.param("Tq8zr0WbkpA4vBCDEFasx0q6", id="one-alphabet-run-of-five"),
    pytest.param("9fK2x56789mQz7Lr1pWd", id="one-digit-run-of-five"),
])
def test_hand_typed_patterns(value: str) -> None:
    assert judge(value) is Shape.PATTERNED


@pytest.mark.parametrize("value", [
    pytest.param("Harbor2024!blue", id="words-year-symbol"),
    pytest.param("Tiger-Maple-88", id="capitalised-words-and-number"),
    pytest.param("winter-orchid-falcon-93", id="passphrase"),
    pytest.param("P1neappl3#42", id="leet-word-digits-symbol"),
    pytest.param("L4nt3rn~77q", id="leet-word-tilde"),
])
def test_human_passwords(value: str) -> None:
    assert judge(value) is Shape.HUMAN


@pytest.mark.parametrize("alphabet", list(ALPHABETS), ids=list(ALPHABETS))
@pytest.mark.parametrize("length", [16, 24, 40, 64])
def test_generated_values_are_random(alphabet: str, length: int) -> None:
    """Measured on 2,000 values per alphabet and length (docs/scoring.md): from 16 characters on, at most
    one in a thousand reads as words or a pattern. 200 seeded values here: none may."""
    rng = random.Random(f"{alphabet}-{length}")
    values = ["".join(rng.choice(ALPHABETS[alphabet]) for _ in range(length)) for _ in range(200)]
    readable = [v for v in values if judge(v) in (Shape.WORDS, Shape.PATTERNED)]
    assert len(readable) <= 1, readable


@pytest.mark.parametrize(("value", "text"), [
    pytest.param(base64.b64encode(b"this is only a fixture").decode(), "this is only a fixture", id="base64-text"),
    pytest.param(base64.b64encode(b'{"user": "demo"}').decode(), '{"user": "demo"}', id="base64-json"),
    pytest.param("68656c6c6f2d776f726c64", "hello-world", id="hex-text"),
    pytest.param("ZmFrZQ==|c2FtcGxl", "fake|sample", id="joined-base64-parts"),
])
def test_encoded_text_is_decoded(value: str, text: str) -> None:
    assert decoded_text(value) == text


def test_random_bytes_do_not_decode_to_text() -> None:
    rng = random.Random(5)
    for _ in range(500):
        value = base64.b64encode(bytes(rng.randrange(256) for _ in range(24))).decode()
        assert decoded_text(value) is None
