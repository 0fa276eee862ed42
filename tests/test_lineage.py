"""Lineage: base models followed up the chain, most restrictive terms govern, inheritance by relation."""

from __future__ import annotations

from fakehub import FakeHub

import openscore
from openscore import HubClient, Status, Verdict
from openscore.batch import grade_many
from openscore.grading import Grader


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
    # the Hub refuses connections here (conftest); short waits between the client's tries keep the test quick
    report = openscore.grade(tmp_path, client=HubClient(backoff=0.01))
    assert report.lineage[0].repo_id == "org/base" and report.lineage[0].note
    # the base binds the fine-tune: its terms unknown, the folder's terms are not "met"
    assert report.criteria.usage_terms.status is Status.UNDETERMINED
    assert report.verdict is Verdict.UNDETERMINED


def _folder(tmp_path, license: str, base: str, settings: str | None = None):  # type: ignore[no-untyped-def]
    (tmp_path / "README.md").write_text(card(license, base))
    (tmp_path / "model.safetensors").write_bytes(b"x")
    if settings is not None:
        (tmp_path / ".openscore.yaml").write_text(settings)
    return tmp_path


def test_an_open_fine_tune_of_a_restricted_base_is_never_open_in_a_folder(tmp_path, hub_env: FakeHub) -> None:  # type: ignore[no-untyped-def]
    folder = _folder(tmp_path, "apache-2.0", "herd-collective/herd-3.1-8b")
    report = Grader().grade(folder)  # online: the base is looked up on the (fake) Hub
    assert report.verdict is Verdict.WEIGHTS_AVAILABLE
    assert any(f.id == "license-drift" for f in report.criteria.usage_terms.findings)


def test_offline_folder_with_a_base_is_undetermined_and_says_how_to_settle_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    folder = _folder(tmp_path, "apache-2.0", "herd-collective/herd-3.1-8b")
    report = Grader(offline=True).grade(folder)
    assert report.verdict is Verdict.UNDETERMINED
    unknown = [f for f in report.criteria.usage_terms.findings if f.id == "base-model-unreadable"]
    assert unknown and "herd-collective/herd-3.1-8b" in unknown[0].message
    assert ".openscore.yaml" in (report.lineage[0].note or "")


def test_stated_base_terms_are_used_offline_and_checked_online(tmp_path, hub_env: FakeHub) -> None:  # type: ignore[no-untyped-def]
    restricted = "bases:\n  herd-collective/herd-3.1-8b:\n    license: llama3.1\n"
    folder = _folder(tmp_path, "apache-2.0", "herd-collective/herd-3.1-8b", restricted)
    offline = Grader(offline=True).grade(folder)
    assert offline.verdict is Verdict.WEIGHTS_AVAILABLE  # the stated terms restrict, offline too
    assert "stated in the folder's settings" in (offline.lineage[0].note or "")
    # a publisher who states open terms for a restricted base is corrected by the Hub when online
    (folder / ".openscore.yaml").write_text("bases:\n  herd-collective/herd-3.1-8b:\n    license: mit\n")
    assert Grader(offline=True).grade(folder).verdict is Verdict.OPEN_WEIGHTS
    online = Grader().grade(folder)
    assert online.verdict is Verdict.WEIGHTS_AVAILABLE
    assert "the Hub's terms are used" in (online.lineage[0].note or "")
