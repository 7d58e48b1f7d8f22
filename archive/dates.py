"""EDTF dates: validation, the earliest/latest calendar day of each date, and dates as people read
and type them (`in_words`, `read_typed`).

Dates are kept as the EDTF strings people typed (`1975/1979`, `1981~`, `197X`) and, beside them, as
sortable integers `YYYYMMDD` for range search and sorting (see docs/search.md, "Dates"). Parsing happens once,
when something is saved. This module knows nothing of storage or the web.
"""
from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import edtf

from .messages import Text

# Open or unknown interval ends have no calendar day; these stand in for "no bound".
EARLIEST = -99999999
LATEST = 99991231


# Khmer digits (០-៩) are read as 0-9: a date may be typed in either digit set.
_ASCII = str.maketrans({chr(0x17E0 + i): str(i) for i in range(10)})


def ascii_digits(text: str) -> str:
    """The text with Khmer digits written as ASCII digits (EDTF's own)."""
    return text.translate(_ASCII)


class DateError(ValueError):
    """A date that is not valid EDTF."""


@dataclass(frozen=True)
class Bounds:
    lo: int
    hi: int
    approximate: bool = False


def _day(struct) -> int:
    return struct.tm_year * 10000 + struct.tm_mon * 100 + struct.tm_mday


def bounds(value: str | None) -> Bounds | None:
    """Earliest and latest day of an EDTF date; None for an empty value.

    :raise DateError: when the value is not valid EDTF.
    """
    if value is None or not str(value).strip():
        return None
    return _bounds(ascii_digits(str(value).strip()))


# Plain days, months and years, alone or as an interval, perhaps approximate or uncertain: most of
# what archives hold. They are read here directly; everything else goes to the edtf package.
_SIMPLE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?([~?%]?)")


def _simple_day(match: re.Match, end: bool) -> int | None:
    year, month, day = int(match[1]), match[2], match[3]
    if month is None:
        return year * 10000 + (1231 if end else 101)
    m = int(month)
    if not 1 <= m <= 12:
        return None
    last = calendar.monthrange(year, m)[1]
    if day is None:
        return year * 10000 + m * 100 + (last if end else 1)
    d = int(day)
    if not 1 <= d <= last:
        raise DateError(Text("%(value)s is not a real day: %(month)s has days 1 to %(last)s",
                             value=repr(match[0]), month=f"{year}-{m:02d}", last=last))
    return year * 10000 + m * 100 + d


def _simple_bounds(text: str) -> Bounds | None:
    parts = text.split("/")
    if len(parts) > 2 or any(not _SIMPLE.fullmatch(p) for p in parts):
        return None
    first, last = _SIMPLE.fullmatch(parts[0]), _SIMPLE.fullmatch(parts[-1])
    lo, hi = _simple_day(first, end=False), _simple_day(last, end=True)
    if lo is None or hi is None or lo > hi:
        return None  # let the package give its verdict and message
    return Bounds(lo, hi, approximate=any(ch in text for ch in "~%?"))


@lru_cache(maxsize=4096)  # the edtf package takes 6-20 ms a parse; archives reuse few dates
def _bounds(text: str) -> Bounds:
    simple = _simple_bounds(text)
    if simple is not None:
        return simple
    try:
        parsed = edtf.parse_edtf(text)
    except Exception as exc:  # the package raises several kinds of parse errors
        raise DateError(Text("%(value)s is not a valid EDTF date (examples: 2017-09-03, 2018-07, "
                             "1975/1979, 1981~, 197X)", value=repr(text))) from exc
    lo = hi = None
    try:
        lo = _day(parsed.lower_strict())
    except (AttributeError, TypeError, ValueError, OverflowError):
        lo = None
    try:
        hi = _day(parsed.upper_strict())
    except (AttributeError, TypeError, ValueError, OverflowError):
        hi = None
    if lo is None and hi is None:
        raise DateError(Text("%(value)s has no known day at either end", value=repr(text)))
    # An open or unknown end ("1950/..", "../1950", "1950/") reaches as far as it can.
    start, _, end = text.partition("/")
    if "/" in text and start in ("", ".."):
        lo = EARLIEST
    if "/" in text and end in ("", ".."):
        hi = LATEST  # the package invents a ten-year span for an unknown end
    lo = lo if lo is not None else EARLIEST
    hi = hi if hi is not None else LATEST
    if lo > hi:
        raise DateError(Text("%(value)s ends before it begins", value=repr(text)))
    return Bounds(lo, hi, approximate=any(ch in text for ch in "~%?"))


def check(value: str | None) -> str | None:
    """The EDTF string, stripped and in ASCII digits, or None when empty. :raise DateError: when invalid."""
    bounds(value)
    return ascii_digits(value.strip()) if value and str(value).strip() else None


