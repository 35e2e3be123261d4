"""Named predicates that drop candidates which are not secrets; each returns a reason code or None.

Every check looks at the value itself (and, for a few, the line around it). None drops a line only
because it contains a call: `x = f(...)` is exactly how `connect(password="…")` is written.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable, Sequence

from credlint.allowlist import Allowlist
from credlint.detectors.python_auth import TOKEN_USERNAME
from credlint.detectors.rulebook import Rule, plain_compiled
from credlint.detectors.shape import Shape, judge
from credlint.model import Candidate, Validation
from credlint.text import b64decode_loose, shannon_entropy
from credlint.triage.assessment import ADVISORY_TAG, CHOSEN_KINDS, GENERIC_TAG, MADE_VALUE_TAG, Assessment
from credlint.triage.context import Context, is_production

PLACEHOLDER_SHAPES = re.compile(
    r"""^(?:
        \$\{.*|.*\$\{\{?[^}]*\}\}?.*           # ${VAR}, ${VAR:?msg}, ${{ secrets.X }}
      | \$\(?[A-Za-z_][A-Za-z0-9_]*\)?          # $VAR, $(VAR)
      | .*\{\{.*\}\}.*                          # {{ var }}, {{ .Values.x }}
      | .*\{[A-Za-z_][\w.\[\]'"]*\}.*            # {password}: str.format / f-string fields
      | .*%\([A-Za-z_]+\)[sd].*                 # %(password)s
      | .*\#\{[^}]*\}.*                         # #{X}#, Ruby interpolation
      | <[^<>]{1,60}>|<<[^<>]{1,60}>>           # <password>, <<SECRET>>
      | %[A-Za-z_][A-Za-z0-9_]*%                # %NUGET_PASSWORD%
      | __[A-Z0-9_]+__                          # __API_KEY__
      | [A-Z]+(?:_[A-Z]+){2,}                   # A_BEAUTIFUL_JOIN_TOKEN: a constant's name, not a value
      | \[[A-Za-z_ -]{1,40}\]                   # [your password]
      | \$[0-9]+                                # $1 (shell/regex back-references)
    )$""",
    re.X,
)
# A placeholder word counts only as a word of the value: between separators or the value's ends (`TODO`,
# `fake_token`, `sk_test_fake`, `fake123`), or as a camelCase word of a value without digits (`dummySecret`).
# Inside random text the same letters are chance: `…k3TbdQz…` in a token's random part dropped 0.1-0.5 % of
# valid random tokens when any occurrence counted.
PLACEHOLDER_WORD_LIST = (
    r"(?:your|my)[_-]?(?:own[_-]?)?(?:[a-z]+[_-]){0,2}"
    r"(?:api|app|secret|token|key|password|passwd|pass|pwd|access|client|auth|db|user|username|account)"
    r"|change[_-]?me|replace[_-]?(?:me|this|with)|placeholder|redacted|dummy|fake|sample|example"
    r"|not[_-]?a[_-]?(?:real|secret)|insert[_-]?(?:your|here)|put[_-]?your|enter[_-]?your|x{4,}|todo|tbd"
    r"|fixme|lorem|foobar"
)
# Five letters or more after a separator or the value's start are a placeholder whatever follows
# (`loremipsumdolor`, `sample-value-1`): random text starts so with a chance of one in a billion.
LONG_PLACEHOLDER_WORDS = (r"placeholder|redacted|dummy|sample|example|fixme|lorem|foobar|change[_-]?me"
                          r"|replace[_-]?(?:me|this|with)|insert[_-]?(?:your|here)|put[_-]?your|enter[_-]?your")
WORD_START, WORD_END = r"(?:^|(?<=[^A-Za-z0-9]))", r"(?:$|(?=[^A-Za-z0-9]))"
DIGITS_END = r"(?=[0-9]+(?:$|[^A-Za-z0-9]))"  # `fake123`, `/sample123/`
CAMEL_HUMP = r"(?<=[a-z])(?=[A-Z])"
PLACEHOLDER_WORDS = re.compile(rf"{WORD_START}(?i:{PLACEHOLDER_WORD_LIST})(?:{WORD_END}|{DIGITS_END})"
                               rf"|{WORD_START}(?i:{LONG_PLACEHOLDER_WORDS})|\*\*\*|\.\.\.|…")
CAMEL_PLACEHOLDER_WORDS = re.compile(
    rf"(?:{WORD_START}|{CAMEL_HUMP})(?i:{PLACEHOLDER_WORD_LIST})(?:{WORD_END}|{CAMEL_HUMP})")
MAX_PLACEHOLDER_LENGTH = 200
MAX_FIXTURE_LENGTH = 40
# Shorter passwords (`pw`, `1234`, `123£`) are test vectors and fixtures: no service takes them today.
MIN_PASSWORD_LENGTH = 6
MIN_FIXTURE_WORD = 3  # "sa", "x": shorter words would split almost anything
PERCENT_ESCAPE = re.compile(r"%[0-9a-f]{2}")
FILLER_RUN = re.compile(r"([xX*#.0])\1{7,}")
TRIVIAL_PASSWORDS = frozenset(
    {"password", "passwd", "pass", "pwd", "secret", "test", "testing", "example", "postgres", "root", "admin",
     "admin123", "guest", "user", "username", "changeme", "changeit", "default", "letmein", "qwerty", "1234",
     "12345", "123456", "12345678", "none", "null", "nil", "undefined", "true", "false", "mysql", "redis",
     "rabbitmq", "oracle", "cassandra", "sa", "demo", "local", "dev", "development", "toor", "foo", "bar", "baz",
     "password123", "password1", "secret123", "test123", "pass123", "dbpass", "mypassword", "s3cr3t", "p@ssw0rd",
     "string", "str", "empty", "required", "optional", "hidden", "sensitive", "token", "apikey", "api_key",
     "bearer", "basic", "key", "value", "x", "xxx", "tiger", "scott", "airflow", "keycloak", "minio", "minioadmin",
     "supersecret", "secretpassword", "hunter2", "correct-horse", "guest123", "welcome", "welcome1"}
)
VENDOR_EXAMPLES = frozenset(
    {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
     "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ"
     ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"}
)
# Last: the Azure Storage emulator's (Azurite's) published account key, the same in every installation.
VENDOR_EXAMPLE_MARKERS = ("SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
                          "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq")
# The example passwords of the HTTP authentication RFCs (7617 Basic, 2617/7616 Digest), copied into tests.
RFC_EXAMPLE_PASSWORDS = frozenset({"open sesame", "circle of life", "circleoflife"})
HEX_DIGEST = re.compile(r"^(?:[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{56}|[0-9a-f]{64}|[0-9a-f]{96}|[0-9a-f]{128})$", re.I)
DIGEST_PREFIX = re.compile(r"(?i)(?:sha(?:1|224|256|384|512)[-:=]|md5[-:]|h1:|blake2b?[-:])\s*$")
DIGEST_CONTEXT = re.compile(r"(?i)(?:sha\d*|md5|digest|checksum|hash|etag|integrity|commit|revision|\bref\b|\brev\b)")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
PASSWORD_HASH = re.compile(
    r"^(?:pbkdf2_sha\d+\$|bcrypt\$|argon2\$|\$2[abxy]?\$\d\d\$|\$argon2(?:id|i|d)\$|\$[156]\$|\$(?:apr1|y|gy|md5)\$|\{S?SHA\d*\}|"
    r"scrypt:|sha\d+\$|ENC\(|enc:|vault:|AQICA|arn:aws:)"
)
REFERENCE = re.compile(
    r"""^(?:
        (?:os\.)?(?:environ|getenv)\b.* | process\.env\b.* | System\.getenv.* | ENV\[.* | ENV\.fetch.*
      | (?:self|this|settings|config|cfg|conf|options|opts|args|params|props|env|secrets|vars?|var|local|data|module)
        \.[A-Za-z_][\w.]*.*
      | [A-Za-z_][\w]*\(.*\)?                     # a call: the value is computed, not written here
      | [A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)+         # attribute chains: cfg.db.password
      | (?:secretKeyRef|existingSecret|valueFrom)\b.*
      | !(?:vault|Ref|Sub|GetAtt|ImportValue)\b.*
      | @Value\(.*
    )$""",
    re.X,
)
PATH_LIKE = re.compile(r"^\.{0,2}/?(?:[a-z0-9_.-]+/)+[a-z0-9_.-]*$")
SEQUENTIAL_RUNS = ("0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiop", "asdfghjkl", "zxcvbnm")


def is_placeholder(value: str) -> bool:
    stripped = value.strip().strip("'\"`")
    if not stripped:
        return True
    if PLACEHOLDER_SHAPES.match(stripped):
        return True
    # Nobody types a placeholder hundreds of characters long; in a key body such words are chance.
    if len(stripped) <= MAX_PLACEHOLDER_LENGTH and has_placeholder_word(stripped):
        return True
    return bool(set(stripped.lower()) <= set("x*#.-_0 ") or is_mostly_filler(stripped))


def has_placeholder_word(value: str) -> bool:
    if PLACEHOLDER_WORDS.search(value):
        return True
    return not any(c.isdigit() for c in value) and bool(CAMEL_PLACEHOLDER_WORDS.search(value))


def is_mostly_filler(value: str) -> bool:
    """Token-shaped fillers: `ghp_XXXX…`, `sk_live_xxxx…`, `AKIAXXXXXXXXXXXXXXXX`, `npm_0000…`."""
    body = value.rsplit("_", 1)[-1]
    filler = sum(1 for c in body if c in "xX*0#.")
    return (len(body) >= 8 and filler / len(body) >= 0.6) or bool(FILLER_RUN.search(value))


def is_trivial_default(value: str) -> bool:
    """`postgres`, `admin123`, and fixtures made only of such words: `test-password`, `user:password`,
    also percent-encoded as URLs carry them (`pass%20pass`)."""
    lowered = value.strip().lower()
    if PERCENT_ESCAPE.search(lowered):
        lowered = urllib.parse.unquote(lowered)
    if lowered in TRIVIAL_PASSWORDS or len(set(lowered)) <= 2 or len(lowered) < MIN_PASSWORD_LENGTH:
        return True
    parts = [p for p in re.split(r"[-_.:@/#+ ]+", lowered) if p]
    if len(parts) > 1 and all(p in TRIVIAL_PASSWORDS or (p.isdigit() and len(p) <= 4) for p in parts):
        return True
    return len(lowered) <= MAX_FIXTURE_LENGTH and is_made_of_trivial_words(lowered)


def is_made_of_trivial_words(value: str) -> bool:
    """`testpassword`, `adminpass`: two or more trivial words run together (a word break at every end)."""
    ends = {0: 0}  # end offset -> words so far
    for start in range(len(value)):
        if start not in ends:
            continue
        for end in range(start + MIN_FIXTURE_WORD, len(value) + 1):
            if value[start:end] in TRIVIAL_PASSWORDS and end not in ends:
                ends[end] = ends[start] + 1
    return ends.get(len(value), 0) > 1


def is_sequential(value: str) -> bool:
    lowered = value.lower()
    return len(lowered) >= 6 and any(lowered in run or lowered in run[::-1] for run in SEQUENTIAL_RUNS)


def is_vendor_example(value: str) -> bool:
    """A published value in a real format (the jwt.io sample, the Azurite key): reported, scored lower."""
    return value in VENDOR_EXAMPLES or any(marker in value for marker in VENDOR_EXAMPLE_MARKERS)


def is_published_password(value: str) -> bool:
    """The HTTP authentication RFCs' example passwords, copied into every test suite."""
    return value.lower() in RFC_EXAMPLE_PASSWORDS


def is_digest(value: str, line: str) -> bool:
    """Hex digests, SRI/npm integrity strings, go.sum h1:, image digests."""
    if value.startswith(("sha512-", "sha384-", "sha256-", "sha1-", "h1:", "sha256:")):
        return True
    position = line.find(value)
    before = line[:position] if position >= 0 else ""
    if DIGEST_PREFIX.search(before):
        return True
    return bool(HEX_DIGEST.match(value) and DIGEST_CONTEXT.search(before))


def is_uuid(value: str) -> bool:
    return bool(UUID.match(value))


def is_password_hash(value: str) -> bool:
    return bool(PASSWORD_HASH.match(value))


def password_hash(rule: Rule, cand: Candidate, judged: Assessment) -> bool:
    """A hash is not the password, except in the files that store the hashes to log in with (shadow, .htpasswd)
    outside tests and examples: there it is the account's credential, crackable offline."""
    in_use = in_store(judged) and is_production(judged.contexts)
    return not in_use and is_password_hash(cand.secret)


def is_reference(value: str) -> bool:
    stripped = value.strip()
    return bool(REFERENCE.match(stripped)) and not is_dotted_token(stripped)


DIGIT_RUN = re.compile(r"\d+")
MAX_IDENTIFIER_DIGIT_RUNS = 2  # `oauth2Client`, `s3_bucket1`; a generated part has digits all through it


def is_dotted_token(value: str) -> bool:
    """`rh83qVz…Y8.LdWOF…` reads as an attribute chain (`cfg.db.password`) but one part is generated: digits
    scattered through it, where an identifier has at most a couple of numbers."""
    return "." in value and any(len(DIGIT_RUN.findall(part)) > MAX_IDENTIFIER_DIGIT_RUNS for part in value.split("."))


def decoded_credentials(rule: Rule, cand: Candidate) -> tuple[str, str | None]:
    """The user and password inside a Basic credential (base64 of user:password), for the same checks as
    any password; no password for other rules."""
    if rule.validator != "basic-credentials":
        return "", None
    raw = b64decode_loose(cand.secret)
    user, _, password = (raw.decode("utf-8", "replace") if raw else "").partition(":")
    return user, password or None


def has_placeholder_credentials(rule: Rule, cand: Candidate, judged: Assessment) -> bool:
    """The password inside a Basic credential judged as any password is (a weak one in a store is kept)."""
    user, password = decoded_credentials(rule, cand)
    if password is None:
        return False
    if is_token_stand_in(user, password) or is_placeholder(password):
        return True
    if in_store(judged):
        return names_the_field(password)
    return is_trivial_default(password) or is_published_password(password)


def is_token_stand_in(user: str, password: str) -> bool:
    """PyPI's token username with a value that is not a PyPI token: a test stand-in. (`__token__:pypi-…`
    is a real token, and a leak.)"""
    return TOKEN_USERNAME in user and not password.startswith("pypi-")


def token_user_before(rule: Rule, cand: Candidate) -> bool:
    """`b64encode(b"__token__:new-token")`, `https://__token__:x@host`, `Input(username="__token__",
    password=TEST_VALUE)`, `auth=("__token__", os.environ[...])`: PyPI's token username on the line, up to
    the end of the value."""
    if rule.kind not in {"basic-auth", "password"}:
        return False
    up_to_value = cand.line_text[:max(0, cand.line_text.find(cand.secret)) + len(cand.secret)]
    return is_token_stand_in(up_to_value, cand.secret)


def is_path_like(value: str) -> bool:
    """`external/cwe/cwe-259`, `config/app.yml`: lower-case word paths, which people do not pick as passwords."""
    return bool(PATH_LIKE.match(value))


def is_quoted(cand: Candidate) -> bool:
    position = cand.line_text.find(cand.secret)
    return position > 0 and cand.line_text[position - 1] in "'\"`"


FilterCheck = Callable[[Rule, Candidate, Assessment], bool]


def failed_validation(rule: Rule, cand: Candidate, judged: Assessment) -> bool:
    return cand.validation is Validation.FAILED


# Random hex tops out at 4 bits a character, and a short one falls well below: of 20,000 random values,
# 18.5 % of 32-character and 55 % of 24-character hex strings are under 3.5 (the generic rules' floor), 0.015 %
# and 0.6 % under 3.0. A hex value is held to the lower floor.
HEX_VALUE = re.compile(r"^[0-9a-fA-F]+$")
HEX_MIN_ENTROPY = 3.0


def low_entropy(rule: Rule, cand: Candidate, judged: Assessment) -> bool:
    if rule.min_entropy <= 0:
        return False
    floor = min(rule.min_entropy, HEX_MIN_ENTROPY) if HEX_VALUE.match(cand.secret) else rule.min_entropy
    return shannon_entropy(cand.secret) < floor


def rule_allow(rule: Rule, cand: Candidate, judged: Assessment) -> bool:
    allow = rule.allow
    return (any(plain_compiled(p).search(cand.secret) for p in allow.secret)
            or any(plain_compiled(p).search(cand.line_text) for p in allow.line)
            or any(plain_compiled(p).search(cand.line_text[max(0, cand.line_text.find(cand.secret) - 80):])
                   for p in allow.match))


def generic_only(check: Callable[[str], bool]) -> FilterCheck:
    """Digest/UUID-shaped values are noise for name-based rules; provider formats already excluded them."""
    return lambda rule, cand, judged: GENERIC_TAG in rule.tags and check(cand.secret)


def password_like(check: Callable[[str], bool]) -> FilterCheck:
    """A check of chosen passwords for weak defaults (`postgres`, `123456`): outside a credential store, where
    such a value is a stand-in; in one (.netrc, .pgpass) it is a weak password in use, and reported, unless it
    only names the field (`password`): that is a template's."""
    return lambda rule, cand, judged: rule.kind in CHOSEN_KINDS and (
        names_the_field(cand.secret, judged) if in_store(judged) else check(cand.secret))


def in_store(judged: Assessment) -> bool:
    return Context.CREDENTIAL_STORE in judged.contexts


FIELD_WORDS = frozenset({"password", "passwd", "pass", "pwd", "passphrase", "secret", "token"})


def names_the_field(value: str, judged: Assessment | None = None) -> bool:
    """The value, or the password it encodes (FileZilla's base64 of `password`), is the field's own name."""
    readable = [value] if judged is None else [value, judged.judged]
    return any(text.strip().lower() in FIELD_WORDS for text in readable)


# Validators that check a checksum or a signature chain: a value passing one is a token, whatever words its
# random part happens to spell. (A structural check, such as an AWS key id's alphabet, proves less.)
CHECKSUM_VALIDATORS = frozenset({"github-checksum", "npm-checksum", "pypi-macaroon"})


def placeholder(rule: Rule, cand: Candidate, judged: Assessment) -> bool:
    checked = cand.validation is Validation.PASSED and rule.validator in CHECKSUM_VALIDATORS
    return not checked and (is_placeholder(cand.secret) or VENDOR_EXAMPLE_WORD in cand.secret)


# AWS and others write EXAMPLE into their documented keys (`AKIAIOSFODNN7EXAMPLE`, session tokens hundreds of
# characters long): whatever the length, such a value was made to be read, not used.
VENDOR_EXAMPLE_WORD = "EXAMPLE"


def readable_token(rule: Rule, cand: Candidate, judged: Assessment) -> bool:
    """Tokens and keys are generated: one that reads as words (`users_list_pagination` after `xoxb-`,
    `DistributionList.NextMarker`, `will-be-removed-soon`) or as a typed pattern is a name or a dummy."""
    return rule.kind in ("token", "key") and judged.is_readable


def patterned_password(rule: Rule, cand: Candidate, judged: Assessment) -> bool:
    """A typed pattern (`qwerty123`) as a password: a stand-in, except in a credential store (password_like)."""
    typed_pattern = password_like(lambda _secret: judged.shape is Shape.PATTERNED)
    return typed_pattern(rule, cand, judged)


def encoded_text(rule: Rule, cand: Candidate, judged: Assessment) -> bool:
    """base64 or hex of readable text (`you're not supposed to decode this!`, `{"foo": "bar"}`); not a password a
    credential store keeps encoded (FileZilla's base64 `<Pass>`): a typed password reads as words."""
    stored_password = rule.kind in CHOSEN_KINDS and in_store(judged)
    return judged.encoded and judged.is_readable and not stored_password


FILE_EXTENSION = re.compile(r"(?i)\.(?:json|ya?ml|pem|key|crt|cer|p12|pfx|jks|txt|cfg|conf|ini|toml|env|gpg|asc)$")


ABSOLUTE_PATH = re.compile(r"^(?:~|\.{1,2})?/|^[A-Za-z]:\\")
# OpenSSH's default key file names: not words, but the most common last segment of a key path.
SSH_KEY_FILE = re.compile(r"id_(?:rsa|dsa|ecdsa|ed25519)(?:[_-]sk)?(?:\.pub)?")


def is_file_path(value: str) -> bool:
    """`$(pwd)/key.json`, `~/.config/gcloud/credentials.json`, `/var/lib/images/disk-0.img`: where a credential
    or a file is kept, not a credential. An absolute path counts when most of its segments read as words
    (random base64 may start with `/` too)."""
    if FILE_EXTENSION.search(value) and ("/" in value or value.count(".") == 1):
        return True
    if not ABSOLUTE_PATH.match(value):
        return False
    segments = [s for s in re.split(r"[/\\]", value) if s and s != "~"]  # `~` is the home folder
    readable = sum(1 for s in segments if SSH_KEY_FILE.fullmatch(s) or judge(s) is not Shape.RANDOM)
    return len(segments) >= 2 and 2 * readable >= len(segments)


# A printf verb (`Bearer %s`, `%d-8fk2qpzv-%d`, Go's `%v` and `%q`): a template the code fills in, not a value.
# Only where the rest of the value is plain token text: a generated secret of symbols (Django's alphabet has
# `%` and `!@#$^&*(-_=+`) holds `%s` or `%x` by chance, one in ten of them, and so may a chosen password, which
# is not judged so at all. `%d` and `%c` before a hex digit may be percent-encoding (`%2F`-style, lowercase).
FORMAT_VERB = re.compile(r"%(?:[svqx]|[dc](?![0-9A-Fa-f]))")
TEMPLATE_TEXT = re.compile(r"[A-Za-z0-9_.:/-]*")


def is_format_template(rule: Rule, cand: Candidate, judged: Assessment) -> bool:
    if GENERIC_TAG not in rule.tags or rule.kind == "password" or not FORMAT_VERB.search(cand.secret):
        return False
    return TEMPLATE_TEXT.fullmatch(FORMAT_VERB.sub("", cand.secret)) is not None


KEY_BEFORE_VALUE = re.compile(r"""([A-Za-z_][\w.-]*)["'\]]?\s*(?::=|=>|==?|:|,)?\s*\(?\s*[rbu]?["'`]?\s*$""")


def names_itself(rule: Rule, cand: Candidate, judged: Assessment) -> bool:
    """`MSG_USERAUTH_GSSAPI_TOKEN = "userauth-gssapi-token"`, `MERGE_ON_SUCCESS = "merge_on_success"`: a
    value spelling its own name is an enum label or a message name."""
    position = cand.line_text.find(cand.secret)
    match = KEY_BEFORE_VALUE.search(cand.line_text[:position]) if position > 0 else None
    if match is None:
        return False
    name, value = normalised(match.group(1)), normalised(cand.secret)
    return len(value) >= 6 and value in name


def normalised(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


# Order matters only for the reason code shown by --explain: the most specific reason first.
FILTERS: Sequence[tuple[str, FilterCheck]] = (
    ("checksum-failed", failed_validation),
    ("placeholder", placeholder),
    ("reference", lambda rule, cand, judged: GENERIC_TAG in rule.tags and not is_quoted(cand)
     and is_reference(cand.secret)),
    ("placeholder-credentials", has_placeholder_credentials),
    ("token-stand-in", lambda rule, cand, judged: token_user_before(rule, cand)),
    ("password-hash", password_hash),
    ("digest", lambda rule, cand, judged: GENERIC_TAG in rule.tags and is_digest(cand.secret, cand.line_text)),
    ("uuid", generic_only(is_uuid)),
    ("path-like", generic_only(is_path_like)),
    ("file-path", generic_only(is_file_path)),
    ("format-template", is_format_template),
    ("names-itself", lambda rule, cand, judged: GENERIC_TAG in rule.tags and names_itself(rule, cand, judged)),
    ("encoded-text", encoded_text),
    ("readable-token", readable_token),
    ("patterned", patterned_password),
    ("trivial-default", password_like(is_trivial_default)),
    ("published-example", password_like(is_published_password)),
    ("sequential", password_like(is_sequential)),
    ("low-entropy", low_entropy),
    ("rule-allowlist", rule_allow),
)


# With PyPI's token username, the "password" read from the environment is a token: no migration left.
ADVISORY_FILTERS = tuple(f for f in FILTERS if f[0] in ("token-stand-in", "rule-allowlist"))
MADE_VALUE_FILTERS = tuple(f for f in FILTERS if f[0] == "rule-allowlist")


def drop_reason(rule: Rule, cand: Candidate, judged: Assessment, allowlist: Allowlist) -> str | None:
    """The reason code of the first filter that drops the candidate, or None to keep it.

    Advisory rules (migration debt) match references to the environment on purpose, so the value filters
    do not apply to them; allowlists still do. Neither do they to a value credlint made (MADE_VALUE_TAG)."""
    checks = FILTERS
    if ADVISORY_TAG in rule.tags:
        checks = ADVISORY_FILTERS
    elif MADE_VALUE_TAG in rule.tags:
        checks = MADE_VALUE_FILTERS
    for reason, check in checks:
        if check(rule, cand, judged):
            return reason
    if allowlist.allows(rule.id, cand.secret):
        return "config-allowlist"
    return None
