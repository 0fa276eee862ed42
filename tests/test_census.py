"""The census on a real ``distributed`` cluster (a scheduler and two worker processes on 127.0.0.1).

The dump is synthetic Parquet written here, in the ``librarian-bots/model_cards_with_metadata`` layout, with fixture
prose written for these tests: open releases, restrictive ones, a base-model chain under a restrictive base, a card
without a file-format tag and a broken card.
"""

from __future__ import annotations

import gzip
import json
import logging
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from corpus import CORPUS, needs_corpus

pd = pytest.importorskip("pandas", reason="the census needs pandas: pip install 'openscore[census]'")
pytest.importorskip("dask.dataframe", reason="the census needs dask: pip install 'openscore[census]'")
distributed = pytest.importorskip("distributed", reason="the census needs distributed: pip install 'openscore[census]'")
pytest.importorskip("pyarrow", reason="the census needs pyarrow: pip install 'openscore[census]'")

from openscore import grade_card  # noqa: E402
from openscore.census import iter_rows, license_family, release_from_row, repo_id_from_record, run_census  # noqa: E402
from openscore.grading import grade_release  # noqa: E402

OPEN_BODY = """
# Lantern {n}

Lantern {n} is a small text model for classifying short product reviews.

## Training data

We trained on the public review set lantern-reviews, which we collected from our own feedback form in 2022 with
consent. The data covers English reviews of kitchen tools, five to two hundred words long. Reviews were labelled by
two annotators each, and we removed duplicates and reviews with personal data before training.

## Training code

The training and data-processing code is at https://github.com/lantern-lab/lantern-train under the Apache-2.0
license.
"""


def card(license_id: str | None, n: int, *, base: str | None = None, extra: str = "") -> str:
    front = []
    if license_id:
        front.append(f"license: {license_id}")
    if base:
        front.append(f"base_model: {base}")
    front.append("datasets:\n- lantern-lab/lantern-reviews")
    return "---\n" + "\n".join(front) + "\n" + extra + "---\n" + OPEN_BODY.format(n=n)


def dump_rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def add(model_id: str, text: str | None, tags: list[str], downloads: int = 10) -> None:
        rows.append(
            {
                "modelId": model_id,
                "author": model_id.split("/")[0],
                "last_modified": pd.Timestamp("2024-03-01", tz="UTC"),
                "downloads": downloads,
                "likes": 1,
                "library_name": "transformers",
                "tags": tags,
                "pipeline_tag": "text-classification",
                "createdAt": pd.Timestamp(f"202{len(rows) % 3 + 2}-01-15", tz="UTC"),
                "card": text,
            }
        )

    for i in range(12):
        add(f"lantern-lab/lantern-{i}", card("apache-2.0", i), ["safetensors", "license:apache-2.0"], 100 + i)
    for i in range(6):
        add(f"shade-co/shade-{i}", card("cc-by-nc-4.0", i), ["pytorch", "license:cc-by-nc-4.0"], 50)
    for i in range(4):
        add(f"plain-user/untagged-{i}", card("mit", i), ["license:mit"])
    # A chain: a restrictive base, an apache-2.0 fine-tune of it, and a fine-tune of that fine-tune.
    add("shade-co/shade-base", card("cc-by-nc-4.0", 99), ["safetensors"], 1000)
    add("lantern-lab/mid-tune", card("apache-2.0", 98, base="shade-co/shade-base"), ["safetensors"])
    add(
        "lantern-lab/leaf-tune",
        card("apache-2.0", 97),
        ["safetensors", "base_model:finetune:lantern-lab/mid-tune"],
    )
    # A derivative of a base outside the dump, a gated card, a card that is missing and a broken one.
    add("lantern-lab/outside-tune", card("apache-2.0", 96, base="elsewhere/unknown-base"), ["safetensors"])
    add(
        "shade-co/gated",
        card("apache-2.0", 95, extra="extra_gated_prompt: You agree not to use this model for weapons.\n"),
        ["safetensors"],
    )
    add("plain-user/no-card", None, ["safetensors"])
    add("plain-user/broken", "---\nlicense: [apache-2.0\n  : : :\n---\n\x00\x00 not yaml {{{", ["gguf"])
    return rows


