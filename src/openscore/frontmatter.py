"""A fast loader for the plain subset of YAML that model-card front matter is nearly always written in.

Loading front matter with PyYAML costs ~90 µs a card, even with libyaml: the time goes into Python node objects and
into the Python resolver, called for every scalar. :func:`load_simple` reads the common subset line by line instead
(~15 µs), and returns ``None`` for anything outside it, so that the caller falls back to PyYAML
(``openscore.card._load_selected``). On the 2023 corpus of Hub cards, 99.2% of the front-matter blocks are in the
subset.

**The equivalence guarantee.** When :func:`load_simple` returns a dict, ``_load_selected(block, keys)`` does not
raise on ``block`` and returns an equal dict: the same keys, the same values of the same Python types, built the
same way (duplicate keys: the last value wins, at the place of the first). The whole block is checked, the values
that are not kept included, so that a block PyYAML rejects is never accepted. Kept scalars are typed by PyYAML's own
resolver and constructors (YAML 1.1: ``yes``/``no``, ``0x1F``, ``017``, ``1:30``, ``.inf``, dates ...), never by
rules written again here. Where in doubt, the block is left to PyYAML.

**The subset.** Anything else makes :func:`load_simple` return ``None``:

* a block mapping at the root (its keys at column 0, or a whole block indented alike); nested block mappings and
  block sequences indented by spaces, a sequence possibly at the column of its parent key (``tags:`` then ``- a``);
  compact mappings in sequence items (``- name: x`` then ``  type: y``);
* keys that are one-line plain scalars (no ``#``, up to 250 characters) or one-line quoted scalars, followed
  directly by ``:``;
* values that are empty (null, or a block collection on the next lines), one-line plain scalars, one-line quoted
  scalars (double-quoted ones with the escapes libyaml knows, ``\n``, ``\x41``, ``\u00e9`` ...), or one-line flow
  sequences of words and of quoted strings without commas or escapes (``[]``, ``[en, fr]``, ``["a", 'b']``);
* full-line comments, trailing comments after a space, blank lines.

Out of the subset, among others: tabs, carriage returns and characters YAML does not allow unescaped; document
markers and directives; anchors, aliases and tags; block scalars (``|``, ``>``); scalars continued on another line,
or alone on the line below their key; flow mappings and nested flow collections; complex keys (``?``); compact
nested sequences (``- - a``); kept scalars that PyYAML resolves to ``=`` (value) or ``<<`` (merge) or cannot
construct (``2024-02-30``); nesting deeper than 64 levels.

**How.** Each line is cut by one regular expression into indentation, sequence entry, key and value. Lines repeat
across cards made from the same template, so the cut lines (``_Token``) and the built plain scalars are cached,
within bounds. A loop over the lines then keeps a stack of the open collections and checks the indentation the way
libyaml does: a line left of the current collection closes collections until one starts at its column, a line to
the right opens a collection only after a key or an entry with no value, and a value is never continued.
The caches are bounded dicts, safe to share between threads (a lost entry only costs time).
"""

from __future__ import annotations

import contextlib
import re
from typing import Any, Final

import yaml

__all__ = ["load_simple"]

try:  # the loader class openscore.card uses, for the same resolver and constructor tables
    _LOADER_CLASS: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment,unused-ignore]
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _LOADER_CLASS = yaml.SafeLoader

#: A loader used only for its resolver and its scalar constructors, which keep no state between calls.
_LOADER: Final = _LOADER_CLASS("")

#: The tags PyYAML's implicit resolvers give plain scalars whose safe constructor is a pure function of the text.
#: The two other implicit tags, ``value`` (``=``) and ``merge`` (``<<``), fail or change their mapping when built.
_SCALAR_TAGS: Final = frozenset(
    "tag:yaml.org,2002:" + name for name in ("null", "bool", "int", "float", "timestamp", "str")
)

#: ASCII characters libyaml refuses, or that this loader does not handle (tab, CR): checked on the UTF-8 bytes.
_BAD_ASCII: Final = bytes(c for c in range(32) if c != 10) + b"\x7f"
#: Any character libyaml refuses unescaped (control characters, surrogates, U+FFFE, U+FFFF), tabs, the BOM, and line
#: breaks other than LF (CR, NEL, LS, PS).
_BAD_CHAR: Final = re.compile("[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")

