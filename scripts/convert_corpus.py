#!/usr/bin/env python3
"""Convert the shared test corpus into the archive's import format (JSON Lines).

Usage::

    python scripts/convert_corpus.py ../shared/data/corpus -o corpus.jsonl
    python scripts/convert_corpus.py ../shared/data/corpus/udhr_un.jsonl > udhr.jsonl

The input is the corpus folder (every ``*.jsonl`` in it) or single corpus files. Each corpus line has the
keys ``source, licence, title, type, date, people, places, language, text`` (see
``data/corpus/SOURCES.md``). The output follows the archive's import format (README, "Records and their JSON"): first every place, then every
person, then every event, then every record, one JSON object a line, each with its ``kind``.

What the conversion decides (everything else is copied as found; texts are never changed):

- ``type``: the corpus calls the Universal Declaration of Human Rights a "letter" (a forced mapping, see
  SOURCES.md); here it becomes ``document``. ``interview``, ``testimony`` and ``petition`` stay.
- People: interview informants get the role ``narrator``, book authors ``author``; petitions have none.
  People are deduplicated by name, except that one name used by WPA informants in different state
  volumes is two people (the corpus has two different women called Hannah Jones, in Alabama and in
  Missouri): their ids then carry the state (``p-hannah-jones-alabama``).
- Places are deduplicated by name; US states are ``part_of`` the United States. For WPA interviews the
  state is linked as ``recorded_at`` and the United States as ``mentioned``; the other collections link
  their places as ``mentioned``. The UDHR records are linked to Paris as their ``origin`` and to the event
  of the Declaration's adoption; WPA interviews to the event of the WPA interviews (1936/1938).
- ``language`` becomes a list; ``rights`` is the corpus ``licence``; ``source`` names the repository and
  commit each text was taken from (SOURCES.md), with a commit-pinned URL; ``summary`` is built
  mechanically from the metadata (never from the text); ``subjects`` is a fixed list per collection.
- Titles: runs of whitespace (a few petition titles contain line breaks) become one space.
- ``date`` must be valid EDTF (checked with a regular expression and the calendar); a date that is not
  is dropped (set to null) and reported on stderr.
- ids are deterministic, short, lowercase and URL-safe (``wpa-ga-0001``, ``udhr-km-05``, ``pet-0042``,
  ``nar-douglass-1845``, ``p-charlie-aarons``, ``l-alabama``, ``e-udhr-adoption``), unique across kinds
  and the same on every run over the same input.

A summary (lines per kind) goes to stderr. Standard library only; ``scripts/build_sample.py`` imports
this module to build the bundled sample collection with the same ids and authorities.
"""
from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import re
import sys
import unicodedata
from pathlib import Path
from typing import IO, Iterable, Iterator
from urllib.parse import quote

# --------------------------------------------------------------------------------------------------
# Dates

_YEAR = r"-?(?:\d{4}|\d{3}X|\d{2}XX)"
_MONTH = r"(?:0[1-9]|1[0-2]|2[1-4]|XX)"  # 21-24 are EDTF seasons
_DAY = r"(?:0[1-9]|[12]\d|3[01]|XX)"
_DATE = rf"{_YEAR}(?:-{_MONTH}(?:-{_DAY})?)?[?~%]?"
_EDTF_RE = re.compile(rf"^(?:{_DATE}|{_DATE}/{_DATE}|(?:\.\.)?/{_DATE}|{_DATE}/(?:\.\.)?)$")
_PLAIN_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def _sortable(part: str) -> tuple[int, int, int] | None:
    """(year, month, day) of the start of a plain date, None if it is not plain."""
    m = re.match(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$", part)
    if not m or (m.group(2) and int(m.group(2)) > 12):
        return None
    return int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)


def is_edtf(value: str) -> bool:
    """True for the EDTF forms the archive uses: days, months, years, X digits, ~ ? %, intervals."""
    if not isinstance(value, str) or not _EDTF_RE.match(value):
        return False
    parts = value.split("/")
    for part in parts:
        day = _PLAIN_DAY.match(part.rstrip("?~%"))
        if day:
            try:
                datetime.date(int(day.group(1)), int(day.group(2)), int(day.group(3)))
            except ValueError:
                return False
    if len(parts) == 2:
        start, end = (_sortable(p) for p in parts)
        if start and end and start > end:
            return False
    return True


