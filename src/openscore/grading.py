"""The grading pipeline: target → source → release facts → findings → criteria → report."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from . import errors
from .codehosts import CARD_ONLY, TURNED_OFF, CodeHostLookup, CodeLicense, not_checked
from .criteria import Base, CriterionResult
from .findings import Status
from .hub import DEFAULT_TIMEOUT, DatasetCard, DatasetFacts, HubClient, ModelFacts, OnceCache
from .licenses import classify
from .probes import run_all
from .release import Release
from .report import Report, base_entry, build_report
from .sources import is_repo_id, look_up_code_licenses, release_from_card, release_from_folder, release_from_hub

#: Base models are followed this many levels up.
MAX_LINEAGE_DEPTH = 4
#: At most this many direct bases are graded (merges can list dozens).
MAX_BASES = 6


def grade_release(release: Release, *, why_bases_unvisited: str = "not looked up") -> Report:
    """Grade facts already gathered into a :class:`Release` (bases are listed, not looked up)."""
    return build_report(release, run_all(release), bases=_unvisited_bases(release, why_bases_unvisited))


def _unvisited_bases(release: Release, why: str) -> list[Base]:
    relation = release.relation()
    if relation is None:
        return []
    return [Base(repo_id=b, relation=relation, note=why) for b in release.base_ids()[:MAX_BASES]]


def is_folder_target(target: str | os.PathLike[str]) -> bool:
    """True when ``target`` names an existing folder (folders win over repo ids of the same spelling)."""
    try:  # os.path, not Path: Path interns every name part, which grows with the targets of a long batch
        return os.path.isdir(target)
    except (OSError, ValueError):  # a name too long for the file system, a NUL byte
        return False


def _exists(target: str) -> bool:
    try:
        return os.path.exists(target)
    except (OSError, ValueError):
        return False


class Grader:
    """Grades targets with one Hub client and caches shared between them (what a batch uses).

    Args:
        client: a :class:`~openscore.hub.HubClient` to use; by default one is made on first Hub use from
            ``endpoint``, ``token``, ``offline`` and ``api_cache_dir``.
        code_lookup: ask code hosts (GitHub, GitLab, Hub Spaces) for the licenses of the code repositories a card
            links (default). False records every linked repository as not checked ("turned off"); ``offline``
            answers only from the code hosts' disk cache, the rest is not checked ("offline mode").
        code_licenses: a look-up to use instead (any ``repo -> CodeLicense`` callable, e.g. a
            :class:`~openscore.codehosts.CodeHostLookup` with other APIs or tokens).
        code_cache_dir: where code hosts' answers are kept on disk; default ``api_cache_dir``/codehosts (none
            without ``api_cache_dir``).
        timeout: the per-request deadline in seconds of the client made here (see :class:`~openscore.HubClient`);
            each Hub release is graded under one deadline of ``RELEASE_TIMEOUT_FACTOR`` times it.
    """

    def __init__(
        self,
        client: HubClient | None = None,
        *,
        endpoint: str | None = None,
        token: str | bool | None = None,
        offline: bool = False,
        api_cache_dir: str | Path | None = None,
        code_lookup: bool = True,
        code_licenses: Callable[[str], CodeLicense] | None = None,
        code_cache_dir: str | Path | None = None,
        timeout: float | None = None,
    ) -> None:
        self._client = client
        self._settings = (endpoint, token, offline, api_cache_dir)
        self._timeout = timeout
        if code_licenses is None:
            if not code_lookup:
                code_licenses = not_checked(TURNED_OFF)
            else:
                if code_cache_dir is None and api_cache_dir is not None:
                    code_cache_dir = Path(api_cache_dir) / "codehosts"
                offline_hosts = offline or (client is not None and client.offline)
                code_licenses = CodeHostLookup(code_cache_dir, space_license=self._space_license, offline=offline_hosts)
        #: The code host look-up this grader uses (one per batch: each repository is asked once).
        self.code_licenses: Callable[[str], CodeLicense] = code_licenses
        self.datasets: OnceCache[str, DatasetFacts] = OnceCache()
        self.dataset_cards: OnceCache[str, DatasetCard] = OnceCache()
        self.bases: OnceCache[str, Report] = OnceCache()

    @property
    def client(self) -> HubClient:
        """The Hub client (made on first use, so grading folders never builds one)."""
        if self._client is None:
            endpoint, token, offline, api_cache_dir = self._settings
            self._client = HubClient(
                endpoint=endpoint,
                token=token,
                offline=offline,
                api_cache_dir=api_cache_dir,
                timeout=self._timeout if self._timeout is not None else DEFAULT_TIMEOUT,
            )
        return self._client

    def _space_license(self, space_id: str) -> tuple[str | None, str]:
        return self.client.space_license(space_id)

    def grade(self, target: str | os.PathLike[str], *, revision: str | None = None) -> Report:
        """Grade one Hub repository id or folder (see :func:`grade`)."""
        text = os.fspath(target)
        if not text.strip():
            raise errors.InvalidTargetError("an empty target: give a Hub repository id or a folder", target=text)
        if is_folder_target(text):
            if revision is not None:
                raise errors.InvalidTargetError("--revision applies to Hub repositories, not folders", target=text)
            release = release_from_folder(text)
            look_up_code_licenses(release, self.code_licenses)
            return self._finish_folder(release)
        if _exists(text):
            raise errors.InvalidTargetError(f"{text}: not a folder (give the folder that holds README.md)", target=text)
        if not is_repo_id(text):
            raise errors.InvalidTargetError(
                f"{text!r} is neither an existing folder nor a valid Hub repository id (org/name)", target=text
            )
        with self.client.deadline():  # one deadline per release
            release = release_from_hub(
                text, self.client, revision=revision, dataset_cache=self.datasets, dataset_card_cache=self.dataset_cards
            )
            return self._finish(release, ())

    def grade_facts(self, facts: ModelFacts) -> Report:
        """Grade a Hub repository whose metadata a listing already returned (no ``model_info`` call).

        Facts with a ``problem`` (a malformed listing item) raise :class:`~openscore.errors.HubResponseError`.
        """
        if facts.problem is not None:
            raise errors.HubResponseError(facts.problem, target=facts.repo_id)
        with self.client.deadline():
            release = release_from_hub(
                facts.repo_id,
                self.client,
                facts=facts,
                dataset_cache=self.datasets,
                dataset_card_cache=self.dataset_cards,
            )
            return self._finish(release, ())

    @property
    def offline(self) -> bool:
        """True when this grader makes no network request (``offline=True``, or an offline client)."""
        return bool(self._settings[2] or (self._client is not None and self._client.offline))

    def _finish_folder(self, release: Release) -> Report:
        """Grade a folder with its lineage: bases are looked up on the Hub unless offline; a base that cannot be
        looked up takes the terms the publisher states in the folder's settings file, if any, and otherwise keeps
        the folder's terms undetermined (lineage is never silently dropped)."""
        relation = release.relation()
        bases: list[Base] = []
        unreachable: str | None = "not looked up: graded offline" if self.offline else None
        if relation is not None:
            for base_id in release.base_ids()[:MAX_BASES]:
                stated = release.stated_base_terms.get(base_id)
                if unreachable is not None:
                    bases.append(_stated_base(base_id, relation, stated, unreachable))
                    continue
                with self.client.deadline():
                    found = self._base(base_id, relation, (release.target,))
                head = found[0]
                if head.criteria is None and head.note and "could not be reached" in head.note:
                    unreachable = f"not looked up: {head.note}"  # the Hub is unreachable: don't wait on each base
                if head.criteria is None and not head.loop and stated:
                    found = [_stated_base(base_id, relation, stated, head.note or "could not be looked up")]
                elif head.criteria is not None and stated:
                    hub = {lic.key for lic in head.licenses}
                    if classify(stated).key not in hub:
                        note = f"the folder's settings state {stated}, the Hub says {', '.join(sorted(hub)) or 'none'}"
                        found = [head.model_copy(update={"note": note + "; the Hub's terms are used"}), *found[1:]]
                bases.extend(found)
        return build_report(release, run_all(release), bases=bases)

    def _finish(self, release: Release, chain: tuple[str, ...]) -> Report:
        """Grade a Hub release with its lineage: each base graded once per batch, depth-limited, cycle-safe."""
        if not chain:
            look_up_code_licenses(release, self.code_licenses)
        relation = release.relation()
        bases: list[Base] = []
        if relation is not None:
            below = (*chain, release.repo_id or release.target)
            for base_id in release.base_ids()[:MAX_BASES]:
                bases.extend(self._base(base_id, relation, below))
        return build_report(release, run_all(release), bases=bases)

    def _base(self, repo_id: str, relation: str, chain: tuple[str, ...]) -> list[Base]:
        if repo_id in chain:
            return [Base(repo_id=repo_id, relation=relation, note="the base_model chain loops back here", loop=True)]
        if len(chain) > MAX_LINEAGE_DEPTH:
            return [
                Base(repo_id=repo_id, relation=relation, note=f"lineage deeper than {MAX_LINEAGE_DEPTH} not followed")
            ]
        if not is_repo_id(repo_id):
            return [Base(repo_id=repo_id, relation=relation, note="not a valid Hub repository id")]

        def grade_base() -> Report:
            # A base's report is shared by every release of the batch: it gets its own deadline, so that one
            # release running late does not record its base as failed for all the others.
            with self.client.deadline(fresh=True):
                release = release_from_hub(repo_id, self.client, look_up_datasets=False)
                return self._finish(release, chain)

        try:
            report = self.bases.get(repo_id, grade_base)
        except errors.OpenscoreError as exc:
            return [Base(repo_id=repo_id, relation=relation, note=exc.message)]
        entries = [base_entry(report, relation)]
        entries += [b.model_copy(update={"depth": b.depth + 1}) for b in report.lineage]
        return entries