#: A one-line flow sequence item with no comma inside: a word (possibly several, space-separated) or quoted text.
_FLOW_ITEM = r"""(?:[A-Za-z0-9_](?:\ *[A-Za-z0-9_./+-])*+|'[^',]*+'|"[^",\\]*+")"""
_COMMENT_OR_END = r"(?:\ +\#.*|\ *)$"
#: A one-line double-quoted scalar, with only the escapes libyaml knows (it refuses any other).
_DOUBLE_QUOTED = r"""(?:"(?:[^"\\]++|\\(?:[0abtnvfre\ "/\\N_LP]|x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}))*+")"""
_ESCAPE: Final = re.compile(r"\\(?:x([0-9A-Fa-f]{2})|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_ESCAPES: Final = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r", "e": "\x1b", " ": " ",
    '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029",
}  # fmt: skip

#: One line, cut into the parts of the subset. Every line matches: all parts are optional, and the last alternative
#: takes anything. Possessive quantifiers keep it linear.
_LINE: Final = re.compile(
    rf"""
    (\ *)                                               # 1 the indentation
    (-(?:\ +|$))?                                       # 2 a sequence entry, with the spaces after it
    (?:                                                 # 3 a key, then ':' and a space or the line end:
        ( (?:[^-?:,\[\]{{}}\#&*!|>'"%@`\ ]|-(?=[^\ ]))  #   plain: no indicator first, no '#', and the first
          (?:[^:\#]++|:(?=[^\ ]))*+                     #   ': ' ends it, as in YAML (may end with spaces)
        | '[^']*+(?:''[^']*+)*+'                        #   single-quoted
        | {_DOUBLE_QUOTED}                              #   double-quoted
        )
        :(?:\ +|$)
    )?
    (?:                                                 # the value:
        ( (?:[^-?:,\[\]{{}}\#&*!|>'"%@`\ ]|-(?=[^\ ]))  # 4 a plain scalar: no indicator first, no ': ' or
          (?:[^\ :]++|:(?=[^\ ])|\ ++(?=[^\ \#]))*+     #   ' #' inside, no ':' at the end
        ) {_COMMENT_OR_END}
    |   ('[^']*+(?:''[^']*+)*+') {_COMMENT_OR_END}      # 5 a single-quoted scalar
    |   ({_DOUBLE_QUOTED}) {_COMMENT_OR_END}            # 6 a double-quoted scalar
    |   (\[\ *(?:{_FLOW_ITEM}\ *(?:,\ *{_FLOW_ITEM}\ *)*+(?:,\ *)?)?\]) {_COMMENT_OR_END}  # 7 a flow sequence
    |   (?:\#.*)?$                                      #   nothing, or a comment
    |   (.+)                                            # 8 anything else: out of the subset
    )
    """,
    re.VERBOSE,
)

_MAX_KEY_CHARS: Final = 250  # libyaml forgets a possible key after 1024 characters (or bytes, in older versions)
_MAX_DEPTH: Final = 64
#: Lines repeat across cards made from the same template: the lexed form of lines up to this long is cached.
_MAX_CACHED_LINE: Final = 200
_CACHE_LIMIT: Final = 10_000

# The kinds of open collections.
_MAP: Final = 0
_SEQ: Final = 1
_INDENTLESS_SEQ: Final = 2  # a sequence at the column of its parent key ("tags:" then "- a"); ends at the next key

#: A lexed line: its column; whether it is a sequence entry; the column of its key, the key (None when there is
#: none) and whether it is quoted; its value: None when the line ends after the key or entry, else ``(style, text)``
#: with the style ``""`` (plain), ``"'"``, ``'"'`` or ``"["`` (then text is a list of ``(style, text)`` items).
_Token = tuple[int, bool, int, str | None, bool, tuple[str, Any] | None]
_BLANK: Final[_Token] = (-1, False, -1, None, False, None)  # a blank or comment line
_BAD_LINE: Final[_Token] = (-2, False, -1, None, False, None)  # a line out of the subset


