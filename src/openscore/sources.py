"""Sources: turn a Hub repository, a local folder or an in-memory card into one :class:`Release`.

Each source collects the same facts: the README, the file listing, LICENSE-like files (only when the listing shows
them, or a ``license_link`` points inside the repository) and, on the Hub, gating, the commit sha and the licenses
of the training datasets named in the metadata. A file that cannot be read becomes a note, not an error.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from . import errors
from .card import MAX_CARD_BYTES, decode_card, decode_card_text, load_yaml_mapping, metadata_from_mapping, parse_card
from .cardrules import (
    code_repository,
    dataset_id_from_url,
    mentions_checkpoints,
    prose_bases,
    software_citations,
)
from .codehosts import CodeLicense
from .files import is_license_file
from .hub import DatasetCard, DatasetFacts, HubClient, ModelFacts, OnceCache
from .release import Release, TextFile

#: LICENSE-like files are read up to this many bytes.
MAX_TEXT_FILE_BYTES = 200_000
#: A folder listing stops after this many entries.
MAX_FOLDER_FILES = 100_000
#: At most this many training datasets are looked up per release.
MAX_DATASET_LOOKUPS = 25
#: A training dataset's card (README.md) is read up to this many bytes.
MAX_DATASET_CARD_BYTES = 1_000_000

_REPO_ID = re.compile(r"^(?:[A-Za-z0-9][\w.-]{0,95}/)?[A-Za-z0-9][\w.-]{0,95}$")
_SKIP_DIRS = frozenset({".git", ".hg", ".svn", "__pycache__", ".cache", ".huggingface"})


def is_repo_id(value: str) -> bool:
    """True when ``value`` is shaped like a Hub repository id (``name`` or ``org/name``)."""
    return bool(_REPO_ID.match(value)) and ".." not in value and not value.endswith((".", "-"))


def _decode_text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace").replace("\x00", "\ufffd")


def _attach_card(
    release: Release, data: bytes | str | None, problem: str | None, size: int | None = None, unit: str = "bytes"
) -> None:
    """Decode and parse the README (bytes, or text already decoded) into ``release`` (or record why it could not
    be read). ``size`` is the README's full size (in ``unit``) when ``data`` holds only its beginning."""
    if data is None:
        release.unreadable.append(f"README.md {problem or 'is missing'}")
        return
    cut: list[str] = []
    if isinstance(data, str) and len(data) > MAX_CARD_BYTES:  # certainly over the cap: cut before encoding it
        size, unit = len(data), "characters"
        data = data[:MAX_CARD_BYTES].encode("utf-8", errors="replace")
    if (size is not None and size > MAX_CARD_BYTES) or (isinstance(data, bytes) and len(data) > MAX_CARD_BYTES):
        full = size if size is not None and size > MAX_CARD_BYTES else len(data)
        cut.append(f"README.md is {full:,} {unit}; only the first {MAX_CARD_BYTES:,} were read")
        data = data[:MAX_CARD_BYTES]
    text, problems = decode_card_text(data) if isinstance(data, str) else decode_card(data)
    problems = [*cut, *problems]
    release.readme_problems.extend(problems)
    if text is None:
        release.unreadable.extend(problems)
        return
    release.card = parse_card(text)
    release.readme_problems.extend(f"README.md {p}" for p in release.card.problems)
    release.metadata = release.card.metadata
    release.checkpoint_mention = mentions_checkpoints(release.card.body_text[:200_000])
    release.prose_bases = tuple(prose_bases(release.card.body_text[:200_000]))
    if release.card.has_front_matter:
        release.metadata_origin = "README.md front matter"


def _license_paths(files: Iterable[str], license_link: str | None) -> list[str]:
    listed = list(files)
    paths = [f for f in listed if is_license_file(f)]
    if license_link:
        link = license_link.strip()
        for prefix in ("./", "/"):
            if link.startswith(prefix):
                link = link[len(prefix) :]
        match = re.search(r"/(?:blob|resolve|raw)/[^/]+/(.+)$", link) if "://" in link else None
        if match:
            link = match.group(1)
        if "://" not in link and link in listed and link not in paths:
            paths.append(link)
    return paths


# --------------------------------------------------------------------------------------------- in memory


def release_from_card(text: str, files: Iterable[str] | None = None, *, target: str = "<card>") -> Release:
    """A release made of a card the caller already holds (and, optionally, its file listing)."""
    release = Release(target=target, source="card", files=tuple(files) if files is not None else None)
    _attach_card(release, text, None)
    if files is None:
        release.unreadable.append("no file listing was given, so published weights cannot be checked")
    note_datasets_not_looked_up(release, "not looked up: a card graded in memory makes no network request")
    collect_papers(release)
    return release


