"""Robustness figures: hostile and fuzzed inputs tried, Hub faults injected and survived, releases lost, peak memory.

Runs offline in well under a minute: the Hub is the loopback fake of ``tests/fakehub.py``, the inputs are those of
``tests/test_hostile_input.py`` and the strategies of ``tests/test_fuzz.py`` (it needs the ``[test]`` extra)::

    python benchmarks/robustness.py                 # 200 fuzzed cards per strategy
    python benchmarks/robustness.py --fuzz 2000

Memory figures are tracemalloc peaks, given as ratios against grading a normal card in the same run. The exit
status is 1 when an input crashed, a fault was not survived or a release was lost.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HOME = tempfile.TemporaryDirectory(prefix="openscore-robustness-")
# Before huggingface_hub is imported (it reads its environment once): a private cache, no token, no telemetry.
os.environ.update(
    HF_HOME=str(Path(HOME.name) / "hf_home"),
    HF_HUB_DISABLE_TELEMETRY="1",
    HF_HUB_DISABLE_IMPLICIT_TOKEN="1",
    HF_HUB_DISABLE_PROGRESS_BARS="1",
    HF_HUB_OFFLINE="0",
)
for _name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
    os.environ.pop(_name, None)
sys.path.insert(0, str(ROOT / "tests"))
from fakecodehost import keep_code_hosts_local  # noqa: E402

_CLOSED_CODE_HOST = keep_code_hosts_local()  # code host look-ups are on by default: never a real host here

import logging  # noqa: E402

import openscore  # noqa: E402
from openscore import HubClient, Report  # noqa: E402
from openscore.batch import Failure, grade_many  # noqa: E402


def peak_mb(fn: Callable[[], Any]) -> float:
    """The peak traced memory of ``fn()``, in MB."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def hostile_inputs(hub: Any, work: Path) -> tuple[int, list[str]]:
    """Grade every hostile card as a card, a folder and a Hub repo; return (graded, crashes)."""
    import test_hostile_input as hostile

    client = HubClient(endpoint=hub.endpoint, token=False, backoff=0.01)
    graded, crashes = 0, []
    for n, (name, data) in enumerate(sorted(hostile.HOSTILE.items())):
        folder = work / f"hostile-{n}"
        folder.mkdir()
        (folder / "README.md").write_bytes(data)
        (folder / "model.safetensors").write_bytes(b"w")
        hub.add_repo(f"hostile/card-{n}", {"README.md": data, "model.safetensors": b"w"})
        ways: dict[str, Callable[[], Report]] = {
            "card": lambda data=data: hostile.via_card(data),
            "folder": lambda folder=folder: openscore.grade(folder),
            "hub": lambda n=n: openscore.grade(f"hostile/card-{n}", client=client),
        }
        for way, grade in ways.items():
            try:
                hostile.check_report(grade())
                graded += 1
            except Exception as exc:  # a crash or a broken invariant: count it, keep going
                crashes.append(f"{name} ({way}): {type(exc).__name__}: {str(exc)[:120]}")
    return graded, crashes


def hostile_cards() -> dict[str, Any]:
    """Grade every hostile card shape as a card, timed one by one: the hostile inputs of tests/test_hostile_input.py
    (cards, pathological Markdown, hostile Markdown indexes) and the issue's quadratic shapes, all graded up to the
    1 MB cap. Returns how many were tried, the slowest (seconds, name) and the crashes."""
    import test_hostile_input as hostile

    header = "---\nlicense: mit\n---\n"
    cards: dict[str, str] = {f"card {k}": v.decode("utf-8", "replace") for k, v in hostile.HOSTILE.items()}
    cards.update({f"markdown {k}": header + v for k, v in hostile.PATHOLOGICAL_OK.items()})
    cards.update({f"markdown {k}": header + "\n".join(v) for k, v in hostile.HOSTILE_MARKDOWN.items()})
    code = header + "# M\n\n## Code\n\n"
    cards.update(
        {
            "380 KB gate prompt of '](' ": f'---\nlicense: mit\nextra_gated_prompt: "{"](" * 190_000}"\n---\n# x\n',
            "8,000 code links": code + "".join(f"See [code {i}](https://github.com/o/r{i}).\n" for i in range(8000)),
            "8,000 code links, one paragraph": code
            + " ".join(f"[c{i}](https://github.com/o/r{i})" for i in range(8000)),
            "2,000 data sections x links": header
            + "".join(f"## Data {i}\n\n[d](https://huggingface.co/datasets/o/d{i})\n\n" for i in range(2000)),
            "10,000 dataset links": header
            + "## Training data\n\n"
            + "".join(f"- [d{i}](https://huggingface.co/datasets/o/d{i})\n" for i in range(10_000)),
        }
    )
    openscore.grade_card(header + "# warm-up\n", files=["model.safetensors"])
    slowest, crashes = (0.0, ""), []
    for name, text in sorted(cards.items()):
        started = time.perf_counter()
        try:
            hostile.check_report(openscore.grade_card(text, files=["model.safetensors"]))
        except Exception as exc:
            crashes.append(f"{name}: {type(exc).__name__}: {str(exc)[:120]}")
        slowest = max(slowest, (time.perf_counter() - started, name))
    return {"tried": len(cards), "slowest": slowest, "crashes": crashes}


