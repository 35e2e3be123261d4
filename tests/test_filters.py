from __future__ import annotations

import random
import string

import pytest

from credlint.allowlist import Allowlist
from credlint.detectors.rulebook import Rulebook
from credlint.detectors.validators import base62_checksum
from credlint.model import Chunk, Severity
from credlint.pipeline import Scanner, scan_text
from credlint.text import shannon_entropy
from credlint.triage.filters import (
    is_digest,
    is_file_path,
    is_password_hash,
    is_placeholder,
    is_reference,
    is_sequential,
    is_trivial_default,
    is_uuid,
    is_vendor_example,
)
from tests.fakes import pypi_token


@pytest.mark.parametrize(("value", "expected"), [
    pytest.param("${DB_PASSWORD}", True, id="shell-variable"),
    pytest.param("${POSTGRES_PASSWORD:?set", True, id="shell-variable-with-message"),
    pytest.param("{{ secrets.PYPI }}", True, id="actions-expression"),
    pytest.param("{{ .Values.password }}", True, id="helm-template"),
    pytest.param("%(password)s", True, id="python-format"),
    pytest.param("{w}{n}", True, id="str-format-fields"),
    pytest.param("{settings.db_password}", True, id="f-string-field"),
    pytest.param("$API_TOKEN", True, id="dollar-variable"),
    pytest.param("A_BEAUTIFUL_JOIN_TOKEN", True, id="constant-name"),
    pytest.param("SWMTKN_ABCD", False, id="two-words-may-be-a-value"),
    pytest.param("<password>", True, id="angle-brackets"),
    pytest.param("<<SECRET>>", True, id="double-angle"),
    pytest.param("#{DB_PASS}#", True, id="octopus-variable"),
    pytest.param("__API_KEY__", True, id="dunder"),
    pytest.param("%NUGET_PASSWORD%", True, id="windows-variable"),
    pytest.param("YOUR_TOKEN", True, id="your-token"),
    pytest.param("your-api-key-here", True, id="your-api-key"),
    pytest.param("xxxxxxxx", True, id="x-filler"),
    pytest.param("********", True, id="stars"),
    pytest.param("REDACTED", True, id="redacted"),
    pytest.param("changeme", True, id="changeme"),
    pytest.param("ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", True, id="token-shaped-filler"),
    pytest.param("sk_live_xxxxxxxxxxxxxxxxxxxxxxxx", True, id="stripe-filler"),
    pytest.param("AKIAXXXXXXXXXXXXXXXX", True, id="aws-filler"),
    pytest.param("Tr0ub4dor-3", False, id="real-looking-password"),
    pytest.param("breeze-fjord-breeze-54", False, id="passphrase"),
    pytest.param("MYDBq8vKx2PzLm7R", False, id="my-db-inside-random-text"),
])
def test_is_placeholder(value: str, expected: bool) -> None:
    assert is_placeholder(value) is expected


@pytest.mark.parametrize("value", [
    "TODO", "todo: fill in", "tbd", "TBD-later", "fake_token_for_tests", "sk_test_fake", "dummy-secret",
    "dummySecret", "myFakeToken", "fake123", "lorem ipsum dolor", "LoremIpsum", "xxxx-xxxx-xxxx", "REPLACE_ME",
    "replace-with-your-key", "placeholder", "your_api_key", "MyApiKey", "not-a-real-secret", "example.token",
])
def test_placeholder_words_are_found_as_words(value: str) -> None:
    assert is_placeholder(value), value


@pytest.mark.parametrize("value", ["k3TbdQz8LmR2vX9p", "Ax7fakeQ2mZ9", "q9DummyxR2", "u2lorem7Qz", "Zq7xxxxR8pLm",
                                   "b8TODOz2", "mFakezQ81"])
def test_placeholder_words_inside_random_text_are_chance(value: str) -> None:
    assert not is_placeholder(value), value


def test_random_tokens_are_never_taken_for_placeholders() -> None:
    # The issue measured 0.1-0.5 % of valid random tokens dropped for a `tbd` or `fake` in their random part.
    alphabet = string.ascii_letters + string.digits
    rng = random.Random(42)
    tokens = ["sk_live_" + "".join(rng.choice(alphabet) for _ in range(24)) for _ in range(20_000)]
    assert [t for t in tokens if is_placeholder(t)] == []


@pytest.mark.parametrize(("value", "expected"), [
    pytest.param("postgres", True, id="postgres"),
    pytest.param("admin123", True, id="admin123"),
    pytest.param("test-password", True, id="fixture-words"),
    pytest.param("user:password", True, id="user-password"),
    pytest.param("pass%20pass", True, id="percent-encoded-fixture"),
    pytest.param("testpassword", True, id="words-run-together"),
    pytest.param("adminpass9731", False, id="run-together-with-other-digits"),
    pytest.param("testpassworder", False, id="leftover-letters"),
    pytest.param("pass%23pass", True, id="percent-encoded-hash-sign"),
    pytest.param("Kq8%21vR2xLm", False, id="percent-encoded-real-password"),
    pytest.param("Spring2023_844", False, id="human-password"),
])
def test_is_trivial_default(value: str, expected: bool) -> None:
    assert is_trivial_default(value) is expected


