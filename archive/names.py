"""Name keys: how names and their variants are compared.

`Kem Sokha`, `kem-sokha` and `KEM  SOKHA` share one key; so do `António` and `Antonio`. Khmer
vowel signs and other combining marks outside the Latin accents are kept: they are letters, not
accents. Khmer is normalised like the search text first (`textnorm`: `្ដ`/`្ត`, the order of marks,
Khmer digits), so `ហ៊ុនសែន` and `ហ៊ុន សែន` share a key too. Used by the store (name lookups) and the search (expanding a named person to its variants).
`edits` and `near` say how far apart two keys are: "Did you mean" and the import check's
look-alikes (docs/search.md, "Did you mean").
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


def edits(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment): a swap of two letters is one edit."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def allowed_edits(key: str) -> int:
    """Edits a name key of this many letters may be from another and still look alike: none below
    4 letters, then 1, 2 from 8, 3 from 14."""
    n = len(key)
    return 0 if n < 4 else 1 if n < 8 else 2 if n < 14 else 3


def near(key: str, other: str) -> int | None:
    """The edits between two name keys when they look alike (but differ), else None."""
    most = allowed_edits(min(key, other, key=len))
    if not most or key == other or abs(len(key) - len(other)) > most:
        return None
    distance = edits(key, other)
    return distance if distance <= most else None
