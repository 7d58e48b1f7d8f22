"""Imports indexed by worker processes (issue 12, item 5): the same index as one process builds, all
or nothing, and no worker outlives a killed import or keeps the index locked."""
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive import importer, records
from archive.access import SYSTEM
from archive.index import Index, find_drift, parallel, schema, writing
from conftest import config
from test_index import postings

WORDS = "the camp of family village soldier rice river mother father school border".split()


def write_records(path: Path, count: int, word: str) -> Path:
    with path.open("w") as f:
        for i in range(20):
            f.write(json.dumps({"kind": "person", "id": f"p-{i:02d}", "name": f"Person {i}"}) + "\n")
        for i in range(count):
            f.write(json.dumps({
                "id": f"r{i:05d}", "type": "testimony", "title": f"Testimony {i} {word}", "access": "public",
                "date": f"{1975 + i % 5}", "text": " ".join(WORDS[(i * 7 + k) % len(WORDS)] for k in range(80)),
                "people": [{"id": f"p-{i % 20:02d}", "role": "narrator"}]}) + "\n")
    return path


@pytest.fixture
def in_parallel(monkeypatch):
    """Imports of 20 records or more use two workers (also on a machine of one core)."""
    monkeypatch.setattr(records, "PARALLEL_AT", 20)
    monkeypatch.setattr(parallel, "processes", lambda: 2)


def import_into(tmp_path, name: str, source: Path):
    from archive import create_app
    app = create_app(config(tmp_path / name))
    home = app.extensions["archive"]
    importer.run(home.db, home.index, source, user="test")
    return home


def test_workers_build_the_index_one_process_would(tmp_path, monkeypatch):
    source = write_records(tmp_path / "records.jsonl", 300, "one")
    serial = import_into(tmp_path, "serial", source)
    monkeypatch.setattr(records, "PARALLEL_AT", 20)
    monkeypatch.setattr(parallel, "processes", lambda: 2)
    workers = import_into(tmp_path, "parallel", source)
    built, expected = postings(workers.index.path), postings(serial.index.path)
    built.pop(schema.MARKER_ID), expected.pop(schema.MARKER_ID)  # each archive has its own id
    assert len(built) == 300 and built == expected
    assert not list(workers.index.path.glob(parallel.FOLDER_PREFIX + "*"))
    for home in (serial, workers):
        home.close()


def test_a_second_import_replaces_the_first(tmp_path, in_parallel):
    home = import_into(tmp_path, "h", write_records(tmp_path / "one.jsonl", 120, "one"))
    importer.run(home.db, home.index, write_records(tmp_path / "two.jsonl", 120, "two"), user="test")
    assert home.index.doc_count() == 120
    assert home.index.search("one", SYSTEM).total == 0 and home.index.search("two", SYSTEM).total == 120
    assert not find_drift(home.index, records.IndexSource(home.db)).any
    home.close()


def test_records_are_indexed_as_stored_only_when_no_authority_follows_them(tmp_path, in_parallel, monkeypatch):
    """Authorities first (as exports are written): each record is handed to the workers as it is
    stored. An authority after the records may rename one they link: they are indexed after all."""
    home = import_into(tmp_path, "h", write_records(tmp_path / "one.jsonl", 60, "one"))
    events = []
    for name in ("store_record", "_index"):
        real = getattr(records.Write, name)
        monkeypatch.setattr(records.Write, name, lambda self, *a, real=real, name=name, **k: (
            events.append(name), real(self, *a, **k))[1])
    renamed = write_records(tmp_path / "two.jsonl", 60, "two")
    lines = [line for line in renamed.read_text().splitlines() if '"p-01", "name"' not in line]
    renamed.write_text("\n".join([*lines, json.dumps({"kind": "person", "id": "p-01", "name": "Chhum Renamed"})]))
    importer.run(home.db, home.index, renamed, user="test")
    assert events == ["store_record"] * 60 + ["_index"] * 60  # all stored, then indexed
    assert home.index.search('person:"Chhum Renamed"', SYSTEM).total == 3  # r00001, r00021, r00041
    events.clear()
    importer.run(home.db, home.index, write_records(tmp_path / "three.jsonl", 60, "three"), user="test")
    assert events[:120] == ["store_record", "_index"] * 60  # each as it was stored
    assert home.index.search("three", SYSTEM).total == 60 and home.index.search("two", SYSTEM).total == 0
    assert not find_drift(home.index, records.IndexSource(home.db)).any
    home.close()


