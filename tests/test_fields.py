"""The record's fields, described once in archive/fields.py, drive every layer: JSON, the database,
the JSON Schema, CSV, the record form, the index, the crosswalks and the record page."""
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import textwrap
from html import unescape
from pathlib import Path

import pytest

from archive import crosswalk, csvrows, fields, forms, querysyntax, records, revising, store, validation
from archive.access import SYSTEM
from archive.fields import RECORD_FIELDS
from archive.index import schema as index_schema

BEFORE = Path(__file__).parent / "data" / "record-schema-before-fields.json"
# A value for each field a record's input may give (every list and link non-empty).
GIVEN = {
    "id": "r-full", "type": "interview", "title": "Everything", "summary": "All of it",
    "text": "First.\n\nSecond.", "language": ["en", "km"], "date": "1981~", "period": "1975/1979",
    "people": [{"name": "Ana Full", "role": "narrator"}], "events": [{"name": "Event Full"}],
    "places": [{"name": "Place Full", "role": "recorded_at"}], "subjects": ["war", "exile"],
    "collection": "Full collection", "accession": "ACC-1",
    "source": {"citation": "A citation", "url": "https://example.org/full", "repository": "Repo"},
    "rights": "CC0", "access": "public", "embargo_until": "2001-02-03",
    # a recording kept elsewhere (no file here): nothing measured
    "media": [{"id": "m1", "kind": "audio", "label": "Tape 1", "filename": "tape-1.mp3", "mimetype": None,
               "bytes": None, "sha256": None, "duration": None,
               "transcript": [{"start": 0.0, "end": 2.5, "speaker": "Ana Full", "text": "Spoken words",
                               "language": "en"}], "source": "https://example.org/tape-1.mp3", "notes": []}],
    "segments": [{"id": "s1", "media": "m1", "start": 0.0, "end": 2.5, "title": "Beginning",
                  "synopsis": "How it began", "keywords": ["start"], "people": [], "events": [], "places": []}],
    # lapsed (its day has passed), so every viewer reads it whole and it round-trips through exports
    "redactions": [{"id": "x1", "start": 0, "end": 6, "reason": "a test", "access": "restricted",
                    "until": "2001-02-03", "by": "ada", "at": "2001-01-01T00:00:00Z"}],
    "consent": {"status": "limited", "date": "2019-05-02", "note": "release form, box 4"},
}


def example(field: fields.Field):
    """A value for a field not in GIVEN (one added since), from its shape."""
    shape = field.shape
    if isinstance(shape, fields.Choice):
        return shape.options[-1][0]
    if isinstance(shape, fields.Terms):
        return [f"{field.name} one", f"{field.name} two"]
    if type(shape) in (fields.Text, fields.Body):
        return f"A value of {field.name}"
    raise AssertionError(f"add an example of {field.name} to GIVEN in tests/test_fields.py")


FULL = {f.name: GIVEN[f.name] if f.name in GIVEN else example(f)
        for f in RECORD_FIELDS if f.name in fields.INPUT_KEYS}
WORDS = "exile"  # a word of FULL found by plain words


def inputs(field):
    return [name for name, _ in field.flat()]


def test_the_record_schema_is_the_one_before_the_fields_module_and_carries_every_field(client):
    """/schema/record.json answers what archive/schemas/record.json said before the schema was built
    from the fields: each property it had is unchanged; a field added since only adds one."""
    before, now = json.loads(BEFORE.read_text()), fields.record_schema()
    assert {k: v for k, v in now.items() if k != "properties"} == \
        {k: v for k, v in before.items() if k != "properties"}
    assert {k: now["properties"][k] for k in before["properties"]} == before["properties"]
    assert list(now["properties"]) == ["kind", *(f.name for f in RECORD_FIELDS)]
    assert client.get("/schema/record.json").get_json() == now == validation.SCHEMAS["record"]


def test_every_field_is_in_the_json_in_order_and_unset_ones_are_null_or_empty(save, client):
    record = save(title="Bare", type="statement")
    assert list(record) == ["kind", *(f.name for f in RECORD_FIELDS)]
    for field in RECORD_FIELDS:
        if field.name not in ("id", "type", "title", "access") and not field.by_archive:
            assert record[field.name] == field.shape.empty, field.name
    exported = [json.loads(line) for line in client.get("/export.jsonl").get_data(as_text=True).splitlines()]
    assert [list(o) for o in exported if o["kind"] == "record"] == [list(record)]


