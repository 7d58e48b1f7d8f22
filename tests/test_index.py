"""The index is derived from the database: rebuilding gives the same index, drift is found and repaired."""
import importlib.util
import shutil
import subprocess
import sys
import types
from collections import defaultdict
from pathlib import Path

from click.testing import CliRunner
from whoosh.filedb.filestore import FileStorage

from archive import create_app, importer, records, store
from archive.access import SYSTEM
from archive.cli import cli
from archive.index import analysis, find_drift, rebuild_index, schema
from conftest import SAMPLE, SAMPLE_RECORDS, config, loaded_app


def postings(path) -> dict:
    """Every (field, term) of every record document, keyed by record id, plus stored fields."""
    ix = FileStorage(str(path), supports_mmap=False).open_index()
    with ix.searcher() as s:
        reader = s.reader()
        ids = {n: f["id"] for n, f in reader.iter_docs()}
        seen = defaultdict(set)
        for fieldname, term in reader.all_terms():
            if fieldname in ("id", "seq"):
                continue
            for docnum in reader.postings(fieldname, term).all_ids():
                seen[ids[docnum]].add((fieldname, term))
        stored = {f["id"]: f for _, f in reader.iter_docs()}
    ix.close()
    return {i: (sorted(seen[i]), stored[i]) for i in ids.values()}


def test_rebuilt_index_equals_the_one_built_on_the_fly(app, home, tmp_path):
    index = app.extensions["archive"].index
    importer.run(home.db, index, SAMPLE)  # built on the fly, one write at a time
    records.save_entity(home.db, index, "person", {"id": "p-hun-sen", "name": "Hun Sen",
                                                   "variants": ["ហ៊ុន សែន", "Samdech Hun Sen"]})
    records.save_record(home.db, index, {"id": "r-extra", "title": "Extra", "type": "statement",
                                         "access": "restricted", "people": [{"id": "p-hun-sen"}]})
    records.delete_record(home.db, index, "r-extra")
    on_the_fly = postings(app.config["SEARCH_INDEX"])
    rebuilt_path = tmp_path / "rebuilt"
    rebuild_index(rebuilt_path, records.IndexSource(home.db))
    assert postings(rebuilt_path) == on_the_fly
    assert len(on_the_fly) == SAMPLE_RECORDS + 1  # the sample's records and the marker


def test_drift_is_reported_and_repaired_at_start(tmp_path):
    cfg = config(tmp_path / "h")
    index = loaded_app(tmp_path / "h").extensions["archive"].index
    db = store.connect(cfg["DATABASE"])
    with index.transaction() as tx:  # lose one document behind the write path's back
        tx.remove("r-seed-letter")
    index.close()

    check = CliRunner().invoke(cli, ["--home", str(tmp_path / "h"), "reindex", "--check"])
    assert check.exit_code == 1
    assert "1 missing" in check.output and "r-seed-letter" in check.output

    restarted = create_app(cfg)  # start-up notices and repairs
    assert find_drift(restarted.extensions["archive"].index, records.IndexSource(db)).any is False
    assert "r-seed-letter" in restarted.extensions["archive"].index.search("Guterres", SYSTEM).ids
    restarted.extensions["archive"].close()
    again = CliRunner().invoke(cli, ["--home", str(tmp_path / "h"), "reindex", "--check"])
    assert again.exit_code == 0 and "agree" in again.output
    db.close()


def test_index_ahead_of_the_database_is_repaired(tmp_path):
    """A crash after the index committed but before SQLite did leaves an extra, newer document."""
    cfg = config(tmp_path / "h")
    index = loaded_app(tmp_path / "h").extensions["archive"].index
    db = store.connect(cfg["DATABASE"])
    with index.transaction() as tx:
        tx.put({"id": "r-ghost", "doctype": "record", "seq": 999, "title": "Ghost",
                "type": "testimony", "access": "public", "embargo": 0})
        tx.set_marker(999, store.get_meta(db, "archive_id"))
    index.close()
    restarted = create_app(cfg)
    drift = find_drift(restarted.extensions["archive"].index, records.IndexSource(db))
    assert not drift.any
    assert restarted.extensions["archive"].index.search("ghost", SYSTEM).ids == []
    restarted.extensions["archive"].close()
    db.close()


def test_reindex_command_rebuilds_and_swaps(tmp_path):
    home = tmp_path / "h"
    runner = CliRunner()
    assert runner.invoke(cli, ["--home", str(home), "import", str(SAMPLE)]).exit_code == 0
    result = runner.invoke(cli, ["--home", str(home), "reindex"])
    assert result.exit_code == 0 and f"Reindexed {SAMPLE_RECORDS} records" in result.output
    assert not (home / "search_index.new").exists() and not (home / "search_index.old").exists()
    assert runner.invoke(cli, ["--home", str(home), "reindex", "--check"]).exit_code == 0


