"""Highlighting: the query's words marked in a record's text, HTML-escaped.

Built on the analyzer's `spans` (`archive.index.analysis`), which gives the exact character spans a
query's phrases cover (for Khmer too), so the marks show exactly what the index matched, and on the
query syntax of `archive.querysyntax`. It owns reading the words to mark out of a query string, the
best passage of a text (the snippet of a search hit) and marking whole paragraphs (the record page).
It knows nothing of the store, the index's contents or searcher, or the web.
"""
from __future__ import annotations

import functools
import re

from markupsafe import Markup, escape

from .index import analysis
from .querysyntax import OPERATORS, TEXT_FIELDS, query_tokens

# Fields whose values are words of the text, worth marking (not type:, language:).
SNIPPET_CHARS = 260


def paragraphs(text: str | None) -> list[str]:
    """Blank lines separate paragraphs; record pages number them so a citation can point at one."""
    return [p.strip("\n") for p in re.split(r"\n[ \t]*\n", text or "") if p.strip()]


def query_phrases(text: str) -> list[list[str]]:
    """The words and phrases of a query that a match shows, as `analysis.spans` takes them.

    Negated words (`-word`, `NOT word`) are left out; a trailing `*` or `~` is dropped (the index's
    expansions of those are added by the caller).
    """
    phrases: list[list[str]] = []
    negate = False
    for token in query_tokens(text or ""):
        if token in ("(", ")"):
            continue
        if token in OPERATORS:
            negate = token in ("NOT", "ANDNOT")
            continue
        if negate or token.startswith("-"):
            negate = False
            continue
        token = token.lstrip("+")
        field_, sep, value = token.partition(":")
        if sep and not token.startswith('"'):
            if field_.lower() not in TEXT_FIELDS:
                continue
            token = value
        words = token.strip('"').rstrip("*~").split()
        if words:
            phrases.append(words)
    return phrases


def _prefilter(phrases: list[list[str]]):
    """A cheap test that a paragraph may hold a match, so `spans` analyzes only those that might.

    Only for plain ASCII terms: lower-casing and folding accents shows them in the raw text. An
    ASCII paragraph is cut into words exactly as the analyzer cuts it (runs of ASCII letters, digits
    and `_`), so there a term must stand as a whole word. Other scripts (Khmer is normalised by the
    analyzer) always go through `spans`.
    """
    return _prefilter_of(tuple(tuple(phrase) for phrase in phrases))


@functools.lru_cache(maxsize=256)
def _prefilter_of(phrases: tuple[tuple[str, ...], ...]):
    terms = {term for phrase in phrases for word in phrase for _, term, _, _ in analysis.tokens(word)}
    if not terms or not all(t.isascii() and t.isalnum() for t in terms):
        return lambda paragraph: True
    whole = re.compile("(?<![0-9A-Za-z_])(?:" + "|".join(map(re.escape, sorted(terms, key=len, reverse=True)))
                       + ")(?![0-9A-Za-z_])")

    def may(paragraph: str) -> bool:
        low = paragraph.lower()
        if low.isascii():
            return whole.search(low) is not None
        if any(t in low for t in terms):
            return True
        folded = analysis.fold(low)
        return any(t in folded for t in terms)
    return may


def mark(text: str, spans: list[tuple[int, int]]) -> Markup:
    """`text` HTML-escaped, with each span wrapped in <mark>."""
    out, last = [], 0
    for start, end in spans:
        out.append(escape(text[last:start]))
        out.append(Markup("<mark>") + escape(text[start:end]) + Markup("</mark>"))
        last = end
    out.append(escape(text[last:]))
    return Markup("").join(out)


def mark_paragraphs(paragraphs: list[str], phrases: list[list[str]], budget=None) -> list[Markup]:
    """Each paragraph escaped, with the query's words marked (until the `budget` runs out: the
    paragraphs after that are left unmarked)."""
    if not phrases:
        return [escape(p) for p in paragraphs]
    may = _prefilter(phrases)
    out = []
    for p in paragraphs:
        if may(p) and not (budget is not None and budget.over()):
            out.append(mark(p, analysis.spans(p, phrases)))
        else:
            out.append(escape(p))
    return out


def snippet(paragraphs: list[str], phrases: list[list[str]], width: int = SNIPPET_CHARS,
            budget=None) -> tuple[Markup, int | None]:
    """The best passage around the matches and its paragraph number (1-based), or (start, None).

    The best passage is the paragraph with the most distinct words matched, then the most marks;
    a long paragraph is cut to a window starting a little before its densest stretch of marks.
    Paragraphs are read until the `budget` (if any) runs out.
    """
    best, best_key = None, (0, 0)
    most = sum(len(p) for p in phrases)
    if phrases:
        may = _prefilter(phrases)
        for number, para in enumerate(paragraphs, 1):
            if not may(para):
                continue
            if budget is not None and budget.over():
                break
            spans = analysis.spans(para, phrases)
            if not spans:
                continue
            # distinct matched words and phrases, a phrase counting for its words
            distinct = sum(len(t.split()) for t in {para[s:e].casefold() for s, e in spans})
            key = (distinct, len(spans))
            if key > best_key:
                best, best_key = (number, para, spans), key
            if distinct >= most and len(spans) >= 2 * most:  # good enough: stop reading
                break
    if best is None:
        first = paragraphs[0] if paragraphs else ""
        cut = first[:width]
        return escape(cut + ("…" if len(first) > width else "")), None
    number, para, spans = best
    if len(para) <= width:
        return mark(para, spans), number
    # the window that holds the most marks
    start = max(range(len(spans)), key=lambda i: sum(1 for s, _ in spans[i:] if s < spans[i][0] + width))
    begin = max(0, spans[start][0] - width // 5)
    if begin:  # start at a word boundary
        space = para.rfind(" ", 0, begin)
        begin = space + 1 if space >= 0 and begin - space < 30 else begin
    end = min(len(para), begin + width)
    space = para.find(" ", end)
    end = space if 0 <= space - end < 30 else end
    inside = [(max(s, begin) - begin, min(e, end) - begin) for s, e in spans if s < end and e > begin]
    body = mark(para[begin:end], inside)
    before = Markup("…") if begin else Markup("")
    after = Markup("…") if end < len(para) else Markup("")
    return before + body + after, number