class _OutOfSubset(Exception):
    """The block is not in the subset: fall back to PyYAML."""


_UNBUILDABLE: Final = object()
_plain_cache: dict[str, Any] = {}
_line_cache: dict[str, _Token] = {}


def _lex(line: str) -> _Token:
    """Cut one line into a token (see ``_Token``); ``_BLANK`` or ``_BAD_LINE`` when it has none or is out of subset."""
    m = _LINE.match(line)
    if m is None:  # pragma: no cover - every line matches
        return _BAD_LINE
    spaces, entry, key, plain, single, double, flow, other = m.groups()
    if other is not None:
        return _BAD_LINE
    if plain is not None:
        value: tuple[str, Any] | None = ("", plain)
    elif single is not None:
        value = ("'", single[1:-1].replace("''", "'"))
    elif double is not None:
        text = _unescape(double[1:-1])
        if text is None:
            return _BAD_LINE
        value = ('"', text)
    elif flow is not None:
        items = [item.strip(" ") for item in flow[1:-1].split(",")]
        if items[-1] == "":  # "[]", or a trailing comma
            items.pop()
        value = ("[", [(item[0], item[1:-1]) if item[0] in "'\"" else ("", item) for item in items])
    else:
        value = None
    column = len(spaces)
    if key is None:
        if entry is None:  # a blank or comment line, or a scalar alone on its line (continued, or below its key)
            return _BLANK if value is None else _BAD_LINE
        return (column, True, -1, None, False, value)
    if len(key) > _MAX_KEY_CHARS:
        return _BAD_LINE
    quoted = key[0] in "'\""
    if not quoted:
        key = key.rstrip(" ")
        if column == 0 and entry is None and key[:3] in ("---", "..."):  # "--- " or "... " at column 0: a document
            return _BAD_LINE  # marker, not a key
    elif key[0] == "'":
        key = key[1:-1].replace("''", "'")
    else:
        unescaped = _unescape(key[1:-1])
        if unescaped is None:
            return _BAD_LINE
        key = unescaped
    if entry is None:
        return (column, False, column, key, quoted, value)
    return (column, True, column + len(entry), key, quoted, value)


def _unescape(text: str) -> str | None:
    """The content of a double-quoted scalar, its escapes decoded as libyaml does; None for an invalid code point."""
    if "\\" not in text:
        return text
    try:
        return _ESCAPE.sub(_decode, text)
    except ValueError:
        return None


def _decode(m: re.Match[str]) -> str:
    """The character one escape of ``_ESCAPE`` stands for."""
    hexadecimal = m.group(1) or m.group(2) or m.group(3)
    if hexadecimal is None:
        return _ESCAPES[m.group(4)]
    code = int(hexadecimal, 16)
    if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:  # libyaml: "found invalid Unicode character escape code"
        raise ValueError(code)
    return chr(code)


def _plain(text: str) -> Any:
    """The value PyYAML's safe loader builds for the plain scalar ``text`` (cached: these values are immutable)."""
    try:
        value = _plain_cache[text]
    except KeyError:
        tag = _LOADER.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call,unused-ignore]
        value = _UNBUILDABLE
        if tag in _SCALAR_TAGS:
            with contextlib.suppress(ValueError, OverflowError, TypeError, yaml.YAMLError):  # e.g. a date 2024-02-30
                value = _LOADER.yaml_constructors[tag](_LOADER, yaml.ScalarNode(tag, text))
        if len(_plain_cache) >= _CACHE_LIMIT:
            _plain_cache.clear()
        _plain_cache[text] = value
    if value is _UNBUILDABLE:
        raise _OutOfSubset
    return value


def _value(value: tuple[str, Any]) -> Any:
    """Build a value on the line of its key or entry."""
    style, text = value
    if not style:
        return _plain(text)
    if style == "[":
        return [item if item_style else _plain(item) for item_style, item in text]
    return text


