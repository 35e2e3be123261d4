"""What the filters and the score know about one candidate: the shape of its value and where it sits.

Computed once per candidate (scanner/pipeline.py), then read by the filters (scanner/triage/filters.py: whether to
report it) and by the score (scanner/triage/scoring.py: how loudly).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from credlint.detectors.rulebook import Rule
from credlint.detectors.shape import Shape, decoded_text, judge
from credlint.model import Candidate, Validation
from credlint.triage.context import is_comment_line, path_contexts

GENERIC_TAG = "generic"
ADVISORY_TAG = "advisory"
# A rule whose value credlint made itself (a key store's SHA-256, scanner/keystore.py): the value says nothing
# of the secret, so no value filter applies to it (1 digest in 1,000 read as a typed pattern and was dropped).
MADE_VALUE_TAG = "made-value"
# Kinds whose value a person may have chosen; a token or key is generated, never typed.
CHOSEN_KINDS = frozenset({"password", "basic-auth", "connection-string"})
BASIC_CREDENTIALS = "basic-credentials"
VENDOR_BODY = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")


class Assessment:
    """The shape is judged on first use: most candidates are dropped by a cheaper filter first (a failed
    checksum, a placeholder), and judging needs the word list (28 ms to load)."""

    __slots__ = ("_verdict", "cand", "contexts", "in_comment", "prefixes", "rule")

    def __init__(self, rule: Rule, cand: Candidate, prefixes: Iterable[str] = ()) -> None:
        self.rule, self.cand, self.prefixes = rule, cand, prefixes
        self.contexts = path_contexts(cand.path)
        self.in_comment = is_comment_line(cand.line_text)
        self._verdict: tuple[Shape, str, bool] | None = None

    def verdict(self) -> tuple[Shape, str, bool]:
        if self._verdict is None:
            self._verdict = judge_candidate(self.rule, self.cand, self.prefixes)
        return self._verdict

    @property
    def shape(self) -> Shape:
        return self.verdict()[0]

    @property
    def judged(self) -> str:
        """The text that was judged: the value, its body after a vendor prefix, or what it encodes."""
        return self.verdict()[1]

    @property
    def encoded(self) -> bool:
        """The value is base64 or hex of readable text."""
        return self.verdict()[2]

    @property
    def is_readable(self) -> bool:
        return self.shape in (Shape.WORDS, Shape.PATTERNED)


def judge_candidate(rule: Rule, cand: Candidate, prefixes: Iterable[str]) -> tuple[Shape, str, bool]:
    if (cand.validation is Validation.PASSED and rule.validator != BASIC_CREDENTIALS) or ADVISORY_TAG in rule.tags:
        return Shape.RANDOM, cand.secret, False  # a checksum or a parse is the evidence
    judged, encoded = judged_text(rule, cand, prefixes)
    return judge(judged), judged, encoded


def judged_text(rule: Rule, cand: Candidate, prefixes: Iterable[str]) -> tuple[str, bool]:
    """What a person would read: the password inside a Basic credential, the text a base64 value encodes,
    the body after a vendor prefix (`xoxb-users_list_pagination` reads as words once `xoxb-` is off)."""
    if rule.validator == BASIC_CREDENTIALS:
        decoded = decoded_text(cand.secret) or ""
        return decoded.partition(":")[2], False
    value = strip_prefix(cand.secret, prefixes)
    encoded = decoded_text(value) if GENERIC_TAG in rule.tags else None
    if encoded is not None:
        return (encoded.partition(":")[2] or encoded) if looks_like_credentials(encoded) else encoded, True
    return value, False


def looks_like_credentials(text: str) -> bool:
    user, sep, password = text.partition(":")
    return bool(sep and user and password and " " not in user and "{" not in user)


def strip_prefix(value: str, prefixes: Iterable[str]) -> str:
    lowered = value.lower()
    prefix = max((p for p in prefixes if lowered.startswith(p)), key=len, default="")
    return value[len(prefix):] if prefix and len(value) > len(prefix) else value


def assess(rule: Rule, cand: Candidate, prefixes: Iterable[str] = ()) -> Assessment:
    return Assessment(rule, cand, prefixes)


def vendor_prefixes(rules: Iterable[Rule]) -> frozenset[str]:
    """Literal token prefixes of the provider rules (`ghp_`, `xoxb-`, `glpat-`, `sk_live_`): their keywords
    that end with a separator. A generic rule seeing one of these defers to the provider's rule."""
    return frozenset(
        keyword for rule in rules if GENERIC_TAG not in rule.tags and rule.kind in ("token", "key")
        for keyword in rule.keywords
        if len(keyword) >= 4 and keyword[-1] in "-_" and keyword[0].isalpha() and VENDOR_BODY.match(keyword[:-1])
    )