def query_bounds(value: str | None, end: bool) -> int | None:
    """A `from`/`to` filter value (a year, a day or any EDTF date) as a day integer.

    `from` takes the earliest day of what was typed, `to` the latest. None when empty.
    :raise DateError: when not understood.
    """
    if value is None or not str(value).strip():
        return None
    b = bounds(str(value).strip())
    return b.hi if end else b.lo


def suggest(text: str) -> str | None:
    """Offer an EDTF form of a date typed in words ("circa 1975" -> "1975~"), or None."""
    if not text or not text.strip():
        return None
    text = ascii_digits(text)
    try:
        return read_typed(text).edtf
    except DateError:
        return None


def _guess(text: str) -> str | None:
    """The edtf package's reading of a date in words, when it is valid EDTF."""
    try:
        guess = edtf.text_to_edtf(text)
    except Exception:  # the package's natural-language parser raises freely
        return None
    if guess:
        try:
            bounds(guess)
        except DateError:
            return None
    return guess or None


# --- dates as people read and type them -------------------------------------------------------------
# Every word a reader sees of a date is here, marked with `_` for the catalog (`make messages`), and
# `in_words` speaks whichever language its `say` speaks: English as written here by default, the
# reader's language on the pages (`i18n.date_words` passes the interface's gettext, and writes the
# digits of the language). The one place dates are worded, in every language.

def _(text: str) -> str:
    """Marks words to translate (for the catalog); `say` translates them when a date is worded."""
    return text


def _english(text: str) -> str:
    return text


MONTHS = (_("January"), _("February"), _("March"), _("April"), _("May"), _("June"), _("July"),
          _("August"), _("September"), _("October"), _("November"), _("December"))
SEASONS = {21: _("spring"), 22: _("summer"), 23: _("autumn"), 24: _("winter")}
QUALIFIED = {"~": _("about {date}"), "?": _("perhaps {date}"), "%": _("perhaps about {date}")}
_PART = re.compile(r"(-?)(\d{4}|\d{3}X|\d{2}XX)(?:-(\d{2})(?:-(\d{2}))?)?([~?%]?)")


class Worded(str):
    """A date in English words that remembers its EDTF, so that a message holding it
    (`messages.Text`) can be worded again in the reader's language."""

    edtf: str

    def __new__(cls, words: str, edtf: str) -> "Worded":
        self = super().__new__(cls, words)
        self.edtf = edtf
        return self

    def __reduce__(self):
        return (Worded, (str(self), self.edtf))


def _part(text: str, say: Callable[[str], str] = _english) -> tuple[str, tuple] | None:
    """One date of EDTF in words, and its (year, month, day) as numbers (None where unknown)."""
    match = _PART.fullmatch(text)
    if not match:
        return None
    minus, year, month, day, qualifier = match.groups()
    if "X" in year:
        if minus or month:
            return None
        decade = year.replace("X", "0")
        words = say(_("the {decade}s")).format(decade=int(decade))
        return (say(QUALIFIED[qualifier]).format(date=words) if qualifier else words), (None, None, None)
    number = int(year)
    shown = say(_("{year} BCE")).format(year=number) if minus and number else str(number)
    m = int(month) if month else None
    d = int(day) if day else None
    if m is None:
        words = say(_("{year}")).format(year=shown)
    elif m in SEASONS and d is None:
        words = say(_("{season} {year}")).format(season=say(SEASONS[m]), year=shown)
    elif not 1 <= m <= 12:
        return None
    elif d is None:
        words = say(_("{month} {year}")).format(month=say(MONTHS[m - 1]), year=shown)
    else:
        words = say(_("{day} {month} {year}")).format(day=d, month=say(MONTHS[m - 1]), year=shown)
    if qualifier:
        words = say(QUALIFIED[qualifier]).format(date=words)
    return words, (-number if minus else number, m if m and m <= 12 else None, d)