def shared_cache(hub: Any, work: Path) -> dict[str, Any]:
    """The issue's "8 processes sharing a cache got 3 of 64 results wrong": 8 real processes (4 threads each) grade
    64 releases on one cache folder, each release four times; each result is compared with the release graded alone
    without a cache, and so is an offline re-run from the cache they wrote."""
    import test_hostile_hub as th

    targets = th.shared_cache_batch(hub)
    expected = th.alone(hub, targets)
    cache = work / "shared-cache"
    started = time.monotonic()
    outs = th.grade_in_processes(hub.endpoint, cache, targets)
    seconds = time.monotonic() - started
    graded = [(t, r) for out in outs for t, r in out.items()]
    wrong = sum(1 for t, r in graded if r != expected[t])
    offline = HubClient(endpoint=hub.endpoint, token=False, api_cache_dir=cache, offline=True)
    again = grade_many(targets, client=offline, max_workers=4, progress_bar=False, code_lookup=False)
    wrong_offline = sum(
        1
        for r in again
        if isinstance(r, Report) and r.model_dump(mode="json", exclude={"graded_at"}) != expected[r.target]
    )
    lost = 8 * len(targets) // 2 - len(graded)
    return {
        "releases": len(targets),
        "graded": len(graded),
        "wrong": wrong,
        "wrong_offline": wrong_offline,
        "lost": lost,
        "seconds": seconds,
    }


def fuzz_inputs(examples: int) -> tuple[int, list[str]]:
    """Run the fuzz strategies through parse_card, decode_card, load_yaml_mapping and grade_card."""
    import conftest  # noqa: F401  - registers the hypothesis profile test_fuzz uses
    import test_fuzz as fuzz
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from openscore.card import decode_card, load_yaml_mapping, parse_card

    tried: Counter[str] = Counter()
    failures: list[str] = []
    profile = settings(fuzz.FUZZ, max_examples=examples)

    def run(name: str, strategy: st.SearchStrategy[Any], check: Callable[[Any], None]) -> None:
        @profile
        @given(strategy)
        def prop(value: Any) -> None:
            tried[name] += 1
            check(value)

        try:
            prop()
        except Exception as exc:
            failures.append(f"{name}: {type(exc).__name__}: {str(exc)[:200]}")

    run("parse_card", fuzz.cards(), parse_card)
    run("decode_card", st.binary(max_size=2000), decode_card)
    run("load_yaml_mapping", fuzz.front_matter_text, lambda b: load_yaml_mapping(b, frozenset(fuzz.READ_KEYS)))
    run("grade_card", fuzz.cards(), lambda t: fuzz.check_report(openscore.grade_card(t, files=["m.safetensors"])))
    run("grade_card plausible", fuzz.plausible_cards(), lambda t: fuzz.check_report(openscore.grade_card(t)))
    return sum(tried.values()), failures


