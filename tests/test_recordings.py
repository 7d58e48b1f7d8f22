"""Recordings wired end to end: the write path measures and stores files, the record's JSON and
exports carry media and segments, the views serve files with ranges, transcripts, chapters and IIIF
manifests, search finds cue words and lands on their moment, with access rules everywhere.

The files are real: seconds of sound written with Python's `wave` (and turned into Ogg Opus by
ffmpeg), measured by ffprobe."""
from __future__ import annotations

import json
import math
import struct
import subprocess
import wave
from pathlib import Path

import pytest

from archive import media, records, store
from archive.access import SYSTEM
from archive.errors import ValidationError

VTT = """WEBVTT

00:00:00.000 --> 00:00:01.200
<v Ana>We left Battambang at dawn.

00:00:01.200 --> 00:00:02.400
<v Interviewer>And then the camp?
"""


def write_wav(path: Path, seconds: float = 2.5, rate: int = 8000, freq: float = 440.0) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * freq * i / rate)))
                               for i in range(int(seconds * rate))))
    return path


@pytest.fixture
def wav(tmp_path) -> Path:
    return write_wav(tmp_path / "interview.wav")


def cues():
    return [{"start": 0.0, "end": 1.2, "speaker": "Ana", "text": "We left Battambang at dawn.", "language": "en"},
            {"start": 1.2, "end": 2.4, "speaker": "Interviewer", "text": "And then the camp?", "language": "en"}]


def save_with_file(home, wav, **extra):
    data = {"id": "r-rec", "type": "interview", "title": "An interview", "access": "public",
            "media": [{"path": wav.name, "label": "Tape 1", "filename": "interview.wav",
                       "mimetype": "video/evil", "bytes": 1, "sha256": "0" * 64, "duration": 999,
                       "transcript": cues()}],
            "segments": [{"start": 0, "end": 1.2, "title": "Leaving home", "keywords": ["dawn"],
                          "people": [{"name": "Ana Rec"}], "places": [{"name": "Battambang"}]}], **extra}
    data["media"] = [{k: v for k, v in m.items() if k not in ("mimetype", "bytes", "sha256", "duration")}
                     for m in data["media"]]
    return records.save_record(home.db, home.index, data, files=records.Files(base=wav.parent))


def test_the_write_path_measures_and_stores_a_file_and_resolves_segment_links(home, wav):
    saved = save_with_file(home, wav)
    m = saved["media"][0]
    digest = media.sha256_of(wav)
    assert (m["id"], m["kind"], m["mimetype"], m["bytes"], m["sha256"]) == \
        ("m1", "audio", "audio/wav", wav.stat().st_size, digest)
    assert m["duration"] == pytest.approx(2.5, abs=0.01)
    assert (store.media_folder(home.db) / digest).read_bytes() == wav.read_bytes()
    seg = saved["segments"][0]
    assert seg["id"] == "s1" and seg["people"][0]["name"] == "Ana Rec" and seg["people"][0]["id"]
    assert seg["places"][0]["name"] == "Battambang"
    # saved again without the path: the measure is kept, the file not read again
    again = records.save_record(home.db, home.index, {**saved, "title": "Renamed"})
    assert again["media"] == saved["media"]


def test_input_claims_are_never_trusted_and_bad_times_are_refused(home, wav):
    fake = {"id": "r-fake", "type": "interview", "title": "Fake", "access": "public",
            "media": [{"sha256": "a" * 64, "bytes": 5, "mimetype": "audio/mpeg"}]}
    with pytest.raises(ValidationError) as caught:
        records.save_record(home.db, home.index, fake)
    assert caught.value.errors[0][0] == "media.0.sha256"
    bad = {"id": "r-bad", "type": "interview", "title": "Bad", "access": "public",
           "media": [{"id": "m1", "transcript": [{"start": 3, "end": 1, "text": "x"}]}],
           "segments": [{"start": 0, "media": "m9"}]}
    with pytest.raises(ValidationError) as caught:
        records.save_record(home.db, home.index, bad)
    assert {f for f, _ in caught.value.errors} == {"media.0.transcript.0.end", "segments.0.media"}
    assert store.get_record(home.db, "r-bad", SYSTEM) is None


