from __future__ import annotations

import pytest

from scanner.python_auth import ADVISORY_RULE, LITERAL_RULE, MAY_AUTHENTICATE, PREFILTER_KEYWORDS, iter_auth_sites
from scanner.rulebook import Rulebook
from scanner.scan import scan_text


@pytest.mark.parametrize(("source", "expected"), [
    pytest.param('requests.get(url, auth=("alice", "Tr0ub4dor-3x"))', [(LITERAL_RULE, 1, "Tr0ub4dor-3x")],
                 id="requests-tuple"),
    pytest.param('PW = "Tr0ub4dor-3x"\nrequests.post(url,\n    auth=HTTPBasicAuth("u", PW))',
                 [(LITERAL_RULE, 1, "Tr0ub4dor-3x")], id="module-constant-across-lines"),
    pytest.param('server.login(user, os.environ["SMTP_PASSWORD"])',
                 [(ADVISORY_RULE, 1, "os.environ['SMTP_PASSWORD']")], id="smtp-env"),
    pytest.param("def f(session, user, pw):\n    session.auth = (user, pw)", [(ADVISORY_RULE, 2, "pw")],
                 id="parameter"),
    pytest.param('ftp.login("ops", getpass.getpass())', [(ADVISORY_RULE, 1, "getpass.getpass()")], id="getpass"),
    pytest.param('psycopg2.connect(password=os.environ["PG"])', [], id="db-env-is-fine"),
    pytest.param('paramiko.SSHClient().connect(host, password=os.environ["SSH_PW"])', [], id="ssh-env-is-fine"),
    pytest.param("SOCKSProxyManager(proxy, username=user, password=pw)", [], id="socks-proxy-variable-is-fine"),
    pytest.param("key = load_pem_private_key(data, password=passphrase)", [], id="key-passphrase-variable"),
    pytest.param('key = load_pem_private_key(data, password=b"Kq8!vR2xLm")', [(LITERAL_RULE, 1, "Kq8!vR2xLm")],
                 id="key-passphrase-literal-is-a-leak"),
    pytest.param("broker = Namespace(user=Option(type='string'), password=Option(type='string'))", [],
                 id="schema-declaration"),
    pytest.param('server.login("ops", b"Kq8!vR2xLm")', [(LITERAL_RULE, 1, "Kq8!vR2xLm")], id="bytes-literal"),
    pytest.param("client = Client(username=u, password=SecretStr(os.environ['PW']))",
                 [(ADVISORY_RULE, 1, "SecretStr(os.environ['PW'])")], id="secret-wrapper-is-still-a-password"),
    pytest.param('SOCKSProxyManager(proxy, username="ops", password="Kq8!vR2xLm")', [(LITERAL_RULE, 1, "Kq8!vR2xLm")],
                 id="socks-proxy-literal-is-a-leak"),
    pytest.param('pymysql.connect(host="db", password="Kq8!vR2xLm")', [(LITERAL_RULE, 1, "Kq8!vR2xLm")],
                 id="db-literal-is-a-leak"),
    pytest.param('mgr.add_password(None, "https://api.example.org", "bob", "Kq8!vR2xLm")',
                 [(LITERAL_RULE, 1, "Kq8!vR2xLm")], id="urllib-password-manager"),
    pytest.param('pop.pass_(os.environ["POP_PASSWORD"])', [(ADVISORY_RULE, 1, "os.environ['POP_PASSWORD']")],
                 id="poplib"),
    pytest.param("requests.get(url, auth=None)", [], id="auth-none"),
    pytest.param('requests.get(url, headers={"Authorization": f"Bearer {os.environ[\'T\']}"})', [],
                 id="bearer-from-env"),
    pytest.param("def login(self, password: str) -> None: ...", [], id="type-hint"),
    pytest.param("this is not python (", [], id="syntax-error"),
])
def test_auth_sites(source: str, expected: list[tuple[str, int, str]]) -> None:
    assert [(s.rule_id, s.line, s.value) for s in iter_auth_sites(source)] == expected


def test_placeholder_literal_is_not_a_leak(rulebook: Rulebook) -> None:
    found = scan_text('requests.get(url, auth=("alice", "${API_PASSWORD}"))\n', rulebook, "client.py")
    assert found == []


def test_advisory_findings_are_low_and_say_how_to_migrate(rulebook: Rulebook) -> None:
    [finding] = scan_text('server.login(\n    user,\n    os.environ["SMTP_PASSWORD"],\n)\n', rulebook, "mail.py")
    assert (finding.rule_id, finding.location.line, finding.severity.label) == (ADVISORY_RULE, 3, "low")
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
