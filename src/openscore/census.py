"""The openness census: grade every model card of a bulk Hub dump on Dask, with lineage across the whole dump.

Input is Parquet in the layout of the ``librarian-bots/model_cards_with_metadata`` dataset (``modelId, author,
last_modified, downloads, likes, library_name, tags, pipeline_tag, createdAt, card``), from local paths or any
fsspec URL (``hf://datasets/...`` goes through ``huggingface_hub``'s ``HfFileSystem``), or JSONL(.gz) with one
object a line (``file``/``folder``/``readme``, or ``modelId``/``card``). No request is made per release: the facts a
dump lacks are inferred where the Hub records them (see :func:`openscore.sources.release_from_dump_row`) and are
otherwise reported unknown.

Grading runs in two passes on a ``distributed`` cluster (a local cluster of processes by default), each one
``compute``:

1. every partition (of bounded size) is graded on its own and written to disk (under ``OUTPUT/_work``, removed
   after a run), with each release's base ids and its own findings; a card that fails becomes a row with its
   error;
2. lineage is resolved on small tables of ids: the edges from derivatives to bases that lie in the dump, followed
   by depth-limited self-joins (up to :data:`openscore.grading.MAX_LINEAGE_DEPTH` hops); only the releases on
   those chains are brought together, per derivative, and regraded with their chain, bases first, so the most
   restrictive terms govern as for a single release (:func:`openscore.criteria.apply_lineage` decides, through
   :func:`openscore.report.build_report`); an id the dump repeats is graded once and keeps all its rows. In the
   same pass every partition is written to the table (``census.parquet``) with its derivatives' lineage columns,
   and summed up for the report (``census.md``, ``census.html``, charts).

A worker holds one partition at a time, or the chain tables (ids, and the releases on chains); nothing is
persisted in worker memory and only the partitions' small sums come back to the client, so a worker's peak memory
follows the partition size, not the size of the dump.

Needs the ``census`` extra: ``pip install 'openscore[census]'``. Dask is imported only here.
"""

from __future__ import annotations

import contextlib
import html
import importlib
import itertools
import json
import logging
import math
import os
import re
import shutil
import sys
import threading
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .criteria import Base, Criteria, Verdict
from .findings import FAIL, UNKNOWN, Finding
from .grading import MAX_BASES, MAX_LINEAGE_DEPTH
from .release import Release
from .report import Report, base_entry, build_report
from .sources import release_from_dump_row

INSTALL_HINT = "pip install 'openscore[census]'"
#: Rows per partition read from JSONL (Parquet partitions follow the files' row groups).
PARTITION_ROWS = 2_000
CRITERIA = ("parameters", "data_information", "code", "usage_terms")
#: The columns of the census table, in order.
COLUMNS = (
    "id",
    "author",
    "verdict",
    *CRITERIA,
    "open_data",
    "license_id",
    "license_policy",
    "governing_base",
    "deciding_findings",
    *(f"{c}_reason" for c in CRITERIA),
    "rules_version",
    "downloads",
    "likes",
    "created",
    "error",
)
_DUMP_COLUMNS = ("modelId", "author", "downloads", "likes", "library_name", "tags", "pipeline_tag", "createdAt", "card")


class CensusUnavailableError(ImportError):
    """The ``census`` extra (dask, distributed, pyarrow) is not installed."""


def _require() -> tuple[Any, Any, Any]:
    try:
        dd = importlib.import_module("dask.dataframe")
        distributed = importlib.import_module("distributed")
        pd = importlib.import_module("pandas")
        importlib.import_module("pyarrow")
    except ImportError as exc:
        raise CensusUnavailableError(f"the census needs dask, distributed and pyarrow: {INSTALL_HINT}") from exc
    return dd, distributed, pd


# --------------------------------------------------------------------------------------------- reading dumps


def repo_id_from_record(record: dict[str, Any]) -> str:
    """The repository id of a JSONL record: ``modelId``/``id``, else ``file`` with its first ``_`` as the ``/``.

    The shared corpus names each card ``org_name`` (``folder`` is a category such as ``_train``, not an owner).
    """
    for key in ("modelId", "id", "repo_id"):
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    name = str(record.get("file") or "").strip()
    if name.endswith(".md"):
        name = name[:-3]
    if "/" in name:
        return name
    org, sep, rest = name.partition("_")
    return f"{org}/{rest}" if sep and org and rest else name or "<unnamed>"


def _open_bytes(path: str) -> Any:
    """The file as bytes (JSONL is read in binary: lines before a partition are skipped without being decoded)."""
    fsspec = importlib.import_module("fsspec")
    return fsspec.open(path, "rb", compression="gzip" if path.endswith(".gz") else None)


def _count_lines(path: str) -> int:
    with _open_bytes(path) as fh:
        return sum(1 for _ in fh)