@pytest.mark.parametrize(("value", "line", "expected"), [
    pytest.param("sha512-wXdPItzR2RhAOS7E043WgTmtn1b8Ooja", '"integrity": "sha512-wXdPItzR2RhAOS7E043WgTmtn1b8Ooja"',
                 True, id="sri-integrity"),
    pytest.param("45ce9f1957db854869fb2a41483f8c6185c388498ad1556e14368b471ef2165d",
                 'EXPECTED_SHA256 = "45ce9f1957db854869fb2a41483f8c6185c388498ad1556e14368b471ef2165d"', True,
                 id="sha256"),
    pytest.param("b5d27626088f7da6cfabff8fabe36e7822fff66c", "commit: b5d27626088f7da6cfabff8fabe36e7822fff66c", True,
                 id="git-sha"),
    pytest.param("45ce9f1957db854869fb2a41483f8c61", 'TWILIO_AUTH_TOKEN = "45ce9f1957db854869fb2a41483f8c61"', False,
                 id="hex-token-named-as-token"),
])
def test_is_digest(value: str, line: str, expected: bool) -> None:
    assert is_digest(value, line) is expected


def test_identifiers_hashes_and_references() -> None:
    assert is_uuid("c1602ef0-3593-4ce5-bc0d-3aa8d9b5828d")
    assert is_password_hash("pbkdf2_sha256$600000$salt$abcdef")
    assert is_password_hash("ENC(NWu3o8hZ49eVIrxAyXOURSRhlVLEYsRv)")
    assert is_reference("os.environ['DB_PASSWORD']")
    assert is_reference("var.db_password")
    assert is_reference("get_password()")
    assert not is_reference("Spring2023_844")
    assert is_reference("settings.oauth2Client.s3_bucket1")  # identifiers carry a number or two
    assert not is_reference("rh83qVz4JzCOvCOh7riyaTA2VPQeiloq.LdWOFn1sw9iWcakqgLrUS3DhRhZgL")  # a dotted token
    assert is_sequential("abcdefgh") and is_sequential("87654321") and not is_sequential("a7c2e9")
    assert is_vendor_example("AKIAIOSFODNN7EXAMPLE") and is_vendor_example("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")


def test_calls_are_not_dropped_as_a_whole(rulebook: Rulebook) -> None:
    """`x = f(...)` lines are where connect(password=...) and requests.get("https://u:p@h") live."""
    found = scan_text('conn = psycopg2.connect(host="db", password="Hq7!vRt2Lx9")\n'
                      'r = requests.get("https://ci:Vq8!zL3mTx@api.example.org/v1")\n', rulebook, "app.py")
    assert [(f.rule_id, f.location.line) for f in found] == [("python-auth-literal", 1), ("url-credentials", 2)]


def test_every_dropped_candidate_has_a_reason(rulebook: Rulebook) -> None:
    text = 'password = "${DB_PASSWORD}"\nDB_PASSWORD = "postgres"\n'
    result = Scanner(rulebook, explain=True).scan_chunk(Chunk("settings.py", text))
    assert result.findings == []
    assert sorted((d.line, d.rule_id, d.reason) for d in result.dropped) == [
        (1, "hardcoded-password", "placeholder"), (2, "hardcoded-password", "trivial-default")]


def test_configured_allowlist_drops_matching_values(rulebook: Rulebook) -> None:
    text = 'password = "Hq7!vRt2Lx9"\n'
    allow = Allowlist(stopwords=("hq7!",))
    result = Scanner(rulebook, allow, explain=True).scan_chunk(Chunk("a.py", text))
    assert result.findings == [] and [d.reason for d in result.dropped] == ["config-allowlist"]
    scoped = Allowlist(per_rule={"hardcoded-password": Allowlist(stopwords=("hq7!",))})
    assert Scanner(rulebook, scoped).scan_chunk(Chunk("a.py", text)).findings == []
    other = Allowlist(per_rule={"jwt": Allowlist(stopwords=("hq7!",))})
    found = Scanner(rulebook, other).scan_chunk(Chunk("a.py", text)).findings
    assert [f.rule_id for f in found] == ["hardcoded-password"]


def test_pypi_token_username_with_a_stand_in_value_is_not_a_leak(rulebook: Rulebook) -> None:
    found = scan_text('header = base64.b64encode(b"__token__:new-token")\n'
                      'auth = Input(username="__token__", password="skip-stdin")\n'
                      'session.auth = HTTPBasicAuth(TOKEN_USERNAME, token)\n'
                      'requests.get(url, auth=("__token__", os.environ["PYPI_TOKEN"]))\n', rulebook, "app.py")
    assert found == []


