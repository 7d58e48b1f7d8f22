"""Text normalisation for search and name keys, with a map back to the original offsets.

Whoosh-free and Flask-free, so that the store (`names.name_key`) and the analyzer share one
normalisation. What it does (docs/search.md, "Khmer and mixed-script text"):

- NFC;
- the zero-width space U+200B becomes an ordinary space (a word separator in Khmer);
- ZWNJ, ZWJ, BOM, soft hyphen, the inherent vowels U+17B4/U+17B5 and U+17C8 (used like a colon) go;
- Khmer digits ០-៩ become 0-9;
- `្ដ` (coeng + DA) becomes `្ត` (coeng + TA), which Khmer writers use interchangeably;
- the marks of a Khmer cluster are put in one fixed order (robat, subscripts, register shifters,
  vowels, other signs), so that text typed in a different order still matches.

`normalize(text)` returns the normalised text and, for every character of it, the span of the
original text it came from; `None` when the two are the same, character for character.
"""
from __future__ import annotations

import re
import unicodedata

COENG = "\u17d2"
DROP = frozenset("\u200c\u200d\ufeff\u00ad\u17b4\u17b5\u17c8")
SPACE = "\u200b"
KHMER_DIGITS = {chr(0x17E0 + i): str(i) for i in range(10)}
FOLD_AFTER_COENG = {"\u178a": "\u178f"}  # ្ដ -> ្ត
_KHMER = re.compile("[\u1780-\u17ff]")
SPECIAL = DROP | {SPACE} | set(KHMER_DIGITS) | {COENG}


def is_khmer(ch: str) -> bool:
    """A Khmer letter or mark (U+1780-U+17D3, U+17DC, U+17DD); not punctuation, not digits."""
    return "\u1780" <= ch <= "\u17d3" or ch == "\u17dc" or ch == "\u17dd"


def starts_cluster(ch: str) -> bool:
    """A consonant or independent vowel: a cluster starts here unless a coeng precedes it."""
    return "\u1780" <= ch <= "\u17b3" or ch == "\u17dc"


def _mark_rank(ch: str) -> int:
    if ch == "\u17cc":  # robat
        return 1
    if ch == COENG:  # coeng + consonant: a subscript, moved as a unit
        return 2
    if ch in "\u17c9\u17ca":  # register shifters
        return 3
    if "\u17b6" <= ch <= "\u17c5":  # dependent vowels
        return 4
    return 5  # nikahit, reahmuk, bantoc and the other signs


def _nfc(text: str) -> tuple[str, list[tuple[int, int]]]:
    """NFC of text not already in NFC, composing piece by piece to keep offsets."""
    pieces: list[tuple[int, int]] = []  # spans of the original starting at a non-combining char
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or unicodedata.combining(text[i]) == 0:
            pieces.append((start, i))
            start = i
    out: list[str] = []
    offsets: list[tuple[int, int]] = []
    cur_s, cur_e = pieces[0]
    for s, e in pieces[1:] + [(len(text), len(text))]:
        cur, nxt = text[cur_s:cur_e], text[s:e]
        if s < e and unicodedata.normalize("NFC", cur + nxt) != (
                unicodedata.normalize("NFC", cur) + unicodedata.normalize("NFC", nxt)):
            cur_e = e  # the two compose with each other (Hangul, some Indic vowels)
            continue
        composed = unicodedata.normalize("NFC", cur)
        out.append(composed)
        offsets.extend([(cur_s, cur_e)] * len(composed))
        cur_s, cur_e = s, e
    return "".join(out), offsets


def _reorder(chars: list[str], offsets: list[tuple[int, int]]) -> None:
    """Put the marks of every Khmer cluster in the fixed order, in place."""
    n = len(chars)
    i = 0
    while i < n:
        if not starts_cluster(chars[i]):
            i += 1
            continue
        # the marks after a base: units of one mark, or coeng + the letter it subscripts
        j = i + 1
        units: list[tuple[int, int, int]] = []  # (rank, start, end) in chars
        while j < n and is_khmer(chars[j]) and not starts_cluster(chars[j]):
            if chars[j] == COENG and j + 1 < n and is_khmer(chars[j + 1]):
                units.append((2, j, j + 2))
                j += 2
            else:
                units.append((_mark_rank(chars[j]), j, j + 1))
                j += 1
        if len(units) > 1 and any(a[0] > b[0] for a, b in zip(units, units[1:])):
            ordered = sorted(units, key=lambda u: u[0])  # stable: subscripts keep their order
            new_chars = [c for _, s, e in ordered for c in chars[s:e]]
            new_offsets = [o for _, s, e in ordered for o in offsets[s:e]]
            chars[i + 1:j] = new_chars
            offsets[i + 1:j] = new_offsets
        i = j if j > i else i + 1


def normalize(text: str) -> tuple[str, list[tuple[int, int]] | None]:
    """The normalised text and the original span of each of its characters (None: identical)."""
    if text.isascii():
        return text, None
    nfc = unicodedata.is_normalized("NFC", text)
    if nfc and _KHMER.search(text) is None and not SPECIAL.intersection(text):
        return text, None
    if nfc:
        chars = list(text)
        offsets = [(i, i + 1) for i in range(len(text))]
    else:
        nfc, offsets = _nfc(text)
        chars = list(nfc)
    khmer = _KHMER.search(text) is not None
    if not khmer and not SPECIAL.intersection(chars):
        if len(chars) == len(text) and all(o == (i, i + 1) for i, o in enumerate(offsets)):
            return text, None
        return "".join(chars), offsets
    out_chars: list[str] = []
    out_offsets: list[tuple[int, int]] = []
    for k, ch in enumerate(chars):
        if ch in DROP:
            continue
        if ch == SPACE:
            ch = " "
        elif ch in KHMER_DIGITS:
            ch = KHMER_DIGITS[ch]
        elif ch in FOLD_AFTER_COENG and out_chars and out_chars[-1] == COENG:
            ch = FOLD_AFTER_COENG[ch]
        out_chars.append(ch)
        out_offsets.append(offsets[k])
    if khmer:
        _reorder(out_chars, out_offsets)
    return "".join(out_chars), out_offsets


def normalize_text(text: str) -> str:
    """Only the normalised text (for query strings and name keys)."""
    return normalize(text)[0]
