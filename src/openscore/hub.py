"""The Hugging Face Hub adapter: the only module that imports ``huggingface_hub``.

It asks the Hub for facts (model info with ``expand``, files pinned to a commit, dataset info) and maps the
client's exceptions onto :mod:`openscore.errors`. It takes ``endpoint`` and ``token`` explicitly and never logs or
returns the token. ``huggingface_hub`` does not retry ``model_info``; this adapter adds a few bounded retries for
transient faults (429 honouring ``Retry-After``, 5xx, connection errors and timeouts).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import email.utils
import errno
import functools
import hashlib
import importlib
import json
import math
import os
import random
import re
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from urllib.parse import quote, urlsplit

from pydantic import BaseModel, ConfigDict, ValidationError

if TYPE_CHECKING:
    import huggingface_hub as hf
    from huggingface_hub import constants
    from huggingface_hub import errors as hf_errors
    from huggingface_hub import utils as hf_utils
    from huggingface_hub.hf_api import ModelInfo

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


class _LazyModule:
    """A module imported on first attribute access.

    ``huggingface_hub`` and its HTTP stack take a good part of a second to import; grading a folder or a card never
    needs them, so they are imported only when a Hub client is made or a Hub error has to be told apart.
    """

    _lock = threading.Lock()

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: Any = None

    def __getattr__(self, attr: str) -> Any:
        module = self._module
        if module is None:
            with self._lock:
                if self._module is None:
                    with warnings.catch_warnings():
                        # huggingface_hub imports tqdm.auto, which in a Jupyter kernel without ipywidgets warns
                        # "IProgress not found" (a TqdmWarning) on import; its bars fall back to plain text there.
                        warnings.filterwarnings("ignore", message="IProgress not found")
                        self._module = importlib.import_module(self._name)
                module = self._module
        return getattr(module, attr)


if not TYPE_CHECKING:
    hf = _LazyModule("huggingface_hub")
    constants = _LazyModule("huggingface_hub.constants")
    hf_errors = _LazyModule("huggingface_hub.errors")
    hf_utils = _LazyModule("huggingface_hub.utils")

T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")


# Network-level failures: the HTTP client's base error (re-exported by huggingface_hub.errors) and the stdlib's.
# A truncated answer surfaces as an httpx RemoteProtocolError (an HTTPError); a garbled JSON body as JSONDecodeError;
# a streamed file shorter than its Content-Length as the ConnectionError read_file raises.
@functools.cache
def _transport_errors() -> tuple[type[BaseException], ...]:
    return (
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
    #: Set on an item of a listing (:meth:`HubClient.list_models`) that the Hub answered malformed: why it cannot
    #: be graded. Its other fields are then empty; grading it gives a ``bad-answer`` failure with this message.
    problem: str | None = None


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


#: The largest API answer (model info, a listing page, refs, dataset info) read, in bytes; a longer one is refused.
MAX_ANSWER_BYTES = 16_000_000
#: A listing (``list_models``) follows at most this many ``Link: rel="next"`` pages.
MAX_LIST_PAGES = 200
#: The default per-request deadline, in seconds (connect, wait and read the whole answer).
DEFAULT_TIMEOUT = 20.0
#: Without an explicit ``release_timeout``, one release (or one call outside a release) may take this many times
#: the per-request ``timeout`` in all, retries and waits included.
RELEASE_TIMEOUT_FACTOR = 4

_REPO_ID = re.compile(r"[A-Za-z0-9][\w.-]{0,95}(/[A-Za-z0-9_.-][\w.-]{0,95})?")
_TOKEN = re.compile(r"[\x21-\x7e]{1,4096}")


def safe_repo_id(repo_id: str) -> bool:
    """True when ``repo_id`` is a Hub id that is safe as a local file name part (no ``..``, no separators)."""
    return bool(_REPO_ID.fullmatch(repo_id)) and ".." not in repo_id and not repo_id.endswith((".", "/"))


def safe_relative_path(path: str) -> bool:
    """True when ``path`` (a repository file name) stays inside whatever folder it is joined to."""
    if not path or len(path) > 1000 or path.startswith("/") or "\\" in path or "\0" in path or ":" in path:
        return False
    return all(part not in ("", ".", "..") for part in path.split("/"))


def _inside(root: Path, path: Path) -> bool:
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, ValueError, RuntimeError):
        return False


# ------------------------------------------------------------------------------------------ Hub answers (typed)


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class _Sibling(_Answer):
    rfilename: str


class _BaseRef(_Answer):
    id: str


class _BaseModels(_Answer):
    relation: str | None = None
    models: list[_BaseRef] = []


class _Safetensors(_Answer):
    total: int | None = None


class ModelAnswer(_Answer):
    """The fields of a model-info (or listing) answer openscore uses, type-checked; others are ignored."""

    id: str
    sha: str | None = None
    gated: bool | str | None = None
    siblings: list[_Sibling] | None = None
    cardData: dict[str, Any] | None = None
    tags: list[str] | None = None
    library_name: str | None = None
    pipeline_tag: str | None = None
    lastModified: str | None = None
    baseModels: _BaseModels | None = None
    safetensors: _Safetensors | None = None


class DatasetAnswer(_Answer):
    """The fields of a dataset-info answer openscore uses."""

    cardData: dict[str, Any] | None = None
    gated: bool | str | None = None
    tags: list[str] | None = None
    sha: str | None = None


class _Branch(_Answer):
    name: str
    targetCommit: str


class RefsAnswer(_Answer):
    """A ``/refs`` answer: the branches (tags and converts are not used)."""

    branches: list[_Branch] = []


A = TypeVar("A", bound=BaseModel)


def _validated(kind: type[A], data: Any, name: str, target: str, where: str = "") -> A:
    """``data`` as a ``kind``, or a :class:`~openscore.errors.HubResponseError` naming the first wrong field."""
    try:
        return kind.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in (*([where] if where else []), *first["loc"])) or "(the answer)"
        raise errors.HubResponseError(
            f"{name}: the Hub's answer has a bad field {_one_line(loc, 80)!r} ({_one_line(first['msg'], 80)})",
            target=target,
            field=loc,
        ) from None


def _parse_json(body: bytes, name: str, target: str) -> Any:
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise errors.HubResponseError(
            f"{name}: the Hub's answer is not valid JSON (or nested too deeply)", target=target
        ) from None


def _last_modified(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return datetime.datetime.fromisoformat(value).isoformat()
    except ValueError:
        return None


def facts_from_answer(answer: ModelAnswer, repo_id: str) -> ModelFacts:
    """Turn a validated model answer into :class:`ModelFacts`; unsafe ids, names and shas are refused."""
    name = _one_line(repo_id)
    if not safe_repo_id(answer.id):
        raise errors.HubResponseError(f"{name}: the Hub's answer has a bad field 'id'", target=repo_id, field="id")
    if answer.sha is not None and not _SHA.fullmatch(answer.sha):
        raise errors.HubResponseError(
            f"{name}: the Hub's answer has a bad field 'sha' (not a 40-hex commit id)", target=repo_id, field="sha"
        )
    base = answer.baseModels
    return ModelFacts(
        repo_id=answer.id,
        sha=answer.sha,
        gated=_gated(answer.gated),
        files=tuple(s.rfilename for s in answer.siblings or () if s.rfilename),
        card_data=answer.cardData,
        tags=tuple(answer.tags or ()),
        library_name=answer.library_name,
        pipeline_tag=answer.pipeline_tag,
        last_modified=_last_modified(answer.lastModified),
        base_models=tuple(m.id for m in base.models if m.id) if base else (),
        base_model_relation=base.relation if base else None,
        parameter_count=answer.safetensors.total if answer.safetensors else None,
    )


# ------------------------------------------------------------------------------------------ deadlines, rate limits


class _Deadlines(threading.local):
    def __init__(self) -> None:
        self.stack: list[float] = []


class RateLimiter:
    """Paces the requests of every thread of a process to one Hub endpoint by the Hub's rate-limit answers.

    A 429 with a ``Retry-After``/``RateLimit`` hint, or a successful answer whose ``RateLimit`` header says no
    request remains (``r=0;t=30`` or ``remaining=0, reset=30``), holds every other thread back until the reset.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._until = 0.0
        self._owner: int | None = None

    def hold(self, seconds: float, *, by_me: bool = False) -> None:
        """Hold requests back for ``seconds`` (the calling thread too, unless ``by_me``: it waits on its own)."""
        until = time.monotonic() + max(0.0, seconds)
        with self._lock:
            if until > self._until:
                self._until = until
                self._owner = threading.get_ident() if by_me else None

    def delay(self) -> float:
        """How long the calling thread must wait before its next request."""
        with self._lock:
            if self._owner == threading.get_ident():
                return 0.0
            return max(0.0, self._until - time.monotonic())

    def observe(self, headers: Any) -> None:
        """Note a successful answer's rate-limit headers (an exhausted quota holds requests until its reset)."""
        policy = headers.get("RateLimit")
        if not policy:
            return
        values: dict[str, str] = {}
        for item in policy.split(","):
            for part in item.split(";"):
                key, _, val = part.strip().partition("=")
                values[key.strip().lower()] = val
        remaining = values.get("r", values.get("remaining"))
        reset = values.get("t", values.get("reset"))
        if remaining is not None and remaining.strip() == "0" and reset:
            seconds = _seconds(reset)
            if seconds is not None:
                self.hold(seconds)


