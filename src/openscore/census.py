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
   error. Each partition gives back only its row count and the base ids its derivatives name. A JSONL partition
   starts reading at its own first line (a compressed or remote file is first copied, decompressed, under
   ``_work``), so no partition reads the lines before its own;
2. each partition gives the own states of the named bases it holds, which make the base table (the bases that lie
   in the dump); each partition then regrades its derivatives of those bases with their chains, bases first, up to
   :data:`openscore.grading.MAX_LINEAGE_DEPTH` hops, so the most restrictive terms govern as for a single release
   (:func:`openscore.criteria.apply_lineage` decides, through :func:`openscore.report.build_report`), and is
   written to the table (``census.parquet``) and summed up for the report (``census.md``, ``census.html``,
   charts). A repeated id keeps all its rows, each graded on its own card; as a base, its first row counts.

A worker holds one partition at a time and the base table (the own states of the bases that lie in the dump, not
of every release, zlib-compressed: about 1.1 KB a base on the corpus); nothing is persisted in worker memory and
only the partitions' small sums come back to the client, so a worker's peak memory follows the partition size and
the number of bases, not the size of the dump.

Needs the ``census`` extra: ``pip install 'openscore[census]'``. Dask is imported only here.
"""

from __future__ import annotations

import collections
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
from collections.abc import Iterator, Mapping, Sequence
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


#: One JSONL partition: the file to read, the byte offset to start at, the lines to skip from there, the lines to
#: read, and the name of the dump file and the number of its first line there (for the ids of error rows).
_Chunk = tuple[str, int, int, int, str, int]


def _not_seekable(path: str) -> bool:
    """A file whose lines cannot be reached by a byte offset on this machine: compressed, or behind a URL."""
    return "://" in path or path.endswith(".gz")


def _jsonl_chunks(path: str, index: int, partition_rows: int | None, workers: int, spill: Path | None) -> list[_Chunk]:
    """Cut one JSONL file into partitions that each start where their first line is.

    A local uncompressed file is read where it lies, from each partition's byte offset. Any other file (compressed
    or remote) is first copied, decompressed, to ``spill`` in one pass, and read from there the same way; without
    ``spill`` each partition reads the file from its start and skips the lines before its own (the work grows with
    the number of partitions times the file: for small files only).
    """
    name = Path(path).name
    if spill is not None and _not_seekable(path):
        spill.mkdir(parents=True, exist_ok=True)
        plain = spill / f"{index:05d}.jsonl"
        with _open_bytes(path) as src, plain.open("wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        path = str(plain)
    total = _count_lines(path)
    size = partition_rows or min(PARTITION_ROWS, max(100, math.ceil(total / (16 * max(1, workers)))))
    starts = range(0, max(total, 1), size)
    if _not_seekable(path):
        return [(path, 0, s, min(size, total - s), name, s) for s in starts]
    offsets: list[int] = []
    with open(path, "rb") as fh:
        position = 0
        for number, line in enumerate(fh):
            if number % size == 0:
                offsets.append(position)
            position += len(line)
    offsets = offsets or [0]
    return [(path, offset, 0, min(size, total - s), name, s) for offset, s in zip(offsets, starts, strict=True)]


def _read_jsonl_chunk(spec: _Chunk) -> Any:
    """One partition of a JSONL(.gz) file (see :func:`_jsonl_chunks`), normalised, as a pandas DataFrame."""
    pd = importlib.import_module("pandas")
    return pd.DataFrame(_jsonl_records(spec), columns=list(_ROW_COLUMNS)).astype(_ROW_DTYPES)


def _jsonl_records(spec: _Chunk) -> list[dict[str, Any]]:
    """One partition of a JSONL(.gz) file (see :func:`_jsonl_chunks`), normalised rows (a bad line becomes an
    error row)."""
    path, offset, skip, count, name, first = spec
    rows: list[dict[str, Any]] = []
    with _open_bytes(path) as fh:
        if offset:
            fh.seek(offset)
        for number, line in enumerate(itertools.islice(fh, skip, skip + count), first):
            try:
                record = json.loads(line.decode("utf-8"))
                if not isinstance(record, dict):
                    raise ValueError("not a JSON object")
            except ValueError as exc:
                rows.append(_row(f"{name}:{number + 1}", error=f"bad JSON line: {exc}"))
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
    return rows


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


def _missing(value: Any) -> bool:
    """None or NaN (what pandas puts in a column of objects for a missing value)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def _text(value: Any) -> str | None:
    if _missing(value):
        return None
    return value if isinstance(value, str) else str(value)


