"""Optional look-ups of code repositories' licenses on their hosts (GitHub's license API).

Off by default and never needed for a verdict: cards must state their code license themselves. When enabled
(``Grader(code_licenses=GitHubLicenseLookup(...))`` or ``openscore grade --lookup-code-licenses``), each linked
GitHub repository's license is asked once, cached on disk with the date it was seen, and reported as an
``info`` finding next to the card's own statement. Only the standard library is used; requests go to
``https://api.github.com`` (or the ``endpoint`` given), with ``GITHUB_TOKEN`` when set.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

_GITHUB = re.compile(r"^github\.com/([\w.-]+)/([\w.-]+)$")


@dataclass(frozen=True)
class CodeLicense:
    """A license a code host reports for a repository."""

    repo: str  # host/owner/name
    spdx: str | None  # None when the host reports none (or NOASSERTION)
    source: str  # e.g. "GitHub license API"
    seen: str  # ISO date of the look-up
    state: str = "found"  # "found" (spdx set), "none" (the host says there is no license), "unchecked"
    detail: str | None = None  # why it was not checked, or where the license file is


class GitHubLicenseLookup:
    """Ask GitHub's ``/repos/{owner}/{repo}/license`` for repositories on github.com, with an on-disk cache.

    Args:
        cache_dir: where answers are kept (one JSON file per repository); None keeps them in memory only.
        endpoint: the API's base URL.
        token: a GitHub token (default: ``GITHUB_TOKEN``); sent as a header, never stored or printed.
        timeout: seconds per request.
        max_age_days: cached answers older than this are asked again.
    """

    def __init__(
        self,
        cache_dir: str | Path | None = None,
        *,
        endpoint: str = "https://api.github.com",
        token: str | None = None,
        timeout: float = 10.0,
        max_age_days: int = 30,
    ) -> None:
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.endpoint = endpoint.rstrip("/")
        self._token = token if token is not None else os.environ.get("GITHUB_TOKEN")
        self.timeout = timeout
        self.max_age = dt.timedelta(days=max_age_days)
        self._memory: dict[str, CodeLicense | None] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"GitHubLicenseLookup(endpoint={self.endpoint!r})"

    def __call__(self, repo: str) -> CodeLicense | None:
        """The license of ``repo`` (``github.com/owner/name``), or None when it is not on GitHub or unknown."""
        m = _GITHUB.match(repo)
        if m is None:
            return None
        with self._lock:
            if repo in self._memory:
                return self._memory[repo]
        found = self._read_cache(repo)
        if found is None:
            found = self._ask(repo, m.group(1), m.group(2))
            if found is not None:
                self._write_cache(found)
        with self._lock:
            self._memory[repo] = found
        return found

    def _cache_file(self, repo: str) -> Path | None:
        if self.cache_dir is None:
            return None
        return self.cache_dir / (repo.replace("/", "--") + ".json")

    def _read_cache(self, repo: str) -> CodeLicense | None:
        path = self._cache_file(repo)
        if path is None:
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            found = CodeLicense(**data)
            if dt.date.today() - dt.date.fromisoformat(found.seen) > self.max_age:
                return None
            return found
        except (OSError, ValueError, TypeError):
            return None

    def _write_cache(self, found: CodeLicense) -> None:
        path = self._cache_file(found.repo)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(found.__dict__), encoding="utf-8")
        except OSError:
            return

    def _ask(self, repo: str, owner: str, name: str) -> CodeLicense | None:
        url = f"{self.endpoint}/repos/{owner}/{name.removesuffix('.git')}/license"
        headers = {"Accept": "application/vnd.github+json", "User-Agent": "openscore"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        request = urllib.request.Request(url, headers=headers)
        today = dt.date.today().isoformat()
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                data = json.loads(response.read(1_000_000))
        except urllib.error.HTTPError as exc:
            if exc.code == 404:  # no license file (or no such repository)
                return CodeLicense(repo=repo, spdx=None, source="GitHub license API", seen=today)
            return None
        except (OSError, ValueError):
            return None
        spdx = (data.get("license") or {}).get("spdx_id") if isinstance(data, dict) else None
        if not isinstance(spdx, str) or spdx == "NOASSERTION":
            spdx = None
        return CodeLicense(repo=repo, spdx=spdx, source="GitHub license API", seen=today)
