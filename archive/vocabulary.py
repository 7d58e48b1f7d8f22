"""The interface's words for the archive's codes: a record type, a role or an access level may be
written as its code (`open_letter`, `recorded_at`) or as the page shows it (`Open letter`,
`recorded at`), in any case.

It owns reading such a word back as its code and finding the nearest code to a misspelt one. The
codes themselves are described elsewhere (the record JSON Schema, `kinds.RECORD_TYPES`); the
importer and the write path's messages use this module. No Flask, no SQL.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

_SEPARATORS = re.compile(r"[\s_\-]+")


def word_key(text: str) -> str:
    """`Open letter`, `open_letter` and `OPEN-LETTER` share the key `open letter`."""
    return _SEPARATORS.sub(" ", text.casefold()).strip()


def code_for(text, codes: Iterable[str], labels: dict[str, str] | None = None) -> str | None:
    """The code written as `text` (its code or its label, in any case), or None."""
    if not isinstance(text, str):
        return None
    key = word_key(text)
    for code in codes:
        if key in (word_key(code), word_key((labels or {}).get(code, code))):
            return code
    return None


def closest(text, codes: Iterable[str]) -> str | None:
    """The code nearest to a misspelt word (`auther` -> `author`), or None when none is near."""
    if not isinstance(text, str):
        return None
    keys = {word_key(code): code for code in codes if isinstance(code, str)}
    found = difflib.get_close_matches(word_key(text), list(keys), n=1, cutoff=0.75)
    return keys[found[0]] if found else None


def shown(value, limit: int = 60) -> str:
    """A bad value as a message quotes it: `'auther'`, cut short when long."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"
