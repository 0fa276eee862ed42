"""Faults of the Hub: errors, rate limits, timeouts, resets and truncated answers, one repo at a time and in a batch.

Every fault ends either in a graded release (transient faults are retried, unreadable files are noted) or in one
:class:`openscore.OpenscoreError` with a one-line message; a batch never loses or duplicates a release.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fakehub import FakeHub

import openscore
from openscore import HubClient, Report
from openscore.batch import Failure, grade_many

#: Fast settings for tests: short timeout, tiny backoff.
TIMEOUT = 0.5
SLOW = 1.0  # a "slow" fault sleeps this long: longer than TIMEOUT


def client(hub: FakeHub, **kwargs: Any) -> HubClient:
    settings: dict[str, Any] = {"backoff": 0.01, "timeout": TIMEOUT, "retries": 2}
    settings.update(kwargs)
    return HubClient(endpoint=hub.endpoint, token=False, **settings)


def recording(c: HubClient) -> list[float]:
    """Replace the client's pause between tries by a recorder: the test sees each wait and sleeps none."""
    waits: list[float] = []
    c._pause = waits.append  # type: ignore[method-assign]
    return waits


OPEN_CARD = """---
license: apache-2.0
datasets:
- openlab/heap-deduplicated
---
# Tiny

## Training data

Trained on [heap](https://huggingface.co/datasets/openlab/heap-deduplicated), web text collected in 2023,
filtered for language and deduplicated.

## Code

Training code: [trainer](https://github.com/example-lab/trainer) under the Apache-2.0 license.
"""


def add_simple(hub: FakeHub, repo_id: str = "faulty/model", readme: str = OPEN_CARD) -> None:
    hub.add_repo(repo_id, {"README.md": readme, "model.safetensors": b"weights", "LICENSE": "Apache License 2.0\n"})


def one_line(exc: BaseException) -> str:
    text = str(exc)
    assert text and "\n" not in text and "\r" not in text, repr(text)
    assert "Traceback" not in text
    return text


# ------------------------------------------------------------------------------------------- client settings


def test_timeout_is_configurable(hub_env: FakeHub) -> None:
    add_simple(hub_env)
    hub_env.inject("faulty/model", "slow", delay=0.3, times=None, route="api")
    report = openscore.grade("faulty/model", client=client(hub_env, timeout=3.0, retries=0))
    assert isinstance(report, Report)
    hub_env.requests.clear()
    slept: list[float] = []
    c = client(hub_env, timeout=0.1, retries=1, sleep=slept.append)
    with pytest.raises(openscore.HubUnavailableError) as info:
        openscore.grade("faulty/model", client=c)
    # each try was cut off by the 0.1 s deadline (the 0.3 s answer never came), and the work is bounded by the
    # settings, not by the host: 1 + retries requests, one pause between them, within the release deadline
    assert "timeout" in one_line(info.value)
    assert info.value.kind == "unreachable"
    assert len(hub_env.requests_for("faulty/model")) == 1 + c.retries
    assert len(slept) == c.retries and all(0 <= s <= c.release_timeout for s in slept)


