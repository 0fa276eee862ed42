"""A hostile Hub: it cannot leak the token, write outside the cache, hang a release or stall grading.

Every case runs the real client against the loopback fake Hub (``tests/fakehub.py``) with injected faults; a second
loopback server plays "another host" and records what it is sent.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fakehub import FakeHub

import openscore
from openscore import HubClient, HubResponseError
from openscore.batch import Failure, grade_author, grade_many
from openscore.cli import main
from openscore.hub import OnceCache, RateLimiter, read_checked, write_checked

TOKEN = "hf_hostileTestToken0123456789"
SHA = "a" * 40
CARD = "---\nlicense: apache-2.0\n---\n# A model\n\nWeights under Apache-2.0.\n"


def client(hub: FakeHub, **kwargs: Any) -> HubClient:
    settings: dict[str, Any] = {"token": False, "backoff": 0.01, "timeout": 2.0, "retries": 1}
    settings.update(kwargs)
    return HubClient(endpoint=hub.endpoint, **settings)


def add(hub: FakeHub, repo_id: str = "hostile/model", readme: str = CARD, **meta: Any) -> None:
    hub.add_repo(repo_id, {"README.md": readme, "model.safetensors": b"w"}, {"sha": SHA, **meta})


class _Recorder(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.server.seen.append(dict(self.headers))  # type: ignore[attr-defined]
        body = b"[]"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def foreign() -> Iterator[Any]:
    """Another host on loopback: records the headers of every request it gets."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.seen = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


# ------------------------------------------------------------------------------------------- the token


def test_listing_link_to_another_host_is_refused_and_gets_no_token(hub_env: FakeHub, foreign: Any) -> None:
    add(hub_env, "hostile/a")
    hub_env.listing_link = f"http://localhost:{foreign.server_address[1]}/api/models?cursor=x"
    c = client(hub_env, token=TOKEN)
    with pytest.raises(HubResponseError) as info:
        c.list_models("hostile")
    assert info.value.field == "Link" and "another host" in info.value.message
    assert all("Authorization" not in h and "authorization" not in h for h in foreign.seen)
    result = grade_author("hostile", client=c, progress_bar=False)
    assert [r.kind for r in result if isinstance(r, Failure)] == ["bad-answer"]
    assert TOKEN not in repr(list(result))


def test_self_pointing_listing_link_stops(hub_env: FakeHub) -> None:
    add(hub_env, "hostile/a")
    hub_env.listing_link = f"{hub_env.endpoint}/api/models?author=hostile&cursor=0"
    c = client(hub_env)
    with pytest.raises(HubResponseError, match="loops back"):
        c.list_models("hostile")
    assert len([p for _, p in hub_env.requests if p == "/api/models"]) <= 3


def test_listing_page_cap(hub_env: FakeHub, monkeypatch: pytest.MonkeyPatch) -> None:
    import openscore.hub as hub_module

    for n in range(45):  # three pages of 20
        add(hub_env, f"pages/m{n}")
    monkeypatch.setattr(hub_module, "MAX_LIST_PAGES", 2)
    with pytest.raises(HubResponseError, match="more than 2 pages"):
        client(hub_env).list_models("pages")
    monkeypatch.setattr(hub_module, "MAX_LIST_PAGES", 3)
    assert len(client(hub_env).list_models("pages")) == 45


@pytest.mark.parametrize("token", [TOKEN + "\n", " " + TOKEN, "hf_t\u00f6ken\u4e2d", "hf_a b", "hf_\x00x", ""])
def test_bad_tokens_are_refused_without_echo(hub_env: FakeHub, token: str) -> None:
    with pytest.raises(openscore.InvalidTokenError) as info:
        HubClient(endpoint=hub_env.endpoint, token=token)
    exc = info.value
    text = f"{exc}{exc!r}{exc.__cause__!r}{exc.__context__!r}"
    assert token.strip() not in text or not token.strip()
    assert exc.__cause__ is None and exc.__context__ is None