def test_a_full_record_keeps_every_field_through_json_csv_and_a_revision(home, save, client):
    saved = save(**FULL)
    for key, value in FULL.items():
        if key in ("people", "events", "places"):
            assert [link["name"] for link in saved[key]] == [link["name"] for link in value]
        else:
            assert saved[key] == value, key
    header, row = list(csv.reader(io.StringIO(client.get("/export.csv").get_data(as_text=True)[1:])))
    assert header == [name for f in RECORD_FIELDS for name in inputs(f)] == list(csvrows.COLUMNS)
    again = csvrows.from_row(dict(zip(header, row)))
    assert set(again) == set(fields.INPUT_KEYS)
    assert {k: v for k, v in again.items() if k not in ("people", "events", "places")} == \
        {k: v for k, v in FULL.items() if k not in ("people", "events", "places")}
    restored = revising.restore_record(home.db, home.index, "r-full", 1)
    assert {k: restored[k] for k in FULL} == {k: saved[k] for k in FULL}


def test_the_form_asks_for_every_field_with_an_input_and_gives_it_back(app, client, auth, save):
    auth.sign_in_as("archivist")
    save(**FULL)
    page = unescape(client.get("/records/r-full/edit").get_data(as_text=True))
    asked = [f for f in RECORD_FIELDS if all(part.form for _, part in f.flat())]
    assert [f.name for f in forms.ASKED] == [f.name for f in asked]
    for field in asked:
        for name, part in field.flat():
            assert f'<label for="{name}">{part.form.label}</label>' in page, name
    with app.test_request_context():
        form = forms.RecordForm(meta={"csrf": False})
        assert [f.name for f in form.record_inputs()] == [n for f in asked for n in inputs(f)]
        form.fill(client.get("/records/r-full.json").get_json())
        data = forms.record_data(form)
    assert set(data) == {f.name for f in asked}
    assert {k: v for k, v in data.items() if k not in ("people", "events", "places")} == \
        {k: v for k, v in FULL.items() if k in data and k not in ("people", "events", "places")}


def test_the_index_holds_every_field_described_with_a_search(home, save):
    saved = save(**FULL)
    document = records.document(home.db, store.record_row(home.db, "r-full"), records.NameCache(home.db))
    for field in RECORD_FIELDS:
        if field.search is None:
            continue
        if field.search.as_ == "range":
            assert {f"{field.name}_lo", f"{field.name}_hi"} <= set(document), field.name
        else:
            assert field.index_field in index_schema.SCHEMA.names(), field.name
            assert document[field.index_field] not in ("", None), field.name
    words = [f.index_field for f in RECORD_FIELDS if f.search and f.search.as_ == "words"]
    assert list(querysyntax.TEXT_FIELDS) == words
    assert set(querysyntax.QUERY_FIELDS) >= set(words)
    assert home.index.search(WORDS, SYSTEM).ids == [saved["id"]]


def test_the_crosswalks_carry_every_field_with_a_term(save):
    record = save(**FULL)
    dc = crosswalk.dublin_core(record, "https://a.example/")
    node = crosswalk.record_jsonld(record, "https://a.example/")
    for field in RECORD_FIELDS:
        value = record[field.name]
        if field.dc:
            assert all((field.dc, v) in dc for v in (value if isinstance(value, list) else [value]))
        if field.schema_org:
            assert field.schema_org in node, field.name
        assert field.dc is None or field.dc in crosswalk.DC_ELEMENTS


def test_the_page_lists_every_field_described_with_a_page_label(save, client):
    save(**FULL)
    page = unescape(client.get("/records/r-full").get_data(as_text=True))
    for field in RECORD_FIELDS:
        if field.page:
            assert f"<dt>{field.page.label}</dt>" in page, field.name


# What a developer adds for a new field: its description, and a migration for its column.
NEW_FIELD = (
    '    Field("tested_note", Text(2000), form=Input("Tested note", rows=2), search=Search(),\n'
    '          dc="coverage", page=Show("Tested note")),\n')
