"""End to end through the real huggingface_hub client against the loopback fake Hub."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fakehub import FakeHub

import openscore
from openscore import HubClient, Status, Verdict

EXPECTED = json.loads((Path(__file__).parent / "fixtures" / "hub" / "expected.json").read_text())


def client(hub: FakeHub, **kwargs: object) -> HubClient:
    return HubClient(endpoint=hub.endpoint, token=False, backoff=0.01, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("repo_id", sorted(EXPECTED))
def test_fixture_verdicts(hub_env: FakeHub, repo_id: str) -> None:
    report = openscore.grade(repo_id, client=client(hub_env))
    assert report.verdict.value == EXPECTED[repo_id]["verdict"], report.verdict_reason
    assert report.source == "hub"
    assert report.revision and len(report.revision) == 40
    # the report validates against its own schema round trip
    assert openscore.Report.model_validate_json(report.to_json()).to_dict() == report.to_dict()


def test_records_the_sha_and_reads_files_at_it(hub_env: FakeHub) -> None:
    report = openscore.grade("openlab/suite-1.4b", client=client(hub_env))
    sha = hub_env.get_repo("openlab/suite-1.4b").meta["sha"]  # type: ignore[union-attr]
    assert report.revision == sha
    resolves = [p for m, p in hub_env.requests_for("openlab/suite-1.4b") if "/resolve/" in p]
    assert resolves and all(f"/resolve/{sha}/" in p for p in resolves)


def test_revision_is_passed_through(hub_env: FakeHub) -> None:
    report = openscore.grade("openlab/suite-1.4b", revision="step1000", client=client(hub_env))
    assert report.revision == "ed6a34a91f1b6e915f52c1fc14bcba922706f3fe"


def test_typical_public_release_needs_few_requests(hub_env: FakeHub) -> None:
    openscore.grade("windmill-ai/breeze-7b-v0.1", client=client(hub_env))
    api = [p for m, p in hub_env.requests if p.startswith("/api/models/")]
    assert len(api) == 1


def test_open_research_fixture_meets_every_criterion(hub_env: FakeHub) -> None:
    report = openscore.grade("openlab/suite-1.4b", client=client(hub_env))
    for name, result in report.criteria.items():
        assert result.status is Status.MET, (name, result.summary)
        assert result.remediation == ()
    assert report.open_data is True, report.open_data_reason
    ids = {f.id for f in report.findings()}
    assert {"weights-published", "data-provenance", "training-code-published", "license-declared"} <= ids


def test_gated_unreadable_files_grade_from_metadata(hub_env: FakeHub) -> None:
    report = openscore.grade("herdlab/herd-3-8b", client=client(hub_env))
    assert report.verdict is Verdict.WEIGHTS_AVAILABLE
    assert any("gated" in note for note in report.unreadable)
    # the card cannot be read, so what it says about data and code is unknown, not missing
    assert report.criteria.data_information.status is Status.UNDETERMINED
    assert report.criteria.code.status is Status.UNDETERMINED


def test_gated_without_license_is_undetermined_and_says_why(hub_env: FakeHub) -> None:
    report = openscore.grade("vaultlab/locked-7b", client=client(hub_env))
    assert report.verdict is Verdict.UNDETERMINED
    assert "license" in report.verdict_reason.lower()
    assert report.unreadable


def test_llama_like_release_names_its_restrictions(hub_env: FakeHub) -> None:
    report = openscore.grade("herdlab/herd-2-7b-chat", client=client(hub_env))
    ids = {f.id for f in report.criteria.usage_terms.findings if f.outcome is openscore.Outcome.FAIL}
    assert {"license-declared", "acceptable-use-policy", "access-terms"} <= ids
    assert report.criteria.parameters.status is Status.PARTLY_MET
    assert report.criteria.usage_terms.remediation


def test_missing_repo_revision_and_invalid_id(hub_env: FakeHub) -> None:
    c = client(hub_env)
    with pytest.raises(openscore.TargetNotFoundError):
        openscore.grade("nobody/nothing", client=c)
    with pytest.raises(openscore.RevisionNotFoundError):
        openscore.grade("openlab/suite-1.4b", revision="no-such-branch", client=c)
    with pytest.raises(openscore.InvalidTargetError):
        openscore.grade("not a repo id!", client=c)


def test_transient_faults_are_retried(hub_env: FakeHub) -> None:
    report = openscore.grade("flakylab/flaky-1b", client=client(hub_env))
    assert report.verdict is Verdict.OPEN_WEIGHTS


def test_rate_limit_that_does_not_clear_is_a_clear_error(hub_env: FakeHub) -> None:
    hub_env.add_repo(
        "busy/model",
        {"README.md": "---\nlicense: mit\n---\n", "model.safetensors": b"x"},
        {"fail": {"status": 429, "headers": {"Retry-After": "0"}, "times": 100}},
    )
    with pytest.raises(openscore.RateLimitedError) as info:
        openscore.grade("busy/model", client=client(hub_env, retries=2))
    assert "429" in str(info.value)


def test_endpoint_argument_without_client(hub_env: FakeHub) -> None:
    report = openscore.grade("tinyforge/quark-2", endpoint=hub_env.endpoint, token=False)
    assert report.verdict is Verdict.OPEN_WEIGHTS


def test_intermediate_checkpoints_are_reported_as_a_strength(hub_env: FakeHub) -> None:
    report = openscore.grade("openlab/suite-1.4b", client=client(hub_env))
    found = [f for f in report.criteria.parameters.findings if f.id == "intermediate-checkpoints"]
    assert found and "step1000" in found[0].message
    assert any(p.endswith("/refs") for _, p in hub_env.requests)


def test_dataset_classes(hub_env: FakeHub) -> None:
    report = openscore.grade("codeguild/codesmith2-3b", client=client(hub_env))
    classes = [f for f in report.criteria.data_information.findings if f.id == "dataset-classes"]
    assert classes and "codeguild/the-shelf-v2-train: public" in classes[0].message