def test_cli_refuses_a_bad_token_without_echo(hub_env: FakeHub, capsys: pytest.CaptureFixture[str]) -> None:
    add(hub_env)
    code = main(["grade", "hostile/model", "--token", TOKEN + "\u00e9\n"])
    out = capsys.readouterr()
    assert code == 2 and TOKEN not in out.out + out.err and "not a valid access token" in out.err


# ------------------------------------------------------------------------------------------- paths


@pytest.mark.parametrize("sha", ["../../../escape/y", "/tmp/abs", "A" * 40, "a" * 39, "a" * 40 + "/.."])
def test_hostile_sha_never_picks_a_path(hub_env: FakeHub, tmp_path: Path, sha: str) -> None:
    add(hub_env)
    info = hub_env.get_repo("hostile/model")
    assert info is not None
    body = info.info(SHA)
    body["sha"] = sha
    hub_env.inject("hostile/model", "body", body=body, times=None, route="api")
    cache = tmp_path / "deep" / "cache"
    with pytest.raises(HubResponseError) as err:
        openscore.grade("hostile/model", client=client(hub_env, api_cache_dir=cache))
    assert err.value.field == "sha"
    assert not (tmp_path / "escape").exists()
    assert all(p.resolve().is_relative_to(cache.resolve()) for p in tmp_path.rglob("*") if p.is_file())


@pytest.mark.parametrize("repo_id", ["../../x", "a/../../b", "x/y/z", "a\\b/c", "org/.."])
def test_hostile_ids_in_a_listing_are_refused(hub_env: FakeHub, tmp_path: Path, repo_id: str) -> None:
    add(hub_env, "hostile/a")
    info = hub_env.get_repo("hostile/a")
    assert info is not None
    item = info.info(SHA)
    item["id"] = repo_id
    hub_env.inject("/api/models", "body", body=[item], times=None)
    [listed] = client(hub_env, api_cache_dir=tmp_path / "c").list_models("hostile")
    assert listed.problem is not None and "'id'" in listed.problem and listed.sha is None
    assert listed.repo_id == "hostile: listing item 1"  # the bad id never becomes a target, let alone a path
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


# ------------------------------------------------------------------------------------------- wrong answers


MODEL_BODIES: dict[str, Any] = {
    "list": [],
    "string": "model",
    "null": None,
    "id-int": {"id": 5},
    "siblings-str": {"id": "hostile/model", "siblings": "README.md"},
    "siblings-ints": {"id": "hostile/model", "siblings": [1, 2]},
    "sibling-name-list": {"id": "hostile/model", "siblings": [{"rfilename": ["a"]}]},
    "carddata-list": {"id": "hostile/model", "cardData": ["license"]},
    "tags-dict": {"id": "hostile/model", "tags": {"a": 1}},
    "tags-ints": {"id": "hostile/model", "tags": [1]},
    "basemodels-str": {"id": "hostile/model", "baseModels": "x"},
    "basemodels-models-str": {"id": "hostile/model", "baseModels": {"models": "x"}},
    "basemodel-id-int": {"id": "hostile/model", "baseModels": {"models": [{"id": 3}]}},
    "safetensors-total-str": {"id": "hostile/model", "safetensors": {"total": "lots"}},
    "sha-int": {"id": "hostile/model", "sha": 12},
    "gated-list": {"id": "hostile/model", "gated": ["x"]},
    "lastmodified-int": {"id": "hostile/model", "lastModified": 5},
    "deep": json.loads("[" * 100 + "]" * 100),
}
RAW_BODIES: dict[str, bytes] = {
    "not-json": b"{nope",
    "deep-json": b"[" * 100_000 + b"]" * 100_000,
    "empty": b"",
    "binary": bytes(range(256)),
}


