"""Configured allowlists: value regexes and stop words, global or for one rule. A settings record, kept
apart from the filters so that reading the configuration does not load the shape and word machinery
(start-up of every pre-commit run)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Allowlist:
    regexes: tuple[re.Pattern[str], ...] = ()
    stopwords: tuple[str, ...] = ()
    per_rule: dict[str, Allowlist] = field(default_factory=dict)

    def allows(self, rule_id: str, secret: str) -> bool:
        if any(p.search(secret) for p in self.regexes):
            return True
        lowered = secret.lower()
        if any(word in lowered for word in self.stopwords):
            return True
        scoped = self.per_rule.get(rule_id)
        return scoped.allows(rule_id, secret) if scoped else False
