"""Grade labelled releases the way the Hub serves them and score the verdicts against the labels.

Shared by ``benchmarks/accuracy.py`` and the tests (``tests/test_real_cards.py``, ``tests/test_guard.py``):

- **Real cards.** A labels TSV (``../shared/eval/real-cards.tsv``, or ``tests/fixtures/real_cards/extra-labels.tsv``;
  columns ``corpus_file repo_id expected_verdict confidence data_info code why``) names real model cards of the
  shared corpus (``../shared/corpus/hub-cards-2023.jsonl.gz``). :func:`build_real_tree` writes, in a temporary
  folder only, a fake-Hub fixture tree in the layout :class:`fakehub.FakeHub` reads: ``<root>/hub/<org>/<name>/
  repo.json`` and ``files/README.md`` (the real card's text, copied into the temporary folder, never into the
  repository), ``<root>/datasets.json`` and ``<root>/datasets/<id>/README.md``, from the facts written in our own
  words in ``tests/fixtures/real_cards/`` (see its README.md). :func:`codehost_facts` turns ``codehosts.json`` into
  :class:`fakecodehost.FakeCodeHost`'s fixture format. :func:`grade_real` starts both fakes and grades every
  labelled release through the real client (``openscore.grade_many`` with a ``HubClient`` on the fake Hub).
- **Fixture sets** (the labelled fixtures ``tests/fixtures/hub``, the guard suite ``tests/fixtures/guard``): an
  ``expected.json`` of ``{repo_id: {"verdict": ..., "reason": ...}}`` next to the repositories;
  :func:`grade_fixture_set` grades them all.

:func:`overstated` is the error that matters most: a verdict more open than the label, in the order
``open-source-ai > open-weights > undetermined > weights-available > closed``. :func:`deciding_finding` names the
finding that decided a verdict (the first failing or unknown finding of the criterion that fell short).
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fakecodehost import FakeCodeHost, keep_code_hosts_local
from fakehub import FakeHub

import openscore
from openscore import HubClient
from openscore.batch import grade_many
from openscore.findings import Outcome

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
FACTS = TESTS / "fixtures" / "real_cards"
EXTRA_LABELS = FACTS / "extra-labels.tsv"
SHARED = ROOT.parent / "shared"
LABELS = SHARED / "eval" / "real-cards.tsv"
CORPUS = Path(os.environ.get("OPENSCORE_CORPUS", SHARED / "corpus" / "hub-cards-2023.jsonl.gz"))
FIXTURE_SET = TESTS / "fixtures" / "hub"
GUARD_SET = TESTS / "fixtures" / "guard" / "hub"
GUARD_CODEHOSTS = TESTS / "fixtures" / "guard" / "codehosts.json"

#: Verdicts from the most open to the least.
ORDER = ("open-source-ai", "open-weights", "undetermined", "weights-available", "closed")
_RANK = {v: len(ORDER) - i for i, v in enumerate(ORDER)}
#: The files a release without facts is served with.
DEFAULT_FILES = ("config.json", "model.safetensors")
COLUMNS = ("corpus_file", "repo_id", "expected_verdict", "confidence", "data_info", "code", "why")


def overstated(expected: str, got: str) -> bool:
    """True when ``got`` is a verdict more open than ``expected`` (a failure to grade is never overstated)."""
    return got in _RANK and expected in _RANK and _RANK[got] > _RANK[expected]


@dataclass(frozen=True)
class Label:
    """One labelled release: the verdict an expert gives it, how sure that is and why."""

    repo_id: str
    expected: str
    why: str
    confidence: str = "high"
    corpus_file: str = ""
    data_info: str = ""
    code: str = ""


@dataclass(frozen=True)
class Graded:
    """A labelled release and what openscore made of it (``report`` None when it could not be graded)."""

    label: Label
    got: str
    report: openscore.Report | None
    error: str | None = None

    @property
    def agrees(self) -> bool:
        return self.got == self.label.expected

    @property
    def overstated(self) -> bool:
        return overstated(self.label.expected, self.got)


# ------------------------------------------------------------------------------------------------ labels


def read_labels(path: Path) -> list[Label]:
    """The rows of a labels TSV (see the module docstring); a missing column is a clear error."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t")
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
        rows = []
        for row in reader:
            if not (row.get("repo_id") or "").strip():
                continue
            if row["expected_verdict"] not in ORDER:
                raise ValueError(f"{path}: {row['repo_id']}: unknown verdict {row['expected_verdict']!r}")
            rows.append(
                Label(
                    repo_id=row["repo_id"].strip(),
                    expected=row["expected_verdict"].strip(),
                    why=row["why"].strip(),
                    confidence=row["confidence"].strip(),
                    corpus_file=row["corpus_file"].strip(),
                    data_info=row["data_info"].strip(),
                    code=row["code"].strip(),
                )
            )
    return rows


