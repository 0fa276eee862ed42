"""Model cards as text: decoding, YAML front matter, Markdown sections and links.

Pure functions, no I/O. Everything here tolerates the mess real cards contain: a BOM, CRLF or lone CR line ends,
NUL bytes, broken or hostile YAML, enormous files. A problem never raises; it is recorded in
:attr:`ParsedCard.problems` so that a probe can turn it into a finding.

Line numbers are 1-based and count lines of the whole README file, front matter included, so evidence can point
at ``README.md`` lines a reader can open.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

#: Cards are read up to this many bytes; the rest is ignored and the report says so.
MAX_CARD_BYTES = 1_000_000
#: Front matter larger than this is not parsed (real ones are a few kB; model-index blocks reach ~100 kB).
MAX_FRONT_MATTER_CHARS = 400_000
#: YAML with more aliases than this is refused unparsed: "billion laughs" documents expand through aliases.
MAX_YAML_ALIASES = 64
#: Lists in metadata are cut to this many entries.
MAX_LIST_ITEMS = 1_000

# The Hub's own front-matter block regex (huggingface_hub.repocard.REGEX_YAML_BLOCK), applied after line ends
# have been normalised to "\n".
_FRONT_MATTER = re.compile(r"^(\s*---\n)([\S\s]*?)(\n---[ \t]*(?:\n|$))")
_ALIAS = re.compile(r"(?:^|[\s\[{,:-])\*[^\s,\]}]+")
_TOP_KEY = re.compile(r"^([A-Za-z_][\w.-]*)[ \t]*:")

try:  # the C loader is ~10x faster; fall back to the pure-Python one where libyaml is missing
    _SafeLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment,unused-ignore]
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _SafeLoader = yaml.SafeLoader


# --------------------------------------------------------------------------------------------- decoding


def decode_card(data: bytes, *, max_bytes: int = MAX_CARD_BYTES) -> tuple[str | None, list[str]]:
    """Decode README bytes into text.

    Returns ``(text, problems)``. ``text`` is None when the bytes are binary (not a text file). Text that is not
    valid UTF-8 is decoded with replacement characters and a problem is recorded; a card longer than ``max_bytes``
    is cut there and a problem says so.
    """
    problems: list[str] = []
    if len(data) > max_bytes:
        problems.append(f"README.md is {len(data):,} bytes; only the first {max_bytes:,} were read")
        data = data[:max_bytes]
    head = data[:8192]
    if head and (head.count(b"\x00") > max(1, len(head) // 100) or _looks_binary(head)):
        problems.append("README.md is not a text file (binary content)")
        return None, problems
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        if text.startswith("\ufeff"):
            text = text[1:]
        problems.append("README.md is not valid UTF-8; undecodable bytes were replaced")
    return text, problems


_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))


def _looks_binary(head: bytes) -> bool:
    control = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return control > len(head) // 10


def normalise_text(text: str) -> str:
    """Strip a BOM, turn CRLF and lone CR into LF and NUL into U+FFFD (line counts are preserved)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
    return text


# --------------------------------------------------------------------------------------------- metadata


def _scalar_str(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int | float | _dt.date):
        return str(value)
    return None


def _to_str(value: Any) -> str | None:
    """A string, or the first string of a list; anything else (mappings, nested data) is dropped."""
    if isinstance(value, list | tuple):
        for item in value[:MAX_LIST_ITEMS]:
            s = _scalar_str(item)
            if s:
                return s
        return None
    return _scalar_str(value)


def _to_str_list(value: Any) -> list[str]:
    """A list of strings from a string, a number, or a list of them; nested data is dropped."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        out: list[str] = []
        for item in value[:MAX_LIST_ITEMS]:
            s = _scalar_str(item)
            if s:
                out.append(s)
        return out
    s = _scalar_str(value)
    return [s] if s else []


def _to_fields(value: Any) -> dict[str, str]:
    """``extra_gated_fields``: a mapping of field label to its type (``text``, ``checkbox``, ``country``, ...)."""
    if not isinstance(value, dict):
        return {}
    out: dict[str, str] = {}
    for key, spec in list(value.items())[:MAX_LIST_ITEMS]:
        label = _scalar_str(key)
        if not label:
            continue
        kind = (_scalar_str(spec.get("type")) if isinstance(spec, dict) else _scalar_str(spec)) or "text"
        out[label[:500]] = kind[:100]
    return out


Str = Annotated[str | None, BeforeValidator(_to_str)]
StrList = Annotated[list[str], BeforeValidator(_to_str_list)]
Fields = Annotated[dict[str, str], BeforeValidator(_to_fields)]


class CardMetadata(BaseModel):
    """The front-matter fields openscore reads, coerced from whatever the card holds.

    A field given as a list where a string is expected yields its first string; a string where a list is expected
    becomes a one-item list; numbers and dates become strings; nested mappings are dropped.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    license: StrList = Field(default_factory=list)
    license_name: Str = None
    license_link: Str = None
    datasets: StrList = Field(default_factory=list)
    base_model: StrList = Field(default_factory=list)
    base_model_relation: Str = None
    tags: StrList = Field(default_factory=list)
    pipeline_tag: Str = None
    library_name: Str = None
    language: StrList = Field(default_factory=list)
    extra_gated_prompt: Str = None
    extra_gated_heading: Str = None
    extra_gated_description: Str = None
    extra_gated_button_content: Str = None
    extra_gated_fields: Fields = Field(default_factory=dict)


