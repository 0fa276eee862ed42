"""The Hugging Face Hub adapter: the only module that imports ``huggingface_hub``.

It asks the Hub for facts (model info with ``expand``, files pinned to a commit, dataset info) and maps the
client's exceptions onto :mod:`openscore.errors`. It takes ``endpoint`` and ``token`` explicitly and never logs or
returns the token. ``huggingface_hub`` does not retry ``model_info``; this adapter adds a few bounded retries for
transient faults (429 honouring ``Retry-After``, 5xx, connection errors and timeouts).
"""

from __future__ import annotations

import dataclasses
import email.utils
import errno
import json
import math
import random
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from huggingface_hub import HfApi, get_session, hf_hub_url, hf_raise_for_status
from huggingface_hub import errors as hf_errors
from huggingface_hub.hf_api import ModelInfo
from huggingface_hub.utils import build_hf_headers  # type: ignore[attr-defined]
from huggingface_hub.utils import tqdm as hf_tqdm  # type: ignore[attr-defined]

from . import errors
from ._version import __version__

#: The model-info properties openscore asks for, in one request.
MODEL_EXPAND = [
    "cardData",
    "siblings",
    "gated",
    "sha",
    "lastModified",
    "tags",
    "baseModels",
    "safetensors",
    "library_name",
    "pipeline_tag",
]
DATASET_EXPAND = ["cardData", "gated", "sha", "tags", "private", "disabled"]

T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")

# Network-level failures: the HTTP client's base error (re-exported by huggingface_hub.errors) and the stdlib's.
# A truncated answer surfaces as an httpx RemoteProtocolError (an HTTPError); a garbled JSON body as JSONDecodeError;
# a streamed file shorter than its Content-Length as the ConnectionError read_file raises.
_TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (
    getattr(hf_errors, "HTTPError", OSError),
    ConnectionError,
    TimeoutError,
    OSError,
    json.JSONDecodeError,
)
# OSError numbers that mean the local disk, not the network, failed: retrying would not help.
_LOCAL_ERRNOS = frozenset({errno.EACCES, errno.EPERM, errno.ENOSPC, errno.EROFS, errno.EDQUOT})


@dataclass(frozen=True)
class ModelFacts:
    """What one ``model_info`` call tells about a model repository."""

    repo_id: str
    sha: str | None
    gated: str | None  # None (open), "auto" or "manual"
    files: tuple[str, ...]
    card_data: dict[str, Any] | None
    tags: tuple[str, ...] = ()
    library_name: str | None = None
    pipeline_tag: str | None = None
    last_modified: str | None = None
    base_models: tuple[str, ...] = ()
    base_model_relation: str | None = None
    parameter_count: int | None = None


@dataclass(frozen=True)
class DatasetFacts:
    """What the Hub tells about a dataset repository (``found`` is False when it does not exist)."""

    repo_id: str
    found: bool
    license: tuple[str, ...] = ()
    gated: str | None = None
    tags: tuple[str, ...] = field(default=())
    sha: str | None = None  # the commit the answer describes (its card is read at this commit)


@dataclass(frozen=True)
class DatasetCard:
    """A training dataset's Hub card (its README.md): the text, or why it could not be read.

    Attributes:
        repo_id: the dataset id.
        text: the README's text (front matter included), decoded, at most ``MAX_DATASET_CARD_BYTES``; None when
            it could not be read.
        problem: why ``text`` is None (dataset not found, gated, no README, offline, Hub failure), or a note on a
            text that was cut or badly encoded; None when read in full.
        sha: the dataset commit the card was read at (None when it was not looked up).
    """

    repo_id: str
    text: str | None
    problem: str | None = None
    sha: str | None = None


@dataclass(frozen=True)
class FileResult:
    """The outcome of reading one file: its bytes, or why it could not be read."""

    path: str
    data: bytes | None
    problem: str | None = None
    size: int | None = None


_SHA = re.compile(r"[0-9a-f]{40}")


def _ref_name(revision: str | None) -> str:
    return re.sub(r"[^\w.-]", "_", revision or "main")


