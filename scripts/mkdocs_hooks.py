"""MkDocs hook: the site's home page is README.md, its links rewritten for the site.

docs/index.md is a placeholder; its Markdown is replaced by README.md's at build time, so the two never drift.
Links into docs/ become site-relative; links to other repository files (which are not part of the site) keep their
text and lose the link.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

_LINK = re.compile(r"\[([^\]]+)\]\((?!https?://|#)([^)]+)\)")


def _site_link(match: re.Match[str]) -> str:
    text, target = match.group(1), match.group(2)
    if target.startswith("docs/"):
        return f"[{text}]({target.removeprefix('docs/')})"
    return text


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Replace the home page's placeholder by README.md."""
    if page.file.src_uri != "index.md":
        return markdown
    readme = Path(config["docs_dir"]).parent / "README.md"
    return _LINK.sub(_site_link, readme.read_text(encoding="utf-8"))
