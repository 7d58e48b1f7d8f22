"""Import and export: all or nothing, lossless round trips, through the CLI and its runner."""
import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from archive import export, store
from archive.access import SYSTEM
from archive.cli import cli
from conftest import SAMPLE, SAMPLE_RECORDS, read_jsonl, without_timestamps


def run(home: Path, *args, input=None):
    result = CliRunner().invoke(cli, ["--home", str(home), *args], input=input, catch_exceptions=False)
    return result


def test_sample_round_trip_loses_nothing(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    assert run(first, "import", str(SAMPLE)).exit_code == 0
    out1 = tmp_path / "one.jsonl"
    assert run(first, "export", "-o", str(out1)).exit_code == 0
    assert run(second, "import", str(out1)).exit_code == 0
    out2 = tmp_path / "two.jsonl"
    assert run(second, "export", "--format", "jsonl", "-o", str(out2)).exit_code == 0
    one, two = read_jsonl(out1.read_text()), read_jsonl(out2.read_text())
    assert without_timestamps(one) == without_timestamps(two)
    kinds = [o["kind"] for o in one]
    assert kinds == sorted(kinds, key=["place", "person", "event", "record"].index)
    # the export carries every key of the record JSON example, and the sample's own content
    source = {o["id"]: o for o in read_jsonl(SAMPLE.read_text())}
    for obj in one:
        if obj["kind"] == "record":
            assert obj["text"] == source[obj["id"]]["text"].replace("\r\n", "\n").replace("\r", "\n").strip("\n")
            assert set(obj) >= {"id", "type", "title", "summary", "text", "language", "date", "period",
                                "people", "events", "places", "subjects", "collection", "accession",
                                "source", "rights", "access", "embargo_until", "created_at",
                                "updated_at", "revision"}


def test_json_export_reimports(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    run(first, "import", str(SAMPLE))
    out = tmp_path / "all.json"
    assert run(first, "export", "--format", "json", "-o", str(out)).exit_code == 0
    data = json.loads(out.read_text())
    assert isinstance(data, list) and len(data) == len(read_jsonl(SAMPLE.read_text()))
    assert run(second, "import", str(out)).exit_code == 0
    assert run(second, "reindex", "--check").exit_code == 0


def test_one_bad_line_imports_nothing_and_is_named(tmp_path):
    home = tmp_path / "h"
    lines = SAMPLE.read_text().splitlines()
    record_line = next(i for i, l in enumerate(lines) if json.loads(l).get("kind") == "record")
    bad = json.loads(lines[-1])
    bad["date"] = "sometime in the seventies"
    lines[-1] = json.dumps(bad)
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n")
    result = run(home, "import", str(path))
    assert result.exit_code == 1
    assert f"line {len(lines)}, date: 'sometime in the seventies' is not" in result.output
    db = store.connect(home / "records" / "archive.db")
    assert store.count_records(db, SYSTEM) == 0
    assert store.count_entities(db, "person", SYSTEM) == 0
    assert record_line > 0


def test_unknown_link_and_broken_json_are_named(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text('{"title": "A", "type": "testimony", "people": [{"id": "p-nobody"}]}\n'
                    '{"title": "B", "type": "testimony"\n'
                    '{"title": "C", "type": "memo"}\n')
    result = run(tmp_path / "h", "import", str(path))
    assert result.exit_code == 1
    assert "line 1, people 1, id: no person with id p-nobody" in result.output
    assert "line 2: not valid JSON" in result.output
    assert "line 3, type: 'memo' is not one of" in result.output


def test_dry_run_writes_nothing(tmp_path):
    home = tmp_path / "h"
    result = run(home, "import", "--dry-run", str(SAMPLE))
    assert result.exit_code == 0 and f"Would import records: {SAMPLE_RECORDS} new" in result.output
    db = store.connect(home / "records" / "archive.db")
    assert store.count_records(db, SYSTEM) == 0


def test_reimport_replaces_with_a_new_revision(tmp_path):
    home = tmp_path / "h"
    run(home, "import", str(SAMPLE))
    result = run(home, "import", str(SAMPLE))
    assert f"records: 0 new, {SAMPLE_RECORDS} replaced" in result.output
    db = store.connect(home / "records" / "archive.db")
    assert store.get_record(db, "r-seed-letter", SYSTEM)["revision"] == 2


def test_export_streams_in_constant_memory(app, home, save):
    for i in range(3):
        save(title=f"Record {i}")
    chunks = export.json_chunks(export.iter_objects(home.db, SYSTEM))
    assert next(chunks) == "["
    assert json.loads("".join(["["] + list(chunks)))[0]["kind"] == "record"


def test_cli_as_a_subprocess(tmp_path):
    env = {**os.environ, "ARCHIVE_HOME": str(tmp_path / "sub")}
    archive = [sys.executable, "-m", "archive.cli"]
    done = subprocess.run([*archive, "init", "--sample"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "Loaded the sample collection" in done.stdout
    again = subprocess.run([*archive, "init", "--sample"], env=env, capture_output=True, text=True)
    assert f"already holds {SAMPLE_RECORDS} records" in again.stdout
    bad = subprocess.run([*archive, "import", str(tmp_path / "missing.jsonl")], env=env,
                         capture_output=True, text=True)
    assert bad.returncode != 0 and bad.stderr.strip().splitlines()[-1].startswith("Error:")
    user = subprocess.run([*archive, "user", "add", "ana", "--role", "archivist", "--password-stdin"],
                          env=env, input="a long enough password\n", capture_output=True, text=True)
    assert user.returncode == 0, user.stderr
    short = subprocess.run([*archive, "user", "add", "bo", "--role", "admin", "--password-stdin"],
                           env=env, input="short\n", capture_output=True, text=True)
    assert short.returncode == 1 and "at least" in short.stderr


def test_backup_is_a_home_that_restores(tmp_path):
    home, copy = tmp_path / "h", tmp_path / "backup"
    run(home, "import", str(SAMPLE))
    assert run(home, "backup", str(copy)).exit_code == 0
    assert run(home, "backup", str(copy)).exit_code == 1  # never overwrites
    out1, out2 = tmp_path / "1.jsonl", tmp_path / "2.jsonl"
    run(home, "export", "-o", str(out1))
    run(copy, "export", "-o", str(out2))
    assert out1.read_text() == out2.read_text()
    assert run(copy, "reindex", "--check").exit_code == 1  # no index yet
    assert run(copy, "init").exit_code == 0  # opening the copy builds its index from the database
    assert run(copy, "reindex", "--check").exit_code == 0