_METADATA_KEYS = frozenset(CardMetadata.model_fields)


def metadata_from_mapping(data: dict[Any, Any]) -> CardMetadata:
    """Build :class:`CardMetadata` from a mapping (front matter, or the Hub API's ``cardData``)."""
    clean = {str(k): v for k, v in data.items() if isinstance(k, str)}
    return CardMetadata.model_validate(clean)


_STR_TAG = "tag:yaml.org,2002:str"


def _load_selected(block: str, keys: frozenset[str] | None) -> Any:
    """Compose the whole document (so any syntax error is found), then construct only the top-level ``keys``.

    Cards carry large blocks openscore never reads (``model-index``, ``widget``); building Python objects for them
    is most of the cost of loading YAML.
    """
    loader = _SafeLoader(block)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if keys is None or not isinstance(node, yaml.MappingNode):
            return loader.construct_document(node)
        data: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag == _STR_TAG and key_node.value in keys:
                data[key_node.value] = loader.construct_object(value_node, deep=True)
        return data
    finally:
        loader.dispose()


def load_yaml_mapping(block: str, keys: frozenset[str] | None = None) -> tuple[dict[Any, Any] | None, str | None]:
    """Safely load a YAML front-matter block. Returns ``(mapping, problem)``; never raises.

    With ``keys``, only those top-level keys are built (the rest is still parsed, so syntax errors are reported).
    """
    if len(block) > MAX_FRONT_MATTER_CHARS:
        return None, f"front matter is {len(block):,} characters, over the {MAX_FRONT_MATTER_CHARS:,} limit"
    if "*" in block and len(_ALIAS.findall(block)) > MAX_YAML_ALIASES:
        return (
            None,
            f"front matter uses more than {MAX_YAML_ALIASES} YAML aliases (refused as a possible alias bomb)",
        )
    try:
        data = _load_selected(block, keys)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at front-matter line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        return None, f"front matter is not valid YAML{where}: {problem}"
    except (RecursionError, ValueError, TypeError, OverflowError, MemoryError) as exc:
        return None, f"front matter could not be read: {type(exc).__name__}"
    if data is None:
        return {}, None
    if not isinstance(data, dict):
        return None, f"front matter is a YAML {type(data).__name__}, not a mapping"
    return data, None


# --------------------------------------------------------------------------------------------- markdown


@dataclass(frozen=True, slots=True)
class Section:
    """A heading and the lines under it, up to the next heading of the same or a higher level."""

    heading: str
    level: int
    start_line: int
    end_line: int


@dataclass(frozen=True, slots=True)
class Link:
    """A link in the card body: its URL, its text (may be empty) and its line."""

    url: str
    text: str
    line: int


@dataclass(slots=True)
class ParsedCard:
    """A card split into front matter and body, with sections and links indexed by line."""

    text: str
    lines: list[str]
    metadata: CardMetadata
    has_front_matter: bool
    front_matter_end: int  # line number of the closing ``---``, 0 when there is none
    metadata_keys: dict[str, int] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def line_text(self, start: int, end: int) -> str:
        """The text of lines ``start``..``end`` (1-based, inclusive)."""
        return "\n".join(self.lines[start - 1 : end])

    def section_text(self, section: Section) -> str:
        """The body of a section, without its heading line."""
        return self.line_text(section.start_line + 1, section.end_line)

    @property
    def body_text(self) -> str:
        """The card without its front matter."""
        return self.line_text(self.front_matter_end + 1, len(self.lines))