def test_an_index_of_another_version_is_rebuilt_at_start(tmp_path, monkeypatch):
    cfg = config(tmp_path / "h")
    loaded_app(tmp_path / "h").extensions["archive"].close()
    db = store.connect(cfg["DATABASE"])
    monkeypatch.setattr(schema, "INDEX_VERSION", "older")  # as if the analyzer had changed since
    check = CliRunner().invoke(cli, ["--home", str(tmp_path / "h"), "reindex", "--check"])
    assert check.exit_code == 1 and "another version of the analyzer" in check.output
    restarted = create_app(cfg)
    index = restarted.extensions["archive"].index
    assert index.marker()[2] == "older" and not find_drift(index, records.IndexSource(db)).any
    assert index.doc_count() == SAMPLE_RECORDS
    index.close()
    db.close()


def test_an_index_in_step_is_opened_as_it_is(tmp_path):
    """Start-up only looks at an index that agrees with the database: no rebuild, no repair."""
    app = loaded_app(tmp_path / "h")
    app.extensions["archive"].close()
    before = sorted(p.name for p in (tmp_path / "h" / "search_index").iterdir())
    again = create_app(config(tmp_path / "h"))
    again.extensions["archive"].close()
    assert sorted(p.name for p in (tmp_path / "h" / "search_index").iterdir()) == before


def test_an_index_whose_analyzer_moved_away_is_rebuilt_at_start(tmp_path, monkeypatch):
    """Whoosh pickles the analyzer into the index by its module path. An index written while the
    analyzer lived at `archive.analysis` (INDEX_VERSION 3) cannot be opened once that path is gone:
    `reindex --check` says so and start-up rebuilds it from the database."""
    cfg = config(tmp_path / "h")
    loaded_app(tmp_path / "h").extensions["archive"].close()
    old = types.ModuleType("archive.analysis")
    for cls in (analysis.MixedScriptTokenizer, analysis.KhmerPairFilter):
        setattr(old, cls.__name__, type(cls.__name__, (cls,), {"__module__": old.__name__}))
    monkeypatch.setitem(sys.modules, old.__name__, old)
    monkeypatch.setattr(analysis, "ANALYZER", old.MixedScriptTokenizer() | old.KhmerPairFilter())
    path = Path(cfg["SEARCH_INDEX"])
    shutil.rmtree(path)
    path.mkdir()
    ix = FileStorage(str(path), supports_mmap=False).create_index(schema._schema())
    with ix.writer() as writer:
        writer.add_document(id="r-seed-letter", doctype="record", seq=1, title="Old", access="public")
        writer.add_document(id=schema.MARKER_ID, doctype="marker", seq=1, archive="x", version="3")
    ix.close()
    monkeypatch.undo()  # the old module path is gone, as after the upgrade
    assert b"archive.analysis" in b"".join(p.read_bytes() for p in path.glob("_MAIN_*.toc"))
    assert importlib.util.find_spec("archive.analysis") is None

    check = CliRunner().invoke(cli, ["--home", str(tmp_path / "h"), "reindex", "--check"])
    assert check.exit_code == 1 and "another version of the analyzer" in check.output
    restarted = create_app(cfg)
    index = restarted.extensions["archive"].index
    assert index.marker()[2] == schema.INDEX_VERSION and index.doc_count() == SAMPLE_RECORDS
    assert "r-seed-letter" in index.search("Guterres", SYSTEM).ids
    db = store.connect(cfg["DATABASE"])
    assert not find_drift(index, records.IndexSource(db)).any
    db.close()
    index.close()
    assert [p.name for p in path.parent.iterdir() if p.name.startswith("search_index")] == ["search_index"]



