from __future__ import annotations

import pytest

from credlint.detectors.keywords import build_matcher
from credlint.detectors.python_auth import (
    ADVISORY_RULE,
    FTP_ADVISORY_RULE,
    LITERAL_RULE,
    MAIL_ADVISORY_RULE,
    MAY_AUTHENTICATE,
    PREFILTER_KEYWORDS,
    REGISTRY_ADVISORY_RULE,
    iter_auth_sites,
    keyword_ends,
    may_authenticate,
)
from credlint.detectors.rulebook import Rulebook
from credlint.pipeline import scan_text

HTTP, MAIL, FTP, REGISTRY = ADVISORY_RULE, MAIL_ADVISORY_RULE, FTP_ADVISORY_RULE, REGISTRY_ADVISORY_RULE


@pytest.mark.parametrize(("source", "expected"), [
    pytest.param('requests.get(url, auth=("alice", "Tr0ub4dor-3x"))', [(LITERAL_RULE, 1, "Tr0ub4dor-3x")],
                 id="requests-tuple"),
    pytest.param('PW = "Tr0ub4dor-3x"\nrequests.post(url,\n    auth=HTTPBasicAuth("u", PW))',
                 [(LITERAL_RULE, 1, "Tr0ub4dor-3x")], id="module-constant-across-lines"),
    pytest.param('server.login(user, os.environ["SMTP_PASSWORD"])', [(MAIL, 1, 'os.environ["SMTP_PASSWORD"]')],
                 id="smtp-env-as-written"),
    pytest.param("def f(session, user, pw):\n    session.auth = (user, pw)", [(HTTP, 2, "pw")], id="parameter"),
    pytest.param('ftp.login("ops", getpass.getpass())', [(FTP, 1, "getpass.getpass()")], id="ftp-getpass"),
    pytest.param('registry.login(user, os.environ["REGISTRY_PASSWORD"])',
                 [(REGISTRY, 1, 'os.environ["REGISTRY_PASSWORD"]')], id="registry-login"),
    pytest.param('requests.get(url, auth=HTTPBasicAuth(u, SecretStr(os.environ["PW"])))',
                 [(HTTP, 1, 'SecretStr(os.environ["PW"])')], id="secret-wrapper-is-still-a-password"),
    pytest.param('pop.pass_(os.environ["POP_PASSWORD"])', [(MAIL, 1, 'os.environ["POP_PASSWORD"]')], id="poplib"),
    pytest.param('jira = JIRA(server, basic_auth=(user, os.environ["JIRA_PASSWORD"]))',
                 [(HTTP, 1, 'os.environ["JIRA_PASSWORD"]')], id="basic-auth-keyword-tuple"),
    # Not outbound logins with a password: nothing to migrate.
    pytest.param('psycopg2.connect(password=os.environ["PG"])', [], id="db-env-is-fine"),
    pytest.param('paramiko.SSHClient().connect(host, password=os.environ["SSH_PW"])', [], id="ssh-env-is-fine"),
    pytest.param("SOCKSProxyManager(proxy, username=user, password=pw)", [], id="socks-proxy-variable-is-fine"),
    pytest.param("auth = HTTPProxyAuth(proxy_user, proxy_password)", [], id="proxy-auth"),
    pytest.param("key = load_pem_private_key(data, password=passphrase)", [], id="key-passphrase-variable"),
    pytest.param("key = cls(filename=path, password=password)", [], id="key-file-passphrase"),
    pytest.param("digest = bcrypt.kdf(password=password, salt=salt, desired_key_bytes=32, rounds=16)", [],
                 id="kdf"),
    pytest.param("user.set_password(password=form.password)", [], id="account-management"),
    pytest.param("creds = HTTPBasicCredentials(username=username, password=password)", [],
                 id="server-side-parsing-of-an-incoming-header"),
    pytest.param("resp = client.post(url, auth=(self.client_id, self.client_secret))", [], id="oauth-client-auth"),
    pytest.param("auth = aiohttp.BasicAuth(auth['client_id'], auth['client_secret'])", [],
                 id="oauth-client-auth-object"),
    pytest.param("requests.post(url, auth=requests.auth.HTTPBasicAuth('user', key))", [],
                 id="token-sent-as-the-password"),
    pytest.param("requests.get(url, auth=(user, os.environ['API_TOKEN']))", [], id="token-in-the-tuple"),
    pytest.param("key, secret = self.get_key_and_secret()\nrequests.post(url, auth=HTTPBasicAuth(key, secret))", [],
                 id="app-key-and-secret"),
    pytest.param("self.login(remote_user, password)", [], id="unknown-login-receiver"),
    pytest.param("broker = Namespace(user=Option(type='string'), password=Option(type='string'))", [],
                 id="schema-declaration"),
    pytest.param("module = AnsibleModule(argument_spec=dict(password=dict(type='str', no_log=True)))", [],
                 id="argument-spec"),
    # Literal passwords are leaks wherever they go.
    pytest.param('key = load_pem_private_key(data, password=b"Kq8!vR2xLm")', [(LITERAL_RULE, 1, "Kq8!vR2xLm")],
                 id="key-passphrase-literal-is-a-leak"),
    pytest.param('server.login("ops", b"Kq8!vR2xLm")', [(LITERAL_RULE, 1, "Kq8!vR2xLm")], id="bytes-literal"),
    pytest.param('SOCKSProxyManager(proxy, username="ops", password="Kq8!vR2xLm")', [(LITERAL_RULE, 1, "Kq8!vR2xLm")],
                 id="socks-proxy-literal-is-a-leak"),
    pytest.param('pymysql.connect(host="db", password="Kq8!vR2xLm")', [(LITERAL_RULE, 1, "Kq8!vR2xLm")],
                 id="db-literal-is-a-leak"),
    pytest.param('mgr.add_password(None, "https://api.example.org", "bob", "Kq8!vR2xLm")',
                 [(LITERAL_RULE, 1, "Kq8!vR2xLm")], id="urllib-password-manager"),
    pytest.param('session.auth = "ops", "Kq8!vR2xLm"', [(LITERAL_RULE, 1, "Kq8!vR2xLm")], id="auth-pair-unbracketed"),
    pytest.param("requests.get(url, auth=None)", [], id="auth-none"),
    pytest.param('requests.get(url, headers={"Authorization": f"Bearer {os.environ[\'T\']}"})', [],
                 id="bearer-from-env"),
    pytest.param("def login(self, password: str) -> None: ...", [], id="type-hint"),
    pytest.param("this is not python (", [], id="syntax-error"),
    pytest.param("x = " + " + ".join(["'a'"] * 3000) + "\nlogin(u, 'Kq8!vR2xLm')", [], id="too-deep-to-parse"),
])
def test_auth_sites(source: str, expected: list[tuple[str, int, str]]) -> None:
    assert [(s.rule_id, s.line, s.value) for s in iter_auth_sites(source)] == expected


