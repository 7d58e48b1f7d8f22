"""Spelling suggestions ("Did you mean …"): index words near the query's words.

It owns choosing, for each plain word of a query that the viewer's records do not contain, the
nearest index word they do contain (fewest edits, then commonest). `Index.suggest` gives it a
searcher and the viewer's visible documents. Words shorter than MIN_LENGTH are left alone (too many
words are one edit from "pol"), and no word is corrected into another word of the query ("Pol Pot"
is not "pot Pot"). The archive's names come first (`archive/didyoumean.py`, docs/search.md).
"""
from __future__ import annotations

from whoosh import query as Q

from ..names import edits
from ..querysyntax import OPERATORS, query_tokens
from .analysis import GRAM_JOINER

SUGGEST_FIELDS = ("title", "summary", "text", "person", "event", "place")
CANDIDATE_FIELDS = ("text", "title", "person", "place")
MIN_LENGTH = 4  # letters of a word worth correcting


def _seen(searcher, visible: frozenset, word: str) -> bool:
    found = searcher.docs_for_query(Q.Or([Q.Term(f, word) for f in SUGGEST_FIELDS]))
    return not visible.isdisjoint(found)


def unseen(searcher, visible: frozenset, words: list[str]) -> frozenset:
    """The words that no visible document holds."""
    return frozenset(w for w in words if not _seen(searcher, visible, w))


def suggest(searcher, visible: frozenset, text: str, budget) -> str | None:
    """A spelling of the query whose words the visible documents contain, or None (also when the
    budget runs out first)."""
    def seen(word: str) -> bool:
        return _seen(searcher, visible, word)

    changed = False
    out = []
    tokens = query_tokens(text)
    words = {t.lower() for t in tokens}
    for token in tokens:
        plain = token.isalpha() and token not in OPERATORS and len(token) >= MIN_LENGTH
        word = token.lower()
        if budget.over():
            return None
        if plain and not seen(word):
            for candidate in candidates(searcher, word):
                if candidate != word and candidate not in words and seen(candidate):
                    out.append(candidate)
                    changed = True
                    break
            else:
                out.append(token)
        else:
            out.append(token)
    return " ".join(out) if changed else None


def candidates(searcher, word: str) -> list[str]:
    """Index words near `word`: fewest edits first (a swap of two letters is one), then commonest."""
    found: dict[str, int] = {}
    for maxdist in (1, 2):  # the nearest words first; a second edit only when none is near
        for name in CANDIDATE_FIELDS:
            # prefix=1: the first letter is rarely the mistake, and it cuts the search 20-fold
            for candidate in searcher.corrector(name).suggest(word, limit=8, maxdist=maxdist, prefix=1):
                if GRAM_JOINER not in candidate:  # a common gram ("of the") is no word
                    found[candidate] = found.get(candidate, 0) + searcher.doc_frequency(name, candidate)
        if found:
            break
    return sorted(found, key=lambda c: (edits(word, c), -found[c], c))