def _read_jsonl_chunk(spec: tuple[str, int, int]) -> Any:
    """Rows ``start``..``stop`` of a JSONL(.gz) file as a normalised partition (a bad line becomes an error row)."""
    pd = importlib.import_module("pandas")
    path, start, stop = spec
    rows: list[dict[str, Any]] = []
    with _open_bytes(path) as fh:
        for number, line in enumerate(itertools.islice(fh, start, stop), start):
            try:
                record = json.loads(line.decode("utf-8"))
                if not isinstance(record, dict):
                    raise ValueError("not a JSON object")
            except ValueError as exc:
                rows.append(_row(f"{Path(path).name}:{number + 1}", error=f"bad JSON line: {exc}"))
                continue
            tags = record.get("tags")
            rows.append(
                _row(
                    repo_id_from_record(record),
                    card=_text(record.get("readme", record.get("card"))),
                    author=_text(record.get("author")),
                    tags="\n".join(t for t in tags if isinstance(t, str)) if isinstance(tags, list) else "",
                    library_name=_text(record.get("library_name")),
                    pipeline_tag=_text(record.get("pipeline_tag")),
                    downloads=record.get("downloads"),
                    likes=record.get("likes"),
                    created=_text(record.get("createdAt")),
                )
            )
    return pd.DataFrame(rows, columns=list(_ROW_COLUMNS)).astype(_ROW_DTYPES)


_ROW_COLUMNS = (
    "id",
    "author",
    "card",
    "tags",
    "library_name",
    "pipeline_tag",
    "downloads",
    "likes",
    "created",
    "error",
)
_ROW_DTYPES = {
    "id": object,
    "author": object,
    "card": object,
    "tags": object,
    "library_name": object,
    "pipeline_tag": object,
    "downloads": "Int64",
    "likes": "Int64",
    "created": object,
    "error": object,
}


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value if isinstance(value, str) else str(value)


def _int(value: Any) -> int | None:
    try:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        return int(value)
    except (TypeError, ValueError):
        return None


def _row(repo_id: str, **values: Any) -> dict[str, Any]:
    row = dict.fromkeys(_ROW_COLUMNS)
    row["id"] = repo_id
    row.update(values)
    row["downloads"] = _int(row["downloads"])
    row["likes"] = _int(row["likes"])
    return row


def _normalise_parquet(df: Any) -> Any:
    """A dump partition in the ``model_cards_with_metadata`` layout, normalised to the census' input columns."""
    pd = importlib.import_module("pandas")
    rows = []
    for rec in df.to_dict("records"):
        tags = rec.get("tags")
        tag_text = "\n".join(str(t) for t in tags) if tags is not None and not isinstance(tags, (str, float)) else ""
        created = rec.get("createdAt")
        rows.append(
            _row(
                _text(rec.get("modelId")) or "<unnamed>",
                author=_text(rec.get("author")),
                card=_text(rec.get("card")),
                tags=tag_text,
                library_name=_text(rec.get("library_name")),
                pipeline_tag=_text(rec.get("pipeline_tag")),
                downloads=rec.get("downloads"),
                likes=rec.get("likes"),
                created=None if created is None or created is pd.NaT else str(created),
            )
        )
    return pd.DataFrame(rows, columns=list(_ROW_COLUMNS)).astype(_ROW_DTYPES)


def _is_jsonl(path: str) -> bool:
    return path.endswith((".jsonl", ".jsonl.gz", ".json", ".json.gz", ".ndjson"))


def read_dump(paths: Sequence[str], *, partition_rows: int | None = None, workers: int = 1) -> Any:
    """The dump(s) as a Dask DataFrame of normalised rows (``id, author, card, tags, ...``), lazily.

    A JSONL file is cut into partitions of ``partition_rows`` rows; by default into about eight partitions per
    worker (so the workers finish together), of at most :data:`PARTITION_ROWS` rows.
    """
    dd, _, pd = _require()
    meta = pd.DataFrame({c: pd.Series(dtype=_ROW_DTYPES[c]) for c in _ROW_COLUMNS})
    frames = []
    for path in paths:
        if _is_jsonl(path):
            total = _count_lines(path)
            size = partition_rows or min(PARTITION_ROWS, max(100, math.ceil(total / (8 * max(1, workers)))))
            specs = [(path, s, min(s + size, total)) for s in range(0, max(total, 1), size)]
            frames.append(dd.from_map(_read_jsonl_chunk, specs, meta=meta, enforce_metadata=False))
        else:
            raw = dd.read_parquet(path, split_row_groups="adaptive")
            keep = [c for c in _DUMP_COLUMNS if c in raw.columns]
            frames.append(raw[keep].map_partitions(_normalise_parquet, meta=meta))
    return frames[0] if len(frames) == 1 else dd.concat(frames)


# --------------------------------------------------------------------------------------------- grading


def release_from_row(row: dict[str, Any]) -> Release:
    """The release of one normalised dump row (see :func:`openscore.sources.release_from_dump_row`)."""
    tags = [t for t in (_text(row.get("tags")) or "").split("\n") if t]
    return release_from_dump_row(
        str(row["id"]),
        _text(row.get("card")),
        tags=tags,
        library_name=_text(row.get("library_name")),
        pipeline_tag=_text(row.get("pipeline_tag")),
    )