def _int(value: Any) -> int | None:
    try:
        if _missing(value):
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
    return pd.DataFrame(_parquet_records(df), columns=list(_ROW_COLUMNS)).astype(_ROW_DTYPES)


def _parquet_records(df: Any) -> list[dict[str, Any]]:
    """A dump partition in the ``model_cards_with_metadata`` layout (pandas), as normalised rows."""
    pd = importlib.import_module("pandas")
    rows = []
    for raw in df.to_dict("records"):
        rec = {k: None if v is pd.NA or v is pd.NaT else v for k, v in raw.items()}
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
                created=None if created is None else str(created),
            )
        )
    return rows


def _is_jsonl(path: str) -> bool:
    return path.endswith((".jsonl", ".jsonl.gz", ".json", ".json.gz", ".ndjson"))


def read_dump(
    paths: Sequence[str],
    *,
    partition_rows: int | None = None,
    workers: int = 1,
    spill_dir: str | os.PathLike[str] | None = None,
) -> Any:
    """The dump(s) as a Dask DataFrame of normalised rows (``id, author, card, tags, ...``), lazily.

    A JSONL file is cut into partitions of ``partition_rows`` rows; by default into about sixteen partitions per
    worker (so the workers finish within a small partition of each other), of at most :data:`PARTITION_ROWS`
    rows. Each partition starts reading at its own first line: a compressed or remote JSONL file is first copied,
    decompressed, to ``spill_dir`` (which the workers must see, and which must outlive the computation). Without
    ``spill_dir``, each partition of such a file decompresses the lines before its own: fine for small files only.
    """
    dd, _, pd = _require()
    meta = pd.DataFrame({c: pd.Series(dtype=_ROW_DTYPES[c]) for c in _ROW_COLUMNS})
    spill = Path(spill_dir) if spill_dir is not None else None
    frames = []
    for index, path in enumerate(paths):
        if _is_jsonl(path):
            specs = _jsonl_chunks(path, index, partition_rows, workers, spill)
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


