"""Queries as Whoosh reads them: parsing the cleaned query string, filters, ranking by proximity.

It owns turning the string `querysyntax.sanitize` produced into a Whoosh query (broken syntax read as
plain words), the `Filters` of a search page as a Whoosh query, the leaves a person's query counts
on, the words its `word*` and `word~` expand to, and the proximity boost of the ranking. The syntax
itself (tokens, operators, field names) lives in `archive.querysyntax`, which knows nothing of Whoosh.
"""
from __future__ import annotations

import copy
import functools
from dataclasses import dataclass, field

from whoosh import query as Q
from whoosh.qparser import FuzzyTermPlugin, MultifieldParser, PlusMinusPlugin

from ..querysyntax import TEXT_FIELDS, sanitize
from . import analysis, limits, schema

PROXIMITY_SLOP = 4
PROXIMITY_MAX_DOCS = 1000
EXPANDED_MOST = 40  # words a record page marks for the `word*` and `word~` of a query
PARSED_KEPT = 256  # query strings whose reading is kept


@dataclass
class Filters:
    """What `/search` narrows by besides the query: exact values per facet field and a date range."""
    values: dict[str, list[str]] = field(default_factory=dict)  # index field -> any of these values
    date_from: int | None = None  # YYYYMMDD, inclusive
    date_to: int | None = None

    @property
    def has_dates(self) -> bool:
        return self.date_from is not None or self.date_to is not None

    def query(self):
        """The value filters as a Whoosh query (the date range is counted from cached bounds)."""
        parts = []
        for name, wanted in self.values.items():
            if wanted:
                parts.append(Q.Or([Q.Term(name, v) for v in wanted]) if len(wanted) > 1
                             else Q.Term(name, wanted[0]))
        return Q.And(parts) if parts else None


@functools.lru_cache(maxsize=PARSED_KEPT)
def parse(text: str):
    """Read a query string; broken syntax is read as plain words, never an error.

    Returns the Whoosh query, its fuzzy terms made affordable (`limits.affordable`), and a hint
    about how it was read (or None). Kept for the next search of the same string (a search reads
    its query twice: to take its turn and to run; this code changes no query in place, it copies).
    """
    clean, hint = sanitize(text)
    parser = MultifieldParser(list(TEXT_FIELDS), schema.SCHEMA)
    parser.add_plugin(PlusMinusPlugin())
    parser.add_plugin(FuzzyTermPlugin())
    try:
        return limits.affordable(parser.parse(clean)), hint
    except Exception:  # whoosh's parser raises many kinds of errors on odd input
        return plain_words(text), "The query was read as plain words."


def widened(query, names: tuple[str, ...]):
    """The query with each of its leaves on `text` also searching these fields: the level fields of
    passages hidden from others that a viewer may read (`schema.LEVEL_FIELDS`). Without any, the
    query is unchanged, so searches of viewers who read nothing hidden cost what they did."""
    if not names:
        return query

    def widen(q):
        if q.is_leaf() and getattr(q, "fieldname", None) == "text":
            copies = []
            for name in names:
                other = copy.copy(q)
                other.fieldname = name
                copies.append(other)
            return Q.Or([q, *copies])
        return q
    return query.accept(widen)


def plain_words(text: str):
    """Every word of the text in any text field, without any query syntax."""
    terms = [t.text for t in analysis.ANALYZER(text, mode="query")]
    if not terms:
        return Q.NullQuery
    return Q.And([Q.Or([Q.Term(name, term) for name in TEXT_FIELDS]) for term in terms])


def is_empty(query) -> bool:
    return query is Q.NullQuery or isinstance(query, type(Q.NullQuery))


def positive_leaves(query):
    """The leaf queries of a tree whose matches count for the person (not those under NOT)."""
    if isinstance(query, Q.Not):
        return
    if isinstance(query, Q.AndNot):
        yield from positive_leaves(query.a)
        return
    if query.is_leaf():
        yield query
        return
    for child in query.children():
        yield from positive_leaves(child)


def with_proximity(query, searcher):
    """The query, scoring higher where its words stand close together in the title or text.

    The words must all match anyway; the sloppy phrase only adds to the score (AndMaybe). Reading
    positions costs time in proportion to the documents holding every word, so when even the
    rarest word is in more than PROXIMITY_MAX_DOCS documents, ranking stays plain BM25F.
    """
    words = []
    for leaf in positive_leaves(query):
        if isinstance(leaf, Q.Term) and leaf.fieldname == "text" and leaf.text not in words:
            words.append(leaf.text)
    if not 2 <= len(words) <= 8 or isinstance(query, Q.Or):
        return query
    if min(searcher.doc_frequency("text", w) for w in words) > PROXIMITY_MAX_DOCS:
        return query
    near = Q.Or([Q.Phrase("text", words, slop=PROXIMITY_SLOP, boost=2.0),
                 Q.Phrase("title", words, slop=PROXIMITY_SLOP, boost=2.0)])
    return Q.AndMaybe(query, near)


def expanded_terms(query, most: int = EXPANDED_MOST) -> list[str]:
    """The index words the prefix, wildcard and fuzzy terms of an expanded query (`limits.expand`)
    stand for in the title, summary and text, for highlighting."""
    words: list[str] = []
    for leaf in positive_leaves(query):
        if isinstance(leaf, limits.Expanded) and (leaf.field() in ("text", "title", "summary")
                                                  or leaf.field().startswith("text_")):
            for word in leaf.words():
                if word not in words:
                    words.append(word)
                if len(words) >= most:
                    return words
    return words