def _deciding(criteria: Criteria) -> tuple[list[str], dict[str, str | None]]:
    ids: list[str] = []
    reasons: dict[str, str | None] = {}
    for name, result in criteria.items():
        if result.status.value == "met":
            reasons[name.value] = None
            continue
        wanted = (FAIL,) if any(f.outcome is FAIL for f in result.findings) else (UNKNOWN,)
        found = [f.id for f in result.findings if f.outcome in wanted]
        reasons[name.value] = found[0] if found else None
        ids += [f for f in found if f not in ids]
    return ids, reasons


def _output_row(row: dict[str, Any], report: Report | None, governing: str | None, error: str | None) -> dict[str, Any]:
    out: dict[str, Any] = dict.fromkeys(COLUMNS)
    repo_id = str(row["id"])
    out.update(
        id=repo_id,
        author=row.get("author") or (repo_id.split("/", 1)[0] if "/" in repo_id else None),
        downloads=_int(row.get("downloads")),
        likes=_int(row.get("likes")),
        created=row.get("created"),
        error=error,
    )
    if report is None:
        return out
    ids, reasons = _deciding(report.criteria)
    first = report.licenses[0] if report.licenses else None
    out.update(
        verdict=report.verdict.value,
        open_data="true"
        if report.open_data
        else ("unknown" if report.criteria.data_information.status.value == "undetermined" else "false"),
        license_id=first.key if first else None,
        license_policy=first.policy.value if first else None,
        governing_base=governing,
        deciding_findings=" ".join(ids),
        rules_version=report.rules_version,
    )
    for name in CRITERIA:
        out[name] = getattr(report.criteria, name).status.value
        out[f"{name}_reason"] = reasons[name]
    return out


def _restricts(report: Report) -> bool:
    return report.criteria.usage_terms.status.value == "not-met"


def _grade_partition(df: Any) -> Any:
    """Stage 1: grade each row on its own; keep its own findings (``own``) for the lineage join."""
    pd = importlib.import_module("pandas")
    out = []
    for row in df.to_dict("records"):
        extra: dict[str, Any] = {"bases": "", "own": None}
        if row.get("error"):
            out.append({**_output_row(row, None, None, row["error"]), **extra})
            continue
        try:
            release = release_from_row(row)
            findings = _findings_of(release)
            report = build_report(release, findings, bases=_not_in_dump(release))
            bases = release.base_ids()[:MAX_BASES]
            extra.update(bases="\n".join(bases) if release.relation() else "", own=_own_state(release, findings))
            out.append({**_output_row(row, report, None, None), **extra})
        except Exception as exc:  # one bad card never loses its partition
            out.append({**_output_row(row, None, None, f"{type(exc).__name__}: {exc}"), **extra})
    return pd.DataFrame(out, columns=list(_STAGE1_COLUMNS))


def _findings_of(release: Release) -> list[Finding]:
    from .probes import run_all

    return run_all(release)


def _not_in_dump(release: Release) -> list[Base]:
    """The release's bases, before lineage is joined (those in the dump are regraded with it in the second pass)."""
    relation = release.relation()
    if relation is None:
        return []
    return [Base(repo_id=b, relation=relation, note="not in the dump") for b in release.base_ids()[:MAX_BASES]]


def _own_state(release: Release, findings: list[Finding]) -> str:
    """What lineage needs of this release: its own findings (before lineage), relation and bases (JSON)."""
    return json.dumps(
        {
            "findings": [f.model_dump(mode="json") for f in findings],
            "relation": release.relation(),
            "bases": release.base_ids()[:MAX_BASES],
        }
    )


def _report_from_own(repo_id: str, state: dict[str, Any], bases: list[Base]) -> Report:
    """Rebuild a release's report from its own findings (``state``: see :func:`_own_state`) with graded bases."""
    findings = [Finding.model_validate(f) for f in state["findings"]]
    release = Release(
        target=repo_id,
        source="hub",
        repo_id=repo_id,
        base_models=tuple(state["bases"]),
        base_model_relation=state["relation"],
    )
    return build_report(release, findings, bases=bases)


class _Chain:
    """The releases of one derivative's chain (its own state and its ancestors', up to ``depth`` hops), graded
    bases first, each once, as :meth:`openscore.grading.Grader` does for a single release (cycle-safe)."""

    def __init__(self, owns: dict[str, str], depth: int) -> None:
        self.owns = owns
        self.depth = depth
        self.done: dict[str, tuple[Report, str | None, str | None]] = {}

    def grade(self, node: str, chain: tuple[str, ...] = ()) -> tuple[Report, str | None, str | None]:
        """The node's report with its bases, its governing base, and the origin of its restrictive terms."""
        if node in self.done:
            return self.done[node]
        state = json.loads(self.owns[node])
        relation = state["relation"]
        bases: list[Base] = []
        governing = None
        below = (*chain, node)
        for b in state["bases"][:MAX_BASES] if relation else []:
            if b in below:
                bases.append(Base(repo_id=b, relation=relation, note="the base_model chain loops back here", loop=True))
            elif b not in self.owns:
                bases.append(Base(repo_id=b, relation=relation, note="not in the dump"))
            elif len(below) > self.depth:
                bases.append(Base(repo_id=b, relation=relation, note=f"lineage deeper than {self.depth} not followed"))
            else:
                report, _, origin = self.grade(b, below)
                bases.append(base_entry(report, relation))
                if governing is None and _restricts(report):
                    governing = origin or b
        report = _report_from_own(node, state, bases)
        result = (report, governing, governing or (node if _restricts(report) else None))
        self.done[node] = result
        return result


