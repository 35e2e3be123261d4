"""The combined report of an audit: per repository, and per secret across repositories.

Deterministic: sorted, no timings and no ages (they depend on the day it is read; the HTML report works
them out when it is made), repositories named as the list names them. A secret found in several places,
in one repository or many, is one entry with every place; in several repositories it carries the warning
that one value is serving several services.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from credlint import __version__
from credlint.model import Severity

SCHEMA_VERSION = 1
SEVERITY_RANK = {severity.label: int(severity) for severity in Severity}  # labels as the reports write them
LIVE_ACTION = "Still at HEAD: revoke it at its issuer and rotate it, then remove it and read it at run time."
HISTORY_ACTION = "Gone from HEAD but still in history: revoke and rotate it (anyone with a clone has it)."
REUSE_WARNING = ("The same value is in {n} repositories: one leak exposes every service using it. Allocate "
                 "unique tokens per service.")


def combined_report(records: list[dict[str, Any]]) -> dict[str, Any]:
    records = sorted(records, key=lambda r: r["repository"])
    findings = [(r["repository"], f) for r in records for f in r.get("findings", ())]
    secrets = secret_entries([(repo, f) for repo, f in findings if not f.get("advisory")])
    debt = sorted((debt_entry(repo, f) for repo, f in findings if f.get("advisory")),
                  key=lambda d: (d["repository"], d["path"], d["line"], d["rule_id"], d["commit"]))
    return {
        "schema_version": SCHEMA_VERSION, "tool": {"name": "credlint", "version": __version__},
        "repositories": [repository_entry(r) for r in records],
        "secrets": secrets, "migration_debt": debt, "totals": totals(records, secrets, debt),
    }


def repository_entry(record: dict[str, Any]) -> dict[str, Any]:
    found = record.get("findings", [])
    return {
        "repository": record["repository"], "status": record["status"], "reason": record.get("reason", ""),
        "report": record.get("report", ""), "sarif": record.get("sarif", ""), "commits": record.get("commits", 0),
        "warnings": record.get("warnings", []),
        "live_at_head": sum(1 for f in found if not f["advisory"] and f["at_head"]),
        "history_only": sum(1 for f in found if not f["advisory"] and not f["at_head"]),
        "migration_debt": sum(1 for f in found if f["advisory"]),
        "by_severity": dict(sorted(Counter(f["severity"] for f in found).items())),
    }


def debt_entry(repo: str, finding: dict[str, Any]) -> dict[str, Any]:
    return {"repository": repo, **place_of(finding), "rule_id": finding["rule_id"], "title": finding["title"],
            "severity": finding["severity"], "remediation": finding["remediation"]}


def place_of(finding: dict[str, Any]) -> dict[str, Any]:
    keys = ("path", "line", "commit", "author", "date", "at_head", "removed_in", "removed_date")
    return {k: finding[k] for k in keys}


def secret_entries(findings: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    groups: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for repo, finding in findings:
        groups.setdefault(finding["secret_id"] or f"{repo}\0{finding['path']}\0{finding['line']}", []).append(
            (repo, finding))
    entries = [secret_entry(members) for members in groups.values()]
    return sorted(entries, key=lambda e: (-SEVERITY_RANK.get(e["severity"], 0), e["places"][0]["repository"],
                                          e["places"][0]["path"], e["places"][0]["line"], e["rule_id"]))


def secret_entry(members: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    places = sorted(({"repository": repo, **place_of(f)} for repo, f in members),
                    key=lambda p: (p["repository"], p["path"], p["line"], p["commit"]))
    worst = max((f for _, f in members), key=lambda f: (SEVERITY_RANK.get(f["severity"], 0), f["rule_id"]))
    repositories = sorted({p["repository"] for p in places})
    live = any(p["at_head"] for p in places)
    entry = {
        "rule_id": worst["rule_id"], "title": worst["title"], "provider": worst["provider"],
        "severity": worst["severity"], "redacted": worst["redacted"], "live_at_head": live,
        "introduced": min(p["date"] for p in places), "repositories": repositories, "places": places,
        "action": LIVE_ACTION if live else HISTORY_ACTION, "remediation": worst["remediation"],
    }
    if len(repositories) > 1:
        entry["warning"] = REUSE_WARNING.format(n=len(repositories))
    return entry


def totals(records: list[dict[str, Any]], secrets: list[dict[str, Any]], debt: list[dict[str, Any]]
           ) -> dict[str, Any]:
    return {
        "repositories": len(records),
        "scanned": sum(1 for r in records if r["status"] != "failed"),
        "failed": sum(1 for r in records if r["status"] == "failed"),
        "secrets": len(secrets), "live_at_head": sum(1 for s in secrets if s["live_at_head"]),
        "history_only": sum(1 for s in secrets if not s["live_at_head"]),
        "reused_across_repositories": sum(1 for s in secrets if len(s["repositories"]) > 1),
        "migration_debt": len(debt),
        "by_severity": dict(sorted(Counter(s["severity"] for s in secrets).items())),
        "by_provider": dict(sorted(Counter(s["provider"] for s in secrets).items())),
    }
