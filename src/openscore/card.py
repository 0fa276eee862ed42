"""Model cards as text: decoding, YAML front matter, Markdown sections and links.

Pure functions, no I/O. Everything here tolerates the mess real cards contain: a BOM, CRLF or lone CR line ends,
NUL bytes, broken or hostile YAML, enormous files. A problem never raises; it is recorded in
:attr:`ParsedCard.problems` so that a probe can turn it into a finding.

Line numbers are 1-based and count lines of the whole README file, front matter included, so evidence can point
at ``README.md`` lines a reader can open.
"""

from __future__ import annotations

import codecs
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
#: Metadata values nested deeper than this are refused (real ones are a list of strings or a mapping of mappings).
#: libyaml itself refuses documents nested deeper than 1,000 levels.
MAX_YAML_DEPTH = 64
#: Lists in metadata are cut to this many entries.
MAX_LIST_ITEMS = 1_000

# The Hub's own front-matter block regex (huggingface_hub.repocard.REGEX_YAML_BLOCK), applied after line ends
# have been normalised to "\n".
_FRONT_MATTER = re.compile(r"^(\s*---\n)([\S\s]*?)(\n---[ \t]*(?:\n|$))")
#: A top-level key: a name at the start of a line, then a colon.
_TOP_KEYS = re.compile(r"^([A-Za-z_][\w.-]*)[ \t]*:", re.MULTILINE)

try:  # libyaml's loader is ~10x faster; fall back to the pure-Python one where libyaml is missing
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
    if _is_binary(data[:8192]):
        problems.append("README.md is not a text file (binary content)")
        return None, problems
    try:  # "utf-8-sig", without its Python-level codec: one leading BOM is dropped
        text = data[3:].decode("utf-8") if data.startswith(codecs.BOM_UTF8) else data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        if text.startswith("\ufeff"):
            text = text[1:]
        problems.append("README.md is not valid UTF-8; undecodable bytes were replaced")
    return text, problems


_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))


def _is_binary(head: bytes) -> bool:
    """True when the first bytes of a file hold too many NUL or other control bytes for text."""
    if not head:
        return False
    if b"\x00" in head and head.count(b"\x00") > max(1, len(head) // 100):  # "in" is a fast scan; most have none
        return True
    control = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return control > len(head) // 10


def decode_card_text(text: str, *, max_bytes: int = MAX_CARD_BYTES) -> tuple[str | None, list[str]]:
    """:func:`decode_card` for a card already held as text (its UTF-8 bytes, lone surrogates replaced)."""
    return decode_card(text.encode("utf-8", errors="replace"), max_bytes=max_bytes)


def normalise_text(text: str) -> str:
    """Strip a BOM, turn CRLF and lone CR into LF and NUL into U+FFFD (line counts are preserved)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
    return text


def split_front_matter(text: str) -> tuple[str, str] | None:
    """``(opening, block)``: groups 1 and 2 of the Hub's front-matter regex on ``text`` (LF line ends), else None."""
    m = _FRONT_MATTER.match(text)
    return (m.group(1), m.group(2)) if m else None


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
    # Dataset cards (a listed training dataset's README) use the same format with fields of their own.
    annotations_creators: StrList = Field(default_factory=list)
    task_categories: StrList = Field(default_factory=list)


_METADATA_KEYS = frozenset(CardMetadata.model_fields)
#: The metadata of a card without front matter (immutable, so shared).
EMPTY_METADATA = CardMetadata()


def metadata_from_mapping(data: dict[Any, Any]) -> CardMetadata:
    """Build :class:`CardMetadata` from a mapping (front matter, or the Hub API's ``cardData``)."""
    clean = {str(k): v for k, v in data.items() if isinstance(k, str)}
    return CardMetadata.model_validate(clean)


_STR_TAG = "tag:yaml.org,2002:str"


def _alias_count(block: str) -> int:
    """The number of aliases (``*name``) in ``block``, counted from PyYAML's event stream, up to one past the limit.

    Blocks without a ``*`` have none and are not parsed here. A syntax error stops the count; the load reports it.
    """
    if "*" not in block:
        return 0
    count = 0
    try:
        for event in yaml.parse(block, Loader=_SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                count += 1
                if count > MAX_YAML_ALIASES:
                    break
    except yaml.YAMLError:
        pass
    return count


def _too_deep(node: yaml.Node) -> bool:
    """True when ``node`` nests collections deeper than :data:`MAX_YAML_DEPTH` (each node is visited once, so an
    aliased node costs nothing more)."""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, int]] = [(node, 1)]
    while stack:
        current, depth = stack.pop()
        if depth > MAX_YAML_DEPTH:
            return True
        if id(current) in seen or isinstance(current, yaml.ScalarNode):
            continue
        seen.add(id(current))
        if isinstance(current, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in current.value)
        elif isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                stack.append((key, depth + 1))
                stack.append((value, depth + 1))
    return False