def _regrade_partition(df: Any, depth: int) -> Any:
    """The lineage columns of each derivative (``child``) from the own states of its chain's releases (``node``)."""
    pd = importlib.import_module("pandas")
    out = []
    for child, group in df.groupby("child", sort=False) if len(df) else []:
        owns: dict[str, str] = {}
        for node, own in zip(group["node"], group["own"], strict=True):
            owns.setdefault(node, own)  # an id the dump repeats: graded once
        row = {"id": child}
        try:
            report, governing, _ = _Chain(owns, depth).grade(str(child))
            out.append(_output_row(row, report, governing, None))
        except Exception as exc:
            out.append(_output_row(row, None, None, f"{type(exc).__name__}: {exc}"))
    return pd.DataFrame(out, columns=list(COLUMNS))[["id", *_LINEAGE_COLUMNS]]


# --------------------------------------------------------------------------------------------- running


@dataclass
class CensusResult:
    """Where a census wrote its outputs, and its headline counts."""

    table: Path
    report_md: Path
    report_html: Path
    rows: int
    verdicts: dict[str, int] = field(default_factory=dict)
    charts: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: Rows whose weights could not be checked (no file-format tag in the dump): parameters undetermined.
    no_weight_evidence: int = 0

    def weight_evidence_note(self) -> str | None:
        """A one-line note when most rows lack weight evidence (for stderr), else None."""
        if not self.rows or self.no_weight_evidence * 2 <= self.rows:
            return None
        return (
            f"{self.no_weight_evidence:,} of {self.rows:,} releases ({self.no_weight_evidence / self.rows:.0%}) show "
            "no evidence of weights: the dump has no Hub file-format tags (safetensors, gguf, ...), so their "
            "parameters are undetermined, not closed (see the report)"
        )


def _write_part(df: Any, path: str) -> int:
    """Write one partition; every column is a string except counts (so empty partitions read back alike)."""
    pa = importlib.import_module("pyarrow")
    pq = importlib.import_module("pyarrow.parquet")
    types = {
        c: pa.int64() if c in _INT_COLUMNS else (pa.bool_() if c in ("_lineage", "changed") else pa.string())
        for c in df.columns
    }
    schema = pa.schema([pa.field(str(c), t) for c, t in types.items()])
    pq.write_table(pa.Table.from_pandas(df, schema=schema, preserve_index=False), path)
    return len(df)


def _progress(futures: Sequence[Any], desc: str, enabled: bool, distributed: Any) -> list[Any]:
    """Wait for ``futures`` with a progress bar (``huggingface_hub``'s, on stderr) counting partitions."""
    from huggingface_hub.utils import tqdm as hf_tqdm  # type: ignore[attr-defined]

    results = []
    with hf_tqdm(total=len(futures), desc=desc, unit="partition", disable=not enabled, file=sys.stderr) as bar:  # type: ignore[no-untyped-call]
        for future in distributed.as_completed(futures):
            results.append(future.result())
            bar.update(1)
    return results


def run_census(
    sources: Sequence[str | os.PathLike[str]],
    output_dir: str | os.PathLike[str],
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    partition_rows: int | None = None,
    progress_bar: bool = True,
    lineage_depth: int = MAX_LINEAGE_DEPTH,
) -> CensusResult:
    """Grade every card in ``sources`` (Parquet dumps or JSONL) and write the table and the report.

    Args:
        sources: local paths, globs or fsspec URLs (``hf://datasets/librarian-bots/model_cards_with_metadata``).
        output_dir: where ``census.parquet/``, ``census.md``, ``census.html`` and the charts go.
        workers: processes of the local cluster (default: one per core); ignored with ``scheduler``.
        scheduler: the address of an existing ``distributed`` scheduler (``tcp://host:8786``).
        partition_rows: rows per partition read from JSONL (default: enough partitions for every worker to stay
            busy, at most :data:`PARTITION_ROWS`).
        progress_bar: show progress on stderr.
        lineage_depth: how many levels of base models are joined.
    """
    _, distributed, pd = _require()
    out = Path(output_dir)
    work = out / "_work"
    out.mkdir(parents=True, exist_ok=True)
    cluster = None
    if scheduler:
        client = distributed.Client(scheduler)
    else:
        n = workers or os.cpu_count() or 1
        cluster = distributed.LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            dashboard_address="127.0.0.1:0",  # any free port: no warning when 8787 is taken
            host="127.0.0.1",
            silence_logs=logging.ERROR,
        )
        client = distributed.Client(cluster)
    # Workers load the grading code while the client reads the dump's layout, and the client loads the report's
    # code while the workers grade (both would otherwise wait for the other).
    warm = [
        client.submit(_load_grading, key=f"openscore-load-{i}", workers=[address], pure=False)
        for i, address in enumerate(client.scheduler_info().get("workers", {}))
    ]
    threading.Thread(target=_load_report, daemon=True).start()
    try:
        result = _run(
            client,
            distributed,
            pd,
            [os.fspath(s) for s in sources],
            out,
            work,
            partition_rows,
            progress_bar,
            lineage_depth,
        )
        del warm
        shutil.rmtree(work, ignore_errors=True)  # the intermediate tables (kept after a failure, for a look)
        return result
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _load_grading() -> None:
    importlib.import_module("pyarrow.parquet")
    importlib.import_module("openscore.probes")


