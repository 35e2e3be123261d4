from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from credlint.cli import cli
from credlint.detectors.rulebook import Rulebook
from credlint.migrate import env_name, migrate_source

SOURCE = '''"""Partner client."""
from __future__ import annotations

import requests

PARTNER_PASSWORD = "Tr0ub4dor-3x"
API_TOKEN = "${API_TOKEN}"


def fetch(url):  # a comment that must survive
    first = requests.get(url, auth=("alice", "Winter2023~VU5"), timeout=30)
    second = requests.post(url,
                           auth=("bob", PARTNER_PASSWORD))
    server.login("registry-reader@x.org", "Autumn2022~rMa")
    psycopg2.connect(host="db", password="Kq8!vR2xLm")
    return first, second
'''


def test_literal_passwords_become_environment_lookups(rulebook: Rulebook) -> None:
    migration = migrate_source("client.py", SOURCE, rulebook)
    assert migration.variables == ["ALICE_PASSWORD", "PARTNER_PASSWORD", "PSYCOPG2_PASSWORD",
                                   "REGISTRY_READER_PASSWORD"]
    rewritten = migration.rewritten
    ast.parse(rewritten)
    assert 'auth=("alice", os.environ["ALICE_PASSWORD"]), timeout=30)' in rewritten
    assert 'PARTNER_PASSWORD = os.environ["PARTNER_PASSWORD"]' in rewritten
    assert 'API_TOKEN = "${API_TOKEN}"' in rewritten  # a placeholder is not a literal password
    assert "def fetch(url):  # a comment that must survive" in rewritten
    assert rewritten.splitlines()[2] == "import os"
    removed = [line for line in migration.diff().splitlines() if line.startswith("-") and not line.startswith("---")]
    assert len(removed) == 4


def test_unparsable_file_is_left_alone(rulebook: Rulebook) -> None:
    migration = migrate_source("broken.py", 'password = "Tr0ub4dor-3x"\ndef (:\n', rulebook)
    assert migration.rewritten == migration.original
    assert migration.note.startswith("not rewritten: does not parse")


@pytest.mark.parametrize(("parts", "expected"), [
    (("registry-reader@x.org", "password"), "REGISTRY_READER_PASSWORD"),
    (("ldap_bind_password",), "LDAP_BIND_PASSWORD"),
    (("9lives", "password"), "SECRET_9LIVES_PASSWORD"),
])
def test_env_name(parts: tuple[str, ...], expected: str) -> None:
    assert env_name(*parts) == expected


def test_cli_prints_a_diff_then_writes(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "client.py"
    target.write_text(SOURCE)
    shown = runner.invoke(cli, ["migrate", str(tmp_path)])
    assert shown.exit_code == 0
    assert shown.output.startswith("--- a/client.py\n+++ b/client.py\n")
    assert "  ALICE_PASSWORD\n" in shown.output
    assert target.read_text() == SOURCE  # a diff only, until --write
    assert runner.invoke(cli, ["migrate", str(tmp_path), "--write"]).exit_code == 0
    ast.parse(target.read_text())
    after = json.loads(runner.invoke(cli, ["scan", str(tmp_path), "--format", "json"]).output)
    assert [f["rule_id"] for f in after["findings"] if f["severity"] != "low"] == []