def test_whoosh_is_patched_by_setup_not_by_import():
    """Importing the app changes nothing in Whoosh; `setup()` (called at start-up) does, once."""
    code = ("import whoosh.util, archive, archive.views, archive.cli, archive.index as index\n"
            "before = whoosh.util.random_name\n"
            "index.setup(); index.setup()\n"
            "print(before is whoosh.util.random_name, whoosh.util.random_name.__module__)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "archive.index.writing"]


def test_searches_after_saves_see_edits_deletions_and_new_records(app, home):
    """A query's matches are kept per segment across saves (docs/search.md, "Saves under load"):
    what a later save changed, deleted or added must show at once, for every viewer."""
    from archive.access import ANONYMOUS
    index = home.index

    def put(record_id, text, access="public"):
        records.save_record(home.db, index, {"id": record_id, "title": record_id, "type": "statement",
                                             "access": access, "text": text})

    def found(q, viewer=SYSTEM):
        return sorted(index.search(q, viewer, per_page=50).ids)

    put("r-a", "a zebrafinch sang")
    put("r-b", "a zebrafinch flew")
    put("r-c", "a zebrafinch hid", access="restricted")
    assert found("zebrafinch") == ["r-a", "r-b", "r-c"]
    assert found("zebrafinch", ANONYMOUS) == ["r-a", "r-b"]
    put("r-a", "a sparrow sang")  # its old version is deleted in an older segment
    assert found("zebrafinch") == ["r-b", "r-c"]
    assert found("sparrow") == ["r-a"]
    records.delete_record(home.db, index, "r-b")
    assert found("zebrafinch") == ["r-c"]
    assert found("zebrafinch", ANONYMOUS) == []
    put("r-c", "a zebrafinch hid", access="public")  # visible to all now
    put("r-d", "another zebrafinch")
    assert found("zebrafinch", ANONYMOUS) == ["r-c", "r-d"]
    assert index.search("zebrafinch", ANONYMOUS).total == 2


def test_sorting_runs_and_field_lengths_give_whoosh_s_own_answers(tmp_path):
    """`speedups`: an index sorted through many chunked run files equals one sorted in memory, and
    field lengths read from the cached column equal Whoosh's one-byte-at-a-time reading."""
    from whoosh.codec import whoosh3
    from whoosh.util.numeric import byte_to_length

    from archive.index import speedups, writing
    writing.setup()
    assert whoosh3.W3PerDocReader.doc_field_length is speedups._doc_field_length
    app = loaded_app(tmp_path / "h")
    home = app.extensions["archive"]
    sample = list(records.IndexSource(home.db).documents())
    app.extensions["archive"].close()
    documents = [{**d, "id": f"{d['id']}-{k}"} for k in range(3) for d in sample]
    for name, limitmb in (("runs", 0.05), ("memory", 256)):
        (tmp_path / name).mkdir()
        ix = writing.storage(tmp_path / name).create_index(schema.SCHEMA)
        writer = ix.writer(limitmb=limitmb)
        for document in documents:
            writer.add_document(**document)
        if name == "runs":
            assert len(writer.pool.runs) > 3  # the small pool spilled to several run files
        writer.commit()
        ix.close()
    assert postings(tmp_path / "runs") == postings(tmp_path / "memory")
    ix = writing.storage(tmp_path / "runs").open_index()
    with ix.reader() as reader:
        perdoc = reader._perdoc
        for field in ("title", "summary", "text", "person"):
            column = perdoc._cached_reader(whoosh3._lenfield(field), whoosh3.LENGTHS_COLUMN)
            for docnum in range(reader.doc_count_all()):
                lbyte = column[docnum]
                assert perdoc.doc_field_length(docnum, field) == (byte_to_length(lbyte) if lbyte else None)
    ix.close()


def test_facets_of_most_documents_counted_as_all_less_the_rest_are_the_same(sample_app):
    """A common word matches most visible records: its facets are the visible set's (kept) less
    those of the few it misses, and come out as counting them one by one does."""
    from archive.index.facets import FacetTable

    index = sample_app.extensions["archive"].index
    with index.searcher() as s:
        table = FacetTable(s, {})
        everything = frozenset(range(s.doc_count_all()))
        for docs in (everything, frozenset(sorted(everything)[3:]), frozenset(sorted(everything)[:3])):
            assert table.count(docs, within=everything) == table.count(docs)
        assert table.count(everything, limit=2, only=("type",), within=everything) == \
            table.count(everything, limit=2, only=("type",))


def test_a_server_start_reads_what_the_first_search_needs_in_the_background(sample_app):
    from archive.access import ANONYMOUS
    from archive.store import browse

    archive = sample_app.extensions["archive"]
    browse._NAMES.clear()
    archive.warm_in_background(ANONYMOUS).join(60)
    index = archive.index
    with index.searcher() as s:
        table = index._table(s)
        visible = next(iter(table.visible.values()))
        assert table.totals[visible]  # the public's facet counts, kept
    assert {key[1] for key in browse._NAMES if key[2] == ANONYMOUS.levels} == {"subject", "collection"}
    assert index.search("freedom", ANONYMOUS, facets=True).facets["type"]