class _TooDeepError(ValueError):
    """A metadata value nests deeper than :data:`MAX_YAML_DEPTH`."""


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
            if _too_deep(node):
                raise _TooDeepError
            return loader.construct_document(node)
        data: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag == _STR_TAG and key_node.value in keys:
                if _too_deep(value_node):
                    raise _TooDeepError
                data[key_node.value] = loader.construct_object(value_node, deep=True)
        return data
    finally:
        loader.dispose()


def load_yaml_mapping(block: str, keys: frozenset[str] | None = None) -> tuple[dict[Any, Any] | None, str | None]:
    """Safely load a YAML front-matter block with PyYAML's safe loader. Returns ``(mapping, problem)``; never raises.

    With ``keys``, only those top-level keys are built (the rest is still parsed, so syntax errors are reported).
    Hostile blocks are refused with a problem: over :data:`MAX_FRONT_MATTER_CHARS` characters, more than
    :data:`MAX_YAML_ALIASES` aliases ("billion laughs"), or values nested deeper than :data:`MAX_YAML_DEPTH`.
    """
    if len(block) > MAX_FRONT_MATTER_CHARS:
        return None, f"front matter is {len(block):,} characters, over the {MAX_FRONT_MATTER_CHARS:,} limit"
    if _alias_count(block) > MAX_YAML_ALIASES:
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
    except _TooDeepError:
        return None, f"front matter nests values deeper than {MAX_YAML_DEPTH} levels"
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
    #: The body (see :attr:`body_text`), when the parser has it already.
    body: str | None = field(default=None, repr=False, compare=False)
    _section_texts: dict[tuple[int, int], str] = field(default_factory=dict, init=False, repr=False, compare=False)

    def line_text(self, start: int, end: int) -> str:
        """The text of lines ``start``..``end`` (1-based, inclusive)."""
        return "\n".join(self.lines[start - 1 : end])

    def section_text(self, section: Section) -> str:
        """The body of a section, without its heading line (joined once, then kept: probes read it again)."""
        span = (section.start_line, section.end_line)
        text = self._section_texts.get(span)
        if text is None:
            text = self._section_texts[span] = self.line_text(section.start_line + 1, section.end_line)
        return text

    @property
    def body_text(self) -> str:
        """The card without its front matter."""
        if self.body is None:
            self.body = self.line_text(self.front_matter_end + 1, len(self.lines))
        return self.body


# Markdown is read by searching the body (the lines from ``first`` on, joined with "\n") with whole-text regexes,
# so that Python only handles the few lines that matter. The patterns are the old per-line ones made unable to
# cross a newline ("." became "[^\n]", "$" became "(?![^\n])", "\s" a class without "\n"), so a line means what it
# meant before; whole-text searches also keep hostile text linear (tests/test_hostile_input.py).

