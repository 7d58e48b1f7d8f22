"""Imports of JSON, JSON Lines and CSV: every object is checked before anything is written.

The file is read twice, so memory stays small: the first pass validates every line (schema, dates,
links to authorities defined earlier in the file or already in the archive) and counts what would be
created or replaced; only when nothing is wrong does the second pass store everything in one write
through `records.import_objects`. One bad line imports nothing and is named with its field.
A CSV file holds records only, one per row, in the columns of the CSV export (`csvrows`).
"""
from __future__ import annotations

import csv
import itertools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import csvrows, kinds, newnames, records, store, validation, vocabulary
from .messages import N_, Text

KINDS = tuple(kind.name for kind in kinds.KINDS)  # record, person, event, place
MAX_ERRORS = 50  # problems listed; the rest are counted ("and N more")
MAX_MESSAGE = 500  # characters of one problem's message
MAX_NAMES = 10  # unknown columns named in one message
# Our deepest object (a record's media, its transcript, a cue) is five levels down; far deeper input
# is no export of ours, and Python's JSON reader gives up (RecursionError) near a thousand.
MAX_DEPTH = 32
DEEP = Text("nested more than %(count)s levels deep: not a file of records, people, events or places",
            count=MAX_DEPTH)
# A lone UTF-16 surrogate (`\ud800` in JSON) is no character: SQLite and UTF-8 cannot keep it.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
SURROGATE = Text("holds a lone surrogate (such as \\ud800), which is not text: fix the file's encoding")
# A transcript in one CSV cell easily passes the csv module's default limit of 128 KiB per field;
# `home.setup_process` raises the process's limit to this at start-up.
CSV_FIELD_LIMIT = 1 << 30


FILE = N_("file")  # where a problem of the whole file is (translated where shown)
# What Python's JSON reader says is wrong (`JSONDecodeError.msg`), for the catalog; others are shown
# as they come.
N_("Expecting value"), N_("Expecting ',' delimiter"), N_("Expecting ':' delimiter")
N_("Expecting property name enclosed in double quotes"), N_("Extra data"), N_("Unterminated string starting at")
N_("Invalid control character at"), N_("Invalid \\escape"), N_("Invalid \\uXXXX escape")
N_("Illegal trailing comma before end of object"), N_("Illegal trailing comma before end of array")


@dataclass
class Problem:
    where: str  # "line 12"
    field: str
    message: str

    def __str__(self) -> str:
        if self.field:
            return f"{self.where}, {self.field}: {self.message}"
        return f"{self.where}: {self.message}"


class ImportFailed(ValueError):
    """An import refused; `problems` lists the first MAX_ERRORS, `more` counts the rest."""

    def __init__(self, problems: list[Problem], more: int = 0):
        self.problems = problems
        self.more = more
        count = len(problems) + more
        super().__init__(f"nothing imported: {count} problem{'' if count == 1 else 's'}; first: {problems[0]}")


@dataclass
class Plan:
    """What an import would do."""
    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    replaced: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    problems: list[Problem] = field(default_factory=list)
    more: int = 0  # problems found beyond the MAX_ERRORS listed
    new: list[newnames.NewAuthority] = field(default_factory=list)  # authorities it would create
    new_more: int = 0  # beyond those listed
    # no authority comes after a record (as `archive export` writes them): records can be indexed
    # as they are stored (`records.import_objects`)
    authorities_first: bool = True

    @property
    def unsure(self) -> list[newnames.NewAuthority]:
        """New authorities that look like existing ones: the archivist maps or confirms each."""
        return [a for a in self.new if a.near]

    def add_problem(self, where: str, field_: str, message: str) -> None:
        if len(self.problems) >= MAX_ERRORS:
            self.more += 1
            return
        if len(message) > MAX_MESSAGE and not isinstance(message, Text):  # ours quote values cut short
            message = message[:MAX_MESSAGE] + "…"
        self.problems.append(Problem(where, readable(field_), message))

    @property
    def total(self) -> int:
        return sum(self.created.values()) + sum(self.replaced.values())

    def summary(self) -> Text:
        summary = None
        for kind, plural in (("record", N_("records")), ("person", N_("people")), ("event", N_("events")),
                             ("place", N_("places"))):
            c, r = self.created[kind], self.replaced[kind]
            if c or r:
                part = Text("%(kinds)s: %(new)s new, %(replaced)s replaced", kinds=Text(plural), new=c, replaced=r)
                summary = part if summary is None else Text("%(first)s; %(then)s", first=summary, then=part)
        return summary or Text("nothing to import")


