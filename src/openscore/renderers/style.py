"""What every visual renderer shares: one colour per verdict and status, status marks, and text/URL hygiene.

Text in a report comes from strangers (repository ids, license names, card headings and quotes). :func:`clean`
removes what must never reach a document (control characters, characters XML 1.0 forbids) and makes bidi
overrides visible; :func:`safe_url` only lets http(s) and relative URLs through. Each renderer still escapes for
its own format (XML, HTML, Markdown).
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote, urlsplit

from ..criteria import Verdict
from ..findings import Criterion, Status

#: One colour per verdict (shields.io's palette), used by the SVG badge, the endpoint JSON and the HTML views.
#: Keyed by :class:`Verdict`; a StrEnum, so the plain verdict string ("open-weights") looks it up too.
VERDICT_COLORS: dict[str, str] = {
    Verdict.OPEN_SOURCE_AI: "#4c1",  # brightgreen
    Verdict.OPEN_WEIGHTS: "#97ca00",  # green
    Verdict.WEIGHTS_AVAILABLE: "#fe7d37",  # orange
    Verdict.UNDETERMINED: "#9f9f9f",  # lightgrey
    Verdict.CLOSED: "#e05d44",  # red
}

#: One colour per criterion status (keyed by :class:`Status`, or its string value).
STATUS_COLORS: dict[str, str] = {
    Status.MET: "#4c1",
    Status.PARTLY_MET: "#dfb317",  # yellow
    Status.NOT_MET: "#e05d44",
    Status.UNDETERMINED: "#9f9f9f",
}

#: A target that could not be graded (batch summaries).
ERROR_COLOR = "#e05d44"

#: The label part of a badge (shields' default label colour).
LABEL_COLOR = "#555"

#: One mark per criterion status (all covered by the badge font width table).
STATUS_MARKS: dict[Status, str] = {
    Status.MET: "\u2713",  # check mark
    Status.PARTLY_MET: "\u25d0",  # circle with left half black
    Status.NOT_MET: "\u2717",  # ballot x
    Status.UNDETERMINED: "?",
}

#: The status in words, for screen readers and alt text.
STATUS_WORDS: dict[Status, str] = {
    Status.MET: "met",
    Status.PARTLY_MET: "partly met",
    Status.NOT_MET: "not met",
    Status.UNDETERMINED: "undetermined",
}

#: A one-letter abbreviation and a readable name for each criterion.
CRITERION_LETTERS: dict[Criterion, str] = {
    Criterion.PARAMETERS: "P",
    Criterion.DATA_INFORMATION: "D",
    Criterion.CODE: "C",
    Criterion.USAGE_TERMS: "T",
}
CRITERION_NAMES: dict[Criterion, str] = {
    Criterion.PARAMETERS: "parameters",
    Criterion.DATA_INFORMATION: "data information",
    Criterion.CODE: "code",
    Criterion.USAGE_TERMS: "usage terms",
}

# C0 controls except tab/newline/CR, DEL, C1 controls, surrogates and the two non-characters XML 1.0 forbids.
_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Bidi embeddings, overrides and isolates: they could make text read differently from what it says.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile("[\t\n\r\u2028\u2029]")


def clean(text: str) -> str:
    """``text`` safe to put in any document once escaped for it.

    Control characters and characters invalid in XML 1.0 are removed, bidi overrides and isolates become U+FFFD
    (so that tampering stays visible) and tabs and line breaks become spaces.
    """
    return _BIDI.sub("\ufffd", _INVALID.sub("", _SPACES.sub(" ", text)))


# Characters kept as they are when a URL is percent-encoded (RFC 3986 reserved and unreserved characters, less
# the parentheses, which end a Markdown link, plus "%" so that existing escapes survive).
_URL_SAFE = "/:?#[]@!$&'*+,;=%-._~"


def safe_url(url: str | None) -> str | None:
    """``url`` if it is an http(s) or relative URL, percent-encoded where needed; None otherwise.

    Rejects ``javascript:``, ``data:`` and every other scheme, and any URL holding whitespace or control
    characters (browsers drop some of those before they read the scheme). The result contains no quotes,
    angle brackets, backslashes, parentheses or spaces.
    """
    if not url or any(ch.isspace() or ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in url):
        return None
    if _BIDI.search(url) or _INVALID.search(url):
        return None
    encoded = quote(url, safe=_URL_SAFE)
    # Check the URL as written and as a renderer that decodes entities once more would read it.
    for candidate in {encoded, html.unescape(encoded)}:
        try:
            scheme = urlsplit(candidate).scheme.lower()
        except ValueError:
            return None
        if scheme and scheme not in ("http", "https"):
            return None
        # No scheme: a relative URL, unless the first segment holds a colon (a scheme urlsplit did not accept).
        if not scheme and ":" in re.split(r"[/?#]", candidate, maxsplit=1)[0]:
            return None
    return encoded


def hub_url(repo_id: str) -> str:
    """The Hub page of a model repository."""
    return "https://huggingface.co/" + quote(clean(repo_id), safe="/")


# Markdown: backslash-escape the ASCII punctuation that starts or ends inline syntax ("$" is Jupyter's maths),
# and write "&", "<" and ">" as entities so that no raw HTML or entity reaches the renderer.
_MD_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_MD_SPECIAL = re.compile(r"[\\`*_\[\]|~$&<>]")
_MD_LINE_START = re.compile(r"^(\d*)([#+\-=.)])")


def markdown_escape(text: str) -> str:
    """``text`` (cleaned) as literal Markdown: it renders as itself, with no links, HTML, emphasis or maths."""
    body = _MD_SPECIAL.sub(lambda m: _MD_ENTITIES.get(m.group(), "\\" + m.group()), clean(text))
    # At the start of a line "#", "+", "-", "=" and "1." / "1)" would make headings and lists.
    return _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), body, count=1)


def markdown_url(url: str) -> str:
    """A URL already checked by :func:`safe_url`, written for a Markdown link destination."""
    return url.replace("&", "&amp;")
