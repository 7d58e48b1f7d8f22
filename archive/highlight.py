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
import unicodedata

from markupsafe import Markup, escape

from .index import analysis
from .textnorm import COENG, DROP, KHMER_DIGITS, SPACE
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


# At most this many paragraphs of one text that need the analyzer (not plain ASCII) are analyzed to
# choose a search hit's snippet: a 20,000-word transcript must not be analyzed whole per hit.
ANALYZED_PER_SNIPPET = 12
# A paragraph longer than twice this many characters (a transcript without blank lines) is read for
# a snippet in pieces of about this size, so that only its promising pieces are analyzed.
PIECE_CHARS = 2000
_SPACE = re.compile(r"\s")
# Beyond this many single words (a `word*` or `word~` stands for up to 250), one pass over the words
# of a paragraph with a set lookup is cheaper than a regular expression of alternatives.
ALTERNATIVES = 32
# A text of at most this many characters (a testimony) is first looked at whole for its query's
# words: most hits of a search by a field or a name hold none of them in their text, and reading
# such a text paragraph by paragraph cost 5 µs a paragraph for nothing.
WHOLE_TEXT_CHARS = 20000
_WORDCHAR = "0-9a-z_"  # what the analyzer's ASCII words are made of, lower-cased
_ASCII_WORD = re.compile(f"[{_WORDCHAR}]+")
# What the analyzer's normalisation does that can be done on a whole paragraph at C speed (the rest,
# re-ordering Khmer marks, does not change which letters a text has: `_skeleton`).
_CHEAP = str.maketrans({**{ch: None for ch in DROP}, SPACE: " ", **KHMER_DIGITS})
_NOT_KHMER_LETTER = re.compile("[^\u1780-\u17b3\u17dc]+")


def _word_start(low: str, at: int) -> bool:
    """Whether a word of the lower-cased ASCII text starts at `at`."""
    return at == 0 or not (low[at - 1].isalnum() or low[at - 1] == "_")


def _skeleton(text: str) -> str:
    """The Khmer letters of a text in order (`្ដ` as `្ត`), marks and everything else left out.

    The analyzer's normalisation re-orders the marks of a cluster but keeps its letters in their order,
    so a Khmer query term can only match where its skeleton is part of the paragraph's."""
    return _NOT_KHMER_LETTER.sub("", text.translate(_CHEAP).replace(COENG + "\u178a", COENG + "\u178f"))


