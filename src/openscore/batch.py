"""Batches: grade many releases concurrently, keep every result, and look at them together.

One bad release never loses the others: a target that cannot be graded becomes a :class:`Failure` with its
kind and reason, in its place in the input order. Dataset look-ups are shared within a batch.
"""

from __future__ import annotations

import importlib
import json
import os
from collections import Counter, deque
from collections.abc import Generator, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

from . import errors
from .criteria import Verdict
from .grading import Grader
from .hub import HubClient, ModelFacts, progress
from .report import Report


@dataclass(frozen=True)
class Failure:
    """A target that could not be graded: what it was, the error kind (``not-found``, ``gated``, ...) and why."""

    target: str
    kind: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        """As plain data: ``{"target": ..., "error": {"kind": ..., "message": ...}}``."""
        return {"target": self.target, "error": {"kind": self.kind, "message": self.message}}


Result = Report | Failure

_CRITERIA = ("parameters", "data_information", "code", "usage_terms")


class BatchResult(Sequence[Result]):
    """The results of a batch, in input order: a :class:`~openscore.Report` or a :class:`Failure` for each.

    In a notebook it shows as a summary table; ``to_records()``, ``to_pandas()``, ``verdict_counts()`` and
    ``plot()`` help look at the batch as a whole.
    """

    def __init__(self, results: Iterable[Result]) -> None:
        self._results = list(results)

    @overload
    def __getitem__(self, index: int) -> Result: ...
    @overload
    def __getitem__(self, index: slice) -> BatchResult: ...
    def __getitem__(self, index: int | slice) -> Result | BatchResult:
        if isinstance(index, slice):
            return BatchResult(self._results[index])
        return self._results[index]

    def __len__(self) -> int:
        return len(self._results)

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}={v}" for k, v in self.verdict_counts().items())
        return f"<BatchResult {len(self)} targets: {counts}>"

    @property
    def reports(self) -> list[Report]:
        """The graded releases."""
        return [r for r in self._results if isinstance(r, Report)]

    @property
    def failures(self) -> list[Failure]:
        """The targets that could not be graded."""
        return [r for r in self._results if isinstance(r, Failure)]

    def verdict_counts(self) -> Counter[str]:
        """How many releases got each verdict (failures counted as ``failed``), most open first."""
        raw = Counter(r.verdict.value if isinstance(r, Report) else "failed" for r in self._results)
        order = [v.value for v in Verdict] + ["failed"]
        return Counter({k: raw[k] for k in order if raw[k]})

    def to_records(self) -> list[dict[str, Any]]:
        """One flat dict per target: verdict, the four statuses, open_data, licenses, or the error."""
        rows: list[dict[str, Any]] = []
        for r in self._results:
            if isinstance(r, Report):
                row: dict[str, Any] = {
                    "target": r.target,
                    "repo_id": r.repo_id,
                    "revision": r.revision,
                    "verdict": r.verdict.value,
                    "open_data": r.open_data,
                }
                for name in _CRITERIA:
                    row[name] = getattr(r.criteria, name).status.value
                row["licenses"] = ", ".join(lic.key for lic in r.licenses)
                row["error_kind"] = None
                row["error"] = None
                row["rules_version"] = r.rules_version
            else:
                row = {"target": r.target, "repo_id": None, "revision": None, "verdict": None, "open_data": None}
                for name in _CRITERIA:
                    row[name] = None
                row.update(licenses=None, error_kind=r.kind, error=r.message, rules_version=None)
            rows.append(row)
        return rows

    def to_pandas(self) -> Any:
        """The records as a ``pandas.DataFrame`` (needs the ``pandas`` extra: ``pip install 'openscore[pandas]'``)."""
        try:
            pd = importlib.import_module("pandas")
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("to_pandas() needs pandas: pip install 'openscore[pandas]'") from exc
        return pd.DataFrame.from_records(self.to_records())

    def plot(self) -> Any:
        """A matplotlib figure: verdict counts, and each criterion's statuses across the batch (``[plot]`` extra).

        The figure is returned and not left open in pyplot's state: as a notebook cell's last line it shows once;
        elsewhere save it with ``figure.savefig(path)``.
        """
        try:
            plt = importlib.import_module("matplotlib.pyplot")
            ticker = importlib.import_module("matplotlib.ticker")
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("plot() needs matplotlib: pip install 'openscore[plot]'") from exc
        from .renderers.style import STATUS_COLORS, VERDICT_COLORS

        # pyplot makes the figure (so a notebook's inline backend knows how to show it), then lets go of it: the
        # cell's result shows it once, and the inline backend does not show it a second time.
        fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.6), layout="constrained")
        plt.close(fig)
        counts = self.verdict_counts()
        names = list(counts)
        left.barh(names, [counts[n] for n in names], color=[VERDICT_COLORS.get(n, "#999999") for n in names])
        left.invert_yaxis()
        left.set_title("Verdicts")
        left.set_xlabel("releases")
        left.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
        reports = self.reports
        statuses = ["met", "partly-met", "not-met", "undetermined"]
        bottoms = [0] * len(_CRITERIA)
        for status in statuses:
            values = [sum(1 for r in reports if getattr(r.criteria, c).status.value == status) for c in _CRITERIA]
            right.bar(
                [c.replace("_", "\n") for c in _CRITERIA],
                values,
                bottom=bottoms,
                label=status,
                color=STATUS_COLORS[status],
            )
            bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
        right.set_title("Criteria")
        right.set_xlabel("criterion")
        right.set_ylabel("graded releases")
        right.yaxis.set_major_locator(ticker.MaxNLocator(integer=True))
        right.legend(title="status", fontsize="small", loc="upper left", bbox_to_anchor=(1.02, 1), borderaxespad=0)
        return fig

    def _repr_html_(self) -> str:
        from .renderers.html import render_summary_html

        return render_summary_html([r if isinstance(r, Report) else (r.target, r.kind, r.message) for r in self])


