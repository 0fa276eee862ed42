"""Lineage: base models followed up the chain, most restrictive terms govern, inheritance by relation."""

from __future__ import annotations

from fakehub import FakeHub

import openscore
from openscore import HubClient, Status, Verdict
from openscore.batch import grade_many


def client(hub: FakeHub) -> HubClient:
    return HubClient(endpoint=hub.endpoint, token=False, backoff=0.01)


def card(license: str, base: str | list[str] | None = None, relation: str | None = None, body: str = "") -> str:
    lines = ["---", f"license: {license}"]
    if base is not None:
        lines.append(f"base_model: {base}")
    if relation:
        lines.append(f"base_model_relation: {relation}")
    return "\n".join([*lines, "---", body])


def test_apache_finetune_of_llama_like_base_is_weights_available(hub_env: FakeHub) -> None:
    hub_env.add_repo("drift/ft", {"README.md": card("apache-2.0", "herdlab/herd-2-7b-chat"), "model.safetensors": b"x"})
    report = openscore.grade("drift/ft", client=client(hub_env))
    assert report.verdict is Verdict.WEIGHTS_AVAILABLE
    assert report.relation == "finetune"
    assert [b.repo_id for b in report.lineage] == ["herdlab/herd-2-7b-chat"]
    assert any(f.id == "license-drift" for f in report.criteria.usage_terms.findings)


def test_quantized_release_inherits_data_and_code(hub_env: FakeHub) -> None:
    hub_env.add_repo(
        "quant/suite-gguf",
        {"README.md": card("apache-2.0", "openlab/suite-1.4b", "quantized", "# GGUF files"), "m.Q4_K_M.gguf": b"x"},
    )
    report = openscore.grade("quant/suite-gguf", client=client(hub_env))
    assert report.criteria.data_information.status is Status.MET
    assert report.criteria.code.status is Status.MET
    assert report.verdict is Verdict.OPEN_SOURCE_AI


def test_restriction_is_inherited_two_levels_up(hub_env: FakeHub) -> None:
    hub_env.add_repo("chain/ft", {"README.md": card("mit", "herdlab/herd-2-7b-chat"), "model.safetensors": b"x"})
    hub_env.add_repo("chain/q", {"README.md": card("mit", "chain/ft", "quantized"), "model.gguf": b"x"})
    report = openscore.grade("chain/q", client=client(hub_env))
    assert report.verdict is Verdict.WEIGHTS_AVAILABLE
    assert [(b.repo_id, b.depth) for b in report.lineage] == [("chain/ft", 1), ("herdlab/herd-2-7b-chat", 2)]


def test_cycles_and_missing_bases_never_hang_or_crash(hub_env: FakeHub) -> None:
    hub_env.add_repo("loop/a", {"README.md": card("mit", "loop/b"), "model.safetensors": b"x"})
    hub_env.add_repo("loop/b", {"README.md": card("mit", "loop/a"), "model.safetensors": b"x"})
    hub_env.add_repo("lost/child", {"README.md": card("mit", "nobody/base"), "model.safetensors": b"x"})
    batch = grade_many(["loop/a", "loop/b", "lost/child"], client=client(hub_env), progress_bar=False)
    assert not batch.failures
    lost = batch[2]
    assert isinstance(lost, openscore.Report)
    # A base that cannot be fetched is never dropped: its terms bind the derivative, so they stay undetermined.
    assert lost.lineage[0].note and lost.verdict is Verdict.UNDETERMINED
    assert any(f.id == "base-model-unreadable" for f in lost.criteria.usage_terms.findings)


def test_each_base_is_fetched_once_per_batch(hub_env: FakeHub) -> None:
    for i in range(3):
        hub_env.add_repo(f"many/ft{i}", {"README.md": card("mit", "tinyforge/quark-2"), "model.safetensors": b"x"})
    grade_many([f"many/ft{i}" for i in range(3)], client=client(hub_env), progress_bar=False)
    info_calls = [p for _, p in hub_env.requests if p.startswith("/api/models/tinyforge/quark-2")]
    assert len(info_calls) == 1


def test_folder_lists_bases_without_network(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "README.md").write_text(card("mit", "org/base"))
    (tmp_path / "model.safetensors").write_bytes(b"x")
    report = openscore.grade(tmp_path)
    assert report.lineage[0].repo_id == "org/base" and report.lineage[0].note