def test_pypi_token_username_keeps_a_real_password_or_token_reported(rulebook: Rulebook,
                                                                      rng: random.Random) -> None:
    token = pypi_token(rng)
    found = scan_text(f'header = base64.b64encode(b"__token__:{token}")\n'
                      'auth = HTTPBasicAuth("alice", "Hq7!vRt2Lx9")\n', rulebook, "app.py")
    assert [(f.location.line, f.severity >= Severity.HIGH) for f in found] == [(1, True), (2, True)]


def test_published_example_passwords_are_not_reported(rulebook: Rulebook) -> None:
    found = scan_text('auth = HTTPDigestAuth("Mufasa", "Circle Of Life")\n'
                      'headers = {"Authorization": "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="}\n', rulebook, "app.py")
    assert found == []


def test_published_keys_in_real_format_are_reported_below_unknown_ones(rulebook: Rulebook) -> None:
    """The Azure Storage emulator's key is the same in every installation, but it is a real key format:
    reported, with a score below the same kind of key nobody has published."""
    azurite = ("DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCD"
               "XJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;")
    unknown = azurite.replace("Eby8vdM02xNOcqFlqUwJPLlmEtlCD", "Q7wYtN2kLp9vRsXa3mDfGh5jZcB1e")
    [published] = scan_text(f'CONN = "{azurite}"\n', rulebook, "app.py")
    [fresh] = scan_text(f'CONN = "{unknown}"\n', rulebook, "app.py")
    assert published.rule_id == fresh.rule_id == "azure-storage-connection-string"
    assert published.score < fresh.score


def test_a_checksum_valid_token_with_a_hand_typed_looking_run_is_still_reported(rulebook: Rulebook) -> None:
    """Five letters in sequence mark a dummy, unless the checksum proves the value was generated."""
    body = "Tq8zr0WbkpA4vBCDEFasx0q6Lm2Xn7"
    token = f"ghp_{body}{base62_checksum(body)}"
    [found] = scan_text(f'GITHUB_TOKEN = "{token}"\n', rulebook, "deploy.py")
    assert found.rule_id == "github-pat-classic"


def test_a_random_hex_secret_is_held_to_the_hex_entropy_floor(rulebook: Rulebook) -> None:
    """Random hex tops out at 4 bits a character: a 32-hex key with 3.0-3.5 bits (18 % of them) is a key."""
    value = "c1ec3351178b08fd8edeef7d7a1ed6f3"
    assert 3.0 < shannon_entropy(value) < 3.5
    assert "hardcoded-secret" in {f.rule_id for f in scan_text(f'finicity_token = "{value}"\n', rulebook, "app.py")}
    assert not scan_text('finicity_token = "a0a0b1b1a0a0b1b1a0a0b1b1a0a0b1b1"\n', rulebook, "app.py")


@pytest.mark.parametrize(("value", "expected"), [
    ("~/.config/gcloud/credentials.json", True),
    ("/var/lib/images/disk-0.img", True),
    ("~/.ssh/id_ed25519", True),  # the home folder and OpenSSH's key name: neither is random text
    ("~/.ssh/id_rsa.pub", True),
    ("/home/deploy/.ssh/id_ecdsa_sk", True),
    ("~/Xk9mQ2vLp8wR4zB7", False),  # one random segment after the home folder
    ("/Xk9mQ2vLp8wR4z/aB3dE5fG7hJ9kL1m", False),  # base64 may start with `/`
])
def test_is_file_path(value: str, expected: bool) -> None:
    assert is_file_path(value) is expected


@pytest.mark.parametrize(("line", "reported"), [
    ('client_secret = "%d-8fk2qpzvyt-%d"\n', False),  # a printf template, filled in at run time
    ('api_token = "Zq8vKx2PzLm7%s-RtY4wN6bQ3j"\n', False),
    ('SECRET_KEY = "hj&9x!ey6a5y3)sbch#k%vq2x9l-+f*9#*+jk(x!1kt2a$k9yn"\n', True),  # Django's alphabet has %
    ('api_token = "tenant-%v-Zq8vKx2PzLm7RtY4wN6b"\n', False),
    ('api_secret = "Zq8vKx2PzLm7RtY4wN6bQ3jH8sLd"\n', True),
    ('sas_token = "sv%3D2024%2Bsig%3DZq8vKx2PzLm7RtY4wN6bQ3"\n', True),  # percent-encoded, uppercase hex
    ('db_password = "Zq8v%sKx2Pz!"\n', True),  # a chosen password may hold %s
])
def test_a_value_holding_a_printf_verb_is_a_template_unless_it_is_a_password(rulebook: Rulebook, line: str,
                                                                               reported: bool) -> None:
    assert bool(scan_text(line, rulebook, "client.py")) is reported, line
