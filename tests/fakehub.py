"""A loopback stand-in for the Hugging Face Hub, for tests.

`FakeHub` serves fixture model repos over plain HTTP on 127.0.0.1 so that the real
`huggingface_hub` client (``HfApi(endpoint=hub.endpoint)``, ``hf_hub_download(..., endpoint=...)``)
can be exercised without any network access.

Fixture layout (default ``tests/fixtures/hub``)::

    <org>/<name>/repo.json      # meta, see below
    <org>/<name>/files/...      # the repo's files (README.md, LICENSE, config.json, subfolders ...)

Meta keys (all optional): ``sha`` (40 hex), ``gated`` (false | "auto" | "manual"), ``files_readable``
(false: file requests answer GatedRepo unless the request bears a token in ``hub.granted_tokens``),
``extra_files`` (names listed in ``siblings`` but not stored in the fixture; they are served as a short
placeholder), ``tags``, ``library_name``, ``pipeline_tag``, ``lastModified``, ``createdAt``,
``downloads``, ``likes``, ``refs`` ({branch: sha}, extra branches besides "main"), ``safetensors``,
``config``, ``gguf``, ``transformersInfo`` (passed through), ``fail`` ({"status": 429|500|503,
"headers": {...}, "times": N}: the first N requests to the repo get that error), ``extra_gated_*``
(merged into cardData when the front matter lacks them; the front matter is the usual place).

Routes: ``GET /api/models/{org}/{name}[/revision/{rev}]``, ``GET /api/models/{org}/{name}/refs``,
``GET /api/models/{org}/{name}/tree/{rev}[/{path}]``, ``HEAD|GET /{org}/{name}/resolve/{rev}/{path}``,
``GET /api/datasets/{org}/{name}`` (from ``<fixtures>/../datasets.json``), ``GET
/datasets/{org}/{name}/resolve/{rev}/README.md`` (a dataset's card, from ``<fixtures>/../datasets/{org}/{name}/
README.md``; gated datasets answer GatedRepo without a granted token); canonical dataset ids without an
organisation (``the_pile``) work the same way (``/api/datasets/{name}``, ``<fixtures>/../datasets/{name}/
README.md``), and ``GET /api/spaces/{org}/{name}`` (from ``<fixtures>/../spaces.json``: ``{"org/name":
{"cardData": {...}}}``).

Fault injection (besides meta ``fail``): ``hub.inject(repo_id, mode, ...)`` makes requests for one repo (model or
dataset id, existing or not) fail in one of these ways, per request count (``after`` requests pass first, then
``times`` requests fail; ``times=None`` fails forever), optionally only on one ``route`` ("api", "file",
"dataset"):

- ``"status"``: an HTTP error (``status``, ``headers`` such as ``Retry-After`` or ``RateLimit``, an
  ``error_code`` sent as ``X-Error-Code``: "RepoNotFound", "GatedRepo", ...);
- ``"slow"``: sleep ``delay`` seconds, then answer normally (longer than the client's timeout: a timeout);
- ``"reset"``: close the connection with a TCP reset, without answering;
- ``"truncate"``: answer with a ``Content-Length`` larger than the bytes sent, then close (GET requests only);
- ``"dribble"``: answer normally, but send the body one byte every ``delay`` seconds (GET only);
- ``"body"``: answer ``status`` (default 200) with ``body`` instead of the real answer: bytes as they are, anything
  else as JSON (wrong types, garbled JSON, a hostile ``sha``...);
- ``"oversize"``: answer the real JSON object padded with a ``"padding"`` field to about ``size`` bytes.

Faults injected for the repo id ``"/api/models"`` apply to the listing's pages.
``hub.listing_link`` (a URL, or None): when set, every ``/api/models`` listing page answers with
``Link: <listing_link>; rel="next"`` (to play a listing that points to another host or to itself).

``hub.fault_log`` records each fault that fired as ``(repo_id, mode, method, path)``.
"""

from __future__ import annotations

import hashlib
import json
import socket
import struct
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import yaml

DEFAULT_FIXTURES = Path(__file__).parent / "fixtures" / "hub"

# Files the real Hub stores with git-lfs (their ETag is the sha256 of the content).
LFS_SUFFIXES = (
    ".safetensors",
    ".bin",
    ".gguf",
    ".h5",
    ".msgpack",
    ".onnx",
    ".pt",
    ".pth",
    ".ckpt",
    ".model",
    ".pkl",
    ".npz",
    ".tflite",
    ".ot",
)
BASE_MODEL_RELATIONS = ("adapter", "merge", "quantized", "finetune")
#: Front matter holding more values than this once YAML aliases are expanded gets no cardData.
MAX_CARD_NODES = 200_000


