"""Test cases from other scanners' own rule test data, read from their checkouts (bench/outside.py).

Kingfisher: every rule's `examples` (positive) and `negative_examples` (negative).
TruffleHog: table entries of `*_test.go` files, `input:` a string literal and `want:` a `[]string{...}` (positive
when it lists anything, negative when empty) or `nil` (negative); and the `validPattern` (positive) and
`invalidPattern` (negative) constants. An input written as `fmt.Sprintf` of string literals and the file's string
constants (`keyword`, `validPattern`) with `%s`/`%v` verbs is evaluated: most tables build their inputs so. An
input built at run time (a call, `+`, any other expression) is counted as skipped; an entry whose `want` is
not a `[]string` or `nil` tests something else and is ignored.
"""

from __future__ import annotations

import random
import re
import string
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml


@dataclass(frozen=True)
class Case:
    source: str
    family: str
    positive: bool
    text: str
    origin: str  # a rule id or file:line, never the value


@dataclass
class Harvest:
    cases: list[Case] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> count
    ignored: int = 0  # entries that are not pattern tests


SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built in: 4x faster


# ---- Kingfisher ----------------------------------------------------------------------------------------------

def kingfisher_family(rule_id: str) -> str:
    """`kingfisher.airtable.1` -> `airtable`; `kingfisher.azure.devops.1` -> `azure`."""
    parts = rule_id.split(".")
    return parts[1] if len(parts) > 2 else rule_id


def kingfisher_rules(path: Path) -> list[dict[str, object]]:
    loaded = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    rules = loaded.get("rules") if isinstance(loaded, dict) else None
    return [r for r in rules if isinstance(r, dict)] if isinstance(rules, list) else []


def kingfisher_cases(root: Path) -> Harvest:
    harvest = Harvest()
    for path in sorted(p for p in root.rglob("*") if p.suffix in (".yml", ".yaml") and p.is_file()):
        try:
            rules = kingfisher_rules(path)
        except (yaml.YAMLError, UnicodeDecodeError):
            harvest.skipped["unreadable YAML file"] += 1
            continue
        for rule in rules:
            rule_id = str(rule.get("id", path.stem))
            for key, positive in (("examples", True), ("negative_examples", False)):
                examples = rule.get(key)
                for example in examples if isinstance(examples, list) else []:
                    if isinstance(example, str) and example.strip():
                        harvest.cases.append(Case("kingfisher", kingfisher_family(rule_id), positive, example, rule_id))
                    else:
                        harvest.skipped["empty or not a string"] += 1
    return harvest


# ---- TruffleHog: a just-enough Go lexer ----------------------------------------------------------------------

GO_TOKEN = re.compile(r"//[^\n]*|/\*.*?\*/|\"[^\"\\\n]*(?:\\.[^\"\\\n]*)*\"|`[^`]*`|'[^'\\\n]*(?:\\.[^'\\\n]*)*'", re.S)
GO_ESCAPE = re.compile(r"\\(?:([abfnrtv\\'\"])|x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|([0-7]{3}))")
SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
                  "\\": "\\", "'": "'", '"': '"'}


def blank(text: str) -> str:
    """Spaces of the same length, newlines kept, so that offsets and line numbers stay put."""
    return "\n".join(" " * len(line) for line in text.split("\n"))


def go_views(source: str) -> tuple[str, str]:
    """(code, skeleton): code has comments blanked; skeleton also blanks the inside of every literal, so that
    field names and braces are searched in the skeleton and literal values read from `code` at the same offsets."""
    code: list[str] = []
    skeleton: list[str] = []
    last = 0
    for token in GO_TOKEN.finditer(source):
        text = token.group()
        code.append(source[last:token.start()])
        skeleton.append(source[last:token.start()])
        if text.startswith("/"):
            code.append(blank(text))
            skeleton.append(blank(text))
        else:
            code.append(text)
            skeleton.append(text[0] + blank(text[1:-1]) + text[-1])
        last = token.end()
    code.append(source[last:])
    skeleton.append(source[last:])
    return "".join(code), "".join(skeleton)


def go_unescape(body: str) -> str:
    def one(match: re.Match[str]) -> str:
        simple, byte, short, long, octal = match.groups()
        if simple:
            return SIMPLE_ESCAPES[simple]
        return chr(int(octal, 8)) if octal else chr(int(byte or short or long, 16))

    return GO_ESCAPE.sub(one, body)