@pytest.fixture(scope="module")
def cluster(request: pytest.FixtureRequest) -> Iterator[str]:
    """A scheduler and two workers on loopback: worker processes with ``--long`` (``.ci/run`` runs this file so),
    workers in this process otherwise (the same scheduler and tasks, without starting two interpreters)."""
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=bool(request.config.getoption("--long")),
        protocol="tcp://",  # loopback TCP either way
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",  # any free port: no warning when 8787 is taken
        silence_logs=logging.ERROR,
    ) as local:
        yield local.scheduler_address


@pytest.fixture(scope="module")
def census(cluster: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, dict[str, Any]], Path]:
    root = tmp_path_factory.mktemp("census")
    dump = root / "dump"
    dump.mkdir()
    rows = dump_rows()
    pd.DataFrame(rows[:15]).to_parquet(dump / "part-0.parquet", index=False)
    pd.DataFrame(rows[15:]).to_parquet(dump / "part-1.parquet", index=False)
    out = root / "out"
    result = run_census([str(dump)], out, scheduler=cluster, progress_bar=False)
    assert result.rows == len(rows)
    table = {r["id"]: r for r in iter_rows(result.table)}
    return table, out


def test_every_row_is_graded_once(census: tuple[dict[str, dict[str, Any]], Path]) -> None:
    table, _ = census
    assert len(table) == len(dump_rows())
    assert {r["modelId"] for r in dump_rows()} == set(table)


def test_open_and_restrictive_releases(census: tuple[dict[str, dict[str, Any]], Path]) -> None:
    table, _ = census
    lantern = table["lantern-lab/lantern-0"]
    assert lantern["parameters"] == "met"
    assert lantern["license_id"] == "apache-2.0"
    assert lantern["verdict"] in ("open-source-ai", "open-weights")
    assert lantern["downloads"] == 100
    assert lantern["created"].startswith("202")
    shade = table["shade-co/shade-0"]
    assert shade["verdict"] == "weights-available"
    assert shade["usage_terms"] == "not-met"


def test_unknown_listing_is_never_closed(census: tuple[dict[str, dict[str, Any]], Path]) -> None:
    table, _ = census
    untagged = table["plain-user/untagged-0"]
    assert untagged["parameters"] == "undetermined"
    assert untagged["verdict"] == "undetermined"
    assert all(r["verdict"] != "closed" for r in table.values())


def test_restrictive_base_governs_up_the_chain(census: tuple[dict[str, dict[str, Any]], Path]) -> None:
    table, _ = census
    for child in ("lantern-lab/mid-tune", "lantern-lab/leaf-tune"):
        row = table[child]
        assert row["verdict"] == "weights-available", row
        assert row["usage_terms"] == "not-met"
        assert row["governing_base"] == "shade-co/shade-base"
        assert "license-drift" in row["deciding_findings"].split()
    assert table["shade-co/shade-base"]["governing_base"] is None
    outside = table["lantern-lab/outside-tune"]
    assert outside["governing_base"] is None
    assert outside["verdict"] != "weights-available"


def test_broken_and_missing_cards_keep_their_rows(census: tuple[dict[str, dict[str, Any]], Path]) -> None:
    table, _ = census
    for rid in ("plain-user/broken", "plain-user/no-card"):
        row = table[rid]
        assert row["verdict"] is not None or row["error"], row


def test_same_verdicts_as_single_grading(census: tuple[dict[str, dict[str, Any]], Path]) -> None:
    """Rows outside a chain in the dump get the verdict of grading the same card alone."""
    table, _ = census
    chain = {"lantern-lab/mid-tune", "lantern-lab/leaf-tune"}
    for raw in dump_rows():
        rid = raw["modelId"]
        if rid in chain:
            continue
        row = {"id": rid, "card": raw["card"], "tags": "\n".join(raw["tags"]), "library_name": raw["library_name"]}
        alone = grade_release(release_from_row(row))
        assert table[rid]["verdict"] == alone.verdict.value, rid
        for name in ("parameters", "data_information", "code", "usage_terms"):
            assert table[rid][name] == getattr(alone.criteria, name).status.value, (rid, name)
        if raw["card"] is not None and not any(t in ("safetensors", "pytorch", "gguf") for t in raw["tags"]):
            assert table[rid]["verdict"] == grade_card(raw["card"]).verdict.value, rid


