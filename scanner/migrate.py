"""`credlint migrate`: rewrite hard-coded secrets in Python to `os.environ["NAME"]`, as a reviewable diff.

What is rewritten is exactly what `credlint scan` reports in the file: the scan decides, this module only
finds the string literal each finding sits in and names the variable after the call or assignment
around it. Only literals that the parser places exactly (one line, known byte columns) are replaced;
every other character of the file stays as it was. A file that does not parse is left alone, and so is a
rewrite that would not parse.
"""

from __future__ import annotations

import ast
import difflib
import re
from dataclasses import dataclass, field

from credlint.config import Config
from credlint.detectors.python_auth import PASSWORD_CALLS, call_name, module_constants
from credlint.detectors.rulebook import Rulebook
from credlint.model import Finding
from credlint.pipeline import run_scan
from credlint.sources.stream import TextSource


@dataclass(frozen=True, slots=True, order=True)
class Edit:
    line: int  # 1-based
    start: int  # byte offsets within the line's UTF-8 encoding
    end: int
    variable: str


@dataclass(slots=True)
class Migration:
    path: str
    original: str
    rewritten: str
    variables: list[str] = field(default_factory=list)
    note: str = ""  # why nothing was rewritten, when that is the case
    redactions: list[tuple[str, str]] = field(default_factory=list)  # (secret, its redacted form)

    def diff(self) -> str:
        """The change as a unified diff, the removed secrets redacted: a diff printed in a CI log must not
        publish what it takes out of the code."""
        text = "".join(difflib.unified_diff(self.original.splitlines(keepends=True),
                                            self.rewritten.splitlines(keepends=True),
                                            f"a/{self.path}", f"b/{self.path}"))
        for secret, redacted in sorted(self.redactions, key=lambda pair: -len(pair[0])):
            text = text.replace(secret, redacted)
        return text


def env_name(*parts: str) -> str:
    """CONSTANT_CASE from context: 'registry-reader@x.org' and 'password' -> REGISTRY_READER_PASSWORD."""
    words = [w for part in parts for w in re.split(r"[^A-Za-z0-9]+", part.split("@")[0]) if w]
    name = "_".join(words).upper()
    return name if name and not name[0].isdigit() else f"SECRET_{name}"


def is_literal(node: ast.expr | None) -> bool:
    return (isinstance(node, ast.Constant) and isinstance(node.value, str) and bool(node.value)
            and node.lineno == node.end_lineno and node.end_col_offset is not None)


class NameFinder:
    """The variable each string literal's secret should move to, from the call or assignment around it."""

    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.constants = module_constants(tree)
        self.names: dict[tuple[int, int], str] = {}  # (line, byte column) of a literal -> variable

    def add(self, node: ast.expr, variable: str) -> None:
        if is_literal(node):
            self.names.setdefault((node.lineno, node.col_offset), variable)

    def password_target(self, node: ast.expr, *context: str) -> None:
        """A literal in place, or the literal a module-level constant holds (named after the constant)."""
        if isinstance(node, ast.Name) and node.id in self.constants:
            self.add(self.constants[node.id], env_name(node.id))
        else:
            self.add(node, env_name(*context, "password"))

    def visit_call(self, node: ast.Call) -> None:
        name = call_name(node)
        user = node.args[0] if node.args else None
        user_text = user.value if isinstance(user, ast.Constant) and isinstance(user.value, str) else name
        if name in PASSWORD_CALLS and len(node.args) > PASSWORD_CALLS[name]:
            self.password_target(node.args[PASSWORD_CALLS[name]], user_text)
        for keyword in node.keywords:
            if keyword.arg in ("password", "passwd"):
                self.password_target(keyword.value, receiver(node))
            elif keyword.arg == "auth" and isinstance(keyword.value, ast.Tuple) and len(keyword.value.elts) == 2:
                first = keyword.value.elts[0]
                who = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else name
                self.password_target(keyword.value.elts[1], who)
            elif keyword.arg is not None:
                self.add(keyword.value, env_name(receiver(node), keyword.arg))

    def visit_assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            if isinstance(target, ast.Name):
                self.add(node.value, env_name(target.id))
            elif is_auth_tuple_assignment(target, node.value):
                assert isinstance(node.value, ast.Tuple)
                self.password_target(node.value.elts[1], "session")

    def find(self) -> dict[tuple[int, int], str]:
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Call):
                self.visit_call(node)
            elif isinstance(node, ast.Assign):
                self.visit_assign(node)
        return self.names