LITERAL_START = re.compile(r"`[^`]*`|\"[^\"\\\n]*(?:\\.[^\"\\\n]*)*\"")

def outside_literals(code: str, start: int = 0) -> Iterator[tuple[int, int]]:
    """(offset, bracket depth after it) of each character from `start` that is not inside a string literal."""
    depth, index = 0, start
    while index < len(code):
        literal = LITERAL_START.match(code, index)
        if literal:
            index = literal.end()
            continue
        depth += code[index] in "({[" or -(code[index] in ")}]")
        yield index, depth
        index += 1


def closing(code: str, opening: int) -> int:
    """The offset of the bracket that closes the one at `opening` (literals skipped)."""
    return next((index for index, depth in outside_literals(code, opening) if depth == 0), len(code))


def split_top_level(code: str, separator: str) -> list[str]:
    """Split at `separator` outside brackets and string literals."""
    cuts = [index for index, depth in outside_literals(code) if depth == 0 and code[index] == separator]
    parts = [code[a + 1:b] for a, b in zip([-1, *cuts], [*cuts, len(code)], strict=True)]
    return [part.strip() for part in parts if part.strip()]
CONCATENATED = re.compile(r"[ \t]*\+")
IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
CONSTANTS = {"validPattern": True, "invalidPattern": False}


@dataclass(frozen=True)
class Expression:
    value: str | None  # the literal's value when the expression is one plain string literal
    skip_reason: str | None  # why it is not, when it is not
    name: str = ""  # the identifier, when the expression is a bare one


def literal_value(text: str) -> str:
    return text[1:-1] if text[0] == "`" else go_unescape(text[1:-1])


def read_expression(code: str, start: int, constants: Mapping[str, str]) -> Expression:
    """Classify the Go expression at `start`: a plain string literal, a `fmt.Sprintf` of literals and string
    constants (evaluated), or something built at run time."""
    literal = LITERAL_START.match(code, start)
    if literal:
        if CONCATENATED.match(code, literal.end()):
            return Expression(None, "concatenation")
        return Expression(literal_value(literal.group()), None)
    if code.startswith("fmt.Sprintf(", start):
        return sprintf(code, start + len("fmt.Sprintf("), constants)
    if code.startswith("fmt.Sprint", start):
        return Expression(None, "fmt.Sprint")
    name = IDENTIFIER.match(code, start)
    if name and CONCATENATED.match(code, name.end()):
        return Expression(None, "concatenation")
    if name and not code.startswith(("(", "."), name.end()):
        return Expression(None, "other expression", name.group())
    return Expression(None, "other expression")


SPRINTF_VERB = re.compile(r"%(.)")
STRING_DECLARATION = re.compile(r"^[ \t]*(?:(?:const|var)[ \t]+)?([A-Za-z_]\w*)[ \t]*(?:string[ \t]*)?:?=[ \t]*", re.M)


def string_constants(code: str, skeleton: str) -> dict[str, str]:
    """Every `name = "literal"` (or `:=`, `const`, `var`) of the file; a name given two values is left out."""
    values: dict[str, set[str]] = {}
    for declaration in STRING_DECLARATION.finditer(skeleton):
        literal = LITERAL_START.match(code, declaration.end())
        if literal and not CONCATENATED.match(code, literal.end()):
            values.setdefault(declaration.group(1), set()).add(literal_value(literal.group()))
    return {name: next(iter(found)) for name, found in values.items() if len(found) == 1}


def sprintf_arguments(code: str, start: int, constants: Mapping[str, str]) -> list[str] | str:
    """The values of the arguments from `start` to the closing parenthesis, or why they cannot be known."""
    arguments: list[str] = []
    for argument in split_top_level(code[start:closing(code, start - 1)], ","):
        if LITERAL_START.fullmatch(argument):
            arguments.append(literal_value(argument))
        elif argument in constants:
            arguments.append(constants[argument])
        else:
            return "fmt.Sprintf of a run-time value"
    return arguments