_LIMITERS: dict[str, RateLimiter] = {}
_LIMITERS_LOCK = threading.Lock()


def rate_limiter(endpoint: str) -> RateLimiter:
    """The process-wide :class:`RateLimiter` of a Hub endpoint."""
    with _LIMITERS_LOCK:
        return _LIMITERS.setdefault(endpoint.rstrip("/"), RateLimiter())


def reset_rate_limiters() -> None:
    """Forget every rate-limit hold (for tests and long-running processes that change endpoints)."""
    with _LIMITERS_LOCK:
        _LIMITERS.clear()


def check_token(token: str | bool | None) -> None:
    """Refuse a token that cannot be an HTTP header value, without quoting it."""
    if token is None:
        if constants.HF_HUB_DISABLE_IMPLICIT_TOKEN:
            return
        token = hf.get_token()
        source = "the stored token (HF_TOKEN or the login)"
        if token is None:
            return
    else:
        source = "the token"
    if isinstance(token, bool):
        return
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        raise errors.InvalidTokenError(
            f"{source} is not a valid access token: it must be 1-4096 printable ASCII characters without spaces, "
            "tabs or line breaks (check for a trailing newline)"
        )


# ------------------------------------------------------------------------------------------ atomic, checked cache

_CACHE_MAGIC = b"openscore-cache 1 "


