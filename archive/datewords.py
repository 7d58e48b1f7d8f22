"""EDTF dates worded for a reader: `1981~` -> "about 1981", `1975/1979` -> "from 1975 to 1979".

Pure: `word(value)` returns a `messages.Text` (catalog ids and arguments, with `Month` and `int`
arguments that the page writes in the reader's language and digits, see `i18n.translate`), or None
for a value it does not know how to word (the page then shows the EDTF itself). The English
interface shows EDTF as typed; the wording is for languages whose readers do not read EDTF.
"""
from __future__ import annotations

import re

from .messages import Text
from .dates import ascii_digits

_PART = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?([~?%]?)")
_DECADE = re.compile(r"(\d{3})X([~?%]?)")
_CENTURY = re.compile(r"(\d{2})XX([~?%]?)")


class Month(int):
    """A month number, written as the month's name in the reader's language."""


def _qualified(text: Text, mark: str) -> Text:
    if mark == "~":
        return Text("about %(date)s", date=text)
    if mark == "?":
        return Text("%(date)s (uncertain)", date=text)
    if mark == "%":
        return Text("about %(date)s (uncertain)", date=text)
    return text


def _part(value: str) -> Text | None:
    """One end of a date: a day, month or year (perhaps qualified), a decade or a century."""
    found = _PART.fullmatch(value)
    if found:
        year, month, day, mark = found.groups()
        if month and not 1 <= int(month) <= 12:
            return None
        if day:
            text = Text("%(day)s %(month)s %(year)s", day=int(day), month=Month(int(month)), year=int(year))
        elif month:
            text = Text("%(month)s %(year)s", month=Month(int(month)), year=int(year))
        else:
            text = Text("year %(year)s", year=int(year))
        return _qualified(text, mark)
    found = _DECADE.fullmatch(value)
    if found:
        return _qualified(Text("the %(decade)ss", decade=int(found[1]) * 10), found[2])
    found = _CENTURY.fullmatch(value)
    if found:
        return _qualified(Text("the %(century)ss", century=int(found[1]) * 100), found[2])
    return None


def word(value: str | None) -> Text | None:
    """An EDTF date (in either digit set) as words, or None when it is not one this module words."""
    if not value or not str(value).strip():
        return None
    value = ascii_digits(str(value).strip())
    if "/" not in value:
        return _part(value)
    start, _, end = value.partition("/")
    if start in ("", "..") and end not in ("", ".."):
        ended = _part(end)
        return Text("until %(end)s", end=ended) if ended else None
    if end in ("", "..") and start not in ("", ".."):
        started = _part(start)
        return Text("from %(start)s on", start=started) if started else None
    first, last = _part(start), _part(end)
    if first is None or last is None:
        return None
    return Text("from %(start)s to %(end)s", start=first, end=last)