def _safe_grade(grader: Grader, target: str | ModelFacts, revision: str | None) -> Result:
    name = target.repo_id if isinstance(target, ModelFacts) else os.fspath(target)
    try:
        if isinstance(target, ModelFacts):
            return grader.grade_facts(target)
        return grader.grade(target, revision=revision)
    except errors.OpenscoreError as exc:
        return Failure(target=name, kind=exc.kind, message=exc.message)
    except Exception as exc:
        return Failure(target=name, kind="internal-error", message=f"{type(exc).__name__}: {exc}")


def iter_grade(
    targets: Iterable[str | os.PathLike[str] | ModelFacts],
    *,
    grader: Grader,
    max_workers: int = 8,
    revision: str | None = None,
    in_flight: int | None = None,
) -> Generator[Result, None, None]:
    """Grade ``targets`` concurrently and yield each result in input order as soon as it is ready.

    Targets are read lazily and at most ``in_flight`` (default: twice ``max_workers``) are submitted at a time, so
    memory stays flat however many targets there are. Closing the iterator, or Ctrl-C, cancels the pending work.
    """
    items = (t if isinstance(t, ModelFacts) else os.fspath(t) for t in targets)
    if max_workers <= 1:
        for item in items:
            yield _safe_grade(grader, item, revision)
        return
    limit = max(1, in_flight if in_flight is not None else 2 * max_workers)
    pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="openscore")
    pending: deque[Future[Result]] = deque()
    try:
        for item in items:
            pending.append(pool.submit(_safe_grade, grader, item, revision))
            while len(pending) >= limit:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=not pending, cancel_futures=True)


