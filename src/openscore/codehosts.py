"""Look-ups of linked code repositories' licenses on their hosts: GitHub, GitLab and Hugging Face Spaces.

On by default in :class:`~openscore.grading.Grader` (off with ``offline=True``, ``code_lookup=False`` or
``openscore grade --no-code-lookup``). Every look-up ends in a :class:`CodeLicense` with one of three states:

- ``"found"``: the host reports a license file (``spdx``/``key`` say which, ``url`` where it is);
- ``"none"``: the host answered and there is no license (no license file, or no such repository);
- ``"unchecked"``: the question could not be answered (turned off, offline, rate limited, host unreachable or
  failing, a host openscore cannot ask); ``detail`` says why. Unchecked never means "no license".

Hosts and their APIs:

- GitHub: ``GET {api}/repos/{owner}/{repo}/license``; ``api`` is ``GITHUB_API_URL`` (as GitHub Actions and GitHub
  Enterprise set it) or ``https://api.github.com``. ``GITHUB_TOKEN`` (or ``GH_TOKEN``) is sent to that host only.
  A 404 is told apart with ``GET {api}/repos/{owner}/{repo}`` (no license file vs no such repository).
- GitLab: ``GET {api}/projects/{url-encoded path}?license=true``; ``api`` is ``GITLAB_API_URL`` or
  ``https://gitlab.com/api/v4``; ``GITLAB_TOKEN`` goes to that host only.
- Hugging Face Spaces: through ``huggingface_hub`` (``HubClient.space_license``), given as ``space_license``.

Each repository is asked at most once per :class:`CodeHostLookup` (a batch shares one; thread-safe). Answers that
settle the question (found, none) are kept on disk, one JSON file per repository and API, written atomically; the
file name is derived from the repository name by a fixed sanitiser and a digest, so remote data never picks a
path. Requests use the standard library, a per-request timeout, and no retries: a rate limit (``429``,
``403``/``x-ratelimit-remaining: 0``, ``Retry-After``) or an unreachable host stops asking that host for the rest
of the batch (until the reset time the host gave), and the repositories not asked are reported unchecked.
A redirect to another host is followed without the token.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import http.client
import json
import math
import os
import re
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any, Literal

from . import errors

CodeLicenseState = Literal["found", "none", "unchecked"]

#: Where GitHub's and GitLab's APIs are, unless ``GITHUB_API_URL`` / ``GITLAB_API_URL`` say otherwise.
GITHUB_API = "https://api.github.com"
GITLAB_API = "https://gitlab.com/api/v4"
#: An answer body is read up to this many bytes.
MAX_ANSWER_BYTES = 1_000_000

# Reasons of unchecked results, first words of ``detail`` (the rest says more).
TURNED_OFF = "not checked: code host look-ups are turned off"
OFFLINE = "not checked: offline mode"
CARD_ONLY = "not checked: a card graded in memory makes no network request"

_GITHUB = re.compile(r"^github\.com/([\w.-]+)/([\w.-]+)$")
_GITLAB = re.compile(r"^gitlab\.com/([\w.-]+(?:/[\w.-]+)+)$")
_SPACE = re.compile(r"^huggingface\.co/spaces/([\w.-]+/[\w.-]+)$")
_ZENODO = re.compile(r"^zenodo\.org/records/(\d{1,12})$")
#: Where Zenodo's API is, unless ``ZENODO_API_URL`` says otherwise (records of archived software, with a license).
ZENODO_API = "https://zenodo.org/api"


@dataclass(frozen=True)
class CodeLicense:
    """What a code host says about one repository's license.

    Attributes:
        repo: ``host/owner/name`` as :func:`openscore.cardrules.code_repository` gives it.
        state: ``"found"`` (a license file), ``"none"`` (the host answered: no license file, or no such repository)
            or ``"unchecked"`` (not asked or no answer; see ``detail``). Unchecked is never "no license".
        spdx: the SPDX id the host reports (found only; None when the host did not identify the license text, e.g.
            GitHub's ``NOASSERTION``, or for Spaces, whose cards use Hub license ids: see ``key``).
        key: the host's lower-case license key (GitHub's/GitLab's ``key``, a Space card's Hub license id), or None.
        source: who answered or would have: ``"GitHub license API"``, ``"GitLab API"``, ``"Hugging Face Space card"``
            (``""`` for hosts openscore cannot ask).
        url: where the license is (the LICENSE file's URL, or the Space's page), or None.
        detail: a plain-language sentence: the file found, why there is none, or why it was not checked.
        seen: ISO date of the answer ("" when unchecked).
    """

    repo: str
    state: CodeLicenseState
    spdx: str | None = None
    key: str | None = None
    source: str = ""
    url: str | None = None
    detail: str = ""
    seen: str = ""

    @property
    def checked(self) -> bool:
        """True when the host answered (found or none)."""
        return self.state != "unchecked"


def host_of(repo: str) -> str:
    """The host part of ``host/owner/name``."""
    return repo.split("/", 1)[0]


def unchecked(repo: str, detail: str, source: str = "") -> CodeLicense:
    """A :class:`CodeLicense` that says the question was not answered, and why."""
    return CodeLicense(repo=repo, state="unchecked", source=source, detail=detail)


def not_checked(detail: str) -> Callable[[str], CodeLicense]:
    """A look-up that asks nothing and records every repository as unchecked with ``detail``."""
    return lambda repo: unchecked(repo, detail)


def user_cache_dir() -> Path:
    """openscore's cache folder for the command line: ``$XDG_CACHE_HOME/openscore`` or ``~/.cache/openscore``."""
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".cache") / "openscore"