NEW_MIGRATION = 'MIGRATIONS.append("ALTER TABLE records ADD COLUMN tested_note TEXT;")\n'
USE_IT = textwrap.dedent('''
    import json, sys
    from pathlib import Path
    import archive
    from archive import accounts, create_app, records, validation
    from archive.index import schema
    from archive.views.common import get_db

    home = Path(sys.argv[1])
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "t",
                      "ARCHIVE_HOME": str(home), "DATABASE": str(home / "archive.db"),
                      "SEARCH_INDEX": str(home / "index")})
    with app.app_context():
        accounts.add_user(get_db(), "ada", "a long enough password", "archivist")
    client = app.test_client()
    client.post("/login", data={"username": "ada", "password": "a long enough password"})
    made = client.post("/records/new", data={"title": "Noted", "type": "testimony", "access": "public",
                                             "tested_note": "under the mango tree", "save": "Save"})
    record_id = made.headers["Location"].split("/")[-2]
    lines = client.get("/export.jsonl").get_data(as_text=True).splitlines()
    print(json.dumps({
        "package": archive.__file__,
        "json": json.loads(lines[-1]),
        "csv": client.get("/export.csv").get_data(as_text=True).splitlines(),
        "form": client.get(f"/records/{record_id}/edit").get_data(as_text=True),
        "page": client.get(f"/records/{record_id}").get_data(as_text=True),
        "schema": client.get("/schema/record.json").get_json()["properties"].get("tested_note"),
        "found": client.get("/search.json?q=mango").get_json()["total"],
        "named": client.get("/search.json?q=tested_note:mango").get_json()["total"],
        "jsonld": client.get(f"/records/{record_id}.jsonld").get_json(),
        "refused": validation.validate("record", {"title": "x", "type": "testimony",
                                               "tested_note": "y" * 2001}),
        "index_version": schema.INDEX_VERSION,
    }))
    app.extensions["archive"].close()
''')


def test_a_field_added_to_the_list_reaches_every_layer(tmp_path):
    """A copy of the archive with one field added to RECORD_FIELDS and a migration for its column,
    and nothing else changed, shows the field in the JSON, the CSV, the form, the page, the JSON
    Schema and JSON-LD, and finds records by it."""
    root = Path(__file__).resolve().parent.parent
    copy = tmp_path / "src"
    skip = shutil.ignore_patterns("__pycache__")
    shutil.copytree(root / "archive", copy / "archive", ignore=skip)
    shutil.copytree(root / "templates", copy / "templates", ignore=skip)
    described = copy / "archive" / "fields.py"
    text = described.read_text()
    assert text.count('    Field("source", ') == 1
    described.write_text(text.replace('    Field("source", ', NEW_FIELD + '    Field("source", '))
    migrations = copy / "archive" / "store" / "schema.py"
    text = migrations.read_text()
    assert text.count("SCHEMA_VERSION = len(MIGRATIONS)") == 1
    migrations.write_text(text.replace("SCHEMA_VERSION = len(MIGRATIONS)",
                                       NEW_MIGRATION + "SCHEMA_VERSION = len(MIGRATIONS)"))
    done = subprocess.run([sys.executable, "-c", USE_IT, str(tmp_path / "home")], capture_output=True,
                          text=True, timeout=300, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(copy)})
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["package"] == str(copy / "archive" / "__init__.py")
    keys = list(seen["json"])
    assert seen["json"]["tested_note"] == "under the mango tree"
    assert keys[keys.index("tested_note") + 1] == "source"  # where it was put in the list
    assert "tested_note" in seen["csv"][0].split(",") and "under the mango tree" in seen["csv"][1]
    assert '<label for="tested_note">Tested note</label>' in seen["form"]
    assert "under the mango tree</textarea>" in seen["form"]
    assert "<dt>Tested note</dt><dd>under the mango tree</dd>" in seen["page"]
    assert seen["schema"] == {"type": ["string", "null"], "maxLength": 2000}
    assert seen["found"] == 1 and seen["named"] == 1
    assert "under the mango tree" in seen["jsonld"]["dcterms:coverage"]
    assert seen["refused"] and seen["refused"][0][0] == "tested_note"
    assert seen["index_version"] != index_schema.INDEX_VERSION  # so start-up rebuilds the index


@pytest.mark.parametrize("field", RECORD_FIELDS, ids=lambda f: f.name)
def test_each_field_is_described_consistently(field):
    assert field.name == field.name.lower() and " " not in field.name
    if field.by_archive:
        assert field.form is None and field.name not in fields.INPUT_KEYS
    if field.search and field.search.as_ == "range":
        assert isinstance(field.shape, fields.Edtf)
    if field.page:
        assert field.page.as_ in ("text", "list", "source", "browse")
        assert (field.page.as_ == "browse") == (field.page.browse is not None)
