from __future__ import annotations

import pytest

from credlint.triage.suppression import Allowance, find_allowance


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
    # A marker after code is about its own line, never about a different secret on the next one.
    pytest.param(['FIXTURE = "s"  # credlint: allow', 'TOKEN = "t"'], 2, "jwt", None, id="code-line-above"),
    pytest.param(['FIXTURE = "s"  # gitleaks:allow', 'TOKEN = "t"'], 2, "jwt", None, id="gitleaks-line-above"),
    pytest.param(['FIXTURE = "s"  # pragma: allowlist secret', 'TOKEN = "t"'], 2, "jwt", None,
                 id="detect-secrets-line-above"),
    pytest.param(["# pragma: allowlist secret", 'TOKEN = "t"'], 2, "jwt", None,
                 id="detect-secrets-same-line-marker-on-a-comment-line"),
    pytest.param(["# pragma: allowlist nextline secret", 'TOKEN = "t"'], 2, "jwt",
                 Allowance("pragma: allowlist nextline secret (inline marker of another scanner)"),
                 id="detect-secrets-nextline"),
    pytest.param(["# credlint: allow", 'TOKEN = "t"  # credlint: allow[github-pat-classic]'], 2, "jwt", None,
                 id="own-scoped-marker-governs-its-line"),
    pytest.param(['x = "s"  <!-- credlint: allow -->'], 1, "jwt", Allowance(""), id="html-comment-no-reason"),
    pytest.param(["<!-- credlint: allow -- rendered example -->", "token: s"], 2, "jwt",
                 Allowance("rendered example"), id="html-comment-line-above"),
])
def test_find_allowance(lines: list[str], line: int, rule: str, expected: Allowance | None) -> None:
    assert find_allowance(lines, line, rule) == expected