def _grade_partition(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stage 1: grade each normalised row of a partition on its own (a row of :data:`_STAGE1_COLUMNS` each); keep
    its own findings (``own``) for the lineage join."""
    out = []
    for row in records:
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
    return out


def _grade_chunk(spec: _Chunk, path: str) -> tuple[int, str]:
    """Stage 1 of one JSONL partition (read, graded and written: see :func:`_grade_and_write`)."""
    return _grade_and_write(_jsonl_records(spec), path)


def _grade_frame(df: Any, path: str) -> tuple[int, str]:
    """Stage 1 of one Parquet partition (a pandas DataFrame of the dump's columns: see :func:`_grade_and_write`)."""
    return _grade_and_write(_parquet_records(df), path)


def _grade_and_write(records: list[dict[str, Any]], path: str) -> tuple[int, str]:
    """Grade one partition's normalised rows and write them to ``path``; give back the row count and the base ids
    its derivatives name (joined by newlines)."""
    graded = _grade_partition(records)
    columns = {c: [row[c] for row in graded] for c in _STAGE1_COLUMNS}
    named = sorted({b for text in columns["bases"] if text for b in str(text).split("\n")})
    return _write_columns(columns, path), "\n".join(named)


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


#: A release's own state, parsed: its own findings, its relation to its bases, and its base ids.
_State = tuple[tuple[Finding, ...], Any, tuple[str, ...]]


class _Chain:
    """The releases of one derivative's chain (its own state and its ancestors', up to ``depth`` hops), graded
    bases first, each once, as :meth:`openscore.grading.Grader` does for a single release (cycle-safe).

    ``owns`` maps ids to own states (see :func:`_own_state`: the JSON text, or its zlib compression as the base
    table holds it); ``states`` caches them parsed, and may be shared by the chains of one partition (a state
    depends only on its text)."""

    def __init__(
        self, owns: Mapping[str, str | bytes], depth: int, states: dict[str | bytes, _State] | None = None
    ) -> None:
        self.owns = owns
        self.depth = depth
        self.states = {} if states is None else states
        self.done: dict[str, tuple[Report, str | None, str | None]] = {}

    def _state(self, node: str) -> _State:
        text = self.owns[node]
        state = self.states.get(text)
        if state is None:
            raw = json.loads(zlib.decompress(text) if isinstance(text, bytes) else text)
            findings = tuple(Finding.model_validate(f) for f in raw["findings"])
            state = self.states[text] = (findings, raw["relation"], tuple(raw["bases"]))
        return state

    def grade(self, node: str, chain: tuple[str, ...] = ()) -> tuple[Report, str | None, str | None]:
        """The node's report with its bases, its governing base, and the origin of its restrictive terms."""
        if node in self.done:
            return self.done[node]
        findings, relation, base_ids = self._state(node)
        bases: list[Base] = []
        governing = None
        below = (*chain, node)
        for b in base_ids[:MAX_BASES] if relation else ():
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
        release = Release(target=node, source="hub", repo_id=node, base_models=base_ids, base_model_relation=relation)
        report = build_report(release, list(findings), bases=bases)
        result = (report, governing, governing or (node if _restricts(report) else None))
        self.done[node] = result
        return result


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


def _write_columns(columns: Mapping[str, list[Any]], path: str) -> int:
    """Write one partition, given as columns of values; every column is a string except counts (so partitions
    read back alike, empty ones included)."""
    pa = importlib.import_module("pyarrow")
    pq = importlib.import_module("pyarrow.parquet")
    types = {c: pa.int64() if c in _INT_COLUMNS else pa.string() for c in columns}
    schema = pa.schema([pa.field(c, t) for c, t in types.items()])
    table = pa.Table.from_arrays([pa.array(v, type=types[c]) for c, v in columns.items()], schema=schema)
    pq.write_table(table, path)
    return int(table.num_rows)


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
    _, distributed, _ = _require()
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
    # code while the workers grade (both would otherwise wait for the other). The first tasks are sent only once
    # the workers have loaded it: a worker unpacking a task that imports a module (dask.dataframe) while its other
    # thread imports the same module can fail (seen: KeyError 'dask.dataframe', the worker lost).
    warm = [
        client.submit(_load_grading, key=f"openscore-load-{i}", workers=[address], pure=False)
        for i, address in enumerate(client.scheduler_info().get("workers", {}))
    ]
    threading.Thread(target=_load_report, daemon=True).start()
    try:
        result = _run(
            client,
            distributed,
            warm,
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
    """The modules a worker needs to grade a partition and write it."""
    importlib.import_module("pyarrow.parquet")
    importlib.import_module("openscore.probes")


def _load_report() -> None:
    with contextlib.suppress(ImportError):  # without matplotlib the report has no charts
        importlib.import_module("matplotlib.figure")  # not pyplot: the backend is chosen where charts are drawn


def _run(
    client: Any,
    distributed: Any,
    warm: list[Any],
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
    stage1 = _empty_dir(work / "stage1")
    tasks = _stage1_tasks(sources, stage1, partition_rows, threads, work / "input")
    distributed.wait(warm)
    sums = _progress(client.compute(tasks), "grading", progress_bar, distributed)
    named = set().union(*(set(text.split("\n")) - {""} for _, text in sums))
    parts = [str(p) for p in sorted(stage1.glob("*.parquet"))]
    table_dir = _empty_dir(out / "census.parquet")
    tasks = _table_tasks(parts, named, table_dir, depth)
    written = _progress(client.compute(tasks), "writing", progress_bar, distributed)
    summary = _combine_summaries([s for _, s in written])
    return write_report(summary, out, table_dir, sum(n for n, _ in written))


def _empty_dir(directory: Path) -> Path:
    """``directory``, made if missing, without the Parquet parts of an earlier run."""
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("*.parquet"):
        old.unlink()
    return directory


def _stage1_tasks(
    sources: list[str], directory: Path, partition_rows: int | None, workers: int, spill: Path
) -> list[Any]:
    """One task per partition, each grading and writing it (``part-NNNNN.parquet``). JSONL partitions are plain
    tasks (a worker grading them needs neither pandas nor dask.dataframe); Parquet partitions come from
    ``dask.dataframe.read_parquet`` (local paths, globs and fsspec URLs, cut by row groups)."""
    dask = importlib.import_module("dask")
    tasks: list[Any] = []

    def out() -> str:
        return str(directory / f"part-{len(tasks):05d}.parquet")

    for index, path in enumerate(sources):
        if _is_jsonl(path):
            for spec in _jsonl_chunks(path, index, partition_rows, workers, spill):
                tasks.append(dask.delayed(_grade_chunk)(spec, out()))
            continue
        dd, _, _ = _require()
        with dask.config.set({"dataframe.convert-string": False}):  # text stays Python strings, parsed once
            raw = dd.read_parquet(path, split_row_groups="adaptive")
            keep = [c for c in _DUMP_COLUMNS if c in raw.columns]
            for part in raw[keep].to_delayed():
                tasks.append(dask.delayed(_grade_frame)(part, out()))
    return tasks


_STAGE1_COLUMNS = (*COLUMNS, "bases", "own")
_INT_COLUMNS = ("downloads", "likes")
#: The columns a lineage join may change (the others come from the dump row).
_LINEAGE_COLUMNS = tuple(c for c in COLUMNS if c not in ("id", "author", "downloads", "likes", "created"))


def _table_tasks(parts: list[str], named: set[str], table_dir: Path, depth: int) -> list[Any]:
    """The second pass as a graph of plain tasks (``2n + 2`` for ``n`` partitions, two levels deep).

    ``named`` holds the base ids that derivatives name (given back by the first pass). Each graded partition gives
    the own states of the named bases it holds; these make the base table (the bases that lie in the dump, each
    with its own findings and its own bases, so chains of bases are followed inside it). Each partition then
    regrades its derivatives of bases in the table with their chains (bases first, up to ``depth`` hops) and is
    written to the table. A task holds one partition and the base table; none holds the dump, or the derivatives
    of other partitions.
    """
    delayed = importlib.import_module("dask").delayed
    wanted = delayed(named, pure=True)  # one task: sent to each worker once, not once per partition
    bases = delayed(_base_table)([delayed(_part_bases)(p, wanted) for p in parts])
    return [
        delayed(_write_table_part)(p, bases, str(table_dir / f"part-{i:05d}.parquet"), depth)
        for i, p in enumerate(parts)
    ]


def _part_bases(path: str, named: set[str]) -> dict[str, bytes]:
    """The own states of the named bases that one graded partition holds (an id it repeats: its first row),
    compressed: the base table goes to every worker, and zlib makes the corpus' states 3.8 times smaller."""
    pq = importlib.import_module("pyarrow.parquet")
    ids = pq.read_table(path, columns=["id"]).column("id").to_pylist()
    rows = [i for i, repo_id in enumerate(ids) if repo_id in named]
    if not rows:
        return {}
    owns = pq.read_table(path, columns=["own"]).column("own").take(rows).to_pylist()
    held: dict[str, bytes] = {}
    for repo_id, own in zip((ids[i] for i in rows), owns, strict=True):
        if own is not None and str(repo_id) not in held:
            held[str(repo_id)] = zlib.compress(str(own).encode("utf-8"))
    return held


def _base_table(held: list[dict[str, bytes]]) -> dict[str, str | bytes]:
    """The bases that lie in the dump, with their own states, compressed (an id the dump repeats: its first row)."""
    table: dict[str, str | bytes] = {}
    for part in held:
        for repo_id, own in part.items():
            table.setdefault(repo_id, own)
    return table


def _lineage_rows(
    path: str, columns: Mapping[str, list[Any]], bases: dict[str, str | bytes], depth: int
) -> dict[int, Any]:
    """The lineage columns of each row of a graded partition (by position) that derives from a base in ``bases``,
    the row regraded with its chain from its own state (a repeated id is graded on each of its cards)."""
    pq = importlib.import_module("pyarrow.parquet")
    rows = [
        i
        for i, listed in enumerate(columns["bases"])
        if isinstance(listed, str) and listed and any(b in bases for b in listed.split("\n"))
    ]
    if not rows:
        return {}
    owns = pq.read_table(path, columns=["own"]).column("own").take(rows).to_pylist()
    out: dict[int, dict[str, Any]] = {}
    states: dict[str | bytes, _State] = {}
    for i, own in zip(rows, owns, strict=True):
        if own is None:
            continue
        child = str(columns["id"][i])
        try:
            report, governing, _ = _Chain(collections.ChainMap({child: own}, bases), depth, states).grade(child)
            out[i] = _output_row({"id": child}, report, governing, None)
        except Exception as exc:  # one bad chain never loses its partition
            out[i] = _output_row({"id": child}, None, None, f"{type(exc).__name__}: {exc}")
    return out


def _write_table_part(path: str, bases: dict[str, str | bytes], out: str, depth: int) -> tuple[int, dict[str, Any]]:
    """One partition of the table: its rows, its derivatives regraded with their lineage, written; and its sums for
    the report."""
    pq = importlib.import_module("pyarrow.parquet")
    table = pq.read_table(path, columns=[*COLUMNS, "bases"])
    columns: dict[str, list[Any]] = {c: table.column(c).to_pylist() for c in (*COLUMNS, "bases")}
    for i, values in _lineage_rows(path, columns, bases, depth).items() if bases else ():
        for c in _LINEAGE_COLUMNS:
            columns[c][i] = values[c]
    del columns["bases"]
    return _write_columns(columns, out), _partial_summary(columns)


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
    partials = dask.compute(*[dask.delayed(_frame_summary)(part) for part in table.to_delayed()])
    return _combine_summaries(list(partials))


def _frame_summary(df: Any) -> dict[str, Any]:
    """The aggregates of one partition of the table, as a pandas DataFrame."""
    pd = importlib.import_module("pandas")
    return _partial_summary({c: [None if v is pd.NA or _missing(v) else v for v in df[c].tolist()] for c in _SUMMED})


#: The columns the report sums up.
_SUMMED = ("verdict", "author", "downloads", "created", "license_id", "parameters", *(f"{c}_reason" for c in CRITERIA))


def _partial_summary(columns: Mapping[str, list[Any]]) -> dict[str, Any]:
    """The aggregates of one partition of the table (its columns as lists), as plain counts: a few hundred
    bytes to send back, whatever the partition's size."""
    verdicts = [v if isinstance(v, str) else "failed" for v in columns["verdict"]]
    by_verdict: dict[str, list[int]] = {}
    for verdict, downloads in zip(verdicts, columns["downloads"], strict=True):
        entry = by_verdict.setdefault(verdict, [0, 0])
        entry[0] += 1
        entry[1] += _int(downloads) or 0
    years = [str(c)[:4] if not _missing(c) and str(c)[:4] else "unknown" for c in columns["created"]]
    open_source = Verdict.OPEN_SOURCE_AI.value
    return {
        "by_verdict": by_verdict,
        "by_year": collections.Counter(zip(years, verdicts, strict=True)),
        "by_family": collections.Counter(
            (license_family(lic), v) for lic, v in zip(columns["license_id"], verdicts, strict=True)
        ),
        "reasons": {c: collections.Counter(r for r in columns[f"{c}_reason"] if isinstance(r, str)) for c in CRITERIA},
        "orgs": collections.Counter(
            a for a, v in zip(columns["author"], verdicts, strict=True) if v == open_source and isinstance(a, str)
        ),
        "no_weight_evidence": sum(1 for p in columns["parameters"] if p == "undetermined"),
    }


def _combine_summaries(partials: list[dict[str, Any]]) -> dict[str, Any]:
    """The census' aggregates (small pandas objects, sorted) from the partitions' (see :func:`_partial_summary`)."""
    pd = importlib.import_module("pandas")
    by_verdict: dict[str, list[int]] = {}
    by_year: collections.Counter[tuple[str, str]] = collections.Counter()
    by_family: collections.Counter[tuple[str, str]] = collections.Counter()
    reasons: dict[str, collections.Counter[str]] = {c: collections.Counter() for c in CRITERIA}
    orgs: collections.Counter[str] = collections.Counter()
    for p in partials:
        for verdict, (count, downloads) in p["by_verdict"].items():
            entry = by_verdict.setdefault(verdict, [0, 0])
            entry[0] += count
            entry[1] += downloads
        by_year.update(p["by_year"])
        by_family.update(p["by_family"])
        for c in CRITERIA:
            reasons[c].update(p["reasons"][c])
        orgs.update(p["orgs"])

    def pairs(counter: collections.Counter[tuple[str, str]], first: str) -> Any:
        keys = sorted(counter)
        names = [first, "verdict"]
        index = (
            pd.MultiIndex.from_tuples(keys, names=names) if keys else pd.MultiIndex.from_arrays([[], []], names=names)
        )
        return pd.Series([counter[k] for k in keys], index=index, dtype="int64")

    def ranked(counter: collections.Counter[str]) -> Any:
        keys = sorted(counter)  # ties keep this order: the ranking is stable
        series = pd.Series([counter[k] for k in keys], index=pd.Index(keys, dtype=object), dtype="int64")
        return series.sort_values(ascending=False, kind="stable")

    verdicts = sorted(by_verdict)
    return {
        "by_verdict": pd.DataFrame(
            {"count": [by_verdict[v][0] for v in verdicts], "sum": [by_verdict[v][1] for v in verdicts]},
            index=pd.Index(verdicts, name="verdict", dtype=object),
            dtype="int64",
        ),
        "by_year": pairs(by_year, "year"),
        "by_family": pairs(by_family, "family"),
        "reasons": {c: ranked(reasons[c]) for c in CRITERIA},
        "orgs": ranked(orgs),
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
    with plt.rc_context({"svg.fonttype": "none"}):  # text as text: smaller files, and quicker to write
        return _draw_charts(plt, summary, out), None


def _draw_charts(plt: Any, summary: dict[str, Any], out: Path) -> list[Path]:
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
    return paths


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
