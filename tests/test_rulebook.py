from __future__ import annotations

from pathlib import Path

import pytest

from credlint.checks import verify_rule_files
from credlint.detectors.rulebook import builtin_rules_dir, load_rule_file, load_rulebook
from credlint.errors import RuleFileError

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(("name", "message"), [
    ("unknown-key.toml", "[demo-token]: unknown key 'negative_example' (did you mean 'negative_examples'?)"),
    ("bad-regex.toml", "[demo-token]: bad regex regex: "),
    ("bad-paths-regex.toml", "[demo-token]: bad paths regex: "),
    ("bad-allow-regex.toml", "[demo-token]: bad allow.secret regex: "),
    ("missing-field.toml", "[demo-token]: missing required key(s) severity"),
    ("no-examples.toml", "[demo-token]: examples must not be empty"),
    ("bad-severity.toml", "[demo-token]: severity 'urgent' is not one of low, medium, high, critical"),
])
def test_bad_rule_files_are_rejected_naming_file_and_rule(name: str, message: str) -> None:
    path = DATA / "bad_rules" / name
    with pytest.raises(RuleFileError) as caught:
        load_rule_file(path)
    assert str(caught.value).startswith(f"{path} {message}")


def test_failing_example_in_a_user_rule_file_is_rejected() -> None:
    with pytest.raises(RuleFileError, match=r"failing-example.toml \[demo-token\]: example not reported: 'demo_SHORT'"):
        verify_rule_files([DATA / "bad_rules" / "failing-example.toml"])


def test_good_user_rule_file_loads() -> None:
    assert [r.id for r in verify_rule_files([DATA / "good_rule.toml"])] == ["demo-token"]


def test_duplicate_ids_across_files_are_rejected() -> None:
    with pytest.raises(RuleFileError, match="duplicate rule id"):
        load_rulebook([DATA / "good_rule.toml", DATA / "good_rule.toml"], builtin=False)


def test_every_builtin_rule_has_remediation_and_keywords() -> None:
    for rule in load_rulebook().rules:
        assert rule.remediation and rule.description, rule.id
        assert rule.keywords or rule.analyzer, f"{rule.id}: a regex rule needs keywords for the prefilter"


def test_every_builtin_rule_compiles_strictly() -> None:
    """Built-ins load lazily for speed; here each one goes through the checks an extra rule file gets."""
    for path in sorted(builtin_rules_dir().glob("*.toml")):
        assert load_rule_file(path, strict=True)


def test_rule_cache_gives_the_same_rules_and_survives_corruption(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREDLINT_CACHE_DIR", str(tmp_path))
    first = load_rulebook()  # parses the TOML and writes the cache
    [cache] = list(tmp_path.glob("rules-*.marshal"))
    assert load_rulebook() == first  # read from the cache
    cache.write_bytes(b"not marshal data")
    assert load_rulebook() == first  # a broken cache is parsed again, never an error
