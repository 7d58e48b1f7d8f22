"""The store: schema versions, the write path keeping database and index in step, revisions."""
import ast
import sqlite3
from pathlib import Path

import pytest

from archive import records, store
from archive.access import ANONYMOUS, SYSTEM, Viewer
from archive.index import find_drift


def search_ids(app, q, viewer=SYSTEM):
    return app.extensions["archive"].index.search(q, viewer).ids


def test_schema_is_versioned_and_upgrades_are_idempotent(home):
    assert home.db.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION
    assert store.create_tables(home.db) == store.SCHEMA_VERSION
    assert home.db.journal_mode == "wal"


def test_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "a.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {store.SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(store.SchemaTooNew):
        store.create_tables(store.connect(path))


def test_the_store_knows_nothing_of_flask_or_whoosh():
    for module in (Path(store.__file__).parent).glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text("utf-8"))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                assert not any(n.split(".")[0] in ("flask", "whoosh", "search") for n in names), module


def test_saved_record_is_searchable_at_once(app, save):
    record = save(title="Testimony of Sok Chea", text="We walked to Battambang in 1975.",
                  date="1975/1979", people=[{"name": "Sok Chea", "role": "narrator"}])
    assert record["revision"] == 1
    assert search_ids(app, "battambang") == [record["id"]]
    assert search_ids(app, 'person:"sok chea"') == [record["id"]]


def test_every_save_keeps_a_revision(app, home, save):
    first = save(id="r-rev", title="First title")
    second = save(id="r-rev", title="Second title")
    assert second["revision"] == 2 and second["created_at"] == first["created_at"]
    revs = store.revisions(home.db, "record", "r-rev")
    assert [r["data"]["title"] for r in revs] == ["First title", "Second title"]
    assert [r["saved_by"] for r in revs] == ["test", "test"]
    assert search_ids(app, "second") == ["r-rev"] and search_ids(app, "first") == []


def test_invalid_record_is_refused_and_nothing_changes(app, home, save):
    with pytest.raises(records.ValidationError) as err:
        save(title="Bad", date="around then", access="secret")
    fields = {f for f, _ in err.value.errors}
    assert fields == {"date", "access"}
    assert store.count_records(home.db, SYSTEM) == 0
    assert store.current_seq(home.db) == 0


def test_new_variant_reindexes_the_persons_records(app, home, save):
    record = save(title="A letter", text="About the arrest.", people=[{"name": "Kem Sokha"}])
    person_id = record["people"][0]["id"]
    assert search_ids(app, "Kim") == []
    records.save_entity(home.db, app.extensions["archive"].index, "person",
                        {"id": person_id, "name": "Kem Sokha", "variants": ["Kim Sokha", "កឹម សុខា"]})
    assert search_ids(app, "Kim") == [record["id"]]
    assert store.find_by_name(home.db, "person", "kim-sokha", SYSTEM) == person_id
    assert find_drift(app.extensions["archive"].index, records.IndexSource(home.db)).any is False


def test_links_by_name_ignore_case_and_accents(save):
    a = save(title="One", people=[{"name": "António Guterres", "role": "recipient"}])
    b = save(title="Two", people=[{"name": "antonio guterres"}])
    assert a["people"][0]["id"] == b["people"][0]["id"]
    assert b["people"][0]["role"] == "mentioned"


def test_delete_keeps_a_tombstone_and_leaves_search(app, home, save):
    record = save(title="Gone soon", text="ephemeral")
    records.delete_record(home.db, app.extensions["archive"].index, record["id"], user="test")
    assert search_ids(app, "ephemeral") == []
    assert store.get_record(home.db, record["id"], SYSTEM) is None
    assert store.id_taken(home.db, record["id"])
    assert store.record_row(home.db, record["id"])["deleted_at"]


def test_access_levels_in_store_and_index(app, home, save):
    ids = {level: save(title=f"canary {level}", access=level)["id"]
           for level in ("public", "restricted", "private")}
    embargoed = save(title="canary embargoed", access="public", embargo_until="2999-01-01")["id"]
    researcher = Viewer("r", "researcher")
    archivist = Viewer("a", "archivist")
    assert set(search_ids(app, "canary", ANONYMOUS)) == {ids["public"]}
    assert set(search_ids(app, "canary", researcher)) == {ids["public"], ids["restricted"]}
    assert set(search_ids(app, "canary", archivist)) == {*ids.values(), embargoed}
    assert store.get_record(home.db, ids["private"], researcher) is None
    assert store.get_record(home.db, embargoed, researcher) is None
    assert store.count_records(home.db, ANONYMOUS) == 1


def test_authority_only_in_hidden_records_is_hidden(home, save):
    record = save(title="Hidden", access="private", people=[{"name": "Secret Witness"}])
    person_id = record["people"][0]["id"]
    assert store.get_entity(home.db, "person", person_id, ANONYMOUS) is None
    assert store.get_entity(home.db, "person", person_id, Viewer("a", "archivist"))["name"] == "Secret Witness"


def test_part_of_cycles_are_refused(app, home):
    index = app.extensions["archive"].index
    records.save_entity(home.db, index, "event", {"id": "e-a", "name": "A"})
    records.save_entity(home.db, index, "event", {"id": "e-b", "name": "B", "part_of": "e-a"})
    with pytest.raises(records.ValidationError, match="part of itself"):
        records.save_entity(home.db, index, "event", {"id": "e-a", "name": "A", "part_of": "e-b"})


def test_a_failed_index_commit_changes_nothing_and_frees_the_index(app, home, save, monkeypatch):
    """An indexing error rolls the SQLite write back, and the next save is not kept waiting."""
    import whoosh.writing
    save(title="Before")

    def broken(self, *args, **kwargs):
        raise OSError("disk full")
    monkeypatch.setattr(whoosh.writing.SegmentWriter, "_finalize_segment", broken)
    with pytest.raises(OSError):
        save(title="Lost")
    monkeypatch.undo()
    assert [r["title"] for r in home.db.query("SELECT title FROM records")] == ["Before"]
    after = save(title="After")  # would wait 10 s and fail if the lock had been kept
    assert search_ids(app, "after") == [after["id"]]
    assert not find_drift(app.extensions["archive"].index, records.IndexSource(home.db)).any
