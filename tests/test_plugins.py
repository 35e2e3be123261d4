"""detect-secrets plugins as rules (kind = "detect-secrets"), and what they add over credlint's rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from credlint.checks import verify_rule_files
from credlint.config import Config
from credlint.detectors.rulebook import Rulebook, load_rulebook
from credlint.errors import RuleFileError
from credlint.pipeline import scan_text
from tests.helpers import SHARED, scan_tree

PLUGIN_RULES = Path(__file__).parent / "data" / "detect_secrets_rules.toml"


def test_plugin_rules_load_and_prove_their_examples() -> None:
    assert [r.id for r in verify_rule_files([PLUGIN_RULES])] == ["ds-keyword", "ds-base64-entropy"]


def test_plugin_findings_go_through_credlint_filters() -> None:
    rulebook = Rulebook(verify_rule_files([PLUGIN_RULES]))
    found = scan_text('db_password = "Tr0ub4dor-3xq"\nother_password = "${X}"\n', rulebook, "a.py")
    assert [(f.rule_id, f.location.line, f.location.column) for f in found] == [("ds-keyword", 1, 16)]


def test_unknown_plugin_is_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(PLUGIN_RULES.read_text().replace('"KeywordDetector"', '"NoSuchDetector"'))
    with pytest.raises(RuleFileError, match=r"\[ds-keyword\]: unknown detect-secrets plugin 'NoSuchDetector'"):
        load_rulebook([bad], builtin=False)


@pytest.mark.skipif(not (SHARED / "bench" / "dev" / "tree").is_dir(), reason="needs ../shared/bench/dev")
def test_builtin_rules_find_every_labelled_line_the_plugins_find() -> None:
    corpus = SHARED / "bench" / "dev"
    must = {(d["file"], d["line"]) for d in map(json.loads, (corpus / "labels.jsonl").read_text().splitlines())
            if d["class"] in ("secret", "basic_auth_literal")}
    tree = corpus / "tree"
    plugins = scan_tree([tree], Rulebook(verify_rule_files([PLUGIN_RULES])), Config(min_score=0))
    ours = scan_tree([tree], load_rulebook(), Config())
    plugin_lines = {(f.location.path, f.location.line) for f in plugins.findings} & must
    our_lines = {(f.location.path, f.location.line) for f in ours.findings}
    assert plugin_lines, "the plugins found no labelled line: the comparison would prove nothing"
    assert plugin_lines <= our_lines, sorted(plugin_lines - our_lines)