def read_fixture_labels(fixtures: Path) -> list[Label]:
    """The labels of a fixture set: ``expected.json`` next to its repositories."""
    raw = json.loads((fixtures / "expected.json").read_text(encoding="utf-8"))
    return [
        Label(repo_id=k, expected=v["verdict"], why=v["reason"], confidence=v.get("confidence", "high"))
        for k, v in sorted(raw.items())
        if not k.startswith("_")
    ]


def corpus_cards(corpus: Path, files: Iterable[str]) -> dict[str, str]:
    """The README text of the corpus records whose ``file`` is one of ``files``."""
    wanted = set(files)
    found: dict[str, str] = {}
    with gzip.open(corpus, "rt", encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            name = str(record.get("file") or "")
            if name in wanted:
                found[name] = str(record.get("readme") or "")
    return found


# ------------------------------------------------------------------------------------------------ fixtures


def _facts(facts_dir: Path, name: str) -> dict[str, Any]:
    path = facts_dir / name
    if not path.is_file():
        return {}
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {k: v for k, v in raw.items() if not k.startswith("_")}


def codehost_facts(facts_dir: Path = FACTS) -> dict[str, Any]:
    """``codehosts.json`` (``{"github.com/owner/name": {"spdx": "MIT" | null, "license_name": ...}}``) in the fixture
    format of :class:`fakecodehost.FakeCodeHost`. ``spdx: null`` with a ``license_name`` is a license file GitHub
    does not identify (``NOASSERTION``); ``"license": null`` is a repository without a license file."""
    github: dict[str, Any] = {}
    gitlab: dict[str, Any] = {}
    zenodo: dict[str, Any] = {}
    for repo, fact in _facts(facts_dir, "codehosts.json").items():
        host, _, name = repo.partition("/")
        if host == "zenodo.org":  # zenodo.org/records/<id>: the record's license id
            zenodo[name.rpartition("/")[2]] = {"license": fact.get("key") or (fact.get("spdx") or "").lower() or None}
            continue
        spdx = fact.get("spdx")
        if "license" in fact and fact["license"] is None and spdx is None:
            lic: dict[str, Any] | None = None
        elif spdx:
            lic = {"spdx_id": spdx, "key": spdx.lower(), "name": fact.get("license_name") or spdx}
        else:
            lic = {"spdx_id": "NOASSERTION", "key": "other", "name": fact.get("license_name") or "Other"}
        if host == "github.com":
            github[name] = {"license": lic, "path": fact.get("path", "LICENSE")}
        elif host == "gitlab.com":
            gitlab[name] = {"license": None if lic is None else {"key": lic["key"], "nickname": lic["name"]}}
    return {"github": github, "gitlab": gitlab, "zenodo": zenodo}


def build_real_tree(root: Path, labels: Iterable[Label], cards: dict[str, str], facts_dir: Path = FACTS) -> Path:
    """Write the fake-Hub fixture tree for ``labels`` under ``root`` (a temporary folder) and return its ``hub``
    folder (what :class:`FakeHub` takes). ``cards`` maps corpus file names to card texts; a label whose card is not
    in the corpus gets no repository (grading it then fails as "not found")."""
    releases = _facts(facts_dir, "releases.json")
    hub = root / "hub"
    hub.mkdir(parents=True, exist_ok=True)
    for label in labels:
        org, sep, name = label.repo_id.partition("/")
        if not sep or not org or not name or "/" in name or name in (".", "..") or org in (".", ".."):
            raise ValueError(f"{label.repo_id!r}: real-card mode serves org/name model ids only")
        text = cards.get(label.corpus_file)
        if text is None:
            continue
        fact = releases.get(label.repo_id, {})
        meta: dict[str, Any] = {"extra_files": list(fact.get("files") or DEFAULT_FILES)}
        if fact.get("gated"):
            meta["gated"] = fact["gated"]
        for key in ("tags", "library_name", "pipeline_tag"):
            if key in fact:
                meta[key] = fact[key]
        repo = hub / org / name
        (repo / "files").mkdir(parents=True, exist_ok=True)
        (repo / "repo.json").write_text(json.dumps(meta), encoding="utf-8")
        (repo / "files" / "README.md").write_text(text, encoding="utf-8")
    datasets = _facts(facts_dir, "datasets.json")
    (root / "datasets.json").write_text(json.dumps(datasets), encoding="utf-8")
    cards_dir = facts_dir / "dataset_cards"
    if cards_dir.is_dir():
        for readme in sorted(cards_dir.rglob("README.md")):
            target = root / "datasets" / readme.parent.relative_to(cards_dir)
            target.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(readme, target / "README.md")
    return hub


@contextmanager
def code_host(facts: dict[str, Any] | None) -> Iterator[FakeCodeHost | None]:
    """The fake code host serving ``facts`` (None: a closed loopback port, every look-up "not checked"), with
    ``GITHUB_API_URL`` and ``GITLAB_API_URL`` pointing at it while the block runs (then restored)."""
    keys = ("GITHUB_API_URL", "GITLAB_API_URL", "ZENODO_API_URL", "GITHUB_TOKEN", "GH_TOKEN", "GITLAB_TOKEN")
    saved = {k: os.environ.get(k) for k in keys}
    try:
        if facts is None:
            closed = keep_code_hosts_local()  # a closed loopback port: every look-up is "not checked"
            try:
                yield None
            finally:
                if closed is not None:
                    closed.close()
            return
        with FakeCodeHost(facts) as host:
            keep_code_hosts_local(host)
            yield host
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _grade(labels: list[Label], hub_dir: Path, facts: dict[str, Any] | None, max_workers: int) -> list[Graded]:
    ids = [label.repo_id for label in labels]
    with FakeHub(hub_dir) as hub, code_host(facts):
        client = HubClient(endpoint=hub.endpoint, token=False, backoff=0.01)
        batch = grade_many(ids, client=client, max_workers=max_workers, progress_bar=False)
    graded = []
    for label, result in zip(labels, batch, strict=True):
        if isinstance(result, openscore.Report):
            graded.append(Graded(label, result.verdict.value, result))
        else:
            graded.append(Graded(label, f"failed:{result.kind}", None, result.message))
    return graded


def grade_real(
    labels: list[Label], corpus: Path = CORPUS, facts_dir: Path = FACTS, *, max_workers: int = 8
) -> list[Graded]:
    """Grade the labelled real cards through the fake Hub and the fake code host (both on 127.0.0.1)."""
    cards = corpus_cards(corpus, (label.corpus_file for label in labels))
    with tempfile.TemporaryDirectory(prefix="openscore-real-cards-") as tmp:
        hub_dir = build_real_tree(Path(tmp), labels, cards, facts_dir)
        return _grade(labels, hub_dir, codehost_facts(facts_dir), max_workers)


def grade_fixture_set(fixtures: Path, codehosts: Path | None = None, *, max_workers: int = 8) -> list[Graded]:
    """Grade a fixture set (``expected.json`` and the repositories in ``fixtures``, datasets next to it) through the
    fake Hub; code hosts served from ``codehosts`` (a FakeCodeHost fixture file), or none (every look-up "not
    checked") when it is None."""
    labels = read_fixture_labels(fixtures)
    facts = json.loads(codehosts.read_text(encoding="utf-8")) if codehosts is not None else None
    return _grade(labels, fixtures, facts, max_workers)


# ------------------------------------------------------------------------------------------------ explaining


def deciding_finding(report: openscore.Report, expected: str | None = None) -> str:
    """The finding that decided the verdict: the first failing (else unknown) finding of the criterion that fell
    short (parameters for closed, usage terms for weights-available and undetermined, else data information and
    code). For a verdict more open than ``expected`` (or for open-source-ai), the usage-terms and parameters
    findings that passed: what let it through."""
    c = report.criteria
    verdict = report.verdict.value
    let_through = verdict == "open-source-ai" or (expected is not None and overstated(expected, verdict))
    if let_through:
        order = [c.usage_terms, c.parameters] if verdict != "undetermined" else [c.parameters]
    elif verdict == "closed":
        order = [c.parameters]
    elif verdict in ("weights-available", "undetermined"):
        order = [c.usage_terms, c.parameters]
    else:
        order = [c.data_information, c.code]
    picked = []
    for result in order:
        if let_through:
            wanted: tuple[Outcome, ...] = (Outcome.PASS,)
        else:
            if result.status.value == "met":
                continue
            wanted = (Outcome.FAIL, Outcome.UNKNOWN)
        for outcome in wanted:
            hit = next((f for f in result.findings if f.outcome is outcome), None)
            if hit is not None:
                picked.append(f"{hit.id} ({hit.criterion.value} {hit.outcome.value}): {hit.message}")
                break
    return "; ".join(picked) or "(no failing finding)"
