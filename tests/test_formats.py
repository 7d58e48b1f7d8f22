"""Exports and imports in others' formats: CSV, JSON-LD, the JSON Schemas; and who sees what in them."""
import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator
from pyld import jsonld

from archive import csvrows, export
from archive.cli import cli
from archive.views.common import get_db
from conftest import SAMPLE, SAMPLE_OBJECTS, SAMPLE_RECORDS, read_jsonl

CONTEXT_URL = "http://localhost/schema/context.jsonld"


def run(home: Path, *args):
    return CliRunner().invoke(cli, ["--home", str(home), *args], catch_exceptions=False)


def records_of(path: Path) -> dict[str, dict]:
    return {o["id"]: o for o in read_jsonl(path.read_text()) if o["kind"] == "record"}


def read_csv(text: str) -> list[dict]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


# --- CSV ---------------------------------------------------------------------------------------------

def test_csv_round_trip_loses_only_what_is_documented(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    run(first, "import", str(SAMPLE))
    table = tmp_path / "sample.csv"
    assert run(first, "export", "--format", "csv", "-o", str(table)).exit_code == 0
    result = run(second, "import", str(table))
    assert result.exit_code == 0 and f"records: {SAMPLE_RECORDS} new" in result.output
    out1, out2 = tmp_path / "1.jsonl", tmp_path / "2.jsonl"
    run(first, "export", "-o", str(out1))
    run(second, "export", "-o", str(out2))
    one, two = records_of(out1), records_of(out2)
    assert one.keys() == two.keys()
    for record_id, a in one.items():
        b = two[record_id]
        # documented losses: timestamps and revisions, and the dates shown beside event links
        for record in (a, b):
            for key in ("created_at", "updated_at", "revision"):
                record.pop(key)
            for event in record["events"]:
                event.pop("date")
        assert a == b, record_id
    # and the CSV of the re-imported archive is the same table, timestamps aside
    again = tmp_path / "again.csv"
    run(second, "export", "--format", "csv", "-o", str(again))
    strip = lambda rows: [{k: v for k, v in r.items() if k not in ("created_at", "updated_at")}
                          for r in rows]
    assert strip(read_csv(table.read_text("utf-8"))) == strip(read_csv(again.read_text("utf-8")))


def test_csv_opens_in_a_spreadsheet(tmp_path):
    """UTF-8 with a byte-order mark (how Excel and LibreOffice recognise UTF-8), CRLF rows, a header."""
    home = tmp_path / "h"
    run(home, "import", str(SAMPLE))
    table = tmp_path / "out.csv"
    run(home, "export", "--format", "csv", "-o", str(table))
    raw = table.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf" + b"id,type,title,")
    assert b"\r\n" in raw
    rows = read_csv(raw.decode("utf-8"))
    assert list(rows[0]) == list(csvrows.COLUMNS)
    khmer = next(r for r in rows if r["id"].startswith("udhr-km"))
    assert "km" in khmer["language"].split("; ") and any("\u1780" <= ch <= "\u17ff" for ch in khmer["title"])
    letter = next(r for r in rows if r["id"] == "r-seed-letter")
    assert "Justin C. Sok|author|p-justin-c-sok" in letter["people"].split("; ")
    assert letter["source_citation"]


def test_csv_cells_escape_their_separators(tmp_path, app, home, save, client):
    save(id="r-odd", title="Odd; names", subjects=["a; b", "c|d", "back\\slash"],
         people=[{"name": "Smith; John", "role": "author"}, {"name": "A|B"}],
         text="line one\n\nline two, \"quoted\"")
    text = client.get("/export.csv").get_data(as_text=True)
    path = tmp_path / "odd.csv"
    path.write_text(text, encoding="utf-8")
    result = run(tmp_path / "other", "import", str(path))
    assert result.exit_code == 0, result.output
    back = run(tmp_path / "other", "export", "-o", str(tmp_path / "o.jsonl"))
    assert back.exit_code == 0
    record = records_of(tmp_path / "o.jsonl")["r-odd"]
    assert record["subjects"] == ["a; b", "c|d", "back\\slash"]
    assert [(p["name"], p["role"]) for p in record["people"]] == [("Smith; John", "author"), ("A|B", "mentioned")]
    assert record["text"] == "line one\n\nline two, \"quoted\""


def test_a_spreadsheet_written_by_hand_imports(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text("title,type,people,places,language,date\n"
                    "Letter from Long Beach,open_letter,Kem Sokha; Justin C. Sok|author,"
                    "Long Beach|written_at,en; km,2017-10-04\n", encoding="utf-8")
    home = tmp_path / "h"
    run(home, "import", str(SAMPLE))
    dry = run(home, "import", "--dry-run", str(path))
    assert dry.exit_code == 0 and "Would import records: 1 new" in dry.output
    assert run(home, "import", str(path)).exit_code == 0
    run(home, "export", "-o", str(tmp_path / "o.jsonl"))
    record = next(r for r in records_of(tmp_path / "o.jsonl").values() if r["title"] == "Letter from Long Beach")
    assert [(p["id"], p["role"]) for p in record["people"]] == [("p-kem-sokha", "mentioned"),
                                                               ("p-justin-c-sok", "author")]
    assert record["places"][0]["id"] == "l-long-beach-california"  # found by its variant
    assert record["language"] == ["en", "km"] and record["access"] == "private"


def test_a_sheet_saved_with_semicolons_imports(tmp_path):
    """Excel in French (and many other) locales separates cells with `;`."""
    path = tmp_path / "fr.csv"
    path.write_bytes("\ufefftitle;type;subjects;text\r\n"
                     "Témoignage;testimony;\"exil; mémoire\";\"Première ligne\r\n\r\nDeuxième\"\r\n"
                     "Lettre;open_letter;;\r\n".encode("utf-8"))
    home = tmp_path / "h"
    result = run(home, "import", str(path))
    assert result.exit_code == 0 and "records: 2 new" in result.output, result.output
    rows = {r["title"]: r for r in read_csv(run(home, "export", "--format", "csv").output)}
    assert rows["Témoignage"]["subjects"] == "exil; mémoire"
    assert rows["Témoignage"]["text"] == "Première ligne\n\nDeuxième"


def test_csv_import_errors_name_line_and_field(tmp_path):
    home = tmp_path / "h"
    cases = {
        # the second row's text spans two lines, so the third row starts on line 5
        "rows.csv": ('title,type,text,people,embargo_until\n'
                     'Fine,testimony,,,\n'
                     'Also fine,testimony,"two\nlines",,\n'
                     'Bad,memo,,Kem Sokha|author|p-x|extra,2020-02-30\n',
                     ["line 5, type: 'memo' is not one of", "line 5, people: 'Kem Sokha|author|p-x|extra' has more than 3",
                      "line 5, embargo_until: is not a real day"]),
        "dates.csv": ('title,type,date,embargo_until\nA,testimony,the seventies,2020-02-30\n',
                      ["line 2, date:", "line 2, embargo_until: is not a real day"]),
        "header.csv": ("title,type,colour\nA,testimony,red\n", ["line 1, header: unknown column(s) 'colour'"]),
        "nohead.csv": ("name,kind\nA,testimony\n", ["line 1, header: ", "missing column(s) title, type"]),
        "cells.csv": ("title,type\nA,testimony,extra\n", ["line 2: 3 cells; the header has 2"]),
        "roles.csv": ("title,type,people\nA,testimony,Kem Sokha|boss\n", ["line 2, people 1, role: 'boss' is not one of"]),
        "latin1.csv": ("title,type\nCaf\xe9,testimony\n", ["file: not UTF-8 text"]),
    }
    for name, (content, expected) in cases.items():
        path = tmp_path / name
        path.write_bytes(content.encode("latin-1" if name == "latin1.csv" else "utf-8"))
        result = run(home, "import", str(path))
        assert result.exit_code == 1, name
        for text in expected:
            assert text in result.output, (name, result.output)
    assert len(read_csv(run(home, "export", "--format", "csv").output)) == 0


def test_long_transcripts_fit_in_a_cell(tmp_path):
    """A transcript longer than the csv module's default field limit (128 KiB) survives the trip."""
    home, other = tmp_path / "h", tmp_path / "o"
    text = "ការសម្ភាសន៍ " * 20000  # about 240,000 characters
    path = tmp_path / "long.jsonl"
    path.write_text(json.dumps({"id": "r-long", "title": "Long", "type": "interview", "text": text.strip()},
                               ensure_ascii=False) + "\n", encoding="utf-8")
    run(home, "import", str(path))
    table = tmp_path / "long.csv"
    run(home, "export", "--format", "csv", "-o", str(table))
    assert run(other, "import", str(table)).exit_code == 0
    run(other, "export", "-o", str(tmp_path / "back.jsonl"))
    assert records_of(tmp_path / "back.jsonl")["r-long"]["text"] == text.strip()


def test_unknown_file_types_are_refused(tmp_path):
    path = tmp_path / "records.xlsx"
    path.write_bytes(b"PK")
    result = run(tmp_path / "h", "import", str(path))
    assert result.exit_code == 1 and "must end in .json, .jsonl or .csv" in result.output


# --- JSON Schema: every exported object validates ----------------------------------------------------

def test_every_exported_object_validates_against_its_served_schema(client, auth, save, canaries):
    from archive import importer, records
    save(title="Full", type="interview", summary="s", date="1975/1979", period="197X", language=["km"],
         people=[{"name": "Interviewer", "role": "interviewer"}], events=[{"name": "E", "date": "1975"}],
         places=[{"name": "P", "role": "recorded_at"}], subjects=["x"], collection="c", accession="a-1",
         source={"citation": "c", "url": "https://example.org/x", "repository": "r"}, rights="CC BY")
    with client.application.app_context():
        importer.run(get_db(), client.application.extensions["archive"].index, SAMPLE)
    schemas = {kind: client.get(f"/schema/{kind}.json").get_json()
               for kind in ("record", "person", "event", "place")}
    validators = {kind: Draft202012Validator(schema) for kind, schema in schemas.items()}
    auth.sign_in_as("archivist")
    jsonl = read_jsonl(client.get("/export.jsonl").get_data(as_text=True))
    array = json.loads(client.get("/export.json").get_data(as_text=True))
    assert len(jsonl) == len(array) > 60
    for obj in jsonl + array:
        errors = list(validators[obj["kind"]].iter_errors(obj))
        assert not errors, (obj["id"], errors)
        assert not records.validate(obj["kind"], obj)  # and the importer's own check agrees
    for row in read_csv(client.get("/export.csv").get_data(as_text=True)):
        obj = csvrows.from_row(row)
        assert not list(validators["record"].iter_errors(obj)), row["id"]


# --- JSON-LD -----------------------------------------------------------------------------------------

def local_loader(client):
    """A JSON-LD document loader that serves our context from the app itself: no network."""
    def load(url, options=None):
        assert url == CONTEXT_URL, f"the processor tried to fetch {url}"
        response = client.get("/schema/context.jsonld")
        assert response.mimetype == "application/ld+json"
        return {"contextUrl": None, "documentUrl": url, "document": response.get_json(),
                "contentType": "application/ld+json"}
    return load


def terms_used(node, found=None) -> set[str]:
    found = set() if found is None else found
    if isinstance(node, dict):
        for key, value in node.items():
            if not key.startswith("@"):
                found.add(key)
            terms_used(value, found)
    elif isinstance(node, list):
        for item in node:
            terms_used(item, found)
    return found


def test_record_jsonld_expands_with_our_own_context(sample_app):
    client = sample_app.test_client()
    doc = client.get("/records/r-seed-letter.jsonld")
    assert doc.status_code == 200 and doc.mimetype == "application/ld+json"
    data = doc.get_json()
    assert data["@context"] == CONTEXT_URL
    assert data["@type"] == ["CreativeWork", "ArchiveComponent"]
    context = client.get("/schema/context.jsonld").get_json()["@context"]
    prefixes = {k for k, v in context.items() if isinstance(v, str) and v.endswith(("/", "#"))}
    for term in terms_used(data):  # nothing a processor would silently drop
        assert term in context or term.split(":")[0] in prefixes, term
    expanded = jsonld.expand(data, {"documentLoader": local_loader(client)})
    node = expanded[0]
    assert node["@id"] == "http://localhost/records/r-seed-letter"
    assert set(node["@type"]) == {"https://schema.org/CreativeWork", "https://schema.org/ArchiveComponent"}
    assert node["https://schema.org/name"][0]["@value"] == node["http://purl.org/dc/terms/title"][0]["@value"]
    author = node["https://schema.org/author"][0]
    assert author["@type"] == ["https://schema.org/Person"]
    assert node["http://id.loc.gov/vocabulary/relators/aut"] == [{"@id": author["@id"]}]
    assert "http://id.loc.gov/vocabulary/relators/rcp" in node  # the recipient, Addressee
    assert any(m["https://schema.org/name"][0]["@value"] == "Kem Sokha"
               for m in node["https://schema.org/mentions"])
    nquads = jsonld.to_rdf(data, {"documentLoader": local_loader(client), "format": "application/n-quads"})
    assert nquads.count("\n") > 40


def test_interview_roles_are_marc_relators(client, save):
    record = save(title="Interview", type="interview",
                  people=[{"name": "Asker", "role": "interviewer"}, {"name": "Teller", "role": "narrator"},
                          {"name": "Rendering", "role": "translator"}])
    node = jsonld.expand(client.get(f"/records/{record['id']}.jsonld").get_json(),
                         {"documentLoader": local_loader(client)})[0]
    relators = {k.rsplit("/", 1)[1]: v[0]["@id"] for k, v in node.items()
                if k.startswith("http://id.loc.gov/vocabulary/relators/")}
    ids = {p["name"]: f"http://localhost/people/{p['id']}" for p in record["people"]}
    assert relators == {"ivr": ids["Asker"], "nrt": ids["Teller"], "ive": ids["Teller"],
                        "trl": ids["Rendering"]}


def test_jsonld_export_expands_offline(tmp_path, sample_app):
    client = sample_app.test_client()
    data = json.loads(client.get("/export.jsonld").get_data(as_text=True))
    expanded = jsonld.expand(data, {"documentLoader": local_loader(client)})
    types = {t for node in expanded for t in node.get("@type", [])}
    assert {"https://schema.org/Person", "https://schema.org/Event", "https://schema.org/Place",
            "https://schema.org/ArchiveComponent"} <= types
    assert len(expanded) == SAMPLE_OBJECTS
    place = next(n for n in expanded if n["@id"] == "http://localhost/places/l-phnom-penh")
    alone = jsonld.expand(client.get("/places/l-phnom-penh.jsonld").get_json(),
                          {"documentLoader": local_loader(client)})
    assert alone == [place]
    assert place["https://schema.org/geo"][0]["https://schema.org/latitude"][0]["@value"] == 11.5564
    # the command line embeds the context, so its file expands with no loader at all
    home = tmp_path / "h"
    run(home, "import", str(SAMPLE))
    out = tmp_path / "all.jsonld"
    assert run(home, "export", "--format", "jsonld", "--base-url", "https://archive.example/",
               "-o", str(out)).exit_code == 0

    def no_network(url, options=None):
        raise AssertionError(f"tried to fetch {url}")
    offline = jsonld.expand(json.loads(out.read_text()), {"documentLoader": no_network})
    assert len(offline) == SAMPLE_OBJECTS and any(n["@id"] == "https://archive.example/records/r-seed-letter"
                                      for n in offline)


# --- who sees what, in every export ----------------------------------------------------------------

@pytest.mark.parametrize("role, visible", [
    (None, {"public"}),
    ("researcher", {"public", "restricted"}),
    ("archivist", {"public", "restricted", "private", "embargoed"}),
])
def test_every_export_shows_only_what_the_viewer_may_see(client, auth, canaries, role, visible):
    if role:
        auth.sign_in_as(role)
    hidden = set(canaries) - visible
    outputs = {url: client.get(url).get_data(as_text=True) for url in (
        "/export.json", "/export.csv", "/export.jsonld", "/export.json?q=canary*", "/export.csv?q=canary*",
        "/export.jsonld?q=canary*", "/export.csv?q=witness")}
    outputs["oai"] = client.get("/oai?verb=ListRecords&metadataPrefix=oai_dc").get_data(as_text=True)
    for level, record in canaries.items():
        jsonld_doc = client.get(f"/records/{record['id']}.jsonld")
        person = client.get(f"/people/{record['people'][0]['id']}.jsonld")
        if level in hidden:
            assert person.status_code == 404
            assert jsonld_doc.status_code == 404
            assert jsonld_doc.get_json() == client.get("/records/r-none.jsonld").get_json() | {
                "error": jsonld_doc.get_json()["error"]}
            for url, text in outputs.items():
                assert f"Canary {level}" not in text, url
                assert f"Witness {level}" not in text, url
                assert f"Coll {level}" not in text, url
        else:
            assert jsonld_doc.status_code == 200
            assert person.status_code == 200 and person.get_json()["name"] == f"Witness {level}"
            for url, text in outputs.items():
                if url != "oai":
                    assert f"Canary {level}" in text, url
    # OAI-PMH serves public records only, whoever asks
    assert "Canary public" in outputs["oai"]
    assert "Canary restricted" not in outputs["oai"] and "Canary private" not in outputs["oai"]


def test_search_exports_hold_the_records_of_the_search_only(client, save):
    for i in range(5):
        save(title=f"Rice harvest {i}")
    save(title="Something else")
    records = json.loads(client.get("/export.json?q=harvest").get_data(as_text=True))
    assert sorted(r["title"] for r in records) == [f"Rice harvest {i}" for i in range(5)]
    assert all(r["kind"] == "record" for r in records)
    rows = read_csv(client.get("/export.csv?q=harvest").get_data(as_text=True))
    assert len(rows) == 5
    graph = json.loads(client.get("/export.jsonld?q=else").get_data(as_text=True))["@graph"]
    assert [n["name"] for n in graph] == ["Something else"]
    response = client.get("/export.csv?q=harvest")
    assert response.headers["Content-Disposition"].startswith('attachment; filename="archive-harvest-')
    assert response.mimetype == "text/csv"
    # the filters of /search select too, and the order is the search's
    by_date = json.loads(client.get("/export.json?type=testimony&sort=title").get_data(as_text=True))
    assert [r["title"] for r in by_date] == sorted(r["title"] for r in by_date) and len(by_date) == 6


def test_csv_chunks_stream(home, save):
    from archive.access import SYSTEM
    for i in range(3):
        save(title=f"R{i}")
    chunks = export.csv_chunks(export.iter_records(home.db, SYSTEM))
    assert next(chunks).startswith("\ufeffid,type,title")
    assert len(list(chunks)) == 3