def _load_report() -> None:
    with contextlib.suppress(ImportError):  # without matplotlib the report has no charts
        importlib.import_module("matplotlib.figure")  # not pyplot: the backend is chosen where charts are drawn


def _run(
    client: Any,
    distributed: Any,
    pd: Any,
    sources: list[str],
    out: Path,
    work: Path,
    partition_rows: int | None,
    progress_bar: bool,
    depth: int,
) -> CensusResult:
    """Two passes over the data, each one ``compute``: grade every partition and write it (``_work/stage1``); then
    regrade the derivatives whose bases lie in the dump, write the table with their lineage columns, and sum up
    each written partition (only these small sums come back to the client)."""
    threads = sum(client.nthreads().values()) or 1
    rows = read_dump(sources, partition_rows=partition_rows, workers=threads)
    graded = rows.map_partitions(_grade_partition, meta=_meta(pd, _STAGE1_COLUMNS))
    _write_frame(client, distributed, graded, work / "stage1", "grading", progress_bar)
    parts = [str(p) for p in sorted((work / "stage1").glob("*.parquet"))]
    table_dir = out / "census.parquet"
    table_dir.mkdir(parents=True, exist_ok=True)
    for old in table_dir.glob("*.parquet"):
        old.unlink()
    written = _progress(client.compute(_table_tasks(parts, table_dir, depth)), "writing", progress_bar, distributed)
    summary = _combine_summaries([s for _, s in written])
    return write_report(summary, out, table_dir, sum(n for n, _ in written))


_STAGE1_COLUMNS = (*COLUMNS, "bases", "own")
_INT_COLUMNS = ("downloads", "likes")
#: The columns a lineage join may change (the others come from the dump row).
_LINEAGE_COLUMNS = tuple(c for c in COLUMNS if c not in ("id", "author", "downloads", "likes", "created"))


def _meta(pd: Any, columns: Sequence[str]) -> Any:
    return pd.DataFrame({c: pd.Series(dtype="Int64" if c in _INT_COLUMNS else object) for c in columns})


def _write_frame(client: Any, distributed: Any, frame: Any, directory: Path, desc: str, progress_bar: bool) -> int:
    """Write ``frame`` as one Parquet file per partition (each written by the worker that computed it)."""
    delayed = importlib.import_module("dask").delayed
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("*.parquet"):
        old.unlink()
    tasks = [
        delayed(_write_part)(part, str(directory / f"part-{i:05d}.parquet"))
        for i, part in enumerate(frame.to_delayed())
    ]
    return sum(_progress(client.compute(tasks), desc, progress_bar, distributed))


def _read_part(path: str, columns: Sequence[str]) -> Any:
    """Some columns of one written partition, as pandas (text as ``object``, counts as nullable integers)."""
    pa = importlib.import_module("pyarrow")
    pd = importlib.import_module("pandas")
    pq = importlib.import_module("pyarrow.parquet")
    df = pq.read_table(path, columns=list(columns)).to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
    return df.astype({c: object for c in df.columns if c not in _INT_COLUMNS})


def _table_tasks(parts: list[str], table_dir: Path, depth: int) -> list[Any]:
    """The second pass as a graph of plain tasks (building it costs nothing, however long the chains).

    Lineage is joined on small tables of ids: each graded partition gives its derivatives' edges; the named
    bases are looked up where they lie; the edges to bases in the dump are followed up to ``depth`` hops (one
    task, ids only); then each partition sends the own states of its releases on chains to the derivatives'
    buckets (by a stable hash of the derivative's id), each bucket regrades its derivatives with their chains,
    and the lineage rows (derivatives only) go to every partition's table task. A partition task holds one
    partition; the chain tasks hold ids and the releases on chains, never the dump.
    """
    delayed = importlib.import_module("dask").delayed
    n = len(parts)
    links = [delayed(_part_links)(p) for p in parts]
    named = delayed(_named_bases)(links)
    present = [delayed(_part_present)(p, named) for p in parts]
    chains = delayed(_chains)(links, present, depth)
    picked = [delayed(_part_picks, nout=n)(p, chains, n) for p in parts]
    regraded = [delayed(_regrade_bucket)([pick[k] for pick in picked], depth) for k in range(n)]
    lineage = delayed(_concat_lineage)(regraded)
    return [
        delayed(_write_table_part)(p, lineage, str(table_dir / f"part-{i:05d}.parquet")) for i, p in enumerate(parts)
    ]