def git_blob_sha1(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def is_lfs(path: str) -> bool:
    return path.endswith(LFS_SUFFIXES)


def placeholder(repo_id: str, path: str) -> bytes:
    """Bytes served for a file named in meta "extra_files" (a big file the fixture does not store)."""
    return f"placeholder for large file {path} of {repo_id} (fake hub)\n".encode()


_SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_front_matter(readme: bytes | None) -> dict[str, Any] | None:
    """The README's YAML front matter as the Hub reports it in cardData (None if absent or invalid)."""
    if readme is None:
        return None
    text = readme.decode("utf-8", errors="replace").replace("\r\n", "\n")
    if not text.startswith("---\n"):
        return None
    end = text.find("\n---", 3)
    if end == -1:
        return None
    block = text[4:end]
    try:
        data = yaml.load(block, Loader=_SAFE_LOADER)
    except (yaml.YAMLError, RecursionError, ValueError):  # also nesting too deep, integers too long
        return None
    # Like the Hub, give no cardData for metadata that would not fit in a JSON answer: an alias bomb loads as
    # shared references, but would expand exponentially when serialised.
    if not isinstance(data, dict) or _expanded_size(data, MAX_CARD_NODES) > MAX_CARD_NODES:
        return None
    try:  # nesting too deep for JSON
        json.dumps(data, default=str)
    except (RecursionError, ValueError):
        return None
    return data


def _expanded_size(data: Any, limit: int) -> int:
    """How many values ``data`` holds once aliases are expanded, counting no further than ``limit`` + 1."""
    count, stack = 0, [data]
    while stack and count <= limit:
        item = stack.pop()
        count += 1
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return count


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


class FakeRepo:
    def __init__(self, repo_id: str, files: Mapping[str, bytes | str], meta: Mapping[str, Any] | None = None):
        self.repo_id = repo_id
        self.files = {p: (c.encode() if isinstance(c, str) else bytes(c)) for p, c in files.items()}
        self.meta = dict(meta or {})
        self.sha: str = self.meta.get("sha") or hashlib.sha1(f"fakehub:{repo_id}".encode()).hexdigest()
        self.refs: dict[str, str] = {"main": self.sha, **self.meta.get("refs", {})}
        for name in self.meta.get("extra_files", []):
            self.files.setdefault(name, placeholder(repo_id, name))
        self.card_data = parse_front_matter(self.files.get("README.md"))
        if self.card_data is not None:  # gating prompt given in meta rather than in the front matter
            for key, value in self.meta.items():
                if key.startswith("extra_gated_"):
                    self.card_data.setdefault(key, value)

    @classmethod
    def load(cls, repo_dir: Path, repo_id: str) -> FakeRepo:
        meta = json.loads((repo_dir / "repo.json").read_text(encoding="utf-8"))
        files_dir = repo_dir / "files"
        files: dict[str, bytes] = {}
        if files_dir.is_dir():
            for f in sorted(files_dir.rglob("*")):
                if f.is_file():
                    files[f.relative_to(files_dir).as_posix()] = f.read_bytes()
        return cls(repo_id, files, meta)

    @property
    def gated(self) -> bool | str:
        return self.meta.get("gated", False)

    @property
    def files_readable(self) -> bool:
        return bool(self.meta.get("files_readable", True))

    def resolve(self, rev: str) -> str | None:
        """Commit sha for a revision (sha, "main", a branch in refs), None if unknown."""
        rev = rev.removeprefix("refs/heads/")
        if rev in self.refs:
            return self.refs[rev]
        return rev if rev in self.refs.values() else None

    def base_models(self) -> dict[str, Any] | None:
        card = self.card_data or {}
        bases = [str(b) for b in _as_list(card.get("base_model"))]
        if not bases:
            return None
        relation = card.get("base_model_relation")
        if relation not in BASE_MODEL_RELATIONS:  # infer it the way the Hub does
            if "adapter_config.json" in self.files:
                relation = "adapter"
            elif any(p.endswith(".gguf") for p in self.files):
                relation = "quantized"
            else:
                relation = "merge" if len(bases) > 1 else "finetune"
        return {"relation": relation, "models": [{"id": b} for b in bases]}

    def tags(self) -> list[str]:
        card = self.card_data or {}
        tags: list[str] = []
        tags += _as_list(self.meta.get("library_name"))
        tags += _as_list(self.meta.get("tags"))
        tags += _as_list(card.get("tags"))
        tags += _as_list(self.meta.get("pipeline_tag"))
        tags += [str(x) for x in _as_list(card.get("language"))]
        tags += [f"dataset:{d}" for d in _as_list(card.get("datasets"))]
        base = self.base_models()
        if base:
            for m in base["models"]:
                tags += [f"base_model:{m['id']}", f"base_model:{base['relation']}:{m['id']}"]
        tags += [f"license:{lic}" for lic in _as_list(card.get("license"))]
        tags.append("region:us")
        return list(dict.fromkeys(str(t) for t in tags))

    def sibling(self, path: str, blobs: bool) -> dict[str, Any]:
        entry: dict[str, Any] = {"rfilename": path}
        if blobs:
            data = self.files[path]
            entry.update(size=len(data), blobId=git_blob_sha1(data))
            if is_lfs(path):
                entry["lfs"] = {
                    "size": len(data),
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "pointerSize": 134,
                }
        return entry

    def info(self, sha: str, blobs: bool = False) -> dict[str, Any]:
        last_modified = self.meta.get("lastModified", "2024-01-01T00:00:00.000Z")
        info: dict[str, Any] = {
            "_id": hashlib.sha1(self.repo_id.encode()).hexdigest()[:24],
            "id": self.repo_id,
            "modelId": self.repo_id,
            "author": self.repo_id.split("/")[0],
            "sha": sha,
            "lastModified": last_modified,
            "createdAt": self.meta.get("createdAt", last_modified),
            "private": False,
            "gated": self.gated,
            "disabled": False,
            "downloads": self.meta.get("downloads", 0),
            "likes": self.meta.get("likes", 0),
            "tags": self.tags(),
            "siblings": [self.sibling(p, blobs) for p in sorted(self.files)],
        }
        for key in ("library_name", "pipeline_tag"):
            if self.meta.get(key):
                info[key] = self.meta[key]
        if self.card_data is not None:
            info["cardData"] = self.card_data
        base = self.base_models()
        if base is not None:
            info["baseModels"] = base
        for key in ("safetensors", "config", "gguf", "transformersInfo"):
            if key in self.meta:
                info[key] = self.meta[key]
        return info

    def tree(self, prefix: str, recursive: bool) -> list[dict[str, Any]] | None:
        """Entries of the folder `prefix` ("" = root), like GET /api/models/{id}/tree/{rev}/{prefix}."""
        base = f"{prefix.strip('/')}/" if prefix.strip("/") else ""
        under = [p for p in sorted(self.files) if p.startswith(base)]
        if base and not under:
            return None
        folders: set[str] = set()
        entries: list[dict[str, Any]] = []
        for path in under:
            parts = path[len(base) :].split("/")
            depth = len(parts) if recursive else 1
            for i in range(1, min(depth, len(parts) - 1) + 1):
                folders.add(base + "/".join(parts[:i]))
            if recursive or len(parts) == 1:
                data = self.files[path]
                entry = {"type": "file", "oid": git_blob_sha1(data), "size": len(data), "path": path}
                if is_lfs(path):
                    entry["lfs"] = {
                        "oid": hashlib.sha256(data).hexdigest(),
                        "size": len(data),
                        "pointerSize": 134,
                    }
                entries.append(entry)
        dirs = [
            {"type": "directory", "oid": hashlib.sha1(f"tree:{d}".encode()).hexdigest(), "size": 0, "path": d}
            for d in sorted(folders)
        ]
        return dirs + entries


def _dataset_file_route(segs: list[str]) -> tuple[str, str, str] | None:
    """``(dataset id, revision, path)`` for ``/datasets/{org}/{name}/resolve/{rev}/{path}`` or, for the Hub's
    canonical datasets that have no organisation (``the_pile``), ``/datasets/{name}/resolve/{rev}/{path}``."""
    if not segs or segs[0] != "datasets":
        return None
    if len(segs) >= 6 and segs[3] == "resolve":
        return f"{segs[1]}/{segs[2]}", segs[4], "/".join(segs[5:])
    if len(segs) >= 5 and segs[2] == "resolve":
        return segs[1], segs[3], "/".join(segs[4:])
    return None


FAULT_MODES = ("status", "slow", "reset", "truncate", "dribble", "body", "oversize")
FAULT_ROUTES = ("any", "api", "file", "dataset")


@dataclass
class Fault:
    """One injected fault for one repo: see :meth:`FakeHub.inject`."""

    repo_id: str
    mode: str
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    error_code: str | None = None
    delay: float = 0.0
    after: int = 0
    times: int | None = 1
    route: str = "any"
    body: Any = None
    size: int = 0
    seen: int = 0  # matching requests so far
    fired: int = 0  # of which failed

    def applies(self, route: str, method: str) -> bool:
        if self.route not in ("any", route):
            return False
        return not (self.mode in ("truncate", "dribble", "body", "oversize") and method != "GET")

    def take(self) -> bool:
        """Count one matching request; True when it must fail (the caller holds the hub's lock)."""
        self.seen += 1
        if self.seen <= self.after:
            return False
        if self.times is not None and self.fired >= self.times:
            return False
        self.fired += 1
        return True

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.fired >= self.times


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    hub: FakeHub

    def handle_error(self, request: Any, client_address: Any) -> None:  # quiet: no traceback on stderr
        exc = sys.exc_info()[1]
        if not isinstance(exc, ConnectionError | TimeoutError):
            self.hub.errors.append(repr(exc))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeHub/1.0"
    timeout = 30
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def setup(self) -> None:
        super().setup()
        # Without it each answer (headers, then body, written separately) waits ~40 ms for the client's delayed ACK.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def do_POST(self) -> None:
        self._dispatch("POST")

    # -- plumbing ----------------------------------------------------------------------------------

    _truncate = False  # set by an injected "truncate" fault: send fewer bytes than Content-Length says
    _dribble = 0.0  # set by an injected "dribble" fault: seconds between the body's bytes
    _pad = 0  # set by an injected "oversize" fault: pad JSON objects to about this many bytes

    def _send(self, status: int, body: bytes = b"", headers: Mapping[str, str] | None = None) -> None:
        self.send_response(status)
        headers = dict(headers or {})
        headers.setdefault("Content-Type", "application/json; charset=utf-8")
        headers.setdefault("Content-Length", str(len(body)))
        if self._truncate and self.command != "HEAD":
            headers["Content-Length"] = str(max(len(body), 16))
            body = body[: len(body) // 2]
            self.close_connection = True
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        if self.command == "HEAD":
            return
        if self._dribble:
            for i in range(len(body)):
                self.wfile.write(body[i : i + 1])
                self.wfile.flush()
                time.sleep(self._dribble)
            return
        self.wfile.write(body)

    def _json(self, data: Any, status: int = 200) -> None:
        if self._pad and isinstance(data, dict):
            data = {**data, "padding": "x" * self._pad}
        self._send(status, json.dumps(data, default=str).encode())  # YAML dates become strings, as on the Hub

    def _error(self, status: int, code: str | None, message: str, headers: Mapping[str, str] | None = None) -> None:
        # header values must stay printable ASCII: the message may quote a revision taken from the URL
        safe_message = "".join(ch if " " <= ch <= "~" else "?" for ch in message)
        hdrs = {"X-Error-Message": safe_message, **(headers or {})}
        if code:
            hdrs["X-Error-Code"] = code
        self._send(status, json.dumps({"error": message}).encode(), hdrs)

    def _dispatch(self, method: str) -> None:
        hub = self.server.hub
        url = urlsplit(self.path)
        hub._log(method, url.path)
        if hub.latency:
            time.sleep(hub.latency)
        if method == "POST":
            self.rfile.read(int(self.headers.get("Content-Length") or 0))  # keep the connection usable
            self._error(405, None, "Method not allowed by the fake hub")
            return
        fault = hub._take_fault(method, url.path)
        if fault is not None:
            if fault.mode == "status":
                headers = dict(fault.headers)
                if fault.error_code:
                    headers["X-Error-Code"] = fault.error_code
                self._error(fault.status, None, f"Injected error {fault.status} from the fake hub", headers)
                return
            if fault.mode == "reset":
                self._reset()
                return
            if fault.mode == "body":
                raw = fault.body if isinstance(fault.body, bytes) else json.dumps(fault.body).encode()
                self._send(fault.status if fault.status != 500 else 200, raw)
                return
            if fault.mode == "slow":
                time.sleep(fault.delay)
            elif fault.mode == "truncate":
                self._truncate = True
            elif fault.mode == "dribble":
                self._dribble = fault.delay or 0.5
            elif fault.mode == "oversize":
                self._pad = fault.size or 10_000_000
        try:
            self._route(hub, url.path, parse_qs(url.query, keep_blank_values=True))
        except (ConnectionError, TimeoutError):  # the client hung up (e.g. it timed out on a slow answer)
            self.close_connection = True
        except Exception as exc:  # a bug in the fake: make it visible to the test, not to stderr
            hub.errors.append(repr(exc))
            self._error(500, None, f"fake hub error: {exc!r}")

    def _reset(self) -> None:
        """Close the connection with a TCP reset (SO_LINGER 0), without answering."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _route(self, hub: FakeHub, path: str, query: dict[str, list[str]]) -> None:
        segs = [unquote(s) for s in path.strip("/").split("/")]
        if segs == ["api", "models"]:
            self._list_models(hub, query)
            return
        if len(segs) in (3, 4) and segs[:2] == ["api", "datasets"]:
            self._dataset_info(hub, "/".join(segs[2:]), query)
            return
        dataset_file = _dataset_file_route(segs)
        if dataset_file is not None:
            self._dataset_file(hub, *dataset_file)
            return
        if len(segs) == 4 and segs[:2] == ["api", "spaces"]:
            self._space_info(hub, f"{segs[2]}/{segs[3]}")
            return
        if len(segs) >= 4 and segs[:2] == ["api", "models"]:
            repo_id, rest, api = f"{segs[2]}/{segs[3]}", segs[4:], True
        elif len(segs) >= 5 and segs[2] == "resolve":
            repo_id, rest, api = f"{segs[0]}/{segs[1]}", segs[2:], False
        else:
            self._error(404, None, "Not found (fake hub has no such route)")
            return
        repo = hub.get_repo(repo_id)
        if repo is None:
            self._error(401, "RepoNotFound", "Repository not found")
            return
        injected = hub._take_failure(repo)
        if injected is not None:
            status, headers = injected
            self._error(status, None, f"Injected error {status} from the fake hub", headers)
            return
        if not api:
            self._resolve_file(hub, repo, rest[1], "/".join(rest[2:]))
        elif not rest:
            self._model_info(repo, "main", query)
        elif rest[0] == "revision" and len(rest) == 2:
            self._model_info(repo, rest[1], query)
        elif rest == ["refs"]:
            self._refs(repo)
        elif rest[0] == "tree" and len(rest) >= 2:
            self._tree(repo, rest[1], "/".join(rest[2:]), query)
        else:
            self._error(404, None, "Not found (fake hub has no such route)")

    # -- endpoints ---------------------------------------------------------------------------------

    def _dataset_info(self, hub: FakeHub, dataset_id: str, query: dict[str, list[str]]) -> None:
        """Dataset metadata from tests/fixtures/datasets.json: cardData (license), gated, tags."""
        entry = hub.datasets.get(dataset_id)
        if entry is None:
            self._error(401, "RepoNotFound", "Repository not found")
            return
        card = dict(entry.get("cardData") or {})
        licenses = card.get("license") or []
        tags = list(entry.get("tags") or []) + [
            f"license:{lic}" for lic in ([licenses] if isinstance(licenses, str) else licenses)
        ]
        full = {
            "_id": dataset_id,
            "id": dataset_id,
            "sha": entry.get("sha", "0" * 40),
            "private": False,
            "disabled": False,
            "gated": entry.get("gated", False),
            "cardData": card,
            "tags": tags,
        }
        expand = query.get("expand")
        data = {k: v for k, v in full.items() if not expand or k in ("_id", "id") or k in expand}
        self._json(data)

    def _dataset_file(self, hub: FakeHub, dataset_id: str, rev: str, path: str) -> None:
        """A dataset's file: only README.md, from tests/fixtures/datasets/<org>/<name>/README.md."""
        entry = hub.datasets.get(dataset_id)
        if entry is None:
            self._error(401, "RepoNotFound", "Repository not found")
            return
        if entry.get("gated") and not hub._authorized(self.headers.get("Authorization")):
            self._error(401, "GatedRepo", f"Access to dataset {dataset_id} is restricted.")
            return
        sha = entry.get("sha", "0" * 40)
        if rev not in (sha, "main"):
            self._error(404, "RevisionNotFound", f"Invalid rev id: {rev}")
            return
        data = hub.dataset_cards.get(dataset_id) if path == "README.md" else None
        if data is None:
            self._error(404, "EntryNotFound", "Entry not found", {"X-Repo-Commit": sha})
            return
        headers = {
            "Content-Type": "text/plain; charset=utf-8",
            "X-Repo-Commit": sha,
            "ETag": f'"{git_blob_sha1(data)}"',
        }
        self._send(200, data, headers)

    def _space_info(self, hub: FakeHub, space_id: str) -> None:
        """A Space's metadata from tests/fixtures/spaces.json: cardData (its license)."""
        entry = hub.spaces.get(space_id)
        if entry is None:
            self._error(401, "RepoNotFound", "Repository not found")
            return
        self._json({"_id": space_id, "id": space_id, "sha": entry.get("sha", "0" * 40), **entry})

    def _model_info(self, repo: FakeRepo, rev: str, query: dict[str, list[str]]) -> None:
        sha = repo.resolve(rev)
        if sha is None:
            self._error(404, "RevisionNotFound", f"Invalid rev id: {rev}")
            return
        info = repo.info(sha, blobs=query.get("blobs", [""])[0].lower() == "true")
        expand = [e for v in query.get("expand", []) + query.get("expand[]", []) for e in v.split(",") if e]
        if expand:
            info = {k: v for k, v in info.items() if k in ("_id", "id", *expand)}
        self._json(info)

    LIST_PAGE_SIZE = 20

    def _list_models(self, hub: FakeHub, query: dict[str, list[str]]) -> None:
        """``GET /api/models?author=...&expand=...``: paginated like the Hub, with a ``Link: <...>; rel="next"``."""
        author = (query.get("author") or [""])[0]
        ids = sorted(r for r in hub.repo_ids if not author or r.split("/")[0] == author)
        limit = int((query.get("limit") or ["0"])[0] or 0)
        if limit:
            ids = ids[:limit]
        cursor = int((query.get("cursor") or ["0"])[0] or 0)
        page = ids[cursor : cursor + self.LIST_PAGE_SIZE]
        expand = [e for v in query.get("expand", []) + query.get("expand[]", []) for e in v.split(",") if e]
        items = []
        for repo_id in page:
            repo = hub.get_repo(repo_id)
            assert repo is not None
            if hub._take_failure(repo) is not None:  # injected faults make the whole listing page fail
                self._error(503, None, "Injected error from the fake hub")
                return
            info = repo.info(repo.meta["sha"])
            if expand:
                info = {k: v for k, v in info.items() if k in ("_id", "id", *expand)}
            items.append(info)
        headers = {}
        if hub.listing_link is not None:
            headers["Link"] = f'<{hub.listing_link}>; rel="next"'
        elif cursor + self.LIST_PAGE_SIZE < len(ids):
            params = [(k, v) for k, vs in query.items() if k != "cursor" for v in vs]
            params.append(("cursor", str(cursor + self.LIST_PAGE_SIZE)))
            headers["Link"] = f'<{hub.endpoint}/api/models?{urlencode(params)}>; rel="next"'
        self._send(200, json.dumps(items, default=str).encode(), headers)

    def _refs(self, repo: FakeRepo) -> None:
        branches = [{"name": n, "ref": f"refs/heads/{n}", "targetCommit": s} for n, s in repo.refs.items()]
        self._json({"branches": branches, "tags": [], "converts": []})

    def _tree(self, repo: FakeRepo, rev: str, prefix: str, query: dict[str, list[str]]) -> None:
        if repo.resolve(rev) is None:
            self._error(404, "RevisionNotFound", f"Invalid rev id: {rev}")
            return
        entries = repo.tree(prefix, recursive=query.get("recursive", [""])[0].lower() == "true")
        if entries is None:
            self._error(404, "EntryNotFound", f"{prefix} does not exist on {rev}")
            return
        self._json(entries)

    def _resolve_file(self, hub: FakeHub, repo: FakeRepo, rev: str, path: str) -> None:
        if not repo.files_readable and not hub._authorized(self.headers.get("Authorization")):
            status = 403 if self.headers.get("Authorization") else 401
            message = (
                f"Access to model {repo.repo_id} is restricted. You must have access to it and be "
                "authenticated to access it. Please log in."
            )
            self._error(status, "GatedRepo", message)
            return
        sha = repo.resolve(rev)
        if sha is None:
            self._error(404, "RevisionNotFound", f"Invalid rev id: {rev}")
            return
        data = repo.files.get(path)
        if data is None:
            self._error(404, "EntryNotFound", "Entry not found", {"X-Repo-Commit": sha})
            return
        headers = {
            "Content-Type": "text/plain; charset=utf-8" if not is_lfs(path) else "application/octet-stream",
            "Accept-Ranges": "bytes",
            "X-Repo-Commit": sha,
            "Content-Disposition": f'inline; filename="{path.rsplit("/", 1)[-1]}";',
        }
        if is_lfs(path):
            etag = hashlib.sha256(data).hexdigest()
            headers.update({"ETag": f'"{etag}"', "X-Linked-Etag": f'"{etag}"', "X-Linked-Size": str(len(data))})
        else:
            headers["ETag"] = f'"{git_blob_sha1(data)}"'
        status, body = 200, data
        ranged = _parse_range(self.headers.get("Range"), len(data))
        if ranged is not None:
            start, end = ranged
            status, body = 206, data[start : end + 1]
            headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
        self._send(status, body, headers)


def _parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """A single "bytes=a-b" / "bytes=a-" / "bytes=-n" range, clamped; None when absent or unusable."""
    if not header or not header.startswith("bytes=") or "," in header or size == 0:
        return None
    first, _, last = header[6:].strip().partition("-")
    try:
        if first == "":
            start, end = max(size - int(last), 0), size - 1
        else:
            start, end = int(first), min(int(last), size - 1) if last else size - 1
    except ValueError:
        return None
    return (start, end) if start <= end else None


class FakeHub:
    """Loopback fake of the Hugging Face Hub. Use as a context manager or start()/stop()."""

    def __init__(self, fixtures: Path | str | None = DEFAULT_FIXTURES):
        self.fixtures = Path(fixtures) if fixtures is not None else None
        self.requests: list[tuple[str, str]] = []  # (method, raw URL path without query)
        self.errors: list[str] = []  # exceptions raised inside the fake (should stay empty)
        self.latency: float = 0.0  # seconds slept before answering each request
        self.listing_link: str | None = None  # when set: the Link rel="next" of every listing page
        # bearer tokens that may read the files of repos whose meta says files_readable: false
        self.granted_tokens: set[str] = set()
        self._lock = threading.Lock()
        self._repos: dict[str, FakeRepo] = {}
        # dataset repos by id: {"cardData": {...}, "gated": ..., "tags": [...]}, from <fixtures>/../datasets.json
        self.datasets: dict[str, dict[str, Any]] = {}
        # dataset cards (README.md bytes) by dataset id, from <fixtures>/../datasets/<org>/<name>/README.md
        self.dataset_cards: dict[str, bytes] = {}
        # Space repos by id: {"cardData": {...}}, from <fixtures>/../spaces.json
        self.spaces: dict[str, dict[str, Any]] = {}
        self._failures: dict[str, int] = {}
        self._faults: dict[str, list[Fault]] = {}
        # faults that fired: (repo_id, mode, method, path)
        self.fault_log: list[tuple[str, str, str, str]] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.reset()

    # -- repos -------------------------------------------------------------------------------------

    def reset(self) -> None:
        """Back to the fixture repos: drop ad-hoc repos, the request log, injected-failure counts, latency."""
        repos: dict[str, FakeRepo] = {}
        if self.fixtures is not None and self.fixtures.is_dir():
            for meta in sorted(self.fixtures.glob("*/*/repo.json")):
                repo_id = f"{meta.parent.parent.name}/{meta.parent.name}"
                repos[repo_id] = FakeRepo.load(meta.parent, repo_id)
        datasets: dict[str, dict[str, Any]] = {}
        if self.fixtures is not None and (self.fixtures.parent / "datasets.json").is_file():
            raw = json.loads((self.fixtures.parent / "datasets.json").read_text(encoding="utf-8"))
            datasets = {k: v for k, v in raw.items() if not k.startswith("_")}
        cards: dict[str, bytes] = {}
        spaces: dict[str, dict[str, Any]] = {}
        if self.fixtures is not None and (self.fixtures.parent / "datasets").is_dir():
            for readme in sorted((self.fixtures.parent / "datasets").glob("*/*/README.md")):
                cards[f"{readme.parent.parent.name}/{readme.parent.name}"] = readme.read_bytes()
            for readme in sorted((self.fixtures.parent / "datasets").glob("*/README.md")):  # one-segment ids
                cards[readme.parent.name] = readme.read_bytes()
        if self.fixtures is not None and (self.fixtures.parent / "spaces.json").is_file():
            raw = json.loads((self.fixtures.parent / "spaces.json").read_text(encoding="utf-8"))
            spaces = {k: v for k, v in raw.items() if not k.startswith("_")}
        with self._lock:
            self._repos = repos
            self.datasets = datasets
            self.dataset_cards = cards
            self.spaces = spaces
            self._failures.clear()
            self._faults.clear()
            self.fault_log.clear()
            self.requests.clear()
            self.errors.clear()
            self.latency = 0.0
            self.listing_link = None
            self.granted_tokens.clear()

    def add_repo(
        self, repo_id: str, files: Mapping[str, bytes | str], meta: Mapping[str, Any] | None = None
    ) -> FakeRepo:
        repo = FakeRepo(repo_id, files, meta)
        with self._lock:
            self._repos[repo_id] = repo
            self._failures.pop(repo_id, None)
        return repo

    # -- faults ------------------------------------------------------------------------------------

    def inject(
        self,
        repo_id: str,
        mode: str = "status",
        *,
        status: int = 500,
        headers: Mapping[str, str] | None = None,
        error_code: str | None = None,
        delay: float = 0.0,
        after: int = 0,
        times: int | None = 1,
        route: str = "any",
        body: Any = None,
        size: int = 0,
    ) -> Fault:
        """Make requests for ``repo_id`` fail: after ``after`` matching requests, the next ``times`` (None: all).

        ``mode`` is "status" (answer ``status`` with ``headers`` and ``error_code`` as X-Error-Code), "slow" (sleep
        ``delay`` s before answering), "reset" (TCP reset, no answer) or "truncate" (fewer body bytes than the
        Content-Length, GET only). ``route`` limits the fault to "api" (model API), "file" (resolve) or "dataset"
        requests. Several faults on one repo are tried in the order they were injected.
        """
        if mode not in FAULT_MODES:
            raise ValueError(f"unknown fault mode {mode!r}; one of {FAULT_MODES}")
        if route not in FAULT_ROUTES:
            raise ValueError(f"unknown fault route {route!r}; one of {FAULT_ROUTES}")
        fault = Fault(
            repo_id=repo_id,
            mode=mode,
            status=status,
            headers={str(k): str(v) for k, v in (headers or {}).items()},
            error_code=error_code,
            delay=delay,
            after=after,
            times=times,
            route=route,
            body=body,
            size=size,
        )
        with self._lock:
            self._faults.setdefault(repo_id, []).append(fault)
        return fault

    def clear_faults(self, repo_id: str | None = None) -> None:
        """Drop the injected faults of ``repo_id`` (of every repo when None)."""
        with self._lock:
            if repo_id is None:
                self._faults.clear()
            else:
                self._faults.pop(repo_id, None)

    def faults_for(self, repo_id: str) -> list[Fault]:
        with self._lock:
            return list(self._faults.get(repo_id, []))

    def get_repo(self, repo_id: str) -> FakeRepo | None:
        with self._lock:
            return self._repos.get(repo_id)

    @property
    def repo_ids(self) -> list[str]:
        with self._lock:
            return sorted(self._repos)

    def requests_for(self, repo_id: str) -> list[tuple[str, str]]:
        """Logged requests whose path names `repo_id` (API or resolve)."""
        with self._lock:
            log = list(self.requests)
        api = f"/api/models/{repo_id}"
        return [(m, p) for m, p in log if p == api or p.startswith((f"{api}/", f"/{repo_id}/resolve/"))]

    # -- server ------------------------------------------------------------------------------------

    @property
    def endpoint(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeHub is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FakeHub:
        if self._server is None:
            self._server = _Server(("127.0.0.1", 0), _Handler)
            self._server.hub = self
            self._thread = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fakehub", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._server = self._thread = None

    def __enter__(self) -> FakeHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- used by the handler -----------------------------------------------------------------------

    def _log(self, method: str, path: str) -> None:
        with self._lock:
            self.requests.append((method, path))

    def _take_fault(self, method: str, path: str) -> Fault | None:
        """The injected fault this request meets, if any: the repo's faults are tried in order, each counting the
        requests it sees, until one fires."""
        if not self._faults:
            return None
        segs = [unquote(s) for s in path.strip("/").split("/")]
        if segs == ["api", "models"]:  # a listing: its faults are injected for the repo id "/api/models"
            repo_id, route = "/api/models", "api"
        elif len(segs) >= 4 and segs[:2] == ["api", "models"]:
            repo_id, route = f"{segs[2]}/{segs[3]}", "api"
        elif len(segs) in (3, 4) and segs[:2] == ["api", "datasets"]:
            repo_id, route = "/".join(segs[2:]), "dataset"
        elif (dataset_file := _dataset_file_route(segs)) is not None:
            repo_id, route = dataset_file[0], "file"
        elif len(segs) >= 5 and segs[2] == "resolve":
            repo_id, route = f"{segs[0]}/{segs[1]}", "file"
        else:
            return None
        with self._lock:
            for fault in self._faults.get(repo_id, []):
                if fault.applies(route, method) and fault.take():
                    self.fault_log.append((repo_id, fault.mode, method, path))
                    return fault
        return None

    def _take_failure(self, repo: FakeRepo) -> tuple[int, dict[str, str]] | None:
        fail = repo.meta.get("fail")
        if not fail:
            return None
        with self._lock:
            done = self._failures.get(repo.repo_id, 0)
            if done >= int(fail.get("times", 1)):
                return None
            self._failures[repo.repo_id] = done + 1
        return int(fail["status"]), {str(k): str(v) for k, v in fail.get("headers", {}).items()}

    def _authorized(self, authorization: str | None) -> bool:
        if not authorization or not authorization.startswith("Bearer "):
            return False
        return authorization.removeprefix("Bearer ") in self.granted_tokens
