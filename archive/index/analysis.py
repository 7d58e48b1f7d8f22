"""The text analyzer every full-text field of the index uses, kept in one importable place.

Whoosh pickles the analyzer into the index, so this module path (`archive.index.analysis`) and the
class names below must stay stable; when either or the analyzer's behaviour changes, raise
`schema.RULES_VERSION` (and so `INDEX_VERSION`) so that start-up rebuilds existing indexes (an
index whose pickled analyzer cannot be loaded any more is rebuilt too). Highlighting (`archive.highlight`) uses `spans` and
`tokens`, so the words it marks are exactly the ones the index matched.

The analyzer reads mixed-script text (docs/search.md, "Khmer and mixed-script text"):

- the text is normalised first (`textnorm.normalize`: NFC, Khmer foldings, Khmer digits to ASCII),
  keeping a map back to the original, so every token's startchar/endchar are offsets in the text
  as stored;
- Khmer runs (U+1780-U+17D3, U+17DC, U+17DD) are cut into character clusters; runs separated only by
  spaces form one chain, so `ហ៊ុនសែន` and `ហ៊ុន សែន` give the same tokens;
- every other run of letters, marks and digits is a word, lower-cased with accents folded, not
  stemmed (bench/khmer_bench.py measures stemming on the English corpus);
- at index time every cluster is a token, and every pair of adjacent clusters of a chain is another
  token at the position of its first cluster;
- at query time a Khmer word becomes its pairs (a one-cluster word stays that cluster), followed by
  its last cluster when more tokens follow, so positions stay aligned with the index. The TEXT
  fields use `multitoken_query="phrase"`, so the pairs must follow each other: a Khmer word is found
  wherever its clusters follow each other, inside unspaced text too.

The long text fields (title, summary, text) add common grams (`CommonGramsFilter`, Lucene's
CommonGramsFilter and CommonGramsQueryFilter): at index time, two neighbouring words of which one
is among COMMON_WORDS are also indexed as one term ("of the", "the camp") at the first one's
position; in a phrase query such a pair is searched as that term, so a phrase of common words reads
the postings of a rare pair instead of every position of "the" (docs/search.md, "Phrases of common
words"). Highlighting (`tokens`, `spans`) uses the analyzer without grams.
"""
from __future__ import annotations

import functools
import re
import unicodedata

from whoosh.analysis import Filter, Token, Tokenizer
from whoosh.support.charset import accent_map

from ..textnorm import COENG, normalize, normalize_text, starts_cluster

__all__ = ["ANALYZER", "TEXT_ANALYZER", "make_analyzer", "make_text_analyzer", "MixedScriptTokenizer",
           "index_positions", "KhmerPairFilter", "CommonGramsFilter", "COMMON_WORDS", "GRAM_JOINER",
           "normalize_query", "tokens", "query_steps", "spans", "merge_spans"]

KHMER = "\u1780-\u17d3\u17dc\u17dd"
# Horizontal spaces that join Khmer runs into one chain (a zero-width space is already a space).
HSPACE = "[ \\t\\u00a0\\u1680\\u2000-\\u200a\\u202f\\u205f\\u3000]"


def _mark_ranges() -> str:
    """Character-class ranges of every combining mark outside Khmer (`\\w` leaves marks out)."""
    ranges: list[list[int]] = []
    # Marks live below U+20000 and in the variation selectors supplement; skipping the empty planes
    # halves the import time of this module (every process pays it).
    for cp in (*range(0x0300, 0x20000), *range(0xE0000, 0xE1000)):
        if 0x1780 <= cp <= 0x17FF or 0xD800 <= cp <= 0xDFFF:
            continue
        if unicodedata.category(chr(cp))[0] == "M":
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1][1] = cp
            else:
                ranges.append([cp, cp])
    return "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
                   for a, b in ranges)


CHAIN = f"[{KHMER}]+(?:{HSPACE}+[{KHMER}]+)*"
WORD = f"(?:[^\\W{KHMER}]|[{_mark_ranges()}])+"
SPLIT = re.compile(f"(?P<k>{CHAIN})|(?P<w>{WORD})")
ASCII_WORD = re.compile(r"\w+", re.ASCII)


def fold(word: str) -> str:
    """A non-Khmer word as a term: lower-cased, accents folded."""
    return word.lower() if word.isascii() else word.lower().translate(accent_map)


