"""Groups of regular expressions searched quickly, with exactly the result of one big alternation.

Most card prose rules are alternations of words (``\\btrain(?:ed|ing)?\\b|\\bfine-?tun|...``). Python's ``re``
tries every alternative at every position of the text, which made these searches the largest cost of grading a
card. A :class:`PatternGroup` keeps each pattern apart and derives, from the parsed pattern, the literal strings of
which every match must contain at least one (``train``, ``fine``, ...). A pattern is run only when one of its
literals occurs in the case-folded text; most are skipped with a substring test.

The result is the same as searching ``(?:p1)|(?:p2)|...``: the leftmost match, and among matches starting at the
same place the one of the earliest pattern. The literal test can only skip patterns that cannot match, so it never
changes a result; when no literal can be derived (a pattern made of character classes only, or syntax the
analysis does not know), the pattern is always run.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable
from typing import Any

_sre_c: Any
_sre_p: Any
try:  # the regex parser is private (and untyped); without it every pattern is simply always run
    _sre_c = importlib.import_module("re._constants")
    _sre_p = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover - depends on the Python version
    _sre_c = _sre_p = None

#: The characters that ``re.IGNORECASE`` equates with an ASCII letter other than that letter's two cases, with the
#: letter (tests/test_patterns.py checks this against every Unicode code point).
_RE_CASE_FIXES = (("\u0130", "i"), ("\u0131", "i"), ("\u017f", "s"), ("\u212a", "k"))


def fold(text: str) -> str:
    """``text`` lower-cased for finding ASCII literals: a case-insensitive match of an ASCII literal in ``text`` is a
    substring of the result, at the same position.

    The result has the length of ``text``, position for position: ASCII letters are lower-cased, the characters
    ``re.IGNORECASE`` equates with an ASCII letter become that letter, and any other non-ASCII character becomes
    ``?`` (which can only make a literal appear where the pattern then fails to match, never hide one). That is
    4x faster than ``str.lower`` on text that is not ASCII.
    """
    if text.isascii():
        return text.lower()
    for char, letter in _RE_CASE_FIXES:
        if char in text:
            text = text.replace(char, letter)
    return text.encode("ascii", errors="replace").lower().decode("ascii")


Literals = frozenset[str]


def _best(candidates: list[Literals]) -> Literals | None:
    """The most selective requirement: longest shortest literal, then fewest alternatives."""
    if not candidates:
        return None
    return max(candidates, key=lambda lits: (min(len(s) for s in lits), -len(lits)))


def _branch_union(branches: Any, derive: Callable[[Any, bool], Literals | None], ignorecase: bool) -> Literals | None:
    """The literals ``derive`` gives each branch of an alternation, together; None when a branch has none."""
    union: set[str] = set()
    for branch in branches:
        lits = derive(branch, ignorecase)
        if lits is None:
            return None
        union |= lits
    return frozenset(union) or None


def _required(items: Any, ignorecase: bool) -> Literals | None:
    """Literals of which every match of the parsed sequence ``items`` contains one (None when unknown)."""
    c = _sre_c
    candidates: list[Literals] = []
    run: list[str] = []

    def close_run() -> None:
        if run:
            candidates.append(frozenset({"".join(run)}))
            run.clear()

    for op, av in items:
        if op is c.LITERAL:
            ch = chr(av)
            if not ch.isascii():  # non-ASCII literals are not folded reliably; stop the run here
                close_run()
                continue
            run.append(ch.lower() if ignorecase else ch)
            continue
        close_run()
        found: Literals | None = None
        if op is c.SUBPATTERN:
            _group, add_flags, del_flags, body = av
            if not add_flags and not del_flags:
                found = _required(body, ignorecase)
        elif op is c.ATOMIC_GROUP:
            found = _required(av, ignorecase)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            low, _high, body = av
            if low >= 1:
                found = _required(body, ignorecase)
        elif op is c.BRANCH:
            found = _branch_union(av[1], _required, ignorecase)
        if found:
            candidates.append(found)
    close_run()
    return _best(candidates)


#: A prefix made of a literal run and an alternation is spelled out only up to this many strings.
_MAX_PREFIXES = 64


def _prefix(items: Any, ignorecase: bool) -> Literals | None:
    """Literals one of which every match of ``items`` starts with (after zero-width assertions), or None."""
    c = _sre_c
    index = 0
    while index < len(items) and items[index][0] is c.AT:
        index += 1
    run: list[str] = []
    while index < len(items) and items[index][0] is c.LITERAL and chr(items[index][1]).isascii():
        ch = chr(items[index][1])
        run.append(ch.lower() if ignorecase else ch)
        index += 1
    head = "".join(run)
    rest: Literals | None = None
    if index < len(items):
        op, av = items[index]
        if op is c.SUBPATTERN and not av[1] and not av[2]:
            rest = _prefix(av[3], ignorecase)
        elif op is c.BRANCH:  # the parser factors a common start out of the branches: "m(?:pl|ozilla)"
            rest = _branch_union(av[1], _prefix, ignorecase)
            if rest is not None and len(rest) > _MAX_PREFIXES:
                rest = None
    if rest is not None:
        return frozenset(head + tail for tail in rest)
    return frozenset({head}) if head else None


def _parse(pattern: str, flags: int) -> tuple[Any, bool] | None:
    if _sre_p is None:  # pragma: no cover - depends on the Python version
        return None
    try:
        parsed = _sre_p.parse(pattern, flags)
    except (re.error, RecursionError, AttributeError, TypeError, ValueError):
        return None
    return parsed, bool(parsed.state.flags & re.IGNORECASE)


def prefix_literals(pattern: str, flags: int = 0) -> Literals | None:
    """Literal strings one of which every match of ``pattern`` starts with, or None when none can be derived.

    Such a pattern can only match where one of them occurs, so it is tried there alone (``pattern.match`` at each
    occurrence) instead of at every position of the text.
    """
    parsed = _parse(pattern, flags)
    if parsed is None:
        return None
    try:
        return _prefix(*parsed)
    except (AttributeError, TypeError, ValueError, RecursionError, IndexError):  # pragma: no cover - parser shapes
        return None


def required_literals(pattern: str, flags: int = 0) -> Literals | None:
    """Literal strings of which every match of ``pattern`` contains at least one, or None when none can be derived.

    With ``re.IGNORECASE`` the literals are lower-case and are to be looked for in :func:`fold` of the text.
    """
    parsed = _parse(pattern, flags)
    if parsed is None:
        return None
    try:
        return _required(*parsed)
    except (AttributeError, TypeError, ValueError, RecursionError):  # pragma: no cover - unknown parser shapes
        return None


#: Past this many occurrences of its prefix literals (or one per 64 characters of a longer text), a pattern is
#: searched the ordinary way: trying each occurrence costs about what the regex costs on 64 characters.
MAX_ANCHORS = 32

_Part = tuple[re.Pattern[str], tuple[str, ...] | None, bool, tuple[str, ...] | None]


def _anchored_search(compiled: re.Pattern[str], text: str, hay: str, prefixes: tuple[str, ...]) -> re.Match[str] | None:
    """``compiled.search(text)`` for a pattern whose matches start with one of ``prefixes`` (found in ``hay``)."""
    limit = len(text) >> 6 if len(text) > MAX_ANCHORS << 6 else MAX_ANCHORS
    if len(prefixes) == 1:
        prefix = prefixes[0]
        pos = hay.find(prefix)
        tries = 0
        while pos >= 0:
            m = compiled.match(text, pos)  # `\b` and look-behinds still see the text before pos
            if m is not None:
                return m
            tries += 1
            if tries > limit:
                return compiled.search(text, pos)
            pos = hay.find(prefix, pos + 1)
        return None
    starts: set[int] = set()
    for prefix in prefixes:
        pos = hay.find(prefix)
        while pos >= 0:
            starts.add(pos)
            if len(starts) > limit:
                return compiled.search(text)
            pos = hay.find(prefix, pos + 1)
    for pos in sorted(starts):
        m = compiled.match(text, pos)
        if m is not None:
            return m
    return None


#: Prefixes that share their first _MERGED_PREFIX characters are looked for as their common start: one scan of the
#: text instead of several ("selected", "selection": "select"); a match still needs the whole pattern.
_MERGED_PREFIX = 4


def _merge_prefixes(prefixes: Iterable[str]) -> tuple[str, ...]:
    """``prefixes``, sorted, those sharing a start of _MERGED_PREFIX characters or more replaced by that start, and
    those that start with another one dropped."""
    merged: list[str] = []
    for prefix in sorted(prefixes):
        if merged and prefix.startswith(merged[-1]):  # found wherever the shorter one is found
            continue
        if merged and len(prefix) >= _MERGED_PREFIX and prefix[:_MERGED_PREFIX] == merged[-1][:_MERGED_PREFIX]:
            last = merged[-1]
            common = _MERGED_PREFIX
            while common < min(len(last), len(prefix)) and last[common] == prefix[common]:
                common += 1
            merged[-1] = last[:common]
        else:
            merged.append(prefix)
    return tuple(merged)


def _part_search(part: _Part, text: str, folded: str) -> re.Match[str] | None:
    """The part's leftmost match in ``text`` (``folded``: its :func:`fold`); None at once without its literals."""
    compiled, lits, ignorecase, prefixes = part
    hay = folded if ignorecase else text
    if lits is not None:
        for lit in lits:
            if lit in hay:
                break
        else:
            return None
    if prefixes is not None:  # fold keeps positions
        return _anchored_search(compiled, text, hay, prefixes)
    return compiled.search(text)


