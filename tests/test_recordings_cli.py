"""The command line's recordings, run for real on archives in tmp_path: `init --sample` with the
sample recording, `media add`, `check`, bags (BagIt round trip into an empty archive), OHMS 5 and 6
imports, imports whose media give a `path`, and backups that carry the media folder."""
from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from archive import create_app, media
from archive.cli import cli
from conftest import config, read_jsonl, without_timestamps
from test_recordings import VTT, write_wav

OHMS = Path(__file__).parent / "data" / "ohms"


def run(home: Path, *args, code: int = 0):
    result = CliRunner().invoke(cli, ["--home", str(home), *args])
    assert result.exit_code == code, (result.output, result.exception)
    return result


def exported(home: Path, tmp_path: Path, name: str) -> list[dict]:
    out = tmp_path / f"{name}.jsonl"
    run(home, "export", "-o", str(out))
    return read_jsonl(out.read_text(encoding="utf-8"))


def test_init_sample_loads_the_recording_and_its_words_are_found_at_their_moment(tmp_path):
    home = tmp_path / "a"
    out = run(home, "init", "--sample").output
    assert "sample recording" in out
    app = create_app(config(home))
    client = app.test_client()
    record = client.get("/records/r-seed-letter.json").get_json()
    m = record["media"][0]
    assert m["mimetype"] == "audio/ogg" and m["duration"] > 60 and "machine" in m["label"]
    assert len(record["segments"]) == 9
    hit = client.get("/search.json?q=Guterres").get_json()["hits"][0]
    assert hit["id"] == "r-seed-letter" and hit["media"] == "m1" and hit["time"] == 3.623
    assert client.get("/records/r-seed-letter/media/m1", headers={"Range": "bytes=0-3"}).data == b"OggS"
    app.extensions["archive"].close()
    run(home, "check")


def test_media_add_and_check_finds_a_damaged_file(tmp_path):
    home = tmp_path / "a"
    wav = write_wav(tmp_path / "talk.wav")
    vtt = tmp_path / "talk.vtt"
    vtt.write_text(VTT)
    (tmp_path / "r.jsonl").write_text(json.dumps({"id": "r1", "type": "interview", "title": "Talk",
                                                  "access": "public"}) + "\n")
    run(home, "import", str(tmp_path / "r.jsonl"))
    out = run(home, "media", "add", "r1", str(wav), "--label", "Tape 1", "--transcript", str(vtt)).output
    assert "Added m1 to r1: audio/wav" in out and "2 cues" in out
    run(home, "check")
    path = home / "records" / "media" / media.sha256_of(wav)
    path.write_bytes(path.read_bytes()[:-10] + b"0123456789")
    result = run(home, "check", code=1)
    assert "damaged (its checksum changed): record r1, file m1 (talk.wav)" in result.output
    path.unlink()
    assert "missing: record r1, file m1" in run(home, "check", code=1).output


def test_an_import_line_gives_a_path_and_the_bag_round_trip_restores_byte_for_byte(tmp_path):
    home, empty = tmp_path / "a", tmp_path / "b"
    write_wav(tmp_path / "talk.wav")
    line = {"id": "r1", "type": "interview", "title": "Talk", "access": "public", "language": ["en"],
            "media": [{"path": "talk.wav", "label": "Tape", "bytes": 1, "transcript": [
                {"start": 0, "end": 1, "speaker": "Ana", "text": "Hello from the camp", "language": "en"}]}],
            "segments": [{"start": 0, "end": 1, "title": "Hello", "people": [{"name": "Ana"}]}]}
    (tmp_path / "r.jsonl").write_text(json.dumps(line) + "\n")
    run(home, "import", str(tmp_path / "r.jsonl"))
    first = exported(home, tmp_path, "first")
    assert first[-1]["media"][0]["bytes"] == (tmp_path / "talk.wav").stat().st_size
    run(home, "export", "--format", "bag", str(tmp_path / "bag"))
    assert (tmp_path / "bag" / "manifest-sha256.txt").is_file()
    run(empty, "import", str(tmp_path / "bag"))
    second = exported(empty, tmp_path, "second")
    assert without_timestamps(second) == without_timestamps(first)
    run(empty, "export", "--format", "bag", str(tmp_path / "bag2"))
    sha = first[-1]["media"][0]["sha256"]
    assert (tmp_path / "bag" / "data" / "media" / sha).read_bytes() == (tmp_path / "bag2" / "data" / "media" / sha).read_bytes()
    media_lines = [[line for line in (folder / "manifest-sha256.txt").read_text().splitlines() if "data/media/" in line]
                   for folder in (tmp_path / "bag", tmp_path / "bag2")]
    assert media_lines[0] == media_lines[1] == [f"{sha}  data/media/{sha}"]
    # the exports inside are the same but for the archive's own timestamps (a new archive, new saves)
    assert [without_timestamps(read_jsonl((tmp_path / b / "data" / "export.jsonl").read_text())) for b in ("bag", "bag2")] \
        == [without_timestamps(first)] * 2
    run(empty, "check")
    # a bag with a changed byte is refused whole
    victim = tmp_path / "bag" / "data" / "media" / first[-1]["media"][0]["sha256"]
    victim.write_bytes(b"x" + victim.read_bytes()[1:])
    assert "not valid" in run(tmp_path / "c", "import", str(tmp_path / "bag"), code=1).output


def test_ohms_5_and_6_import_into_records_with_transcripts_and_segments(tmp_path):
    home = tmp_path / "a"
    for name in ("interview-v5.xml", "interview-v6.xml"):
        run(home, "import", str(OHMS / name))
    records = [o for o in exported(home, tmp_path, "all") if o["kind"] == "record"]
    assert len(records) == 2
    for record in records:
        assert record["type"] == "interview" and record["media"][0]["transcript"] and record["segments"]
        assert record["media"][0]["sha256"] is None  # the recording itself is not in the XML


def test_backup_and_restore_carry_the_media_folder(tmp_path):
    home, again = tmp_path / "a", tmp_path / "b"
    wav = write_wav(tmp_path / "talk.wav")
    (tmp_path / "r.jsonl").write_text(json.dumps({"id": "r1", "type": "interview", "title": "Talk",
                                                  "access": "public", "media": [{"path": "talk.wav"}]}) + "\n")
    run(home, "import", str(tmp_path / "r.jsonl"))
    run(home, "backup", str(tmp_path / "backup"))
    assert (tmp_path / "backup" / "records" / "media" / media.sha256_of(wav)).is_file()
    run(again, "restore", str(tmp_path / "backup"))
    assert (again / "records" / "media" / media.sha256_of(wav)).read_bytes() == wav.read_bytes()
    run(again, "check")


def test_the_bag_of_the_sample_restores_byte_for_byte_into_an_empty_archive(tmp_path):
    home, empty = tmp_path / "a", tmp_path / "b"
    run(home, "init", "--sample")
    run(home, "export", "--format", "bag", str(tmp_path / "bag"))
    run(empty, "import", str(tmp_path / "bag"))
    assert without_timestamps(exported(empty, tmp_path, "b")) == without_timestamps(exported(home, tmp_path, "a"))
    for original in (home / "records" / "media").iterdir():
        assert (empty / "records" / "media" / original.name).read_bytes() == original.read_bytes()
    run(empty, "check")