def faults(hub: Any, work: Path) -> dict[str, Any]:
    """The fault batch of tests/test_faults.py: ~20 % of 220 releases faulted, graded with 8 workers."""
    import test_faults as tf

    plan = tf.build_fault_batch(hub)
    client = HubClient(endpoint=hub.endpoint, token=False, backoff=0.01, timeout=tf.TIMEOUT, retries=2)
    started = time.monotonic()
    batch = grade_many(plan.targets, client=client, max_workers=8, progress_bar=False)
    seconds = time.monotonic() - started
    out = [r.target for r in batch]
    lost = len(set(plan.targets) - set(out)) + abs(len(plan.targets) - len(out))
    duplicated = sum(n - 1 for n in Counter(out).values() if n > 1)
    in_order = out == plan.targets
    unexpected = []
    for target, result in zip(plan.targets, batch, strict=False):
        want = plan.expected[target]
        got = None if isinstance(result, Report) else result.kind if isinstance(result, Failure) else "?"
        if got != want:
            unexpected.append(f"{target}: expected {want or 'a report'}, got {got or 'a report'}")
    fired = len(hub.fault_log)
    # the shared dataset answered 503 once: it was retried, so no report says it could not be looked up
    dataset_ok = int(not any("batchdata/corpus-0" in note for r in batch.reports for note in r.unreadable))
    faulted_repos = {repo for repo, *_ in hub.fault_log}
    hub.clear_faults()
    clean = grade_many(plan.targets, client=client, max_workers=8, progress_bar=False)
    transient_ok = sum(
        1
        for target, first, second in zip(plan.targets, batch, clean, strict=True)
        if target in plan.transient
        and isinstance(first, Report)
        and isinstance(second, Report)
        and tf.comparable(first) == tf.comparable(second)
    )
    permanent_ok = sum(1 for target in plan.permanent if not any(u.startswith(f"{target}:") for u in unexpected))
    return {
        "releases": len(plan.targets),
        "faults_injected": plan.faults_injected,
        "faults_fired": fired,
        "faulted_repos": len(faulted_repos),
        "transient": len(plan.transient),
        "transient_ok": transient_ok,
        "permanent": len(plan.permanent),
        "permanent_ok": permanent_ok,
        "dataset_ok": dataset_ok,
        "unexpected": unexpected,
        "lost": lost,
        "duplicated": duplicated,
        "in_order": in_order,
        "failures": len(batch.failures),
        "seconds": seconds,
    }


def memory(work: Path) -> dict[str, float]:
    import test_hostile_input as hostile

    normal = (ROOT / "examples" / "open-research-model" / "README.md").read_text(encoding="utf-8")
    files = ["model.safetensors", "LICENSE"]
    baseline = max(peak_mb(lambda: openscore.grade_card(normal, files=files)) for _ in range(3))
    bomb = hostile.alias_bomb()
    big = hostile.HOSTILE["card-10mb"].decode()
    folder = work / "big"
    folder.mkdir()
    (folder / "README.md").write_text(big, encoding="utf-8")
    return {
        "baseline": baseline,
        "bomb": peak_mb(lambda: openscore.grade_card(bomb, files=files)),
        "bomb_at_limit": peak_mb(lambda: openscore.grade_card(hostile.alias_bomb(8, 9), files=files)),
        "big": peak_mb(lambda: openscore.grade_card(big, files=files)),
        "big_folder": peak_mb(lambda: openscore.grade(folder)),
        "big_mb": len(big.encode()) / 1e6,
    }


