"""Python call sites that authenticate with a username and password, found with `ast`.

Regex rules see one line; the parser sees a call spread over lines and follows a simple name to the
module-level constant it was assigned. A password that is a literal (or such a constant) handed to any
call is a leak, reported on the line that holds it.

A password read at run time is migration debt only at a known outbound client login, one expression wide:
HTTP basic/digest auth objects and `auth=(user, password)` tuples, `login()` on a mail, FTP or registry
client, urllib's password manager, poplib's `pass_`. Everything else that merely has a `password`
parameter stays quiet: key-file passphrases and KDFs, password hashing and account management,
server-side parsing of an incoming header, schema fields, database drivers and SSH (the environment is
the recommended place there), proxies (nothing to migrate to), and OAuth client credentials or tokens
sent as the password (that is already the token flow).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from credlint.detectors.regex import line_windows
from credlint.detectors.rulebook import Rule
from credlint.model import Candidate, Chunk
from credlint.text import LineIndex

LITERAL_RULE = "python-auth-literal"
ADVISORY_RULE = "python-auth-from-environment"  # HTTP APIs
MAIL_ADVISORY_RULE = "python-mail-login-from-environment"
FTP_ADVISORY_RULE = "python-ftp-login-from-environment"
REGISTRY_ADVISORY_RULE = "python-registry-login-from-environment"
TOKEN_USERNAME = "__token__"

# Callables whose positional argument at this index (or `password=`) is the password.
# urllib.request's add_password(realm, uri, user, passwd) and poplib's pass_(password) included.
PASSWORD_CALLS = {"HTTPBasicAuth": 1, "HTTPDigestAuth": 1, "BasicAuth": 1, "DigestAuth": 1, "HttpNtlmAuth": 1,
                  "login": 1, "add_password": 3, "pass_": 0}
HTTP_AUTH_OBJECTS = frozenset({"HTTPBasicAuth", "HTTPDigestAuth", "BasicAuth", "DigestAuth", "HttpNtlmAuth",
                               "add_password"})
# `x.login(user, password)`: which client x is decides the service and whether a token route exists.
LOGIN_RECEIVERS = ((re.compile(r"(?i)smtp|imap|pop|mail|server"), MAIL_ADVISORY_RULE),
                   (re.compile(r"(?i)ftp"), FTP_ADVISORY_RULE),
                   (re.compile(r"(?i)docker|registry"), REGISTRY_ADVISORY_RULE))
# Names that say the "password" is already a token or an OAuth client secret, or the login is a proxy's.
ALREADY_TOKEN = re.compile(r"(?i)token|api_?key|\bkey\b|_key\b|\bpat\b|(?:^|[^a-z])secret(?:[^a-z]|$)")
OAUTH_CLIENT = re.compile(r"(?i)client_?id|consumer_?key|app_?id")
PROXY = re.compile(r"(?i)proxy")
# Classes that hold a password read at run time: still a password being used.
SECRET_WRAPPERS = {"SecretStr", "SecretBytes", "Secret"}


@dataclass(frozen=True, slots=True)
class AuthSite:
    rule_id: str
    line: int  # 1-based line of the password (the literal, or the expression read at run time)
    column: int  # 0-based, in characters
    value: str  # the password as written in the source
    end_line: int = 0
    end_column: int = 0


@dataclass(frozen=True, slots=True)
class Sink:
    """Where a password goes: the expression, and the advisory rule if it is an outbound login."""

    password: ast.expr
    advisory: str | None


def call_name(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def receiver_name(node: ast.Call) -> str:
    func = node.func
    return ast.unparse(func.value) if isinstance(func, ast.Attribute) else ""


def module_constants(tree: ast.Module) -> dict[str, ast.Constant]:
    """NAME = "literal" at module level (the last assignment wins, as at run time)."""
    found: dict[str, ast.Constant] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = node.value
    return found


class AuthFinder:
    def __init__(self, tree: ast.Module, source: str) -> None:
        self.tree = tree
        self.lines = source.splitlines()
        self.constants = module_constants(tree)

    def literal(self, node: ast.expr) -> ast.Constant | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
            return node
        if isinstance(node, ast.Name):
            return self.constants.get(node.id)
        return None

    def site(self, sink: Sink) -> AuthSite | None:
        constant = self.literal(sink.password)
        if constant is not None:
            raw = constant.value
            value = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
            return self.located(LITERAL_RULE, constant, value) if value else None
        if sink.advisory is None or is_declaration(sink.password):
            return None
        if isinstance(sink.password, ast.Constant) or ALREADY_TOKEN.search(ast.unparse(sink.password)):
            return None
        return self.located(sink.advisory, sink.password, None)

    def located(self, rule_id: str, node: ast.expr, value: str | None) -> AuthSite:
        """ast counts columns in UTF-8 bytes; findings count characters. A literal is reported by its
        content (inside the quotes), an expression by its source text."""
        line, column = node.lineno, self.characters(node.lineno, node.col_offset)
        end_line = node.end_lineno or line
        end_column = self.characters(end_line, node.end_col_offset or node.col_offset)
        if value is not None:
            inner = self.lines[line - 1].find(value, column) if line <= len(self.lines) else -1
            if inner >= 0:
                return AuthSite(rule_id, line, inner, value, line, inner + len(value))
            return AuthSite(rule_id, line, column, value, end_line, end_column)
        return AuthSite(rule_id, line, column, ast.get_source_segment("\n".join(self.lines), node) or
                        ast.unparse(node), end_line, end_column)

    def characters(self, line: int, byte_offset: int) -> int:
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return len(text.encode("utf-8")[:byte_offset].decode("utf-8", "replace"))

    def sink_of(self, node: ast.Call) -> Sink | None:
        name = call_name(node)
        keyword = next((k.value for k in node.keywords if k.arg in ("password", "passwd")), None)
        user = next((k.value for k in node.keywords if k.arg in ("username", "user")), None)
        if name in PASSWORD_CALLS:
            index = PASSWORD_CALLS[name]
            positional = node.args[index] if len(node.args) > index else None
            user = node.args[index - 1] if index and len(node.args) >= index else user
            password = positional or keyword
            if password is None or self.is_token_user(user):
                return None
            return Sink(password, self.login_advisory(node, name, user))
        auth = next((k.value for k in node.keywords if k.arg in ("auth", "basic_auth")), None)
        if isinstance(auth, ast.Tuple) and len(auth.elts) == 2 and not self.is_token_user(auth.elts[0]):
            return Sink(auth.elts[1], ADVISORY_RULE if self.is_outbound(auth.elts[0], name) else None)
        if keyword is not None and not self.is_token_user(user):
            return Sink(keyword, None)  # any call: a literal is a leak; from elsewhere, nothing to say
        return None

    def login_advisory(self, node: ast.Call, name: str, user: ast.expr | None) -> str | None:
        if not self.is_outbound(user, receiver_name(node)):
            return None
        if name in HTTP_AUTH_OBJECTS:
            return ADVISORY_RULE
        receiver = receiver_name(node)
        return next((rule for pattern, rule in LOGIN_RECEIVERS if pattern.search(receiver)),
                    MAIL_ADVISORY_RULE if name == "pass_" else None)

    def is_outbound(self, user: ast.expr | None, where: str) -> bool:
        """Not an OAuth client authenticating with its id and secret, and not a proxy."""
        user_text = ast.unparse(user) if user is not None else ""
        return not OAUTH_CLIENT.search(user_text) and not PROXY.search(where + user_text)

    def is_token_user(self, user: ast.expr | None) -> bool:
        """`__token__` as the username (PyPI's convention, or a constant named for it): the "password" is an
        API token, which is where the migration leads. A literal token is the token rules' business."""
        if user is None:
            return False
        constant = self.literal(user)
        if constant is not None:
            return constant.value == TOKEN_USERNAME
        return isinstance(user, (ast.Name, ast.Attribute)) and "TOKEN" in ast.unparse(user).upper()

    def iter_sites(self) -> Iterator[AuthSite]:
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Call):
                sink = self.sink_of(node)
            elif isinstance(node, ast.Assign) and is_auth_attribute(node) and is_pair(node.value):
                assert isinstance(node.value, ast.Tuple)
                user, password = node.value.elts
                sink = Sink(password, ADVISORY_RULE if self.is_outbound(user, "") else None)
            else:
                continue
            site = self.site(sink) if sink is not None else None
            if site is not None:
                yield site


