"""The real huggingface_hub client against the loopback fake Hub (no network)."""

from __future__ import annotations

import json
import re
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import FIXTURES, _is_loopback
from fakehub import FakeHub, parse_front_matter
from huggingface_hub import HfApi, constants, hf_hub_download
from huggingface_hub.errors import (
    EntryNotFoundError,
    GatedRepoError,
    HfHubHTTPError,
    LocalEntryNotFoundError,
    RemoteEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)

HUB = FIXTURES / "hub"
EXPECTED = json.loads((HUB / "expected.json").read_text(encoding="utf-8"))
EXPAND = [
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
VERDICTS = {"open-source-ai", "open-weights", "weights-available", "undetermined", "closed"}


def api(hub: FakeHub) -> HfApi:
    return HfApi(endpoint=hub.endpoint, token=False)


def download(hub: FakeHub, repo_id: str, filename: str, cache: Path, **kwargs: object) -> str:
    return hf_hub_download(repo_id, filename, endpoint=hub.endpoint, token=False, cache_dir=cache, **kwargs)


# -- fixtures on disk -----------------------------------------------------------------------------


def test_expected_covers_every_fixture_release(hub_env: FakeHub) -> None:
    assert sorted(EXPECTED) == hub_env.repo_ids
    assert len(EXPECTED) >= 18
    verdicts = [entry["verdict"] for entry in EXPECTED.values()]
    assert set(verdicts) == VERDICTS
    assert all(verdicts.count(v) >= 2 for v in VERDICTS)
    assert all(entry["reason"] and "\n" not in entry["reason"] for entry in EXPECTED.values())


@pytest.mark.parametrize("repo_id", sorted(EXPECTED))
def test_fixture_release_is_well_formed(repo_id: str) -> None:
    meta = json.loads((HUB / repo_id / "repo.json").read_text(encoding="utf-8"))
    assert re.fullmatch(r"[0-9a-f]{40}", meta["sha"])
    assert all(re.fullmatch(r"[0-9a-f]{40}", sha) for sha in meta.get("refs", {}).values())
    assert meta.get("gated", False) in (False, "auto", "manual")
    readme = (HUB / repo_id / "files" / "README.md").read_bytes()
    card = parse_front_matter(readme)
    if repo_id == "messy-lab/brokencard-1b":
        assert card is None
    else:
        assert isinstance(card, dict)
    for lic in (HUB / repo_id / "files").glob("LICENSE*"):
        assert len(lic.read_text(encoding="utf-8")) < 600, "LICENSE fixtures are short stand-ins"


def test_fixture_shas_are_unique() -> None:
    shas = [json.loads(p.read_text())["sha"] for p in HUB.glob("*/*/repo.json")]
    assert len(shas) == len(set(shas))


# -- model_info -----------------------------------------------------------------------------------


def test_model_info_with_expand(hub_env: FakeHub) -> None:
    info = api(hub_env).model_info("openlab/suite-1.4b", expand=EXPAND)  # type: ignore[arg-type]
    assert info.id == "openlab/suite-1.4b"
    assert info.sha == "ea6d5665241bde1d70b2e5721314502232c7c88f"
    assert info.gated is False
    assert info.card_data is not None
    assert info.card_data.license == "apache-2.0"
    assert info.card_data.datasets == ["openlab/heap-deduplicated"]
    names = {s.rfilename for s in info.siblings or []}
    assert {"README.md", "LICENSE", "config.json", "model.safetensors", "tokenizer.json"} <= names
    assert "license:apache-2.0" in (info.tags or [])
    assert "dataset:openlab/heap-deduplicated" in (info.tags or [])
    assert info.library_name == "transformers"
    assert info.pipeline_tag == "text-generation"
    assert info.safetensors is not None and info.safetensors.total == 1414647808
    assert info.last_modified is not None and info.last_modified.year == 2023
    # expand returns only what was asked for
    assert info.downloads is None and info.likes is None and info.config is None
    assert hub_env.requests == [("GET", "/api/models/openlab/suite-1.4b")]


def test_model_info_without_expand_is_complete(hub_env: FakeHub) -> None:
    info = api(hub_env).model_info("herdlab/herd-2-7b-chat")
    assert info.gated == "manual"
    assert info.private is False and info.disabled is False
    assert info.downloads == 1203345
    assert info.config == {"architectures": ["LlamaForCausalLM"], "model_type": "llama"}
    assert info.card_data is not None
    assert info.card_data.license == "llama2"
    fields = info.card_data.to_dict()["extra_gated_fields"]
    assert fields["I accept the terms of the license and the acceptable use policy"] == "checkbox"
    assert "extra_gated_prompt" in info.card_data.to_dict()
    assert {"LICENSE", "USE_POLICY.md"} <= {s.rfilename for s in info.siblings or []}


def test_model_info_files_metadata(hub_env: FakeHub) -> None:
    info = api(hub_env).model_info("tinyforge/quark-2", files_metadata=True)
    by_name = {s.rfilename: s for s in info.siblings or []}
    license_bytes = (HUB / "tinyforge/quark-2/files/LICENSE").read_bytes()
    assert by_name["LICENSE"].size == len(license_bytes) and by_name["LICENSE"].lfs is None
    lfs = by_name["model-00001-of-00002.safetensors"].lfs
    assert lfs is not None and len(lfs.sha256) == 64


def test_subfolder_files_are_siblings(hub_env: FakeHub) -> None:
    info = api(hub_env).model_info("pixelforge/latent-painter-1-5", expand=["siblings", "library_name"])
    names = {s.rfilename for s in info.siblings or []}
    assert {"model_index.json", "unet/config.json", "unet/diffusion_pytorch_model.safetensors"} <= names
    assert "vae/diffusion_pytorch_model.safetensors" in names
    assert info.library_name == "diffusers"


def test_base_models(hub_env: FakeHub) -> None:
    client = api(hub_env)
    gguf = client.model_info("quantfolk/breeze-7b-v0.1-gguf", expand=["baseModels", "tags", "cardData"])
    assert gguf.base_models == {"relation": "quantized", "models": [{"id": "windmill-ai/breeze-7b-v0.1"}]}
    assert "base_model:quantized:windmill-ai/breeze-7b-v0.1" in (gguf.tags or [])
    assert "license:mit" in (gguf.tags or [])
    lora = client.model_info("loraworks/herd-2-7b-sql-lora", expand=["baseModels"])
    assert lora.base_models == {"relation": "adapter", "models": [{"id": "herdlab/herd-2-7b-chat"}]}
    assert client.model_info("openlab/suite-1.4b", expand=["baseModels"]).base_models is None


def test_broken_front_matter_has_no_card_data(hub_env: FakeHub) -> None:
    info = api(hub_env).model_info("messy-lab/brokencard-1b", expand=EXPAND)  # type: ignore[arg-type]
    assert info.card_data is None
    assert not any(t.startswith("license:") for t in info.tags or [])
    assert "model.safetensors" in {s.rfilename for s in info.siblings or []}


def test_other_license_keeps_name_and_link(hub_env: FakeHub) -> None:
    info = api(hub_env).model_info("dunes-institute/kestrel-40b", expand=["cardData", "tags"])
    assert info.card_data is not None
    assert info.card_data.license == "other"
    assert info.card_data.license_name == "tii-falcon-like-license"
    assert info.card_data.license_link == "LICENSE"
    assert "license:other" in (info.tags or [])


def test_model_info_at_revisions(hub_env: FakeHub) -> None:
    client = api(hub_env)
    step = client.model_info("openlab/suite-1.4b", revision="step1000", expand=["sha"])
    assert step.sha == "ed6a34a91f1b6e915f52c1fc14bcba922706f3fe"
    by_sha = client.model_info("openlab/suite-1.4b", revision=step.sha, expand=["sha", "cardData"])
    assert by_sha.sha == step.sha and by_sha.card_data is not None
    assert client.model_info("openlab/suite-1.4b", revision="main").sha == "ea6d5665241bde1d70b2e5721314502232c7c88f"
    with pytest.raises(RevisionNotFoundError):
        client.model_info("openlab/suite-1.4b", revision="no-such-branch")
    with pytest.raises(RevisionNotFoundError):
        client.model_info("openlab/suite-1.4b", revision="refs/pr/1")
    assert ("GET", "/api/models/openlab/suite-1.4b/revision/refs%2Fpr%2F1") in hub_env.requests


def test_list_repo_refs(hub_env: FakeHub) -> None:
    refs = api(hub_env).list_repo_refs("dolmen-institute/omni-7b")
    branches = {b.name: b.target_commit for b in refs.branches}
    assert branches == {
        "main": "c8e6a33970ea0c7d6dbc1260318769d03c2d43d2",
        "step1000-tokens4B": "0006b00dcc3da90979ecd181b02f14ad197b39bd",
        "step5000-tokens21B": "fbf53adcc2cdc4a5b798eefb0bb064cf4a8ecb56",
    }
    assert refs.tags == [] and refs.converts == []
    assert all(b.ref == f"refs/heads/{b.name}" for b in refs.branches)


def test_list_repo_files_and_tree(hub_env: FakeHub) -> None:
    client = api(hub_env)
    files = client.list_repo_files("pixelforge/latent-painter-1-5")
    assert "unet/diffusion_pytorch_model.safetensors" in files and "model_index.json" in files
    top = {e.path for e in client.list_repo_tree("pixelforge/latent-painter-1-5")}
    assert {"unet", "vae", "model_index.json"} <= top and "unet/config.json" not in top
    unet = {e.path for e in client.list_repo_tree("pixelforge/latent-painter-1-5", "unet")}
    assert unet == {"unet/config.json", "unet/diffusion_pytorch_model.safetensors"}
    with pytest.raises(EntryNotFoundError):
        list(client.list_repo_tree("pixelforge/latent-painter-1-5", "nope"))


# -- errors ---------------------------------------------------------------------------------------


def test_unknown_repo(hub_env: FakeHub, tmp_path: Path) -> None:
    with pytest.raises(RepositoryNotFoundError) as excinfo:
        api(hub_env).model_info("nobody/nothing")
    assert excinfo.value.response.status_code == 401
    with pytest.raises(RepositoryNotFoundError):
        download(hub_env, "nobody/nothing", "README.md", tmp_path)
    with pytest.raises(RepositoryNotFoundError):
        api(hub_env).list_repo_refs("nobody/nothing")


def test_missing_file_and_revision(hub_env: FakeHub, tmp_path: Path) -> None:
    with pytest.raises(RemoteEntryNotFoundError):
        download(hub_env, "windmill-ai/breeze-7b-v0.1", "LICENSE", tmp_path)
    with pytest.raises(EntryNotFoundError):  # the common base class also catches it
        download(hub_env, "windmill-ai/breeze-7b-v0.1", "nested/missing.txt", tmp_path)
    with pytest.raises(RevisionNotFoundError):
        download(hub_env, "windmill-ai/breeze-7b-v0.1", "README.md", tmp_path, revision="f" * 40)


def test_gated_repo_files_unreadable_but_metadata_readable(hub_env: FakeHub, tmp_path: Path) -> None:
    info = api(hub_env).model_info("herdlab/herd-3-8b", expand=EXPAND)  # type: ignore[arg-type]
    assert info.gated == "auto"
    assert info.card_data is not None and info.card_data.license == "llama3"
    assert "model-00001-of-00004.safetensors" in {s.rfilename for s in info.siblings or []}
    with pytest.raises(GatedRepoError) as excinfo:
        download(hub_env, "herdlab/herd-3-8b", "LICENSE", tmp_path)
    assert excinfo.value.response.status_code == 401
    with pytest.raises(GatedRepoError) as excinfo:
        hf_hub_download("herdlab/herd-3-8b", "LICENSE", endpoint=hub_env.endpoint, token="hf_wrong", cache_dir=tmp_path)
    assert excinfo.value.response.status_code == 403


def test_gated_repo_files_readable_with_granted_token(hub_env: FakeHub, tmp_path: Path) -> None:
    hub_env.granted_tokens.add("hf_granted")
    path = hf_hub_download(
        "vaultlab/locked-7b", "LICENSE.md", endpoint=hub_env.endpoint, token="hf_granted", cache_dir=tmp_path
    )
    assert Path(path).read_bytes() == (HUB / "vaultlab/locked-7b/files/LICENSE.md").read_bytes()


def test_manual_gate_with_readable_files(hub_env: FakeHub, tmp_path: Path) -> None:
    path = download(hub_env, "herdlab/herd-2-7b-chat", "USE_POLICY.md", tmp_path)
    assert Path(path).read_text(encoding="utf-8").startswith("# Llama 2 Acceptable Use Policy")


def test_injected_429_then_success(hub_env: FakeHub, tmp_path: Path) -> None:
    hub_env.add_repo(
        "adhoc/rate-limited",
        {"README.md": "---\nlicense: mit\n---\n# hi\n"},
        {"fail": {"status": 429, "times": 2, "headers": {"Retry-After": "0"}}},
    )
    client = api(hub_env)
    with pytest.raises(HfHubHTTPError) as excinfo:
        client.model_info("adhoc/rate-limited")
    assert excinfo.value.response.status_code == 429
    assert excinfo.value.response.headers["Retry-After"] == "0"
    # hf_hub_download retries a 429/5xx HEAD by itself when nothing is cached (sleeping Retry-After + 1 s)
    path = download(hub_env, "adhoc/rate-limited", "README.md", tmp_path)
    assert Path(path).read_text().startswith("---\nlicense: mit")
    heads = [r for r in hub_env.requests_for("adhoc/rate-limited") if r[0] == "HEAD"]
    assert len(heads) == 2
    info = client.model_info("adhoc/rate-limited", expand=["cardData"])
    assert info.card_data is not None and info.card_data.license == "mit"


def test_persistent_error_on_download_surfaces(
    hub_env: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hub_env.add_repo("adhoc/down", {"README.md": "# down\n"}, {"fail": {"status": 429, "times": 1000}})
    monkeypatch.setattr(time, "sleep", lambda _seconds: None)  # skip the client's backoff waits
    with pytest.raises(LocalEntryNotFoundError) as excinfo:  # hf_hub_download wraps HEAD failures
        download(hub_env, "adhoc/down", "README.md", tmp_path)
    cause = excinfo.value.__cause__
    assert isinstance(cause, HfHubHTTPError) and cause.response.status_code == 429
    assert len(hub_env.requests_for("adhoc/down")) > 2  # the client retried before giving up


def test_flaky_fixture_fails_twice_then_recovers(hub_env: FakeHub) -> None:
    client = api(hub_env)
    for _ in range(2):
        with pytest.raises(HfHubHTTPError) as excinfo:
            client.model_info("flakylab/flaky-1b")
        assert excinfo.value.response.status_code == 503
    assert client.model_info("flakylab/flaky-1b").id == "flakylab/flaky-1b"
    hub_env.reset()  # failure counters start again
    with pytest.raises(HfHubHTTPError):
        client.model_info("flakylab/flaky-1b")


# -- downloads ------------------------------------------------------------------------------------


def test_hf_hub_download_at_sha(hub_env: FakeHub, tmp_path: Path) -> None:
    sha = api(hub_env).model_info("openlab/suite-1.4b", expand=["sha"]).sha
    assert sha is not None
    path = download(hub_env, "openlab/suite-1.4b", "README.md", tmp_path, revision=sha)
    assert Path(path).read_bytes() == (HUB / "openlab/suite-1.4b/files/README.md").read_bytes()
    assert sha in path
    assert ("HEAD", f"/openlab/suite-1.4b/resolve/{sha}/README.md") in hub_env.requests
    assert ("GET", f"/openlab/suite-1.4b/resolve/{sha}/README.md") in hub_env.requests
    # second call is served from the cache without touching the fake hub
    before = len(hub_env.requests)
    assert download(hub_env, "openlab/suite-1.4b", "README.md", tmp_path, revision=sha) == path
    assert len(hub_env.requests) == before


def test_download_subfolder_branch_and_placeholder(hub_env: FakeHub, tmp_path: Path) -> None:
    path = download(hub_env, "pixelforge/latent-painter-1-5", "unet/config.json", tmp_path)
    assert json.loads(Path(path).read_text())["_class_name"] == "UNet2DConditionModel"
    path = download(hub_env, "openlab/suite-1.4b", "config.json", tmp_path, revision="step2000")
    assert "572837af371558eeebab69b7ed2bb359504c0004" in path
    path = download(hub_env, "textlab/t6-base", "onnx/encoder_model.onnx", tmp_path)
    assert Path(path).read_bytes().startswith(b"placeholder for large file onnx/encoder_model.onnx")


def test_hub_env_points_default_client_at_fake(hub_env: FakeHub, tmp_path: Path) -> None:
    import os

    assert os.environ["HF_ENDPOINT"] == hub_env.endpoint
    assert os.environ["HF_HUB_DISABLE_TELEMETRY"] == "1"
    assert os.environ["HF_HUB_DISABLE_IMPLICIT_TOKEN"] == "1"
    assert "HF_TOKEN" not in os.environ and "HF_HUB_OFFLINE" not in os.environ
    assert Path(os.environ["HF_HOME"]).is_relative_to(tmp_path)
    # even without endpoint= / cache_dir= the client only talks to the fake and caches under tmp_path
    path = hf_hub_download("tinyforge/quark-2", "LICENSE")
    assert Path(path).is_relative_to(tmp_path)
    assert HfApi().model_info("tinyforge/quark-2").id == "tinyforge/quark-2"
    assert constants.HF_HUB_OFFLINE is False


def test_range_request(hub_env: FakeHub) -> None:
    from huggingface_hub.utils import get_session

    url = f"{hub_env.endpoint}/tinyforge/quark-2/resolve/main/LICENSE"
    r = get_session().get(url, headers={"Range": "bytes=0-10"})
    assert r.status_code == 206
    assert r.content == b"MIT License"
    assert r.headers["Content-Range"].startswith("bytes 0-10/")


# -- server behaviour -----------------------------------------------------------------------------


def test_latency_and_thread_safe_log(hub_env: FakeHub) -> None:
    hub_env.latency = 0.05
    client = api(hub_env)
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = list(pool.map(lambda _: client.model_info("windmill-ai/breeze-7b-v0.1").id, range(16)))
    elapsed = time.monotonic() - start
    assert ids == ["windmill-ai/breeze-7b-v0.1"] * 16
    assert elapsed >= 0.05
    assert hub_env.requests == [("GET", "/api/models/windmill-ai/breeze-7b-v0.1")] * 16
    assert len(hub_env.requests_for("windmill-ai/breeze-7b-v0.1")) == 16
    assert hub_env.errors == []


def test_standalone_hub_with_adhoc_repo(tmp_path: Path) -> None:
    with FakeHub(fixtures=None) as hub:
        assert hub.repo_ids == []
        hub.add_repo("adhoc/tiny", {"README.md": b"no front matter\n", "w/model.gguf": b"GGUF"}, {"gated": "manual"})
        info = api(hub).model_info("adhoc/tiny")
        assert info.card_data is None and info.gated == "manual"
        assert re.fullmatch(r"[0-9a-f]{40}", info.sha or "")
        assert Path(download(hub, "adhoc/tiny", "w/model.gguf", tmp_path)).read_bytes() == b"GGUF"
        hub.add_repo(
            "adhoc/gated",
            {"README.md": "---\nlicense: other\n---\n"},
            {"gated": "auto", "extra_gated_fields": {"Name": "text"}},
        )
        gated = api(hub).model_info("adhoc/gated", expand=["cardData", "gated"])
        assert gated.card_data is not None
        assert gated.card_data.to_dict()["extra_gated_fields"] == {"Name": "text"}
        endpoint = hub.endpoint
    with pytest.raises(RuntimeError):
        _ = hub.endpoint
    assert endpoint.startswith("http://127.0.0.1:")


def test_network_guard() -> None:
    assert _is_loopback("127.0.0.1") and _is_loopback("::1") and _is_loopback("localhost")
    assert not _is_loopback("192.0.2.1") and not _is_loopback("example.invalid")
    # only exercise the guard once it is known to be installed, so nothing can leave the machine
    assert socket.getaddrinfo.__module__ == "conftest"
    assert socket.socket.connect.__module__ == "conftest"
    with pytest.raises(OSError):
        socket.getaddrinfo("example.invalid", 443)


def test_dataset_ids_without_organisation(tmp_path: Path) -> None:
    """Canonical Hub datasets have one-segment ids (``the_pile``): their info and card go through huggingface_hub
    and openscore's client like ``org/name`` ids do."""
    from openscore import HubClient

    (tmp_path / "hub").mkdir()
    (tmp_path / "datasets.json").write_text(
        json.dumps({"heap": {"cardData": {"license": "mit"}, "tags": ["language:en"]}}), encoding="utf-8"
    )
    (tmp_path / "datasets" / "heap").mkdir(parents=True)
    (tmp_path / "datasets" / "heap" / "README.md").write_text("# Heap\n\nA corpus written for this test.\n")
    with FakeHub(tmp_path / "hub") as hub:
        info = HfApi(endpoint=hub.endpoint, token=False).dataset_info("heap")
        assert info.id == "heap" and info.card_data is not None and info.card_data.get("license") == "mit"
        card = hf_hub_download(
            "heap", "README.md", repo_type="dataset", endpoint=hub.endpoint, token=False, cache_dir=tmp_path / "cache"
        )
        assert "written for this test" in Path(card).read_text(encoding="utf-8")
        client = HubClient(endpoint=hub.endpoint, token=False, backoff=0.01)
        facts = client.dataset_info("heap")
        assert facts.found and facts.license == ("mit",)
        read = client.dataset_card(facts, 10_000)
        assert read.text is not None and "written for this test" in read.text, read.problem
        assert not hub.errors