def test_a_site_is_placed_where_its_password_is_written() -> None:
    """The same text earlier on the line must not move the finding (a search would find the first)."""
    [site] = iter_auth_sites('check("pw"); server.login("pw", "pw")\n')
    assert (site.line, site.column, site.end_column) == (1, 33, 35)
    [site] = iter_auth_sites('x = "é"; server.login(user, os.environ["PW"])\n')
    assert (site.column, site.end_column, site.value) == (28, 44, 'os.environ["PW"]')


def test_placeholder_literal_is_not_a_leak(rulebook: Rulebook) -> None:
    found = scan_text('requests.get(url, auth=("alice", "${API_PASSWORD}"))\n', rulebook, "client.py")
    assert found == []


def test_advisory_findings_are_low_and_say_how_to_migrate(rulebook: Rulebook) -> None:
    [finding] = scan_text('server.login(\n    user,\n    os.environ["SMTP_PASSWORD"],\n)\n', rulebook, "mail.py")
    assert (finding.rule_id, finding.location.line, finding.severity.label) == (MAIL_ADVISORY_RULE, 3, "low")
    assert "token" in finding.remediation


def top_level_alternatives(pattern: str) -> list[str]:
    parts, depth, current, escaped = [], 0, "", False
    for char in pattern:
        if escaped:
            current, escaped = current + char, False
            continue
        escaped = char == "\\"
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "|" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


def test_every_prefilter_alternative_holds_a_keyword_the_history_prefilter_searches() -> None:
    alternatives = top_level_alternatives(MAY_AUTHENTICATE.pattern)
    assert len(alternatives) >= 8
    for alternative in alternatives:
        assert any(k in alternative.lower() for k in PREFILTER_KEYWORDS), alternative


def test_a_module_that_only_imports_an_auth_package_is_not_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed a module that cannot hold a call site")

    monkeypatch.setattr("credlint.detectors.python_auth.ast.parse", refuse)
    source = "import google.auth\nfrom google.auth import credentials\ncreds, _ = google.auth.default()\n"
    assert list(iter_auth_sites(source)) == []
    assert not MAY_AUTHENTICATE.search("if session.auth == expected: pass")


GATE_SOURCES = [
    'requests.get(url, auth=("alice", "Tr0ub4dor-3x"))\n',
    "class A:\n    def f(self):\n        pass\n\n\ns.auth = (u, p)\n",
    "x = 1\n" * 300 + 'smtp.login(user, "pw")\n' + "    pass\n" * 300,
    "if session.auth == expected: pass\n",
    "é = 'ü'\nconn.login(user, password='Tr0ub4dor-3x')\n",
    "def g():\n    pass\nkr.add_password(realm, uri, user, secret)\n",
    "import google.auth\nvalue = obj.pass_(1)\n",
    "PASSWORD = None\npassword = True\n",
    "a" * 3000 + " auth = (" + "b" * 3000 + "\n",
]


@pytest.mark.parametrize("source", GATE_SOURCES)
def test_the_gate_on_keyword_lines_agrees_with_a_search_of_the_whole_text(source: str) -> None:
    matcher = build_matcher(list(PREFILTER_KEYWORDS))
    hits = {PREFILTER_KEYWORDS[k]: ends for k, ends in matcher.hits(source).items()}
    ends = keyword_ends(hits)
    assert ends or not hits
    assert may_authenticate(source, ends) == bool(MAY_AUTHENTICATE.search(source))


def test_the_gate_reads_one_line_at_a_time_so_no_alternative_may_cross_a_line() -> None:
    assert not any(marker in MAY_AUTHENTICATE.pattern for marker in ("\\s", "\\n", "(?s", "[^"))


def test_keyword_ends_are_unknown_when_the_matcher_could_not_place_a_keyword() -> None:
    assert sorted(keyword_ends({"pass": [4, 90], "auth": [20]})) == [4, 20, 90]
    assert keyword_ends({"pass": [4], "login": []}) == []
