"""`credlint audit`: an organisation's repositories, on the local pool and on a Dask LocalCluster."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from credlint.audit.repos import (
    ListingError,
    RepoSpec,
    clone_header,
    list_github_org,
    list_gitlab_group,
    read_repo_list,
)
from tests.fakes import crc32_token

RNG = random.Random(20)
SHARED_TOKEN = crc32_token("ghp_", RNG)
OWN_TOKENS = [crc32_token("ghp_", RNG) for _ in range(20)]
GIT_ENV = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "Ada",
           "GIT_AUTHOR_EMAIL": "ada@example.org", "GIT_COMMITTER_NAME": "Ada",
           "GIT_COMMITTER_EMAIL": "ada@example.org", "GIT_AUTHOR_DATE": "2025-03-04T10:00:00+00:00",
           "GIT_COMMITTER_DATE": "2025-03-04T10:00:00+00:00"}


def git(repo: Path, *args: str, date: str = "") -> None:
    env = {**os.environ, **GIT_ENV, **({"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date} if date else {})}
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


def commit(repo: Path, files: dict[str, str], message: str, date: str = "") -> None:
    for name, text in files.items():
        (repo / name).write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message, date=date)


def make_repositories(root: Path) -> Path:
    """20 repositories: 3 share one token (one of them deleted it), one corrupt, one empty, one shallow,
    the others each with a token of their own or nothing; the list names them as a team would."""
    names = []
    for n in range(17):
        repo = root / f"service-{n:02d}"
        repo.mkdir()
        git(repo, "init", "-q", "-b", "main")
        commit(repo, {"README.md": f"service {n}\n"}, "start", "2024-11-05T09:00:00+00:00")
        if n < 3:
            commit(repo, {"deploy.py": f'GITHUB_TOKEN = "{SHARED_TOKEN}"\n'}, "deploy", "2025-01-10T09:00:00+00:00")
        elif n % 4 == 0:
            commit(repo, {"settings.py": f'token = "{OWN_TOKENS[n]}"\n'}, "settings")
        if n == 2:
            commit(repo, {"deploy.py": 'GITHUB_TOKEN = os.environ["GITHUB_TOKEN"]\n'}, "read it from the env",
                   "2025-06-01T09:00:00+00:00")
        if n == 5:
            commit(repo, {"client.py": 'requests.get(url, auth=("ops", os.environ["OPS_PASSWORD"]))\n'}, "client")
        names.append(repo.name)
    corrupt = root / "corrupt"
    corrupt.mkdir()
    git(corrupt, "init", "-q", "-b", "main")
    commit(corrupt, {"a.txt": "a\n"}, "one")
    for loose in (corrupt / ".git" / "objects").glob("??/*"):
        loose.unlink()  # every object gone: nothing can be cloned from it
    (root / "empty").mkdir()
    git(root / "empty", "init", "-q", "-b", "main")
    source = root / "service-04"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{source}", str(root / "shallow")], check=True,
                   capture_output=True, env={**os.environ, **GIT_ENV})
    listing = root / "repos.txt"
    listing.write_text("# the team's repositories\n" + "".join(f"{name}\n" for name in names) +
                       "corrupt\nempty   # new, nothing pushed yet\nshallow\n\nservice-01\n")
    return listing


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_repositories(tmp_path_factory.mktemp("org"))


def audit(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **GIT_ENV, "HOME": str(cwd), "CREDLINT_NO_CACHE": "1"}
    return subprocess.run([sys.executable, "-m", "credlint", "audit", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600, env=env)


def combined(output: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((output / "audit.json").read_text())
    return data


@pytest.fixture(scope="module")
def pool_run(org: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    work = tmp_path_factory.mktemp("pool")
    done = audit(str(org), "--output-dir", "out", "--cache", "cache", "--jobs", "2", "--html", "out/report.html",
                 cwd=work)
    return work, done


@pytest.mark.slow  # 20 repositories, each audited in its own process
def test_the_pool_audits_every_repository_and_records_the_broken_one(pool_run: tuple[Path, Any]) -> None:
    work, done = pool_run
    assert done.returncode == 1, done.stderr  # findings at or above the default threshold
    assert "Traceback" not in done.stderr
    report = combined(work / "out")
    status = {r["repository"]: (r["status"], r["reason"]) for r in report["repositories"]}
    assert len(status) == 20  # service-01 listed twice is audited once
    assert status["corrupt"][0] == "failed" and "git clone failed" in status["corrupt"][1]
    assert {name for name, (state, _) in status.items() if state == "failed"} == {"corrupt"}
    warnings = {r["repository"]: r["warnings"] for r in report["repositories"]}
    assert any("empty repository" in w for w in warnings["empty"])
    assert any("shallow" in w for w in warnings["shallow"])
    assert "credlint audit: 20/20 repositories" in done.stderr


@pytest.mark.slow  # 20 repositories, each audited in its own process
def test_a_shared_secret_is_one_entry_with_every_place(pool_run: tuple[Path, Any]) -> None:
    report = combined(pool_run[0] / "out")
    [shared] = [s for s in report["secrets"] if "service-00" in s["repositories"]]
    assert shared["repositories"] == ["service-00", "service-01", "service-02"]
    assert "unique tokens per service" in shared["warning"]
    places = {p["repository"]: p for p in shared["places"]}
    assert places["service-02"]["at_head"] is False and places["service-02"]["removed_in"]
    assert places["service-02"]["removed_date"].startswith("2025-06-01")
    assert places["service-00"]["at_head"] is True and places["service-00"]["date"].startswith("2025-01-10")
    by_repo = {r["repository"]: r for r in report["repositories"]}
    assert by_repo["service-02"]["history_only"] == 1 and by_repo["service-02"]["live_at_head"] == 0
    assert by_repo["service-05"]["migration_debt"] == 1
    # service-04 and its shallow clone hold the same token: one secret, two places
    [own] = [s for s in report["secrets"] if "service-04" in s["repositories"]]
    assert own["repositories"] == ["service-04", "shallow"]
    assert report["totals"]["reused_across_repositories"] == 2


@pytest.mark.slow  # 20 repositories, each audited in its own process
def test_reports_are_named_as_the_list_names_them_and_never_hold_a_secret(pool_run: tuple[Path, Any]) -> None:
    work, _ = pool_run
    output = work / "out"
    texts = [p.read_text() for p in output.rglob("*") if p.is_file()]
    assert len(texts) >= 3 * 19 + 2  # JSON, SARIF and state per scanned repository; audit.json; the page
    for text in texts:
        assert str(work / "cache") not in text and ".git.partial" not in text
        for token in [SHARED_TOKEN, *OWN_TOKENS]:
            assert token not in text and token[4:20] not in text
    sarif = json.loads(next(output.glob("repositories/service-00-*.sarif")).read_text())
    assert sarif["runs"][0]["results"]


@pytest.mark.slow  # 20 repositories, each audited in its own process
def test_the_dask_local_cluster_gives_the_same_combined_report(org: Path, pool_run: tuple[Path, Any],
                                                                 tmp_path: Path) -> None:
    pytest.importorskip("dask.distributed")
    done = audit(str(org), "--output-dir", "out", "--cache", "cache", "--dask", "local", "--jobs", "2", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert (tmp_path / "out" / "audit.json").read_bytes() == (pool_run[0] / "out" / "audit.json").read_bytes()


@pytest.mark.slow  # 20 repositories, each audited in its own process
def test_a_second_run_scans_nothing_new(org: Path, tmp_path: Path) -> None:
    first = audit(str(org), "--output-dir", "out", "--cache", "cache", cwd=tmp_path)
    states = {p: p.stat().st_mtime_ns for p in (tmp_path / "out").glob("repositories/*.state.json")}
    second = audit(str(org), "--output-dir", "out", "--cache", "cache", cwd=tmp_path)
    assert "(0 scanned, 19 unchanged, 1 failed)" in second.stderr, second.stderr
    assert {p: p.stat().st_mtime_ns for p in states} == states
    assert combined(tmp_path / "out") == json.loads(json.dumps(combined(tmp_path / "out")))
    assert first.returncode == second.returncode == 1
    repo = org.parent / "service-07"
    commit(repo, {"new.py": f'token = "{crc32_token("ghp_", random.Random(7))}"\n'}, "a new leak")
    third = audit(str(org), "--output-dir", "out", "--cache", "cache", cwd=tmp_path)
    assert "(1 scanned, 18 unchanged, 1 failed)" in third.stderr, third.stderr
    assert combined(tmp_path / "out")["totals"]["secrets"] == combined(tmp_path / "out")["totals"]["secrets"]
    git(repo, "reset", "-q", "--hard", "HEAD~1")


def processes_in(folder: Path) -> list[int]:
    """Processes whose working folder is this one (the audit's workers run there)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and Path(os.readlink(entry / "cwd")) == folder:
                found.append(int(entry.name))
        except OSError:
            continue
    return found


@pytest.mark.slow  # 20 repositories, each audited in its own process
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_an_audit_killed_midway_completes_when_run_again(org: Path, pool_run: tuple[Path, Any], tmp_path: Path,
                                                         how: signal.Signals) -> None:
    env = {**os.environ, **GIT_ENV, "HOME": str(tmp_path), "CREDLINT_NO_CACHE": "1"}
    process = subprocess.Popen([sys.executable, "-m", "credlint", "audit", str(org), "--output-dir", "out",
                                "--cache", "cache", "--jobs", "1", "-q"], cwd=tmp_path, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    states = tmp_path / "out" / "repositories"
    deadline = time.monotonic() + 120
    while len(list(states.glob("*.state.json"))) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(how)
    assert process.wait() == (143 if how == signal.SIGTERM else -signal.SIGKILL)
    if how == signal.SIGTERM:  # it stops its workers; a SIGKILLed audit cannot, and its orphans just finish
        time.sleep(0.5)
        assert processes_in(tmp_path) == []
    finished = len(list(states.glob("*.state.json")))
    assert 3 <= finished < 19 and not (tmp_path / "out" / "audit.json").exists()
    again = audit(str(org), "--output-dir", "out", "--cache", "cache", cwd=tmp_path)
    assert f"({19 - finished} scanned, {finished} unchanged, 1 failed)" in again.stderr, again.stderr
    assert (tmp_path / "out" / "audit.json").read_bytes() == (pool_run[0] / "out" / "audit.json").read_bytes()


@pytest.mark.slow  # 20 repositories, each audited in its own process
def test_a_repository_over_its_time_is_recorded_and_nothing_scanned_is_exit_2(org: Path, tmp_path: Path) -> None:
    listing = tmp_path / "one.txt"
    listing.write_text(f"{org.parent / 'service-00'}\n")
    done = audit(str(listing), "--output-dir", "out", "--cache", "cache", "--timeout", "0.01", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    [record] = combined(tmp_path / "out")["repositories"]
    assert record["status"] == "failed" and record["reason"] == "timed out after 0.01 s"


@pytest.mark.parametrize("args", [[], ["list.txt", "--github-org", "acme"]])
def test_exactly_one_list_of_repositories_is_a_usage_error_otherwise(tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "list.txt").write_text("x\n")
    done = audit(*args, "--output-dir", "out", cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr


def test_the_list_file_names_and_resolves_repositories(tmp_path: Path) -> None:
    (tmp_path / "list.txt").write_text("# ours\nhttps://ci:s3cr3t-pw@git.example.org/team/api.git\n"
                                       "git@github.com:team/web.git  # mirror\n./local/repo\n\n./local/repo\n")
    specs = read_repo_list(tmp_path / "list.txt")
    assert [s.name for s in specs] == ["https://git.example.org/team/api.git", "git@github.com:team/web.git",
                                       "./local/repo"]
    assert specs[2].url == str(tmp_path / "local" / "repo")
    assert len({s.slug for s in specs}) == 3 and all("/" not in s.slug for s in specs)


class FakeAPI(BaseHTTPRequestHandler):
    """Answers like GitHub's and GitLab's repository listings, three per page, and records the auth."""

    seen: ClassVar[list[dict[str, str]]] = []
    REPOS: ClassVar[list[str]] = [f"repo-{n}" for n in range(7)]

    def do_GET(self) -> None:
        FakeAPI.seen.append({"path": self.path, "auth": self.headers.get("Authorization") or
                             self.headers.get("PRIVATE-TOKEN") or ""})
        page = int(dict(p.split("=") for p in self.path.split("?")[1].split("&")).get("page", "1"))
        names = self.REPOS[(page - 1) * 3:page * 3]
        assert isinstance(self.server, HTTPServer)
        base = f"http://127.0.0.1:{self.server.server_port}"
        if self.path.startswith("/orgs/acme/"):
            body = [{"name": n, "clone_url": f"https://github.example/acme/{n}.git"} for n in names]
            more = {"Link": f'<{base}/orgs/acme/repos?per_page=100&type=all&page={page + 1}>; rel="next"'}
        elif self.path.startswith("/groups/team/"):
            body = [{"name": n, "http_url_to_repo": f"https://gitlab.example/team/{n}.git"} for n in names]
            more = {"X-Next-Page": str(page + 1)}
        else:
            self.send_response(404)
            self.end_headers()
            self.wfile.write(b'{"message": "Not Found"}')
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        for name, value in (more if page * 3 < len(self.REPOS) else {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(json.dumps(body).encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def api() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), FakeAPI)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeAPI.seen.clear()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_a_github_organisation_is_listed_page_by_page(api: str) -> None:
    specs = list_github_org("acme", "ghs_example", api)
    assert [s.name for s in specs] == [f"https://github.example/acme/repo-{n}.git" for n in range(7)]
    assert len(FakeAPI.seen) == 3 and all(s["auth"] == "Bearer ghs_example" for s in FakeAPI.seen)
    assert {s.token_variable for s in specs} == {"GITHUB_TOKEN"}
    header = clone_header(specs[0], {"GITHUB_TOKEN": "ghs_example"})
    assert header.startswith("Authorization: Basic ") and "ghs_example" not in specs[0].url


def test_a_gitlab_group_is_listed_page_by_page(api: str) -> None:
    specs = list_gitlab_group("team", "glpat-example", api)
    assert [s.name for s in specs] == [f"https://gitlab.example/team/repo-{n}.git" for n in range(7)]
    assert [s["path"].rsplit("page=", 1)[-1] for s in FakeAPI.seen[1:]] == ["2", "3"]
    assert all(s["auth"] == "glpat-example" for s in FakeAPI.seen)


def test_an_unknown_organisation_is_a_clear_error(api: str, tmp_path: Path) -> None:
    with pytest.raises(ListingError, match=r"404|Not Found"):
        list_github_org("nobody", "", api + "/x")
    done = audit("--github-org", "nobody", "--api-url", api + "/x", "--output-dir", "out", cwd=tmp_path)
    assert done.returncode == 2 and "credlint: error:" in done.stderr and "Traceback" not in done.stderr


def test_clone_headers_only_for_listed_repositories() -> None:
    assert clone_header(RepoSpec("a", "a"), {"GITHUB_TOKEN": "x"}) == ""
    assert clone_header(RepoSpec("a", "a", "GITLAB_TOKEN"), {}) == ""


def browser_or_skip() -> str:
    """Debian's chromium (.ci/run installs it): CI must have it, a developer's machine may not."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    missing = "chromium" if found is None else ""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing = missing or "playwright"
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{missing} is missing: .ci/run installs it")
        pytest.skip(f"{missing} is not installed")
    assert found is not None
    return found


@pytest.mark.slow  # 20 repositories, each audited in its own process
def test_the_html_report_loads_without_errors_and_its_tables_sort(pool_run: tuple[Path, Any], tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    chromium = browser_or_skip()
    page_file = pool_run[0] / "out" / "report.html"
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        requests: list[str] = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("request", lambda request: requests.append(request.url))
        page.goto(page_file.as_uri())
        column = "#repositories tbody tr td:nth-child(3)"  # live at HEAD

        def live_counts() -> list[int]:
            return [int(text) for text in page.eval_on_selector_all(column, "cells => cells.map(c => c.textContent)")]

        assert len(live_counts()) == 20
        page.click("#repositories th:nth-child(3)")
        ascending = live_counts()
        page.click("#repositories th:nth-child(3)")
        descending = live_counts()
        shot = tmp_path / "report.png"
        page.screenshot(path=str(shot), full_page=True)
        secrets_rows = page.eval_on_selector_all("#secrets tbody tr", "rows => rows.length")
        browser.close()
    assert errors == []
    assert requests == [page_file.as_uri()]  # self-contained: nothing else is fetched
    assert ascending == sorted(ascending) and descending == sorted(ascending, reverse=True)
    assert ascending != descending
    assert secrets_rows >= 8
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


def test_the_html_report_escapes_what_repositories_are_called() -> None:
    from credlint.audit.combined import combined_report
    from credlint.audit.html import render_html

    hostile = '<script>alert("x")</script>'
    record = {"repository": hostile, "status": "failed", "reason": "<img src=x onerror=alert(1)>"}
    page = render_html(combined_report([record]), 0)
    assert hostile not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
