"""Shared test fixtures: the loopback fake Hub, a network guard (no network in tests, ever) and the property-test
profile."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakecodehost import FakeCodeHost
from fakehub import FakeHub
from hypothesis import HealthCheck, settings

#: Property tests use ``settings.get_profile("openscore-fuzz")``: derandomized (the same examples on every run, so a
#: failure reproduces), no deadline, ``OPENSCORE_FUZZ_EXAMPLES`` examples per test (default 50; CI's long run 5000).
settings.register_profile(
    "openscore-fuzz",
    max_examples=int(os.environ.get("OPENSCORE_FUZZ_EXAMPLES") or 50),
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)

FIXTURES = Path(__file__).parent / "fixtures"

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def _is_loopback(host: Any) -> bool:
    if isinstance(host, bytes):
        host = host.decode()
    if not isinstance(host, str):
        return False
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


_GUARD = pytest.MonkeyPatch()


#: Tests marked ``long`` are the long runs: sweeps of the real corpus, clusters and many processes, doubling checks
#: of hostile input sizes, a real browser and a notebook kernel. ``python -m pytest`` skips them, saying so;
#: ``--long`` runs them too (``.ci/run`` does, after the README's test command).
LONG_REASON = "a long run: `python -m pytest --long` runs it too (CI does)"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--long",
        action="store_true",
        help="also run the long runs (tests marked long: the corpus sweep, clusters, many processes, growth checks "
        "on large hostile inputs, a real browser, a notebook kernel)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--long"):
        return
    skip = pytest.mark.skip(reason=LONG_REASON)
    for item in items:
        if "long" in item.keywords:
            item.add_marker(skip)


def pytest_configure(config: pytest.Config) -> None:
    """Refuse any connection or name lookup that is not on the loopback interface, from collection on."""
    config.addinivalue_line("markers", f"long: {LONG_REASON}")
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def check(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
            raise ConnectionRefusedError(f"tests may not use the network (tried to reach {address!r})")

    def connect(self: socket.socket, address: Any) -> None:
        check(self, address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check(self, address)
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None and not _is_loopback(host):
            raise socket.gaierror(socket.EAI_NONAME, f"tests may not resolve {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    _GUARD.setattr(socket.socket, "connect", connect)
    _GUARD.setattr(socket.socket, "connect_ex", connect_ex)
    _GUARD.setattr(socket, "getaddrinfo", getaddrinfo)


def pytest_unconfigure(config: pytest.Config) -> None:
    _GUARD.undo()


@pytest.fixture(scope="session")
def fake_hub() -> Iterator[FakeHub]:
    """The fake Hub serving tests/fixtures/hub, started once per session."""
    with FakeHub(FIXTURES / "hub") as hub:
        yield hub


@pytest.fixture
def hub_env(fake_hub: FakeHub, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FakeHub:
    """The fake Hub, reset, with HF_* env vars (and huggingface_hub's import-time constants) pointing at it.

    huggingface_hub reads its environment at import time, so the matching `constants` are patched too:
    a client built without an explicit endpoint, cache dir or token still talks only to the fake Hub,
    caches under tmp_path and sends no token.
    """
    from huggingface_hub import constants

    from openscore.hub import reset_rate_limiters

    fake_hub.reset()
    reset_rate_limiters()  # the fake Hub lives for the session: one test's rate-limit hold must not reach others
    home = tmp_path / "hf_home"
    home.mkdir()
    env = {
        "HF_HOME": str(home),
        "HF_ENDPOINT": fake_hub.endpoint,
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    for key in (
        "HF_HUB_OFFLINE",
        "TRANSFORMERS_OFFLINE",
        "HF_TOKEN",
        "HUGGING_FACE_HUB_TOKEN",
        "HF_TOKEN_PATH",
        "HF_HUB_CACHE",
        "HUGGINGFACE_HUB_CACHE",
        "HF_XET_CACHE",
        "HF_OIDC_RESOURCE",
        "HF_OIDC_ID_TOKEN",
    ):
        monkeypatch.delenv(key, raising=False)

    patched = {
        "ENDPOINT": fake_hub.endpoint,
        "HUGGINGFACE_CO_URL_TEMPLATE": fake_hub.endpoint + "/{repo_id}/resolve/{revision}/{filename}",
        "HF_HOME": str(home),
        "HF_HUB_CACHE": str(home / "hub"),
        "HUGGINGFACE_HUB_CACHE": str(home / "hub"),
        "HF_ASSETS_CACHE": str(home / "assets"),
        "HUGGINGFACE_ASSETS_CACHE": str(home / "assets"),
        "HF_XET_CACHE": str(home / "xet"),
        "HF_TOKEN_PATH": str(home / "token"),
        "HF_STORED_TOKENS_PATH": str(home / "stored_tokens"),
        "HF_HUB_OFFLINE": False,
        "HF_HUB_DISABLE_TELEMETRY": True,
        "HF_HUB_DISABLE_IMPLICIT_TOKEN": True,
    }
    for name, value in patched.items():
        if hasattr(constants, name):
            monkeypatch.setattr(constants, name, value)
    return fake_hub


@pytest.fixture(scope="session")
def closed_port() -> Iterator[int]:
    """A loopback port that refuses connections at once: bound, never listening, for the whole session."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    yield sock.getsockname()[1]
    sock.close()


@pytest.fixture(autouse=True)
def _no_real_code_hosts(
    closed_port: int, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Code host look-ups are on by default: point GitHub's and GitLab's APIs at a closed loopback port (an
    immediate "connection refused", so an unconfigured test gets "not checked: host unreachable" at no cost), send
    no code host token, and keep the command line's cache out of the home folder."""
    dead = f"http://127.0.0.1:{closed_port}"
    # Folders with base models look their bases up on the Hub unless offline: a test that does not ask for the
    # fake Hub (hub_env) gets a Hub that refuses connections, never huggingface.co.
    from huggingface_hub import constants

    monkeypatch.setenv("HF_ENDPOINT", dead)
    monkeypatch.setattr(constants, "ENDPOINT", dead)
    monkeypatch.setattr(constants, "HUGGINGFACE_CO_URL_TEMPLATE", dead + "/{repo_id}/resolve/{revision}/{filename}")
    monkeypatch.setenv("GITHUB_API_URL", dead)
    monkeypatch.setenv("GITLAB_API_URL", dead + "/api/v4")
    monkeypatch.setenv("ZENODO_API_URL", dead + "/zenodo/api")
    for key in ("GITHUB_TOKEN", "GH_TOKEN", "GITLAB_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))


@pytest.fixture
def fake_code_host(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeCodeHost]:
    """The fake code host (tests/fixtures/codehosts.json), with GITHUB_API_URL and GITLAB_API_URL pointing at it."""
    with FakeCodeHost() as host:
        monkeypatch.setenv("GITHUB_API_URL", host.github_api)
        monkeypatch.setenv("GITLAB_API_URL", host.gitlab_api)
        monkeypatch.setenv("ZENODO_API_URL", host.zenodo_api)
        yield host