@pytest.mark.parametrize("name", sorted(MODEL_BODIES) + sorted(RAW_BODIES))
def test_wrong_model_info_is_a_hub_response_error(hub_env: FakeHub, name: str) -> None:
    add(hub_env)
    body = RAW_BODIES.get(name, MODEL_BODIES.get(name))
    hub_env.inject("hostile/model", "body", body=body, times=None, route="api")
    with pytest.raises(HubResponseError) as info:
        openscore.grade("hostile/model", client=client(hub_env))
    assert "\n" not in info.value.message and info.value.kind == "bad-answer"
    result = grade_many(["hostile/model"], client=client(hub_env), progress_bar=False)
    assert [r.kind for r in result if isinstance(r, Failure)] == ["bad-answer"]


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"branches": "main"},
        {"branches": [{"name": 1, "targetCommit": SHA}]},
        {"branches": [{"name": "x"}]},
        {"branches": [{"name": "x", "targetCommit": "../../x"}]},
    ],
)
def test_wrong_refs_are_a_note(hub_env: FakeHub, body: Any) -> None:
    add(hub_env, readme=CARD + "\nIntermediate checkpoints are published as branches.\n")
    hub_env.inject("hostile/model", "body", body=body, times=None, route="api")
    c = client(hub_env)
    with pytest.raises(HubResponseError):
        c.list_branches("hostile/model")
    hub_env.clear_faults()
    hub_env.inject("hostile/model", "body", body=body, times=None, route="api", after=1)
    report = openscore.grade("hostile/model", client=c)
    assert report.verdict is not None


@pytest.mark.parametrize("body", [{"a": 1}, "models", None, 5])
def test_a_listing_page_that_is_not_a_list_fails_the_listing(hub_env: FakeHub, body: Any) -> None:
    add(hub_env, "hostile/a")
    hub_env.inject("/api/models", "body", body=body, times=None)
    with pytest.raises(HubResponseError, match="not a list"):
        client(hub_env).list_models("hostile")
    result = grade_author("hostile", client=client(hub_env), progress_bar=False)
    assert [(r.target, r.kind) for r in result if isinstance(r, Failure)] == [("hostile", "bad-answer")]


def test_an_oversized_listing_page_fails_the_listing(hub_env: FakeHub, monkeypatch: pytest.MonkeyPatch) -> None:
    import openscore.hub as hub_module

    for n in range(10):
        add(hub_env, f"hostile/m{n}")
    monkeypatch.setattr(hub_module, "MAX_ANSWER_BYTES", 2_000)  # a page of 10 items is longer
    result = grade_author("hostile", client=client(hub_env), progress_bar=False)
    assert [r.kind for r in result.failures] == ["bad-answer"] and "refused" in result.failures[0].message


def _mixed_listing(hub: FakeHub) -> list[Any]:
    """A listing page of two good items around five malformed ones."""
    add(hub, "hostile/a")
    add(hub, "hostile/b")
    good_a, good_b = (hub.get_repo(r).info(SHA) for r in ("hostile/a", "hostile/b"))  # type: ignore[union-attr]
    body = [
        good_a,
        {"id": 5},
        {**good_b, "id": "hostile/c", "siblings": 3},
        None,
        {**good_a, "id": "../../x"},
        {"sha": SHA},
        {**good_a, "id": "hostile/d", "sha": "../../d"},
        good_b,
    ]
    hub.inject("/api/models", "body", body=body, times=None)
    return body


#: (target, words of the message) of each malformed item of :func:`_mixed_listing`, in listing order.
MIXED_FAILURES = [
    ("hostile: listing item 2", ["item 2", "'id'"]),
    ("hostile/c", ["item 3", "'siblings'", "'hostile/c'"]),
    ("hostile: listing item 4", ["item 4"]),
    ("hostile: listing item 5", ["item 5", "'id'", "'../../x'"]),
    ("hostile: listing item 6", ["item 6", "'id'"]),
    ("hostile/d", ["item 7", "'sha'"]),
]