# --------------------------------------------------------------------------------------------------
# ids

def slugify(text: str) -> str:
    """Lowercase ASCII words joined by hyphens ("António Guterres" -> "antonio-guterres")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def make_id(prefix: str, name: str) -> str:
    """prefix-slug; names without Latin letters get a short hash, so the id stays deterministic."""
    slug = slugify(name)[:48].strip("-")
    if not slug:
        slug = "x" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
    return f"{prefix}-{slug}"


# --------------------------------------------------------------------------------------------------
# Authorities shared by the converter and the sample collection (same ids, same content)

US = "United States"
US_STATES = {  # name -> (abbreviation for record ids, approximate centre lat, lon)
    "Alabama": ("al", 32.8, -86.8),
    "Florida": ("fl", 28.1, -81.6),
    "Georgia": ("ga", 32.7, -83.4),
    "Missouri": ("mo", 38.4, -92.5),
    "South Carolina": ("sc", 33.9, -80.9),
    "Texas": ("tx", 31.1, -99.3),
}
STATE_NOTE = "US state. Coordinates: approximate centre of the state."

KNOWN_PLACES: dict[str, dict] = {
    US: {"id": "l-united-states",
         "variants": ["United States of America", "USA", "សហរដ្ឋអាមេរិក"],
         "lat": 39.83, "lon": -98.58,
         "note": "Coordinates: geographic centre of the contiguous United States. Khmer name "
                 "សហរដ្ឋអាមេរិក confirmed in a Khmer word list (Debian tesseract-ocr-khm)."},
    "Paris": {"id": "l-paris", "variants": ["ប៉ារីស"], "lat": 48.8566, "lon": 2.3522,
              "note": "Capital of France. The UN General Assembly adopted the Universal Declaration of "
                      "Human Rights there, at the Palais de Chaillot, on 10 December 1948. Khmer name "
                      "ប៉ារីស confirmed in a Khmer word list (Debian tesseract-ocr-khm)."},
}
for _state, (_abbr, _lat, _lon) in US_STATES.items():
    KNOWN_PLACES[_state] = {"id": make_id("l", _state), "lat": _lat, "lon": _lon,
                            "part_of": "l-united-states", "note": STATE_NOTE}

UDHR_EVENT = {
    "kind": "event", "id": "e-udhr-adoption",
    "name": "Adoption of the Universal Declaration of Human Rights",
    "date": "1948-12-10", "places": [{"id": "l-paris", "name": "Paris"}], "part_of": None,
    "note": "The United Nations General Assembly adopted the Universal Declaration of Human Rights in "
            "resolution 217 A (III) at the Palais de Chaillot, Paris, on 10 December 1948. Khmer title "
            "of the Declaration (as in its Khmer text): សេចក្ដីប្រកាសជាសកលស្ដីពីសិទ្ធិមនុស្ស.",
}
WPA_EVENT = {
    "kind": "event", "id": "e-wpa-interviews",
    "name": "WPA Federal Writers' Project interviews with formerly enslaved people",
    "date": "1936/1938", "places": [{"id": "l-united-states", "name": US}], "part_of": None,
    "note": "Interviews with formerly enslaved people, conducted from 1936 to 1938 by the Federal "
            "Writers' Project of the Works Progress Administration (WPA) and published as 'Slave "
            "Narratives: A Folk History of Slavery in the United States from Interviews with Former "
            "Slaves'. Also called the WPA Slave Narrative Collection.",
}

# --------------------------------------------------------------------------------------------------
# Collections (one per corpus file)

WPA_SERIES = ("Slave Narratives: A Folk History of Slavery in the United States from Interviews with "
              "Former Slaves")
GUTENBERG_COMMIT = "d040e3d7f120c989d78dd9378ce18f2735dd38fe"
GUTENBERG_FILES = {  # state of the volume -> (file in Lana-ca/Week-14-project, Project Gutenberg eBook)
    "Georgia": ("narratives/GEORGIA NARRATIVES  PART 1.txt", 13602),
    "Florida": ("narratives/Volume III, Florida Narratives.txt", None),
    "Missouri": ("narratives/for the State of Missouri.txt", 35379),
    "Texas": ("narratives/Slave Narratives_ A Folk History of Slavery in the United States from "
              "Interviews with Former Slaves, Volume XVI, Texas Narratives, Part 3.txt", 35380),
    "South Carolina": ("narratives/Untitled document.txt", 28170),
}


def github_url(repo: str, commit: str, path: str = "", tree: bool = False) -> str:
    kind = "tree" if tree or not path else "blob"
    return f"https://github.com/{repo}/{kind}/{commit}" + (f"/{quote(path)}" if path else "")


COLLECTIONS = {
    "wpa_slave_narratives_gutenberg": {
        "collection": "WPA Slave Narratives", "subjects": ["slavery", "oral history"],
        "repo": "Lana-ca/Week-14-project", "commit": GUTENBERG_COMMIT,
    },
    "wpa_slave_narratives_alabama": {
        "collection": "WPA Slave Narratives", "subjects": ["slavery", "oral history"],
        "repo": "LucasSikora/Slave-Narratives", "commit": "698cdc0e830275a9b7ebdf06e446dcf159b10e28",
        "path": "Slave Narrative Sharables/Alabama_Raw.csv",
    },
    "slave_narratives_books_pd": {
        "collection": "Published slave narratives", "subjects": ["slavery", "autobiography"],
        "repo": "scholastica/slave-narratives", "commit": "b149fdc8a57a0cbcd47580e054af18ef187bca13",
        "path": "published-narratives/text", "tree": True,
    },
    "we_the_people_petitions": {
        "collection": "We the People petitions", "subjects": ["petitions"],
        "repo": "dsmwebgeeks/codedojo", "commit": "7ada39c0b34b96afd017c7cd6ca52d3d7d319712",
        "path": "2013-05-13", "tree": True,
    },
    "udhr_un": {
        "collection": "Universal Declaration of Human Rights", "subjects": ["human rights"],
        "repo": "eric-muller/udhr", "commit": "f93dd614154c47fc4b85ec03d8d6f1abe97869ef",
    },
}
TYPE_MAP = {"letter": "document", "interview": "interview", "testimony": "testimony",
            "petition": "petition"}
LANGUAGE_NAMES = {"en": "English", "km": "Khmer"}
_VOLUME_RE = re.compile(r"\((Volume [^()]*?)(?:, item (\d+))?\)")


def _repository(meta: dict) -> str:
    return f"GitHub: {meta['repo']} (commit {meta['commit'][:7]})"


def _source_url(meta: dict, path: str | None = None) -> str:
    return github_url(meta["repo"], meta["commit"], path or meta.get("path", ""), meta.get("tree", False))


def _wpa_volume(row: dict) -> tuple[str, int | None]:
    """'Volume IV, Georgia Narratives, Part 1' and the item number, from the corpus title."""
    m = _VOLUME_RE.search(row["title"])
    if not m:
        return "", None
    return m.group(1), int(m.group(2)) if m.group(2) else None


def _wpa_state(row: dict) -> str:
    return next((p for p in row.get("places", []) if p in US_STATES), "")


def person_context(source: str, row: dict) -> str | None:
    """What tells two people of one name apart: the state volume for WPA informants."""
    return _wpa_state(row) if source.startswith("wpa_") else None


# --------------------------------------------------------------------------------------------------

class Authorities:
    """Places, people and events met while converting, deduplicated, with unique ids."""

    def __init__(self) -> None:
        self.places: dict[str, dict] = {}
        self.people: dict[tuple[str, str | None], dict] = {}
        self.events: dict[str, dict] = {}
        self.ids: set[str] = set()
        self.ambiguous_people: set[str] = set()  # names that stand for more than one person

    def _unique(self, wanted: str) -> str:
        new, n = wanted, 1
        while new in self.ids:
            n += 1
            new = f"{wanted}-{n}"
        self.ids.add(new)
        return new

    def claim(self, wanted: str) -> str:
        """Reserve an id (used for record ids so that they never collide with authorities)."""
        if wanted in self.ids:
            raise ValueError(f"duplicate id {wanted}")
        self.ids.add(wanted)
        return wanted

    def place(self, name: str) -> dict:
        key = name.casefold()
        if key not in self.places:
            known = KNOWN_PLACES.get(name, {})
            part_of = known.get("part_of")
            if part_of == "l-united-states":
                self.place(US)
            self.places[key] = {
                "kind": "place", "id": self._unique(known.get("id") or make_id("l", name)),
                "name": name, "variants": list(known.get("variants", [])),
                "lat": known.get("lat"), "lon": known.get("lon"), "part_of": part_of,
                "note": known.get("note"),
            }
        return self.places[key]

    def person(self, name: str, context: str | None = None, note: str | None = None) -> dict:
        key = (name.casefold(), context if name.casefold() in self.ambiguous_people else None)
        if key not in self.people:
            wanted = make_id("p", name) + (f"-{slugify(context)}" if key[1] else "")
            self.people[key] = {"kind": "person", "id": self._unique(wanted), "name": name,
                                "variants": [], "dates": None, "note": note}
        return self.people[key]

    def event(self, event: dict) -> dict:
        key = event["name"].casefold()
        if key not in self.events:
            for place in event.get("places", []):
                self.place(place["name"])
            self.claim(event["id"])
            self.events[key] = dict(event)
        return self.events[key]

    def lines(self) -> Iterator[dict]:
        """Places (parents before the places inside them), then people, then events."""
        done: set[str] = set()
        by_id = {p["id"]: p for p in self.places.values()}

        def emit(place: dict) -> Iterator[dict]:
            if place["id"] in done:
                return
            parent = by_id.get(place["part_of"]) if place["part_of"] else None
            if parent:
                yield from emit(parent)
            done.add(place["id"])
            yield place

        for place in self.places.values():
            yield from emit(place)
        yield from self.people.values()
        yield from self.events.values()


def link(authority: dict, role: str | None = None) -> dict:
    out = {"id": authority["id"], "name": authority["name"]}
    if authority["kind"] == "event":
        out["date"] = authority.get("date")
    if role:
        out["role"] = role
    return out


# --------------------------------------------------------------------------------------------------

class Report:
    """What the conversion had to change or drop, for stderr."""

    def __init__(self) -> None:
        self.dropped_dates: list[str] = []
        self.retitled: list[str] = []
        self.no_people: list[str] = []
        self.ambiguous: list[str] = []


def load_corpus(paths: Iterable[str | Path]) -> list[tuple[str, dict]]:
    """(source file stem, row) for every line of the given files or folders, in a stable order."""
    files: list[Path] = []
    for p in map(Path, paths):
        files.extend(sorted(p.glob("*.jsonl")) if p.is_dir() else [p])
    rows = []
    for f in files:
        with f.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if line.strip():
                    try:
                        row = json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise SystemExit(f"{f}:{n}: not JSON ({exc})")
                    rows.append((row.get("source") or f.stem, row))
    return rows


def _clean_title(title: str) -> str:
    return re.sub(r"\s+", " ", title).strip()


def _record_id(source: str, row: dict, counters: dict[str, int]) -> str:
    counters[source] = counters.get(source, 0) + 1
    n = counters[source]
    if source.startswith("wpa_"):
        state = _wpa_state(row)
        abbr = US_STATES.get(state, (slugify(state) or "xx",))[0]
        _, item = _wpa_volume(row)
        if item is None:  # the Alabama volume has no item numbers: count within the state
            counters[f"wpa-{abbr}"] = counters.get(f"wpa-{abbr}", 0) + 1
            item = counters[f"wpa-{abbr}"]
        return f"wpa-{abbr}-{item:04d}"
    if source == "udhr_un":
        m = re.search(r"Article (\d+)", row["title"])
        part = f"{int(m.group(1)):02d}" if m else "preamble"
        return f"udhr-{row['language']}-{part}"
    if source == "slave_narratives_books_pd":
        author = (row.get("people") or ["anon"])[0].split()[-1]
        return f"nar-{slugify(author)}-{str(row.get('date') or n)[:4]}"
    if source == "we_the_people_petitions":
        return f"pet-{n:04d}"
    return f"{slugify(source)[:12]}-{n:04d}"


def _citation(source: str, row: dict, title: str) -> tuple[str, str | None]:
    """A human citation and the URL of the file the text came from."""
    meta = COLLECTIONS.get(source, {})
    date = row.get("date")
    people = row.get("people") or []
    if source.startswith("wpa_"):
        volume, item = _wpa_volume(row)
        who = f"{people[0]}. Interview" if people else "Interview"
        cite = f"{who}. In: {WPA_SERIES}, {volume}" + (f", item {item}" if item else "")
        cite += ". Federal Writers' Project, Works Progress Administration, 1936-1938."
        if source == "wpa_slave_narratives_gutenberg":
            path, ebook = GUTENBERG_FILES.get(_wpa_state(row), ("", None))
            cite += (f" Project Gutenberg eBook #{ebook}." if ebook else
                     " Project Gutenberg edition (eBook number not recorded; this copy is truncated).")
            return cite, _source_url(meta, path) if path else None
        cite += " Transcription from an HTML edition of Volume I (Alabama)."
        return cite, _source_url(meta)
    if source == "slave_narratives_books_pd":
        author = ", ".join(people) or "Anonymous"
        return (f"{author}. {title.rstrip('.')}. First published {date}. HTML transcription.",
                _source_url(meta))
    if source == "we_the_people_petitions":
        return (f"“{title}”. Petition on We the People, petitions.whitehouse.gov, created {date}. "
                "From a saved We the People API response of 2013-05-13.", _source_url(meta))
    if source == "udhr_un":
        lang = row.get("language", "")
        code = {"en": "eng", "km": "khm"}.get(lang, lang)
        part = title.split(" - ")[1].split(" / ")[0] if " - " in title else title
        return (f"Universal Declaration of Human Rights, {part} ({LANGUAGE_NAMES.get(lang, lang)} text). "
                "United Nations General Assembly resolution 217 A (III), 10 December 1948. Text from the "
                f"Unicode “UDHR in XML” project, udhr_{code}.xml.",
                _source_url(meta, f"data/udhr/udhr_{code}.xml"))
    return title, None


def _summary(source: str, row: dict, title: str) -> str | None:
    people = row.get("people") or []
    if source.startswith("wpa_"):
        volume, _ = _wpa_volume(row)
        if people:
            return f"Interview with {people[0]} from the WPA Slave Narrative Collection ({volume})."
        return (f"Item from the WPA Slave Narrative Collection ({volume}); the informant's name was not "
                "recorded in the corpus metadata.")
    if source == "slave_narratives_books_pd":
        return f"Book-length narrative by {', '.join(people)}, first published in {row.get('date')}."
    if source == "udhr_un":
        part = title.split(" - ")[1].split(" / ")[0] if " - " in title else title
        return (f"{part} of the Universal Declaration of Human Rights "
                f"({LANGUAGE_NAMES.get(row.get('language'), row.get('language'))} text).")
    return None


def person_note(source: str, row: dict) -> str | None:
    if source.startswith("wpa_"):
        volume, _ = _wpa_volume(row)
        return f"Interviewed for the WPA Federal Writers' Project slave narratives ({volume})."
    if source == "slave_narratives_books_pd":
        return f"Author of “{_clean_title(row['title'])}” (first published {row.get('date')})."
    return None


def find_ambiguous_people(rows: list[tuple[str, dict]]) -> dict[str, set]:
    """Names used for more than one person: the same informant name in different WPA state volumes,
    or a name that is both a WPA informant and a book author."""
    seen: dict[str, set] = {}
    for source, row in rows:
        for name in row.get("people") or []:
            seen.setdefault(name.strip().casefold(), set()).add(person_context(source, row))
    return {name: ctx for name, ctx in seen.items() if len(ctx) > 1}


def convert_rows(rows: list[tuple[str, dict]], auth: Authorities | None = None,
                 report: Report | None = None) -> tuple[Authorities, list[dict], Report]:
    """Records in the archive's import shape, and the authorities they link to."""
    auth = auth or Authorities()
    report = report or Report()
    ambiguous = find_ambiguous_people(rows)
    auth.ambiguous_people |= set(ambiguous)
    report.ambiguous = sorted(ambiguous)
    counters: dict[str, int] = {}
    records = []
    for source, row in rows:
        meta = COLLECTIONS.get(source, {})
        rid = auth.claim(_record_id(source, row, counters))
        title = _clean_title(row["title"])
        if title != row["title"]:
            report.retitled.append(rid)
        date = row.get("date")
        if date is not None and not is_edtf(date):
            report.dropped_dates.append(f"{rid}: {date!r}")
            date = None
        role = "author" if source == "slave_narratives_books_pd" else "narrator"
        people = [link(auth.person(name.strip(), person_context(source, row), person_note(source, row)),
                       role)
                  for name in row.get("people") or [] if name.strip()]
        if source.startswith("wpa_") and not people:
            report.no_people.append(rid)
        places = []
        for name in row.get("places") or []:
            place_role = "recorded_at" if source.startswith("wpa_") and name in US_STATES else "mentioned"
            places.append(link(auth.place(name), place_role))
        events = []
        if source == "udhr_un":
            events.append(link(auth.event(UDHR_EVENT)))
            places.append(link(auth.place("Paris"), "origin"))
        elif source.startswith("wpa_"):
            events.append(link(auth.event(WPA_EVENT)))
        language = row.get("language")
        citation, url = _citation(source, row, title)
        records.append({
            "kind": "record", "id": rid,
            "type": TYPE_MAP.get(row.get("type"), row.get("type")),
            "title": title, "summary": _summary(source, row, title), "text": row.get("text"),
            "language": [language] if isinstance(language, str) else list(language or []),
            "date": date, "period": None,
            "people": people, "events": events, "places": places,
            "subjects": list(meta.get("subjects", [])),
            "collection": meta.get("collection"), "accession": None,
            "source": {"citation": citation, "url": url,
                       "repository": _repository(meta) if meta else None},
            "rights": row.get("licence"), "access": "public", "embargo_until": None,
        })
    return auth, records, report


