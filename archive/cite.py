"""Citations of a record: Chicago style (notes and bibliography) and BibTeX, with the permalink.

Pure functions over a record as JSON (`fields.record_schema()`); the view supplies the permalink and
the access day.
"""
from __future__ import annotations

import datetime as dt
import re

from markupsafe import Markup, escape

from .kinds import type_label

AUTHOR_ROLES = ("author", "narrator", "signatory")


def _authors(record: dict) -> list[str]:
    names = [p["name"] for role in AUTHOR_ROLES for p in record.get("people", []) if p["role"] == role]
    return list(dict.fromkeys(names))


def _year(record: dict) -> str | None:
    match = re.match(r"-?\d{4}", record.get("date") or record.get("period") or "")
    return match[0] if match else None


def chicago(record: dict, permalink: str, accessed: dt.date) -> Markup:
    """Author. “Title.” Type, date. Collection, accession. Repository. Permalink (accessed …)."""
    authors = _authors(record)
    parts = []
    if authors:
        who = authors[0] if len(authors) == 1 else ", ".join(authors[:-1]) + " and " + authors[-1]
        parts.append(escape(who.rstrip(".")) + ".")
    parts.append(Markup("“") + escape(record["title"].rstrip(".")) + Markup(".”"))
    kind = type_label(record["type"])
    parts.append(escape(kind + (", " + (record.get("date") or record.get("period")) if
                                (record.get("date") or record.get("period")) else "")) + ".")
    held = ", ".join(x for x in (record.get("collection"), record.get("accession")) if x)
    if held:
        parts.append(escape(held) + ".")
    repository = (record.get("source") or {}).get("repository")
    if repository:
        parts.append(escape(repository) + ".")
    parts.append(escape(permalink) + escape(f" (accessed {accessed:%B} {accessed.day}, {accessed.year})."))
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