def _stated_base(repo_id: str, relation: str, stated: str | None, why: str) -> Base:
    """A base that was not looked up: its terms as the publisher states them (classified like any license), or
    nothing known. Its data information and code are unknown."""
    hint = "; state its terms in the folder's .openscore.yaml (bases: {id: {license: ...}})"
    if stated is None:
        return Base(repo_id=repo_id, relation=relation, note=why + hint)
    card = f"---\nlicense: {json.dumps(stated)}\n---\n"
    report = grade_release(release_from_card(card, None, target=repo_id))
    unknown = CriterionResult(status=Status.UNDETERMINED, summary="Not known: the base was not looked up.", findings=())
    criteria = report.criteria.model_copy(update={"data_information": unknown, "code": unknown})
    entry = base_entry(report, relation)
    return entry.model_copy(
        update={
            "criteria": criteria,
            "statuses": {name.value: result.status for name, result in criteria.items()},
            "verdict": None,
            "note": f"terms as stated in the folder's settings ({stated}), not checked against the Hub: {why}",
        }
    )


def grade(
    target: str | os.PathLike[str],
    *,
    revision: str | None = None,
    token: str | bool | None = None,
    endpoint: str | None = None,
    client: HubClient | None = None,
    timeout: float | None = None,
    code_lookup: bool = True,
) -> Report:
    """Grade a Hub repository (``"org/name"``) or a local model folder against OSAID 1.0.

    Args:
        target: a Hub repository id, or the path of a folder holding a model repository.
        revision: a branch, tag or commit of the Hub repository (the report records the commit sha graded).
        token: a Hub access token; ``None`` uses ``HF_TOKEN`` or the stored login, ``False`` sends none.
        endpoint: the Hub's URL; ``None`` uses ``HF_ENDPOINT`` or the public Hub.
        client: a :class:`~openscore.hub.HubClient` to reuse (its endpoint, token and timeout then apply).
        timeout: the deadline of each Hub request in seconds (default ``hub.DEFAULT_TIMEOUT``, 20 s); the whole
            release, retries and base models' look-ups included, has ``RELEASE_TIMEOUT_FACTOR`` (4) times that.
        code_lookup: ask code hosts for the licenses of linked code repositories (see :class:`Grader`).

    Raises:
        InvalidTargetError: ``target`` is neither a folder nor a valid repository id.
        TargetNotFoundError: the repository, revision or folder does not exist.
        HubUnavailableError: the Hub could not be reached, kept failing or passed the deadline.
        HubResponseError: the Hub's answer was malformed, too large or unsafe (it names the field).
        InvalidTokenError: the token cannot be sent (spaces, line breaks, non-ASCII); the message does not quote it.
    """
    return Grader(client, endpoint=endpoint, token=token, timeout=timeout, code_lookup=code_lookup).grade(
        target, revision=revision
    )


def grade_card(readme: str, files: Iterable[str] | None = None, *, target: str = "<card>") -> Report:
    """Grade a model card held in memory, with the release's file listing if known. Makes no network request:
    linked code repositories and training datasets are recorded as not checked."""
    release = release_from_card(readme, files, target=target)
    look_up_code_licenses(release, not_checked(CARD_ONLY))
    return grade_release(release)