#: The Hub's tags that say which weight formats a repository holds (the Hub sets them from its files).
WEIGHT_FORMAT_TAGS = frozenset(
    {"safetensors", "pytorch", "tf", "jax", "gguf", "onnx", "tflite", "coreml", "keras", "openvino", "mlx"}
)
_BASE_RELATION_TAGS = frozenset({"finetune", "adapter", "quantized", "merge"})


def release_from_dump_row(
    repo_id: str,
    card: str | None,
    *,
    tags: Iterable[str] = (),
    library_name: str | None = None,
    pipeline_tag: str | None = None,
    last_modified: str | None = None,
) -> Release:
    """A release made of one row of a bulk dump of Hub model cards (no request is made).

    A dump holds the card and the Hub's tags but no file listing: weight formats are read from the Hub's file-format
    tags (``safetensors``, ``gguf``, ...) and, without them, whether weights are published stays unknown (never
    "closed"). Training datasets and base models come from the front matter and from ``dataset:`` and
    ``base_model:`` tags; gate terms from the card's ``extra_gated_*`` keys.
    """
    tag_list = tuple(t.strip() for t in tags if isinstance(t, str) and t.strip())
    formats = tuple(t for t in dict.fromkeys(tag_list) if t.lower() in WEIGHT_FORMAT_TAGS)
    bases: list[str] = []
    relation: str | None = None
    datasets: list[str] = []
    for tag in tag_list:
        if tag.startswith("base_model:"):
            rest = tag[len("base_model:") :]
            head, _, tail = rest.partition(":")
            if tail and head in _BASE_RELATION_TAGS:
                relation = relation or head
                rest = tail
            if rest and rest not in bases:
                bases.append(rest)
        elif tag.startswith("dataset:"):
            name = tag[len("dataset:") :]
            if name and name not in datasets:
                datasets.append(name)
    release = Release(
        target=repo_id,
        source="hub",
        repo_id=repo_id,
        files=None,
        tags=tag_list,
        library_name=library_name,
        pipeline_tag=pipeline_tag,
        last_modified=last_modified,
        base_models=tuple(bases),
        base_model_relation=relation,
        format_tags=formats,
    )
    _attach_card(release, card, "is missing from the dump")
    if datasets and not release.metadata.datasets:
        release.metadata = release.metadata.model_copy(update={"datasets": datasets})
    if not formats:
        release.unreadable.append("the dump holds no file listing and no file-format tag, so weights cannot be checked")
    return release


# --------------------------------------------------------------------------------------------- folder


def _walk_folder(root: Path) -> tuple[list[str], list[str]]:
    """Relative paths of the files under ``root``; symlinks are listed only when they stay inside it."""
    notes: list[str] = []
    found: list[str] = []
    real_root = root.resolve()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS)
        base = Path(dirpath)
        for name in sorted(filenames):
            path = base / name
            if path.is_symlink():
                try:
                    target = path.resolve(strict=True)
                except (OSError, RuntimeError):
                    notes.append(f"{path.relative_to(root).as_posix()}: broken symlink, ignored")
                    continue
                if not target.is_relative_to(real_root):
                    notes.append(f"{path.relative_to(root).as_posix()}: symlink points outside the folder, ignored")
                    continue
            found.append(path.relative_to(root).as_posix())
            if len(found) >= MAX_FOLDER_FILES:
                notes.append(f"the folder holds more than {MAX_FOLDER_FILES:,} files; the rest were not listed")
                return found, notes
    return found, notes


def _read_inside(root: Path, rel: str, max_bytes: int) -> tuple[bytes | None, str | None]:
    path = root / rel
    try:
        real = path.resolve(strict=True)
        if not real.is_relative_to(root.resolve()):
            return None, "points outside the folder and was not read"
        if not real.is_file():
            return None, "is not a regular file and was not read"
        with open(real, "rb") as fh:
            return fh.read(max_bytes + 1), None
    except (OSError, RuntimeError) as exc:
        return None, f"could not be read ({getattr(exc, 'strerror', None) or type(exc).__name__})"


def release_from_folder(folder: str | os.PathLike[str]) -> Release:
    """A release read from a model repository on disk. Makes no network request."""
    root = Path(folder)
    if not root.exists():
        raise errors.TargetNotFoundError(f"{root}: no such folder", target=str(folder))
    if not root.is_dir():
        raise errors.InvalidTargetError(f"{root}: not a folder", target=str(folder))
    files, notes = _walk_folder(root)
    release = Release(target=str(folder), source="folder", files=tuple(files))
    release.unreadable.extend(notes)
    readme = next((f for f in files if f.lower() == "readme.md"), None)
    if readme is None:
        _attach_card(release, None, "is missing")
    else:
        data, problem = _read_inside(root, readme, MAX_CARD_BYTES)
        size: int | None = None
        if data is not None and len(data) > MAX_CARD_BYTES:
            try:
                size = (root / readme).stat().st_size
            except OSError:
                size = None
        _attach_card(release, data, problem, size)
    for rel in _license_paths(files, release.metadata.license_link):
        data, problem = _read_inside(root, rel, MAX_TEXT_FILE_BYTES)
        release.text_files.append(
            TextFile(
                path=rel,
                text=_decode_text(data[:MAX_TEXT_FILE_BYTES]) if data is not None else None,
                problem=problem,
            )
        )
        if problem:
            release.unreadable.append(f"{rel} {problem}")
    note_datasets_not_looked_up(release, "not looked up: a folder is graded without network")
    collect_papers(release)
    release.stated_base_terms = _stated_base_terms(root, release)
    return release


