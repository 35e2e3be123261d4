"""The outside check's reader of TruffleHog test tables: literals and fmt.Sprintf inputs become cases."""

from __future__ import annotations

import re
from pathlib import Path

from bench.outside_cases import gitleaks_cases, trufflehog_cases

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


GITLEAKS_UTILS = '''package utils

func GenerateSampleSecrets(identifier string, secret string) []string {
	samples := map[string]string{
		"ini - quoted1": "{i}Token=\\"{s}\\"",
		"make":          "{I}_TOKEN ?= \\"{s}\\"",
	}
	replacer := strings.NewReplacer()
}
'''

GITLEAKS_RULE = '''package rules

func Acme() *config.Rule {
	r := config.Rule{
		RuleID: "acme-api-token",
	}
	tps := utils.GenerateSampleSecrets("acme", "acme_"+secrets.NewSecret(utils.Hex("8")+`[A-Z]{2}`))
	tps = append(tps, utils.GenerateSampleSecret("acme", secrets.NewSecret(`[a-z0-9]{4,6}`)))
	// tps = append(tps, "commented out")
	fps := []string{
		"acme_0000000000",
		utils.GenerateSampleSecret("acme", secrets.NewSecret(`(a|b)+`)),
	}
	return utils.Validate(r, tps, fps)
}
'''


def gitleaks_harvest(tmp_path: Path) -> tuple[list[tuple[str, bool, str]], dict[str, int]]:
    (tmp_path / "utils").mkdir(parents=True)
    (tmp_path / "rules").mkdir()
    (tmp_path / "utils" / "generate.go").write_text(GITLEAKS_UTILS, encoding="utf-8")
    (tmp_path / "rules" / "acme.go").write_text(GITLEAKS_RULE, encoding="utf-8")
    found = gitleaks_cases(tmp_path)
    return [(case.family, case.positive, case.text) for case in found.cases], dict(found.skipped)


def test_gitleaks_samples_put_a_secret_drawn_from_the_rules_regex_in_every_syntax(tmp_path: Path) -> None:
    cases, skipped = gitleaks_harvest(tmp_path)
    positives = [text for family, positive, text in cases if positive and family == "acme-api-token"]
    assert len(positives) == 3  # two syntaxes, and the one-line sample
    assert re.fullmatch(r'acmeToken="acme_[a-f0-9]{8}[A-Z]{2}"', positives[0])
    assert re.fullmatch(r'ACME_TOKEN \?= "acme_[a-f0-9]{8}[A-Z]{2}"', positives[1])
    assert re.fullmatch(r'acme_api_token = "[a-z0-9]{4,6}"', positives[2])
    assert not any("commented out" in text for _, _, text in cases)
    assert ("acme-api-token", False, "acme_0000000000") in cases
    assert skipped == {"gitleaks sample of a run-time value": 1}  # a group the generator cannot draw from


def test_gitleaks_cases_are_the_same_on_every_run(tmp_path: Path) -> None:
    first, _ = gitleaks_harvest(tmp_path / "one")
    second, _ = gitleaks_harvest(tmp_path / "two")
    assert first == second