def test_a_worker_that_dies_fails_the_whole_import(tmp_path, in_parallel, monkeypatch):
    home = import_into(tmp_path, "h", write_records(tmp_path / "one.jsonl", 50, "one"))
    real = parallel.Builders.finish

    def kill_one_first(self):
        self.workers[0].kill()
        self.workers[0].wait()
        return real(self)
    monkeypatch.setattr(parallel.Builders, "finish", kill_one_first)
    with pytest.raises(parallel.WorkerFailed):
        importer.run(home.db, home.index, write_records(tmp_path / "two.jsonl", 50, "two"), user="test")
    home.index.refresh()
    assert home.index.search("one", SYSTEM).total == 50 and home.index.search("two", SYSTEM).total == 0
    assert not list(home.index.path.glob(parallel.FOLDER_PREFIX + "*"))
    assert not find_drift(home.index, records.IndexSource(home.db)).any
    home.close()


def test_a_rebuild_in_parallel_equals_one_in_one_process(tmp_path, monkeypatch):
    home = import_into(tmp_path, "h", write_records(tmp_path / "one.jsonl", 150, "one"))
    path = home.index.path
    before = postings(path)
    home.close()
    source = records.IndexSource(home.db)
    writing.build(path, source.documents(), *source.state(), procs=2)
    assert postings(path) == before


def children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found.update(int(c) for c in (task / "children").read_text().split())
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_a_killed_import_leaves_no_worker_and_no_lock(tmp_path):
    # Linux (PR_SET_PDEATHSIG, /proc) with two cores or more, as CI has: fail loudly elsewhere, not skip
    assert sys.platform.startswith("linux") and parallel.processes() >= 2, "needs Linux and 2 cores"
    source = write_records(tmp_path / "records.jsonl", 3000, "one")
    home = tmp_path / "h"
    archive = [sys.executable, "-m", "archive.cli", "--home", str(home)]
    assert subprocess.run([*archive, "init"], capture_output=True).returncode == 0
    process = subprocess.Popen([*archive, "import", str(source)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    deadline = time.time() + 120
    while time.time() < deadline and process.poll() is None and len(workers) < 2:
        workers = children(process.pid)
        time.sleep(0.05)
    assert len(workers) >= 2, "the import never started its workers"
    time.sleep(0.5)  # indexing under way
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.time() + 10
    while time.time() < deadline and any(alive(pid) for pid in workers):
        time.sleep(0.05)
    assert not any(alive(pid) for pid in workers), "a worker outlived its import"
    index = Index(home / "search_index")
    writer = index.ix.writer(timeout=0)  # the lock is free at once: nobody holds it
    writer.cancel()
    # start-up repairs; the next import cleans the dead workers' folders
    assert subprocess.run([*archive, "import", str(source)], capture_output=True).returncode == 0
    assert not list((home / "search_index").glob(parallel.FOLDER_PREFIX + "*"))
    check = subprocess.run([*archive, "reindex", "--check"], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
    index.close()


def test_a_small_rebuild_starts_no_worker(tmp_path, monkeypatch):
    """Workers cost an interpreter each: fewer than WORTH_IT documents are indexed in-process."""
    home = import_into(tmp_path, "h", write_records(tmp_path / "one.jsonl", 30, "one"))
    path = home.index.path
    home.index.close()

    def refuse(*args, **kwargs):
        raise AssertionError("a worker was started")
    monkeypatch.setattr(parallel, "Builders", refuse)
    source = records.IndexSource(home.db)
    assert writing.build(path, source.documents(), *source.state()) == 30
    home.close()
