"""The repository model of history scans, through GitPython: where the repository is, its HEAD and branch,
whether it is shallow, its remote, its submodules. Bulk content (patches, blobs) streams from git's own
commands instead (sources/history.py, sources/gitcmd.py): GitPython's object reads are far slower.

Only history scans import GitPython (80 ms): the pre-commit path (--staged) and tree scans never pay it.
"""

from __future__ import annotations

import configparser
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from credlint.errors import ScanIncompleteError

if TYPE_CHECKING:
    import git



class Repository:
    """An open repository: a bare one (a mirror clone) or the top level of a work tree."""

    def __init__(self, repo: git.Repo) -> None:
        self.repo = repo
        self.root = Path(repo.working_tree_dir or repo.git_dir)

    @classmethod
    def open(cls, path: Path) -> Repository:
        try:
            import git
        except ImportError as exc:  # GitPython refuses to load when it cannot run git: 17 lines of advice
            raise ScanIncompleteError(f"cannot read the repository at {path}: GitPython cannot run git "
                                      f"({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})") from None

        try:
            return cls(git.Repo(path, search_parent_directories=True))
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise ScanIncompleteError(f"{path}: not a git repository (history scans need one)") from None

    def __enter__(self) -> Repository:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.repo.close()  # GitPython keeps `git cat-file` processes running until told

    def head_commit(self) -> git.Commit | None:
        try:
            return self.repo.head.commit
        except ValueError:  # an unborn branch: no commit yet
            return None

    def head_sha(self) -> str:
        commit = self.head_commit()
        return commit.hexsha if commit is not None else ""

    def branch(self) -> str:
        """The checked-out branch; '' for a detached HEAD."""
        head = self.repo.head
        return "" if head.is_detached else head.reference.name

    def has_commits(self) -> bool:
        return bool(self.repo.refs) or self.head_commit() is not None

    def is_shallow(self) -> bool:
        return (Path(self.repo.common_dir) / "shallow").exists()

    def has_submodules(self) -> bool:
        commit = self.head_commit()
        if commit is None:
            return False
        try:
            commit.tree / ".gitmodules"
        except KeyError:
            return False
        return True

    def remote_uri(self) -> str:
        """The origin URL without any userinfo: a credential in a remote URL must not reach a report."""
        origin = next((remote for remote in self.repo.remotes if remote.name == "origin"), None)
        if origin is None:
            return ""
        try:
            url = origin.url
        except configparser.Error:  # a remote section without a url
            return ""
        return without_userinfo(url)


def without_userinfo(url: str) -> str:
    """The URL with any `user[:password]@` removed, however awkward the password.

    git ends the userinfo at the first `@` before the first `/?#` (urlmatch.c), but a secret pasted into a
    URL unencoded may hold `@`, `/`, `:`, `?` or `#`: dropping up to that first `@` would leave the rest of
    it in the report. So everything up to the last `@` goes, unless that `@` is plainly inside a path (the
    host comes first, no `:` before the `@`, nothing path-like after it): a wrong host in a rare URL is
    better than a leaked password.
    """
    scheme, separator, rest = url.partition("://")
    if not separator:  # scp form (user@host:path) or a local path
        scheme, rest = "", url
    if "@" not in rest:
        return url
    before, _, after = rest.rpartition("@")
    if "/" in before and ":" not in before.split("/", 1)[0] and (not separator or (
            "@" not in before.split("/", 1)[0] and ":" not in before and "/" not in after)):
        return url  # an @ in a path: /srv/a@b.git, https://host/org/repo@v1.git
    return f"{scheme}{separator}{after}"