#: The publisher's settings file in a model folder (see docs/publishers.md).
CONFIG_FILES = (".openscore.yaml", ".openscore.yml", "openscore.yaml")


def _stated_base_terms(root: Path, release: Release) -> dict[str, str]:
    """``bases: {repo_id: {license: id}}`` from the folder's settings file: the terms a publisher states for its base
    models, used when they cannot be looked up (offline) and checked against the Hub otherwise."""
    for name in CONFIG_FILES:
        data, problem = _read_inside(root, name, 100_000)
        if data is None:
            continue
        mapping, error = load_yaml_mapping(_decode_text(data))
        if mapping is None:
            release.unreadable.append(f"{name}: {error or problem or 'could not be read'}")
            return {}
        bases = mapping.get("bases")
        out: dict[str, str] = {}
        if isinstance(bases, dict):
            for repo_id, entry in list(bases.items())[:20]:
                lic = entry.get("license") if isinstance(entry, dict) else entry
                if isinstance(repo_id, str) and isinstance(lic, str) and lic.strip():
                    out[repo_id.strip()] = lic.strip()[:200]
        return out
    return {}


# --------------------------------------------------------------------------------------------- hub


def release_from_hub(
    repo_id: str,
    client: HubClient,
    *,
    revision: str | None = None,
    dataset_cache: OnceCache[str, DatasetFacts] | None = None,
    look_up_datasets: bool = True,
    facts: ModelFacts | None = None,
    dataset_card_cache: OnceCache[str, DatasetCard] | None = None,
) -> Release:
    """A release read from the Hub: one ``model_info`` call, the README at that commit, LICENSE-like files.

    ``dataset_cache`` and ``dataset_card_cache`` let a batch share dataset look-ups (facts and cards) between
    releases; ``facts`` skips the ``model_info`` call when a listing (``list_models``) already returned them.
    """
    if not is_repo_id(repo_id):
        raise errors.InvalidTargetError(
            f"{repo_id!r} is neither an existing folder nor a valid Hub repository id", target=repo_id
        )
    if facts is None:
        facts = client.model_info(repo_id, revision=revision)
    release = Release(
        target=repo_id,
        source="hub",
        repo_id=facts.repo_id,
        revision=facts.sha,
        files=facts.files,
        gated=facts.gated,
        tags=facts.tags,
        library_name=facts.library_name,
        pipeline_tag=facts.pipeline_tag,
        last_modified=facts.last_modified,
        base_models=facts.base_models,
        base_model_relation=facts.base_model_relation,
        parameter_count=facts.parameter_count,
    )
    pinned = facts.sha or revision
    if "README.md" in facts.files:
        result = client.read_file(facts.repo_id, "README.md", pinned, MAX_CARD_BYTES)
        _attach_card(release, result.data, result.problem, result.size)
    else:
        _attach_card(release, None, "is missing")
    if release.metadata_origin is None and facts.card_data:
        # The README could not be read (gated) or has no front matter: the API's cardData is what is public.
        release.metadata = metadata_from_mapping(facts.card_data)
        release.metadata_origin = "Hub cardData"
    for rel in _license_paths(facts.files, release.metadata.license_link):
        result = client.read_file(facts.repo_id, rel, pinned, MAX_TEXT_FILE_BYTES)
        text = _decode_text(result.data[:MAX_TEXT_FILE_BYTES]) if result.data is not None else None
        release.text_files.append(TextFile(path=rel, text=text, problem=result.problem))
        if result.problem:
            release.unreadable.append(f"{rel} {result.problem}")
    if release.checkpoint_mention:
        # Only when the card says checkpoints are published: keeps a typical release at two requests.
        try:
            release.branches = tuple(client.list_branches(facts.repo_id))
        except errors.OpenscoreError as exc:
            release.unreadable.append(f"branches: {exc.message}")
    collect_papers(release)
    if look_up_datasets:
        look_up_datasets_on_hub(release, client, dataset_cache=dataset_cache, card_cache=dataset_card_cache)
    return release


