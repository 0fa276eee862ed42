"""Code host look-ups (GitHub, GitLab, Hub Spaces), on by default, against the loopback fake code host and fake Hub;
dataset cards and arXiv ids gathered as release facts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fakecodehost import FakeCodeHost
from fakehub import FakeHub

import openscore
from openscore.codehosts import CodeHostLookup, CodeLicense
from openscore.grading import Grader, grade_card
from openscore.hub import HubClient
from openscore.release import Release
from openscore.sources import collect_papers, release_from_card, release_from_hub

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "open-research-model"
TOKEN = "ghp_secret_for_tests_only"


def _lookup(host: FakeCodeHost, cache: Path | None = None, **kw: object) -> CodeHostLookup:
    return CodeHostLookup(cache, github_api=host.github_api, gitlab_api=host.gitlab_api, timeout=2.0, **kw)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------- GitHub


def test_github_found_none_and_not_found(fake_code_host: FakeCodeHost) -> None:
    lookup = _lookup(fake_code_host, github_token="")
    found = lookup("github.com/example-lab/trainer")
    assert (found.state, found.spdx, found.key, found.source) == (
        "found",
        "Apache-2.0",
        "apache-2.0",
        "GitHub license API",
    )
    assert found.url and found.url.endswith("/LICENSE") and found.seen
    odd = lookup("github.com/example-lab/odd-license")
    assert odd.state == "found" and odd.spdx is None and "did not identify" in odd.detail
    bare = lookup("github.com/example-lab/unlicensed")
    assert bare.state == "none" and bare.detail == "the repository has no license file"
    missing = lookup("github.com/example-lab/ghost")
    assert missing.state == "none" and "no such repository" in missing.detail
    # .git suffixes are the same repository
    assert lookup("github.com/example-lab/trainer.git").spdx == "Apache-2.0"


def test_one_request_per_repository_per_batch_and_disk_cache(fake_code_host: FakeCodeHost, tmp_path: Path) -> None:
    lookup = _lookup(fake_code_host, tmp_path, github_token="")
    for _ in range(3):
        assert lookup("github.com/example-lab/trainer").state == "found"
    assert fake_code_host.paths() == ["/repos/example-lab/trainer/license"]
    files = list(tmp_path.iterdir())
    assert len(files) == 1 and files[0].parent == tmp_path and not files[0].name.startswith(".")
    again = _lookup(fake_code_host, tmp_path, github_token="")("github.com/example-lab/trainer")
    assert again.spdx == "Apache-2.0" and len(fake_code_host.paths()) == 1  # from disk
    offline = _lookup(fake_code_host, tmp_path, offline=True)
    assert offline("github.com/example-lab/trainer").state == "found"
    assert offline("github.com/example-lab/corpus-tools").detail.startswith("not checked: offline")
    assert len(fake_code_host.paths()) == 1


def test_cache_file_names_never_leave_the_cache(fake_code_host: FakeCodeHost, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    lookup = _lookup(fake_code_host, cache, github_token="")
    for hostile in ("github.com/../..", "github.com/..%2F/x", "gitlab.com/a/../../b", "huggingface.co/spaces/../x"):
        lookup(hostile)
    for path in tmp_path.rglob("*"):
        assert path.is_relative_to(cache)


def test_concurrent_asks_make_one_request(fake_code_host: FakeCodeHost) -> None:
    from concurrent.futures import ThreadPoolExecutor

    lookup = _lookup(fake_code_host, github_token="")
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lookup, ["github.com/example-lab/corpus-tools"] * 16))
    assert {r.spdx for r in results} == {"MIT"}
    assert fake_code_host.paths() == ["/repos/example-lab/corpus-tools/license"]


def test_token_goes_only_to_the_api_host(fake_code_host: FakeCodeHost) -> None:
    lookup = _lookup(fake_code_host, github_token=TOKEN, gitlab_token="")
    lookup("github.com/example-lab/trainer")
    lookup("gitlab.com/example-group/bare")
    auth = {p: h.get("authorization") for _, p, h in fake_code_host.requests}
    assert auth["/repos/example-lab/trainer/license"] == f"Bearer {TOKEN}"
    assert auth["/gitlab/api/v4/projects/example-group%2Fbare?license=true"] is None
    assert TOKEN not in repr(lookup)


def test_redirect_to_another_host_drops_the_token(fake_code_host: FakeCodeHost) -> None:
    with FakeCodeHost() as other:
        fake_code_host.mode = "redirect"
        fake_code_host.redirect_to = other.base.replace("127.0.0.1", "localhost")
        result = _lookup(fake_code_host, github_token=TOKEN)("github.com/example-lab/trainer")
        assert result.spdx == "Apache-2.0"  # followed ...
        assert other.requests and all("authorization" not in h for _, _, h in other.requests)  # ... without the token
        assert fake_code_host.requests[0][2]["authorization"] == f"Bearer {TOKEN}"


@pytest.mark.parametrize("mode", ["rate-limited", "429"])
def test_rate_limits_are_unchecked_and_stop_asking(fake_code_host: FakeCodeHost, mode: str) -> None:
    fake_code_host.mode = mode
    lookup = _lookup(fake_code_host, github_token="")
    first = lookup("github.com/example-lab/trainer")
    assert first.state == "unchecked" and "rate limited" in first.detail
    assert lookup("github.com/example-lab/corpus-tools").state == "unchecked"
    assert len(fake_code_host.requests) == 1  # the host said wait: not asked again in this batch


def test_exhausted_quota_answers_then_stops(fake_code_host: FakeCodeHost) -> None:
    fake_code_host.mode = "exhausted"
    lookup = _lookup(fake_code_host, github_token="")
    assert lookup("github.com/example-lab/trainer").state == "found"
    assert lookup("github.com/example-lab/corpus-tools").state == "unchecked"
    assert len(fake_code_host.requests) == 1


def test_server_error_hang_and_refused_are_unchecked(fake_code_host: FakeCodeHost, closed_port: int) -> None:
    fake_code_host.mode = "500"
    assert "HTTP 500" in _lookup(fake_code_host)("github.com/example-lab/trainer").detail
    fake_code_host.mode = "hang"
    lookup = CodeHostLookup(github_api=fake_code_host.github_api, timeout=0.3)
    hung = lookup("github.com/example-lab/trainer")
    assert hung.state == "unchecked" and "timed out" in hung.detail
    # the host is not asked again in this batch: the second repository costs no request, hence no wait
    assert lookup("github.com/example-lab/corpus-tools").state == "unchecked"
    assert len(fake_code_host.requests) == 2
    refused = CodeHostLookup(github_api=f"http://127.0.0.1:{closed_port}")("github.com/a/b")
    assert refused.state == "unchecked" and "could not be reached" in refused.detail
    assert len(fake_code_host.requests) == 2


def test_unsupported_hosts_are_unchecked() -> None:
    result = CodeHostLookup()("codeberg.org/a/b")
    assert result.state == "unchecked" and "cannot ask codeberg.org" in result.detail


# ---------------------------------------------------------------------------------------------- GitLab, Spaces


def test_gitlab(fake_code_host: FakeCodeHost) -> None:
    lookup = _lookup(fake_code_host, gitlab_token="glpat-test")
    found = lookup("gitlab.com/example-group/sub/pipeline")
    assert (found.state, found.spdx, found.key, found.source) == ("found", "BSD-3-Clause", "bsd-3-clause", "GitLab API")
    assert lookup("gitlab.com/example-group/bare").state == "none"
    assert "no such project" in lookup("gitlab.com/example-group/ghost").detail
    paths = fake_code_host.paths()
    assert "/gitlab/api/v4/projects/example-group%2Fsub%2Fpipeline?license=true" in paths
    assert all(h["authorization"] == "Bearer glpat-test" for _, _, h in fake_code_host.requests)


def test_spaces_through_the_hub(hub_env: FakeHub) -> None:
    client = HubClient(token=False, retries=0)
    lookup = CodeHostLookup(space_license=client.space_license)
    found = lookup("huggingface.co/spaces/example-lab/trainer-demo")
    assert (found.state, found.key, found.source) == ("found", "apache-2.0", "Hugging Face Space card")
    assert lookup("huggingface.co/spaces/example-lab/plain-demo").state == "none"
    assert lookup("huggingface.co/spaces/example-lab/ghost").detail == "no such Space"
    assert CodeHostLookup()("huggingface.co/spaces/a/b").state == "unchecked"


# ---------------------------------------------------------------------------------------------- wiring


def test_on_by_default_for_folders(fake_code_host: FakeCodeHost) -> None:
    report = Grader().grade(EXAMPLE)
    hosts = [e for f in report.findings() if f.id == "code-license" for e in f.evidence if e.kind == "code-host"]
    assert any("Apache-2.0" in (e.quote or "") for e in hosts)
    assert "/repos/example-lab/trainer/license" in fake_code_host.paths()


def test_turned_off_offline_and_cards_make_no_request(fake_code_host: FakeCodeHost) -> None:
    for grader in (Grader(code_lookup=False), Grader(offline=True)):
        release_report = grader.grade(EXAMPLE)
        assert release_report is not None
    report = grade_card((EXAMPLE / "README.md").read_text(encoding="utf-8"))
    hosts = [e for f in report.findings() if f.id == "code-license" for e in f.evidence if e.kind == "code-host"]
    assert hosts and all("not checked" in (e.quote or "") for e in hosts)
    assert fake_code_host.requests == []


def test_unconfigured_tests_reach_no_real_host() -> None:
    # conftest points the APIs at a closed loopback port: not checked, at once
    result = CodeHostLookup()("github.com/example-lab/trainer")
    assert result.state == "unchecked" and "could not be reached" in result.detail


def test_cli_flags(fake_code_host: FakeCodeHost, capsys: pytest.CaptureFixture[str]) -> None:
    from openscore.cli import main

    assert main(["grade", str(EXAMPLE), "--no-code-lookup", "--json"]) == 0
    assert fake_code_host.requests == []
    assert main(["grade", str(EXAMPLE), "--lookup-code-licenses", "--json"]) == 0  # accepted, the default
    out = capsys.readouterr().out
    assert "Apache-2.0" in out and fake_code_host.requests


def test_grade_and_grade_many_take_code_lookup(fake_code_host: FakeCodeHost) -> None:
    openscore.grade(EXAMPLE, code_lookup=False)
    openscore.grade_many([EXAMPLE], code_lookup=False, progress_bar=False)
    assert fake_code_host.requests == []


# ---------------------------------------------------------------------------------------------- dataset cards


def _release_with_datasets(hub: FakeHub, datasets: list[str], body: str = "") -> Release:
    card = "---\nlicense: apache-2.0\ndatasets:\n" + "".join(f"- {d}\n" for d in datasets) + "---\n# M\n" + body
    hub.add_repo("tester/with-data", {"README.md": card, "model.safetensors": b"x"})
    return release_from_hub("tester/with-data", HubClient(token=False, retries=0))


def test_dataset_cards_are_read_at_the_dataset_commit(hub_env: FakeHub) -> None:
    release = _release_with_datasets(
        hub_env,
        ["openlab/heap-deduplicated", "codeguild/the-shelf-v2-train", "campuslab/photo-1k", "nobody/nothing"],
        "See [dolmen](https://huggingface.co/datasets/dolmen-institute/dolmen).\n",
    )
    cards = release.dataset_cards
    heap = cards["openlab/heap-deduplicated"]
    assert heap.text and "MinHash" in heap.text and heap.problem is None and heap.sha == "0" * 40
    assert "gated" in (cards["codeguild/the-shelf-v2-train"].problem or "")
    assert "not found in the repository" in (cards["campuslab/photo-1k"].problem or "")
    assert cards["nobody/nothing"].problem == "dataset not found on the Hub"
    assert cards["dolmen-institute/dolmen"].text  # a Hub dataset link of the card counts too
    assert ("GET", f"/datasets/openlab/heap-deduplicated/resolve/{'0' * 40}/README.md") in hub_env.requests


def test_dataset_cards_once_per_batch_and_on_disk(hub_env: FakeHub, tmp_path: Path) -> None:
    card = "---\nlicense: mit\ndatasets:\n- openlab/heap-deduplicated\n---\n# M\n"
    for name in ("a", "b", "c"):
        hub_env.add_repo(f"tester/{name}", {"README.md": card, "model.safetensors": b"x"})
    grader = Grader(HubClient(token=False, api_cache_dir=tmp_path), code_lookup=False)
    openscore.grade_many(["tester/a", "tester/b", "tester/c"], client=grader.client, progress_bar=False)
    batch = openscore.batch.iter_grade(["tester/a", "tester/b", "tester/c"], grader=grader, max_workers=3)
    assert len(list(batch)) == 3
    readme = [p for _, p in hub_env.requests if p.startswith("/datasets/openlab/heap-deduplicated/")]
    assert len(readme) == 1  # once in the first batch; the second batch read it from the disk cache
    assert list(tmp_path.rglob("datasets/openlab--heap-deduplicated/files/*/README.md"))


def test_folder_and_card_record_datasets_not_looked_up() -> None:
    release = release_from_card("---\ndatasets:\n- openlab/heap-deduplicated\n---\n# M\n")
    card = release.dataset_cards["openlab/heap-deduplicated"]
    assert card.text is None and (card.problem or "").startswith("not looked up")


# ---------------------------------------------------------------------------------------------- papers


def test_papers_from_tags_and_links() -> None:
    text = (
        "---\ntags:\n- arxiv:2304.01373\n- arxiv:2101.00027v2\n---\n# M\n"
        "Read [the report](https://arxiv.org/abs/2402.00838v3), [pdf](https://arxiv.org/pdf/2304.01373.pdf) "
        "and [old](http://arxiv.org/abs/cs/0112017). Not [this](https://example.org/abs/2402.00838).\n"
    )
    release = release_from_card(text)
    assert release.papers == ("2304.01373", "2101.00027", "2402.00838", "cs/0112017")
    release.tags = ("arxiv:1910.10683",)
    collect_papers(release)
    assert release.papers[0] == "1910.10683"


def test_code_license_is_frozen_and_typed() -> None:
    lic = CodeLicense("github.com/a/b", "none", source="GitHub license API", detail="x", seen="2025-01-01")
    assert lic.checked and not CodeLicense("github.com/a/b", "unchecked").checked
    with pytest.raises(AttributeError):
        lic.state = "found"  # type: ignore[misc]
    assert json.dumps(lic.__dict__)


def test_zenodo_records_and_cited_software(fake_code_host: FakeCodeHost) -> None:
    lookup = CodeHostLookup()
    found = lookup("zenodo.org/records/1000001")
    assert found.state == "found" and found.key == "mit" and found.spdx == "MIT"
    assert lookup("zenodo.org/records/1000002").state == "none"
    assert lookup("zenodo.org/records/999").state == "none"
    assert "/zenodo/api/records/1000001" in fake_code_host.paths()


def test_a_cited_software_archive_is_training_code_with_its_license(fake_code_host: FakeCodeHost) -> None:
    card = (
        "---\nlicense: mit\n---\n# A model\n\nTo cite the code that trained it:\n\n```bibtex\n"
        "@software{example,\n  title = {{Example trainer}},\n  doi = {10.5281/zenodo.1000001},\n}\n```\n"
    )
    from openscore.cardrules import software_citations

    assert [c.repo for c in software_citations(card)] == ["zenodo.org/records/1000001"]
    report = grade_card(card, files=["model.safetensors"])
    findings = {f.id: f for f in report.criteria.code.findings}
    assert findings["training-code-published"].outcome.value == "pass"
    assert "zenodo.org/records/1000001" in findings["training-code-published"].message