def facts_from_info(info: ModelInfo, repo_id: str) -> ModelFacts:
    """Turn a :class:`ModelInfo` (from ``model_info`` or ``list_models``) into :class:`ModelFacts`."""
    files = tuple(s.rfilename for s in (info.siblings or []) if getattr(s, "rfilename", None))
    base_models: tuple[str, ...] = ()
    relation: str | None = None
    raw_base = getattr(info, "base_models", None)
    if isinstance(raw_base, dict):
        relation = raw_base.get("relation") if isinstance(raw_base.get("relation"), str) else None
        base_models = tuple(str(m["id"]) for m in raw_base.get("models") or [] if isinstance(m, dict) and m.get("id"))
    params: int | None = None
    st = getattr(info, "safetensors", None)
    if st is not None and isinstance(getattr(st, "total", None), int):
        params = st.total
    card_data = info.card_data.to_dict() if info.card_data is not None else None  # type: ignore[no-untyped-call]
    return ModelFacts(
        repo_id=info.id or repo_id,
        sha=info.sha,
        gated=_gated(info.gated),
        files=files,
        card_data=card_data,
        tags=tuple(info.tags or ()),
        library_name=info.library_name,
        pipeline_tag=info.pipeline_tag,
        last_modified=info.last_modified.isoformat() if info.last_modified else None,
        base_models=base_models,
        base_model_relation=relation,
        parameter_count=params,
    )


class OnceCache(Generic[K, V]):
    """A thread-safe cache that computes each key at most once, even when threads ask for it together.

    A batch shares one per kind of look-up (datasets, base models), so each is fetched once per batch.
    Errors are cached too: a dataset that failed once is not asked again in the same batch.
    """

    def __init__(self, timeout: float = 60.0) -> None:
        self.timeout = timeout
        self._lock = threading.Lock()
        self._locks: dict[K, threading.Lock] = {}
        self._values: dict[K, V | BaseException] = {}

    def get(self, key: K, compute: Callable[[], V]) -> V:
        """The value for ``key``, computing it with ``compute`` on first use (its exception is re-raised)."""
        with self._lock:
            key_lock = self._locks.setdefault(key, threading.Lock())
        # A bounded wait: threads following base-model chains that loop through each other could otherwise
        # wait on each other forever; after the timeout the value is computed without the cache.
        if not key_lock.acquire(timeout=self.timeout):
            return compute()
        try:
            if key not in self._values:
                try:
                    self._values[key] = compute()
                except errors.OpenscoreError as exc:
                    self._values[key] = exc
            value = self._values[key]
        finally:
            key_lock.release()
        if isinstance(value, BaseException):
            raise value
        return value

    def __len__(self) -> int:
        return len(self._values)


def progress(items: Iterable[T], *, total: int, desc: str, enabled: bool) -> Iterator[T]:
    """Iterate ``items`` with ``huggingface_hub``'s progress bar (which honours ``HF_HUB_DISABLE_PROGRESS_BARS``)."""
    if not enabled:
        yield from items
        return
    with hf_tqdm(total=total, desc=desc, unit="release") as bar:  # type: ignore[no-untyped-call]
        for item in items:
            yield item
            bar.update(1)


def _gated(value: Any) -> str | None:
    if value in (None, False, "false", "False"):
        return None
    return str(value) if value in ("auto", "manual") else "manual"


