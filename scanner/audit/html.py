"""The audit as one self-contained HTML page: nothing is fetched when it is viewed.

Built from the combined report (redacted values only, like every other output). Tables are rendered
here, every value escaped; the page's only script sorts a table when its header is clicked. The timeline
of secrets introduced and removed per month is an inline SVG.
"""

from __future__ import annotations

import html
import time
from collections import Counter
from datetime import datetime, timezone
from typing import Any

from credlint.audit.combined import SEVERITY_RANK

STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#1b1f24;background:#fff}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0;min-width:40%}
th,td{border-bottom:1px solid #d0d7de;padding:.3em .7em;text-align:left;vertical-align:top}
th{background:#f6f8fa;cursor:pointer;user-select:none;white-space:nowrap}
th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.critical{color:#a40e26;font-weight:600}.high{color:#bc4c00;font-weight:600}.medium{color:#7d4e00}.low{color:#57606a}
.bar{display:inline-block;height:.8em;background:#0969da;vertical-align:middle}
.cards{display:flex;gap:1em;flex-wrap:wrap}.card{border:1px solid #d0d7de;border-radius:6px;padding:.6em 1em}
.card b{display:block;font-size:1.6em}.warn{color:#a40e26}code{font-size:.92em}
"""
# Sorts by the clicked column: numbers as numbers (data-v holds the sort key when the text is not it).
SCRIPT = """
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("th").forEach(function (th, column) {
    th.addEventListener("click", function () {
      var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
      var up = th.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("th").forEach(function (other) { other.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", up ? "ascending" : "descending");
      function key(row) {
        var cell = row.cells[column], value = cell.getAttribute("data-v");
        if (value === null) { value = cell.textContent.trim(); }
        var number = Number(value);
        return value !== "" && !isNaN(number) ? number : value.toLowerCase();
      }
      rows.sort(function (a, b) {
        var x = key(a), y = key(b), order = x < y ? -1 : x > y ? 1 : 0;
        return up ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
"""


def render_html(report: dict[str, Any], now: float | None = None) -> str:
    now = time.time() if now is None else now
    totals = report["totals"]
    generated = datetime.fromtimestamp(now, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    sections = [
        f"<h1>credlint organisation audit</h1><p>{totals['repositories']} repositories, made {generated} by "
        f"credlint {esc(report['tool']['version'])}. Secret values are redacted.</p>",
        cards(totals), "<h2>Repositories</h2>", repository_table(report["repositories"]),
        "<h2>Secrets introduced and removed, per month</h2>", timeline(report["secrets"]),
        "<h2>By provider</h2>", count_table("Provider", totals["by_provider"]),
        "<h2>By severity</h2>", count_table("Severity", totals["by_severity"], SEVERITY_RANK),
        "<h2>Secrets</h2>", secret_table(report["secrets"], now),
        "<h2>Migration debt</h2>", debt_table(report["migration_debt"]),
    ]
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
            "script-src 'unsafe-inline'; img-src data:\">"
            f"<title>credlint audit: {totals['repositories']} repositories</title><style>{STYLE}</style></head>"
            f"<body>{''.join(sections)}<script>{SCRIPT}</script></body></html>\n")


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def cards(totals: dict[str, Any]) -> str:
    items = [("secrets", totals["secrets"]), ("live at HEAD", totals["live_at_head"]),
             ("only in history", totals["history_only"]), ("in several repositories",
                                                          totals["reused_across_repositories"]),
             ("migration debt", totals["migration_debt"]), ("repositories failed", totals["failed"])]
    return "<div class=cards>" + "".join(f"<div class=card><b>{n}</b>{esc(label)}</div>" for label, n in items) + \
        "</div>"


def table(headers: list[str], rows: list[str], table_id: str) -> str:
    head = "".join(f"<th scope=col>{esc(h)}</th>" for h in headers)
    return f"<table class=sortable id={table_id}><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def number(value: int) -> str:
    return f"<td class=n>{value}</td>"


def repository_table(repositories: list[dict[str, Any]]) -> str:
    rows = []
    for r in repositories:
        status = esc(r["status"]) + (f": {esc(r['reason'])}" if r["reason"] else "")
        severity = ", ".join(f"{n} {esc(s)}" for s, n in sorted(r["by_severity"].items(),
                                                                 key=lambda kv: -SEVERITY_RANK.get(kv[0], 0)))
        rows.append(f"<tr><td>{esc(r['repository'])}</td><td>{status}</td>{number(r['live_at_head'])}"
                    f"{number(r['history_only'])}{number(r['migration_debt'])}{number(r['commits'])}"
                    f"<td>{severity}</td></tr>")
    return table(["Repository", "Status", "Live at HEAD", "History only", "Migration debt", "Commits",
                  "By severity"], rows, "repositories")


def month(date: str) -> str:
    return date[:7] if len(date) >= 7 else ""


def timeline(secrets: list[dict[str, Any]]) -> str:
    introduced = Counter(month(s["introduced"]) for s in secrets if month(s["introduced"]))
    removed = Counter(month(p["removed_date"]) for s in secrets for p in s["places"] if month(p["removed_date"]))
    months = sorted(set(introduced) | set(removed))
    if not months:
        return "<p>No secrets with a commit date.</p>"
    peak = max([*introduced.values(), *removed.values(), 1])
    width, height, gap = 28, 120, 6
    bars = []
    for i, name in enumerate(months):
        x = i * (width + gap) + 30
        for offset, count, colour, label in ((0, introduced[name], "#cf222e", "introduced"),
                                             (width // 2, removed[name], "#1a7f37", "removed")):
            bar = round(count / peak * height)
            bars.append(f"<rect x={x + offset} y={height - bar + 10} width={width // 2 - 1} height={bar} "
                        f"fill=\"{colour}\"><title>{esc(name)}: {count} {label}</title></rect>")
        bars.append(f"<text x={x} y={height + 28} font-size=10>{esc(name)}</text>")
    total_width = len(months) * (width + gap) + 60
    legend = ("<p><span class=bar style=\"background:#cf222e;width:1em\"></span> introduced "
              "<span class=bar style=\"background:#1a7f37;width:1em\"></span> removed (by the month of the "
              "commit)</p>")
    return (f"<svg id=timeline role=img aria-label=\"secrets per month\" width={total_width} height={height + 40}>"
            f"{''.join(bars)}</svg>{legend}")


def count_table(label: str, counts: dict[str, int], rank: dict[str, int] | None = None) -> str:
    peak = max([*counts.values(), 1])
    ordered = sorted(counts.items(), key=lambda kv: (-(rank or {}).get(kv[0], 0), -kv[1], kv[0]))
    rows = [f"<tr><td>{esc(name)}</td>{number(n)}<td><span class=bar style=\"width:{round(n / peak * 200)}px\">"
            f"</span></td></tr>" for name, n in ordered]
    return table([label, "Secrets", ""], rows, f"by-{label.lower()}")


def age_days(date: str, now: float) -> int | None:
    try:
        return max(0, int((now - datetime.fromisoformat(date).timestamp()) // 86400))
    except ValueError:
        return None


def secret_table(secrets: list[dict[str, Any]], now: float) -> str:
    rows = []
    for s in secrets:
        for place in s["places"]:
            age = age_days(place["date"], now)
            where = f"{esc(place['path'])}:{place['line']}"
            warning = f"<br><span class=warn>{esc(s['warning'])}</span>" if "warning" in s else ""
            rows.append(
                f"<tr><td class={esc(s['severity'])} data-v={SEVERITY_RANK.get(s['severity'], 0)}>"
                f"{esc(s['severity'])}</td><td>{esc(s['provider'])}</td><td>{esc(place['repository'])}</td>"
                f"<td><code>{where}</code></td><td><code>{esc(s['redacted'])}</code></td>"
                f"<td><code>{esc(place['commit'][:12])}</code></td><td>{esc(place['author'])}</td>"
                f"<td data-v={age if age is not None else ''}>{'' if age is None else f'{age} days'}</td>"
                f"<td>{'yes' if place['at_head'] else 'no'}</td><td>{esc(s['action'])}{warning}</td></tr>")
    return table(["Severity", "Provider", "Repository", "Where", "Value", "Commit", "Author", "Age", "At HEAD",
                  "What to do"], rows, "secrets")


def debt_table(debt: list[dict[str, Any]]) -> str:
    rows = [f"<tr><td>{esc(d['repository'])}</td><td><code>{esc(d['path'])}:{d['line']}</code></td>"
            f"<td>{esc(d['title'])}</td><td><code>{esc(d['commit'][:12])}</code></td><td>{esc(d['remediation'])}</td>"
            f"</tr>" for d in debt]
    return table(["Repository", "Where", "What", "Commit", "Token-based replacement"], rows, "debt")
