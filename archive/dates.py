"""EDTF dates: validation and the earliest/latest calendar day of each date.

Dates are kept as the EDTF strings people typed (`1975/1979`, `1981~`, `197X`) and, beside them, as
sortable integers `YYYYMMDD` for range search and sorting (see docs/search.md, "Dates"). Parsing happens once,
when something is saved. This module knows nothing of storage or the web.
"""
from __future__ import annotations

import calendar
import re
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
        bounds(text)
        return text.strip()
    except DateError:
        pass
    match = re.fullmatch(r"\s*(\d{4})\s*[-–]\s*(\d{4})\s*", text)
    if match:
        return f"{match[1]}/{match[2]}"
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