class HubClient:
    """A thin, typed wrapper around :class:`huggingface_hub.HfApi` for the calls openscore makes.

    Args:
        endpoint: the Hub's base URL; ``None`` uses ``HF_ENDPOINT`` or the public Hub.
        token: a user access token; ``None`` lets ``huggingface_hub`` use ``HF_TOKEN`` or the stored login,
            ``False`` sends no token.
        timeout: seconds each API request (and each file's metadata request) may take before it is abandoned as a
            timeout; must be positive.
        retries: how many times a transient fault (408, 429, 5xx, timeout, connection reset, truncated answer) is
            retried before giving up with :class:`~openscore.errors.HubUnavailableError`.
        max_backoff: the longest wait between two tries, in seconds (a 429 whose ``Retry-After`` or ``RateLimit``
            reset is longer gives up at once with :class:`~openscore.errors.RateLimitedError`).
        backoff: the first wait after a fault without a server hint; it doubles on each try (plus up to 10 %
            jitter, so that concurrent workers do not come back together).
        api_cache_dir: where openscore keeps API answers (model info) keyed by repository and commit sha, so a
            re-run can be graded ``offline``; None keeps nothing.
        offline: answer only from the caches; no request is made.
    """

    def __init__(
        self,
        endpoint: str | None = None,
        token: str | bool | None = None,
        *,
        timeout: float = 20.0,
        retries: int = 3,
        max_backoff: float = 30.0,
        backoff: float = 0.5,
        api_cache_dir: str | Path | None = None,
        offline: bool = False,
    ) -> None:
        if not (isinstance(timeout, int | float) and math.isfinite(timeout) and timeout > 0):
            raise ValueError(f"timeout must be a positive number of seconds, not {timeout!r}")
        if not (isinstance(retries, int) and retries >= 0):
            raise ValueError(f"retries must be a whole number >= 0, not {retries!r}")
        for name, value in (("max_backoff", max_backoff), ("backoff", backoff)):
            if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
                raise ValueError(f"{name} must be a number of seconds >= 0, not {value!r}")
        self._api = HfApi(endpoint=endpoint, token=token, library_name="openscore", library_version=__version__)
        self._token = token
        self.endpoint = self._api.endpoint
        self.timeout = float(timeout)
        self.retries = retries
        self.max_backoff = float(max_backoff)
        self.backoff = float(backoff)
        self.api_cache_dir = api_cache_dir
        self.offline = offline

    def __repr__(self) -> str:  # never show the token
        return f"HubClient(endpoint={self.endpoint!r})"

    # ------------------------------------------------------------------------------------------ calls

    def model_info(self, repo_id: str, revision: str | None = None) -> ModelFacts:
        """Fetch a model's metadata in one request (see :data:`MODEL_EXPAND`).

        With an ``api_cache_dir``, the answer is stored on disk keyed by repository and commit sha, and the
        revision asked for points at it, so that ``offline`` grading needs no network.
        """
        if self.offline:
            cached = self._cache_read(repo_id, revision)
            if cached is None:
                raise errors.HubUnavailableError(
                    f"{repo_id}: not in the openscore cache and offline mode is on", target=repo_id
                )
            return cached
        info = self._call(
            repo_id,
            lambda: self._api.model_info(repo_id, revision=revision, expand=MODEL_EXPAND, timeout=self.timeout),  # type: ignore[arg-type]
        )
        facts = facts_from_info(info, repo_id)
        self._cache_write(facts, revision)
        return facts

    def list_models(self, author: str, *, limit: int | None = None) -> list[ModelFacts]:
        """Every model of ``author`` with the metadata of :data:`MODEL_EXPAND`, in a few paginated requests."""

        def fetch() -> list[ModelFacts]:
            return [
                facts_from_info(info, info.id)
                for info in self._api.list_models(author=author, expand=MODEL_EXPAND, limit=limit)  # type: ignore[arg-type]
            ]

        found = self._call(author, fetch)
        for facts in found:
            self._cache_write(facts, None)
        return found

    def list_branches(self, repo_id: str) -> list[tuple[str, str]]:
        """``(branch name, commit sha)`` for every branch of a model repository."""
        refs = self._call(repo_id, lambda: self._api.list_repo_refs(repo_id))
        return [(b.name, b.target_commit) for b in refs.branches]

    # ------------------------------------------------------------------------------------------ disk cache

    def _cache_path(self, repo_id: str, name: str) -> Path | None:
        if self.api_cache_dir is None:
            return None
        safe = repo_id.replace("/", "--")
        return Path(self.api_cache_dir) / "models" / safe / name

    def _cache_write(self, facts: ModelFacts, revision: str | None) -> None:
        if self.api_cache_dir is None or not facts.sha:
            return
        data = json.dumps(dataclasses.asdict(facts))
        try:
            path = self._cache_path(facts.repo_id, f"{facts.sha}.json")
            assert path is not None
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(data, encoding="utf-8")
            ref = self._cache_path(facts.repo_id, f"ref-{_ref_name(revision)}")
            assert ref is not None
            ref.write_text(facts.sha, encoding="utf-8")
        except OSError:  # a read-only or full cache must never fail grading
            return

    def _cache_read(self, repo_id: str, revision: str | None) -> ModelFacts | None:
        ref = self._cache_path(repo_id, f"ref-{_ref_name(revision)}")
        if ref is None:
            return None
        try:
            sha = revision if revision and _SHA.fullmatch(revision) else ref.read_text(encoding="utf-8").strip()
            path = self._cache_path(repo_id, f"{sha}.json")
            assert path is not None
            raw = json.loads(path.read_text(encoding="utf-8"))
            for key in ("files", "tags", "base_models"):
                raw[key] = tuple(raw.get(key) or ())
            return ModelFacts(**raw)
        except (OSError, ValueError, TypeError):
            return None

    def dataset_info(self, repo_id: str) -> DatasetFacts:
        """Fetch a dataset's license and gating; a missing dataset gives ``found=False`` instead of an error."""
        if self.offline:
            raise errors.HubUnavailableError(f"{repo_id}: dataset not looked up (offline mode)", target=repo_id)
        try:
            info = self._call(
                repo_id,
                lambda: self._api.dataset_info(repo_id, expand=DATASET_EXPAND, timeout=self.timeout),  # type: ignore[arg-type]
            )
        except errors.TargetNotFoundError:
            return DatasetFacts(repo_id=repo_id, found=False)
        licenses: tuple[str, ...] = ()
        card = info.card_data.to_dict() if info.card_data is not None else {}  # type: ignore[no-untyped-call]
        lic = card.get("license")
        if isinstance(lic, str):
            licenses = (lic,)
        elif isinstance(lic, list):
            licenses = tuple(str(x) for x in lic if isinstance(x, str | int | float))
        if not licenses:
            licenses = tuple(t.split(":", 1)[1] for t in info.tags or () if t.startswith("license:"))
        return DatasetFacts(
            repo_id=repo_id,
            found=True,
            license=licenses,
            gated=_gated(info.gated),
            tags=tuple(info.tags or ()),
            sha=info.sha,
        )

    def space_license(self, space_id: str) -> tuple[str | None, str]:
        """The license a Space's card declares (``cardData.license``, None when none) and the Space's page URL.

        One ``space_info`` request, not retried (a code host look-up is information that may stay unchecked).
        Raises :class:`~openscore.errors.TargetNotFoundError` when the Space does not exist, another
        :class:`~openscore.errors.OpenscoreError` when it could not be asked (offline, rate limited, unreachable).
        """
        name = _one_line(space_id)
        page = f"{self.endpoint.rstrip('/')}/spaces/{space_id}"
        if self.offline:
            raise errors.HubUnavailableError(f"{name}: Space not looked up (offline mode)", target=space_id)
        try:
            info = self._api.space_info(space_id, expand=["cardData"], timeout=self.timeout)
        except (hf_errors.RepositoryNotFoundError, hf_errors.DisabledRepoError) as exc:
            raise errors.TargetNotFoundError(f"{name}: no such Space", target=space_id) from exc
        except hf_errors.HFValidationError as exc:
            raise errors.InvalidTargetError(f"{name!r} is not a valid Space id", target=space_id) from exc
        except hf_errors.HfHubHTTPError as exc:
            status = exc.response.status_code if exc.response is not None else None
            if status in (404, 410):
                raise errors.TargetNotFoundError(f"{name}: no such Space", target=space_id) from exc
            if status == 429:
                wait = _retry_after(exc)
                raise errors.RateLimitedError(
                    f"{name}: the Hub is rate limiting requests (HTTP 429)", target=space_id, retry_after=wait
                ) from exc
            raise errors.HubUnavailableError(f"{name}: the Hub answered HTTP {status}", target=space_id) from exc
        except _TRANSPORT_ERRORS as exc:
            raise errors.HubUnavailableError(
                f"{name}: the Hub could not be reached ({_fault_name(exc)})", target=space_id
            ) from exc
        card = info.card_data.to_dict() if info.card_data is not None else {}  # type: ignore[no-untyped-call]
        lic = card.get("license")
        if isinstance(lic, list):
            lic = ", ".join(str(x) for x in lic if isinstance(x, str)) or None
        return (lic.strip() if isinstance(lic, str) and lic.strip() else None), page

    def dataset_card(self, facts: DatasetFacts, max_bytes: int) -> DatasetCard:
        """Read a dataset's README.md at the commit ``facts`` gives, in one capped streamed GET (see
        :meth:`read_file`); never raises: a card that cannot be read gives ``text=None`` and the ``problem``."""
        if not facts.found:
            return DatasetCard(repo_id=facts.repo_id, text=None, problem="dataset not found on the Hub", sha=None)
        result = self.read_file(facts.repo_id, "README.md", facts.sha, max_bytes, repo_type="dataset")
        if result.data is None:
            return DatasetCard(repo_id=facts.repo_id, text=None, problem=f"README.md {result.problem}", sha=facts.sha)
        problem = f"README.md cut at {max_bytes:,} bytes" if len(result.data) > max_bytes else None
        text = result.data[:max_bytes].decode("utf-8", errors="replace").replace("\x00", "\ufffd")
        return DatasetCard(repo_id=facts.repo_id, text=text, problem=problem, sha=facts.sha)

    def read_file(
        self, repo_id: str, path: str, revision: str | None, max_bytes: int, *, repo_type: str | None = None
    ) -> FileResult:
        """Read up to ``max_bytes`` of one file at ``revision`` (a commit sha) in a single streamed GET.

        The URL, headers (token, user agent), HTTP session and error mapping are ``huggingface_hub``'s
        (``hf_hub_url``, ``build_hf_headers``, ``get_session``, ``hf_raise_for_status``). openscore does not go
        through ``hf_hub_download`` here because it makes a HEAD request before the GET and downloads whole files:
        a typical release would cost one more request, and a 10 MB card would be fetched in full to read its first
        megabyte. With ``api_cache_dir`` the bytes read are kept, keyed by repository, commit and path, so re-runs
        and ``offline`` grading read them from disk.

        A file that cannot be read (gated, missing, network failure) gives a :class:`FileResult` with a
        ``problem`` instead of raising: a release is graded from what is readable.
        """
        cached = self._file_cache(repo_id, revision, path, repo_type)
        if cached is not None and cached.is_file():
            try:
                data = cached.read_bytes()
                return FileResult(path=path, data=data[: max_bytes + 1], size=len(data))
            except OSError:
                pass
        if self.offline:
            return FileResult(path=path, data=None, problem="not in the openscore cache (offline mode)")
        url = hf_hub_url(repo_id, path, revision=revision, endpoint=self.endpoint, repo_type=repo_type)

        def fetch() -> tuple[bytes, int]:
            headers = build_hf_headers(token=self._token, library_name="openscore", library_version=__version__)
            with get_session().stream("GET", url, headers=headers, timeout=self.timeout, follow_redirects=True) as r:
                hf_raise_for_status(r)
                chunks = bytearray()
                for chunk in r.iter_bytes():
                    chunks += chunk
                    if len(chunks) > max_bytes:
                        break
                declared = r.headers.get("Content-Length")
                size = int(declared) if declared and declared.isdigit() else len(chunks)
                if len(chunks) <= max_bytes and len(chunks) < size:
                    raise ConnectionError(f"truncated answer: {len(chunks)} of {size} bytes")
                return bytes(chunks[: max_bytes + 1]), size

        try:
            data, size = self._call(repo_id, fetch)
        except errors.OpenscoreError as exc:
            return FileResult(path=path, data=None, problem=_file_problem(exc))
        if cached is not None and size == len(data):  # keep only complete files
            try:
                cached.parent.mkdir(parents=True, exist_ok=True)
                cached.write_bytes(data)
            except OSError:
                pass
        return FileResult(path=path, data=data, size=size)

    def _file_cache(self, repo_id: str, revision: str | None, path: str, repo_type: str | None = None) -> Path | None:
        """Where a file's bytes are kept: only for commit shas, and never outside the cache folder."""
        if self.api_cache_dir is None or not revision or not _SHA.fullmatch(revision):
            return None
        if path.startswith("/") or ".." in path.split("/") or "\\" in path:
            return None
        if repo_type == "dataset":  # dataset files apart from models' (ids may coincide)
            if ".." in repo_id.split("/") or "\\" in repo_id or repo_id.startswith("/"):
                return None
            return Path(self.api_cache_dir) / "datasets" / repo_id.replace("/", "--") / "files" / revision / path
        base = self._cache_path(repo_id, "files")
        return base / revision / path if base is not None else None

    # ------------------------------------------------------------------------------------------ plumbing

    def _backoff(self, attempt: int) -> float:
        return float(min(self.max_backoff, self.backoff * 2.0 ** (attempt - 1)))

    def _pause(self, seconds: float) -> None:
        """Sleep ``seconds`` (capped at ``max_backoff``) plus up to 10 % jitter."""
        seconds = min(self.max_backoff, max(0.0, seconds))
        time.sleep(seconds + random.uniform(0.0, seconds / 10))

    def _call(self, repo_id: str, fn: Callable[[], T]) -> T:
        """Run one Hub request with bounded retries; map ``huggingface_hub``'s exceptions onto openscore's.

        Transient faults (408, 429, 5xx, timeouts, connection resets, truncated or garbled answers) are tried again
        up to :attr:`retries` times, waiting what the server asks (``Retry-After``, ``RateLimit`` reset) or else an
        exponential backoff, never longer than :attr:`max_backoff` per wait. Whatever happens ends as an
        :class:`~openscore.errors.OpenscoreError` with a one-line message that names the repository and never the
        token.
        """
        name = _one_line(repo_id)
        attempt = 0
        while True:
            try:
                return fn()
            except hf_errors.GatedRepoError as exc:
                raise errors.GatedRepoError(
                    f"{name}: access is gated; its files need an approved token", target=repo_id
                ) from exc
            except hf_errors.RevisionNotFoundError as exc:
                raise errors.RevisionNotFoundError(f"{name}: revision not found", target=repo_id) from exc
            except hf_errors.RepositoryNotFoundError as exc:
                raise errors.TargetNotFoundError(
                    f"{name}: repository not found on the Hub (or private and not visible with this token)",
                    target=repo_id,
                ) from exc
            except hf_errors.RemoteEntryNotFoundError as exc:
                raise errors.MissingFileError(f"{name}: file not found", target=repo_id) from exc
            except hf_errors.DisabledRepoError as exc:
                raise errors.TargetNotFoundError(f"{name}: repository is disabled", target=repo_id) from exc
            except hf_errors.HFValidationError as exc:
                raise errors.InvalidTargetError(f"{name!r} is not a valid Hub repository id", target=repo_id) from exc
            except hf_errors.HfHubHTTPError as exc:
                status = exc.response.status_code if exc.response is not None else None
                wait = _retry_after(exc)
                if status == 429:
                    if attempt < self.retries and (wait is None or wait <= self.max_backoff):
                        attempt += 1
                        self._pause(wait if wait is not None else self._backoff(attempt))
                        continue
                    raise errors.RateLimitedError(
                        f"{name}: the Hub is rate limiting requests (HTTP 429)"
                        + (f"; retry after {wait:.0f} s" if wait and math.isfinite(wait) else "")
                        + (f", gave up after {attempt + 1} tries" if attempt else ""),
                        target=repo_id,
                        retry_after=wait,
                    ) from exc
                if status is not None and (status == 408 or status >= 500) and attempt < self.retries:
                    attempt += 1
                    self._pause(wait if wait is not None else self._backoff(attempt))
                    continue
                if status in (401, 403):
                    raise errors.GatedRepoError(f"{name}: access denied (HTTP {status})", target=repo_id) from exc
                if status in (404, 410):
                    raise errors.TargetNotFoundError(
                        f"{name}: not found on the Hub (HTTP {status})", target=repo_id
                    ) from exc
                tries = f" after {attempt + 1} tries" if attempt else ""
                raise errors.HubUnavailableError(
                    f"{name}: the Hub answered HTTP {status}{tries}" if status else f"{name}: Hub request failed",
                    target=repo_id,
                ) from exc
            except hf_errors.OfflineModeIsEnabled as exc:
                raise errors.HubUnavailableError(
                    f"{name}: HF_HUB_OFFLINE is set, the Hub cannot be reached", target=repo_id
                ) from exc
            except _TRANSPORT_ERRORS as exc:
                if isinstance(exc, OSError) and exc.errno in _LOCAL_ERRNOS:  # the local cache, not the network
                    raise errors.HubUnavailableError(
                        f"{name}: could not be stored in the local cache ({type(exc).__name__}: {exc.strerror})",
                        target=repo_id,
                    ) from exc
                if attempt < self.retries:
                    attempt += 1
                    self._pause(self._backoff(attempt))
                    continue
                raise errors.HubUnavailableError(
                    f"{name}: the Hub could not be reached ({_fault_name(exc)}"
                    + (f", gave up after {attempt + 1} tries)" if attempt else ")"),
                    target=repo_id,
                ) from exc