def test_one_bad_listing_item_fails_alone(hub_env: FakeHub, tmp_path: Path) -> None:
    """Each malformed item of a listing is one bad-answer failure naming the item and the field; the well-formed
    items around it are graded as they would be alone."""
    _mixed_listing(hub_env)
    cache = tmp_path / "cache"
    result = grade_author("hostile", client=client(hub_env, api_cache_dir=cache), progress_bar=False)
    assert [r.target for r in result] == ["hostile/a", *(t for t, _ in MIXED_FAILURES), "hostile/b"]
    alone = [openscore.grade(f"hostile/{r}", client=client(hub_env)) for r in "ab"]
    assert [r.model_dump(exclude={"graded_at"}) for r in result.reports] == [
        r.model_dump(exclude={"graded_at"}) for r in alone
    ]
    failures = result.failures
    assert len(failures) == len(MIXED_FAILURES)
    for failure, (target, words) in zip(failures, MIXED_FAILURES, strict=True):
        assert failure.target == target and failure.kind == "bad-answer"
        assert "\n" not in failure.message and all(w in failure.message for w in words), failure.message
        assert failure.message.startswith("hostile: listing item ") and failure.message.endswith("not graded")
    assert all(p.resolve().is_relative_to(cache.resolve()) for p in tmp_path.rglob("*") if p.is_file())
    assert not (tmp_path / "x").exists()


def test_cli_grades_the_good_listing_items_and_counts_the_bad(
    hub_env: FakeHub, capsys: pytest.CaptureFixture[str]
) -> None:
    _mixed_listing(hub_env)
    code = main(["grade", "--author", "hostile", "--endpoint", hub_env.endpoint, "--format", "jsonl"])
    out = capsys.readouterr()
    lines = [json.loads(line) for line in out.out.splitlines()]
    assert len(lines) == 2 + len(MIXED_FAILURES)
    assert code == 3  # some targets were not graded
    errors_shown = [line for line in out.err.splitlines() if "listing item" in line]
    assert len(errors_shown) == len(MIXED_FAILURES) and all(e.startswith("openscore: hostile: ") for e in errors_shown)
    assert f"{len(MIXED_FAILURES)} not graded" in out.err.splitlines()[-1]
    assert "Traceback" not in out.err


def test_wrong_dataset_answer_is_a_note(hub_env: FakeHub) -> None:
    add(hub_env, readme="---\nlicense: mit\ndatasets:\n- hostile/data\n---\n# M\n")
    hub_env.inject("hostile/data", "body", body={"cardData": [1], "tags": "x"}, times=None, route="dataset")
    report = openscore.grade("hostile/model", client=client(hub_env))
    assert any("hostile/data" in u and "bad field" in u for u in report.unreadable), report.unreadable


def test_a_base_with_a_bad_answer_is_a_note_on_the_derivative(hub_env: FakeHub) -> None:
    add(hub_env, "hostile/base")
    add(hub_env, "hostile/tune", readme="---\nlicense: mit\nbase_model: hostile/base\n---\n# Tuned\n")
    hub_env.inject("hostile/base", "body", body={"id": "hostile/base", "siblings": 7}, times=None, route="api")
    report = openscore.grade("hostile/tune", client=client(hub_env))
    assert [b.repo_id for b in report.lineage] == ["hostile/base"]
    assert "bad field" in (report.lineage[0].note or "")


def test_oversize_answer_is_refused_unread(hub_env: FakeHub) -> None:
    add(hub_env)
    hub_env.inject("hostile/model", "oversize", size=40_000_000, times=None, route="api")
    with pytest.raises(HubResponseError, match="refused"):
        openscore.grade("hostile/model", client=client(hub_env))


# ------------------------------------------------------------------------------------------- deadlines


def test_dribbled_readme_is_cut_at_the_deadline(hub_env: FakeHub) -> None:
    """A README sent a byte every 0.2 s (the whole card would take ~15 s) is cut off at the 0.5 s deadline: the
    release is graded without it (not timed: a card read in full would have no 'timeout' note)."""
    add(hub_env)
    hub_env.inject("hostile/model", "dribble", delay=0.2, times=None, route="file")
    report = openscore.grade("hostile/model", client=client(hub_env, timeout=0.5, retries=0))
    assert any("README.md" in u and "timeout" in u for u in report.unreadable), report.unreadable


