"""The text analyzer every full-text field of the index uses, kept in one importable place.

Whoosh pickles the analyzer into the index, so this module path must stay stable; when the analyzer
changes, the index must be rebuilt (`archive reindex`). The Khmer issue replaces `make_analyzer`.
"""
from __future__ import annotations

from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer
from whoosh.support.charset import accent_map

# Words of letters and digits, keeping inner apostrophes and hyphens out of tokens.
WORD = r"\w+"


def make_analyzer():
    """Lower-cased words with Latin accents folded (no stop words, no stemming)."""
    return RegexTokenizer(WORD) | LowercaseFilter() | CharsetFilter(accent_map)


ANALYZER = make_analyzer()


def tokens(text: str) -> list[tuple[int, str, int, int]]:
    """(position, term, startchar, endchar) of every token the index would make of `text`."""
    return [(t.pos, t.text, t.startchar, t.endchar)
            for t in ANALYZER(text, positions=True, chars=True, mode="index")]


def spans(text: str, phrases: list[list[str]]) -> list[tuple[int, int]]:
    """Character spans of `text` where any query phrase occurs, merged and in order.

    A phrase is a list of words as a person typed them (`[["kem", "sokha"], ["arrest"]]`); each word
    is analyzed like the text, and a phrase matches where its terms follow each other in the text.
    Highlighting is built on this, so the marks cover exactly what matched. The Khmer analyzer keeps
    this contract (a Khmer word analyzes into several consecutive cluster terms).
    """
    found = []
    doc = tokens(text)
    by_position: dict[int, tuple[str, int, int]] = {}
    for pos, term, start, end in doc:
        by_position.setdefault(pos, (term, start, end))
    for phrase in phrases:
        wanted = [term for word in phrase for _, term, _, _ in tokens(word)]
        if not wanted:
            continue
        for pos, term, start, _ in doc:
            if term != wanted[0]:
                continue
            ok = all(by_position.get(pos + i, ("",))[0] == w for i, w in enumerate(wanted))
            if ok:
                found.append((start, by_position[pos + len(wanted) - 1][2]))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
