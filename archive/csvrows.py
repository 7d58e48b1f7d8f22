"""Records as spreadsheet rows: the CSV columns, and how lists and links fit in one cell.

One row per record, with a header row. A cell holding several values separates them with `; `
(semicolon, space); a link to a person or place is `name|role|id` and to an event `name|id`, where
the role and id may be left out (`Kem Sokha`, `Kem Sokha|mentioned`): an import finds the authority
by id, else by name or variant, and creates it when unknown. A backslash escapes `;`, `|` and itself
inside a value (`AT\\;T`). `source` is split over three columns. The columns are a record's fields
in order (`archive/fields.py`), a `Parts` field giving one column per part. Both directions live
here, so the export and the import can never disagree about the columns.

What a CSV round trip loses (and JSON keeps): the authorities' own fields (variants, dates, notes,
coordinates; the JSON Lines export carries them), the media files themselves (`media` and
`segments` are JSON in their cells; files travel in a bag), the dates shown beside event links, and the
archive's timestamps and revision numbers, which an import ignores anyway.

A cell that a spreadsheet would read as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a
carriage return, the list OWASP gives for CSV injection) is written with a leading `'`, which
spreadsheets show as text; a value that already starts with `'` before such a character gets one
more. The import takes exactly one such `'` off again, so the round trip stays lossless.
"""
from __future__ import annotations

import json
import re

from . import fields
from .fields import RECORD_FIELDS
from .messages import Text
from .timecoded import Objects


COLUMNS = tuple(column for f in RECORD_FIELDS for column, _ in f.flat())  # a part: `source_url`
IGNORED_ON_IMPORT = tuple(f.name for f in RECORD_FIELDS if f.by_archive)
LIST_COLUMNS = tuple(f.name for f in fields.of_shape(fields.List))
LINK_COLUMNS = {f.name: f.shape.parts for f in fields.of_shape(fields.Links)}
SEPARATOR = "; "


# Quotes already there, then a character that starts a formula (OWASP, "CSV Injection").
FORMULA = re.compile(r"'*[=+\-@\t\r]")


def neutralise(cell: str) -> str:
    """A cell a spreadsheet shows as text, never evaluates: `=1+1` -> `'=1+1`."""
    return "'" + cell if FORMULA.match(cell) else cell


def restore(cell: str) -> str:
    """The value of a cell written by `neutralise`: `'=1+1` -> `=1+1`."""
    return cell[1:] if cell.startswith("'") and FORMULA.match(cell, 1) else cell


class CellError(ValueError):
    def __init__(self, column: str, message: str):
        self.column = column
        super().__init__(message)


def escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace("|", "\\|")


def _split(cell: str, sep: str) -> list[str]:
    """Split on an unescaped `sep`, undoing the escapes."""
    parts, current, chars = [], [], iter(cell)
    for ch in chars:
        if ch == "\\":
            current.append(next(chars, "\\"))
        elif ch == sep:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def _split_keep(cell: str, sep: str) -> list[str]:
    parts, current, i = [], "", 0
    while i < len(cell):
        ch = cell[i]
        if ch == "\\" and i + 1 < len(cell):
            current += cell[i:i + 2]
            i += 2
            continue
        if ch == sep:
            parts.append(current)
            current = ""
        else:
            current += ch
        i += 1
    parts.append(current)
    return parts


def join_list(values: list[str]) -> str:
    return SEPARATOR.join(escape(v) for v in values)


def split_list(cell: str | None) -> list[str]:
    if not cell or not cell.strip():
        return []
    return [v.strip() for v in _split(cell, ";") if v.strip()]


def join_links(key: str, links: list[dict]) -> str:
    fields = LINK_COLUMNS[key]
    return SEPARATOR.join("|".join(escape(str(link.get(f) or "")) for f in fields) for link in links)


def split_links(key: str, cell: str | None) -> list[dict]:
    fields = LINK_COLUMNS[key]
    links = []
    for item in _split_keep(cell or "", ";"):
        if not item.strip():
            continue
        values = [_split(v, "|")[0].strip() if v else "" for v in _split_keep(item, "|")]
        if len(values) > len(fields):
            raise CellError(key, Text("%(value)s has more than %(count)s parts (%(parts)s); escape a | in "
                                      "a name as \\|", value=repr(item.strip()), count=len(fields),
                                      parts="|".join(fields)))
        links.append({f: v for f, v in zip(fields, values) if v})
    return links


def to_row(record: dict) -> list[str]:
    """A record in the JSON shape of docs/architecture.md as the cells of one CSV row, each
    neutralised against formulas."""
    row = []
    for field in RECORD_FIELDS:
        value = record.get(field.name)
        if isinstance(field.shape, fields.Parts):
            row.extend("" if (value or {}).get(part.name) is None else str(value[part.name])
                       for _, part in field.flat())
        elif isinstance(field.shape, fields.Redactions):  # objects: JSON in the cell
            row.append(json.dumps(value, ensure_ascii=False) if value else "")
        elif isinstance(field.shape, fields.List):
            row.append(join_list(value or []))
        elif isinstance(field.shape, Objects):  # media, segments: their JSON in one cell
            row.append(json.dumps(value, ensure_ascii=False) if value else "")
        elif isinstance(field.shape, fields.Links):
            row.append(join_links(field.name, value or []))
        else:
            row.append("" if value is None else str(value))
    return [neutralise(cell) for cell in row]


def from_row(cells: dict[str, str | None], errors: list[CellError] | None = None) -> dict:
    """A CSV row (by column name) as record JSON for the importer; empty cells are left out.

    :raise CellError: for a cell that cannot be read, unless `errors` collects them (and the cell
    is left out).
    """
    record: dict = {}
    for field in RECORD_FIELDS:
        if field.by_archive:
            continue
        if isinstance(field.shape, fields.Parts):
            for column, part in field.flat():
                raw = restore(cells[column]) if cells.get(column) is not None else ""
                if raw.strip():
                    record.setdefault(field.name, {})[part.name] = raw.strip()
            continue
        raw = cells.get(field.name)
        if raw is None:
            continue
        raw = restore(raw)
        if isinstance(field.shape, fields.Redactions):
            if raw.strip():
                try:
                    record[field.name] = json.loads(raw)
                except ValueError:
                    exc = CellError(field.name, "is not a JSON list of redactions")
                    if errors is None:
                        raise exc from None
                    errors.append(exc)
        elif isinstance(field.shape, fields.List):
            record[field.name] = split_list(raw)
        elif isinstance(field.shape, fields.Links):
            try:
                record[field.name] = split_links(field.name, raw)
            except CellError as exc:
                if errors is None:
                    raise
                errors.append(exc)
        elif isinstance(field.shape, Objects):
            if raw.strip():
                try:
                    record[field.name] = json.loads(raw)
                except ValueError as exc:
                    if errors is None:
                        raise CellError(field.name, f"not valid JSON: {exc}") from None
                    errors.append(CellError(field.name, f"not valid JSON: {exc}"))
        elif isinstance(field.shape, fields.Body):  # kept as written, spaces and all
            if raw:
                record[field.name] = raw
        elif raw.strip():
            record[field.name] = raw.strip()
    return record