class Matcher:
    """Where a query's phrases occur in paragraphs, analyzing as little text as it can.

    `spans(paragraph)` gives exactly `analysis.spans(paragraph, phrases)`, but
    - in a plain-ASCII paragraph (most English text) the analyzer's words are the runs of ASCII
      letters, digits and `_`, so the phrases of ASCII terms are found with regular expressions on
      the lower-cased text, and a phrase with any other term cannot occur there at all;
    - any other paragraph is analyzed only when it may hold a phrase: each ASCII term of the phrase is
      in its cheaply normalised, lower-cased, accent-folded text, and each Khmer term's letters are in
      its Khmer letters (`_skeleton`); other terms (Cyrillic, Greek…) are always looked for.
    `bound(paragraph)` is a cheap upper bound of the words a paragraph matches (exact when ASCII).
    """

    def __init__(self, phrases: tuple[tuple[str, ...], ...]):
        self.phrases = [list(phrase) for phrase in phrases]
        self.words = {i: len(phrase) for i, phrase in enumerate(phrases)}
        singles: set[str] = set()
        self._patterns: list[tuple[int, re.Pattern]] = []  # (phrase, ASCII phrase of several terms)
        self._needs: list[tuple[int, list[str], list[str]]] = []  # (phrase, ASCII terms, Khmer skeletons)
        self._firsts: set[str] = set()  # the first term of each ASCII phrase
        single_of: dict[str, list[int]] = {}
        for i, phrase in enumerate(phrases):
            steps = analysis.query_steps(phrase)
            if not steps:
                continue
            terms = [term for _, term in steps]
            plain = all(t.isascii() and _ASCII_WORD.fullmatch(t) for t in terms)
            if plain and [offset for offset, _ in steps] == list(range(len(steps))):
                if len(terms) == 1:
                    singles.add(terms[0])
                    single_of.setdefault(terms[0], []).append(i)
                else:
                    self._patterns.append((i, self._phrase_pattern(terms)))
                self._firsts.add(terms[0])
            khmer = [_skeleton(t) for t in terms if not t.isascii() and _skeleton(t)]
            self._needs.append((i, [t for t in terms if t.isascii()], khmer))
        self._singles = singles
        self._single_of = single_of
        self._alternatives = None
        if singles and len(singles) <= ALTERNATIVES:
            self._alternatives = re.compile(
                "(?:" + "|".join(map(re.escape, sorted(singles, key=len, reverse=True)))
                + f")(?![{_WORDCHAR}])")

    @staticmethod
    def _phrase_pattern(terms: list[str]) -> re.Pattern:
        # A pattern that starts with its first word lets the regex engine jump from one occurrence
        # of it to the next (a leading look-behind would make it try every position, 16x slower):
        # the word start is checked by `_word_start`.
        return re.compile(f"[^{_WORDCHAR}]+".join(map(re.escape, terms)) + f"(?![{_WORDCHAR}])")

    def _ascii_spans(self, paragraph: str) -> tuple[list[tuple[int, int]], set[int]]:
        """Spans of the ASCII phrases in an ASCII paragraph, and which phrases were found."""
        low = paragraph.lower()
        found: list[tuple[int, int]] = []
        which: set[int] = set()
        if self._alternatives is not None:
            # A rejected match (inside a word) holds only word characters: no word starts in it.
            for m in self._alternatives.finditer(low):
                if _word_start(low, m.start()):
                    found.append(m.span())
                    which.update(self._single_of[m.group()])
        elif self._singles:
            for m in _ASCII_WORD.finditer(low):
                if m.group() in self._singles:
                    found.append(m.span())
                    which.update(self._single_of[m.group()])
        for i, pattern in self._patterns:
            m = pattern.search(low)
            while m is not None:  # from the next character: a phrase may overlap itself ("the the")
                if _word_start(low, m.start()):
                    found.append(m.span())
                    which.add(i)
                m = pattern.search(low, m.start() + 1)
        return analysis.merge_spans(found), which

    def _possible(self, paragraph: str) -> list[int]:
        """The phrases a paragraph that is not plain ASCII may hold."""
        folded = skeleton = None
        out = []
        for i, ascii_terms, khmer in self._needs:
            if ascii_terms:
                if folded is None:
                    folded = analysis.fold(unicodedata.normalize("NFC", paragraph).translate(_CHEAP))
                if not all(t in folded for t in ascii_terms):
                    continue
            if khmer:
                if skeleton is None:
                    skeleton = _skeleton(paragraph)
                if not all(k in skeleton for k in khmer):
                    continue
            out.append(i)
        return out

    def in_ascii(self, paragraphs: list[str]) -> bool:
        """Whether any plain ASCII paragraph of these may hold a phrase: none does when no phrase's
        first word stands anywhere in the text (a phrase of other letters never does)."""
        low = "\n".join(paragraphs).lower()
        return any(first in low for first in self._firsts)

    def spans(self, paragraph: str) -> list[tuple[int, int]]:
        """Character spans of the paragraph where any phrase occurs (`analysis.spans`)."""
        if paragraph.isascii():
            return self._ascii_spans(paragraph)[0]
        possible = self._possible(paragraph)
        return analysis.spans(paragraph, [self.phrases[i] for i in possible]) if possible else []

    def bound(self, paragraph: str) -> int:
        """At least as many words as the paragraph's matched phrases have (ASCII: exactly)."""
        which = self._ascii_spans(paragraph)[1] if paragraph.isascii() else self._possible(paragraph)
        return sum(self.words[i] for i in which)


@functools.lru_cache(maxsize=256)
def _matcher(phrases: tuple[tuple[str, ...], ...]) -> Matcher:
    return Matcher(phrases)


def matcher(phrases: list[list[str]]) -> Matcher:
    """The `Matcher` of a query's phrases, each once (a page's hits share one)."""
    return _matcher(tuple(dict.fromkeys(tuple(phrase) for phrase in phrases)))