class Unreadable(ValueError):
    """A line or cell that cannot be read, in place of its object."""

    def __init__(self, message: str, field: str = ""):
        self.field = field
        super().__init__(message)


SUFFIXES = (".json", ".jsonl", ".csv")


def read_csv(f) -> Iterator[tuple[str, object]]:
    """(where, record) for each row of a CSV file in the export's columns."""
    first = f.readline()
    # Excel in many European locales (French among them) saves with `;` between cells
    delimiter = ";" if ";" in first and "," not in first else ","
    reader = csv.DictReader(itertools.chain([first], f), delimiter=delimiter, strict=True)
    try:
        header = reader.fieldnames or []
    except csv.Error as exc:
        yield Text("line %(number)s", number=1), Unreadable(Text("not valid CSV: %(detail)s", detail=str(exc)))
        return
    unknown = [c for c in header if c not in csvrows.COLUMNS]
    missing = [c for c in ("title", "type") if c not in header]
    if unknown or missing or len(set(header)) != len(header):
        named = ", ".join(repr(c if len(c) <= 40 else c[:40] + "…") for c in unknown[:MAX_NAMES])
        if len(unknown) > MAX_NAMES:
            named = Text("%(names)s and %(count)s more", names=named, count=f"{len(unknown) - MAX_NAMES:,}")
        parts = [part for part in [
            unknown and Text("unknown column(s) %(names)s", names=named),
            missing and Text("missing column(s) %(names)s", names=", ".join(missing)),
            len(set(header)) != len(header) and Text("a column appears twice")] if part]
        message = parts[0]
        for part in parts[1:]:
            message = Text("%(first)s; %(then)s", first=message, then=part)
        yield Text("line %(number)s", number=1), Unreadable(
            Text("%(problem)s (columns: %(columns)s)", problem=message, columns=", ".join(csvrows.COLUMNS)),
            "header")
        return
    start = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Text("line %(number)s", number=start), Unreadable(Text("not valid CSV: %(detail)s",
                                                                         detail=str(exc)))
            return
        where, start = Text("line %(number)s", number=start), reader.line_num + 1
        if None in cells:
            yield where, Unreadable(Text("%(count)s cells; the header has %(header)s",
                                         count=len(header) + len(cells[None]), header=len(header)))
            continue
        if not any((v or "").strip() for v in cells.values()):
            continue
        errors: list[csvrows.CellError] = []
        record = csvrows.from_row(cells, errors)
        for error in errors:  # reported first; the rest of the row is still checked
            yield where, Unreadable(error.args[0], error.column)
        yield where, record


# The words a record's coded fields may be written in: the code or the label the pages show.
_RECORD = validation.SCHEMAS["record"]["properties"]
WORDS = {"type": (_RECORD["type"]["enum"], {t.code: t.label for t in kinds.RECORD_TYPES}),
         "access": (_RECORD["access"]["enum"], None)}
LINK_ROLES = {key: _RECORD[key]["items"]["properties"]["role"]["enum"] for key in ("people", "places")}


def interface_words(obj):
    """A record with its type, access and roles written as the interface writes them (`Open
    letter`, `recorded at`, any case) turned into their codes; what matches no code is left for
    validation to name."""
    if not isinstance(obj, dict) or (obj.get("kind") or "record") != "record":
        return obj
    obj = dict(obj)
    for key, (codes, labels) in WORDS.items():
        if key in obj:
            obj[key] = vocabulary.code_for(obj[key], codes, labels) or obj[key]
    for key, roles in LINK_ROLES.items():
        if isinstance(obj.get(key), list):
            obj[key] = [{**link, "role": vocabulary.code_for(link["role"], roles) or link["role"]}
                        if isinstance(link, dict) and "role" in link else link for link in obj[key]]
    return obj


