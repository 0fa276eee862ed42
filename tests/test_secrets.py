"""Secrets and code from strangers: a planted token never shows, and nothing from a repository is run or unpickled.

The token goes in three ways (``token=``, ``HF_TOKEN``, ``--token``) and is looked for everywhere openscore writes:
reports (JSON, text, JSONL), logs at DEBUG, exception messages, reprs and tracebacks, and every file under the caches
and ``HF_HOME``. It must be used, though: repositories whose files are readable only with it are read.
"""

from __future__ import annotations

import argparse
import json
import logging
import pickle
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakehub import FakeHub

import openscore
from openscore import HubClient, Report
from openscore.batch import grade_many
from openscore.renderers.text import render_text

TOKEN = "hf_PLANTEDsecretTOKENq8Zt3Lw0Xv5Rk2Nm7Bc9Yd4"
FRAGMENTS = (TOKEN, TOKEN[3:], "PLANTEDsecret", TOKEN[-12:])

CARD = "---\nlicense: mit\ndatasets: [openlab/heap-deduplicated]\n---\n# Secret-test model\n\n## Training data\n\nx\n"


def assert_clean(text: str, where: str) -> None:
    for fragment in FRAGMENTS:
        assert fragment not in text, f"the token leaked into {where}"


def assert_clean_exception(exc: BaseException) -> None:
    assert_clean(str(exc), "an exception message")
    assert_clean(repr(exc), "an exception repr")
    assert_clean("".join(traceback.format_exception(exc)), "a traceback (with its chained causes)")
    assert_clean(repr(vars(exc)), "an exception's attributes")


def assert_clean_report(report: Report) -> None:
    assert_clean(report.to_json(), "a JSON report")
    assert_clean(render_text(report, verbose=True), "a text report")
    assert_clean(repr(report), "a report's repr")


def assert_clean_tree(root: Path) -> int:
    """Grep every file under ``root`` (the raw bytes) for the token; return how many files were read."""
    count = 0
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            count += 1
            data = path.read_bytes()
            for fragment in FRAGMENTS:
                assert fragment.encode() not in data, f"the token leaked into {path}"
    return count


