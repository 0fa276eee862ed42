"""A loopback stand-in for GitHub's and GitLab's REST APIs (the license answers openscore asks for), for tests.

`FakeCodeHost` serves, on 127.0.0.1:

- GitHub style, at ``github_api`` (the server's root): ``GET /repos/{owner}/{name}/license`` (200 with
  ``license.spdx_id``/``license.key``/``path``/``html_url``, or 404 when the repository has no license file or does
  not exist) and ``GET /repos/{owner}/{name}`` (200 or 404);
- GitLab style, at ``gitlab_api`` (``/gitlab/api/v4``): ``GET /projects/{url-encoded path}?license=true``;
- Zenodo style, at ``zenodo_api`` (``/zenodo/api``): ``GET /records/{id}`` (``metadata.license.id``).

Facts come from a dict (default ``tests/fixtures/codehosts.json``): ``{"github": {"owner/name": {"license":
{...} | null, "path": ...}}, "gitlab": {"group/name": {"license": {...} | null}}, "zenodo": {"123": {"license":
"mit" | null}}}``; a repository not listed does not
exist. Every request is recorded with its headers (``requests``), so tests can check where a token went.

Fault modes (``host.mode``): ``"rate-limited"`` (GitHub's 403 with ``x-ratelimit-remaining: 0`` and a reset time),
``"429"`` (with ``Retry-After``), ``"500"``, ``"hang"`` (no answer for ``hang_seconds``), ``"redirect"`` (302 to the
same path on ``redirect_to``, another server), ``"exhausted"`` (answers normally, with ``x-ratelimit-remaining: 0``).
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

FIXTURES = Path(__file__).parent / "fixtures" / "codehosts.json"
MODES = (None, "rate-limited", "429", "500", "hang", "redirect", "exhausted")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    host: FakeCodeHost


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        host = self.server.host
        with host.lock:
            host.requests.append(("GET", self.path, {k.lower(): v for k, v in self.headers.items()}))
            mode = host.mode
        if mode == "hang":
            host.stopping.wait(host.hang_seconds)
            return
        if mode == "redirect":
            self._send(302, b"", {"Location": host.redirect_to.rstrip("/") + self.path})
            return
        if mode == "rate-limited":
            reset = str(int(time.time()) + 120)
            self._json(
                403, {"message": "API rate limit exceeded"}, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset}
            )
            return
        if mode == "429":
            self._json(429, {"message": "Too many requests"}, {"Retry-After": "30"})
            return
        if mode == "500":
            self._json(500, {"message": "Server error"})
            return
        extra = (
            {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(time.time()) + 120)}
            if mode == "exhausted"
            else {}
        )
        status, body = host.answer(self.path)
        self._json(status, body, extra)

    def _json(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(data).encode(), {"Content-Type": "application/json", **(headers or {})})

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class FakeCodeHost:
    """Loopback fake of GitHub's and GitLab's license answers. Use as a context manager or start()/stop()."""

    def __init__(self, facts: dict[str, Any] | None = None) -> None:
        if facts is None:
            facts = json.loads(FIXTURES.read_text(encoding="utf-8"))
        self.github: dict[str, dict[str, Any]] = dict(facts.get("github") or {})
        self.gitlab: dict[str, dict[str, Any]] = dict(facts.get("gitlab") or {})
        self.zenodo: dict[str, dict[str, Any]] = dict(facts.get("zenodo") or {})
        self.requests: list[tuple[str, str, dict[str, str]]] = []  # (method, path with query, lower-cased headers)
        self.mode: str | None = None
        self.redirect_to = ""
        self.hang_seconds = 5.0
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self._server: _Server | None = None

    @property
    def base(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeCodeHost is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def github_api(self) -> str:
        return self.base

    @property
    def gitlab_api(self) -> str:
        return self.base + "/gitlab/api/v4"

    @property
    def zenodo_api(self) -> str:
        return self.base + "/zenodo/api"

    def answer(self, raw_path: str) -> tuple[int, Any]:
        """The status and JSON body for one path (facts only, no fault modes)."""
        url = urlsplit(raw_path)
        segs = url.path.strip("/").split("/")
        if len(segs) in (3, 4) and segs[0] == "repos":
            repo = self.github.get(unquote(f"{segs[1]}/{segs[2]}"))
            if repo is None:
                return 404, {"message": "Not Found"}
            if len(segs) == 3:
                return 200, {"full_name": f"{segs[1]}/{segs[2]}"}
            if segs[3] != "license" or not repo.get("license"):
                return 404, {"message": "Not Found"}
            path = repo.get("path", "LICENSE")
            return 200, {
                "name": path,
                "path": path,
                "html_url": f"https://github.com/{segs[1]}/{segs[2]}/blob/main/{path}",
                "license": repo["license"],
            }
        if len(segs) == 5 and segs[:4] == ["gitlab", "api", "v4", "projects"]:
            name = unquote(segs[4])
            project = self.gitlab.get(name)
            if project is None:
                return 404, {"message": "404 Project Not Found"}
            body: dict[str, Any] = {"path_with_namespace": name}
            if "license=true" in url.query:
                body["license"] = project.get("license")
                if project.get("license"):
                    body["license_url"] = f"https://gitlab.com/{name}/-/blob/main/LICENSE"
            return 200, body
        if len(segs) == 4 and segs[:3] == ["zenodo", "api", "records"]:
            record = self.zenodo.get(segs[3])
            if record is None:
                return 404, {"status": 404, "message": "PID does not exist."}
            lic = record.get("license")
            return 200, {"id": segs[3], "metadata": {"license": {"id": lic} if lic else None}}
        return 404, {"message": "Not Found"}

    def paths(self) -> list[str]:
        with self.lock:
            return [p for _, p, _ in self.requests]

    def start(self) -> FakeCodeHost:
        if self._server is None:
            self._server = _Server(("127.0.0.1", 0), _Handler)
            self._server.host = self
            threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeCodeHost:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def keep_code_hosts_local(host: FakeCodeHost | None = None) -> socket.socket | None:
    """For benchmarks and scripts (tests get this from conftest): point ``GITHUB_API_URL`` and ``GITLAB_API_URL``
    at ``host``, or else at a closed loopback port (an immediate "connection refused": every look-up is not
    checked), and drop code host tokens. Returns the socket holding the closed port; keep it while grading."""
    for key in ("GITHUB_TOKEN", "GH_TOKEN", "GITLAB_TOKEN"):
        os.environ.pop(key, None)
    if host is not None:
        os.environ["GITHUB_API_URL"], os.environ["GITLAB_API_URL"] = host.github_api, host.gitlab_api
        os.environ["ZENODO_API_URL"] = host.zenodo_api
        return None
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused at once
    dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
    os.environ["GITHUB_API_URL"], os.environ["GITLAB_API_URL"] = dead, dead + "/api/v4"
    os.environ["ZENODO_API_URL"] = dead + "/zenodo/api"
    return sock
