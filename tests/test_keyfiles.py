"""A Rails key file (config/master.key, config/credentials/<env>.key) is one key and no name: reported anyway,
in the tree, the staged changes and the history, at the key's own line and column."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import pytest

from credlint.keyfiles import key_file_text, names_key_file
from tests.conftest import git
from tests.helpers import scan_json


def found(report: dict[str, Any]) -> list[tuple[str, str, int, int]]:
    return sorted((f["path"], f["rule_id"], f["line"], f["column"]) for f in report["findings"])


@pytest.mark.parametrize("path", ["config/master.key", "apps/shop/config/master.key",
                                  "config/credentials/production.key", "config/credentials/staging.key"])
def test_a_rails_key_file_is_read_as_its_key_named(path: str) -> None:
    key = secrets.token_hex(16)
    assert key_file_text(path, key + "\n") == f"{key} # RAILS_MASTER_KEY\n"
    assert key_file_text(path, key) == f"{key} # RAILS_MASTER_KEY\n"
    assert key_file_text(path, key + "\r\n") == f"{key} # RAILS_MASTER_KEY\n"


@pytest.mark.parametrize(("path", "text"), [
    ("keys/master.key", secrets.token_hex(16)),  # not where Rails keeps it
    ("config/master.key.example", secrets.token_hex(16)),
    ("config/master.key", secrets.token_hex(32)),  # 64 hex: not a Rails master key
    ("config/master.key", "replace with the key from the vault\n"),
    ("config/master.key", secrets.token_hex(16) + "\nsecond line\n"),
])
def test_any_other_file_or_content_is_read_as_it_is(path: str, text: str) -> None:
    assert key_file_text(path, text) == text


def test_a_committed_master_key_is_reported_at_its_own_column(tmp_path: Path) -> None:
    (tmp_path / "config" / "credentials").mkdir(parents=True)
    (tmp_path / "config" / "master.key").write_text(secrets.token_hex(16))
    (tmp_path / "config" / "credentials" / "production.key").write_text(secrets.token_hex(16) + "\n")
    (tmp_path / "config" / "database.key").write_text(secrets.token_hex(16) + "\n")  # not a Rails key file
    assert found(scan_json(tmp_path)) == [("config/credentials/production.key", "rails-master-key", 1, 1),
                                          ("config/master.key", "rails-master-key", 1, 1)]


def test_a_dummy_master_key_is_not_reported(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "master.key").write_text("0" * 32 + "\n")
    assert scan_json(tmp_path)["findings"] == []


def test_a_staged_master_key_blocks_the_commit(git_repo: Path) -> None:
    (git_repo / "config").mkdir()
    (git_repo / "config" / "master.key").write_text(secrets.token_hex(16) + "\n")
    git(git_repo, "add", ".")
    assert found(scan_json(git_repo, "--staged")) == [("config/master.key", "rails-master-key", 1, 1)]


def test_a_master_key_removed_from_head_is_reported_from_history(git_repo: Path) -> None:
    # The commit adds the key file alone: no keyword on any added line of its patch, which the history walk
    # otherwise leaves unparsed.
    (git_repo / "README").write_text("shop\n")
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-qm", "start")
    (git_repo / "config").mkdir()
    (git_repo / "config" / "master.key").write_text(secrets.token_hex(16))
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-qm", "add the master key")
    git(git_repo, "rm", "-q", "config/master.key")
    git(git_repo, "commit", "-qm", "remove it")
    history = scan_json(git_repo, "--history")
    assert found(history) == [("config/master.key", "rails-master-key", 1, 1)]
    assert history["findings"][0]["commit"]["at_head"] is False


def test_only_a_section_changing_a_rails_key_file_is_named() -> None:
    patch = (b"diff --git a/config/master.key b/config/master.key\nnew file mode 100644\n"
             b"--- /dev/null\n+++ b/config/master.key\n@@ -0,0 +1 @@\n+" + secrets.token_hex(16).encode() + b"\n"
             b"diff --git a/lib/master.key b/lib/master.key\n--- /dev/null\n+++ b/lib/master.key\n@@ -0,0 +1 @@\n+x\n")
    second = patch.index(b"diff --git a/lib")
    assert names_key_file(patch, 0, second)
    assert not names_key_file(patch, second, len(patch))