def write_checked(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temp file in the same folder, fsync, rename) with a size+sha256 header.

    Readers of the same folder, in this or another process, see either the old entry, the new one, or none.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    header = _CACHE_MAGIC + f"{len(data)} {hashlib.sha256(data).hexdigest()}\n".encode()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(header)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def read_checked(path: Path) -> bytes | None:
    """The bytes :func:`write_checked` stored at ``path``; None when missing, partial or altered."""
    try:
        with open(path, "rb") as f:
            header = f.readline(200)
            data = f.read()
    except OSError:
        return None
    if not header.startswith(_CACHE_MAGIC) or not header.endswith(b"\n"):
        return None
    size, _, digest = header[len(_CACHE_MAGIC) : -1].decode("ascii", "replace").partition(" ")
    if not size.isdigit() or int(size) != len(data) or hashlib.sha256(data).hexdigest() != digest:
        return None
    return data


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
    Errors are cached too: a dataset that failed once is not asked again in the same batch (the error is raised again
    without the traceback of earlier askers).

    Computations may nest (grading a base model grades its own bases). A thread never waits for a key whose
    computation is itself waiting, directly or through other threads, for a key this thread is computing: that wait
    could never end (a ``base_model`` ring A→B→C→A graded by three workers), so the value is then computed without
    the cache instead. ``timeout`` bounds any other wait the same way.
    """

    def __init__(self, timeout: float = 60.0) -> None:
        self.timeout = timeout
        self._cond = threading.Condition()
        self._values: dict[K, V | BaseException] = {}
        self._owner: dict[K, int] = {}  # key -> thread computing it
        self._waiting: dict[int, K] = {}  # thread -> key it waits for

    def _would_deadlock(self, key: K, me: int) -> bool:
        """True when waiting for ``key`` closes a waits-for cycle back to this thread (the caller holds the lock)."""
        seen: set[int] = set()
        owner = self._owner.get(key)
        while owner is not None and owner not in seen:
            if owner == me:
                return True
            seen.add(owner)
            waited = self._waiting.get(owner)
            owner = self._owner.get(waited) if waited is not None else None
        return False

    def get(self, key: K, compute: Callable[[], V]) -> V:
        """The value for ``key``, computing it with ``compute`` on first use (its exception is re-raised)."""
        me = threading.get_ident()
        deadline = time.monotonic() + self.timeout
        with self._cond:
            while key not in self._values and key in self._owner:
                remaining = deadline - time.monotonic()
                if self._would_deadlock(key, me) or remaining <= 0:
                    break
                self._waiting[me] = key
                try:
                    self._cond.wait(min(remaining, 1.0))
                finally:
                    self._waiting.pop(me, None)
            if key in self._values:
                value = self._values[key]
                if isinstance(value, BaseException):
                    # One error object serves every asker: raised as it is, each raise would add the asker's frames
                    # to its traceback, and a batch's memory would grow with every release that asks.
                    raise value.with_traceback(None)
                return value
            mine = key not in self._owner
            if mine:
                self._owner[key] = me
        if not mine:  # a cycle or a timeout: compute without the cache
            return compute()
        outcome: list[V | BaseException] = []
        try:
            try:
                outcome.append(compute())
            except errors.OpenscoreError as exc:
                outcome.append(exc)
        finally:  # an unexpected exception is not cached: the next asker computes again
            with self._cond:
                self._owner.pop(key, None)
                if outcome:
                    self._values[key] = outcome[0]
                self._cond.notify_all()
        result = outcome[0]
        if isinstance(result, BaseException):
            raise result
        return result

    def __len__(self) -> int:
        return len(self._values)


def progress(items: Iterable[T], *, total: int, desc: str, enabled: bool) -> Iterator[T]:
    """Iterate ``items`` with ``huggingface_hub``'s progress bar (which honours ``HF_HUB_DISABLE_PROGRESS_BARS``)."""
    if not enabled:
        yield from items
        return
    with hf_utils.tqdm(total=total, desc=desc, unit="release") as bar:  # type: ignore[attr-defined,no-untyped-call]
        for item in items:
            yield item
            bar.update(1)


def _gated(value: Any) -> str | None:
    if value in (None, False, "false", "False"):
        return None
    return str(value) if value in ("auto", "manual") else "manual"


