"""Events have variants like people and places (issue 15, item 1): the store keeps them, the form
edits them, import and export carry them, the index holds them with the event's records, and
`/suggest` offers them, so `ខ្មែរក្រហម` and `Democratic Kampuchea` find the Khmer Rouge regime's records."""
import json
import sqlite3

import pytest

from archive import records, store
from archive.store import schema

from conftest import read_jsonl


def hit_titles(client, **params) -> set[str]:
    found = client.get("/search.json", query_string=params).get_json()
    return {h["title"] for h in found["hits"]}


@pytest.fixture
def regime(home, save):
    event = records.save_entity(home.db, home.index, "event", {
        "name": "Khmer Rouge regime", "date": "1975/1979",
        "variants": ["Democratic Kampuchea", "ខ្មែរក្រហម", "Khmer Rouge regime"]})
    save(title="A survivor remembers", text="We walked for days.", events=[{"id": event["id"]}])
    save(title="Unrelated", text="Nothing about that time.")
    return event


def test_an_event_keeps_its_variants_in_its_json(client, regime):
    assert regime["variants"] == ["Democratic Kampuchea", "ខ្មែរក្រហម"]  # the name itself is no variant
    shown = client.get(f"/events/{regime['id']}.json").get_json()
    assert shown["variants"] == ["Democratic Kampuchea", "ខ្មែរក្រហម"]
    assert "ខ្មែរក្រហម" in client.get(f"/events/{regime['id']}").get_data(as_text=True)


@pytest.mark.parametrize("query", ["ខ្មែរក្រហម", "Democratic Kampuchea", "event:ខ្មែរក្រហម",
                                   '"democratic kampuchea"'])
def test_any_variant_of_an_event_finds_its_records(client, regime, query):
    assert hit_titles(client, q=query) == {"A survivor remembers"}


@pytest.mark.parametrize("name", ["ខ្មែរក្រហម", "Democratic Kampuchea"])
def test_an_event_filter_by_a_variant_finds_its_records(client, regime, name):
    assert hit_titles(client, event=name) == {"A survivor remembers"}


def test_a_new_variant_reindexes_the_events_records(client, home, regime):
    assert hit_titles(client, q="Kampuchea Prachéathipatéyy") == set()
    records.save_entity(home.db, home.index, "event",
                        {**{k: v for k, v in regime.items() if k != "kind"},
                         "variants": [*regime["variants"], "Kampuchea Prachéathipatéyy"]})
    assert hit_titles(client, q="Kampuchea Prachéathipatéyy") == {"A survivor remembers"}


@pytest.mark.parametrize("typed", ["ខ្មែរ", "Democratic", "kampuchea"])
def test_suggest_offers_an_event_by_its_variants(client, regime, typed):
    found = client.get("/suggest", query_string={"q": typed, "kind": "event"}).get_json()
    assert [(f["id"], f["name"], f["kind"]) for f in found] == [(regime["id"], "Khmer Rouge regime", "event")]


def test_the_event_form_edits_variants(client, auth, home, regime):
    auth.sign_in_as("archivist")
    form = client.get(f"/events/{regime['id']}/edit").get_data(as_text=True)
    assert 'for="variants"' in form and "Democratic Kampuchea\nខ្មែរក្រហម" in form
    response = client.post(f"/events/{regime['id']}/edit", data={
        "name": "Khmer Rouge regime", "date": "1975/1979", "variants": "របបខ្មែរក្រហម\nKampuchea Prachéathipatéyy\n",
        "places": "", "part_of": "", "note": "", "base_revision": "1"})
    assert response.status_code == 302
    assert store.get_entity(home.db, "event", regime["id"], records.SYSTEM)["variants"] == [
        "របបខ្មែរក្រហម", "Kampuchea Prachéathipatéyy"]
    assert hit_titles(client, q="របបខ្មែរក្រហម") == {"A survivor remembers"}
    assert hit_titles(client, q="Prachéathipatéyy") == {"A survivor remembers"}
    assert hit_titles(client, q="Democratic Kampuchea") == set()  # the dropped variant finds nothing now


def test_import_and_export_carry_event_variants(client, home, tmp_path, regime):
    exported = read_jsonl(client.get("/export.jsonl").get_data(as_text=True))
    event = next(o for o in exported if o["kind"] == "event")
    assert event["variants"] == ["Democratic Kampuchea", "ខ្មែរក្រហម"]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps({**o, "id": o["id"] + "x"} if o["kind"] == "event" else o)
                                for o in exported if o["kind"] == "event"), encoding="utf-8")
    from archive import importer
    importer.run(home.db, home.index, source)
    copy = store.get_entity(home.db, "event", regime["id"] + "x", records.SYSTEM)
    assert copy["variants"] == ["Democratic Kampuchea", "ខ្មែរក្រហម"]


def test_the_event_schema_refuses_variants_that_are_not_text():
    assert records.validate("event", {"kind": "event", "name": "X", "variants": [3]})
    assert not records.validate("event", {"kind": "event", "name": "X", "variants": ["Y"]})


def test_a_database_of_schema_5_gains_event_variants(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for step in schema.MIGRATIONS[:5]:
        conn.executescript(step)
    conn.execute("INSERT INTO events (id, name, created_at, updated_at) VALUES ('e1', 'Old', 'x', 'x')")
    conn.execute("PRAGMA user_version = 5")
    conn.commit()
    conn.close()
    db = store.connect(path)
    assert store.create_tables(db) == 5
    assert store.get_entity(db, "event", "e1", records.SYSTEM)["variants"] == []
    db.close()


def test_the_sample_finds_the_khmer_rouge_regime_by_its_khmer_and_latin_names(sample_app):
    client = sample_app.test_client()
    for query in ("ខ្មែរក្រហម", "Democratic Kampuchea"):
        found = client.get("/search.json", query_string={"q": query}).get_json()
        assert "r-seed-letter" in {h["id"] for h in found["hits"]}, query
    regime = client.get("/events/e-khmer-rouge-regime.json").get_json()
    assert {"ខ្មែរក្រហម", "Democratic Kampuchea"} <= set(regime["variants"])