def test_dribbled_api_answer_fails_the_release(hub_env: FakeHub) -> None:
    add(hub_env)
    hub_env.inject("hostile/model", "dribble", delay=0.2, times=None, route="api")
    with pytest.raises(openscore.HubUnavailableError, match="timeout"):
        openscore.grade("hostile/model", client=client(hub_env, timeout=0.5, retries=3))
    # retries stop at the release deadline (4 x 0.5 s): at most a few tries
    assert len(hub_env.fault_log) <= 5


def test_rate_limiter_holds_other_threads() -> None:
    limiter = RateLimiter()
    limiter.hold(5.0, by_me=True)
    assert limiter.delay() == 0.0
    seen: list[float] = []
    t = threading.Thread(target=lambda: seen.append(limiter.delay()))
    t.start()
    t.join()
    assert 4.0 < seen[0] <= 5.0
    other = RateLimiter()
    other.observe({"RateLimit": '"api";r=0;t=7'})
    assert 6.0 < other.delay() <= 7.0
    other2 = RateLimiter()
    other2.observe({"RateLimit": '"api";r=10;t=7'})
    assert other2.delay() == 0.0


def test_a_429_beyond_the_deadline_holds_back_the_batch(hub_env: FakeHub) -> None:
    for n in range(4):
        add(hub_env, f"hostile/r{n}")
    hub_env.inject("hostile/r0", "status", status=429, headers={"Retry-After": "600"}, times=None, route="api")
    c = client(hub_env)
    result = grade_many([f"hostile/r{n}" for n in range(4)], client=c, max_workers=1, progress_bar=False)
    kinds = [r.kind if isinstance(r, Failure) else "ok" for r in result]
    assert kinds == ["rate-limited"] * 4  # the Hub said wait 10 minutes: nobody hammers it meanwhile
    assert len([p for _, p in hub_env.requests if "/r1" in p or "/r2" in p or "/r3" in p]) == 0


# ------------------------------------------------------------------------------------------- the cache


def test_truncated_cache_entry_is_never_served(hub_env: FakeHub, tmp_path: Path) -> None:
    add(hub_env)
    cache = tmp_path / "cache"
    first = openscore.grade("hostile/model", client=client(hub_env, api_cache_dir=cache))
    readme = next(p for p in cache.rglob("README.md"))
    readme.write_bytes(readme.read_bytes()[:-20])  # a crash mid-write of an old version, or a tampered entry
    offline = client(hub_env, api_cache_dir=cache, offline=True)
    again = openscore.grade("hostile/model", client=offline)
    assert any("README.md" in u for u in again.unreadable)  # not read, rather than read wrong
    online = openscore.grade("hostile/model", client=client(hub_env, api_cache_dir=cache))
    assert online.verdict == first.verdict and not online.unreadable


def test_checked_writes_from_many_processes(tmp_path: Path) -> None:
    target = tmp_path / "entry"
    code = textwrap.dedent(
        """
        import sys
        from pathlib import Path
        from openscore.hub import read_checked, write_checked
        path, n = Path(sys.argv[1]), int(sys.argv[2])
        bad = 0
        for i in range(150):
            write_checked(path, (str(n) * (1000 + 997 * n)).encode())
            data = read_checked(path)
            if data is None or len(set(data)) != 1:
                bad += 1
        print(bad)
        """
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(target), str(n)], stdout=subprocess.PIPE, text=True)
        for n in range(4)
    ]
    outs = [p.communicate(timeout=120)[0].strip() for p in procs]
    assert outs == ["0"] * 4
    assert read_checked(target) is not None
    assert [p.name for p in tmp_path.iterdir()] == ["entry"]  # no temp file left behind
    write_checked(target, b"x")
    target.write_bytes(target.read_bytes() + b"y")
    assert read_checked(target) is None