def sprintf(code: str, start: int, constants: Mapping[str, str]) -> Expression:
    """`fmt.Sprintf(format, args...)` with `%s`/`%v` verbs only, every argument a literal or a string constant."""
    arguments = sprintf_arguments(code, start, constants)
    if isinstance(arguments, str):
        return Expression(None, arguments)
    pieces: list[str] = []
    last, rest = 0, iter(arguments[1:])
    for verb in SPRINTF_VERB.finditer(arguments[0]):
        pieces.append(arguments[0][last:verb.start()])
        if verb.group(1) == "%":
            pieces.append("%")
        elif verb.group(1) in "sv" and (value := next(rest, None)) is not None:
            pieces.append(value)
        else:
            return Expression(None, "fmt.Sprintf with another verb")
        last = verb.end()
    return Expression("".join(pieces) + arguments[0][last:], None)


# The word first and the boundary checked behind it: a pattern starting with a literal is searched fast.
INPUT_FIELD = re.compile(r"input:(?<!\winput:)\s*")
WANT_FIELD = re.compile(r"want:(?<!\wwant:)\s*(?:(nil)\b|\[\]string\s*\{)")
ANY_WANT_FIELD = re.compile(r"want:(?<!\wwant:)")
BRACE = re.compile(r"[{}]")
STRUCT_TYPE = re.compile(r"\bstruct\s*\{")
WANT_STRINGS_DECLARED = re.compile(r"\bwant\s+\[\]string\b")
CONSTANT_DECLARATION = re.compile(
    r"^[ \t]*(?:(?:const|var)[ \t]+)?(validPattern|invalidPattern)[ \t]*(?:string[ \t]*)?:?=[ \t]*", re.M)


def closing_brace(skeleton: str, opening: int) -> int:
    depth = 0
    for brace in BRACE.finditer(skeleton, opening):
        depth += 1 if brace.group() == "{" else -1
        if depth == 0:
            return brace.start()
    return len(skeleton)


def opening_brace(skeleton: str, inside: int) -> int:
    depth, index = 0, inside
    while (index := max(skeleton.rfind("{", 0, index), skeleton.rfind("}", 0, index))) >= 0:
        depth += 1 if skeleton[index] == "}" else -1
        if depth < 0:
            return index
    return 0


def declares_want_strings(skeleton: str, entry_start: int) -> bool:
    """Whether the anonymous struct of the table holding this entry has a `want []string` field, so that an
    entry leaving `want` out expects nil."""
    declarations = list(STRUCT_TYPE.finditer(skeleton, 0, entry_start))
    if not declarations:
        return False
    fields = declarations[-1]
    return bool(WANT_STRINGS_DECLARED.search(skeleton, fields.end(), closing_brace(skeleton, fields.end() - 1)))


def expected_positive(skeleton: str, input_offset: int) -> bool | None:
    """What the `want:` of the table entry holding `input_offset` says: True (lists values), False (empty, nil,
    or left out where the table declares `want []string`), None (a want of another type: not a pattern test)."""
    start = opening_brace(skeleton, input_offset)
    end = closing_brace(skeleton, start)
    want = WANT_FIELD.search(skeleton, start, end)
    if want is None:
        left_out = ANY_WANT_FIELD.search(skeleton, start, end) is None
        return False if left_out and declares_want_strings(skeleton, start) else None
    if want.group(1):
        return False
    listed = skeleton[want.end():closing_brace(skeleton, want.end() - 1)]
    return bool(listed.replace(",", "").strip())


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def table_cases(code: str, skeleton: str, family: str, where: str, harvest: Harvest) -> None:
    constants = string_constants(code, skeleton)
    for field_match in INPUT_FIELD.finditer(skeleton):
        positive = expected_positive(skeleton, field_match.start())
        if positive is None:
            harvest.ignored += 1
            continue
        expression = read_expression(code, field_match.end(), constants)
        if expression.value is not None and not expression.value.strip():
            harvest.skipped["empty input"] += 1
        elif expression.value is not None:
            origin = f"{where}:{line_of(code, field_match.start())}"
            harvest.cases.append(Case("trufflehog", family, positive, expression.value, origin))
        elif expression.name not in CONSTANTS and expression.skip_reason:  # the constants are read on their own
            harvest.skipped[expression.skip_reason] += 1


def constant_cases(code: str, skeleton: str, family: str, where: str, harvest: Harvest) -> None:
    for declaration in CONSTANT_DECLARATION.finditer(skeleton):
        expression = read_expression(code, declaration.end(), {})
        if expression.value is None or not expression.value.strip():
            harvest.skipped[expression.skip_reason or "empty input"] += 1
            continue
        origin = f"{where}:{line_of(code, declaration.start())}"
        harvest.cases.append(Case("trufflehog", family, CONSTANTS[declaration.group(1)], expression.value, origin))