#: The characters of "\s" (str.isspace(), what str.strip() removes) but "\n", spelled out: a class of plain
#: characters is much faster to test than "[^\S\n]". A test checks it against "\s" on every code point.
_BLANKS = r"\t\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_BLANK = "[" + _BLANKS + "]"  # "\s" within a line
_S = r"\n" + _BLANKS  # "\s", for a class
#: Lines that are a code fence or a heading, found as "\n" + the line. Groups, told apart by ``lastindex``:
#: 1 fence run (```` ``` ```` or ``~~~``, up to 3 spaces in); 2, 3 ATX hashes and text (``## Title ##``; the text
#: still carries the closing hashes, see _headings); 4 setext underline (``===`` or ``---``); 5, 6 one-line HTML
#: heading level and text (``<h2>Title</h2>``); 7 bold-only line (``**Title**``), a level-6 pseudo-heading.
_SPECIAL_LINE = re.compile(
    # Two quick tests first: most lines start with a letter, a digit, "|" or "- ", or are empty.
    r"\n(?=[" + _BLANKS + r"#=<*_`~-])"
    r"(?=[#=<*_`~]|-+[ \t]*(?![^\n])| {1,3}[#=`~-]|" + _BLANK + r"++[<*_])"
    r"(?: {0,3}(?:"
    r"(`{3,}|~{3,})"
    r"|(#{1,6})(?:[ \t]+([^\n]*)|\#*[ \t]*)(?![^\n])"
    r"|(=+|-+)[ \t]*(?![^\n])"
    r")|" + _BLANK + r"*+(?:"
    r"(?i:<h([1-6])[^>\n]*>([^\n]*?)</h\5>)" + _BLANK + r"*(?![^\n])"
    r"|(?:\*\*|__)([^*_\n]{2,80}?)(?:\*\*|__)" + _BLANK + r"*:?" + _BLANK + r"*(?![^\n])"
    r"))"
)
# Possessive quantifiers over a class that excludes the character after them never change what matches; they stop
# the engine from retrying up to 200 (300) characters at every "<" ("[") of hostile text.
_TAG = re.compile(r"<[^>]{0,200}+>")
_MD_LINK = re.compile(
    r"\[([^\]\n]{0,300}+)\]\([" + _S + r"]*<?([^)" + _S + r">\[]{1,2000})>?"
    r"(?:[" + _S + r"]+[\"'][^\"'\n]*[\"'])?[" + _S + r"]*\)"
)
#: What follows a Markdown link's text: ``](url "title")``; :func:`_markdown_links` matches it at each "](".
_MD_LINK_TAIL = re.compile(
    r"\]\([" + _S + r"]*<?([^)" + _S + r">\[]{1,2000})>?(?:[" + _S + r"]+[\"'][^\"'\n]*[\"'])?[" + _S + r"]*\)"
)
_MD_LINK_TEXT = 300  # the longest link text _MD_LINK takes
# "\bhttps?://", with the boundary checked behind the literal "http" so that the search can skip from "http" to "http".
_BARE_URL = re.compile(r"http(?<!\whttp)s?://[^" + _S + r"<>()\[\]\"'`]{1,2000}")
_HREF = re.compile(r"href[" + _S + r"]*=[" + _S + r"]*[\"']([^\"'" + _S + r"]{1,2000})[\"']", re.IGNORECASE)
# The lines links can be on: those with "http" (bare URLs) or "](" (Markdown links); hrefs count only there. Each
# match runs to the end of its line, so that the next search starts on the next line.
_HTTP_LINE = re.compile(r"http[^\n]*")
_MD_LINK_LINE = re.compile(r"\]\([^\n]*")


def _markdown_links(line: str) -> list[tuple[str, str]]:
    """``_MD_LINK.findall(line)`` (link text and URL of each Markdown link) in time linear in the line.

    The regex tries every "[" and reads up to 300 characters after it: 300 steps a character on a line of "["s.
    A match's text ends at the first "]" after its "[", which must be followed by "(": so each "](" decides at
    most one match, whose "[" is the leftmost one after the last "]" (or line break) before it, at most 300
    characters back, and not before the end of the previous match. The part after "](" does not depend on where
    the "[" is, so it is matched once per "](".
    """
    out: list[tuple[str, str]] = []
    cursor = 0  # where the previous match ended
    close = line.find("](")
    while close >= 0:
        low = max(cursor, close - _MD_LINK_TEXT - 1)
        low = max(low, line.rfind("]", low, close) + 1, line.rfind("\n", low, close) + 1)
        start = line.find("[", low, close)
        if start >= 0:
            tail = _MD_LINK_TAIL.match(line, close)
            if tail is not None:
                out.append((line[start + 1 : close], tail.group(1)))
                cursor = tail.end()
                close = line.find("](", cursor)
                continue
            close = line.find("](", close + 1)
        else:  # no "[" can start a link before this "]("; the next one needs a "[" further on
            opening = line.find("[", close)
            close = -1 if opening < 0 else line.find("](", opening)
    return out


def _strip_inline_links(text: str) -> str:
    """``re.sub(r"\\[([^\\]]*)\\]\\([^)]*\\)", r"\\1", text)`` in linear time.

    That regex retries at every "[" and scans to the next "]" each time: quadratic on a heading of many "["s.
    A "[" can only start a match if the first "]" after it is followed by "(" and a ")" comes later; every "["
    before that "]" shares its fate, so the search goes on after it.
    """
    out: list[str] = []
    kept = 0  # text[kept:] is not in ``out`` yet
    pos = 0  # where the next "[" is looked for
    while True:
        start = text.find("[", pos)
        if start < 0:
            break
        close = text.find("]", start + 1)
        if close < 0:
            break
        if not text.startswith("(", close + 1):
            pos = close + 1
            continue
        end = text.find(")", close + 2)
        if end < 0:
            break
        out.append(text[kept:start])
        out.append(text[start + 1 : close])
        kept = pos = end + 1
    if not out:
        return text
    out.append(text[kept:])
    return "".join(out)