#: A worker process of :func:`grade_in_processes`: grades its targets with 4 threads on the shared cache and prints
#: one JSON object, target -> comparable result.
_CACHE_WORKER = textwrap.dedent(
    """
    import json, sys
    from openscore import HubClient, Report
    from openscore.batch import grade_many
    endpoint, cache, targets = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    client = HubClient(endpoint=endpoint, token=False, api_cache_dir=cache, backoff=0.01)
    out = {}
    for r in grade_many(targets, client=client, max_workers=4, progress_bar=False, code_lookup=False):
        out[r.target] = r.model_dump(mode="json", exclude={"graded_at"}) if isinstance(r, Report) else r.to_dict()
    print(json.dumps(out))
    """
)


def shared_cache_batch(hub: FakeHub, size: int = 64) -> list[str]:
    """``size`` small releases of varied kinds (open, gated, non-commercial, unlicensed, broken YAML, derivatives
    of three shared bases, no weights, no README) on five shared datasets: the entries processes race on."""
    import random

    from test_faults import KINDS, _card

    rng = random.Random(64)
    for k in range(5):
        hub.datasets[f"batchdata/corpus-{k}"] = {"cardData": {"license": "odc-by"}, "gated": False, "sha": f"{k}" * 40}
        hub.dataset_cards[f"batchdata/corpus-{k}"] = (
            f"---\nlicense: odc-by\n---\n# Corpus {k}\n\nWeb pages crawled in 2023, English, 2 billion tokens; "
            "filtered by language and deduplicated. No labels.\n"
        ).encode()
    for k in range(3):
        hub.add_repo(
            f"batchbase/base-{k}", {"README.md": "---\nlicense: apache-2.0\n---\n# Base\n", "m.safetensors": b"w"}
        )
    targets = []
    for n in range(size):
        kind = KINDS[n % len(KINDS)]
        files, meta = _card(kind, n, rng)
        hub.add_repo(f"shared-{kind}/model-{n:02d}", files, meta)
        targets.append(f"shared-{kind}/model-{n:02d}")
    return targets


def alone(hub: FakeHub, targets: list[str]) -> dict[str, Any]:
    """Each target graded on its own, in this process, without a cache: what every shared-cache run must give."""
    out: dict[str, Any] = {}
    for target in targets:
        c = HubClient(endpoint=hub.endpoint, token=False, backoff=0.01)
        [r] = grade_many([target], client=c, max_workers=1, progress_bar=False, code_lookup=False)
        out[target] = (
            r.model_dump(mode="json", exclude={"graded_at"}) if isinstance(r, openscore.Report) else r.to_dict()
        )
    return out