def in_words(value: str | None, say: Callable[[str], str] = _english) -> str:
    """A date as readers read it: `2017-10-04` -> "4 October 2017", `1977~` -> "about 1977",
    `1953/..` -> "1953 onwards", `1975/2018` -> "1975–2018". What it cannot word is shown as it is.

    `say` translates this module's words (English unless given; the pages give the interface's
    gettext, `i18n.date_words`). Khmer digits are read as the EDTF's digits."""
    if value is None or not str(value).strip():
        return ""
    text = ascii_digits(str(value).strip())
    if "/" not in text:
        found = _part(text, say)
        return found[0] if found else str(value).strip()
    start, _slash, end = text.partition("/")
    if "/" in end:
        return text
    first = _part(start, say) if start not in ("", "..") else None
    last = _part(end, say) if end not in ("", "..") else None
    if first and end in ("", ".."):
        return say(_("{start} onwards")).format(start=first[0])
    if last and start in ("", ".."):
        return say(_("until {end}")).format(end=last[0])
    if not first or not last:
        return text
    (y1, m1, d1), (y2, m2, d2) = first[1], last[1]
    plain = not any(q in text for q in "~?%")
    if plain and y1 is not None and y1 == y2 and d1 and d2:
        if m1 == m2:
            return say(_("{first}–{last} {month} {year}")).format(first=d1, last=d2,
                                                                  month=say(MONTHS[m1 - 1]), year=y1)
        return say(_("{first} – {last} {year}")).format(
            first=say(_("{day} {month}")).format(day=d1, month=say(MONTHS[m1 - 1])),
            last=say(_("{day} {month}")).format(day=d2, month=say(MONTHS[m2 - 1])), year=y1)
    if plain and m1 is None and m2 is None and y1 is not None and y2 is not None and y1 > 0:
        return say(_("{start}–{end}")).format(start=first[0], end=last[0])
    return say(_("{start} – {end}")).format(start=first[0], end=last[0])


@dataclass(frozen=True)
class Reading:
    """How a typed date was read: its EDTF, that in words, and whether it had to be rewritten."""
    edtf: str
    words: str
    changed: bool


_NUMERIC_DAY = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})")
_MONTH_NAME = r"([A-Za-z]{3,9})\.?"
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH_NAME + r",?\s+(\d{4})", re.I)
_MONTH_DAY_YEAR = re.compile(_MONTH_NAME + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})", re.I)
_MONTH_YEAR = re.compile(_MONTH_NAME + r",?\s+(\d{4})", re.I)
_ABOUT = re.compile(r"(?:circa|ca\.?|c\.|about|around|approx(?:imately|\.)?)\s*(.+)", re.I)
_DECADE = re.compile(r"(\d{3})0'?s")
_RANGE = re.compile(r"(.+?)\s*(?:–|—|\s-\s|\bto\b|\buntil\b|/)\s*(.+)", re.I)
_YEAR_RANGE = re.compile(r"(-?\d{4})-(\d{4})")


def _month(name: str) -> int | None:
    for number, month in enumerate(MONTHS, 1):
        if len(name) >= 3 and month.lower().startswith(name.lower()):
            return number
    return None


def _one(text: str) -> str | None:
    """One date typed as people write it, as EDTF (not checked), or None."""
    text = text.strip()
    if _simple_bounds(text) is not None or _PART.fullmatch(text):
        return text
    match = _NUMERIC_DAY.fullmatch(text)
    if match:
        a, b, year = int(match[1]), int(match[2]), match[3]
        day, month = (b, a) if b > 12 >= a else (a, b)  # day first, unless that cannot be
        return f"{year}-{month:02d}-{day:02d}"
    for pattern, order in ((_DAY_MONTH_YEAR, "dmy"), (_MONTH_DAY_YEAR, "mdy")):
        match = pattern.fullmatch(text)
        if match:
            parts = dict(zip(order, match.groups()))
            month = _month(parts["m"])
            return f"{parts['y']}-{month:02d}-{int(parts['d']):02d}" if month else None
    match = _MONTH_YEAR.fullmatch(text)
    if match and _month(match[1]):
        return f"{match[2]}-{_month(match[1]):02d}"
    match = _DECADE.fullmatch(text)
    if match:
        return f"{match[1]}X"
    match = _ABOUT.fullmatch(text)
    if match:
        inner = _one(match[1])
        return inner + "~" if inner and "/" not in inner and inner[-1] not in "~?%" else None
    return None


def read_typed(text: str) -> Reading:
    """A date as a person typed it in a search or form: EDTF, or "April 1975", "1975-1979",
    "17/04/1975" (day first, unless the first number cannot be a month), "circa 1975", "1970s".
    A range typed back to front is turned round. :raise DateError: when it cannot be read."""
    typed = " ".join(str(text).split())
    try:
        bounds(typed)
        return Reading(typed, in_words(typed), False)
    except DateError as exc:
        refused = exc
    found = None
    match = _YEAR_RANGE.fullmatch(typed) or _RANGE.fullmatch(typed)
    if match:
        start, end = _one(match[1]), _one(match[2])
        if start and end and "/" not in start + end:
            found = f"{start}/{end}"
    found = found or _one(typed) or _guess(typed)
    if not found:
        raise refused
    try:
        bounds(found)
    except DateError:
        start, _slash, end = found.partition("/")
        if not end:
            raise
        found = f"{end}/{start}"  # typed back to front
        bounds(found)
    return Reading(found, in_words(found), found != typed)