@pytest.mark.parametrize(
    "kwargs",
    [{"timeout": 0}, {"timeout": -1}, {"timeout": float("nan")}, {"retries": -1}, {"backoff": -0.5}],
)
def test_nonsense_settings_are_refused(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        HubClient(endpoint="http://127.0.0.1:9", token=False, **kwargs)


def test_defaults_are_bounded() -> None:
    c = HubClient(endpoint="http://127.0.0.1:9", token=False)
    assert 0 < c.timeout <= 60 and 0 <= c.retries <= 5 and c.max_backoff <= 60
    worst_wait = sum(c._backoff(n) for n in range(1, c.retries + 1))
    assert worst_wait <= c.retries * c.max_backoff


# ------------------------------------------------------------------------------------------- transient faults


TRANSIENT = {
    "503": {"mode": "status", "status": 503},
    "500-retry-after": {"mode": "status", "status": 500, "headers": {"Retry-After": "0"}},
    "502": {"mode": "status", "status": 502},
    "408": {"mode": "status", "status": 408},
    "429": {"mode": "status", "status": 429, "headers": {"Retry-After": "0"}},
    "429-ratelimit": {
        "mode": "status",
        "status": 429,
        "headers": {"RateLimit": '"api";r=0;t=0', "RateLimit-Policy": '"fixed window";"api";q=500;w=300'},
    },
    "slow": {"mode": "slow", "delay": SLOW},
    "reset": {"mode": "reset"},
    "truncate": {"mode": "truncate"},
}


@pytest.mark.parametrize("times", [1, 2])
@pytest.mark.parametrize("fault", sorted(TRANSIENT))
def test_transient_api_fault_is_retried(hub_env: FakeHub, fault: str, times: int) -> None:
    add_simple(hub_env)
    clean = openscore.grade("faulty/model", client=client(hub_env))
    injected = hub_env.inject("faulty/model", times=times, route="api", **TRANSIENT[fault])
    report = openscore.grade("faulty/model", client=client(hub_env))
    assert injected.fired == times
    assert report.model_dump(exclude={"graded_at"}) == clean.model_dump(exclude={"graded_at"})
    assert not hub_env.errors


@pytest.mark.parametrize("fault", ["503", "reset", "truncate", "slow"])
def test_transient_file_fault_still_reads_the_card(hub_env: FakeHub, fault: str) -> None:
    add_simple(hub_env)
    clean = openscore.grade("faulty/model", client=client(hub_env))
    injected = hub_env.inject("faulty/model", times=1, route="file", **TRANSIENT[fault])
    # no file cache: the second grading reads the files from the Hub again and meets the fault
    report = openscore.grade("faulty/model", client=client(hub_env))
    assert injected.fired == 1
    assert report.model_dump(exclude={"graded_at"}) == clean.model_dump(exclude={"graded_at"})


def test_transient_dataset_fault_is_retried(hub_env: FakeHub) -> None:
    add_simple(hub_env)
    clean = openscore.grade("faulty/model", client=client(hub_env))
    hub_env.inject("openlab/heap-deduplicated", "status", status=503, times=2, route="dataset")
    report = openscore.grade("faulty/model", client=client(hub_env))
    assert report.model_dump(exclude={"graded_at"}) == clean.model_dump(exclude={"graded_at"})


# ------------------------------------------------------------------------------------------- permanent faults


@dataclass(frozen=True)
class Permanent:
    fault: dict[str, Any]
    error: type[openscore.OpenscoreError]
    kind: str


PERMANENT = {
    "404-repo-not-found": Permanent(
        {"status": 404, "error_code": "RepoNotFound"}, openscore.TargetNotFoundError, "not-found"
    ),
    "404-plain": Permanent({"status": 404}, openscore.TargetNotFoundError, "not-found"),
    "410": Permanent({"status": 410}, openscore.TargetNotFoundError, "not-found"),
    "401-gated": Permanent({"status": 401, "error_code": "GatedRepo"}, openscore.GatedRepoError, "gated"),
    "403": Permanent({"status": 403}, openscore.GatedRepoError, "gated"),
    "500": Permanent({"status": 500}, openscore.HubUnavailableError, "unreachable"),
    "503-long-retry-after": Permanent(
        {"status": 503, "headers": {"Retry-After": "3600"}}, openscore.HubUnavailableError, "unreachable"
    ),
    "429": Permanent({"status": 429, "headers": {"Retry-After": "0"}}, openscore.RateLimitedError, "rate-limited"),
    "429-no-hint": Permanent({"status": 429}, openscore.RateLimitedError, "rate-limited"),
    "400": Permanent({"status": 400}, openscore.HubUnavailableError, "unreachable"),
    "slow": Permanent({"mode": "slow", "delay": SLOW}, openscore.HubUnavailableError, "unreachable"),
    "reset": Permanent({"mode": "reset"}, openscore.HubUnavailableError, "unreachable"),
    "truncate": Permanent({"mode": "truncate"}, openscore.HubUnavailableError, "unreachable"),
}


@pytest.mark.parametrize("name", sorted(PERMANENT))
def test_permanent_api_fault_is_one_clear_error(hub_env: FakeHub, name: str) -> None:
    case = PERMANENT[name]
    add_simple(hub_env)
    hub_env.inject("faulty/model", times=None, route="api", **{"mode": "status", **case.fault})
    slept: list[float] = []
    c = client(hub_env, retries=2, sleep=slept.append)
    with pytest.raises(case.error) as info:
        openscore.grade("faulty/model", client=c)
    # bounded work, not timed: at most `retries` pauses, each cut to the time left before the release deadline
    # (a Retry-After of an hour is not waited), and each try is cut at the request deadline
    assert len(slept) <= c.retries and all(0 <= s <= c.release_timeout for s in slept), slept
    assert info.value.kind == case.kind
    message = one_line(info.value)
    assert message.startswith("faulty/model: ")
    # bounded: at most 1 + retries requests for the model (httpx may retry a reset connection once itself)
    assert len(hub_env.requests_for("faulty/model")) <= 2 * (1 + c.retries)


def test_permanent_errors_through_the_cli(hub_env: FakeHub, capsys: pytest.CaptureFixture[str]) -> None:
    from openscore.cli import main

    add_simple(hub_env)
    # the CLI's client retries with its default backoff: a zero Retry-After keeps the test fast
    hub_env.inject("faulty/model", "status", status=503, headers={"Retry-After": "0"}, times=None, route="api")
    status = main(["grade", "faulty/model", "--endpoint", hub_env.endpoint])
    err = capsys.readouterr().err
    assert status == 3
    assert err.count("\n") == 1 and err.startswith("openscore: faulty/model: ") and "Traceback" not in err


def test_gated_files_grade_from_metadata(hub_env: FakeHub) -> None:
    add_simple(hub_env)
    hub_env.inject("faulty/model", "status", status=401, error_code="GatedRepo", times=None, route="file")
    report = openscore.grade("faulty/model", client=client(hub_env))
    assert any("README.md" in note and "gated" in note for note in report.unreadable), report.unreadable
    assert report.licenses  # the Hub's cardData still tells the license


@pytest.mark.parametrize("fault", ["reset", "500"])
def test_file_that_never_arrives_is_noted_not_fatal(hub_env: FakeHub, fault: str) -> None:
    add_simple(hub_env)
    spec = {"mode": "reset"} if fault == "reset" else {"mode": "status", "status": 403}
    hub_env.inject("faulty/model", times=None, route="file", **spec)
    report = openscore.grade("faulty/model", client=client(hub_env, retries=1))
    assert any(note.startswith("README.md") for note in report.unreadable), report.unreadable
    assert all("\n" not in note for note in report.unreadable)


def test_dataset_that_never_answers_is_noted(hub_env: FakeHub) -> None:
    add_simple(hub_env)
    hub_env.inject("openlab/heap-deduplicated", "status", status=500, times=None, route="dataset")
    report = openscore.grade("faulty/model", client=client(hub_env))
    assert any("openlab/heap-deduplicated" in note for note in report.unreadable), report.unreadable


# ------------------------------------------------------------------------------------------- server hints


def _http_date(seconds_from_now: float) -> str:
    return email.utils.formatdate(time.time() + seconds_from_now, usegmt=True)


# name -> (headers, made when the test runs; what the wait must be)
HINTS: dict[str, tuple[Callable[[], dict[str, str]], Callable[[float], bool]]] = {
    "retry-after": (lambda: {"Retry-After": "7"}, lambda w: w == 7.0),
    "retry-after-date": (lambda: {"Retry-After": _http_date(20)}, lambda w: 15.0 <= w <= 21.0),
    "retry-after-past-date": (lambda: {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, lambda w: w == 0.0),
    "ietf-ratelimit": (
        lambda: {"RateLimit": '"api";r=0;t=12', "RateLimit-Policy": '"fixed window";"api";q=500;w=300'},
        lambda w: w == 12.0,
    ),
    "ietf-ratelimit-old-draft": (lambda: {"RateLimit": "limit=100, remaining=0, reset=9"}, lambda w: w == 9.0),
    "ratelimit-reset": (
        lambda: {"RateLimit-Limit": "100", "RateLimit-Remaining": "0", "RateLimit-Reset": "4"},
        lambda w: w == 4.0,
    ),
    "x-ratelimit-epoch": (lambda: {"X-RateLimit-Reset": str(int(time.time()) + 600)}, lambda w: 590 < w <= 600),
    "garbage": (lambda: {"Retry-After": "soon", "RateLimit": "nonsense"}, lambda w: w == 0.01),
    "nan": (lambda: {"Retry-After": "nan"}, lambda w: w == 0.01),
    "negative": (lambda: {"Retry-After": "-5"}, lambda w: w == 0.0),
}


@pytest.mark.parametrize("name", sorted(HINTS))
def test_rate_limit_hints_are_honoured(hub_env: FakeHub, name: str) -> None:
    make_headers, expected = HINTS[name]
    headers = make_headers()
    add_simple(hub_env)
    hub_env.inject("faulty/model", "status", status=429, headers=headers, times=1, route="api")
    c = client(hub_env, max_backoff=3600.0, release_timeout=7200.0)  # the deadline allows the longest hint
    waits = recording(c)
    openscore.grade("faulty/model", client=c)
    assert len(waits) == 1 and expected(waits[0]), waits


def test_rate_limit_longer_than_the_deadline_gives_up_at_once(hub_env: FakeHub) -> None:
    add_simple(hub_env)
    hub_env.inject(
        "faulty/model", "status", status=429, headers={"RateLimit": '"api";r=0;t=600'}, times=None, route="api"
    )
    c = client(hub_env, max_backoff=30.0)
    waits = recording(c)
    with pytest.raises(openscore.RateLimitedError) as info:
        openscore.grade("faulty/model", client=c)
    assert waits == [] and info.value.retry_after == 600.0
    assert "retry after 600 s" in one_line(info.value)
    assert len(hub_env.requests_for("faulty/model")) == 1


def test_server_error_hint_is_capped(hub_env: FakeHub) -> None:
    add_simple(hub_env)
    hub_env.inject("faulty/model", "status", status=503, headers={"Retry-After": "3600"}, times=1, route="api")
    c = client(hub_env, max_backoff=2.0)
    waits = recording(c)
    openscore.grade("faulty/model", client=c)
    assert waits == [2.0]  # a 5xx hint is capped at max_backoff


def test_backoff_doubles_without_a_hint(hub_env: FakeHub) -> None:
    add_simple(hub_env)
    hub_env.inject("faulty/model", "status", status=500, times=3, route="api")
    c = client(hub_env, retries=3, backoff=0.25)
    waits = recording(c)
    openscore.grade("faulty/model", client=c)
    assert waits == [0.25, 0.5, 1.0]


def test_pause_never_passes_the_deadline() -> None:
    c = HubClient(endpoint="http://127.0.0.1:9", token=False, release_timeout=0.05)
    assert 0 < c.pause_length(3600.0) <= 0.05  # outside a release: the release deadline from now
    with c.deadline(10.0):
        assert 0.25 <= c.pause_length(0.25) <= 0.275  # plus at most 10 % jitter
        assert c.pause_length(3600.0) <= 10.0
        assert c.pause_length(float("inf")) <= 10.0
        assert c.pause_length(float("nan")) == 0.0 and c.pause_length(-5.0) == 0.0
        with c.deadline(0.01):
            assert c.pause_length(3600.0) <= 0.01


def test_a_long_server_hint_is_waited_only_until_the_deadline(hub_env: FakeHub) -> None:
    """A 503 asking to come back in an hour, with a 2 s release deadline: the pause the client takes is cut to the
    time left, then it gives up; nothing is slept for real here, the pauses are recorded."""
    add_simple(hub_env)
    hub_env.inject("faulty/model", "status", status=503, headers={"Retry-After": "3600"}, times=None, route="api")
    slept: list[float] = []
    c = client(hub_env, retries=3, max_backoff=3600.0, release_timeout=2.0, sleep=slept.append)
    with pytest.raises(openscore.HubUnavailableError):
        openscore.grade("faulty/model", client=c)
    assert slept and all(0 < s <= 2.0 for s in slept), slept
    assert len(slept) <= c.retries


# ------------------------------------------------------------------------------------------- a batch under fire


def _card(kind: str, n: int, rng: random.Random) -> tuple[dict[str, bytes | str], dict[str, Any]]:
    """A release of one of several kinds, with a little variety."""
    weights = {"model.safetensors": b"w"} if kind != "closed" else {"config.json": "{}"}
    ds = f"batchdata/corpus-{n % 5}"
    if kind == "open":
        readme = (
            f"---\nlicense: {rng.choice(['apache-2.0', 'mit', 'bsd-3-clause'])}\ndatasets:\n- {ds}\n---\n"
            f"# Model {n}\n\n## Training data\n\nWeb text from [{ds}](https://huggingface.co/datasets/{ds}), "
            "collected 2023, filtered and deduplicated.\n\n## Code\n\n"
            "[trainer](https://github.com/example-lab/trainer), Apache-2.0.\n"
        )
        return {"README.md": readme, "LICENSE": "MIT License\n", **weights}, {}
    if kind == "restricted":
        readme = (
            "---\nlicense: other\nlicense_name: herd-community-license\nextra_gated_fields:\n"
            "  Company: text\n  I accept the terms: checkbox\n---\n# Restricted\n\nUse is subject to an AUP.\n"
        )
        return {"README.md": readme, **weights}, {"gated": "manual"}
    if kind == "nc":
        return {"README.md": "---\nlicense: cc-by-nc-4.0\n---\n# NC\n", **weights}, {}
    if kind == "unlicensed":
        return {"README.md": f"# Just a title {n}\n\nNo metadata at all.\n", **weights}, {}
    if kind == "broken":
        return {"README.md": "---\nlicense: [mit\n  bad: : yaml\n---\n# Broken\n", **weights}, {}
    if kind == "derivative":
        return {"README.md": f"---\nlicense: mit\nbase_model: batchbase/base-{n % 3}\n---\n# FT\n", **weights}, {}
    if kind == "closed":
        return {"README.md": "---\nlicense: apache-2.0\n---\n# No weights here\n", **weights}, {}
    if kind == "noreadme":
        return dict(weights), {}
    raise AssertionError(kind)


KINDS = ["open", "restricted", "nc", "unlicensed", "broken", "derivative", "closed", "noreadme"]

#: Faults that clear after one or two requests: (fault spec, route); the release must come out as if unfaulted.
TRANSIENT_PLAN: list[tuple[dict[str, Any], str]] = [
    ({"mode": "status", "status": 503, "times": 2}, "api"),
    ({"mode": "status", "status": 500, "times": 1, "headers": {"Retry-After": "0"}}, "api"),
    ({"mode": "status", "status": 429, "times": 2, "headers": {"Retry-After": "0"}}, "api"),
    ({"mode": "status", "status": 429, "times": 1, "headers": {"RateLimit": '"api";r=0;t=0'}}, "api"),
    ({"mode": "reset", "times": 1}, "api"),
    ({"mode": "truncate", "times": 2}, "api"),
    ({"mode": "slow", "delay": SLOW, "times": 1}, "api"),
    ({"mode": "reset", "times": 1}, "file"),
    ({"mode": "status", "status": 502, "times": 1}, "file"),
]
#: Faults that never clear: (fault spec, route, expected failure kind or None when the release is still graded).
PERMANENT_PLAN: list[tuple[dict[str, Any], str, str | None]] = [
    ({"mode": "status", "status": 404, "error_code": "RepoNotFound"}, "api", "not-found"),
    ({"mode": "status", "status": 403}, "api", "gated"),
    ({"mode": "status", "status": 500}, "api", "unreachable"),
    ({"mode": "status", "status": 429, "headers": {"Retry-After": "0"}}, "api", "rate-limited"),
    ({"mode": "reset"}, "api", "unreachable"),
    ({"mode": "status", "status": 401, "error_code": "GatedRepo"}, "file", None),
]


@dataclass
class Plan:
    targets: list[str]
    expected: dict[str, str | None]  # target -> failure kind, None for a graded release
    transient: set[str]  # repos faulted for their first requests only
    permanent: set[str]  # repos faulted for good
    faults_injected: int  # faulted repos, the shared dataset included


def build_fault_batch(hub: FakeHub, size: int = 220, seed: int = 1234, fault_rate: float = 0.2) -> Plan:
    """Add ``size`` releases of varied kinds to ``hub``, inject faults into about ``fault_rate`` of them."""
    rng = random.Random(seed)
    for k in range(5):
        hub.datasets[f"batchdata/corpus-{k}"] = {"cardData": {"license": "odc-by"}, "gated": False}
    for k in range(3):
        hub.add_repo(
            f"batchbase/base-{k}", {"README.md": "---\nlicense: apache-2.0\n---\n# Base\n", "m.safetensors": b"w"}
        )
    targets: list[str] = []
    expected: dict[str, str | None] = {}
    transient: set[str] = set()
    permanent: set[str] = set()
    injected = 0
    for n in range(size):
        kind = KINDS[n % len(KINDS)]
        repo_id = f"batch-{kind}/model-{n:03d}"
        files, meta = _card(kind, n, rng)
        hub.add_repo(repo_id, files, meta)
        targets.append(repo_id)
        expected[repo_id] = None
        if rng.random() >= fault_rate:
            continue
        injected += 1
        if rng.random() < 0.6:
            spec, route = TRANSIENT_PLAN[rng.randrange(len(TRANSIENT_PLAN))]
            spec = dict(spec)
            if kind == "noreadme":  # it has no file to read: fault its API answer instead
                route = "api"
            hub.inject(repo_id, spec.pop("mode"), route=route, **spec)
            transient.add(repo_id)
        else:
            spec, route, kind_expected = PERMANENT_PLAN[rng.randrange(len(PERMANENT_PLAN))]
            spec = dict(spec)
            hub.inject(repo_id, spec.pop("mode"), route=route, times=None, **spec)
            expected[repo_id] = kind_expected
            permanent.add(repo_id)
    # Some targets that cannot be graded whatever the Hub does.
    for extra, kind_expected in [("nobody/missing-1", "not-found"), ("not a repo id!", "invalid-target")]:
        targets.insert(rng.randrange(len(targets)), extra)
        expected[extra] = kind_expected
    hub.inject("batchdata/corpus-0", "status", status=503, times=1, route="dataset")
    injected += 1
    return Plan(targets, expected, transient, permanent, faults_injected=injected)


def comparable(report: Report) -> dict[str, Any]:
    return report.model_dump(exclude={"graded_at"})


def test_batch_under_faults_loses_nothing(hub_env: FakeHub) -> None:
    plan = build_fault_batch(hub_env)
    assert len(plan.targets) >= 200
    assert 0.12 <= plan.faults_injected / len(plan.targets) <= 0.3
    assert plan.faults_injected == len(plan.transient) + len(plan.permanent) + 1
    slept: list[float] = []

    def sleep(seconds: float) -> None:  # recorded, then slept for real
        slept.append(seconds)
        time.sleep(seconds)

    c = client(hub_env, sleep=sleep)
    batch = grade_many(plan.targets, client=c, max_workers=8, progress_bar=False)
    # the work is bounded, not timed: each release costs at most (1 + retries) tries of each request (httpx may
    # repeat a reset connection once itself), and the waits are the small backoffs and hints of the plan
    per_try = 2 * (1 + c.retries)
    for target in plan.targets:
        asked = hub_env.requests_for(target)
        assert len(asked) <= per_try * len({p for _, p in asked}), (target, asked)
    assert all(s <= 4 * c.backoff * 1.1 for s in slept), max(slept)

    # nothing lost, nothing duplicated, input order kept
    assert len(batch) == len(plan.targets)
    assert [r.target for r in batch] == plan.targets
    assert Counter(r.target for r in batch) == Counter(plan.targets)

    for target, result in zip(plan.targets, batch, strict=True):
        want = plan.expected[target]
        if want is None:
            assert isinstance(result, Report), (target, result)
        else:
            assert isinstance(result, Failure), (target, result)
            assert result.kind == want, (target, result)
            assert result.message and "\n" not in result.message
    assert not hub_env.errors
    # the shared dataset's 503 was retried: no report says it could not be looked up
    assert not [n for r in batch.reports for n in r.unreadable if "batchdata/corpus-0" in n]

    # Transient faults were retried: the same batch without faults gives the same reports.
    fired = Counter(repo for repo, *_ in hub_env.fault_log)
    assert all(fired[t] >= 1 for t in plan.transient)
    hub_env.clear_faults()
    again = grade_many(plan.targets, client=client(hub_env), max_workers=8, progress_bar=False)
    for target, first, second in zip(plan.targets, batch, again, strict=True):
        if target in plan.transient:
            assert isinstance(first, Report) and isinstance(second, Report)
            assert comparable(first) == comparable(second), target