def is_pair(value: ast.expr) -> bool:
    return isinstance(value, ast.Tuple) and len(value.elts) == 2


def is_declaration(value: ast.expr) -> bool:
    """`password=Option(type="string")`, `password=fields.Str()`: a schema or form field being declared,
    not a password being sent (a class is constructed: its name is capitalised)."""
    if not isinstance(value, ast.Call):
        return False
    name = call_name(value)
    return name[:1].isupper() and name not in SECRET_WRAPPERS


def is_auth_attribute(node: ast.Assign) -> bool:
    """session.auth = (user, password)."""
    return any(isinstance(t, ast.Attribute) and t.attr == "auth" for t in node.targets)


# Parsing is the expensive part (sympy: 9 s for its 1,500 modules); most files cannot hold a call site.
# Every alternative holds one of PREFILTER_KEYWORDS (any case), which lets the keyword prefilter of
# history scans skip a file change that holds none of them (tests/test_python_auth.py checks it).
PREFILTER_KEYWORDS = ("auth", "login", "pass")
# `.auth` is wanted only as an assignment (`session.auth = user, pw`): a package named `auth` is imported in
# every module of an auth library, and parsing each of them was most of such a repository's scan time.
MAY_AUTHENTICATE = re.compile(
    r"auth[ \t]*=[ \t]*\(|\.auth[ \t]*=(?!=)|BasicAuth|DigestAuth|NtlmAuth|\.login[ \t]*\(|add_password|\.pass_\("
    r"|passw(?:or)?d[ \t]*=[ \t]*(?!True\b|False\b|None\b)[\"'A-Za-z_]"
)
MAX_PARSE_DEPTH_ERRORS = (SyntaxError, ValueError, RecursionError, MemoryError)


