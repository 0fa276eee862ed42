"""Batches: grade many releases concurrently, keep every result, and look at them together.

One bad release never loses the others: a target that cannot be graded becomes a :class:`Failure` with its
kind and reason, in its place in the input order. Dataset look-ups are shared within a batch.
"""

from __future__ import annotations

import importlib
import os
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
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
        """A matplotlib figure: verdict counts, and each criterion's statuses across the batch (``[plot]`` extra)."""
        try:
            plt = importlib.import_module("matplotlib.pyplot")
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("plot() needs matplotlib: pip install 'openscore[plot]'") from exc
        from .renderers.style import STATUS_COLORS, VERDICT_COLORS

        fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.6))
        counts = self.verdict_counts()
        names = list(counts)
        left.barh(names, [counts[n] for n in names], color=[VERDICT_COLORS.get(n, "#999999") for n in names])
        left.invert_yaxis()
        left.set_title("Verdicts")
        reports = self.reports
        statuses = ["met", "partly-met", "not-met", "undetermined"]
        bottoms = [0] * len(_CRITERIA)
        for status in statuses:
            values = [sum(1 for r in reports if getattr(r.criteria, c).status.value == status) for c in _CRITERIA]
            right.bar(
                [c.replace("_", " ") for c in _CRITERIA],
                values,
                bottom=bottoms,
                label=status,
                color=STATUS_COLORS[status],
            )
            bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
        right.set_title("Criteria")
        right.legend(fontsize="small")
        fig.tight_layout()
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
) -> Iterator[Result]:
    """Grade ``targets`` concurrently and yield each result in input order as soon as it is ready."""
    items: list[str | ModelFacts] = [t if isinstance(t, ModelFacts) else os.fspath(t) for t in targets]
    if max_workers <= 1 or len(items) <= 1:
        for item in items:
            yield _safe_grade(grader, item, revision)
        return
    with ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="openscore") as pool:
        yield from pool.map(lambda item: _safe_grade(grader, item, revision), items)


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
) -> BatchResult:
    """Grade many Hub repositories and folders concurrently; results come back in input order.

    Args:
        targets: Hub repository ids and/or folder paths.
        max_workers: how many releases are graded at once.
        progress_bar: show a progress bar (``huggingface_hub``'s, so ``HF_HUB_DISABLE_PROGRESS_BARS`` applies).
        revision: a revision applied to every Hub target.
        token, endpoint, client: as for :func:`openscore.grade`.
        offline: grade from the caches only (no request); targets not cached become failures.
        cache_dir: keep API answers on disk (keyed by repository and commit sha) for re-runs and ``offline``.
        timeout: the deadline of each Hub request in seconds, as for :func:`openscore.grade`.
        code_lookup: ask code hosts for linked code repositories' licenses (see :class:`~openscore.Grader`).
    """
    items = [os.fspath(t) for t in targets]
    grader = _grader(client, endpoint, token, offline, cache_dir, timeout, code_lookup)
    results = iter_grade(items, grader=grader, max_workers=max_workers, revision=revision)
    return BatchResult(progress(results, total=len(items), desc="grading", enabled=progress_bar))


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
    return BatchResult(progress(results, total=len(listed), desc=f"grading {author}", enabled=progress_bar))
