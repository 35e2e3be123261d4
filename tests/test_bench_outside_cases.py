"""The outside check's reader of TruffleHog test tables: literals and fmt.Sprintf inputs become cases."""

from __future__ import annotations

from pathlib import Path

from bench.outside_cases import trufflehog_cases

TABLE = '''package acme

var (
	validPattern   = "AcmeValue01"
	invalidPattern = "AcmeValue?1"
	keyword        = "acme"
)

func TestAcme_Pattern(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  []string
	}{
		{
			name:  "valid pattern",
			input: fmt.Sprintf("%s token = '%s' | 100%%", keyword, validPattern),
			want:  []string{validPattern},
		},
		{
			name:  "invalid pattern",
			input: fmt.Sprintf("%s = '%s'", keyword, invalidPattern),
			want:  []string{},
		},
		{
			name:  "literal argument, raw string format",
			input: fmt.Sprintf(`%v key
= "%s"`, "acme", validPattern),
			want:  []string{validPattern},
		},
		{
			name:  "built at run time",
			input: fmt.Sprintf("%s = '%s'", keyword, makeValue()),
			want:  nil,
		},
		{
			name:  "another verb",
			input: fmt.Sprintf("%s = %d", keyword, validPattern),
			want:  nil,
		},
	}
}
'''


def harvest(tmp_path: Path, source: str) -> tuple[list[tuple[bool, str]], dict[str, int]]:
    folder = tmp_path / "acme"
    folder.mkdir()
    (folder / "acme_test.go").write_text(source, encoding="utf-8")
    found = trufflehog_cases(tmp_path)
    return [(case.positive, case.text) for case in found.cases], dict(found.skipped)


def test_sprintf_inputs_are_evaluated_from_the_files_string_constants(tmp_path: Path) -> None:
    cases, _ = harvest(tmp_path, TABLE)
    assert (True, "acme token = 'AcmeValue01' | 100%") in cases
    assert (False, "acme = 'AcmeValue?1'") in cases
    assert (True, 'acme key\n= "AcmeValue01"') in cases


def test_sprintf_of_run_time_values_or_other_verbs_is_counted_as_skipped(tmp_path: Path) -> None:
    cases, skipped = harvest(tmp_path, TABLE)
    assert skipped == {"fmt.Sprintf of a run-time value": 1, "fmt.Sprintf with another verb": 1}
    assert len([text for _, text in cases if text.startswith("acme")]) == 3


def test_a_constant_given_two_values_is_not_guessed(tmp_path: Path) -> None:
    twice = TABLE.replace('keyword        = "acme"', 'keyword        = "acme"\n\tkeyword = "other"')
    cases, skipped = harvest(tmp_path, twice)
    assert not [text for _, text in cases if "acme token" in text]
    assert skipped["fmt.Sprintf of a run-time value"] == 4