def dump_line(obj: dict) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(", ", ": "))


def write_jsonl(lines: Iterable[dict], out: IO[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for obj in lines:
        out.write(dump_line(obj) + "\n")
        counts[obj["kind"]] = counts.get(obj["kind"], 0) + 1
    return counts


def print_report(counts: dict[str, int], report: Report, err: IO[str] = sys.stderr) -> None:
    print("lines: " + ", ".join(f"{counts.get(k, 0)} {k}" for k in ("place", "person", "event", "record")),
          file=err)
    if report.dropped_dates:
        print(f"dropped {len(report.dropped_dates)} date(s) that are not EDTF:", file=err)
        for d in report.dropped_dates:
            print(f"  {d}", file=err)
    else:
        print("dates: all valid EDTF, none dropped", file=err)
    if report.retitled:
        print(f"titles with line breaks or runs of spaces made one line: {', '.join(report.retitled)}",
              file=err)
    if report.no_people:
        print(f"WPA records without an informant name: {', '.join(report.no_people)}", file=err)
    if report.ambiguous:
        print(f"names kept as separate people (different WPA volumes): {', '.join(report.ambiguous)}",
              file=err)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", nargs="+", help="corpus folder or *.jsonl files")
    parser.add_argument("-o", "--output", default="-", help="output file (default: stdout)")
    args = parser.parse_args(argv)
    rows = load_corpus(args.inputs)
    auth, records, report = convert_rows(rows)
    lines = [*auth.lines(), *records]
    if args.output == "-":
        counts = write_jsonl(lines, sys.stdout)
    else:
        with open(args.output, "w", encoding="utf-8", newline="\n") as out:
            counts = write_jsonl(lines, out)
    print_report(counts, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