def trufflehog_test_files(root: Path) -> Iterator[Path]:
    """`*_test.go` of detector folders; the test files of the detectors package itself are not detectors."""
    for path in sorted(root.rglob("*_test.go")):
        if "integration" not in path.name and path.parent != root:
            yield path


def trufflehog_cases(root: Path) -> Harvest:
    harvest = Harvest()
    for path in trufflehog_test_files(root):
        relative = path.relative_to(root)
        code, skeleton = go_views(path.read_text(encoding="utf-8", errors="replace"))
        family, where = relative.parts[0], relative.as_posix()
        table_cases(code, skeleton, family, where, harvest)
        constant_cases(code, skeleton, family, where, harvest)
    return harvest


# ---- gitleaks: the rule generator's own positives and negatives -------------------------------------------------

# gitleaks writes each rule's test cases in Go (cmd/generate/config/rules/*.go): `tps` (positives) and `fps`
# (negatives) lists of literals, and `utils.GenerateSampleSecrets(identifier, secret)` (one line per syntax of
# utils/generate.go: INI, JSON, YAML, Go, Java, Python, Make ...) or `GenerateSampleSecret` (`<id>_api_token =
# "<secret>"`), the secret often `secrets.NewSecret(<regex>)`: a random string the regex matches. Here those
# regexes are drawn from by a small generator (character classes, escapes, `{n}` and `{n,m}`), seeded, so the
# cases are the same on every run; a regex it cannot draw from (groups, alternation) is counted as skipped.

SECRET_HELPERS = {"Numeric": "[0-9]{%s}", "Hex": "[a-f0-9]{%s}", "AlphaNumeric": "[a-z0-9]{%s}",
                  "AlphaNumericExtendedShort": "[a-z0-9_-]{%s}", "AlphaNumericExtended": "[a-z0-9=_\\-]{%s}",
                  "AlphaNumericExtendedLong": "[a-z0-9\\/=_\\+\\-]{%s}"}
HELPER_CALL = re.compile(r"utils\.(\w+)\(\"(\d+)\"\)")
SAMPLE_TEMPLATE = re.compile(r"^[ \t]*\"[^\"]+\":[ \t]*(`[^`]*`|\"(?:[^\"\\\n]|\\.)*\")[ \t]*,", re.M)
SAMPLE_CALL = re.compile(r"utils\.GenerateSampleSecrets?\(")
STRING_LIST = re.compile(r"\b(tps|fps)[ \t]*:?=[ \t]*\[\]string[ \t]*\{")
RULE_ID = re.compile(r"RuleID:[ \t]*\"([^\"]+)\"")
QUANTIFIER = re.compile(r"\{(\d+)(?:,(\d*))?\}")
CHAR_CLASS = re.compile(r"\[((?:\\.|[^\]\\])+)\]")
CLASS_ESCAPES = {"d": string.digits, "w": string.ascii_letters + string.digits + "_"}


def sample_templates(utils_source: str) -> list[str]:
    body = utils_source[utils_source.index("func GenerateSampleSecrets"):]
    return [literal_value(text) for text in SAMPLE_TEMPLATE.findall(body[:body.index("replacer")])]


def class_members(body: str) -> list[str] | None:
    """The characters of a `[...]` class body; None for a negated class."""
    if body.startswith("^"):
        return None
    members: list[str] = []
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\" and index + 1 < len(body):
            members += CLASS_ESCAPES.get(body[index + 1], body[index + 1])
            index += 2
        elif index + 2 < len(body) and body[index + 1] == "-":
            members += [chr(c) for c in range(ord(char), ord(body[index + 2]) + 1)]
            index += 3
        else:
            members.append(char)
            index += 1
    return members