@pytest.fixture
def secret_hub(hub_env: FakeHub, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> FakeHub:
    """The fake Hub with repos that need the planted token, and every log captured at DEBUG."""
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_DEBUG", True)  # huggingface_hub then logs each request as a curl command
    caplog.set_level(logging.DEBUG)
    for name in ("huggingface_hub", "openscore", "httpx", "httpx2", "httpcore", "urllib3"):
        caplog.set_level(logging.DEBUG, logger=name)
    hub_env.add_repo("secret/open", {"README.md": CARD, "model.safetensors": b"w", "LICENSE": "MIT License\n"})
    hub_env.add_repo(
        "secret/needs-token",
        {"README.md": CARD, "model.safetensors": b"w", "LICENSE": "MIT License\n"},
        {"gated": "manual", "files_readable": False},
    )
    hub_env.add_repo("secret/flaky", {"README.md": CARD, "model.safetensors": b"w"})
    hub_env.inject("secret/flaky", "status", status=503, times=1, route="api")
    hub_env.add_repo("secret/broken", {"README.md": CARD, "model.safetensors": b"w"})
    hub_env.inject("secret/broken", "status", status=500, headers={"Retry-After": "0"}, times=None, route="api")
    hub_env.granted_tokens.add(TOKEN)
    return hub_env


def _gated_note(report: Report) -> bool:
    return any("gated" in note for note in report.unreadable)


def _grade_everything(grade: Any) -> list[BaseException]:
    """Grade the secret repos with ``grade(target)``; check the reports, return the errors raised."""
    raised: list[BaseException] = []
    readable = grade("secret/needs-token")
    assert not _gated_note(readable), "the token was not used: files of a repo that needs it were not read"
    for target in ("secret/open", "secret/flaky", "secret/needs-token"):
        assert_clean_report(grade(target))
    for target in ("secret/broken", "nobody/missing", "secret/open@nope"):
        with pytest.raises(openscore.OpenscoreError) as info:
            grade(target)
        raised.append(info.value)
    for exc in raised:
        assert_clean_exception(exc)
    return raised


def _revision_aware(fn: Any) -> Any:
    def grade(target: str) -> Report:
        repo, _, revision = target.partition("@")
        return fn(repo, revision or None)

    return grade


# ------------------------------------------------------------------------------------------- three ways in


def test_token_argument(secret_hub: FakeHub, caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    client = HubClient(
        endpoint=secret_hub.endpoint,
        token=TOKEN,
        backoff=0.01,
        retries=1,
        api_cache_dir=tmp_path / "api",
    )
    assert_clean(repr(client), "HubClient's repr")
    assert_clean(str(client), "HubClient's str")
    errors = _grade_everything(_revision_aware(lambda t, r: openscore.grade(t, revision=r, client=client)))
    assert {type(e) for e in errors} >= {openscore.TargetNotFoundError, openscore.HubUnavailableError}
    # the grade() shortcut with token= and endpoint=
    report = openscore.grade("secret/needs-token", token=TOKEN, endpoint=secret_hub.endpoint)
    assert not _gated_note(report)
    assert_clean_report(report)
    assert_clean(caplog.text, "the logs")
    assert assert_clean_tree(tmp_path) > 0
    assert_clean_tree(Path(str(secret_hub_home())))


def secret_hub_home() -> Path:
    from huggingface_hub import constants

    return Path(constants.HF_HOME)


def test_hf_token_environment(
    secret_hub: FakeHub, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from huggingface_hub import constants

    monkeypatch.setenv("HF_TOKEN", TOKEN)
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_IMPLICIT_TOKEN", False)
    client = HubClient(endpoint=secret_hub.endpoint, backoff=0.01, retries=1, api_cache_dir=tmp_path / "api")
    assert_clean(repr(client), "HubClient's repr")
    _grade_everything(_revision_aware(lambda t, r: openscore.grade(t, revision=r, client=client)))
    batch = grade_many(
        ["secret/open", "secret/needs-token", "nobody/missing", "secret/broken"],
        client=client,
        max_workers=4,
        progress_bar=False,
    )
    assert len(batch) == 4
    assert_clean(json.dumps(batch.to_records(), default=str), "batch records")
    assert_clean(repr(batch), "a batch's repr")
    assert_clean(batch._repr_html_(), "a batch's HTML summary")
    assert_clean(caplog.text, "the logs")
    assert_clean_tree(tmp_path)
    assert_clean_tree(secret_hub_home())


def _subcommands() -> set[str]:
    from openscore.cli import _parser

    for action in _parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            return set(action.choices)
    return set()


def test_cli_token(
    secret_hub: FakeHub, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from openscore.cli import main

    base = ["--token", TOKEN, "--endpoint", secret_hub.endpoint, "--cache-dir", str(tmp_path / "api")]
    targets = ["secret/open", "secret/needs-token", "nobody/missing", "secret/broken"]
    for mode in ([], ["-v"], ["--json"], ["--jsonl"]):
        status = main(["grade", *targets, *base, *mode])
        out, err = capsys.readouterr()
        assert status == 3
        assert_clean(out, f"grade {mode} stdout")
        assert_clean(err, f"grade {mode} stderr")
        assert "nobody/missing" in (out + err)
        if mode == ["--json"]:
            docs = json.loads(out)
            readable = next(d for d in docs if d.get("target") == "secret/needs-token")
            assert not any("gated" in note for note in readable["unreadable"])
    status = main(["grade", "secret/open", *base, "--revision", "no-such-revision"])
    out, err = capsys.readouterr()
    # One line of ours; huggingface_hub's HF_DEBUG request log (set by the fixture) may come too, token-free.
    ours = [line for line in err.splitlines() if not line.startswith(("Request ", "Send: "))]
    assert status == 3 and len(ours) == 1, err
    assert_clean(out + err, "a revision error")
    if "badge" in _subcommands():
        badge_file = tmp_path / "badge.svg"
        badge_args = ["--token", TOKEN, "--endpoint", secret_hub.endpoint, "-o", str(badge_file)]
        main(["badge", "secret/needs-token", *badge_args])
        out, err = capsys.readouterr()
        assert_clean(out + err, "badge output")
    assert_clean(caplog.text, "the logs")
    assert_clean_tree(tmp_path)
    assert_clean_tree(secret_hub_home())


def test_token_is_not_in_errors_of_the_client(secret_hub: FakeHub, tmp_path: Path) -> None:
    client = HubClient(endpoint=secret_hub.endpoint, token=TOKEN, backoff=0.01, retries=0)
    for call in (
        lambda: client.model_info("nobody/missing"),
        lambda: client.model_info("secret/broken"),
        lambda: client.model_info("secret/open", revision="nope"),
        lambda: client.list_branches("nobody/missing"),
    ):
        with pytest.raises(openscore.OpenscoreError) as info:
            call()
        assert_clean_exception(info.value)
    result = client.read_file("secret/needs-token", "README.md", None, 1000)
    assert result.data is not None  # read with the token
    # no file cache: the refused token must be asked, not answered from the copy read above
    denied = HubClient(endpoint=secret_hub.endpoint, token="hf_wrongTOKENnotGRANTED0000000000000", retries=0)
    result = denied.read_file("secret/needs-token", "README.md", None, 1000)
    assert result.data is None and result.problem
    assert_clean(result.problem, "a file problem")


def test_hub_client_holds_the_token_privately() -> None:
    client = HubClient(endpoint="http://127.0.0.1:9", token=TOKEN)
    public = {k: v for k, v in vars(client).items() if not k.startswith("_")}
    assert_clean(repr(public), "HubClient's public attributes")


# ------------------------------------------------------------------------------------------- nothing is executed


@pytest.fixture
def marker(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "PWNED"
    yield path
    assert not path.exists(), "code from the repository ran"


class _Evil:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (exec, (f"open({str(self.marker)!r}, 'w').write('unpickled')",))


def _malicious_files(marker: Path) -> dict[str, bytes]:
    payload = f"open({str(marker)!r}, 'w').write('executed')\n"
    return {
        "README.md": (
            "---\nlicense: mit\n"
            f'license_name: !!python/object/apply:builtins.exec ["{payload.strip()}"]\n'
            "---\n# Evil model\n\n```python\n" + payload + "```\n"
        ).encode(),
        "pytorch_model.bin": pickle.dumps(_Evil(marker)),
        "model.pkl": pickle.dumps(_Evil(marker)),
        "optimizer.pt": pickle.dumps(_Evil(marker)),
        "modeling_evil.py": payload.encode(),
        "configuration_evil.py": payload.encode(),
        "__init__.py": payload.encode(),
        "setup.py": payload.encode(),
        "sitecustomize.py": payload.encode(),
        "evil.pth": f"import os; exec({payload!r})\n".encode(),
        "config.json": json.dumps(
            {"auto_map": {"AutoModel": "modeling_evil.EvilModel", "AutoConfig": "configuration_evil.EvilConfig"}}
        ).encode(),
        "tokenizer_config.json": json.dumps({"auto_map": {"AutoTokenizer": ["modeling_evil.Tok", None]}}).encode(),
    }


def test_nothing_from_a_folder_is_executed(marker: Path, tmp_path: Path) -> None:
    folder = tmp_path / "evil-release"
    folder.mkdir()
    for name, data in _malicious_files(marker).items():
        (folder / name).write_bytes(data)
    report = openscore.grade(folder)
    assert report.criteria.parameters.findings  # the pickle is listed as a weight file, not opened
    assert "modeling_evil" not in sys.modules and "configuration_evil" not in sys.modules
    assert not marker.exists()


def test_nothing_from_the_hub_is_executed(marker: Path, hub_env: FakeHub, tmp_path: Path) -> None:
    hub_env.add_repo("evil/release", _malicious_files(marker))
    client = HubClient(endpoint=hub_env.endpoint, token=False, backoff=0.01, api_cache_dir=tmp_path / "files")
    report = openscore.grade("evil/release", client=client)
    assert report.criteria.parameters.findings
    downloaded = {p.name for p in (tmp_path / "files").rglob("*") if p.is_file()}
    assert "README.md" in downloaded  # the cache is in use, so the check below can fail
    assert not downloaded & {"pytorch_model.bin", "model.pkl", "optimizer.pt", "modeling_evil.py"}, downloaded
    assert not marker.exists()
