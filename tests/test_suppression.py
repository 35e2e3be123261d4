from __future__ import annotations

import pytest

from scanner.suppression import Allowance, find_allowance


@pytest.mark.parametrize(("lines", "line", "rule", "expected"), [
    pytest.param(['x = "s"  # credlint: allow'], 1, "jwt", Allowance(""), id="same-line"),
    pytest.param(["// credlint: allow -- rotated 2024-05", 'x = "s"'], 2, "jwt", Allowance("rotated 2024-05"),
                 id="line-above-with-reason"),
    pytest.param(['x = "s"  # credlint: allow[jwt]'], 1, "jwt", Allowance(""), id="scoped-to-rule"),
    pytest.param(['x = "s"  # credlint: allow[jwt]'], 1, "github-pat-classic", None, id="scoped-to-other-rule"),
    pytest.param(['x = "s"  <!-- credlint: allow -- docs example -->'], 1, "jwt", Allowance("docs example"),
                 id="html-comment"),
    pytest.param(['x = "s"  # pragma: allowlist secret'], 1, "jwt",
                 Allowance("pragma: allowlist secret (inline marker of another scanner)"), id="detect-secrets"),
    pytest.param(['x = "s"  # gitleaks:allow'], 1, "jwt",
                 Allowance("gitleaks:allow (inline marker of another scanner)"), id="gitleaks"),
    pytest.param(["# credlint: allow", "", 'x = "s"'], 3, "jwt", None, id="two-lines-above-does-not-count"),
])
def test_find_allowance(lines: list[str], line: int, rule: str, expected: Allowance | None) -> None:
    assert find_allowance(lines, line, rule) == expected