def _clusters(norm: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of the normalised text of the Khmer clusters of a chain (spaces belong to none)."""
    out: list[tuple[int, int]] = []
    cluster_start = None
    for i in range(start, end):
        ch = norm[i]
        if ch <= " " or ch in "\u00a0\u1680\u202f\u205f\u3000" or "\u2000" <= ch <= "\u200a":
            if cluster_start is not None:
                out.append((cluster_start, i))
                cluster_start = None
        elif cluster_start is None or (starts_cluster(ch) and norm[i - 1] != COENG):
            if cluster_start is not None:
                out.append((cluster_start, i))
            cluster_start = i
    if cluster_start is not None:
        out.append((cluster_start, end))
    return out


class MixedScriptTokenizer(Tokenizer):
    """Normalises, splits by script, and yields words and Khmer clusters with original offsets.

    Khmer cluster tokens carry `chain` (a number shared by the clusters of one chain, counted from
    1); words carry `chain = 0`. `KhmerPairFilter` builds the pairs from them.
    """

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        norm, offsets = normalize(value)
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = fold(norm)
            t.boost = 1.0
            t.chain = 0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar = start_char
                t.endchar = start_char + len(value)
            yield t
            return

        def original_span(s: int, e: int) -> tuple[int, int]:
            if offsets is None:
                return s, e
            return offsets[s][0], max(o[1] for o in offsets[s:e])

        pos = start_pos
        if offsets is None and norm.isascii():  # most English text: words only, offsets as they are
            for match in ASCII_WORD.finditer(norm):
                t.text = match.group(0).lower()
                t.chain = 0
                t.boost = 1.0
                t.stopped = False
                if keeporiginal:
                    t.original = match.group(0)
                if chars:
                    t.startchar, t.endchar = start_char + match.start(), start_char + match.end()
                if positions:
                    t.pos = pos
                pos += 1
                yield t
            return
        chain = 0
        for match in SPLIT.finditer(norm):
            if match.lastgroup == "w":
                pieces = [(match.start(), match.end(), 0)]
            else:
                chain += 1
                pieces = [(s, e, chain) for s, e in _clusters(norm, match.start(), match.end())]
            for s, e, c in pieces:
                text = norm[s:e]
                t.text = fold(text) if c == 0 else text
                t.chain = c
                t.boost = 1.0
                t.stopped = False
                if keeporiginal or chars:
                    a, b = original_span(s, e)
                    if keeporiginal:
                        t.original = value[a:b]
                    if chars:
                        t.startchar, t.endchar = start_char + a, start_char + b
                if positions:
                    t.pos = pos
                pos += 1
                yield t


class KhmerPairFilter(Filter):
    """Adds adjacent-cluster pairs (index) or turns Khmer words into pairs (query)."""

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __call__(self, tokens):
        for first in tokens:  # the mode is on every token; look at the first, then take over
            if first.mode == "query":
                yield from self._query(tokens, first)
            else:
                yield from self._index(tokens, first)
            return

    @staticmethod
    def _index(tokens, t):
        # The tokenizer reuses one Token: a pair is the current token, briefly rewritten to start
        # where the previous cluster started, then restored and yielded as the cluster itself.
        prev = None  # (chain, text, pos, startchar) of the previous cluster
        has_pos, has_chars = t.positions, t.chars
        tok = t
        while tok is not None:
            if not tok.chain:
                prev = None
            else:
                if prev is not None and prev[0] == tok.chain:
                    text, pos = tok.text, getattr(tok, "pos", 0)
                    start, end = getattr(tok, "startchar", 0), getattr(tok, "endchar", 0)
                    tok.text = prev[1] + text
                    if has_pos:
                        tok.pos = prev[2]
                    if has_chars:
                        tok.startchar = prev[3]
                    yield tok
                    tok.text = text
                    if has_pos:
                        tok.pos = pos
                    if has_chars:
                        tok.startchar, tok.endchar = start, end
                prev = (tok.chain, tok.text, getattr(tok, "pos", 0), getattr(tok, "startchar", 0))
            yield tok
            tok = next(tokens, None)

    @staticmethod
    def _query(tokens, t):
        # Query strings are short: read them whole, then emit chain by chain.
        items = [_copy(t)] + [_copy(x) for x in tokens]
        out = []
        i = 0
        while i < len(items):
            item = items[i]
            if not item["chain"]:
                out.append(item)
                i += 1
                continue
            j = i
            while j < len(items) and items[j]["chain"] == item["chain"]:
                j += 1
            chain = items[i:j]
            if len(chain) == 1:
                out.append(chain[0])
            else:
                for a, b in zip(chain, chain[1:]):
                    out.append(dict(a, text=a["text"] + b["text"], endchar=b.get("endchar")))
                if j < len(items):  # keep the positions of what follows aligned with the index
                    out.append(chain[-1])
            i = j
        for item in out:
            for key, value in item.items():
                setattr(t, key, value)
            yield t


def _copy(t) -> dict:
    d = {"text": t.text, "chain": t.chain, "boost": t.boost, "stopped": getattr(t, "stopped", False)}
    for key in ("pos", "startchar", "endchar", "original"):
        if hasattr(t, key):
            d[key] = getattr(t, key)
    return d


# The commonest words of the archive's languages: Lucene's English stop words, the pronouns and
# auxiliaries of first-person testimony, and French articles, prepositions and pronouns (`l'`, `d'`
# are words of their own). A pair of neighbouring words of which one is here is indexed as a term
# of its own. Part of the analyzer, pickled with it into the index: changing the list means
# raising schema.INDEX_VERSION. Each word added makes the index larger (docs/search.md).
COMMON_WORDS = frozenset("""
a an and are as at be but by for from had has have he her his i if in into is it its no not of on
or our she so such that the their then there these they this to was we were which will with you
au aux ce d dans de des du elle en est et il l la le les mais ne nous par pas pour qu que qui se
sur un une
""".split())
GRAM_JOINER = " "  # between the two words of a gram: no token holds a space, so no gram is a word


class CommonGramsFilter(Filter):
    """Adds common grams (index) or searches a phrase's pairs of common words as grams (query).

    Only neighbouring words (not Khmer clusters) pair up. At query time the phrase `w0 … wn` becomes
    one term per position: the gram of `wi` and `wi+1` where either is common, else `wi` itself; the
    last word is left out when the gram before it covers it. Each term stands at the position of
    its first word, as in the index, so the phrase matches exactly where the words do.
    """

    def __init__(self, words=COMMON_WORDS):
        self.words = frozenset(words)

    def __eq__(self, other):
        return other.__class__ is self.__class__ and other.words == self.words

    def __call__(self, tokens):
        for first in tokens:  # the mode is on every token; look at the first, then take over
            if first.mode == "query":
                yield from self._query(tokens, first)
            else:
                yield from self._index(tokens, first)
            return

    def _index(self, tokens, t):
        # The tokenizer reuses one Token: a gram is the current token, briefly rewritten to start
        # where the previous word started, then restored and yielded as the word itself.
        common = self.words
        prev = None  # (text, pos, startchar) of the previous token, when it was a word
        has_pos, has_chars = t.positions, t.chars
        tok = t
        while tok is not None:
            if tok.chain:
                prev = None
            else:
                if prev is not None and (prev[0] in common or tok.text in common):
                    text, pos, start = tok.text, getattr(tok, "pos", 0), getattr(tok, "startchar", 0)
                    tok.text = prev[0] + GRAM_JOINER + text
                    if has_pos:
                        tok.pos = prev[1]
                    if has_chars:
                        tok.startchar = prev[2]
                    yield tok
                    tok.text = text
                    if has_pos:
                        tok.pos = pos
                    if has_chars:
                        tok.startchar = start
                prev = (tok.text, getattr(tok, "pos", 0), getattr(tok, "startchar", 0))
            yield tok
            tok = next(tokens, None)

    def _query(self, tokens, t):
        # Query strings are short: read them whole, then emit one term per position.
        common = self.words
        items = [_copy(t)] + [_copy(x) for x in tokens]
        out = []
        paired = False  # whether the previous word went out as a gram with this one
        for i, item in enumerate(items):
            nxt = items[i + 1] if i + 1 < len(items) else None
            pairs = (not item["chain"] and nxt is not None and not nxt["chain"]
                     and (item["text"] in common or nxt["text"] in common))
            if pairs:
                out.append(dict(item, text=item["text"] + GRAM_JOINER + nxt["text"],
                                endchar=nxt.get("endchar")))
            elif not (paired and nxt is None):  # the last word is left out when a gram covers it
                out.append(item)
            paired = pairs
        for item in out:
            for key, value in item.items():
                setattr(t, key, value)
            yield t


def make_analyzer():
    """Mixed-script analysis: words for Latin and other scripts, clusters and pairs for Khmer."""
    return MixedScriptTokenizer() | KhmerPairFilter()


def make_text_analyzer():
    """The analyzer of the long text fields: `make_analyzer` with common grams."""
    return MixedScriptTokenizer() | KhmerPairFilter() | CommonGramsFilter()


ANALYZER = make_analyzer()
TEXT_ANALYZER = make_text_analyzer()


def index_positions(value: str, grams: bool) -> dict[str, list[int]]:
    """Each term the index's analyzer (with common grams or without) makes of `value`, with its
    positions in order: what Whoosh's `Positions` format gathers from the analyzer's tokens, found
    without a token per word for plain ASCII text (most of an English archive), by the same rules."""
    norm, offsets = normalize(value)
    found: dict[str, list[int]] = {}
    if offsets is None and norm.isascii():
        words = ASCII_WORD.findall(norm.lower())
        for pos, word in enumerate(words):
            at = found.get(word)
            if at is None:
                found[word] = [pos]
            else:
                at.append(pos)
        if grams:
            common = COMMON_WORDS
            for pos, (first, second) in enumerate(zip(words, words[1:])):
                if first in common or second in common:
                    gram = first + GRAM_JOINER + second
                    at = found.get(gram)
                    if at is None:
                        found[gram] = [pos]
                    else:
                        at.append(pos)
        return found
    for t in (TEXT_ANALYZER if grams else ANALYZER)(value, positions=True, mode="index"):
        at = found.get(t.text)
        if at is None:
            found[t.text] = [t.pos]
        else:
            at.append(t.pos)
    return found


def normalize_query(text: str) -> str:
    """A query string normalised like the text (Khmer digits to ASCII, Khmer foldings, NFC).

    Case and query syntax are kept: `ហ៊ុន OR ២០១៧` gives `ហ៊ុន OR 2017`.
    """
    return normalize_text(text or "")


def tokens(text: str, mode: str = "index") -> list[tuple[int, str, int, int]]:
    """(position, term, startchar, endchar) of every token the index (or a query) makes of `text`."""
    return [(t.pos, t.text, t.startchar, t.endchar)
            for t in ANALYZER(text, positions=True, chars=True, mode=mode)]


@functools.lru_cache(maxsize=4096)
def query_steps(phrase: tuple[str, ...]) -> tuple[tuple[int, str], ...]:
    """A phrase's query terms with their positions relative to the first (phrases repeat: cached)."""
    wanted = tokens(" ".join(phrase), mode="query")
    base = wanted[0][0] if wanted else 0
    return tuple((pos - base, term) for pos, term, _, _ in wanted)


def spans(text: str, phrases: list[list[str]]) -> list[tuple[int, int]]:
    """Character spans of `text` where any query phrase occurs, overlaps merged, in order.

    A phrase is a list of words as a person typed them (`[["kem", "sokha"], ["arrest"]]`). The words
    of a phrase are analyzed together as a query, exactly as the search reads a quoted phrase, and
    the phrase matches where its terms stand at consecutive positions of the text, as the index's
    phrase query would find them. A Khmer word matches where its clusters follow each other; its span
    runs from the start of its first cluster to the end of its last, in the original text.
    """
    if not phrases or not text:
        return []
    at: dict[int, dict[str, tuple[int, int]]] = {}
    where: dict[str, list[int]] = {}  # term -> its positions, so a phrase looks only where it starts
    for pos, term, start, end in tokens(text):
        terms_at = at.setdefault(pos, {})
        if term not in terms_at:
            terms_at[term] = (start, end)
            where.setdefault(term, []).append(pos)
    found = []
    for phrase in phrases:
        steps = query_steps(tuple(phrase))
        if not steps:
            continue
        for pos in where.get(steps[0][1], ()):
            hits = [at.get(pos + offset, {}).get(term) for offset, term in steps]
            if all(hits):
                found.append((min(h[0] for h in hits), max(h[1] for h in hits)))
    return merge_spans(found)


def merge_spans(found: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans in order, overlapping ones merged into one (touching ones stay apart)."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start < merged[-1][1]:  # overlapping; touching spans stay apart
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