class HubClient:
    """A thin, typed client for the Hub calls openscore makes, on ``huggingface_hub``'s HTTP session.

    Every answer is read with a size cap and a deadline, and validated into typed facts; what does not fit is a
    :class:`~openscore.errors.HubResponseError`. Requests go through ``huggingface_hub``'s public pieces
    (``get_session``, ``build_hf_headers``, ``hf_raise_for_status``, ``hf_hub_url``); the token is sent only to the
    endpoint's own host (redirects to another host drop it, listing pages on another host are refused).

    Args:
        endpoint: the Hub's base URL; ``None`` uses ``HF_ENDPOINT`` or the public Hub.
        token: a user access token; ``None`` lets ``huggingface_hub`` use ``HF_TOKEN`` or the stored login,
            ``False`` sends no token. A token that cannot be an HTTP header value (spaces, a trailing newline,
            non-ASCII characters) raises :class:`~openscore.errors.InvalidTokenError`, which does not quote it.
        timeout: the deadline of one request, in seconds: connecting, waiting and reading the whole answer (a host
            that sends a byte now and then is cut off at the deadline); must be positive.
        release_timeout: the deadline of one release (or of one call made outside a release), retries and waits
            included; default :data:`RELEASE_TIMEOUT_FACTOR` times ``timeout``.
        retries: how many times a transient fault (408, 429, 5xx, timeout, connection reset, truncated answer) is
            retried before giving up with :class:`~openscore.errors.HubUnavailableError`.
        max_backoff: the longest wait between two tries after a fault without a rate-limit hint, in seconds.
        backoff: the first wait after a fault without a server hint; it doubles on each try (plus up to 10 %
            jitter, so that concurrent workers do not come back together).
        api_cache_dir: where openscore keeps API answers (model info) and files keyed by repository and commit sha,
            so a re-run can be graded ``offline``; None keeps nothing. Entries are written atomically and checked
            on read.
        offline: answer only from the caches; no request is made.
        limiter: the :class:`RateLimiter` to pace requests with; default the process-wide one of the endpoint.
        sleep: how the client waits between tries (default :func:`time.sleep`); it is given each pause in seconds,
            jitter included and already cut to the time left before the deadline (a test can record the pauses
            instead of sleeping them).

    A 429 (or an exhausted ``RateLimit`` quota) holds back every thread using the same endpoint until the reset the
    Hub names; a wait that would pass the deadline gives up with :class:`~openscore.errors.RateLimitedError`.
    """

    def __init__(
        self,
        endpoint: str | None = None,
        token: str | bool | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        release_timeout: float | None = None,
        retries: int = 3,
        max_backoff: float = 30.0,
        backoff: float = 0.5,
        api_cache_dir: str | Path | None = None,
        offline: bool = False,
        limiter: RateLimiter | None = None,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        for name, value in (("timeout", timeout), ("release_timeout", release_timeout)):
            if value is None and name == "release_timeout":
                continue
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a positive number of seconds, not {value!r}")
        if not (isinstance(retries, int) and retries >= 0):
            raise ValueError(f"retries must be a whole number >= 0, not {retries!r}")
        for name, value in (("max_backoff", max_backoff), ("backoff", backoff)):
            if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
                raise ValueError(f"{name} must be a number of seconds >= 0, not {value!r}")
        check_token(token)
        self._api = hf.HfApi(endpoint=endpoint, token=token, library_name="openscore", library_version=__version__)
        self._token = token
        self.endpoint = self._api.endpoint.rstrip("/")
        self.timeout = float(timeout)
        self.release_timeout = float(release_timeout) if release_timeout else RELEASE_TIMEOUT_FACTOR * self.timeout
        self.retries = retries
        self.max_backoff = float(max_backoff)
        self.backoff = float(backoff)
        self.api_cache_dir = api_cache_dir
        self.offline = offline
        self.limiter = limiter if limiter is not None else rate_limiter(self.endpoint)
        self._deadlines = _Deadlines()
        self._origin = _origin(self.endpoint)
        self._sleep = sleep

    def __repr__(self) -> str:  # never show the token
        return f"HubClient(endpoint={self.endpoint!r})"

    # ------------------------------------------------------------------------------------------ deadlines

    @contextlib.contextmanager
    def deadline(self, seconds: float | None = None, *, fresh: bool = False) -> Iterator[float]:
        """Run the calls made inside (in this thread) under one deadline: ``seconds`` (default
        :attr:`release_timeout`) from now, or the enclosing deadline if that comes first (unless ``fresh``: a
        result shared with other releases, such as a base model's, gets its own). Yields the deadline (a
        :func:`time.monotonic` time)."""
        until = time.monotonic() + (self.release_timeout if seconds is None else seconds)
        stack = self._deadlines.stack
        if stack and not fresh:
            until = min(until, stack[-1])
        stack.append(until)
        try:
            yield until
        finally:
            stack.pop()

    def _remaining(self) -> float:
        stack = self._deadlines.stack
        return stack[-1] - time.monotonic() if stack else self.release_timeout

    # ------------------------------------------------------------------------------------------ requests

    def _headers(self) -> dict[str, str]:
        headers = hf_utils.build_hf_headers(  # type: ignore[attr-defined]
            token=self._token, library_name="openscore", library_version=__version__
        )
        return dict(headers)

    def _stream(self, url: str, params: Any, max_bytes: int, *, too_big: str) -> tuple[bytes, int, Any]:
        """GET ``url`` and read at most ``max_bytes`` (+1) of its body before this try's deadline.

        Returns (body, declared size, response headers). Raises ``TimeoutError`` at the deadline; ``too_big`` is
        ``"refuse"`` (a longer answer is a HubResponseError) or ``"cut"`` (the first ``max_bytes`` + 1 are kept).
        """
        if constants.HF_HUB_OFFLINE:
            raise hf_errors.OfflineModeIsEnabled("HF_HUB_OFFLINE is set")
        until = time.monotonic() + min(self.timeout, self._remaining())
        headers = self._headers()
        with hf.get_session().stream(
            "GET",
            url,
            params=params,
            headers=headers,
            timeout=max(0.001, until - time.monotonic()),
            follow_redirects=True,
        ) as r:
            hf.hf_raise_for_status(r)
            self.limiter.observe(r.headers)
            declared_raw = r.headers.get("Content-Length")
            declared = int(declared_raw) if declared_raw and declared_raw.isdigit() else None
            if too_big == "refuse" and declared is not None and declared > max_bytes:
                raise errors.HubResponseError(f"answer of {declared:,} bytes refused (the cap is {max_bytes:,})")
            chunks = bytearray()
            for chunk in r.iter_bytes():
                chunks += chunk
                if len(chunks) > max_bytes:
                    if too_big == "refuse":
                        raise errors.HubResponseError(f"answer longer than {max_bytes:,} bytes refused")
                    break
                if time.monotonic() > until:
                    raise TimeoutError(f"deadline of {self.timeout:g} s passed while reading the answer")
            size = declared if declared is not None else len(chunks)
            if len(chunks) <= max_bytes and len(chunks) < size:
                raise ConnectionError(f"truncated answer: {len(chunks)} of {size} bytes")
            return bytes(chunks[: max_bytes + 1]), size, r.headers

    def _get_json(self, repo_id: str, url: str, params: Any = None) -> tuple[Any, Any]:
        """One API answer as parsed JSON (retried, capped, under the deadline) and its headers."""

        def fetch() -> tuple[bytes, Any]:
            body, _, headers = self._stream(url, params, MAX_ANSWER_BYTES, too_big="refuse")
            return body, headers

        body, headers = self._call(repo_id, fetch)
        return _parse_json(body, _one_line(repo_id), repo_id), headers

    def _api_url(self, kind: str, repo_id: str, *rest: str) -> str:
        if not safe_repo_id(repo_id):
            raise errors.InvalidTargetError(f"{_one_line(repo_id)!r} is not a valid Hub repository id", target=repo_id)
        return "/".join([self.endpoint, "api", kind, repo_id, *rest])

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
        rest = ("revision", quote(revision, safe="")) if revision is not None else ()
        url = self._api_url("models", repo_id, *rest)
        with self.deadline():
            data, _ = self._get_json(repo_id, url, [("expand", e) for e in MODEL_EXPAND])
        facts = facts_from_answer(_validated(ModelAnswer, data, _one_line(repo_id), repo_id), repo_id)
        self._cache_write(facts, revision)
        return facts

    def list_models(self, author: str, *, limit: int | None = None) -> list[ModelFacts]:
        """Every model of ``author`` with the metadata of :data:`MODEL_EXPAND`, in a few paginated requests.

        The pages are followed through the Hub's ``Link: <...>; rel="next"`` headers, only on the endpoint's own
        host (a link elsewhere is refused: the token must not go there), at most :data:`MAX_LIST_PAGES` pages, never
        the same page twice. The whole listing shares one deadline (:attr:`release_timeout`).

        Each item is validated on its own: a malformed one (not an object, no ``id``, a field of the wrong type, an
        id that is not a safe ``org/name``, a ``sha`` that is not 40 hex digits) comes back as a
        :class:`ModelFacts` whose ``problem`` says what is wrong (grading it gives a ``bad-answer`` failure), and
        the well-formed items are kept. A page that is not a JSON list, or over :data:`MAX_ANSWER_BYTES`, fails the
        whole listing with :class:`~openscore.errors.HubResponseError`.
        """
        name = _one_line(author)
        params: Any = [("author", author), *(("expand", e) for e in MODEL_EXPAND)]
        if limit is not None:
            params.append(("limit", str(limit)))
        url: str | None = f"{self.endpoint}/api/models"
        seen: set[str] = set()
        found: list[ModelFacts] = []
        with self.deadline():
            for page in range(MAX_LIST_PAGES + 1):
                if url is None or (limit is not None and len(found) >= limit):
                    break
                if page == MAX_LIST_PAGES:
                    raise errors.HubResponseError(
                        f"{name}: the listing has more than {MAX_LIST_PAGES} pages; not followed further",
                        target=author,
                        field="Link",
                    )
                seen.add(url)
                data, headers = self._get_json(author, url, params)
                params = None  # the next link carries its own query
                if not isinstance(data, list):
                    raise errors.HubResponseError(
                        f"{name}: the Hub's listing is not a list", target=author, field="(the answer)"
                    )
                start = len(found)
                found.extend(_listed(item, start + n, author) for n, item in enumerate(data))
                url = self._next_page(headers.get("Link"), seen, author)
        if limit is not None:
            found = found[:limit]
        for facts in found:
            self._cache_write(facts, None)
        return found

    def _next_page(self, link: str | None, seen: set[str], author: str) -> str | None:
        """The ``rel="next"`` URL of a ``Link`` header: None at the end; refused when it leaves the endpoint's
        host or comes back to a page already read."""
        if not link:
            return None
        for part in link.split(","):
            target, _, attrs = part.partition(";")
            rels = [a.strip().replace('"', "").lower() for a in attrs.split(";")]
            if "rel=next" not in rels:
                continue
            url = target.strip().strip("<>").strip()
            if _origin(url) != self._origin:
                raise errors.HubResponseError(
                    f"{_one_line(author)}: the listing's next page is on another host; not followed "
                    "(the token goes only to the Hub's own host)",
                    target=author,
                    field="Link",
                )
            if url in seen:
                raise errors.HubResponseError(
                    f"{_one_line(author)}: the listing's next page loops back to a page already read",
                    target=author,
                    field="Link",
                )
            return url
        return None

    def list_branches(self, repo_id: str) -> list[tuple[str, str]]:
        """``(branch name, commit sha)`` for every branch of a model repository.

        With ``api_cache_dir`` the answer is kept, so that an ``offline`` re-run gives the same report.
        """
        cached = self._cache_path(repo_id, "refs.json")
        if self.offline:
            raw = read_checked(cached) if cached is not None else None
            try:
                pairs = json.loads(raw) if raw is not None else None
                if isinstance(pairs, list):
                    return [(str(n), str(c)) for n, c in pairs if _SHA.fullmatch(str(c))]
            except (ValueError, TypeError):
                pass
            raise errors.HubUnavailableError(
                f"{_one_line(repo_id)}: branches not in the openscore cache and offline mode is on", target=repo_id
            )
        branches = self._list_branches(repo_id)
        if cached is not None:
            with contextlib.suppress(OSError, ValueError):
                write_checked(cached, json.dumps(branches).encode())
        return branches

    def _list_branches(self, repo_id: str) -> list[tuple[str, str]]:
        with self.deadline():
            data, _ = self._get_json(repo_id, self._api_url("models", repo_id, "refs"))
        refs = _validated(RefsAnswer, data, _one_line(repo_id), repo_id)
        for n, b in enumerate(refs.branches):
            if not _SHA.fullmatch(b.targetCommit):
                raise errors.HubResponseError(
                    f"{_one_line(repo_id)}: the Hub's answer has a bad field 'branches.{n}.targetCommit'",
                    target=repo_id,
                    field=f"branches.{n}.targetCommit",
                )
        return [(b.name, b.targetCommit) for b in refs.branches]

    # ------------------------------------------------------------------------------------------ disk cache

    def _cache_path(self, repo_id: str, name: str) -> Path | None:
        """A path under ``api_cache_dir/models/<repo>``; None without a cache or when a part is not safe."""
        if self.api_cache_dir is None or not safe_repo_id(repo_id) or not safe_relative_path(name):
            return None
        root = Path(self.api_cache_dir) / "models"
        path = root / repo_id.replace("/", "--") / name
        return path if _inside(root, path) else None

    def _cache_write(self, facts: ModelFacts, revision: str | None) -> None:
        if self.api_cache_dir is None or not facts.sha or not _SHA.fullmatch(facts.sha):
            return
        try:
            data = json.dumps(dataclasses.asdict(facts)).encode()
            path = self._cache_path(facts.repo_id, f"{facts.sha}.json")
            ref = self._cache_path(facts.repo_id, f"ref-{_ref_name(revision)}")
            if path is None or ref is None:
                return
            write_checked(path, data)
            write_checked(ref, facts.sha.encode())
        except (OSError, ValueError, RecursionError):  # a read-only or full cache must never fail grading
            return

    def _cache_read(self, repo_id: str, revision: str | None) -> ModelFacts | None:
        if revision and _SHA.fullmatch(revision):
            sha = revision
        else:
            ref = self._cache_path(repo_id, f"ref-{_ref_name(revision)}")
            pointed = read_checked(ref) if ref is not None else None
            if pointed is None:
                return None
            sha = pointed.decode("ascii", "replace")
            if not _SHA.fullmatch(sha):
                return None
        path = self._cache_path(repo_id, f"{sha}.json")
        raw_bytes = read_checked(path) if path is not None else None
        if raw_bytes is None:
            return None
        try:
            raw = json.loads(raw_bytes)
            for key in ("files", "tags", "base_models"):
                raw[key] = tuple(raw.get(key) or ())
            return ModelFacts(**raw)
        except (ValueError, TypeError, RecursionError):
            return None

    def _dataset_cache(self, repo_id: str) -> Path | None:
        """Where a dataset's answer is kept: ``api_cache_dir/datasets/<id>/info.json`` (checked ids only)."""
        if self.api_cache_dir is None or not safe_repo_id(repo_id):
            return None
        root = Path(self.api_cache_dir) / "datasets"
        path = root / repo_id.replace("/", "--") / "info.json"
        return path if _inside(root, path) else None

    def dataset_info(self, repo_id: str) -> DatasetFacts:
        """Fetch a dataset's license and gating; a missing dataset gives ``found=False`` instead of an error.

        With ``api_cache_dir`` the answer is kept, so that an ``offline`` re-run gives the same report.
        """
        cached = self._dataset_cache(repo_id)
        if self.offline:
            raw = read_checked(cached) if cached is not None else None
            try:
                fields = json.loads(raw) if raw is not None else None
                if isinstance(fields, dict):
                    for key in ("license", "tags"):
                        fields[key] = tuple(str(v) for v in fields.get(key) or ())
                    return DatasetFacts(**fields)
            except (ValueError, TypeError):
                pass
            raise errors.HubUnavailableError(f"{repo_id}: dataset not looked up (offline mode)", target=repo_id)
        facts = self._dataset_info(repo_id)
        if cached is not None:
            with contextlib.suppress(OSError, ValueError):
                write_checked(cached, json.dumps(dataclasses.asdict(facts)).encode())
        return facts

    def _dataset_info(self, repo_id: str) -> DatasetFacts:
        try:
            with self.deadline():
                data, _ = self._get_json(
                    repo_id, self._api_url("datasets", repo_id), [("expand", e) for e in DATASET_EXPAND]
                )
        except errors.TargetNotFoundError:
            return DatasetFacts(repo_id=repo_id, found=False)
        info = _validated(DatasetAnswer, data, _one_line(repo_id), repo_id)
        licenses: tuple[str, ...] = ()
        card = info.cardData or {}
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
        except _transport_errors() as exc:
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
        megabyte. With ``api_cache_dir`` the bytes read are kept (atomically, with a size and sha256 check), keyed
        by repository, commit and path, so re-runs and ``offline`` grading read them from disk; so is the answer
        that a file is not there. The read has the
        request deadline (:attr:`timeout`): a host dribbling bytes is cut off.

        A file that cannot be read (gated, missing, network failure) gives a :class:`FileResult` with a
        ``problem`` instead of raising: a release is graded from what is readable.
        """
        cached = self._file_cache(repo_id, revision, path, repo_type)
        # A file missing at a commit stays missing (commits never change): that answer is kept too, in a "missing"
        # folder beside "files", so an offline re-run says "not found" as the online run did.
        missing = self._file_cache(repo_id, revision, path, repo_type, folder="missing")
        if cached is not None and missing is not None:
            data = read_checked(cached)
            if data is not None:
                return FileResult(path=path, data=data[: max_bytes + 1], size=len(data))
            if read_checked(missing) is not None:
                return FileResult(path=path, data=None, problem=_NOT_FOUND)
        if self.offline:
            return FileResult(path=path, data=None, problem="not in the openscore cache (offline mode)")
        if not safe_repo_id(repo_id):
            return FileResult(path=path, data=None, problem="could not be read: not a valid repository id")
        url = hf.hf_hub_url(repo_id, path, revision=revision, endpoint=self.endpoint, repo_type=repo_type)

        def fetch() -> tuple[bytes, int]:
            body, size, _ = self._stream(url, None, max_bytes, too_big="cut")
            return body, size

        try:
            with self.deadline():
                data, size = self._call(repo_id, fetch)
        except errors.OpenscoreError as exc:
            if missing is not None and isinstance(exc, errors.MissingFileError):
                with contextlib.suppress(OSError):
                    write_checked(missing, b"missing\n")
            return FileResult(path=path, data=None, problem=_file_problem(exc))
        if cached is not None and size == len(data):  # keep only complete files
            with contextlib.suppress(OSError):
                write_checked(cached, data)
        return FileResult(path=path, data=data, size=size)

    def _file_cache(
        self, repo_id: str, revision: str | None, path: str, repo_type: str | None = None, folder: str = "files"
    ) -> Path | None:
        """Where a file's bytes are kept (``folder`` "files"), or the mark that it is missing ("missing"): only for
        commit shas, and never outside the cache folder."""
        if self.api_cache_dir is None or not revision or not _SHA.fullmatch(revision):
            return None
        if not safe_relative_path(path):
            return None
        if repo_type == "dataset":  # dataset files apart from models' (ids may coincide)
            if not safe_repo_id(repo_id):
                return None
            root = Path(self.api_cache_dir) / "datasets"
            found = root / repo_id.replace("/", "--") / folder / revision / path
            return found if _inside(root, found) else None
        return self._cache_path(repo_id, f"{folder}/{revision}/{path}")

    # ------------------------------------------------------------------------------------------ plumbing

    def _backoff(self, attempt: int) -> float:
        return float(min(self.max_backoff, self.backoff * 2.0 ** (attempt - 1)))

    def pause_length(self, seconds: float) -> float:
        """How long a wait of ``seconds`` lasts: plus up to 10 % jitter, cut to the time left before the current
        deadline (never negative)."""
        if math.isnan(seconds) or seconds < 0:
            seconds = 0.0
        jitter = random.uniform(0.0, min(seconds, 3600.0) / 10)
        return max(0.0, min(seconds + jitter, self._remaining()))

    def _pause(self, seconds: float) -> None:
        """Wait :meth:`pause_length` of ``seconds`` with the client's ``sleep``."""
        self._sleep(self.pause_length(seconds))

    def _call(self, repo_id: str, fn: Callable[[], T]) -> T:
        """Run one Hub request with bounded retries; map ``huggingface_hub``'s exceptions onto openscore's.

        Transient faults (408, 429, 5xx, timeouts, connection resets, truncated or garbled answers) are tried again
        up to :attr:`retries` times, within the deadline. A 429 waits what the server asks (``Retry-After``,
        ``RateLimit`` reset), holding back the other threads on the endpoint too, unless that passes the deadline
        (then :class:`~openscore.errors.RateLimitedError`); other faults wait the server's hint or an exponential
        backoff, at most :attr:`max_backoff`. Whatever happens ends as an
        :class:`~openscore.errors.OpenscoreError` with a one-line message that names the repository and never the
        token (nor does any chained cause: a cause quoting the token is dropped).
        """
        try:
            with self.deadline():
                return self._call_inner(repo_id, fn)
        except errors.OpenscoreError as exc:
            if self._leaks(exc):
                raise type(exc)(exc.message, target=exc.target) from None
            raise

    def _leaks(self, exc: BaseException) -> bool:
        token = self._token if isinstance(self._token, str) else None
        if token is None and not constants.HF_HUB_DISABLE_IMPLICIT_TOKEN and self._token is None:
            token = hf.get_token()
        if not token:
            return False
        seen: set[int] = set()
        link: BaseException | None = exc
        while link is not None and id(link) not in seen:
            seen.add(id(link))
            try:
                text = f"{link}{link!r}{link.args!r}"
            except Exception:
                return True
            if token in text or token.strip() in text:
                return True
            link = link.__cause__ or link.__context__
        return False

    def _wait_turn(self, name: str, repo_id: str) -> None:
        """Wait for the endpoint's rate limiter; give up when the wait passes the deadline."""
        delay = self.limiter.delay()
        if delay <= 0:
            return
        if delay > self._remaining():
            raise errors.RateLimitedError(
                f"{name}: the Hub is rate limiting requests; the wait of {delay:.0f} s passes the deadline",
                target=repo_id,
                retry_after=delay,
            )
        self._pause(delay)

    def _call_inner(self, repo_id: str, fn: Callable[[], T]) -> T:
        name = _one_line(repo_id)
        attempt = 0
        while True:
            try:
                self._wait_turn(name, repo_id)
                if self._remaining() <= 0:
                    raise TimeoutError("deadline passed")
                return fn()
            except errors.HubResponseError as exc:
                if exc.target is None:  # raised while reading: name the repository
                    raise errors.HubResponseError(f"{name}: {exc.message}", target=repo_id, field=exc.field) from None
                raise
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
                    pause = wait if wait is not None else self._backoff(attempt + 1)
                    retry = attempt < self.retries and pause < self._remaining()
                    if wait is not None:  # every thread on the endpoint waits; this one by pausing below
                        self.limiter.hold(wait, by_me=retry)
                    if retry:
                        attempt += 1
                        self._pause(pause)
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
                    self._pause(min(self.max_backoff, wait if wait is not None else self._backoff(attempt)))
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
            except _transport_errors() as exc:
                if isinstance(exc, OSError) and exc.errno in _LOCAL_ERRNOS:  # the local cache, not the network
                    raise errors.HubUnavailableError(
                        f"{name}: could not be stored in the local cache ({type(exc).__name__}: {exc.strerror})",
                        target=repo_id,
                    ) from exc
                if attempt < self.retries and self._remaining() > 0:
                    attempt += 1
                    self._pause(self._backoff(attempt))
                    if self._remaining() > 0:
                        continue
                raise errors.HubUnavailableError(
                    f"{name}: the Hub could not be reached ({_fault_name(exc)}"
                    + (f", gave up after {attempt + 1} tries)" if attempt else ")"),
                    target=repo_id,
                ) from exc


def _listed(item: Any, n: int, author: str) -> ModelFacts:
    """Item ``n`` (from 0) of ``author``'s listing as facts, or as facts with a ``problem`` when it is malformed."""
    label = f"{_one_line(author)}: listing item {n + 1}"
    raw_id = item.get("id") if isinstance(item, dict) else None
    try:
        return facts_from_answer(_validated(ModelAnswer, item, label, label), label)
    except errors.HubResponseError as exc:
        shown = f" (id {_one_line(raw_id, 80)!r})" if isinstance(raw_id, str) else ""
        target = raw_id if isinstance(raw_id, str) and safe_repo_id(raw_id) else label
        return ModelFacts(
            repo_id=target,
            sha=None,
            gated=None,
            files=(),
            card_data=None,
            problem=f"{exc.message}{shown}; not graded",
        )


def _origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) of a URL, with the scheme's default port filled in."""
    try:
        parts = urlsplit(url)
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower())
    except ValueError:
        return ("", "", None)
    return (parts.scheme.lower(), (parts.hostname or "").lower(), port)


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


_NOT_FOUND = "not found in the repository"


def _file_problem(exc: errors.OpenscoreError) -> str:
    if isinstance(exc, errors.GatedRepoError):
        return "not readable: the repository is gated and this token has no access"
    if isinstance(exc, errors.MissingFileError):
        return _NOT_FOUND
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