def _today() -> str:
    return dt.date.today().isoformat()


def _env_token(*names: str) -> str | None:
    for name in names:
        value = os.environ.get(name, "").strip()
        if value:
            return value
    return None


def _origin(url: str) -> tuple[str, str]:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


class _Answer:
    """An HTTP answer: status, headers, decoded JSON (or None)."""

    def __init__(self, status: int, headers: Message | Mapping[str, str], data: Any) -> None:
        self.status = status
        self.headers = headers
        self.data = data

    def header(self, name: str) -> str | None:
        value = self.headers.get(name)
        return str(value) if value is not None else None


class _Unreachable(Exception):
    """The host could not be reached or gave no usable answer (the message is token-free)."""


class _RedirectHandler(urllib.request.HTTPRedirectHandler):
    """Follows redirects; the token goes along only while the target is the API's own origin."""

    def __init__(self, api: str, authorization: str | None) -> None:
        self._origin = _origin(api)
        self._authorization = authorization

    def redirect_request(
        self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> urllib.request.Request | None:
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is None:
            return None
        new.remove_header("Authorization")  # redirect_request copies headers; the token is re-added only at home
        if self._authorization and _origin(new.full_url) == self._origin:
            new.add_unredirected_header("Authorization", self._authorization)
        return new


def _get(url: str, api: str, authorization: str | None, timeout: float, accept: str) -> _Answer:
    """One GET; the token (an ``Authorization`` value) goes only to ``api``'s origin."""
    headers = {"Accept": accept, "User-Agent": "openscore"}
    request = urllib.request.Request(url, headers=headers)
    if authorization and _origin(url) == _origin(api):
        request.add_unredirected_header("Authorization", authorization)
    opener = urllib.request.build_opener(_RedirectHandler(api, authorization))
    try:
        with opener.open(request, timeout=timeout) as response:
            body = response.read(MAX_ANSWER_BYTES + 1)
            status, answer_headers = response.status, response.headers
    except urllib.error.HTTPError as exc:
        status, answer_headers = exc.code, exc.headers
        try:
            body = exc.read(MAX_ANSWER_BYTES + 1)
        except OSError:
            body = b""
        finally:
            exc.close()
    except TimeoutError:
        raise _Unreachable("timed out") from None
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:
        reason = getattr(exc, "reason", exc)
        kind = "timed out" if isinstance(reason, TimeoutError) else type(reason).__name__
        raise _Unreachable(kind) from None
    if len(body) > MAX_ANSWER_BYTES:
        raise _Unreachable(f"answer larger than {MAX_ANSWER_BYTES:,} bytes")
    try:
        data = json.loads(body) if body.strip() else None
    except ValueError:
        data = None
    return _Answer(status, answer_headers, data)


def _wait_seconds(answer: _Answer) -> float | None:
    """Seconds until the host takes requests again, from ``Retry-After`` or ``x-ratelimit-reset`` (epoch)."""
    value = answer.header("Retry-After")
    if value:
        try:
            seconds = float(value.strip())
            if math.isfinite(seconds):
                return max(0.0, seconds)
        except ValueError:
            pass
    reset = answer.header("x-ratelimit-reset") or answer.header("RateLimit-Reset")
    if reset:
        try:
            when = float(reset.strip())
        except ValueError:
            return None
        if math.isfinite(when):
            return max(0.0, when - time.time()) if when > 1_000_000_000 else max(0.0, when)
    return None


def _rate_limited(answer: _Answer) -> bool:
    if answer.status == 429:
        return True
    exhausted = (answer.header("x-ratelimit-remaining") or "").strip() == "0" or (
        answer.header("RateLimit-Remaining") or ""
    ).strip() == "0"
    return answer.status == 403 and (exhausted or answer.header("Retry-After") is not None)


class CodeHostLookup:
    """Ask code hosts for the licenses of linked repositories; one instance per batch (thread-safe).

    Args:
        cache_dir: where settled answers (found, none) are kept on disk; None keeps them in memory only.
        github_api: GitHub's API base URL; default ``GITHUB_API_URL`` or ``https://api.github.com``.
        gitlab_api: GitLab's API base URL; default ``GITLAB_API_URL`` or ``https://gitlab.com/api/v4``.
        zenodo_api: Zenodo's API base URL; default ``ZENODO_API_URL`` or ``https://zenodo.org/api`` (no token sent).
        github_token: default ``GITHUB_TOKEN`` or ``GH_TOKEN``; ``""`` sends none. Sent to ``github_api`` only.
        gitlab_token: default ``GITLAB_TOKEN``; ``""`` sends none. Sent to ``gitlab_api`` only.
        space_license: how to ask the Hub for a Space's license (``HubClient.space_license``); None leaves Spaces
            unchecked.
        timeout: seconds per request (a deadline for connecting and for each read).
        max_age_days: answers on disk older than this are asked again.
        offline: answer only from the disk cache; everything else is unchecked ("offline mode").
    """

    def __init__(
        self,
        cache_dir: str | os.PathLike[str] | None = None,
        *,
        github_api: str | None = None,
        gitlab_api: str | None = None,
        zenodo_api: str | None = None,
        github_token: str | None = None,
        gitlab_token: str | None = None,
        space_license: Callable[[str], tuple[str | None, str]] | None = None,
        timeout: float = 10.0,
        max_age_days: int = 7,
        offline: bool = False,
    ) -> None:
        if not (isinstance(timeout, int | float) and math.isfinite(timeout) and timeout > 0):
            raise ValueError(f"timeout must be a positive number of seconds, not {timeout!r}")
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.github_api = (github_api or os.environ.get("GITHUB_API_URL") or GITHUB_API).rstrip("/")
        self.gitlab_api = (gitlab_api or os.environ.get("GITLAB_API_URL") or GITLAB_API).rstrip("/")
        self.zenodo_api = (zenodo_api or os.environ.get("ZENODO_API_URL") or ZENODO_API).rstrip("/")
        gh = github_token if github_token is not None else _env_token("GITHUB_TOKEN", "GH_TOKEN")
        gl = gitlab_token if gitlab_token is not None else _env_token("GITLAB_TOKEN")
        self._github_auth = f"Bearer {gh}" if gh else None
        self._gitlab_auth = f"Bearer {gl}" if gl else None
        self._space_license = space_license
        self.timeout = float(timeout)
        self.max_age = dt.timedelta(days=max_age_days)
        self.offline = offline
        self._lock = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._memory: dict[str, CodeLicense] = {}
        self._blocked: dict[str, tuple[float, str]] = {}  # host -> (until, why); math.inf for the whole batch
        self.requests = 0  # requests made (for benchmarks and tests)

    def __repr__(self) -> str:  # never the tokens
        return (
            f"CodeHostLookup(github_api={self.github_api!r}, gitlab_api={self.gitlab_api!r}, "
            f"zenodo_api={self.zenodo_api!r})"
        )

    def __call__(self, repo: str) -> CodeLicense:
        """The license of ``repo`` (``host/owner/name``); never raises for what a host answers or fails to."""
        with self._lock:
            if repo in self._memory:
                return self._memory[repo]
            key_lock = self._locks.setdefault(repo, threading.Lock())
        with key_lock:
            with self._lock:
                if repo in self._memory:
                    return self._memory[repo]
            found = self._read_cache(repo)
            if found is None:
                found = self._answer(repo)
                if found.checked:
                    self._write_cache(found)
            with self._lock:
                self._memory[repo] = found
        return found

    # ------------------------------------------------------------------------------------------ hosts

    def _answer(self, repo: str) -> CodeLicense:
        gh, gl, sp, zn = _GITHUB.match(repo), _GITLAB.match(repo), _SPACE.match(repo), _ZENODO.match(repo)
        source = (
            "GitHub license API"
            if gh
            else "GitLab API"
            if gl
            else "Hugging Face Space card"
            if sp
            else "Zenodo API"
            if zn
            else ""
        )
        if not source:
            return unchecked(repo, f"not checked: openscore cannot ask {host_of(repo)} for licenses")
        if any(part in (".", "..") for part in repo.split("/")):
            return unchecked(repo, "not checked: not a repository name", source)
        if self.offline:
            return unchecked(repo, OFFLINE + " (not in the code host cache)", source)
        blocked = self._is_blocked(source)
        if blocked:
            return unchecked(repo, blocked, source)
        try:
            if gh:
                return self._github(repo, gh.group(1), gh.group(2).removesuffix(".git"))
            if gl:
                return self._gitlab(repo, gl.group(1).removesuffix(".git"))
            if zn:
                return self._zenodo(repo, zn.group(1))
            assert sp is not None
            return self._space(repo, sp.group(1))
        except _Unreachable as exc:
            why = f"not checked: {source.split()[0]} could not be reached ({exc})"
            self._block(source, math.inf, why + " earlier in this batch")
            return unchecked(repo, why, source)

    def _is_blocked(self, source: str) -> str | None:
        with self._lock:
            until, why = self._blocked.get(source, (0.0, ""))
        return why if time.time() < until else None

    def _block(self, source: str, seconds: float, why: str) -> None:
        with self._lock:
            self._blocked[source] = (time.time() + seconds, why)

    def _limited(self, repo: str, source: str, answer: _Answer) -> CodeLicense:
        wait = _wait_seconds(answer)
        when = f"; retry after {wait:.0f} s" if wait is not None and math.isfinite(wait) else ""
        why = f"not checked: rate limited by {source.split()[0]} (HTTP {answer.status}{when})"
        self._block(source, wait if wait is not None else 60.0, why)
        return unchecked(repo, why, source)

    def _request(self, url: str, api: str, auth: str | None, accept: str) -> _Answer:
        with self._lock:
            self.requests += 1
        return _get(url, api, auth, self.timeout, accept)

    def _github(self, repo: str, owner: str, name: str) -> CodeLicense:
        source = "GitHub license API"
        base = f"{self.github_api}/repos/{urllib.parse.quote(owner)}/{urllib.parse.quote(name)}"
        accept = "application/vnd.github+json"
        answer = self._request(base + "/license", self.github_api, self._github_auth, accept)
        if _rate_limited(answer):
            return self._limited(repo, source, answer)
        self._note_exhausted(source, answer)
        if answer.status == 404:
            probe = self._request(base, self.github_api, self._github_auth, accept)
            if _rate_limited(probe):
                return CodeLicense(
                    repo, "none", source=source, detail="no license file (or no such repository)", seen=_today()
                )
            if probe.status == 200:
                return CodeLicense(
                    repo, "none", source=source, detail="the repository has no license file", seen=_today()
                )
            if probe.status == 404:
                return CodeLicense(
                    repo,
                    "none",
                    source=source,
                    detail="no such repository (or private and not visible with this token)",
                    seen=_today(),
                )
            return CodeLicense(
                repo, "none", source=source, detail="no license file (or no such repository)", seen=_today()
            )
        if answer.status != 200 or not isinstance(answer.data, dict):
            return unchecked(repo, f"not checked: GitHub answered HTTP {answer.status}", source)
        lic = answer.data.get("license") if isinstance(answer.data.get("license"), dict) else {}
        assert isinstance(lic, dict)
        spdx = _text(lic.get("spdx_id"))
        key = _text(lic.get("key"))
        url = _text(answer.data.get("html_url"))
        path = _text(answer.data.get("path")) or "a license file"
        if spdx in ("NOASSERTION", None):
            return CodeLicense(
                repo,
                "found",
                None,
                key if key != "other" else None,
                source,
                url,
                f"{path} is present; GitHub did not identify its license",
                _today(),
            )
        return CodeLicense(repo, "found", spdx, key, source, url, f"{path}: {spdx}", _today())

    def _gitlab(self, repo: str, path: str) -> CodeLicense:
        source = "GitLab API"
        url = f"{self.gitlab_api}/projects/{urllib.parse.quote(path, safe='')}?license=true"
        answer = self._request(url, self.gitlab_api, self._gitlab_auth, "application/json")
        if _rate_limited(answer):
            return self._limited(repo, source, answer)
        self._note_exhausted(source, answer)
        if answer.status == 404:
            return CodeLicense(
                repo,
                "none",
                source=source,
                detail="no such project (or private and not visible with this token)",
                seen=_today(),
            )
        if answer.status != 200 or not isinstance(answer.data, dict):
            return unchecked(repo, f"not checked: GitLab answered HTTP {answer.status}", source)
        lic = answer.data.get("license")
        if not isinstance(lic, dict):
            return CodeLicense(repo, "none", source=source, detail="the project has no license file", seen=_today())
        key = _text(lic.get("key"))
        nickname = _text(lic.get("nickname")) or _text(lic.get("name"))
        where = _text(answer.data.get("license_url")) or _text(lic.get("source_url"))
        spdx = _spdx_from_key(key)
        return CodeLicense(
            repo, "found", spdx, key, source, where, f"license file: {nickname or key or 'not identified'}", _today()
        )

    def _zenodo(self, repo: str, record: str) -> CodeLicense:
        """A Zenodo record (archived software, e.g. a GitHub release deposited there) and its declared license."""
        source = "Zenodo API"
        answer = self._request(f"{self.zenodo_api}/records/{record}", self.zenodo_api, None, "application/json")
        if _rate_limited(answer):
            return self._limited(repo, source, answer)
        if answer.status in (404, 410):
            return CodeLicense(repo, "none", source=source, detail="no such Zenodo record", seen=_today())
        if answer.status != 200 or not isinstance(answer.data, dict):
            return unchecked(repo, f"not checked: Zenodo answered HTTP {answer.status}", source)
        metadata = answer.data.get("metadata")
        lic = metadata.get("license") if isinstance(metadata, dict) else None
        key = _text(lic.get("id")) if isinstance(lic, dict) else _text(lic)
        page = f"https://zenodo.org/records/{record}"
        if key is None:
            return CodeLicense(
                repo, "none", source=source, url=page, detail="the record declares no license", seen=_today()
            )
        key = key.lower()
        return CodeLicense(repo, "found", _spdx_from_key(key), key, source, page, f"record license: {key}", _today())

    def _space(self, repo: str, space_id: str) -> CodeLicense:
        source = "Hugging Face Space card"
        if self._space_license is None:
            return unchecked(repo, "not checked: no Hub client to ask for Spaces", source)
        try:
            lic, page = self._space_license(space_id)
        except errors.TargetNotFoundError:
            return CodeLicense(repo, "none", source=source, detail="no such Space", seen=_today())
        except errors.OpenscoreError as exc:
            return unchecked(repo, f"not checked: {exc.message}", source)
        if lic is None:
            return CodeLicense(
                repo, "none", source=source, url=page, detail="the Space's card declares no license", seen=_today()
            )
        return CodeLicense(repo, "found", None, lic, source, page, f"the Space's card declares {lic}", _today())

    def _note_exhausted(self, source: str, answer: _Answer) -> None:
        """An answer that used the last request of the quota: stop asking until the reset."""
        if (answer.header("x-ratelimit-remaining") or "").strip() == "0":
            wait = _wait_seconds(answer)
            self._block(
                source,
                wait if wait is not None else 60.0,
                f"not checked: rate limited by {source.split()[0]} (quota used up in this batch)",
            )

    # ------------------------------------------------------------------------------------------ disk cache

    def _cache_file(self, repo: str, api: str) -> Path | None:
        """One file per (API, repository); the name is sanitised and digested, never a path remote data picks."""
        if self.cache_dir is None:
            return None
        digest = hashlib.sha256(f"{api}\n{repo}".encode()).hexdigest()[:16]
        readable = re.sub(r"[^A-Za-z0-9_.-]", "_", repo.replace("/", "--"))[:80].lstrip(".")
        return self.cache_dir / f"{readable}-{digest}.json"

    def _api_for(self, repo: str) -> str:
        host = host_of(repo)
        if host == "zenodo.org":
            return self.zenodo_api
        return self.github_api if host == "github.com" else self.gitlab_api if host == "gitlab.com" else host

    def _read_cache(self, repo: str) -> CodeLicense | None:
        path = self._cache_file(repo, self._api_for(repo))
        if path is None:
            return None
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            found = CodeLicense(**{f.name: raw[f.name] for f in dataclasses.fields(CodeLicense) if f.name in raw})
        except (OSError, ValueError, TypeError, AttributeError):
            return None
        if found.repo != repo or not found.checked or not all(isinstance(v, str | None) for v in raw.values()):
            return None
        try:
            if dt.date.today() - dt.date.fromisoformat(found.seen) > self.max_age:
                return None
        except ValueError:
            return None
        return found

    def _write_cache(self, found: CodeLicense) -> None:
        path = self._cache_file(found.repo, self._api_for(found.repo))
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump(dataclasses.asdict(found), fh)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError:  # a read-only or full cache never fails grading
            return


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


_GITLAB_SPDX = {
    "apache-2.0": "Apache-2.0",
    "mit": "MIT",
    "bsd-2-clause": "BSD-2-Clause",
    "bsd-3-clause": "BSD-3-Clause",
    "gpl-2.0": "GPL-2.0",
    "gpl-3.0": "GPL-3.0",
    "lgpl-2.1": "LGPL-2.1",
    "lgpl-3.0": "LGPL-3.0",
    "agpl-3.0": "AGPL-3.0",
    "mpl-2.0": "MPL-2.0",
    "epl-2.0": "EPL-2.0",
    "unlicense": "Unlicense",
    "isc": "ISC",
}


def _spdx_from_key(key: str | None) -> str | None:
    """The SPDX id of a GitLab license key (GitLab reports keys, not SPDX ids), when it is a well-known one."""
    return _GITLAB_SPDX.get(key.lower()) if key else None