def draw(regex: str, rng: random.Random) -> str | None:
    """A random string the regex matches, for regexes of literals, classes, escapes and counted repeats."""
    out: list[str] = []
    index = 0
    while index < len(regex):
        members: list[str] | None
        char_class = CHAR_CLASS.match(regex, index)
        if char_class:
            members, index = class_members(char_class.group(1)), char_class.end()
        elif regex[index] == "\\" and index + 1 < len(regex):
            members, index = list(CLASS_ESCAPES.get(regex[index + 1], regex[index + 1])), index + 2
        elif regex[index] in "()|?*+^$.[":
            return None
        else:
            members, index = [regex[index]], index + 1
        if not members:
            return None
        low = high = 1
        if count := QUANTIFIER.match(regex, index):
            low, upper = int(count.group(1)), count.group(2)
            high = low if upper is None else int(upper) if upper else low + 10  # `{n,}`: up to ten more
            index = count.end()
        out.append("".join(rng.choice(members) for _ in range(rng.randint(low, high))))
    return "".join(out)


def secret_regex(argument: str) -> str | None:
    """The regex of `secrets.NewSecret(...)`: literals and utils helpers joined with `+`."""
    pieces = []
    for part in split_top_level(argument, "+"):
        helper = HELPER_CALL.fullmatch(part)
        if helper and helper.group(1) in SECRET_HELPERS:
            pieces.append(SECRET_HELPERS[helper.group(1)] % helper.group(2))
        elif LITERAL_START.fullmatch(part):
            pieces.append(literal_value(part))
        else:
            return None
    return "".join(pieces)


def go_string(expression: str, rng: random.Random) -> str | None:
    """The value of a Go string expression of literals and `secrets.NewSecret(...)`, joined with `+`."""
    pieces = []
    for part in split_top_level(expression, "+"):
        if LITERAL_START.fullmatch(part):
            pieces.append(literal_value(part))
        elif part.startswith("secrets.NewSecret(") and part.endswith(")"):
            regex = secret_regex(part[len("secrets.NewSecret("):-1])
            value = draw(regex, rng) if regex is not None else None
            if value is None:
                return None
            pieces.append(value)
        else:
            return None
    return "".join(pieces)


def sample_cases(code: str, call: re.Match[str], templates: Sequence[str], rng: random.Random) -> list[str] | None:
    arguments = split_top_level(code[call.end():closing(code, call.end() - 1)], ",")
    if len(arguments) != 2 or not LITERAL_START.fullmatch(arguments[0]):
        return None
    identifier, secret = literal_value(arguments[0]), go_string(arguments[1], rng)
    if secret is None:
        return None
    if call.group().endswith("Secret("):
        return [f'{identifier}_api_token = "{secret}"']
    return [t.replace("{i}", identifier).replace("{I}", identifier.upper()).replace("{s}", secret) for t in templates]


def list_ranges(code: str) -> list[tuple[int, int, bool]]:
    """(start, end, positive) of each `tps`/`fps` string list."""
    return [(found.end() - 1, closing(code, found.end() - 1), found.group(1) == "tps")
            for found in STRING_LIST.finditer(code)]


def gitleaks_file_cases(code: str, where: str, templates: Sequence[str], harvest: Harvest) -> None:
    rng = random.Random(where)  # the same cases on every run
    ranges = list_ranges(code)
    for call in SAMPLE_CALL.finditer(code):
        ids = RULE_ID.findall(code, 0, call.start())
        positive = not any(start < call.start() < end and not tps for start, end, tps in ranges)
        texts = sample_cases(code, call, templates, rng)
        if texts is None:
            harvest.skipped["gitleaks sample of a run-time value"] += 1
            continue
        family = ids[-1] if ids else where
        harvest.cases += [Case("gitleaks", family, positive, text, f"{where}:{line_of(code, call.start())}")
                          for text in texts if text.strip()]
    for start, end, positive in ranges:
        for element in split_top_level(code[start + 1:end], ","):
            if LITERAL_START.fullmatch(element) and literal_value(element).strip():
                ids = RULE_ID.findall(code, 0, start)
                harvest.cases.append(Case("gitleaks", ids[-1] if ids else where, positive, literal_value(element),
                                          f"{where}:{line_of(code, start)}"))


def gitleaks_cases(root: Path) -> Harvest:
    """`root`: gitleaks' cmd/generate/config (its rules/ and utils/ folders)."""
    harvest = Harvest()
    templates = sample_templates((root / "utils" / "generate.go").read_text(encoding="utf-8"))
    for path in sorted((root / "rules").glob("*.go")):
        if not path.name.endswith("_test.go"):
            code, _ = go_views(path.read_text(encoding="utf-8", errors="replace"))
            gitleaks_file_cases(code, path.relative_to(root).as_posix(), templates, harvest)
    return harvest
