"""Name keys: how names and their variants are compared.

`Kem Sokha`, `kem-sokha` and `KEM  SOKHA` share one key; so do `António` and `Antonio`. Khmer
vowel signs and other combining marks outside the Latin accents are kept: they are letters, not
accents. Khmer is normalised like the search text first (`textnorm`: `្ដ`/`្ត`, the order of marks,
Khmer digits), so `ហ៊ុនសែន` and `ហ៊ុន សែន` share a key too. Used by the store (name lookups) and the search (expanding a named person to its variants).
"""
from __future__ import annotations

import unicodedata

from .textnorm import normalize_text


def name_key(name: str) -> str:
    """A key that ignores case, Latin accents, spaces, hyphens and punctuation."""
    decomposed = unicodedata.normalize("NFKD", normalize_text(name).casefold())
    kept = []
    for ch in decomposed:
        if "\u0300" <= ch <= "\u036f":  # combining diacritical marks: Latin accents
            continue
        category = unicodedata.category(ch)
        if category[0] in "PZC" or ch in "\u200b\u200c\u200d\ufeff\u00ad":
            continue
        kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept))


def slug(text: str) -> str:
    """The address of a subject or collection: `Refugees, camps` -> `refugees-camps`.

    Lower-cased, Latin accents dropped, every run of other characters than letters, marks and
    digits one hyphen; Khmer stays Khmer (its vowel signs are marks)."""
    decomposed = unicodedata.normalize("NFKD", normalize_text(text).casefold())
    out, gap = [], False
    for ch in decomposed:
        if "\u0300" <= ch <= "\u036f":
            continue
        if unicodedata.category(ch)[0] in "LMN" and ch not in "\u200b\u200c\u200d":
            if gap and out:
                out.append("-")
            out.append(ch)
            gap = False
        else:
            gap = True
    return unicodedata.normalize("NFC", "".join(out))
