from __future__ import annotations

import pytest

from credlint.triage.context import Context, is_comment_line, path_contexts

TEST, DOCS, EXAMPLE, VENDORED, RECORDED, CONFIG = (Context.TEST, Context.DOCS, Context.EXAMPLE, Context.VENDORED,
                                                  Context.RECORDED, Context.CONFIG)
STORE = Context.CREDENTIAL_STORE


@pytest.mark.parametrize(("path", "expected"), [
    pytest.param("src/app/settings.py", set(), id="production-code"),
    pytest.param("deploy/prod.env", {CONFIG}, id="production-config"),
    pytest.param("services/api/.env.production", {CONFIG}, id="dotenv-variant"),
    pytest.param("tests/unit/test_client.py", {TEST}, id="tests-folder"),
    pytest.param("pkg/client_test.go", {TEST}, id="go-test-file"),
    pytest.param("src/test/java/org/acme/ClientTest.java", {TEST}, id="maven-test-tree"),
    pytest.param("web/src/api.spec.ts", {TEST}, id="spec-file"),
    pytest.param("integration_tests/fixtures/response.json", {TEST}, id="fixtures-under-tests"),
    pytest.param("docs/guide/install.md", {DOCS}, id="docs"),
    pytest.param("README.rst", {DOCS}, id="readme"),
    pytest.param("docs_src/security/app.py", {DOCS}, id="documentation-sources"),
    pytest.param("docs_src/tutorial/app.py", {DOCS, EXAMPLE}, id="tutorial-in-docs"),
    pytest.param("examples/quickstart/main.go", {EXAMPLE}, id="examples-folder"),
    pytest.param("api/models/examples-1.json", {EXAMPLE}, id="example-data-file"),
    pytest.param("config/settings.example.yml", {EXAMPLE, CONFIG}, id="config-template"),
    pytest.param("app/config.yml.dist", {EXAMPLE}, id="dist-template"),
    pytest.param("vendor/github.com/x/y/client.go", {VENDORED}, id="vendored"),
    pytest.param("web/node_modules/pkg/index.js", {VENDORED}, id="node-modules"),
    pytest.param("tests/cassettes/login.yaml", {TEST, RECORDED, CONFIG}, id="vcr-cassette"),
    pytest.param("captures/session.har", {RECORDED}, id="har-file"),
    pytest.param("src/latest/contest.py", set(), id="test-inside-a-word-is-not-a-test"),
    pytest.param("src/resample.py", set(), id="sample-inside-a-word-is-not-an-example"),
    pytest.param("home/deploy/.netrc", {STORE, CONFIG}, id="netrc"),
    pytest.param("db/.pgpass", {STORE}, id="pgpass"),
    pytest.param("etc/shadow", {STORE}, id="shadow"),
    pytest.param("web/public_html/.htpasswd", {STORE}, id="htpasswd"),
    pytest.param("ftp/proftpd.passwd", {STORE}, id="passwd-file"),
    pytest.param(".vscode/sftp.json", {STORE}, id="editor-sftp-settings"),
    pytest.param("home/.docker/config.json", {STORE}, id="docker-config-by-its-folder"),
    pytest.param("app/config.json", set(), id="other-config-json-is-not-a-store"),
    pytest.param("tests/fixtures/.netrc", {TEST, STORE, CONFIG}, id="store-fixture-is-still-a-test"),
    pytest.param("src/shadow_dom.js", set(), id="store-name-inside-a-word"),
])
def test_path_contexts(path: str, expected: set[Context]) -> None:
    assert path_contexts(path) == frozenset(expected)


@pytest.mark.parametrize(("line", "expected"), [
    pytest.param("    # password = 'Kq8!vR2xLm'", True, id="hash-comment"),
    pytest.param("  // apiKey: '...'", True, id="slash-comment"),
    pytest.param(" * @param password the password", True, id="javadoc"),
    pytest.param(">>> requests.get(url, auth=('u', 'p'))", True, id="doctest"),
    pytest.param("password = 'Kq8!vR2xLm'  # comment after code", False, id="code-with-trailing-comment"),
    pytest.param("--password=Kq8!vR2xLm \\", False, id="command-line-continuation"),
])
def test_comment_lines(line: str, expected: bool) -> None:
    assert is_comment_line(line) is expected