def _pieces(para: str, size: int = PIECE_CHARS):
    """A paragraph as (offset, piece) pieces of about `size` characters, cut after a line break or a
    space (never inside a word or a Khmer cluster), or whole when it is short."""
    if len(para) <= 2 * size:
        yield 0, para
        return
    start = 0
    while start < len(para):
        end = start + size
        if len(para) - start <= 2 * size:
            end = len(para)
        else:
            cut = para.rfind("\n", start + size // 2, end)
            if cut < 0:
                cut = para.rfind(" ", start + size // 2, end)
            if cut < 0:
                spaces = _SPACE.search(para, end)
                cut = spaces.start() if spaces else len(para) - 1
            end = cut + 1
        yield start, para[start:end]
        start = end


def _key(para: str, spans: list[tuple[int, int]], number: int) -> tuple[int, int, int]:
    """How good a passage is: distinct matched words and phrases (a phrase counting for its words),
    then marks, then the earlier."""
    distinct = sum(len(t.split()) for t in {para[s:e].casefold() for s, e in spans})
    return distinct, len(spans), -number


def mark(text: str, spans: list[tuple[int, int]]) -> Markup:
    """`text` HTML-escaped, with each span wrapped in <mark>."""
    if not spans:
        return escape(text)
    out, last = [], 0
    for start, end in spans:  # plain strings joined once: a transcript may have thousands of marks
        out += (escape(text[last:start]), "<mark>", escape(text[start:end]), "</mark>")
        last = end
    out.append(escape(text[last:]))
    # every piece is escaped text or one of the two fixed tags
    return Markup("".join(out))  # nosec B704


def mark_paragraphs(paragraphs: list[str], phrases: list[list[str]], budget=None) -> list[Markup]:
    """Each paragraph escaped, with the query's words marked (until the `budget` runs out: the
    paragraphs after that are left unmarked, and the budget says it was cut)."""
    if not phrases:
        return [escape(p) for p in paragraphs]
    found = matcher(phrases)
    out = []
    for p in paragraphs:
        if budget is not None and budget.over():
            out.append(escape(p))
        else:
            out.append(mark(p, found.spans(p)))
    return out


def snippet(paragraphs: list[str], phrases: list[list[str]], width: int = SNIPPET_CHARS,
            budget=None) -> tuple[Markup, int | None]:
    """The best passage around the matches and its paragraph number (1-based), or (start, None)."""
    marked, number, _ = passage(paragraphs, phrases, width, budget)
    return marked, number


def passage(paragraphs: list[str], phrases: list[list[str]], width: int = SNIPPET_CHARS,
            budget=None) -> tuple[Markup, int | None, int]:
    """`snippet`, with how many distinct words the passage matched (to weigh a text's best passage
    against a transcript's best cue: docs/search.md).

    The best passage is the paragraph with the most distinct words matched, then the most marks, then
    the first. Plain ASCII paragraphs are matched exactly and cheaply; of the others, only those that
    may hold the most words are analyzed, at most ANALYZED_PER_SNIPPET of them, so a long transcript
    costs a scan, not an analysis. Paragraphs are read until the `budget` (if any) runs out.
    """
    best, best_key = None, (0, 0, 0)
    if phrases:
        found = matcher(phrases)
        most = sum(found.words.values())  # the words of its distinct phrases
        others: list[tuple] = []  # (bound, number, offset, piece, paragraph) to analyze
        in_ascii = sum(map(len, paragraphs)) > WHOLE_TEXT_CHARS or found.in_ascii(paragraphs)
        for number, para in enumerate(paragraphs, 1):
            if not in_ascii and para.isascii():
                continue
            if budget is not None and budget.over():
                break
            if not para.isascii():
                for offset, piece in _pieces(para):
                    bound = found.bound(piece)
                    if bound:
                        others.append((bound, number, offset, piece, para))
                continue
            spans = found.spans(para)
            if spans:
                key = _key(para, spans, number)
                if key > best_key:
                    best, best_key = (number, para, spans), key
                if key[0] >= most and key[1] >= 2 * most:  # good enough: stop reading
                    break
        others.sort(key=lambda item: (-item[0], item[1], item[2]))
        for bound, number, offset, piece, para in others[:ANALYZED_PER_SNIPPET]:
            if bound < best_key[0] or (budget is not None and budget.over()):
                break
            spans = [(s + offset, e + offset) for s, e in found.spans(piece)]
            if spans:
                key = _key(para, spans, number)
                if key > best_key:
                    best, best_key = (number, para, spans), key
    if best is None:
        first = paragraphs[0] if paragraphs else ""
        cut = first[:width]
        return escape(cut + ("…" if len(first) > width else "")), None, 0
    number, para, spans = best
    if len(para) <= width:
        return mark(para, spans), number, best_key[0]
    # the window that holds the most marks (the first such)
    start, most_inside, j = 0, 0, 0
    for i, (first_start, _) in enumerate(spans):
        while j < len(spans) and spans[j][0] < first_start + width:
            j += 1
        if j - i > most_inside:
            start, most_inside = i, j - i
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
    return before + body + after, number, best_key[0]