def listed_dataset_ids(release: Release) -> list[str]:
    """The training datasets a release lists: metadata ``datasets`` ids, then Hub dataset links of the card
    (valid repository ids only, each once, at most :data:`MAX_DATASET_LOOKUPS`)."""
    found: list[str] = []
    candidates = [ds.strip() for ds in release.metadata.datasets]
    if release.card is not None:
        candidates += [ds for link in release.card.links if (ds := dataset_id_from_url(link.url))]
    for ds_id in candidates:
        if ds_id not in found and is_repo_id(ds_id):
            found.append(ds_id)
            if len(found) >= MAX_DATASET_LOOKUPS:
                break
    return found


def look_up_datasets_on_hub(
    release: Release,
    client: HubClient,
    *,
    dataset_cache: OnceCache[str, DatasetFacts] | None = None,
    card_cache: OnceCache[str, DatasetCard] | None = None,
) -> None:
    """Fill ``release.datasets`` (``dataset_info``) and ``release.dataset_cards`` (each dataset's README at the
    commit ``dataset_info`` returned) for every listed training dataset; each is asked once per shared cache.
    Nothing raises: what could not be read is recorded (``unreadable``, a card's ``problem``)."""
    facts_cache: OnceCache[str, DatasetFacts] = dataset_cache if dataset_cache is not None else OnceCache()
    cards: OnceCache[str, DatasetCard] = card_cache if card_cache is not None else OnceCache()
    for ds_id in listed_dataset_ids(release):
        try:
            facts = facts_cache.get(ds_id, functools.partial(client.dataset_info, ds_id))
        except errors.OpenscoreError as exc:
            release.unreadable.append(f"dataset {ds_id}: {exc.message}")
            release.dataset_cards[ds_id] = DatasetCard(ds_id, None, f"not looked up: {exc.message}")
            continue
        release.datasets[ds_id] = facts
        # A dataset's card is the same for every release of the batch: one GET per dataset (a commit-keyed disk
        # cache with api_cache_dir).
        release.dataset_cards[ds_id] = cards.get(
            ds_id, functools.partial(client.dataset_card, facts, MAX_DATASET_CARD_BYTES)
        )


def note_datasets_not_looked_up(release: Release, why: str) -> None:
    """Record every listed training dataset's card as not looked up, with ``why`` (folder or in-memory grading)."""
    for ds_id in listed_dataset_ids(release):
        release.dataset_cards.setdefault(ds_id, DatasetCard(ds_id, None, why))


_ARXIV_TAG = re.compile(r"^arxiv:\s*(\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$", re.IGNORECASE)
_ARXIV_LINK = re.compile(
    r"^https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/(\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})"
    r"(?:v\d+)?(?:\.pdf)?/?(?:[?#].*)?$",
    re.IGNORECASE,
)


def collect_papers(release: Release) -> None:
    """Put the arXiv ids the release names (``arxiv:`` tags of the Hub or the metadata, arxiv.org links of the
    card) on ``release.papers``, in order of appearance, without versions. No request is made."""
    tags = [*release.tags, *(t for t in release.metadata.tags if isinstance(t, str))]
    candidates = [m.group(1) for t in tags if (m := _ARXIV_TAG.match(t.strip()))]
    if release.card is not None:
        candidates += [m.group(1) for link in release.card.links if (m := _ARXIV_LINK.match(link.url.strip()))]
    found = list(dict.fromkeys(candidates))  # in order, without repeats (a set: linear in the number of links)
    release.papers = tuple(found[:50])


def look_up_code_licenses(release: Release, lookup: Callable[[str], CodeLicense], limit: int = 10) -> None:
    """Ask code hosts (see :mod:`openscore.codehosts`) for the licenses of the code repositories a release points
    at: those the card links (at most ``limit``), those it cites as BibTeX ``@software``, and those the listed
    training datasets' own cards link (at most 5 more); each answer (found, none or unchecked with why) goes on
    ``release.code_licenses``. ``lookup`` may be :func:`openscore.codehosts.not_checked` (offline, turned off)."""
    if release.card is None:
        return
    linked = list(dict.fromkeys(r for link in release.card.links if (r := code_repository(link.url)) is not None))
    linked_set = set(linked)  # membership tests stay linear in the number of links
    others: list[str] = [c.repo for c in software_citations(release.card.body_text[:200_000]) if c.repo]
    for ds in release.dataset_cards:
        doc = release.dataset_doc(ds)
        if doc is not None and doc.card is not None:
            others.extend(r for link in doc.card.links if (r := code_repository(link.url)) is not None)
    wanted = linked[:limit] + [r for r in dict.fromkeys(others) if r not in linked_set][:5]
    for repo in wanted:
        if repo not in release.code_licenses:
            release.code_licenses[repo] = lookup(repo)
