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