def literal_spans(tree: ast.Module, lines: list[str]) -> list[tuple[int, int, int, ast.Constant]]:
    """(line, first column, end column) in characters, 1-based like findings, of every one-line string."""
    spans = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and is_literal(node) and node.end_col_offset is not None:
            raw = lines[node.lineno - 1].encode("utf-8") if node.lineno <= len(lines) else b""
            start = len(raw[:node.col_offset].decode("utf-8", "replace")) + 1
            end = len(raw[:node.end_col_offset].decode("utf-8", "replace")) + 1
            spans.append((node.lineno, start, end, node))
    return spans


def edits_for(findings: list[Finding], tree: ast.Module, text: str) -> list[Edit]:
    """One edit per literal that holds a reported secret."""
    names = NameFinder(tree).find()
    spans = literal_spans(tree, text.splitlines())
    edits: dict[tuple[int, int], Edit] = {}
    for finding in findings:
        loc = finding.location
        for line, start, end, node in spans:
            if line == loc.line == loc.end_line and start <= loc.column and loc.end_column <= end:
                key = (node.lineno, node.col_offset)
                variable = names.get(key) or env_name(finding.kind, "secret")
                assert node.end_col_offset is not None
                edits.setdefault(key, Edit(node.lineno, node.col_offset, node.end_col_offset, variable))
    return sorted(edits.values())


def is_auth_tuple_assignment(target: ast.expr, value: ast.expr) -> bool:
    """session.auth = (user, password)"""
    return (isinstance(target, ast.Attribute) and target.attr == "auth" and isinstance(value, ast.Tuple)
            and len(value.elts) == 2)


def receiver(node: ast.Call) -> str:
    """`psycopg2` in psycopg2.connect(...): a better variable name than the generic method name."""
    func = node.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return func.value.id
    return call_name(node)


def unique_names(edits: list[Edit]) -> list[Edit]:
    """Two different literals must not end up in one variable."""
    seen: dict[str, int] = {}
    out = []
    for edit in edits:
        count = seen.get(edit.variable, 0) + 1
        seen[edit.variable] = count
        out.append(edit if count == 1 else Edit(edit.line, edit.start, edit.end, f"{edit.variable}_{count}"))
    return out


def apply_edits(text: str, edits: list[Edit]) -> str:
    lines = text.splitlines(keepends=True)
    for edit in sorted(edits, reverse=True):  # right to left: earlier offsets stay valid
        raw = lines[edit.line - 1].encode("utf-8")
        replacement = f'os.environ["{edit.variable}"]'.encode()
        lines[edit.line - 1] = (raw[:edit.start] + replacement + raw[edit.end:]).decode("utf-8")
    return "".join(lines)


def with_os_import(text: str, tree: ast.Module) -> str:
    """Add `import os` after the module's leading docstring and __future__ imports, unless it is there."""
    if any(isinstance(n, ast.Import) and any(a.name == "os" and a.asname is None for a in n.names)
           for n in tree.body):
        return text
    after = 0
    for node in tree.body:
        is_docstring = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and node is tree.body[0]
        is_future = isinstance(node, ast.ImportFrom) and node.module == "__future__"
        if not (is_docstring or is_future):
            break
        after = node.end_lineno or after
    lines = text.splitlines(keepends=True)
    lines.insert(after, "import os\n")
    return "".join(lines)


def migrate_source(path: str, text: str, rulebook: Rulebook, config: Config | None = None) -> Migration:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError) as exc:
        return Migration(path, text, text, note=f"not rewritten: does not parse ({exc.__class__.__name__})")
    result = run_scan(TextSource(path, text), rulebook, config or Config())
    edits = unique_names(edits_for([f for f in result.findings if not f.advisory], tree, text))
    if not edits:
        return Migration(path, text, text)
    rewritten = with_os_import(apply_edits(text, edits), tree)
    try:
        ast.parse(rewritten)
    except SyntaxError:
        return Migration(path, text, text, note="not rewritten: the rewrite would not parse")
    redactions = sorted({(f.secret, f.redacted) for f in result.findings if f.secret})
    return Migration(path, text, rewritten, sorted({e.variable for e in edits}), redactions=redactions)