def hostile_hub(hub: Any, work: Path) -> dict[str, Any]:
    """Every hostile-Hub case of tests/test_hostile_hub.py, counted: each must end in a report or one
    OpenscoreError, with no token sent to another host or shown, no file outside the cache, no result lost."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import test_hostile_hub as th

    token = "hf_benchmarkSecretToken0123456789"
    seen_auth: list[str] = []

    class Foreign(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.headers.get("Authorization"):
                seen_auth.append(self.path)
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"[]")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    foreign = ThreadingHTTPServer(("127.0.0.1", 0), Foreign)
    threading.Thread(target=foreign.serve_forever, daemon=True).start()
    cache = work / "hub-cache"
    out: dict[str, Any] = {"tried": 0, "survived": 0, "raw": [], "leaks": 0, "outside": 0, "lost": 0, "slowest": 0.0}
    timeout = 0.5

    def client(**kw: Any) -> HubClient:
        settings: dict[str, Any] = {"token": token, "backoff": 0.01, "timeout": timeout, "retries": 1}
        settings.update(kw)
        return HubClient(endpoint=hub.endpoint, api_cache_dir=cache, **settings)

    def attempt(name: str, fn: Callable[[], Any]) -> None:
        out["tried"] += 1
        started = time.monotonic()
        try:
            result = fn()
            text = repr(result)
            out["survived"] += 1
        except openscore.OpenscoreError as exc:
            text = f"{exc}{exc!r}"
            link: BaseException | None = exc
            while link is not None:
                text += f"{link}{link!r}"
                link = link.__cause__ or link.__context__
            out["survived"] += 1
        except Exception as exc:
            out["raw"].append(f"{name}: {type(exc).__name__}: {str(exc)[:100]}")
            text = f"{exc!r}"
        out["slowest"] = max(out["slowest"], (time.monotonic() - started) / timeout)
        out["leaks"] += token in text

    def add(repo_id: str, readme: str = th.CARD) -> None:
        hub.add_repo(repo_id, {"README.md": readme, "model.safetensors": b"w"}, {"sha": th.SHA})

    add("hostile/model")
    add("hostile/a")
    for name, body in sorted({**th.MODEL_BODIES, **th.RAW_BODIES}.items()):
        hub.clear_faults()
        hub.inject("hostile/model", "body", body=body, times=None, route="api")
        attempt(f"model_info {name}", lambda: openscore.grade("hostile/model", client=client()))
    base = hub.get_repo("hostile/model").info(th.SHA)
    for sha in ("../../../escape/y", "/tmp/abs", "A" * 40):
        hub.clear_faults()
        hub.inject("hostile/model", "body", body={**base, "sha": sha}, times=None, route="api")
        attempt(f"sha {sha}", lambda: openscore.grade("hostile/model", client=client()))
    for repo_id in ("../../x", "a/../../b", "x/y/z"):
        hub.clear_faults()
        hub.inject("/api/models", "body", body=[{**base, "id": repo_id}], times=None)
        attempt(f"listing id {repo_id}", lambda: client().list_models("hostile"))
    hub.clear_faults()
    body = th._mixed_listing(hub)
    listing: list[Any] = []
    attempt(
        "listing of good and malformed items",
        lambda: listing.extend(openscore.grade_author("hostile", client=client(), progress_bar=False)),
    )
    # every item is one result: the well-formed graded, each malformed one a bad-answer failure
    out["lost"] += abs(len(body) - len(listing)) + sum(
        1
        for r, (t, _) in zip(listing[1:-1], th.MIXED_FAILURES, strict=False)
        if r.target != t or r.kind != "bad-answer"
    )
    out["lost"] += sum(1 for r in (listing[:1] + listing[-1:]) if not isinstance(r, Report))
    hub.clear_faults()
    for link in (f"http://localhost:{foreign.server_address[1]}/api/models", f"{hub.endpoint}/api/models?cursor=0"):
        hub.listing_link = link
        attempt(f"listing link {link}", lambda: openscore.grade_author("hostile", client=client(), progress_bar=False))
    hub.listing_link = None
    for body in ({"branches": "main"}, {"branches": [{"name": "x", "targetCommit": "../x"}]}):
        hub.clear_faults()
        hub.inject("hostile/model", "body", body=body, times=None, route="api")
        attempt("refs", lambda: client().list_branches("hostile/model"))
    hub.clear_faults()
    hub.inject("hostile/model", "oversize", size=40_000_000, times=None, route="api")
    attempt("oversize model_info", lambda: openscore.grade("hostile/model", client=client()))
    for route in ("file", "api"):
        hub.clear_faults()
        hub.inject("hostile/model", "dribble", delay=0.2, times=None, route=route)
        attempt(f"dribble {route}", lambda: openscore.grade("hostile/model", client=client()))
    hub.clear_faults()
    for bad in (token + "\n", "hf_t\u00f6ken"):
        attempt("bad token", lambda bad=bad: HubClient(endpoint=hub.endpoint, token=bad))
    ring = {"ring/a": "ring/b", "ring/b": "ring/c", "ring/c": "ring/a"}
    for repo, parent in ring.items():
        add(repo, f"---\nlicense: mit\nbase_model: {parent}\n---\n# {repo}\n")
    attempt(
        "base_model ring, 3 workers", lambda: grade_many(list(ring), client=client(), max_workers=3, progress_bar=False)
    )
    batch = grade_many(list(ring), client=client(), max_workers=3, progress_bar=False)
    out["lost"] += len(ring) - len([r for r in batch if isinstance(r, Report)])
    out["leaks"] += len(seen_auth)
    root = cache.resolve()
    out["outside"] = sum(1 for p in work.rglob("*") if p.is_file() and "escape" in p.parts)
    out["outside"] += sum(1 for p in cache.rglob("*") if p.is_file() and not p.resolve().is_relative_to(root))
    foreign.shutdown()
    foreign.server_close()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--fuzz", type=int, default=200, help="fuzzed inputs per strategy (default 200)")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    logging.disable(logging.WARNING)  # huggingface_hub warns on every retry

    from fakehub import FakeHub

    started = time.monotonic()
    work = Path(HOME.name)
    with FakeHub(fixtures=None) as hub:
        graded, crashes = hostile_inputs(hub, work)
        cards = hostile_cards()
        fuzzed, fuzz_failures = fuzz_inputs(args.fuzz)
        hub.reset()
        fault = faults(hub, work)
        hub.reset()
        hostile = hostile_hub(hub, work)
        hub.reset()
        shared = shared_cache(hub, work)
        hub_errors = list(hub.errors)
    mem = memory(work)
    elapsed = time.monotonic() - started

    def ratio(value: float) -> str:
        times = value / mem["baseline"]
        shown = f"{times:,.2f}" if times < 10 else f"{times:,.0f}"
        return f"{value:8.2f} MB  x{shown} the baseline"

    print(f"openscore {openscore.__version__} robustness (rules {openscore.rules_version()})")
    tried = graded + len(crashes) + cards["tried"]
    print(
        f"  hostile inputs tried    {tried:>6}   ({graded + len(crashes)} card/folder/Hub gradings, "
        f"{len(crashes)} crashed; {cards['tried']} card shapes timed, {len(cards['crashes'])} crashed)"
    )
    print(f"  fuzzed inputs tried     {fuzzed:>6}   ({len(fuzz_failures)} failing properties)")
    print(
        f"  faults injected         {fault['faults_injected']:>6}   ({fault['transient'] + fault['permanent']} of "
        f"{fault['releases']} targets and one shared dataset; {fault['faults_fired']} faulty answers sent)"
    )
    print(
        f"  faults survived         {fault['transient_ok'] + fault['permanent_ok'] + fault['dataset_ok']:>6}   "
        f"(transient, retried and graded as if unfaulted: {fault['transient_ok']}/{fault['transient']} "
        f"and the dataset {fault['dataset_ok']}/1; "
        f"permanent, graded or recorded as a failure of the expected kind: "
        f"{fault['permanent_ok']}/{fault['permanent']})"
    )
    print(
        f"  releases lost           {fault['lost']:>6}   (duplicated {fault['duplicated']}, "
        f"input order kept: {'yes' if fault['in_order'] else 'NO'}, batch took {fault['seconds']:.1f} s)"
    )
    print(
        f"  hostile Hub answers     {hostile['tried']:>6}   ({hostile['survived']} survived as a report or one "
        f"OpenscoreError; slowest took {hostile['slowest']:.1f} x the request timeout)"
    )
    print(
        f"  8 processes, one cache  {shared['graded']:>6}   (gradings of {shared['releases']} releases, 4 each: "
        f"{shared['wrong']} wrong, offline re-run {shared['wrong_offline']} wrong; took {shared['seconds']:.1f} s)"
    )
    print(f"  raw exceptions          {len(hostile['raw']):>6}")
    print(f"  secrets leaked          {hostile['leaks']:>6}   (in messages, reprs, causes, or sent to another host)")
    print(f"  writes outside cache    {hostile['outside']:>6}")
    lost = fault["lost"] + hostile["lost"] + shared["lost"] + shared["wrong"] + shared["wrong_offline"]
    print(f"  results lost            {lost:>6}   (missing or wrong)")
    print(f"  slowest hostile card    {cards['slowest'][0]:6.2f} s   ({cards['slowest'][1].strip()})")
    print(f"  peak memory, normal card{mem['baseline']:8.2f} MB  (baseline: examples/open-research-model README)")
    print(f"  peak memory, alias bomb {ratio(mem['bomb'])}")
    print(f"  ... bomb at alias limit {ratio(mem['bomb_at_limit'])}")
    print(f"  peak memory, 10 MB card {ratio(mem['big'])}  ({mem['big'] / mem['big_mb']:.2f} x the card's size)")
    print(f"  ... same card in folder {ratio(mem['big_folder'])}  (read up to the cap)")
    print(f"  elapsed                 {elapsed:6.1f} s")
    problems = crashes + cards["crashes"] + fuzz_failures + fault["unexpected"] + hub_errors + hostile["raw"]
    for line in problems[:20]:
        print(f"  ! {line}")
    bad = problems or fault["lost"] or fault["duplicated"] or not fault["in_order"]
    bad = bad or fault["transient_ok"] != fault["transient"] or fault["permanent_ok"] != fault["permanent"]
    bad = bad or not fault["dataset_ok"] or lost or cards["slowest"][0] >= 1.0
    bad = bad or hostile["leaks"] or hostile["outside"] or hostile["lost"] or hostile["survived"] != hostile["tried"]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
