"""Backups that restore: consistent while writers are active, and equal to the original when restored."""
import sqlite3
import threading
import time

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


def test_backups_taken_while_writers_save_are_consistent_and_miss_no_committed_save(sample_app, tmp_path):
    """Two writers save records in a loop while backups are taken, until saves have completed during
    the backups. Each copy is whole, and holds every save that had returned before it began, and
    for each writer an unbroken run of its saves, none begun after it ended."""
    index = sample_app.extensions["archive"].index
    stop, errors = threading.Event(), []
    started, done = [0, 0], [0, 0]  # per writer: saves begun, saves returned (committed)

    def writer(n):
        conn = store.connect(sample_app.config["DATABASE"])
        try:
            while not stop.is_set():
                started[n] += 1
                records.save_record(conn, index, {"title": f"Busy {n}-{done[n]}", "type": "statement",
                                                  "access": "public", "people": [{"name": f"W{n}"}]})
                done[n] += 1
        except Exception as exc:  # reported below: a writer must never fail
            errors.append(exc)
        finally:
            conn.close()

    source = store.connect(sample_app.config["DATABASE"])
    threads = [threading.Thread(target=writer, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    copies, during, deadline = [], 0, time.monotonic() + 60
    try:
        while (during < 3 or len(copies) < 3) and time.monotonic() < deadline and not errors:
            dest = tmp_path / f"copy{len(copies)}.db"
            before = done.copy()
            store.backup(source, dest)
            copies.append((dest, before, started.copy()))
            during += sum(done) - sum(before)  # saves that returned while this backup ran
    finally:
        stop.set()
        for t in threads:
            t.join()
        source.close()
    assert not errors
    assert during >= 3, f"only {during} saves completed during {len(copies)} backups"
    print(f"{during} saves completed during {len(copies)} backups")
    for dest, before, begun in copies:
        conn = sqlite3.connect(dest)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # every record in the copy is whole: its revision and its link are there too
        assert conn.execute("SELECT count(*) FROM records r WHERE NOT EXISTS (SELECT 1 FROM revisions v "
                            "WHERE v.entity_id = r.id AND v.revision = r.revision)").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM records r WHERE r.title LIKE 'Busy %' AND NOT EXISTS "
                            "(SELECT 1 FROM record_people l WHERE l.record_id = r.id)").fetchone()[0] == 0
        for n in range(2):
            saved = sorted(int(title.rsplit("-", 1)[1]) for (title,) in conn.execute(
                "SELECT title FROM records WHERE title LIKE ?", (f"Busy {n}-%",)))
            assert saved == list(range(len(saved))), f"{dest.name}: writer {n} has gaps"
            assert before[n] <= len(saved) <= begun[n], (dest.name, n, before[n], len(saved), begun[n])
        conn.close()