def _part_links(path: str) -> Any:
    """The (derivative, named base) edges of one graded partition."""
    pd = importlib.import_module("pandas")
    df = _read_part(path, ("id", "bases"))
    df = df[df["bases"].fillna("") != ""]
    edges = df.assign(base=df["bases"].str.split("\n")).explode("base")
    return pd.DataFrame({"child": edges["id"].astype(object), "base": edges["base"].astype(object)}).drop_duplicates()


def _named_bases(links: list[Any]) -> set[str]:
    return {str(b) for edges in links for b in edges["base"]}


def _part_present(path: str, named: set[str]) -> list[str]:
    """The named bases that one graded partition holds."""
    ids = _read_part(path, ("id",))["id"]
    return sorted({str(i) for i in ids if i in named})


def _chains(links: list[Any], present: list[list[str]], depth: int) -> Any:
    """Each derivative with the releases of its chain (itself included, ancestors up to ``depth`` hops up), as
    ``child, node`` rows: the edges to bases in the dump, followed by depth-limited self-joins."""
    pd = importlib.import_module("pandas")
    inside = {b for ids in present for b in ids}
    edges = pd.concat(links, ignore_index=True) if links else pd.DataFrame({"child": [], "base": []}, dtype=object)
    edges = edges[edges["base"].isin(inside)].drop_duplicates()
    hop = edges.rename(columns={"child": "node", "base": "next"})
    children = edges[["child"]].drop_duplicates()
    frontier = edges.rename(columns={"base": "node"})
    pairs = [children.assign(node=children["child"]), frontier]
    for _ in range(max(0, depth - 1)):
        frontier = frontier.merge(hop, on="node")[["child", "next"]].rename(columns={"next": "node"})
        frontier = frontier.drop_duplicates()
        if frontier.empty:
            break
        pairs.append(frontier)
    return pd.concat(pairs, ignore_index=True).drop_duplicates().astype(object)


def _bucket(repo_id: str, n: int) -> int:
    return zlib.crc32(repo_id.encode("utf-8")) % n


def _part_picks(path: str, chains: Any, n: int) -> tuple[Any, ...]:
    """The own states of one partition's releases on chains, as ``child, node, own`` rows split into ``n``
    buckets by derivative."""
    df = _read_part(path, ("id", "own"))
    df = df[df["own"].notnull() & df["id"].isin(set(chains["node"]))].drop_duplicates(subset="id")
    rows = chains.merge(df.rename(columns={"id": "node"}), on="node")
    keys = rows["child"].map(lambda c: _bucket(str(c), n)).astype("int64")
    return tuple(rows[keys == b] for b in range(n))


def _regrade_bucket(picks: list[Any], depth: int) -> Any:
    pd = importlib.import_module("pandas")
    return _regrade_partition(pd.concat(picks, ignore_index=True), depth)


def _concat_lineage(frames: list[Any]) -> Any:
    pd = importlib.import_module("pandas")
    final = pd.concat(frames, ignore_index=True).drop_duplicates(subset="id")
    return final.rename(columns={c: f"{c}__lineage" for c in _LINEAGE_COLUMNS}).assign(_lineage=True)


def _write_table_part(path: str, lineage: Any, out: str) -> tuple[int, dict[str, Any]]:
    """One partition of the table: its rows with their lineage columns, written; and its sums for the report."""
    df = _read_part(path, COLUMNS)
    table = _apply_lineage(df.merge(lineage, on="id", how="left") if len(lineage) else df)
    return _write_part(table, out), _partial_summary(table)


def _apply_lineage(df: Any) -> Any:
    """A table row with the lineage columns of its id, where its id has bases in the dump."""
    out = df[list(COLUMNS)].copy()
    if "_lineage" in df.columns:
        has = df["_lineage"].fillna(False).astype(bool)
        for c in _LINEAGE_COLUMNS:
            out.loc[has, c] = df.loc[has, f"{c}__lineage"]
    text = [c for c in COLUMNS if c not in _INT_COLUMNS]
    out[text] = out[text].astype(object).where(out[text].notna(), None)
    return out


# --------------------------------------------------------------------------------------------- report


def license_family(license_id: Any) -> str:
    """A license id without its version (``cc-by-nc-4.0`` → ``cc-by-nc``, ``llama3.1`` → ``llama``)."""
    if not isinstance(license_id, str) or not license_id:
        return "none declared"
    family = license_id.lower()
    while True:
        shorter = re.sub(r"(?:[-_.]?v?\d+(?:\.\d+)*)$", "", family)
        if shorter == family or not shorter:
            return family
        family = shorter


def summarise(table: Any) -> dict[str, Any]:
    """The census' aggregates (small pandas objects) from the table (a Dask DataFrame), summed partition by
    partition."""
    dask = importlib.import_module("dask")
    partials = dask.compute(*[dask.delayed(_partial_summary)(part) for part in table.to_delayed()])
    return _combine_summaries(list(partials))


