"""The optional GitHub license look-up: off by default, cached, reported as information only."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from openscore.codehosts import GitHubLicenseLookup
from openscore.findings import Outcome
from openscore.grading import Grader

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "open-research-model"
LICENSES = {"/repos/example-lab/trainer/license": "Apache-2.0", "/repos/example-lab/corpus-tools/license": "MIT"}


class _GitHub(BaseHTTPRequestHandler):
    calls: ClassVar[list[str]] = []

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        _GitHub.calls.append(self.path)
        spdx = LICENSES.get(self.path)
        body = json.dumps({"license": {"spdx_id": spdx}}).encode() if spdx else b"{}"
        self.send_response(200 if spdx else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def fake_github() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _GitHub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _GitHub.calls = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_lookup_is_reported_cached_and_never_changes_the_verdict(fake_github: str, tmp_path: Path) -> None:
    plain = Grader().grade(EXAMPLE)
    lookup = GitHubLicenseLookup(tmp_path, endpoint=fake_github, token="")
    report = Grader(code_licenses=lookup).grade(EXAMPLE)
    found = [f for f in report.criteria.code.findings if f.id == "code-license-lookup"]
    assert found and all(f.outcome is Outcome.INFO for f in found)
    assert any("Apache-2.0" in f.message for f in found)
    assert report.verdict == plain.verdict and report.criteria.code.status == plain.criteria.code.status
    calls = len(_GitHub.calls)
    Grader(code_licenses=GitHubLicenseLookup(tmp_path, endpoint=fake_github, token="")).grade(EXAMPLE)
    assert len(_GitHub.calls) == calls  # answered from the on-disk cache


def test_off_by_default() -> None:
    report = Grader().grade(EXAMPLE)
    assert not [f for f in report.findings() if f.id == "code-license-lookup"]


def test_non_github_and_unreachable() -> None:
    lookup = GitHubLicenseLookup(None, endpoint="http://127.0.0.1:9", timeout=0.5, token="")
    assert lookup("gitlab.com/a/b") is None
    assert lookup("github.com/a/b") is None
