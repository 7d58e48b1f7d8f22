"""Suggested links: the known people, places and events, and the dates, that a text mentions.

Pure functions over a text and a list of names (`db.authority_names` gives them, already limited to
what the viewer may see); no SQL, no Flask. Names and variants are compared word by word under the
same key that name lookups use (case, Latin accents and punctuation ignored), so `Antonio Guterres`
in a letter finds `António Guterres`. Khmer is written without spaces between words, so names in
Khmer script are looked for as substrings.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from . import dates, textnorm
from .names import name_key

WORD = re.compile(r"\w+(?:[’'.-]\w+)*", re.UNICODE)
KHMER = re.compile(r"[\u1780-\u17ff\u19e0-\u19ff]")


@dataclass(frozen=True)
class Found:
    kind: str
    id: str
    name: str  # the authority's name
    matched: str  # the name or variant found in the text


def _words(text: str) -> list[str]:
    return [name_key(w) for w in WORD.findall(text)]


def find_names(text: str, names: list[dict]) -> list[Found]:
    """Authorities whose name or a variant occurs in the text, in order of first mention."""
    if not text:
        return []
    words = _words(text)
    khmer_text = name_key(text) if KHMER.search(text) else ""
    by_first: dict[str, list[tuple[tuple[str, ...], dict]]] = {}
    khmer_names = []
    for entry in names:
        if KHMER.search(entry["matched"]):
            if khmer_text:
                khmer_names.append(entry)
            continue
        key = tuple(w for w in _words(entry["matched"]) if w)
        if key:
            by_first.setdefault(key[0], []).append((key, entry))
    for candidates in by_first.values():
        candidates.sort(key=lambda c: -len(c[0]))  # longest first: "Long Beach, California"
    first_seen: dict[tuple[str, str], tuple[int, Found]] = {}
    covered = 0  # words up to here belong to a longer name already found
    for position, word in enumerate(words):
        for key, entry in by_first.get(word, ()):
            if position + len(key) <= covered:
                continue
            if tuple(words[position:position + len(key)]) == key:
                covered = max(covered, position + len(key))
                ident = (entry["kind"], entry["id"])
                if ident not in first_seen:
                    first_seen[ident] = (position, Found(entry["kind"], entry["id"], entry["name"],
                                                         entry["matched"]))
    for entry in khmer_names:
        at = khmer_text.find(name_key(entry["matched"]))
        ident = (entry["kind"], entry["id"])
        if at >= 0 and ident not in first_seen:
            first_seen[ident] = (len(words) + at, Found(entry["kind"], entry["id"], entry["name"],
                                                        entry["matched"]))
    return [found for _, found in sorted(first_seen.values(), key=lambda p: p[0])]


MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], start=1)}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
MONTHS["sept"] = 9
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?P<year>1[0-9]{3}|20[0-9]{2})"
_DAY = r"(?P<day>[0-3]?[0-9])(?:st|nd|rd|th)?"
DATE_PATTERNS = [
    re.compile(rf"\b(?P<iso>{_YEAR}-[01][0-9](?:-[0-3][0-9])?)\b"),
    re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", re.I),
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b", re.I),
    re.compile(rf"\b{_MONTH},?\s+(?:of\s+)?{_YEAR}\b", re.I),
    re.compile(r"(?<![\d,.])\b(?P<decade>1[0-9]{2}0|20[0-9]0)['’]?s\b"),
    # a bare number is taken for a year only from 1700 on ("in 1000 ways" is no date)
    re.compile(r"(?<![\d,.$£€])\b(?P<year>1[7-9][0-9]{2}|20[0-9]{2})\b(?![,.]\d|\d)"),
]
KHMER_DIGITS = str.maketrans(textnorm.KHMER_DIGITS)


@dataclass(frozen=True)
class FoundDate:
    edtf: str
    text: str  # as written


def _edtf(match: re.Match) -> str | None:
    groups = match.groupdict()
    if groups.get("iso"):
        return groups["iso"]
    if groups.get("decade"):
        return groups["decade"][:3] + "X"
    year = int(groups["year"])
    if not groups.get("month"):
        return f"{year:04d}"
    month = MONTHS[groups["month"].lower().rstrip(".")]
    if not groups.get("day"):
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{int(groups['day']):02d}"


def find_dates(text: str) -> list[FoundDate]:
    """Dates written in a text, as EDTF, in order of first mention; a bare year inside a fuller date
    is not listed again."""
    if not text:
        return []
    original, text = text, text.translate(KHMER_DIGITS)  # same length: spans stay in place
    taken: list[tuple[int, int]] = []
    found: dict[str, tuple[int, FoundDate]] = {}
    for pattern in DATE_PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(s < end and start < e for s, e in taken):
                continue
            value = _edtf(match)
            try:
                if value is None or dates.bounds(value) is None:
                    continue
            except dates.DateError:
                continue
            taken.append((start, end))
            if value not in found or found[value][0] > start:
                found[value] = (start, FoundDate(value, original[start:end]))
    return [d for _, d in sorted(found.values(), key=lambda p: p[0])]


def span(values: list[str]) -> str | None:
    """The EDTF interval from the earliest to the latest of several dates (`1975/1979`)."""
    known = []
    for value in values:
        try:
            b = dates.bounds(value)
        except dates.DateError:
            continue
        if b:
            known.append((b.lo, b.hi, value))
    if not known:
        return None
    first = min(known)[2]
    last = max(known, key=lambda k: k[1])[2]
    return first if first == last else f"{first}/{last}"