def _partial_summary(df: Any) -> dict[str, Any]:
    """The aggregates of one partition of the table (a pandas DataFrame)."""
    t = df.assign(
        verdict=df["verdict"].fillna("failed"),
        year=df["created"].fillna("").astype(str).str.slice(0, 4).replace("", "unknown"),
        family=df["license_id"].map(license_family),
        downloads=df["downloads"].fillna(0).astype("int64"),
    )
    return {
        "by_verdict": t.groupby("verdict")["downloads"].agg(["count", "sum"]),
        "by_year": t.groupby(["year", "verdict"]).size(),
        "by_family": t.groupby(["family", "verdict"]).size(),
        "reasons": {c: t[f"{c}_reason"].dropna().value_counts() for c in CRITERIA},
        "orgs": t[t["verdict"] == Verdict.OPEN_SOURCE_AI.value]["author"].dropna().value_counts(),
        "no_weight_evidence": int((t["parameters"] == "undetermined").sum()),
    }


def _combine_summaries(partials: list[dict[str, Any]]) -> dict[str, Any]:
    """The census' aggregates from the partitions' (see :func:`_partial_summary`)."""
    pd = importlib.import_module("pandas")
    if not partials:
        partials = [_partial_summary(_meta(pd, COLUMNS))]

    def total(key: str, levels: int) -> Any:
        frames = [p[key] for p in partials]
        return pd.concat(frames).groupby(level=list(range(levels))).sum()

    def counts(values: list[Any]) -> Any:
        both = pd.concat(values)
        return both.groupby(level=0).sum().sort_values(ascending=False, kind="stable") if len(both) else both

    return {
        "by_verdict": total("by_verdict", 1),
        "by_year": total("by_year", 2),
        "by_family": total("by_family", 2),
        "reasons": {c: counts([p["reasons"][c] for p in partials]) for c in CRITERIA},
        "orgs": counts([p["orgs"] for p in partials]),
        "no_weight_evidence": sum(p["no_weight_evidence"] for p in partials),
    }


_ORDER = [v.value for v in Verdict] + ["failed"]


def _md_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in r) + " |" for r in rows]
    return "\n".join(lines)


def _tables(summary: dict[str, Any]) -> list[tuple[str, list[str], list[list[Any]]]]:
    bv = summary["by_verdict"]
    total = int(bv["count"].sum()) or 1
    dl_total = int(bv["sum"].sum()) or 1
    verdicts = [v for v in _ORDER if v in bv.index]
    out: list[tuple[str, list[str], list[list[Any]]]] = [
        (
            "Verdicts",
            ["verdict", "releases", "share", "downloads", "share of downloads"],
            [
                [
                    v,
                    int(bv.loc[v, "count"]),
                    f"{bv.loc[v, 'count'] / total:.1%}",
                    int(bv.loc[v, "sum"]),
                    f"{bv.loc[v, 'sum'] / dl_total:.1%}",
                ]
                for v in verdicts
            ],
        )
    ]
    for key, title, label in (
        ("by_year", "Verdicts by year created", "year"),
        ("by_family", "Verdicts by license family (top 15)", "license family"),
    ):
        wide = summary[key].unstack(fill_value=0)
        cols = [v for v in _ORDER if v in wide.columns]
        wide = wide.assign(_total=wide.sum(axis=1))
        wide = wide.sort_values("_total", ascending=False).head(15) if key == "by_family" else wide.sort_index()
        out.append(
            (
                title,
                [label, *cols, "total"],
                [[str(i), *(int(wide.loc[i, c]) for c in cols), int(wide.loc[i, "_total"])] for i in wide.index],
            )
        )
    reason_rows = []
    for c in CRITERIA:
        counts = summary["reasons"][c]
        if len(counts):
            reason_rows.append([c.replace("_", " "), str(counts.index[0]), int(counts.iloc[0]), int(counts.sum())])
        else:
            reason_rows.append([c.replace("_", " "), "-", 0, 0])
    out.append(
        (
            "Most common reason each criterion falls short",
            ["criterion", "finding", "releases", "releases falling short"],
            reason_rows,
        )
    )
    orgs = summary["orgs"].head(20)
    out.append(
        (
            "Organisations by open-source-ai releases (top 20)",
            ["organisation", "releases"],
            [[str(k), int(v)] for k, v in orgs.items()],
        )
    )
    return out