def test_a_path_outside_the_import_folder_or_from_the_web_is_refused(home, wav, tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    data = {"type": "interview", "title": "Escape", "access": "public", "media": [{"path": "../interview.wav"}]}
    with pytest.raises(ValidationError):
        records.save_record(home.db, home.index, data, files=records.Files(base=sub))
    with pytest.raises(ValidationError):
        records.save_record(home.db, home.index, {**data, "media": [{"path": "interview.wav"}]})


def test_a_failed_save_leaves_no_record_naming_the_file(home, wav):
    with pytest.raises(ValidationError):
        save_with_file(home, wav, embargo_until="not a day")
    assert store.get_record(home.db, "r-rec", SYSTEM) is None


# --- serving ---------------------------------------------------------------------------------------

def test_the_file_is_served_with_ranges_its_measured_type_and_a_safe_name(home, wav, client):
    saved = save_with_file(home, wav)
    size = wav.stat().st_size
    whole = client.get("/records/r-rec/media/m1")
    assert whole.status_code == 200 and whole.data == wav.read_bytes()
    assert whole.headers["Content-Type"] == "audio/wav" and whole.headers["Accept-Ranges"] == "bytes"
    assert whole.headers["Content-Disposition"].startswith('inline; filename="interview.wav"')
    # IIIF viewers on other sites play it with crossorigin="anonymous": allowed without cookies only
    assert whole.headers["Access-Control-Allow-Origin"] == "*"
    client.set_cookie("theme", "dark")
    assert "Access-Control-Allow-Origin" not in client.get("/records/r-rec/media/m1").headers
    client.delete_cookie("theme")
    part = client.get("/records/r-rec/media/m1", headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.data == wav.read_bytes()[10:20]
    assert part.headers["Content-Range"] == f"bytes 10-19/{size}" and part.headers["Content-Length"] == "10"
    tail = client.get("/records/r-rec/media/m1", headers={"Range": "bytes=-5"})
    assert tail.status_code == 206 and tail.data == wav.read_bytes()[-5:]
    beyond = client.get("/records/r-rec/media/m1", headers={"Range": f"bytes={size}-"})
    assert beyond.status_code == 416 and beyond.headers["Content-Range"] == f"bytes */{size}"
    assert client.get("/records/r-rec/media/m9").status_code == 404
    vtt = client.get("/records/r-rec/media/m1.vtt")
    assert vtt.headers["Content-Type"].startswith("text/vtt")
    assert "<v Ana>We left Battambang at dawn." in vtt.get_data(as_text=True)
    chapters = client.get("/records/r-rec/segments.vtt").get_data(as_text=True)
    assert "00:00:00.000 --> 00:00:01.200\nLeaving home" in chapters
    assert saved["media"][0]["sha256"] in client.get("/records/r-rec.json").get_data(as_text=True)


def test_a_damaged_file_is_not_served(home, wav, client):
    saved = save_with_file(home, wav)
    path = store.media_folder(home.db) / saved["media"][0]["sha256"]
    data = bytearray(path.read_bytes())
    data[100] ^= 0xFF
    path.write_bytes(bytes(data))
    assert client.get("/records/r-rec/media/m1").status_code == 404


@pytest.mark.parametrize("level", ["restricted", "private"])
def test_hidden_records_files_transcripts_and_manifests_answer_404_as_missing_ones(home, wav, client, level):
    save_with_file(home, wav, access=level)
    for url in ("/records/r-rec/media/m1", "/records/r-rec/media/m1.vtt", "/records/r-rec/segments.vtt",
                "/records/r-rec/manifest.json"):
        hidden, missing = client.get(url), client.get(url.replace("r-rec", "r-none"))
        assert hidden.status_code == missing.status_code == 404, url
        assert hidden.data == missing.data.replace(b"r-none", b"r-rec"), url
        # a viewer on another site reads the 404 as such (the same answer as for a missing record)
        assert hidden.headers["Access-Control-Allow-Origin"] == missing.headers["Access-Control-Allow-Origin"] \
            == "*", url


def test_the_manifest_served_loads_in_iiif_prezi3(home, wav, client):
    from iiif_prezi3 import Manifest
    save_with_file(home, wav)
    answer = client.get("/records/r-rec/manifest.json")
    assert answer.status_code == 200 and answer.headers["Access-Control-Allow-Origin"] == "*"
    loaded = Manifest(**answer.get_json())
    canvas = loaded.items[0]
    assert canvas.duration == pytest.approx(2.5, abs=0.01)
    assert canvas.items[0].items[0].body.id == "http://localhost/records/r-rec/media/m1"
    assert canvas.annotations[0].items[0].body.id == "http://localhost/records/r-rec/media/m1.vtt"
    assert loaded.structures[0].items[0].items[0].id.endswith("/canvas/m1#t=0,1.2")


# --- the record page and search --------------------------------------------------------------------

def test_the_page_plays_from_t_without_javascript_and_links_every_cue_and_segment(home, wav, client):
    save_with_file(home, wav)
    page = client.get("/records/r-rec?t=1.5").get_data(as_text=True)
    assert 'src="/records/r-rec/media/m1#t=1.5"' in page
    assert '<track kind="captions"' in page and 'src="/records/r-rec/segments.vtt?media=m1"' in page
    assert 'href="/records/r-rec?t=1.2#cue-m1-2"' in page and 'href="/records/r-rec?t=0#media-m1"' in page
    assert 'id="cue-m1-2" class="current" aria-current="true"' in page
    assert 'id="cue-m1-1" class="current"' not in page
    assert "player.js" in page


def test_a_cue_word_is_found_and_the_hit_lands_on_its_moment(home, wav, client):
    save_with_file(home, wav, text="Nothing about leaving here.")
    answer = client.get("/search.json?q=camp").get_json()
    hit = answer["hits"][0]
    assert (hit["id"], hit["media"], hit["time"]) == ("r-rec", "m1", 1.2)
    assert hit["snippet"] == "And then the <mark>camp</mark>?"
    page = client.get("/search?q=camp").get_data(as_text=True)
    assert 'href="/records/r-rec?t=1.2&amp;q=camp#media-m1"' in page
    # segments: titles and links are searched, their people counted in facets
    facets = client.get("/search.json?q=leaving").get_json()["facets"]
    assert [p["label"] for p in facets["person"]] == ["Ana Rec"]
    assert client.get("/search.json?q=dawn").get_json()["total"] == 1


# --- the record form -------------------------------------------------------------------------------

def test_an_archivist_uploads_an_interview_with_its_vtt_and_finds_its_words_at_once(client, auth, wav, home):
    import io
    auth.sign_in_as("archivist")
    form = {"title": "Uploaded interview", "type": "interview", "access": "public", "text": "", "language": "en",
            "save": "Save", "base_revision": "",
            "media_label": "Tape 1", "segments_lines": "0:00 - 0:01.2 | Leaving | At dawn | dawn; exile",
            "media_upload": (io.BytesIO(wav.read_bytes()), "interview.mp3"),  # the name lies: it is WAV
            "transcript_upload": (io.BytesIO(VTT.encode()), "interview.vtt")}
    answer = client.post("/records/new", data=form, content_type="multipart/form-data")
    assert answer.status_code == 302, answer.get_data(as_text=True)[:3000]
    record_id = answer.headers["Location"].split("/")[2]
    saved = client.get(f"/records/{record_id}.json").get_json()
    m = saved["media"][0]
    assert (m["label"], m["filename"], m["mimetype"], m["kind"]) == ("Tape 1", "interview.mp3", "audio/wav", "audio")
    assert [c["speaker"] for c in m["transcript"]] == ["Ana", "Interviewer"]
    assert saved["segments"][0]["title"] == "Leaving" and saved["segments"][0]["keywords"] == ["dawn", "exile"]
    hit = client.get("/search.json?q=Battambang").get_json()["hits"][0]
    assert (hit["id"], hit["media"], hit["time"]) == (record_id, "m1", 0.0)
    # the edit form keeps the file and gives the segments back as lines
    edit = client.get(f"/records/{record_id}/edit").get_data(as_text=True)
    assert "0:00 - 0:01.2 | Leaving | At dawn | dawn; exile" in edit and 'enctype="multipart/form-data"' in edit


def test_a_file_or_transcript_that_cannot_be_read_gets_a_clear_message_and_nothing_is_saved(client, auth):
    import io
    auth.sign_in_as("archivist")
    base = {"title": "Bad upload", "type": "interview", "access": "public", "save": "Save"}
    answer = client.post("/records/new", content_type="multipart/form-data",
                         data={**base, "media_upload": (io.BytesIO(b"just some text"), "talk.mp3")})
    assert answer.status_code == 400 and "The file was not kept: cannot read this file" in answer.get_data(as_text=True)
    answer = client.post("/records/new", content_type="multipart/form-data",
                         data={**base, "segments_lines": "soon | Title"})
    assert answer.status_code == 400 and "Segments, line 1" in answer.get_data(as_text=True)
    assert client.get("/search.json?q=upload").get_json()["total"] == 0


# --- JSON-LD and OAI -------------------------------------------------------------------------------

def test_json_ld_describes_the_recording_and_oai_gives_its_format_and_dcmi_type(home, wav, client):
    save_with_file(home, wav)
    node = client.get("/records/r-rec.jsonld").get_json()
    audio = node["associatedMedia"][0]
    assert audio["@type"] == "AudioObject" and audio["encodingFormat"] == "audio/wav"
    assert audio["contentUrl"] == "http://localhost/records/r-rec/media/m1" and audio["duration"] == "PT2.5S"
    assert audio["caption"]["contentUrl"].endswith("/media/m1.vtt") and "Battambang" in audio["transcript"]
    oai = client.get("/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:localhost:r-rec").get_data(as_text=True)
    assert "<dc:format>audio/wav</dc:format>" in oai and "<dc:type>Sound</dc:type>" in oai


def test_cue_words_of_a_hidden_record_are_never_found_by_those_who_may_not_see_it(home, wav, client, auth):
    save_with_file(home, wav, access="private", id="r-hidden")
    for q in ("Battambang", "transcript:Battambang", "segment:Leaving", "dawn"):
        assert client.get(f"/search.json?q={q}").get_json()["total"] == 0, q
    assert client.get("/search.json?q=Ana+Rec").get_json()["facets"]["person"] == []
    auth.sign_in_as("archivist")
    assert client.get("/search.json?q=Battambang").get_json()["hits"][0]["media"] == "m1"


def test_khmer_in_a_transcript_is_found_like_khmer_in_text(home, save, client):
    save(id="r-km", title="Khmer interview", language=["km"],
         media=[{"id": "m1", "kind": "audio", "transcript": [
             {"start": 5.0, "end": 9.0, "text": "ខ្ញុំរស់នៅក្នុងជំរំជនភៀសខ្លួន", "language": "km"}]}])
    hit = client.get("/search.json?q=ជំរំ").get_json()["hits"][0]
    assert (hit["id"], hit["media"], hit["time"]) == ("r-km", "m1", 5.0) and "<mark>ជំរំ</mark>" in hit["snippet"]


def test_a_database_of_schema_8_gains_media_and_segments(tmp_path):
    import sqlite3

    from archive.store import schema
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for step in schema.MIGRATIONS[:8]:
        conn.executescript(step)
    conn.execute("INSERT INTO records (id, type, title, access, created_at, updated_at, revision, seq) "
                 "VALUES ('r1', 'testimony', 'Old', 'public', 'x', 'x', 1, 0)")
    conn.execute("PRAGMA user_version = 8")
    conn.commit()
    conn.close()
    db = store.connect(path)
    assert store.create_tables(db) == 8
    record = store.get_record(db, "r1", SYSTEM)
    assert record["media"] == [] and record["segments"] == []
    db.close()


def test_webvtt_round_trip_and_range_requests_through_a_real_server(app, home, wav):
    import urllib.request

    from archive.transcripts import read_transcript
    from conftest import LiveServer
    saved = save_with_file(home, wav)
    with LiveServer(app) as server:
        with urllib.request.urlopen(f"{server.url}/records/r-rec/media/m1.vtt") as answer:
            again = read_transcript(answer.read())
        assert again.cues == saved["media"][0]["transcript"]  # import -> export -> import: equal
        asked = urllib.request.Request(f"{server.url}/records/r-rec/media/m1", headers={"Range": "bytes=44-99"})
        with urllib.request.urlopen(asked) as answer:
            assert answer.status == 206 and answer.headers["Content-Range"] == f"bytes 44-99/{wav.stat().st_size}"
            assert answer.read() == wav.read_bytes()[44:100]