_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*#*[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_HTML_HEADING = re.compile(r"^\s*<h([1-6])[^>]*>(.*?)</h\1>\s*$", re.IGNORECASE)
_BOLD_LINE = re.compile(r"^\s*(?:\*\*|__)([^*_\n]{2,80}?)(?:\*\*|__)\s*:?\s*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_TAG = re.compile(r"<[^>]{0,200}>")
_MD_LINK = re.compile(r"\[([^\]\n]{0,300})\]\(\s*<?([^)\s>\[]{1,2000})>?(?:\s+[\"'][^\"'\n]*[\"'])?\s*\)")
_BARE_URL = re.compile(r"\bhttps?://[^\s<>()\[\]\"'`]{1,2000}")
_HREF = re.compile(r"href\s*=\s*[\"']([^\"'\s]{1,2000})[\"']", re.IGNORECASE)


_MARKUP_CHARS = frozenset("<*_`[")


def _clean_heading(raw: str) -> str:
    if not _MARKUP_CHARS.intersection(raw):
        return " ".join(raw.split())[:200]
    text = _TAG.sub("", raw)
    text = re.sub(r"[*_`]+", "", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return " ".join(text.split())[:200]


def _headings(lines: list[str], first: int) -> Iterator[tuple[int, int, str]]:
    """Yield ``(line_number, level, heading)`` for Markdown headings from line index ``first`` on.

    Handles ATX (``## Title``), setext (underlined) and one-line HTML headings; a line that is only bold text is a
    pseudo-heading of level 6. Fenced code blocks are skipped.
    """
    fence: str | None = None
    previous_plain = False
    for index in range(first, len(lines)):
        line = lines[index]
        fm = _FENCE.match(line) if ("`" in line[:6] or "~" in line[:6]) else None
        if fence is not None:
            if fm and fm.group(1)[0] == fence[0] and len(fm.group(1)) >= len(fence):
                fence = None
            previous_plain = False
            continue
        if fm:
            fence = fm.group(1)
            previous_plain = False
            continue
        stripped = line.strip()
        if not stripped:
            previous_plain = False
            continue
        if stripped[0] == "#":
            m = _ATX.match(line)
            if m:
                heading = _clean_heading(m.group(2) or "")
                if heading:
                    yield index + 1, len(m.group(1)), heading
                previous_plain = False
                continue
        if previous_plain and stripped[0] in "=-":
            m = _SETEXT.match(line)
            if m:
                heading = _clean_heading(lines[index - 1])
                if heading:
                    yield index, 1 if m.group(1)[0] == "=" else 2, heading
                previous_plain = False
                continue
        if stripped[0] == "<":
            m = _HTML_HEADING.match(line)
            if m:
                heading = _clean_heading(m.group(2))
                if heading:
                    yield index + 1, int(m.group(1)), heading
                previous_plain = False
                continue
        if stripped[0] in "*_":
            m = _BOLD_LINE.match(line)
            if m:
                yield index + 1, 6, _clean_heading(m.group(1))
                previous_plain = False
                continue
        previous_plain = stripped[0] not in "|>" and not stripped.startswith(("- ", "* ", "+ "))


def _sections(lines: list[str], first: int) -> list[Section]:
    """Sections in heading order; each ends before the next heading of the same or a higher level (one pass)."""
    found = list(_headings(lines, first))
    ends = [len(lines)] * len(found)
    open_: list[int] = []  # indexes of headings whose section is still open, levels increasing
    for i, (line_no, level, _) in enumerate(found):
        while open_ and found[open_[-1]][1] >= level:
            ends[open_.pop()] = line_no - 1
        open_.append(i)
    return [
        Section(heading=heading, level=level, start_line=line_no, end_line=max(end, line_no))
        for (line_no, level, heading), end in zip(found, ends, strict=True)
    ]


def _links(lines: list[str], first: int) -> list[Link]:
    links: list[Link] = []
    for index in range(first, len(lines)):
        line = lines[index]
        if "http" not in line and "](" not in line:
            continue
        seen: set[str] = set()
        for m in _MD_LINK.finditer(line):
            url = m.group(2)
            seen.add(url)
            links.append(Link(url=url, text=_clean_heading(m.group(1)), line=index + 1))
        for m in _HREF.finditer(line):
            url = m.group(1)
            if url not in seen:
                seen.add(url)
                links.append(Link(url=url, text="", line=index + 1))
        for m in _BARE_URL.finditer(line):
            url = m.group(0).rstrip(".,;:!?*_")
            if url not in seen:
                seen.add(url)
                links.append(Link(url=url, text="", line=index + 1))
    return links


def parse_card(text: str) -> ParsedCard:
    """Parse README text into front matter, metadata, sections and links. Never raises."""
    text = normalise_text(text)
    lines = text.split("\n")
    problems: list[str] = []
    metadata = CardMetadata()
    keys: dict[str, int] = {}
    fm_end = 0
    has_fm = False
    if text.lstrip().startswith("---"):
        m = _FRONT_MATTER.match(text)
        if m is None:
            problems.append("front matter is not terminated (no closing '---' line)")
        else:
            has_fm = True
            start_line = m.group(1).count("\n")  # the opening '---' line number
            block = m.group(2)
            fm_end = start_line + block.count("\n") + 1 + 1
            for offset, raw in enumerate(block.split("\n")):
                km = _TOP_KEY.match(raw)
                if km and km.group(1) not in keys:
                    keys[km.group(1)] = start_line + 1 + offset
            mapping, problem = load_yaml_mapping(block, _METADATA_KEYS)
            if problem:
                problems.append(problem)
            if mapping:
                try:
                    metadata = metadata_from_mapping(mapping)
                except (ValueError, TypeError, RecursionError) as exc:  # pragma: no cover - coercion is total
                    problems.append(f"front matter fields could not be read: {type(exc).__name__}")
    return ParsedCard(
        text=text,
        lines=lines,
        metadata=metadata,
        has_front_matter=has_fm,
        front_matter_end=fm_end,
        metadata_keys=keys,
        sections=_sections(lines, fm_end),
        links=_links(lines, fm_end),
        problems=problems,
    )
