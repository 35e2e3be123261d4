"""Python call sites that authenticate with a username and password, found with `ast`.

Regex rules see one line; the parser sees a call spread over lines and follows a simple name to the
module-level constant it was assigned. A password that is a literal (or such a constant) is a leak,
reported on the line that holds it; one read from the environment, a file, getpass, keyring or a
parameter is migration debt for HTTP, mail, FTP and package uploads, and quiet for database drivers,
SSH, proxies and private-key loaders, where the environment is the recommended place and there is no token
to migrate to. A capitalised call as the value (`password=Option(...)`) declares a field; it sends nothing.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

LITERAL_RULE = "python-auth-literal"
ADVISORY_RULE = "python-auth-from-environment"
TOKEN_USERNAME = "__token__"

# Callables whose second positional argument (or `password=`) is an HTTP/mail/FTP password.
# urllib.request's add_password(realm, uri, user, passwd) and poplib's pass_(password) included.
PASSWORD_CALLS = {"HTTPBasicAuth": 1, "HTTPDigestAuth": 1, "BasicAuth": 1, "DigestAuth": 1, "login": 1,
                  "add_password": 3, "pass_": 0}
# Database, SSH and proxy clients: literal passwords are leaks, environment passwords are fine (a SOCKS
# proxy, like a database, has no token to migrate to).
QUIET_WHEN_ENV = {"connect", "Connection", "MongoClient", "Redis", "StrictRedis", "SSHClient", "SOCKSProxyManager"}
# Classes that hold a password read at run time: still a password being used.
SECRET_WRAPPERS = {"SecretStr", "SecretBytes", "Secret"}


@dataclass(frozen=True, slots=True)
class AuthSite:
    rule_id: str
    line: int  # 1-based line of the password (the literal, or the expression read at run time)
    column: int  # 0-based
    value: str


def call_name(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


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
    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.constants = module_constants(tree)

    def literal(self, node: ast.expr) -> ast.Constant | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
            return node
        if isinstance(node, ast.Name):
            return self.constants.get(node.id)
        return None

    def site(self, password: ast.expr, quiet_when_env: bool) -> AuthSite | None:
        constant = self.literal(password)
        if constant is not None:
            raw = constant.value
            value = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
            return AuthSite(LITERAL_RULE, constant.lineno, constant.col_offset, value) if value else None
        if quiet_when_env or is_declaration(password):
            return None
        if isinstance(password, ast.Constant) and password.value is None:
            return None
        return AuthSite(ADVISORY_RULE, password.lineno, password.col_offset, ast.unparse(password))

    def password_of(self, node: ast.Call) -> tuple[ast.expr | None, bool]:
        name = call_name(node)
        keyword = next((k.value for k in node.keywords if k.arg in ("password", "passwd")), None)
        user = next((k.value for k in node.keywords if k.arg in ("username", "user")), None)
        if name in PASSWORD_CALLS:
            index = PASSWORD_CALLS[name]
            positional = node.args[index] if len(node.args) > index else None
            user = node.args[index - 1] if index and len(node.args) >= index else user
            return (None if self.is_token_user(user) else positional or keyword), False
        if keyword is not None:
            return (None if self.is_token_user(user) else keyword), is_quiet_when_env(name)
        auth = next((k.value for k in node.keywords if k.arg == "auth"), None)
        if isinstance(auth, ast.Tuple) and len(auth.elts) == 2 and not self.is_token_user(auth.elts[0]):
            return auth.elts[1], False
        return None, False

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
                password, quiet = self.password_of(node)
                site = self.site(password, quiet) if password is not None else None
            elif isinstance(node, ast.Assign) and is_auth_attribute(node) and isinstance(node.value, ast.Tuple):
                site = self.site(node.value.elts[1], False) if len(node.value.elts) == 2 else None
            else:
                continue
            if site is not None:
                yield site


def is_quiet_when_env(name: str) -> bool:
    """Database, SSH and proxy clients, and private-key loaders (there the "password" decrypts a key)."""
    lowered = name.lower()
    return name in QUIET_WHEN_ENV or lowered.endswith("connect") or "private_key" in lowered or \
        lowered.startswith("load_")


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
MAY_AUTHENTICATE = re.compile(
    r"auth[ \t]*=[ \t]*\(|\.auth\b|BasicAuth|DigestAuth|\.login[ \t]*\(|add_password|\.pass_\("
    r"|passw(?:or)?d[ \t]*=[ \t]*(?!True\b|False\b|None\b)[\"'A-Za-z_]"
)


def iter_auth_sites(text: str) -> Iterator[AuthSite]:
    """Every username/password call site in Python source; nothing (not an error) if it does not parse."""
    if not MAY_AUTHENTICATE.search(text):
        return
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return
    yield from AuthFinder(tree).iter_sites()