def _load(block: str, keys: frozenset[str]) -> dict[str, Any]:
    """Load the block line by line with a stack of open collections, the way libyaml checks indentation.

    Raises :class:`_OutOfSubset` when the block is not in the subset.
    """
    cache = _line_cache
    data: dict[str, Any] = {}
    # The innermost open collection: its column, kind, the object being built (None when it is only checked), the
    # key whose value comes next (in a mapping), and whether that value is built. Its parents are on the stack.
    indent, kind, build = -1, _MAP, False
    obj: Any = data
    key: Any = None
    stack: list[tuple[int, int, Any, Any, bool]] = []
    pending = False  # the line before ended with a key or an entry and no value: null, or a collection below
    after_key = False  # ... and it was a key (a sequence may then start at the same column)
    for line in block.split("\n"):
        token = cache.get(line)
        if token is None:
            token = _lex(line)
            if len(line) <= _MAX_CACHED_LINE:
                if len(cache) >= _CACHE_LIMIT:
                    cache.clear()
                cache[line] = token
        column, entry, key_column, text, quoted, value = token
        if column < 0:
            if token is _BLANK:
                continue
            raise _OutOfSubset
        if indent < 0:  # the first key: the root mapping
            if entry:
                raise _OutOfSubset
            indent = column
        elif pending and (column > indent or (column == indent and after_key and entry)):
            # The pending value is a collection that starts on this line.
            pending = False
            child: Any = ([] if entry else {}) if build else None
            if build:
                if kind == _MAP:
                    obj[key] = child
                else:
                    obj.append(child)
            stack.append((indent, kind, obj, key, build))
            if len(stack) > _MAX_DEPTH:
                raise _OutOfSubset
            kind = _MAP if not entry else _SEQ if column > indent else _INDENTLESS_SEQ
            indent, obj = column, child
        else:
            if pending:  # the pending value is null
                pending = False
                if build:
                    if kind == _MAP:
                        obj[key] = None
                    else:
                        obj.append(None)
            while column < indent:  # close the collections this line is left of
                if not stack:
                    raise _OutOfSubset
                indent, kind, obj, key, build = stack.pop()
            if column != indent:
                raise _OutOfSubset
            if entry:
                if kind == _MAP:
                    raise _OutOfSubset
            elif kind != _MAP:
                if kind == _SEQ:
                    raise _OutOfSubset
                indent, kind, obj, key, build = stack.pop()  # an indentless sequence ends at its parent's next key
        if entry:
            if text is None:
                if value is None:
                    pending, after_key = True, False
                elif build:
                    obj.append(_value(value))
                continue
            # "- key: value": the item is a mapping, with its keys at the column of this key
            child = {} if build else None
            if build:
                obj.append(child)
            stack.append((indent, kind, obj, key, build))
            if len(stack) > _MAX_DEPTH:
                raise _OutOfSubset
            indent, kind, obj = key_column, _MAP, child
        assert text is not None  # a line with no entry has a key
        if stack:
            if build:
                key = text if quoted else _plain(text)
        else:  # a root key: its value is built only for a str key in `keys`, as _load_selected does
            key = text
            build = text in keys and (quoted or isinstance(_plain(text), str))
        if value is None:
            pending, after_key = True, True
        elif build:
            obj[key] = _value(value)
    if indent < 0:
        raise _OutOfSubset
    if pending and build:
        if kind == _MAP:
            obj[key] = None
        else:
            obj.append(None)
    return data


def load_simple(block: str, keys: frozenset[str]) -> dict[str, Any] | None:
    """Load a front-matter block written in the common subset of YAML, or return ``None`` when it is not.

    The result equals ``openscore.card._load_selected(block, keys)``: the root mapping with only the values of the
    plain or quoted string keys in ``keys`` (the other values are checked, not built). ``None`` means "ask PyYAML":
    the block may be outside the subset, invalid, empty, or not a mapping. Never raises.
    """
    if block.isascii():
        if len(block.encode().translate(None, _BAD_ASCII)) != len(block):
            return None
    elif _BAD_CHAR.search(block) is not None:
        return None
    try:
        return _load(block, keys)
    except _OutOfSubset:
        return None