def test_report_is_written(census: tuple[dict[str, dict[str, Any]], Path]) -> None:
    table, out = census
    md = (out / "census.md").read_text(encoding="utf-8")
    for name in ("data_information", "usage_terms"):  # the most common reason is the one the table counts most
        counts = Counter(r[f"{name}_reason"] for r in table.values() if r[f"{name}_reason"])
        top = max(counts.values())
        row = next(line for line in md.splitlines() if line.startswith(f"| {name.replace('_', ' ')} |"))
        assert row.split(" | ")[1] in {k for k, v in counts.items() if v == top}, (row, counts)
        assert row.split(" | ")[2] == str(top)
    assert "## Verdicts" in md and "weights-available" in md
    assert "## Most common reason each criterion falls short" in md
    assert "## Organisations by open-source-ai releases" in md
    assert (out / "census.html").read_text(encoding="utf-8").startswith("<!doctype html>")


def test_summarise_reads_a_written_table(census: tuple[dict[str, dict[str, Any]], Path]) -> None:
    """``summarise`` sums up a census table read back with Dask (Arrow strings, missing values as ``NA``) as the
    run did."""
    import dask
    import dask.dataframe as dd

    from openscore.census import summarise

    table, out = census
    with dask.config.set(scheduler="synchronous"):
        summary = summarise(dd.read_parquet(out / "census.parquet"))
    verdicts = Counter(r["verdict"] or "failed" for r in table.values())
    assert dict(summary["by_verdict"]["count"]) == dict(verdicts)
    years = Counter((r["created"] or "unknown")[:4] for r in table.values())
    assert dict(summary["by_year"].groupby(level=0).sum()) == dict(years)


def test_jsonl_with_a_bad_line(cluster: str, tmp_path: Path) -> None:
    path = tmp_path / "cards.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"file": "lantern-lab_lantern-a", "folder": "_train", "readme": card("mit", 1)}) + "\n")
        fh.write("{not json\n")
        fh.write(json.dumps({"file": "solo-model", "folder": "_noArch", "readme": card(None, 2)}) + "\n")
    result = run_census([str(path)], tmp_path / "out", scheduler=cluster, progress_bar=False, partition_rows=2)
    rows = {r["id"]: r for r in iter_rows(result.table)}
    assert set(rows) == {"lantern-lab/lantern-a", "cards.jsonl.gz:2", "solo-model"}
    assert rows["cards.jsonl.gz:2"]["error"].startswith("bad JSON line")
    assert rows["lantern-lab/lantern-a"]["verdict"] == "undetermined"
    import dask
    import dask.dataframe as dd

    from openscore.census import summarise

    with dask.config.set(scheduler="synchronous"):  # no dates in this dump: every year is unknown, not "<NA>"
        years = summarise(dd.read_parquet(result.table))["by_year"].groupby(level=0).sum()
    assert dict(years) == {"unknown": 3}


def test_helpers() -> None:
    assert repo_id_from_record({"file": "org_name_with_underscores", "folder": "_train"}) == "org/name_with_underscores"
    assert repo_id_from_record({"modelId": "a/b", "file": "x_y"}) == "a/b"
    assert license_family("cc-by-nc-4.0") == "cc-by-nc"
    assert license_family("llama3.1") == "llama"
    assert license_family(None) == "none declared"


