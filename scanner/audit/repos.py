"""Which repositories an audit covers: a list file, or a GitHub organisation or GitLab group listed through
the provider's API (paginated, with a token from the environment).

A repository is named as the list gives it (the URL or path as written, userinfo dropped), never by where
its mirror is cached: reports stay the same whoever runs them, wherever.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from credlint.errors import ConfigError
from credlint.sources.repository import without_userinfo

GITHUB_API = "https://api.github.com"
GITLAB_API = "https://gitlab.com/api/v4"
PAGE_SIZE = 100
MAX_PAGES = 1000  # 100,000 repositories: a listing that never ends is a broken server, not an organisation
NEXT_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="next"')
LIST_LIMIT = 16 << 20


@dataclass(frozen=True, slots=True)
class RepoSpec:
    name: str  # as the list gives it, without userinfo: what every report calls it
    url: str  # what git clones
    # Listed by an API whose token (GITHUB_TOKEN, GITLAB_TOKEN) also clones it: the clone reads it from the
    # environment into an HTTP header, so that it is never in a URL, an argument list or the mirror's config.
    token_variable: str = ""

    @property
    def slug(self) -> str:
        """A file name for its results: readable, and unique (two lists' spellings never collide)."""
        readable = re.sub(r"[^A-Za-z0-9._-]+", "_", self.name.split("://")[-1]).strip("._")[-80:] or "repository"
        return f"{readable}-{hashlib.sha256(self.name.encode()).hexdigest()[:10]}"


class ListingError(ConfigError):
    """The provider refused or answered nonsense: exit 2 with the reason."""


def read_repo_list(path: Path) -> list[RepoSpec]:
    """One repository a line (URL or local path), `#` comments and blank lines ignored; local paths are
    taken relative to the list's folder. The same repository twice is audited once."""
    try:
        if path.stat().st_size > LIST_LIMIT:
            raise ConfigError(f"{path}: over {LIST_LIMIT} bytes; is this a list of repositories?")
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the repository list: {exc}") from exc
    specs: dict[str, RepoSpec] = {}
    for line in lines:
        entry = line.split("#", 1)[0].strip() if not line.lstrip().startswith("#") else ""
        if entry:
            spec = spec_of(entry, path.parent)
            specs.setdefault(spec.name, spec)
    return list(specs.values())


def spec_of(entry: str, base: Path) -> RepoSpec:
    if "://" in entry:
        return RepoSpec(without_userinfo(entry), entry)
    if re.match(r"^[\w.-]+@[\w.-]+:", entry):  # scp-like git@host:org/repo: a user name, never a password
        return RepoSpec(entry, entry)
    local = Path(entry).expanduser()
    return RepoSpec(entry, str(local if local.is_absolute() else (base / local).resolve()))


Fetch = Callable[[str, dict[str, str]], tuple[Any, dict[str, str]]]


def http_json(url: str, headers: dict[str, str]) -> tuple[Any, dict[str, str]]:
    """GET a JSON document; the body and the response headers (lower-cased names)."""
    request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": "credlint",
                                                   **headers})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            body = response.read(LIST_LIMIT + 1)
            reply = {k.lower(): v for k, v in response.headers.items()}
    except OSError as exc:
        raise ListingError(f"{url}: {exc}") from exc
    if len(body) > LIST_LIMIT:
        raise ListingError(f"{url}: answer over {LIST_LIMIT} bytes")
    try:
        return json.loads(body), reply
    except ValueError as exc:
        raise ListingError(f"{url}: not JSON: {exc}") from exc


def iter_pages(first: str, headers: dict[str, str], fetch: Fetch) -> Iterator[list[dict[str, Any]]]:
    """Follow `Link: <…>; rel="next"` (GitHub, GitLab) or GitLab's `X-Next-Page` until the last page."""
    url: str | None = first
    for _ in range(MAX_PAGES):
        if url is None:
            return
        if not url.startswith(("https://", "http://")):
            raise ListingError(f"refusing to follow a next page that is not http(s): {url!r}")
        body, reply = fetch(url, headers)
        if not isinstance(body, list):
            message = body.get("message", body) if isinstance(body, dict) else body
            raise ListingError(f"{url}: expected a list of repositories, got: {str(message)[:200]}")
        yield [item for item in body if isinstance(item, dict)]
        url = next_page(url, reply)
    raise ListingError(f"{first}: more than {MAX_PAGES} pages")


def next_page(url: str, reply: dict[str, str]) -> str | None:
    link = NEXT_LINK.search(reply.get("link", ""))
    if link:
        return link.group(1)
    page = reply.get("x-next-page", "").strip()
    if page.isdigit():
        parts = urllib.parse.urlsplit(url)
        query = dict(urllib.parse.parse_qsl(parts.query))
        query["page"] = page
        return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))
    return None


def list_github_org(org: str, token: str, api: str = GITHUB_API, fetch: Fetch = http_json) -> list[RepoSpec]:
    """Every repository of the organisation the token can see (archived and forks included: leaks in them
    are leaks too)."""
    headers = {"Authorization": f"Bearer {token}", "X-GitHub-Api-Version": "2022-11-28"} if token else {}
    first = f"{api.rstrip('/')}/orgs/{urllib.parse.quote(org, safe='')}/repos?per_page={PAGE_SIZE}&type=all"
    repos = [item for page in iter_pages(first, headers, fetch) for item in page]
    return specs_of([r.get("clone_url") for r in repos], "GITHUB_TOKEN" if token else "")


def list_gitlab_group(group: str, token: str, api: str = GITLAB_API, fetch: Fetch = http_json) -> list[RepoSpec]:
    """Every project of the group and its subgroups the token can see."""
    headers = {"PRIVATE-TOKEN": token} if token else {}
    first = (f"{api.rstrip('/')}/groups/{urllib.parse.quote(group, safe='')}/projects?per_page={PAGE_SIZE}"
             "&include_subgroups=true&simple=true")
    projects = [item for page in iter_pages(first, headers, fetch) for item in page]
    return specs_of([p.get("http_url_to_repo") for p in projects], "GITLAB_TOKEN" if token else "")


def specs_of(clone_urls: list[object], token_variable: str) -> list[RepoSpec]:
    urls = {without_userinfo(u) for u in clone_urls if isinstance(u, str) and u.startswith(("https://", "http://"))}
    return [RepoSpec(url, url, token_variable) for url in sorted(urls)]


def clone_header(spec: RepoSpec, environ: dict[str, str]) -> str:
    """The HTTP header that authenticates a clone of a listed repository, "" for none."""
    token = environ.get(spec.token_variable, "") if spec.token_variable else ""
    if not token:
        return ""
    user = "x-access-token" if spec.token_variable == "GITHUB_TOKEN" else "oauth2"
    return "Authorization: Basic " + base64.b64encode(f"{user}:{token}".encode()).decode()
