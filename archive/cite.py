"""Citations of a record: Chicago style (notes and bibliography), BibTeX, RIS (for Zotero, EndNote)
and the Highwire `citation_*` meta tags reference managers read from the record's page.

Pure functions over a record as JSON (`fields.record_schema()`); the view supplies the permalink and
the access day, and for the Chicago citation shown on the page the reader's language. BibTeX, RIS and
the meta tags are data for reference managers: English type names and ISO days in every language.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from markupsafe import Markup, escape

from .dates import Worded, in_words
from .kinds import record_type, type_label
from .messages import Text

AUTHOR_ROLES = ("author", "narrator", "signatory")
# Who else a reference manager names: the one a letter is addressed to, the interviewer (both A2
# in Zotero's RIS), and the translator (A4).
SECONDARY_ROLES = ("recipient", "interviewer")
PLACE_ROLES = ("written_at", "recorded_at", "origin")  # where it was made: RIS CY


def _authors(record: dict) -> list[str]:
    names = [p["name"] for role in AUTHOR_ROLES for p in record.get("people", []) if p["role"] == role]
    return list(dict.fromkeys(names))


def _people(record: dict, roles: tuple[str, ...]) -> list[str]:
    return list(dict.fromkeys(p["name"] for p in record.get("people", []) if p["role"] in roles))


def _year(record: dict) -> str | None:
    match = re.match(r"-?\d{4}", record.get("date") or record.get("period") or "")
    return match[0] if match else None


_PLAIN = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def _parts(record: dict) -> list[str]:
    """Year, month and day of the record's date as far as it is known exactly: `2017-10-04` gives
    all three, `2018-07` two, `1977~` or `1975/1979` the (first) year only."""
    value = record.get("date") or record.get("period") or ""
    plain = _PLAIN.fullmatch(value)
    if plain:
        return [part for part in plain.groups() if part]
    year = _year(record)
    return [year] if year else []


def _worded(value: str) -> Worded:
    return Worded(in_words(value), value)


def chicago(record: dict, permalink: str, accessed: dt.date, say: Callable[[Text], str] = str) -> Markup:
    """Author. “Title.” Type, date. Collection, accession. Repository. Permalink (accessed …).

    The citation's own words (“and”, the type, the dates, “n.d.”, “accessed”) are messages that `say`
    puts in the reader's language (the page gives `i18n.translate`; English otherwise); the record's
    words (names, title, collection, repository) are kept as they are."""
    authors = _authors(record)
    parts = []
    if authors:
        who = authors[0] if len(authors) == 1 else \
            say(Text("%(names)s and %(last)s", names=", ".join(authors[:-1]), last=authors[-1]))
        parts.append(escape(who.rstrip(".")) + ".")
    parts.append(Markup("“") + escape(record["title"].rstrip(".")) + Markup(".”"))
    kind = Text(type_label(record["type"]))
    when = record.get("date") or record.get("period")
    parts.append(escape(say(Text("%(type)s, %(date)s.", type=kind, date=_worded(when)) if when
                            else Text("%(type)s, n.d.", type=kind))))
    held = ", ".join(x for x in (record.get("collection"), record.get("accession")) if x)
    if held:
        parts.append(escape(held) + ".")
    repository = (record.get("source") or {}).get("repository")
    if repository:
        parts.append(escape(repository) + ".")
    parts.append(escape(permalink) + " " + escape(say(Text("(accessed %(date)s).",
                                                           date=_worded(accessed.isoformat())))))
    return Markup(" ").join(parts)


def _bib(value: str) -> str:
    """A BibTeX value: braces and backslashes made harmless, special characters escaped."""
    value = value.replace("\\", "").replace("{", "(").replace("}", ")")
    return re.sub(r"([&%$#_])", r"\\\1", value)


def bibtex(record: dict, permalink: str, accessed: dt.date) -> str:
    """A BibTeX @misc entry keyed by the record id."""
    key = re.sub(r"[^A-Za-z0-9_-]", "", record["id"]) or "record"
    fields = []
    authors = _authors(record)
    if authors:
        fields.append(("author", " and ".join("{" + _bib(a) + "}" for a in authors)))
    fields.append(("title", "{" + _bib(record["title"]) + "}"))
    if _year(record):
        fields.append(("year", _year(record)))
    if record.get("date"):
        fields.append(("date", _bib(record["date"])))
    fields.append(("howpublished", "\\url{" + permalink + "}"))
    if record.get("collection"):
        fields.append(("organization", _bib(record["collection"])))
    fields.append(("note", _bib(type_label(record["type"])) +
                   f". Accessed {accessed.isoformat()}"))
    fields.append(("urldate", accessed.isoformat()))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)  # title: {{…}} keeps capitals
    return f"@misc{{{key},\n{body}\n}}"


def _line(value) -> str:
    """One line of a RIS value: a line break inside it could start a tag of its own."""
    return " ".join(str(value).split())


def ris(record: dict, permalink: str, accessed: dt.date) -> str:
    """The record as one RIS reference (`TY  - …` to `ER  - `), CRLF line ends as the format has."""
    found = record_type(record["type"])
    lines = [("TY", found.ris if found else "MANSCPT"), ("ID", record["id"]), ("TI", record["title"])]
    lines += [("AU", name) for name in _authors(record)]
    lines += [("A2", name) for name in _people(record, SECONDARY_ROLES)]
    lines += [("A4", name) for name in _people(record, ("translator",))]
    parts = _parts(record)
    if parts:
        value = record.get("date") or record.get("period")
        other = "" if _PLAIN.fullmatch(value) else in_words(value)  # RIS: year/month/day/other
        lines.append(("PY", parts[0]))
        lines.append(("DA", "/".join(parts + [""] * (3 - len(parts))) + "/" + other.replace("/", " ")))
    lines.append(("M3", type_label(record["type"])))
    if record.get("summary"):
        lines.append(("AB", record["summary"]))
    lines += [("KW", subject) for subject in record.get("subjects") or []]
    if record.get("language"):
        lines.append(("LA", ", ".join(record["language"])))
    places = [p["name"] for role in PLACE_ROLES for p in record.get("places", []) if p["role"] == role]
    if places:
        lines.append(("CY", places[0]))
    if record.get("collection"):
        lines.append(("DB", record["collection"]))
    if record.get("accession"):
        lines.append(("AN", record["accession"]))
    citation = (record.get("source") or {}).get("citation")
    if citation:
        lines.append(("N1", citation))
    lines += [("UR", permalink), ("Y2", f"{accessed:%Y/%m/%d}")]
    body = "".join(f"{tag}  - {_line(value)}\r\n" for tag, value in lines if _line(value))
    return body + "ER  - \r\n"


def highwire(record: dict, permalink: str) -> list[tuple[str, str]]:
    """The Highwire Press `citation_*` meta tags (name, content) that Zotero, Mendeley and Google
    Scholar read from a page: title, each author, the date as YYYY/MM/DD (or less), the permalink."""
    tags = [("citation_title", record["title"])]
    tags += [("citation_author", name) for name in _authors(record)]
    parts = _parts(record)
    if parts:
        tags += [("citation_publication_date", "/".join(parts)), ("citation_date", "/".join(parts))]
    tags += [("citation_public_url", permalink), ("citation_fulltext_html_url", permalink)]
    tags += [("citation_language", code) for code in record.get("language") or []]
    if record.get("subjects"):
        tags.append(("citation_keywords", "; ".join(record["subjects"])))
    return [(name, _line(value)) for name, value in tags]