class PatternGroup:
    """Several regexes searched as one alternation, skipping those whose required literals are absent.

    Args:
        patterns: the regexes, in priority order (the first wins among matches at the same position).
        flags: ``re`` flags for every pattern (one pattern may instead be given as ``(pattern, flags)``).
        labels: optionally, a label for each pattern, for :meth:`labels_matching`.
    """

    __slots__ = ("_always", "_label_order", "_labels", "_parts", "_screen_folded", "_screen_text", "patterns")

    def __init__(
        self, patterns: Iterable[str | tuple[str, int]], flags: int = 0, labels: Iterable[str] | None = None
    ) -> None:
        parts: list[_Part] = []
        sources: list[str] = []
        for item in patterns:
            source, own_flags = item if isinstance(item, tuple) else (item, flags)
            compiled = re.compile(source, own_flags)
            lits = required_literals(source, own_flags)
            prefixes = prefix_literals(source, own_flags)
            if (
                prefixes
                and lits
                and len(prefixes) <= len(lits)
                and all(any(lit in prefix for lit in lits) for prefix in prefixes)
            ):
                # Where no literal occurs, no prefix does either, and looking for the prefixes costs no more scans of
                # the text than looking for the literals first.
                lits = None
            parts.append(
                (
                    compiled,
                    tuple(sorted(lits, key=len, reverse=True)) if lits else None,
                    bool(compiled.flags & re.IGNORECASE),
                    _merge_prefixes(prefixes) if prefixes else None,
                )
            )
            sources.append(source)
        # The screen: each literal a part needs (its prefixes, else its required literals), once, with the parts
        # needing it. One pass of substring tests then names the parts worth running; the others cannot match.
        screens: tuple[dict[str, list[int]], dict[str, list[int]]] = ({}, {})  # case-sensitive, folded
        always: list[int] = []  # parts without literals: always run
        for index, (_compiled, part_lits, ignorecase, part_prefixes) in enumerate(parts):
            needed = part_prefixes if part_prefixes is not None else part_lits
            if needed is None:
                always.append(index)
                continue
            for literal in needed:
                screens[ignorecase].setdefault(literal, []).append(index)
        # A part screened by its required literals needs no second look for them when it runs.
        self._parts = tuple(
            (compiled, None, ignorecase, None) if prefixes is None else (compiled, lits, ignorecase, prefixes)
            for compiled, lits, ignorecase, prefixes in parts
        )
        self._screen_text = tuple((lit, tuple(indexes)) for lit, indexes in screens[False].items())
        self._screen_folded = tuple((lit, tuple(indexes)) for lit, indexes in screens[True].items())
        self._always = tuple(always)
        self._labels = tuple(labels) if labels is not None else tuple(sources)
        if len(self._labels) != len(self._parts):
            raise ValueError("one label per pattern")
        self._label_order = tuple(dict.fromkeys(self._labels))
        #: The pattern sources, for documentation and tests.
        self.patterns: tuple[str, ...] = tuple(sources)

    def _candidates(self, text: str, folded: str) -> tuple[int, ...] | list[int]:
        """The indexes of the parts whose literals occur in the text, in pattern order (the others cannot match)."""
        hits = [indexes for lit, indexes in self._screen_folded if lit in folded]
        if self._screen_text:
            hits += [indexes for lit, indexes in self._screen_text if lit in text]
        if not self._always:
            if not hits:
                return ()
            if len(hits) == 1:
                return hits[0]
        chosen: set[int] = set(self._always)
        for indexes in hits:
            chosen.update(indexes)
        return sorted(chosen)

    def search(self, text: str, folded: str | None = None) -> re.Match[str] | None:
        """The leftmost match of any pattern (the earliest pattern among matches at the same position).

        ``folded``, when given, must be :func:`fold` of ``text`` (callers searching one text with several groups
        fold it once).
        """
        if folded is None:
            folded = fold(text)
        best: re.Match[str] | None = None
        parts = self._parts
        for index in self._candidates(text, folded):
            m = _part_search(parts[index], text, folded)
            if m is not None and (best is None or m.start() < best.start()):
                best = m
                if best.start() == 0:
                    break
        return best

    def matches(self, text: str, folded: str | None = None) -> bool:
        """True when any pattern matches somewhere in ``text`` (same as ``search(...) is not None``)."""
        if folded is None:
            folded = fold(text)
        parts = self._parts
        return any(_part_search(parts[i], text, folded) is not None for i in self._candidates(text, folded))

    def labels_matching(self, text: str, folded: str | None = None) -> list[str]:
        """The labels of the patterns that match ``text``, each once, in the order the labels were first given.

        A label already found is not searched for again.
        """
        if folded is None:
            folded = fold(text)
        found: set[str] = set()
        labels = self._labels
        for index in self._candidates(text, folded):
            label = labels[index]
            if label not in found and _part_search(self._parts[index], text, folded) is not None:
                found.add(label)
        return [label for label in self._label_order if label in found] if found else []