def test_jsonl_partitions_start_at_their_own_lines(tmp_path: Path) -> None:
    """A JSONL file cut into partitions gives every line once, in order, however it is read: plain (each partition
    from its byte offset), compressed and copied decompressed beside the run, or compressed and skipped to (without
    a spill directory); a bad line, a blank one and a last line without a newline included."""
    import dask

    from openscore.census import read_dump

    lines = [json.dumps({"modelId": f"org/m-{i}", "readme": f"card {i} \u00e9"}) for i in range(11)]
    lines[4] = "{not json"
    lines[7] = ""
    text = "\n".join(lines)  # no newline after the last line
    plain = tmp_path / "cards.jsonl"
    plain.write_text(text, encoding="utf-8")
    packed = tmp_path / "cards.jsonl.gz"
    with gzip.open(packed, "wt", encoding="utf-8") as fh:
        fh.write(text)
    expected = [f"org/m-{i}" for i in range(11)]
    expected[4], expected[7] = "cards.jsonl:5", "cards.jsonl:8"
    spill = tmp_path / "spill"
    for path, spill_dir, size in ((plain, None, 3), (plain, None, 100), (packed, spill, 3), (packed, None, 4)):
        frame = read_dump([str(path)], partition_rows=size, spill_dir=spill_dir)
        with dask.config.set(scheduler="synchronous"):
            ids = list(frame.compute()["id"])
        want = [i.replace("cards.jsonl:", f"{path.name}:") for i in expected]
        assert ids == want, (path.name, spill_dir, size)
        assert frame.npartitions == -(-len(lines) // size)
    assert [p.name for p in spill.iterdir()] == ["00000.jsonl"]


@needs_corpus
def test_corpus_ids_are_repo_ids() -> None:
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        first = json.loads(fh.readline())
    assert "/" in repo_id_from_record(first)


def test_cli_without_the_extra_names_the_install(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    import openscore.census as census_module
    from openscore.cli import main

    def missing() -> Any:
        raise census_module.CensusUnavailableError("the census needs dask: pip install 'openscore[census]'")

    monkeypatch.setattr(census_module, "_require", missing)
    assert main(["census", "nowhere.parquet", "-o", "/nonexistent/out"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "pip install 'openscore[census]'" in err


def test_repeated_ids_keep_every_row_and_the_weights_note(cluster: str, tmp_path: Path, capsys: Any) -> None:
    """A dump that repeats ids (here a chain, twice) keeps every row, each with its lineage; a dump without
    file-format tags gets the report's weight-evidence line and a one-line note on stderr."""
    from openscore.cli import main

    path = tmp_path / "cards.jsonl"
    records = [
        {"modelId": "shade-co/shade-base", "readme": card("cc-by-nc-4.0", 1)},
        {"modelId": "lantern-lab/mid-tune", "readme": card("apache-2.0", 2, base="shade-co/shade-base")},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records * 2), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["census", str(path), "-o", str(out), "--scheduler", cluster, "--no-progress"]) == 0
    rows = list(iter_rows(out / "census.parquet"))
    assert len(rows) == 4
    tunes = [r for r in rows if r["id"] == "lantern-lab/mid-tune"]
    assert len(tunes) == 2
    for row in tunes:
        assert row["usage_terms"] == "not-met" and row["governing_base"] == "shade-co/shade-base", row
    assert all(r["parameters"] == "undetermined" for r in rows)
    md = (out / "census.md").read_text(encoding="utf-8")
    assert "4 of 4 releases (100.0%) have no file-format tag" in md
    assert "cannot show weights" in md
    err = [line for line in capsys.readouterr().err.splitlines() if "evidence of weights" in line]
    assert len(err) == 1 and err[0].startswith("note: 4 of 4 releases (100%)")


def test_lineage_loops_and_depth(cluster: str, tmp_path: Path) -> None:
    """A base_model loop keeps its rows; a chain is followed up to ``lineage_depth`` hops, across partitions."""
    path = tmp_path / "cards.jsonl"
    records = [
        {"modelId": "loop-lab/a", "readme": card("apache-2.0", 1, base="loop-lab/b")},
        {"modelId": "loop-lab/b", "readme": card("apache-2.0", 2, base="loop-lab/a")},
        {"modelId": "shade-co/root", "readme": card("cc-by-nc-4.0", 3)},
        {"modelId": "tune-lab/one", "readme": card("apache-2.0", 4, base="shade-co/root")},
        {"modelId": "tune-lab/two", "readme": card("apache-2.0", 5, base="tune-lab/one")},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    for depth, two_governed_by in ((1, None), (4, "shade-co/root")):
        result = run_census(
            [str(path)],
            tmp_path / f"out-{depth}",
            scheduler=cluster,
            progress_bar=False,
            partition_rows=2,
            lineage_depth=depth,
        )
        rows = {r["id"]: r for r in iter_rows(result.table)}
        assert len(rows) == len(records)
        for rid in ("loop-lab/a", "loop-lab/b"):
            assert rows[rid]["error"] is None and rows[rid]["verdict"] is not None, rows[rid]
            assert rows[rid]["governing_base"] is None
        assert rows["tune-lab/one"]["governing_base"] == "shade-co/root"
        assert rows["tune-lab/one"]["usage_terms"] == "not-met"
        assert rows["tune-lab/two"]["governing_base"] == two_governed_by, (depth, rows["tune-lab/two"])