def _one_line(text: str, limit: int = 200) -> str:
    """``text`` without control characters, cut to ``limit`` characters (for error messages)."""
    flat = "".join(ch if ch.isprintable() else "\ufffd" for ch in text)
    return flat if len(flat) <= limit else flat[: limit - 1] + "\u2026"


def _fault_name(exc: BaseException) -> str:
    """A short, token-free name for a transport fault: the exception class, and 'timeout' when it was one."""
    kind = type(exc).__name__
    if isinstance(exc, TimeoutError) or "Timeout" in kind:
        return f"timeout: {kind}"
    if isinstance(exc, json.JSONDecodeError):
        return "malformed answer: JSONDecodeError"
    return kind


def _file_problem(exc: errors.OpenscoreError) -> str:
    if isinstance(exc, errors.GatedRepoError):
        return "not readable: the repository is gated and this token has no access"
    if isinstance(exc, errors.MissingFileError):
        return "not found in the repository"
    return f"could not be read: {exc.message}"


def _seconds(value: str) -> float | None:
    """A non-negative number of seconds from a header value (delta-seconds, an epoch time, or an HTTP date)."""
    value = value.strip().strip('"')
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            return None
        return max(0.0, when.timestamp() - time.time())
    if math.isnan(seconds):
        return None
    if seconds > 1_000_000_000:  # an absolute epoch time (X-RateLimit-Reset of some servers)
        seconds -= time.time()
    return max(0.0, seconds)


def _retry_after(exc: hf_errors.HfHubHTTPError) -> float | None:
    """The wait the server asks for, in seconds, or None when it gives no usable hint.

    Understood: ``Retry-After`` (seconds or an HTTP date), the IETF ``RateLimit`` header (draft 8+:
    ``"policy";r=0;t=30``; older drafts: ``limit=100, remaining=0, reset=30``, or a ``RateLimit-Reset`` header) and
    ``X-RateLimit-Reset``. Malformed values are ignored.
    """
    response = exc.response
    if response is None:
        return None
    headers = response.headers
    for name in ("Retry-After", "RateLimit-Reset", "X-RateLimit-Reset"):
        value = headers.get(name)
        if value:
            seconds = _seconds(value)
            if seconds is not None:
                return seconds
    policy = headers.get("RateLimit")  # IETF: '"name";r=0;t=30' (draft 8+) or 'limit=..., remaining=0, reset=30'
    if policy:
        for item in policy.split(","):
            for part in item.split(";"):
                key, _, val = part.strip().partition("=")
                if key.strip().lower() in ("reset", "t") and val:
                    seconds = _seconds(val)
                    if seconds is not None:
                        return seconds
    return None