def _charts(summary: dict[str, Any], out: Path) -> tuple[list[Path], str | None]:
    try:
        importlib.import_module("matplotlib").use("Agg")
        plt = importlib.import_module("matplotlib.pyplot")
    except ImportError:
        return [], "matplotlib is not installed, so the report has no charts (pip install 'openscore[plot]')"
    from .renderers.style import VERDICT_COLORS

    paths = []
    bv = summary["by_verdict"]
    verdicts = [v for v in _ORDER if v in bv.index]
    colors = [VERDICT_COLORS.get(v, "#999999") for v in verdicts]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.6))
    left.barh(verdicts, [int(bv.loc[v, "count"]) for v in verdicts], color=colors)
    left.invert_yaxis()
    left.set_title("Releases by verdict")
    right.barh(verdicts, [int(bv.loc[v, "sum"]) for v in verdicts], color=colors)
    right.invert_yaxis()
    right.set_title("Downloads by verdict")
    fig.tight_layout()
    paths.append(out / "verdicts.svg")
    fig.savefig(paths[-1])
    plt.close(fig)
    for key, name, title in (
        ("by_year", "years.svg", "Verdicts by year created"),
        ("by_family", "families.svg", "Verdicts by license family (top 15)"),
    ):
        wide = summary[key].unstack(fill_value=0)
        cols = [v for v in _ORDER if v in wide.columns]
        wide = wide[cols]
        if key == "by_family":
            wide = wide.loc[wide.sum(axis=1).sort_values(ascending=False).index[:15]]
        else:
            wide = wide.sort_index()
        fig, ax = plt.subplots(figsize=(11, 4))
        bottom = [0] * len(wide)
        labels = [str(i) for i in wide.index]
        for v in cols:
            values = [int(x) for x in wide[v]]
            ax.bar(labels, values, bottom=bottom, label=v, color=VERDICT_COLORS.get(v, "#999999"))
            bottom = [b + x for b, x in zip(bottom, values, strict=True)]
        ax.set_title(title)
        ax.legend(fontsize="small")
        ax.tick_params(axis="x", labelrotation=45)
        fig.tight_layout()
        paths.append(out / name)
        fig.savefig(paths[-1])
        plt.close(fig)
    return paths, None


def write_report(summary: dict[str, Any], out: Path, table_dir: Path, rows: int) -> CensusResult:
    """Write ``census.md`` and ``census.html`` (with SVG charts next to them when matplotlib is installed)."""
    from .criteria import rules_version

    charts, note = _charts(summary, out)
    tables = _tables(summary)
    intro = (
        f"{rows:,} releases graded against OSAID 1.0 (rules {rules_version()}) from a bulk dump of Hub model cards. "
        "A dump holds no file listing: weights count as published only when the Hub's file-format tags show them, "
        "otherwise parameters are undetermined (never closed). Full table: `census.parquet/`."
    )
    missing = int(summary.get("no_weight_evidence", 0))
    evidence = (
        f"Weight evidence: {missing:,} of {rows:,} releases ({missing / max(rows, 1):.1%}) have no file-format tag, "
        "so whether their weights are published could not be checked and their parameters criterion is "
        "undetermined. A dump without the Hub's file-format tags (such as a JSONL export of cards alone) cannot "
        "show weights: its releases come out undetermined for lack of evidence, not because they are closed."
    )
    md = ["# Openness census", "", intro, "", f"**{evidence}**", ""]
    if note:
        md += [f"_{note}._", ""]
    for c in charts:
        md += [f"![{c.stem}]({c.name})", ""]
    for title, header, body in tables:
        md += [f"## {title}", "", _md_table(header, body), ""]
    report_md = out / "census.md"
    report_md.write_text("\n".join(md), encoding="utf-8")
    h = [
        "<!doctype html><html><head><meta charset='utf-8'><title>Openness census</title>",
        "<style>body{font-family:sans-serif;max-width:70em;margin:auto}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}</style></head><body>",
        "<h1>Openness census</h1>",
        f"<p>{html.escape(intro)}</p>",
        f"<p><strong>{html.escape(evidence)}</strong></p>",
    ]
    if note:
        h.append(f"<p><em>{html.escape(note)}.</em></p>")
    h += [f"<img src='{html.escape(c.name)}' alt='{html.escape(c.stem)}'>" for c in charts]
    for title, header, body in tables:
        h.append(
            f"<h2>{html.escape(title)}</h2><table><tr>"
            + "".join(f"<th>{html.escape(x)}</th>" for x in header)
            + "</tr>"
        )
        h += ["<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in body]
        h.append("</table>")
    h.append("</body></html>")
    report_html = out / "census.html"
    report_html.write_text("\n".join(h), encoding="utf-8")
    bv = summary["by_verdict"]
    return CensusResult(
        table=table_dir,
        report_md=report_md,
        report_html=report_html,
        rows=rows,
        verdicts={str(k): int(bv.loc[k, "count"]) for k in bv.index},
        charts=charts,
        notes=[note] if note else [],
        no_weight_evidence=missing,
    )


def iter_rows(table_dir: str | os.PathLike[str]) -> Iterator[dict[str, Any]]:
    """The rows of a census table, one dict each, missing values as ``None`` (reads one part file at a time)."""
    pq = importlib.import_module("pyarrow.parquet")
    for part in sorted(Path(table_dir).glob("*.parquet")):
        yield from pq.read_table(part).to_pylist()


def main_error(exc: BaseException) -> str:
    """A one-line message for the command line."""
    return f"openscore: {exc}" if isinstance(exc, CensusUnavailableError) else f"openscore: census failed: {exc}"


__all__ = [
    "COLUMNS",
    "CensusResult",
    "CensusUnavailableError",
    "license_family",
    "read_dump",
    "release_from_row",
    "repo_id_from_record",
    "run_census",
    "summarise",
    "write_report",
]