def may_authenticate(text: str, keyword_ends: Sequence[int] = ()) -> bool:
    """Whether MAY_AUTHENTICATE matches: only on the lines holding a prefilter keyword when their end offsets
    are known. Every alternative holds a keyword within one line, and searching the whole text was most of the
    regex time of a tree scan (sympy: 149 of 180 ms; `pass` is in every `pass` statement)."""
    if not keyword_ends:
        return MAY_AUTHENTICATE.search(text) is not None
    return any(MAY_AUTHENTICATE.search(text, start, end) for start, end in line_windows(text, list(keyword_ends)))


def iter_auth_sites(text: str, keyword_ends: Sequence[int] = ()) -> Iterator[AuthSite]:
    """Every username/password call site in Python source; nothing (not an error) if it does not parse.
    keyword_ends: where PREFILTER_KEYWORDS end in `text` (any case), when the caller knows."""
    if not may_authenticate(text, keyword_ends):
        return
    try:
        tree = ast.parse(text)
        sites = list(AuthFinder(tree, text).iter_sites())
    except MAX_PARSE_DEPTH_ERRORS:  # a 3,000-term concatenation must not end the scan (issue: hostile input)
        return
    yield from sites


def keyword_ends(hits: Mapping[str, list[int]]) -> list[int]:
    """The end offsets of the prefilter keywords; none when the matcher could not place one (non-ASCII text)."""
    ends = [hits.get(k) for k in PREFILTER_KEYWORDS if k in hits]
    return [] if any(not e for e in ends) else [o for e in ends if e for o in e]


class PythonAuthDetector:
    """The parser as a detector: each site becomes a candidate of the rule it names."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = {rule.id: rule for rule in rules}

    def keywords(self) -> frozenset[str]:
        return frozenset(PREFILTER_KEYWORDS)

    def candidates(self, chunk: Chunk, index: LineIndex,
                   hits: Mapping[str, list[int]]) -> Iterator[tuple[Rule, Candidate]]:
        if not any(k in hits for k in PREFILTER_KEYWORDS):  # most files: decided before any path test
            return
        wanted = {rule_id: rule for rule_id, rule in self.rules.items() if rule.applies_to(chunk.path)}
        if not wanted:
            return
        for site in iter_auth_sites(chunk.text, keyword_ends(hits)):
            rule = wanted.get(site.rule_id)
            if rule is None or site.line > len(index.starts):
                continue
            # The site's position, not a search for its text: the same text may sit earlier on the line.
            start = index.line_start(site.line) + site.column
            end = start + len(site.value)
            yield rule, Candidate(rule.id, chunk.path, start, end, site.value, index.context(start, end))