def readable(path: str) -> str:
    """A field path as people read it: `people.0.role` -> `people 1, role`."""
    out = ""
    for part in path.split("."):
        if part.isdigit() and out:
            out += f" {int(part) + 1}"
        else:
            out += (", " if out and out[-1].isdigit() else "." if out else "") + part
    return out


def read_objects(path: str | Path) -> Iterator[tuple[str, object]]:
    """(where, object) for each object of a .json, .jsonl or .csv file, in the archive's codes
    (`interface_words`); a line that cannot be read yields an `Unreadable` in place of the object."""
    try:
        for where, obj in _read_objects(Path(path)):
            yield where, interface_words(obj)
    except UnicodeDecodeError as exc:
        yield FILE, Unreadable(Text("not UTF-8 text (byte %(byte)s): save it as UTF-8 (in a spreadsheet: "
                                    "\"CSV UTF-8\")", byte=exc.start))


def _read_objects(path: Path) -> Iterator[tuple[str, object]]:
    if path.suffix.lower() not in SUFFIXES:
        yield FILE, Unreadable(Text("%(name)s: the file name must end in .json, .jsonl or .csv", name=path.name))
        return
    # newline="": CSV cells may hold line breaks; JSON Lines splits on them the same way
    with path.open(encoding="utf-8-sig", newline="" if path.suffix.lower() == ".csv" else None) as f:
        if path.suffix.lower() == ".csv":
            yield from read_csv(f)
            return
        if path.suffix.lower() == ".json":
            try:
                data = json.load(f)
            except json.JSONDecodeError as exc:
                yield Text("line %(number)s", number=exc.lineno), Unreadable(
                    Text("not valid JSON: %(detail)s", detail=Text(exc.msg)))
                return
            except RecursionError:
                yield FILE, Unreadable(DEEP)
                return
            items = data if isinstance(data, list) else [data]
            for i, obj in enumerate(items, 1):
                yield Text("item %(number)s", number=i), unreadable_json(obj) or obj
            return
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield (Text("line %(number)s", number=number),
                       Unreadable(Text("not valid JSON: %(detail)s (column %(column)s)", detail=Text(exc.msg),
                                       column=exc.colno)))
            except RecursionError:
                yield Text("line %(number)s", number=number), Unreadable(DEEP)
            else:
                yield Text("line %(number)s", number=number), unreadable_json(obj) or obj


