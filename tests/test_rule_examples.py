"""Every rule proves itself: its examples are reported and its negative examples are not."""

from __future__ import annotations

import pytest

from credlint.detectors.rulebook import Rule, load_rulebook
from credlint.pipeline import scan_text

RULEBOOK = load_rulebook()
CASES = [(r, text, True) for r in RULEBOOK.rules for text in r.examples] + [
    (r, text, False) for r in RULEBOOK.rules for text in r.negative_examples]


IDS = [f"{rule.id}-{'example' if flagged else 'negative'}" for rule, _, flagged in CASES]


@pytest.mark.parametrize(("rule", "text", "flagged"), CASES, ids=IDS)
def test_rule_examples(rule: Rule, text: str, flagged: bool) -> None:
    found = {finding.rule_id for finding in scan_text(text, RULEBOOK, rule.example_path)}
    assert (rule.id in found) is flagged, f"{rule.id}: {text}"


def test_rulebook_covers_the_required_providers() -> None:
    ids = {rule.id for rule in RULEBOOK.rules}
    required = {"github-pat-classic", "github-fine-grained-pat", "github-oauth-token", "github-app-installation-token",
                "github-refresh-token", "gitlab-pat", "gitlab-runner-token", "gitlab-deploy-token",
                "pypi-upload-token", "npm-access-token", "aws-access-key-id", "aws-secret-access-key",
                "aws-session-token", "google-api-key", "private-key", "azure-storage-connection-string",
                "azure-sas-token", "azure-ad-client-secret", "slack-bot-token", "slack-user-token",
                "slack-app-token", "slack-webhook-url", "stripe-secret-key", "twilio-auth-token",
                "sendgrid-api-key", "mailgun-api-key", "openai-api-key", "anthropic-api-key",
                "huggingface-access-token", "digitalocean-pat", "heroku-api-key", "shopify-access-token",
                "atlassian-api-token", "docker-hub-pat", "jwt", "database-uri-password", "url-credentials",
                "authorization-basic-literal", "authorization-bearer-literal", "hardcoded-password",
                "hardcoded-password-config", "hardcoded-secret"}
    assert required <= ids, sorted(required - ids)
    assert len(RULEBOOK.rules) >= 120