def _clean_heading(raw: str) -> str:
    """Heading or link text without tags, emphasis marks and inline links, whitespace collapsed, at most 200 chars."""
    text = raw
    if "<" in text:
        text = _TAG.sub("", text)
    if "*" in text:
        text = text.replace("*", "")
    if "_" in text:
        text = text.replace("_", "")
    if "`" in text:
        text = text.replace("`", "")
    if "](" in text:
        text = _strip_inline_links(text)
    return " ".join(text.split())[:200]


def _headings(lines: list[str], first: int, body: str | None = None) -> Iterator[tuple[int, int, str]]:
    """Yield ``(line_number, level, heading)`` for Markdown headings from line index ``first`` on.

    Handles ATX (``## Title``), setext (underlined) and one-line HTML headings; a line that is only bold text is a
    pseudo-heading of level 6. Fenced code blocks are skipped. A setext underline counts only under a paragraph
    line: not blank, not a fence, heading, list item (``- ``, ``* ``, ``+ ``), table row (``|``) or quote (``>``).
    """
    if first >= len(lines):
        return
    # "\n" before every line searched (``body``, when given, is lines[first:] joined with "\n").
    body = "\n" + ("\n".join(lines[first:]) if body is None else body)
    fence: str | None = None
    newlines = 0  # "\n"s in body[:counted], so lines[first - 1 + newlines] is the line at ``counted``
    counted = 0
    last_index = -1  # the last special line before, and whether it was a paragraph line
    last_plain = False
    for m in _SPECIAL_LINE.finditer(body):
        kind = m.lastindex
        if fence is not None:  # only the closing fence matters inside a fence
            if kind == 1:
                run = m.group(1)
                if run[0] == fence[0] and len(run) >= len(fence):
                    fence = None
                    at = m.start() + 1
                    newlines += body.count("\n", counted, at)
                    counted = at
                    last_index = first - 1 + newlines
                    last_plain = False
            continue
        at = m.start() + 1
        newlines += body.count("\n", counted, at)
        counted = at
        index = first - 1 + newlines
        if kind == 3:
            # The old pattern's lazy "(.*?)[ \t]*#*[ \t]*$": the text without its closing hashes and blanks.
            heading = _clean_heading(m.group(3).rstrip(" \t").rstrip("#").rstrip(" \t"))
            if heading:
                yield index + 1, m.end(2) - m.start(2), heading
        elif kind == 1:
            fence = m.group(1)
        elif kind == 4:
            if index == first:
                previous_plain = False
            elif last_index == index - 1:
                previous_plain = last_plain
            else:  # not special, so a blank, paragraph, list, table or quote line, and not in a fence
                previous = lines[index - 1].strip()
                previous_plain = (
                    bool(previous) and previous[0] not in "|>" and not previous.startswith(("- ", "* ", "+ "))
                )
            if not previous_plain:
                last_index = index
                last_plain = True  # an underline under nothing is a paragraph line itself
                continue
            heading = _clean_heading(lines[index - 1])
            if heading:
                yield index, 1 if m.group(4)[0] == "=" else 2, heading
        elif kind == 6:
            heading = _clean_heading(m.group(6))
            if heading:
                yield index + 1, int(m.group(5)), heading
        elif kind == 7:
            yield index + 1, 6, _clean_heading(m.group(7))
        # kind 2: an ATX line without text ("##"): no heading, but not a paragraph line either
        last_index = index
        last_plain = False


def _sections(lines: list[str], first: int, body: str | None = None) -> list[Section]:
    """Sections in heading order; each ends before the next heading of the same or a higher level (one pass)."""
    found = list(_headings(lines, first, body))
    if not found:
        return []
    ends = [len(lines)] * len(found)
    open_: list[int] = []  # indexes of headings whose section is still open, levels increasing
    for i, (line_no, level, _) in enumerate(found):
        while open_ and found[open_[-1]][1] >= level:
            ends[open_.pop()] = line_no - 1
        open_.append(i)
    return [
        Section(heading, level, line_no, end if end > line_no else line_no)
        for (line_no, level, heading), end in zip(found, ends, strict=True)
    ]


