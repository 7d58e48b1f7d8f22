"""Backups that restore: consistent while writers are active, and equal to the original when restored."""
import sqlite3
import threading

from click.testing import CliRunner

from archive import accounts, records, store
from archive.cli import cli
from conftest import SAMPLE

TABLES = ("records", "people", "events", "places", "event_places", "record_people", "record_events",
          "record_places", "names", "revisions", "redirects", "users")


def dump(db_path) -> dict:
    conn = sqlite3.connect(db_path)
    try:
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in TABLES}
    finally:
        conn.close()


def invoke(home, *args):
    return CliRunner().invoke(cli, ["--home", str(home), *args], catch_exceptions=False)


def test_restore_equals_the_original(tmp_path):
    original, backup, restored = tmp_path / "orig", tmp_path / "bak", tmp_path / "restored"
    invoke(original, "import", str(SAMPLE))
    db = store.connect(original / "records" / "archive.db")
    accounts.add_user(db, "ana", "a long enough password", "archivist")
    db.close()
    invoke(original, "import", str(SAMPLE))  # a second revision of everything: history to keep
    assert invoke(original, "backup", str(backup)).exit_code == 0
    result = invoke(restored, "restore", str(backup))
    assert result.exit_code == 0, result.output
    assert dump(original / "records" / "archive.db") == dump(restored / "records" / "archive.db")
    assert invoke(restored, "reindex", "--check").exit_code == 0
    assert invoke(restored, "restore", str(backup)).exit_code == 1  # not over records without --force
    assert invoke(restored, "restore", "--force", str(backup)).exit_code == 0


def test_backup_while_writers_are_active_is_consistent(app, home, tmp_path):
    index = app.extensions["archive"].index
    stop = threading.Event()
    errors = []

    def writer(n):
        conn = store.connect(app.config["DATABASE"])
        i = 0
        try:
            while not stop.is_set():
                records.save_record(conn, index, {"title": f"Busy {n}-{i}", "type": "statement",
                                                  "access": "public", "people": [{"name": f"W{n}"}]})
                i += 1
        except Exception as exc:  # reported below: a writer must never fail
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    try:
        copies = []
        for k in range(3):
            dest = tmp_path / f"copy{k}.db"
            store.backup(home.db, dest)
            copies.append(dest)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not errors
    for dest in copies:
        conn = sqlite3.connect(dest)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # every record in the copy is whole: its revision and its link are there too
        assert conn.execute("SELECT count(*) FROM records r WHERE NOT EXISTS (SELECT 1 FROM revisions v "
                            "WHERE v.entity_id = r.id AND v.revision = r.revision)").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM records r WHERE NOT EXISTS "
                            "(SELECT 1 FROM record_people l WHERE l.record_id = r.id)").fetchone()[0] == 0
        conn.close()