class _Sink:
    """Writes results as they come: JSONL (one report or failure a line), or Parquet (flat records, by batches)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.parquet = self.path.suffix.lower() == ".parquet"
        self._rows: list[dict[str, Any]] = []
        self._writer: Any = None
        if self.parquet:
            try:
                self._pa = importlib.import_module("pyarrow")
                self._pq = importlib.import_module("pyarrow.parquet")
            except ImportError as exc:
                raise ImportError("writing Parquet needs pyarrow: pip install 'openscore[census]'") from exc
        self._fh = None if self.parquet else open(self.path, "w", encoding="utf-8")  # noqa: SIM115

    def write(self, result: Result) -> None:
        if self._fh is not None:
            self._fh.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
            self._fh.flush()
            return
        self._rows.extend(BatchResult([result]).to_records())
        if len(self._rows) >= 1000:
            self._flush()

    def _flush(self) -> None:
        if not self._rows:
            return
        table = self._pa.Table.from_pylist(self._rows, schema=self._schema())
        if self._writer is None:
            self._writer = self._pq.ParquetWriter(str(self.path), table.schema)
        self._writer.write_table(table)
        self._rows = []

    def _schema(self) -> Any:
        pa = self._pa
        names = ["target", "repo_id", "revision", "verdict", "open_data", *_CRITERIA, "licenses"]
        fields = [pa.field(n, pa.bool_() if n == "open_data" else pa.string()) for n in names]
        fields += [pa.field(n, pa.string()) for n in ("error_kind", "error", "rules_version")]
        return pa.schema(fields)

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
        else:
            self._flush()
            if self._writer is None:  # no result: still an (empty) table
                self._writer = self._pq.ParquetWriter(str(self.path), self._schema())
            self._writer.close()


def _grader(
    client: HubClient | None,
    endpoint: str | None,
    token: str | bool | None,
    offline: bool,
    cache_dir: str | Path | None,
    timeout: float | None = None,
    code_lookup: bool = True,
) -> Grader:
    return Grader(
        client,
        endpoint=endpoint,
        token=token,
        offline=offline,
        api_cache_dir=cache_dir,
        timeout=timeout,
        code_lookup=code_lookup,
    )


def grade_many(
    targets: Iterable[str | os.PathLike[str]],
    *,
    max_workers: int = 8,
    progress_bar: bool = True,
    revision: str | None = None,
    token: str | bool | None = None,
    endpoint: str | None = None,
    client: HubClient | None = None,
    offline: bool = False,
    cache_dir: str | Path | None = None,
    timeout: float | None = None,
    code_lookup: bool = True,
    output: str | os.PathLike[str] | None = None,
    keep: bool = True,
    in_flight: int | None = None,
) -> BatchResult:
    """Grade many Hub repositories and folders concurrently; results come back in input order.

    Targets are streamed: at most ``in_flight`` are pending at a time, and with ``output`` and ``keep=False``
    memory stays flat however long the batch. Ctrl-C cancels the pending work and raises ``KeyboardInterrupt``
    (what was written to ``output`` so far is kept).

    Args:
        targets: Hub repository ids and/or folder paths (any iterable, read lazily).
        max_workers: how many releases are graded at once.
        progress_bar: show a progress bar (``huggingface_hub``'s, so ``HF_HUB_DISABLE_PROGRESS_BARS`` applies).
        revision: a revision applied to every Hub target.
        token: as for :func:`openscore.grade`.
        endpoint: as for :func:`openscore.grade`.
        client: as for :func:`openscore.grade`.
        offline: grade from the caches only (no request); targets not cached become failures.
        cache_dir: keep API answers on disk (keyed by repository and commit sha) for re-runs and ``offline``.
        timeout: the deadline of each Hub request in seconds, as for :func:`openscore.grade`.
        code_lookup: ask code hosts for linked code repositories' licenses (see :class:`~openscore.Grader`).
        output: write each result as it comes to this file: JSONL (one report or failure a line) or, for a
            ``.parquet`` name, a Parquet table of flat records (needs pyarrow).
        keep: keep the results in the returned :class:`BatchResult` (``False``: it comes back empty; use ``output``).
        in_flight: how many targets may be pending at once (default: twice ``max_workers``).
    """
    try:
        total: int | None = len(targets)  # type: ignore[arg-type]
    except TypeError:
        total = None
    items = (os.fspath(t) for t in targets)
    grader = _grader(client, endpoint, token, offline, cache_dir, timeout, code_lookup)
    sink = _Sink(output) if output is not None else None
    kept: list[Result] = []
    results = iter_grade(items, grader=grader, max_workers=max_workers, revision=revision, in_flight=in_flight)
    try:
        for result in progress(results, total=total or 0, desc="grading", enabled=progress_bar):
            if sink is not None:
                sink.write(result)
            if keep:
                kept.append(result)
    finally:
        close = getattr(results, "close", None)
        if close is not None:
            close()
        if sink is not None:
            sink.close()
    return BatchResult(kept)


def grade_author(
    author: str,
    *,
    limit: int | None = None,
    max_workers: int = 8,
    progress_bar: bool = True,
    token: str | bool | None = None,
    endpoint: str | None = None,
    client: HubClient | None = None,
    cache_dir: str | Path | None = None,
    timeout: float | None = None,
    code_lookup: bool = True,
) -> BatchResult:
    """Grade every model of a Hub user or organisation.

    The listing (``list_models`` with ``expand``) brings the metadata of many releases in a few paginated
    requests; then only the files each release needs are fetched.
    """
    grader = _grader(client, endpoint, token, False, cache_dir, timeout, code_lookup)
    try:
        listed = grader.client.list_models(author, limit=limit)
    except errors.OpenscoreError as exc:
        return BatchResult([Failure(target=author, kind=exc.kind, message=exc.message)])
    results = iter_grade(listed, grader=grader, max_workers=max_workers)
    try:
        return BatchResult(progress(results, total=len(listed), desc=f"grading {author}", enabled=progress_bar))
    finally:
        results.close()