def unreadable_json(obj) -> Unreadable | None:
    """What makes a parsed JSON value unfit to store (too deep, or not text), if anything.

    Iterative, so that it never recurses as deep as the value goes."""
    stack = [(obj, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return Unreadable(DEEP)
        if isinstance(value, str):
            if LONE_SURROGATE.search(value):
                return Unreadable(SURROGATE)
        elif isinstance(value, dict):
            for key, item in value.items():
                if LONE_SURROGATE.search(key):
                    return Unreadable(SURROGATE)
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
    return None


def plan(db, path: str | Path, progress: Callable[[str], None] | None = None,
         mapping: dict[tuple[str, str], str] | None = None) -> Plan:
    """Check every object of a file against the schema and the archive; write nothing.

    The plan lists the authorities the import would create, with their look-alikes (`newnames`);
    `mapping` ((kind, name key) → existing id) links those to existing authorities instead."""
    result = Plan()
    defined = {kind: set() for kind in KINDS}  # ids defined earlier in the file
    tracker = newnames.Tracker(db)
    for (kind, _), target in (mapping or {}).items():
        if store.entity_row(db, kind, target) is None:
            result.add_problem(FILE, "", f"no {kind} with id {target} to link to")

    def known(kind: str, entity_id: str) -> bool:
        return (entity_id in defined[kind] or store.entity_row(db, kind, entity_id) is not None
                or store.redirect_target(db, kind, entity_id) is not None)

    problem = result.add_problem

    for where, obj in mapped(db, read_objects(path), mapping):
        if progress:
            progress("check")
        if isinstance(obj, Unreadable):
            problem(where, obj.field, obj.args[0])
            continue
        if not isinstance(obj, dict):
            problem(where, "", Text("must be a JSON object"))
            continue
        kind = obj.get("kind") or "record"
        if kind not in KINDS:
            problem(where, "kind", Text("must be one of %(codes)s", codes=", ".join(KINDS)))
            continue
        if kind != "record" and result.created["record"] + result.replaced["record"]:
            result.authorities_first = False
        errors = validation.validate(kind, {**obj, "kind": kind} if kind != "record" else obj)
        for field_, message in errors:
            problem(where, field_, message)
        if errors:
            continue
        entity_id = obj.get("id")
        if entity_id:
            if entity_id in defined[kind]:
                problem(where, "id", Text("%(id)s appears twice in this file", id=entity_id))
            for other in KINDS:
                if other != kind and (entity_id in defined[other] or (
                        store.entity_row(db, other, entity_id) if other != "record"
                        else store.record_row(db, entity_id))):
                    problem(where, "id", Text("%(id)s is already used by a %(kind)s", id=entity_id,
                                              kind=kinds.kind_word(other)))
            defined[kind].add(entity_id)
        if kind == "record":
            try:  # offsets and ranges against the text as it will be (spans follow edited words)
                records.settle_redactions(store.record_row(db, entity_id) if entity_id else None,
                                          obj, None, "")
            except records.ValidationError as exc:
                for field_, message in exc.errors:
                    problem(where, field_, message)
        exists = False
        if entity_id:
            row = store.record_row(db, entity_id) if kind == "record" else store.entity_row(db, kind, entity_id)
            exists = bool(row) and not (kind == "record" and row["deleted_at"])
        (result.replaced if exists else result.created)[kind] += 1
        if kind != "record" and not exists:
            tracker.entity(where, kind, obj)
        links = []
        described = kinds.get(kind)
        if described is kinds.RECORD:
            links = [(linked.plural, linked.name, i, link) for linked in kinds.AUTHORITIES
                     for i, link in enumerate(obj.get(linked.plural) or [])]
        elif described.has_places:
            links = [("places", kinds.PLACE.name, i, link)
                     for i, link in enumerate(obj.get("places") or [])]
        for key, link_kind, i, link in links:
            if link.get("id") in defined[link_kind]:
                pass  # an authority of this file
            elif tracker.link(where, link_kind, link):
                result.created[link_kind] += 1
            if link.get("id") and not link.get("name") and not known(link_kind, link["id"]):
                problem(where, f"{key}.{i}.id", Text("no %(kind)s with id %(id)s in the archive or earlier "
                                                     "in the file", kind=kinds.kind_word(link_kind),
                                                     id=link["id"]))
        if described.has_part_of and obj.get("part_of") and not known(kind, obj["part_of"]):
            problem(where, "part_of", Text("no %(kind)s with id %(id)s in the archive or earlier in the file",
                                           kind=kinds.kind_word(kind), id=obj["part_of"]))
    result.new, result.new_more = tracker.finish(), tracker.more
    return result


def mapped(db, objects, mapping):
    """(where, object) with the archivist's choices applied (`newnames.Mapper`); an authority object
    mapped to an existing one is left out."""
    mapper = newnames.Mapper(db, mapping)
    for where, obj in objects:
        obj = obj if isinstance(obj, Unreadable) else mapper(obj)
        if obj is not None:
            yield where, obj


def run(db, index, path: str | Path, user: str | None = None,
        progress: Callable[[str], None] | None = None,
        mapping: dict[tuple[str, str], str] | None = None, files: records.Files | None = None) -> Plan:
    """Check, then import everything in one write. :raise ImportFailed: and nothing is written.

    `progress` is called with "check", "store" or "index" once per object and stage; `mapping` as
    for `plan`; `files` says where media entries' `path`s are read from (none: they are refused, as
    in a web import).
    """
    checked = plan(db, path, progress, mapping)
    if checked.problems:
        raise ImportFailed(checked.problems, checked.more)
    current = ""

    def objects():
        nonlocal current
        for where, obj in mapped(db, read_objects(path), mapping):
            current = where
            yield obj

    many = checked.created["record"] + checked.replaced["record"] >= records.PARALLEL_AT
    try:
        records.import_objects(db, index, objects(), user, progress=progress, files=files,
                               index_as_stored=many and checked.authorities_first)
    except records.ValidationError as exc:  # a conflict the first pass could not see
        raise ImportFailed([Problem(current, readable(f), m) for f, m in exc.errors]) from exc
    return checked
