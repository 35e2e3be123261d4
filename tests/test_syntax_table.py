"""One realistic value through every assignment syntax: a secret is found whatever the language that holds it.

Each sample is a (name words, value) pair; each syntax spells the name in its own convention (snake_case,
UPPER_CASE, camelCase, PascalCase, dotted) in a file of its kind. A provider's value must be reported by the
provider's own rule, a value with no provider format by one of the generic rules.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass

import pytest

from credlint.detectors.rulebook import load_rulebook
from credlint.pipeline import scan_text
from tests.fakes import ALNUM, crc32_token, pypi_token, rand

RULEBOOK = load_rulebook()
GENERIC_SECRET = frozenset({"hardcoded-secret", "hardcoded-secret-config", "hardcoded-key", "xml-appsetting-secret",
                            "php-define-secret", "shell-secret-assignment", "dockerfile-env-secret",
                            "env-fallback-secret", "env-default-secret", "escaped-quote-secret"})
GENERIC_PASSWORD = frozenset({"hardcoded-password", "hardcoded-password-config", "xml-appsetting-secret",
                              "php-define-secret", "shell-secret-assignment", "dockerfile-env-secret",
                              "env-fallback-password", "env-default-password", "escaped-quote-password"})


@dataclass(frozen=True)
class Syntax:
    name: str
    path: str
    template: str  # {snake} {upper} {camel} {pascal} {dotted}: the name; {value}: the value
    # False where the name is not right before the value (an environment lookup's fallback, escaped JSON): a
    # provider known only by its name there is for the generic rules.
    name_beside_value: bool = True


SYNTAXES = [
    Syntax("python", "app/settings.py", '{snake} = "{value}"\n'),
    Syntax("go", "internal/config/config.go", '\t{camel} := "{value}"\n'),
    Syntax("go-const", "internal/config/config.go", 'const {camel} = "{value}"\n'),
    Syntax("java", "src/main/java/org/acme/Client.java", '    private static final String {camel} = "{value}";\n'),
    Syntax("kotlin", "src/main/kotlin/Client.kt", '    val {camel} = "{value}"\n'),
    Syntax("csharp", "src/Acme/Client.cs", '        public const string {pascal} = "{value}";\n'),
    Syntax("javascript", "src/client.js", "const {camel} = '{value}';\n"),
    Syntax("typescript", "src/client.ts", "export const {camel}: string = '{value}';\n"),
    Syntax("js-object", "src/config.js", "  {camel}: '{value}',\n"),
    Syntax("yaml", "config/app.yaml", "  {snake}: {value}\n"),
    Syntax("yaml-quoted", "config/app.yml", '  {snake}: "{value}"\n'),
    Syntax("json", "config/app.json", '  "{camel}": "{value}",\n'),
    Syntax("toml", "config/app.toml", '{snake} = "{value}"\n'),
    Syntax("hcl", "infra/main.tf", '  {snake} = "{value}"\n'),
    Syntax("xml-appsettings", "web.config", '    <add key="{pascal}" value="{value}" />\n'),
    Syntax("dotenv", ".env", "{upper}={value}\n"),
    Syntax("shell-export", "scripts/deploy.sh", "export {upper}={value}\n"),
    Syntax("shell-quoted", "scripts/deploy.sh", 'export {upper}="{value}"\n'),
    Syntax("ini", "setup.cfg", "{snake} = {value}\n"),
    Syntax("properties", "src/main/resources/application.properties", "{dotted}={value}\n"),
    Syntax("ruby", "config/initializers/acme.rb", "  {snake}: '{value}',\n"),
    Syntax("ruby-hash-rocket", "config/initializers/acme.rb", "  '{snake}' => '{value}',\n"),
    Syntax("php-array", "config/services.php", "    '{snake}' => '{value}',\n"),
    Syntax("php-define", "wp-config.php", "define('{upper}', '{value}');\n"),
    Syntax("dockerfile", "Dockerfile", "ENV {upper}={value}\n"),
    Syntax("rst-code-block", "docs/configuration.rst", '    {snake} = "{value}"\n'),
    Syntax("js-env-fallback", "src/config.js", 'export const {camel} = process.env.{upper} || "{value}";\n', False),
    Syntax("compose-default", "compose.yaml", '      - {upper}=${{{upper}:-{value}}}\n', False),
    Syntax("json-in-a-string", "src/main/java/org/acme/Payloads.java",
           '    static final String BODY = "{{\\"{camel}\\": \\"{value}\\"}}";\n', False),
]


@dataclass(frozen=True)
class Sample:
    label: str
    words: tuple[str, ...]
    value: str
    accepted: frozenset[str]  # any of these rule ids counts as found
    by_name: bool = False  # a provider format that only its name beside it tells apart

    def accepted_in(self, syntax: Syntax) -> frozenset[str]:
        return self.accepted | GENERIC_SECRET if self.by_name and not syntax.name_beside_value else self.accepted

    def line(self, syntax: Syntax) -> str:
        first, *rest = self.words
        return syntax.template.format(
            value=self.value, snake="_".join(self.words), upper="_".join(self.words).upper(),
            camel=first + "".join(w.title() for w in rest), pascal="".join(w.title() for w in self.words),
            dotted=".".join(self.words))


def samples() -> list[Sample]:
    rng = random.Random(20261202)
    return [
        Sample("github", ("github", "token"), crc32_token("ghp_", rng), frozenset({"github-pat-classic"})),
        Sample("npm", ("npm", "token"), crc32_token("npm_", rng), frozenset({"npm-access-token"})),
        Sample("pypi", ("pypi", "token"), pypi_token(rng), frozenset({"pypi-upload-token"})),
        Sample("stripe", ("stripe", "secret", "key"), "sk_live_" + rand(rng, ALNUM, 99)[:24],
               frozenset({"stripe-secret-key"})),
        Sample("slack", ("slack", "bot", "token"),
               f"xoxb-{rand(rng, string.digits, 12)}-{rand(rng, string.digits, 13)}-{rand(rng, ALNUM, 24)}",
               frozenset({"slack-bot-token"})),
        Sample("openai", ("openai", "api", "key"),
               f"sk-proj-{rand(rng, ALNUM, 74)}T3BlbkFJ{rand(rng, ALNUM, 74)}", frozenset({"openai-api-key"})),
        Sample("aws-key-id", ("aws", "access", "key", "id"), "AKIA" + rand(rng, string.ascii_uppercase + "234567", 16),
               frozenset({"aws-access-key-id"})),
        Sample("discord (by name)", ("discord", "token"),
               f"MTE{rand(rng, ALNUM, 21)}.{rand(rng, ALNUM, 6)}.{rand(rng, ALNUM, 38)}",
               frozenset({"discord-bot-token"}), by_name=True),
        Sample("api key (no provider)", ("api", "key"), rand(rng, ALNUM, 32), GENERIC_SECRET),
        Sample("client secret (no provider)", ("client", "secret"),
               rand(rng, ALNUM + "~.-", 34), GENERIC_SECRET),
        Sample("password", ("db", "password"), "Harbor4471*Fig-quartz", GENERIC_PASSWORD),
    ]


CASES = [(sample, syntax) for sample in samples() for syntax in SYNTAXES]


def test_the_table_is_as_wide_as_promised() -> None:
    assert len(SYNTAXES) >= 12 and len({s.path.rsplit(".", 1)[-1] for s in SYNTAXES}) >= 12


@pytest.mark.parametrize(("sample", "syntax"), CASES, ids=[f"{s.label}-{x.name}" for s, x in CASES])
def test_the_value_is_found_in_every_syntax(sample: Sample, syntax: Syntax) -> None:
    line = sample.line(syntax)
    found = {finding.rule_id for finding in scan_text(line, RULEBOOK, syntax.path)}
    assert found & sample.accepted_in(syntax), f"{syntax.path}: {line!r} gave {sorted(found)}"


@pytest.mark.parametrize("syntax", SYNTAXES, ids=[s.name for s in SYNTAXES])
def test_the_same_line_read_from_the_environment_is_not_a_leak(syntax: Syntax) -> None:
    """The table must not pass by reporting everything: the same names holding a reference are quiet."""
    reference = {"dotenv": "${API_KEY}", "shell-export": "$API_KEY", "shell-quoted": "$API_KEY",
                 "dockerfile": "${API_KEY}"}.get(syntax.name, "{{ api_key }}")
    line = Sample("ref", ("api", "key"), reference, GENERIC_SECRET).line(syntax)
    assert not scan_text(line, RULEBOOK, syntax.path), line
