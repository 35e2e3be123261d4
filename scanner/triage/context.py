"""Where a value sits: test, docs, example, vendored or recorded files, comments, production configuration.

Context never drops a finding by itself: a random-looking key in a test fixture is still a key. It lowers
the score (scanner/triage/scoring.py), so that a readable value in a test falls below --min-score while a
generated one does not.
"""

from __future__ import annotations

import functools
import re
from enum import Enum


class Context(Enum):
    TEST = "test"
    DOCS = "docs"
    EXAMPLE = "example"
    VENDORED = "vendored"
    RECORDED = "recorded"  # recorded HTTP traffic: cassettes, HAR files
    CONFIG = "config"  # a configuration file (.env, YAML, properties, Terraform, Dockerfile …)
    CREDENTIAL_STORE = "credential-store"  # a file a tool keeps its user's logins in (.netrc, .pgpass …)


TEST_FOLDER = re.compile(
    r"^(?:tests?|testing|spec|specs|__tests__|__mocks__|testdata|test[_-]data|fixtures?|mocks?|e2e|"
    r"testcases?|unittests?|tests?[_-]\w+|\w+[_-]tests?|it)$", re.I)
TEST_FILE = re.compile(
    r"^(?:test_.*|.*_tests?\.\w+|.*(?:Test|Tests|Spec|IT)\.(?:java|kt|scala|groovy|cs|swift|php)|"
    r".*\.(?:spec|test)\.\w+|conftest\.py|.*_spec\.rb)$")
DOCS_FOLDER = re.compile(r"^(?:docs?|documentation|docs?[_-]src|website|site|man|manual|guides?|wiki)$", re.I)
DOCS_FILE = re.compile(r"\.(?:md|markdown|mdx|rst|txt|adoc|asciidoc|rdoc|textile|pod|org|tex)$", re.I)
EXAMPLE_FOLDER = re.compile(
    r"^(?:examples?|samples?|demos?|tutorials?|quick[_-]?starts?|playground|cookbook|snippets|showcase)$", re.I)
EXAMPLE_FILE = re.compile(
    r"(?i)(?:^|[^a-z])(?:examples?|samples?|demos?|tutorials?)(?![a-z])|\.(?:dist|template|tmpl|tpl)$")
VENDORED_FOLDER = re.compile(
    r"^(?:vendor|vendors|vendored|_vendor|third[_-]?party|3rdparty|externals?|node_modules|bower_components|"
    r"site-packages|jspm_packages|Pods|Godeps)$", re.I)
RECORDED_FOLDER = re.compile(r"^(?:cassettes?|vcr|recordings?|recorded|__recordings__)$", re.I)
RECORDED_FILE = re.compile(r"\.har$", re.I)
CONFIG_FILE = re.compile(
    r"(?i)(?:\.(?:env|properties|ini|cfg|conf|ya?ml|toml|tf|tfvars|hcl|netrc|npmrc|pypirc)$"
    r"|^(?:\.env[^/]*|[^/]*\.env\.[^/]*|Dockerfile[^/]*|[^/]*\.Dockerfile|docker-compose[^/]*))$")
# Files whose only purpose is to hold logins for one tool: nobody writes a dummy password into one, so a weak
# password there is a weak password in use, not a stand-in (scanner/triage/filters.py, scoring.py). Matched on
# the whole path: some are known by their folder (`.docker/config.json`, `.aws/credentials`).
CREDENTIAL_STORE_PATH = re.compile(
    r"(?i)(?:^|/)(?:[._]netrc|\.pgpass|pgpass\.conf|\.git-credentials|\.(?:esmtp|msmtp|fetchmail)rc|\.my\.cnf|"
    r"\.mylogin\.cnf|\.s3cfg|\.pypirc|\.dockercfg|\.docker/config\.json|\.aws/credentials|\.credentials|\.boto|"
    r"\.tugboat|\.?htpasswd|g?shadow|[\w.-]*passwd|\.ftpconfig|sftp-config\.json|\.vscode/sftp\.json|\.remote-sync\.json|"
    r"ftpsync\.settings|deployment-config\.json|robomongo\.json|robo3t\.json|sitemanager\.xml|recentservers\.xml|"
    r"filezilla\.xml|dbeaver-data-sources\.xml|\.dbeaver/(?:data-sources|credentials-config)\.json|"
    r"\.idea/(?:WebServers|dataSources\.local)\.xml|winscp\.ini|rclone\.conf)$")
FOLDER_CONTEXTS = ((TEST_FOLDER, Context.TEST), (DOCS_FOLDER, Context.DOCS), (EXAMPLE_FOLDER, Context.EXAMPLE),
                   (VENDORED_FOLDER, Context.VENDORED), (RECORDED_FOLDER, Context.RECORDED))
FILE_CONTEXTS = ((TEST_FILE, Context.TEST), (DOCS_FILE, Context.DOCS), (EXAMPLE_FILE, Context.EXAMPLE),
                 (RECORDED_FILE, Context.RECORDED), (CONFIG_FILE, Context.CONFIG))


@functools.lru_cache(maxsize=4096)
def path_contexts(path: str) -> frozenset[Context]:
    """The contexts a repository-relative, `/`-separated path is in (`tests/fixtures/a.json`: test)."""
    *folders, name = path.split("/")
    found = {context for folder in folders for pattern, context in FOLDER_CONTEXTS if pattern.match(folder)}
    found.update(context for pattern, context in FILE_CONTEXTS if pattern.search(name))
    if CREDENTIAL_STORE_PATH.search(path):
        found.add(Context.CREDENTIAL_STORE)
    return frozenset(found)


def is_production(contexts: frozenset[Context]) -> bool:
    return not contexts - {Context.CONFIG, Context.CREDENTIAL_STORE}


COMMENT_LINE = re.compile(r"^\s*(?:#|//|/\*|\*\s|<!--|>>>|\.\.\.\s)")


def is_comment_line(line: str) -> bool:
    """A whole-line comment or a doctest line: prose about a value more often than the value in use."""
    return bool(COMMENT_LINE.match(line))