def grade_in_processes(endpoint: str, cache: Path, targets: list[str], processes: int = 8) -> list[dict[str, Any]]:
    """Grade ``targets`` in ``processes`` real processes sharing ``cache``, started together: process ``k`` grades
    half of the targets from ``len/processes * (k // 2)`` on (wrapping), so two processes start on the same
    entries at once and each target is graded by four processes. Returns each process's results."""
    step, window = 2 * len(targets) // processes, len(targets) // 2
    plans = [[targets[(step * (k // 2) + i) % len(targets)] for i in range(window)] for k in range(processes)]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _CACHE_WORKER, endpoint, str(cache), json.dumps(plan)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for plan in plans
    ]
    outs = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)  # a hang guard only
        assert proc.returncode == 0, err[-2000:]
        outs.append(json.loads(out))
    return outs


@pytest.mark.long
def test_eight_processes_sharing_a_cache_get_every_result_right(hub_env: FakeHub, tmp_path: Path) -> None:
    """The issue's case: 8 processes grading 64 releases on one cache folder got 3 results wrong. Here 8 real
    processes (4 threads each) race on the same cache entries; every result equals the release graded alone without
    a cache, and so does an offline re-run from the cache they wrote."""
    targets = shared_cache_batch(hub_env)
    expected = alone(hub_env, targets)
    assert len({json.dumps(v["verdict"]) for v in expected.values() if "verdict" in v}) >= 3  # varied verdicts
    cache = tmp_path / "shared-cache"
    outs = grade_in_processes(hub_env.endpoint, cache, targets)
    graded = [(t, result) for out in outs for t, result in out.items()]
    assert len(graded) == 8 * 32 and {t for t, _ in graded} == set(targets)
    wrong = [t for t, result in graded if result != expected[t]]
    assert wrong == []
    offline = HubClient(endpoint=hub_env.endpoint, token=False, api_cache_dir=cache, offline=True)
    again = grade_many(targets, client=offline, max_workers=4, progress_bar=False, code_lookup=False)
    assert [r.model_dump(mode="json", exclude={"graded_at"}) for r in again.reports] == [
        expected[r.target] for r in again.reports
    ]
    assert len(again.reports) == len([t for t in targets if "verdict" in expected[t]])
    assert not [p for p in cache.rglob("*") if p.name.startswith(".tmp-")]  # no temp file left behind


# ------------------------------------------------------------------------------------------- lineage


def test_once_cache_never_waits_in_a_cycle() -> None:
    """Three threads each compute one key of a ring and then ask for the next: a waits-for cycle. One of them
    computes its key without the cache instead of waiting (no timeout is involved: it is a day long)."""
    cache: OnceCache[str, str] = OnceCache(timeout=86_400)
    ring = {"A": "B", "B": "C", "C": "A"}
    barrier = threading.Barrier(3)
    results: dict[str, str] = {}

    def compute(key: str, depth: int) -> str:
        if depth == 0:
            barrier.wait(timeout=30)
            return key + cache.get(ring[key], lambda: compute(ring[key], depth + 1))
        return key

    threads = [
        threading.Thread(target=lambda k=k: results.__setitem__(k, cache.get(k, lambda: compute(k, 0))), daemon=True)
        for k in ring
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "deadlocked"
    assert set(results) == {"A", "B", "C"}


def test_base_model_ring_with_workers(hub_env: FakeHub) -> None:
    ring = {"ring/a": "ring/b", "ring/b": "ring/c", "ring/c": "ring/a"}
    for repo, base in ring.items():
        add(hub_env, repo, readme=f"---\nlicense: mit\nbase_model: {base}\n---\n# {repo}\n")
    result = grade_many(list(ring), client=client(hub_env), max_workers=3, progress_bar=False)
    assert [r.target for r in result] == list(ring)
    assert not [r for r in result if isinstance(r, Failure)]


# ------------------------------------------------------------------------------------------- Ctrl-C


def test_ctrl_c_ends_a_batch_without_waiting_for_requests_in_flight(hub_env: FakeHub, tmp_path: Path) -> None:
    """Ctrl-C during a batch whose Hub answers take half a minute: the command exits 130 at once, saying so, and
    the results file keeps what it got. Without the prompt exit the interpreter would join the worker threads,
    each waiting up to its deadline (25 s here); the 15 s below is only a hang guard, far above what it takes."""
    import os
    import signal

    for name in ("hostile/one", "hostile/two"):
        add(hub_env, name)
        hub_env.inject(name, "slow", delay=30.0, times=None, route="api")
    out = tmp_path / "results.jsonl"
    env = {**os.environ, "HF_ENDPOINT": hub_env.endpoint, "HF_HUB_DISABLE_PROGRESS_BARS": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "openscore", "grade", "hostile/one", "hostile/two", "--timeout", "25",
         "--format", "jsonl", "-o", str(out), "--no-code-lookup"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        waited = threading.Event()
        while not (hub_env.requests_for("hostile/one") and hub_env.requests_for("hostile/two")):
            assert proc.poll() is None, proc.communicate()
            waited.wait(0.05)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert out.exists()