def _line_indexes(pattern: re.Pattern[str], body: str, first: int) -> list[int]:
    """The indexes of the lines ``pattern`` matches on, ``body`` being lines[first:] joined with "\\n"."""
    indexes: list[int] = []
    newlines = 0
    counted = 0
    for m in pattern.finditer(body):
        at = m.start()
        newlines += body.count("\n", counted, at)
        counted = at
        indexes.append(first + newlines)
    return indexes


def _links(lines: list[str], first: int, body: str | None = None) -> list[Link]:
    """Links from line index ``first`` on. Line by line: Markdown links, then hrefs and bare URLs not already found
    on the line. Only lines with "http" or "](" count, hrefs included. ``body``, when given, is lines[first:]
    joined with "\n"."""
    if first >= len(lines):
        return []
    if body is None:
        body = "\n".join(lines[first:])
    has_md = "](" in body
    if "http" in body:
        indexes = _line_indexes(_HTTP_LINE, body, first)
        if has_md:
            more = _line_indexes(_MD_LINK_LINE, body, first)
            if more != indexes:
                indexes = sorted(set(indexes).union(more))
    elif has_md:
        indexes = _line_indexes(_MD_LINK_LINE, body, first)
    else:
        return []
    links: list[Link] = []
    for index in indexes:
        line = lines[index]
        number = index + 1
        seen: set[str] = set()
        if "](" in line:
            for text, url in _markdown_links(line):
                seen.add(url)
                links.append(Link(url, _clean_heading(text), number))
        if "=" in line and "href" in line.lower():  # no other character is "h", "r", "e" or "f" to re.IGNORECASE
            for url in _HREF.findall(line):
                if url not in seen:
                    seen.add(url)
                    links.append(Link(url, "", number))
        if "http" in line:
            for bare in _BARE_URL.findall(line):
                url = bare.rstrip(".,;:!?*_")
                if url not in seen:
                    seen.add(url)
                    links.append(Link(url, "", number))
    return links


def _top_keys(block: str) -> tuple[tuple[str, int], ...]:
    """The block's top-level keys, each once, with the line of the block it is first on (1-based)."""
    keys: dict[str, int] = {}
    line, pos = 1, 0
    for km in _TOP_KEYS.finditer(block):
        line += block.count("\n", pos, km.start())
        pos = km.start()
        keys.setdefault(km.group(1), line)
    return tuple(keys.items())


def _front_matter_metadata(block: str) -> tuple[CardMetadata, str | None, tuple[tuple[str, int], ...]]:
    """The metadata a front-matter block gives, the problem reading it, if any, and its top-level keys (see
    :func:`_top_keys`)."""
    keys = _top_keys(block)
    mapping, problem = load_yaml_mapping(block, _METADATA_KEYS)
    if not mapping:
        return EMPTY_METADATA, problem, keys
    try:
        return metadata_from_mapping(mapping), problem, keys
    except (ValueError, TypeError, RecursionError) as exc:  # pragma: no cover - coercion is total
        return EMPTY_METADATA, f"front matter fields could not be read: {type(exc).__name__}", keys


def parse_card(text: str) -> ParsedCard:
    """Parse README text into front matter, metadata, sections and links. Never raises."""
    text = normalise_text(text)
    lines = text.split("\n")
    problems: list[str] = []
    metadata = EMPTY_METADATA
    keys: dict[str, int] = {}
    fm_end = 0
    has_fm = False
    body = text  # lines[fm_end:] joined with "\n"
    if text.lstrip().startswith("---"):
        found = split_front_matter(text)
        if found is None:
            problems.append("front matter is not terminated (no closing '---' line)")
        else:
            has_fm = True
            opening, block = found
            start_line = opening.count("\n")  # the opening '---' line number
            fm_end = start_line + block.count("\n") + 1 + 1
            after_close = text.find("\n", len(opening) + len(block) + 1)  # the end of the closing "---" line
            body = text[after_close + 1 :] if after_close >= 0 else ""
            metadata, problem, top_keys = _front_matter_metadata(block)
            keys = {key: start_line + before for key, before in top_keys}
            if problem:
                problems.append(problem)
    return ParsedCard(
        text=text,
        lines=lines,
        metadata=metadata,
        has_front_matter=has_fm,
        front_matter_end=fm_end,
        metadata_keys=keys,
        sections=_sections(lines, fm_end, body),
        links=_links(lines, fm_end, body),
        problems=problems,
        body=body,
    )
