"""Time-range redactions of recordings (docs/architecture.md, "Redactions and consent"): the file served
to a viewer below a range's level is silent there (its samples decoded by ffmpeg), with ranges and
lengths of that copy; the archivist hears the original; a lapsed range is heard again; the cues in the
range read `[redacted]` in WebVTT, the IIIF manifest, the JSON and search, for such a viewer; an
archivist redacts a range from the transcript without JavaScript. The files are real (a 440 Hz tone
written with `wave`, measured by ffprobe)."""
from __future__ import annotations

import array
import json
import subprocess

import pytest

from archive import clock, media, records, store
from archive.access import SYSTEM
from test_recordings import save_with_file, wav  # noqa: F401 (wav: a fixture)

RATE = 8000
RANGE = {"id": "x1", "media": "m1", "from": 1.2, "to": 2.4, "reason": "names a neighbour",
         "access": "private", "until": None}


def samples(data: bytes) -> array.array:
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", "pipe:0", "-f", "s16le", "-ac", "1", "-ar", str(RATE), "-"],
                         input=data, capture_output=True, check=True).stdout
    return array.array("h", raw)


def loudest(heard: array.array, start: float, end: float) -> int:
    return max(abs(s) for s in heard[int(start * RATE):int(end * RATE)])


def silent_in_range(data: bytes) -> bool:
    heard = samples(data)
    assert loudest(heard, 0.1, 1.1) > 1000  # the rest plays
    return loudest(heard, 1.25, 2.35) == 0


@pytest.fixture
def hushed(home, wav):
    """r-rec (see test_recordings): its second cue, "And then the camp?", in a private time range."""
    return save_with_file(home, wav, text="An interview about leaving.", redactions=[dict(RANGE)])


@pytest.mark.parametrize("role", [None, "researcher"])
def test_the_file_served_below_the_level_is_silent_in_the_range_and_the_archivist_hears_it(
        client, auth, hushed, wav, role):
    if role:
        auth.sign_in_as(role)
    served = client.get("/records/r-rec/media/m1")
    assert served.status_code == 200 and served.headers["Content-Type"] == "audio/wav"
    assert served.data != wav.read_bytes() and silent_in_range(served.data)
    assert served.headers["Content-Length"] == str(len(served.data))
    assert served.headers["Cache-Control"] == "private, no-store" and served.headers["ETag"] != f'"{hushed["media"][0]["sha256"]}"'
    auth.logout()
    auth.sign_in_as("archivist")
    original = client.get("/records/r-rec/media/m1")
    assert original.data == wav.read_bytes() and not silent_in_range(original.data)


def test_byte_ranges_are_those_of_the_silenced_copy(client, hushed):
    whole = client.get("/records/r-rec/media/m1").data
    size = len(whole)
    part = client.get("/records/r-rec/media/m1", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.data == whole[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{size}" and part.headers["Content-Length"] == "100"
    tail = client.get("/records/r-rec/media/m1", headers={"Range": "bytes=-7"})
    assert tail.status_code == 206 and tail.data == whole[-7:]
    beyond = client.get("/records/r-rec/media/m1", headers={"Range": f"bytes={size}-"})
    assert beyond.status_code == 416 and beyond.headers["Content-Range"] == f"bytes */{size}"
    head = client.head("/records/r-rec/media/m1")
    assert head.headers["Content-Length"] == str(size) and not head.data


def test_a_restricted_range_is_heard_by_researchers_and_a_lapsed_one_by_everyone(client, auth, home, wav):
    clock.CLOCK.set("2030-01-01")
    save_with_file(home, wav, redactions=[{**RANGE, "access": "restricted", "until": "2030-01-01"}])
    assert silent_in_range(client.get("/records/r-rec/media/m1").data)
    auth.sign_in_as("researcher")
    assert client.get("/records/r-rec/media/m1").data == wav.read_bytes()
    auth.logout()
    clock.CLOCK.set("2030-01-02")  # lapsed: no save needed
    assert client.get("/records/r-rec/media/m1").data == wav.read_bytes()
    assert "camp" in client.get("/records/r-rec/media/m1.vtt").get_data(as_text=True)


def test_the_cues_in_the_range_read_redacted_in_webvtt_iiif_json_and_the_page(client, auth, hushed):
    vtt = client.get("/records/r-rec/media/m1.vtt").get_data(as_text=True)
    assert "We left Battambang at dawn." in vtt and "[redacted]" in vtt and "camp" not in vtt
    assert "camp" not in client.get("/records/r-rec/manifest.json").get_data(as_text=True)
    shown = client.get("/records/r-rec.json").get_json()
    assert [c["text"] for c in shown["media"][0]["transcript"]] == ["We left Battambang at dawn.", "[redacted]"]
    assert shown["redactions"] == [{"id": "x1", "reason": "names a neighbour"}]
    for url in ("/records/r-rec", "/records/r-rec.jsonld", "/export.jsonl", "/oai?verb=GetRecord&identifier="
                "oai:localhost:r-rec&metadataPrefix=oai_dc"):
        assert "camp" not in client.get(url).get_data(as_text=True), url
    auth.sign_in_as("archivist")
    assert "And then the camp?" in client.get("/records/r-rec/media/m1.vtt").get_data(as_text=True)
    page = client.get("/records/r-rec").get_data(as_text=True)
    assert 'data-redaction="x1"' in page and "recording m1, 0:01–0:02" in page


@pytest.mark.parametrize("query", ["camp", "cam*", "camq~", '"then the camp"'])
def test_search_never_finds_or_shows_a_cue_word_in_a_hidden_range(client, auth, hushed, query):
    answer = client.get("/search.json", query_string={"q": query}).get_json()
    assert answer["total"] == 0 and "camp" not in json.dumps(answer)
    auth.sign_in_as("archivist")
    hit = client.get("/search.json", query_string={"q": query}).get_json()["hits"][0]
    assert (hit["id"], hit["media"], hit["time"]) == ("r-rec", "m1", 1.2)


def test_a_hit_on_an_open_cue_lands_there_and_no_hit_points_into_the_range_with_words(client, hushed):
    hit = client.get("/search.json?q=dawn").get_json()["hits"][0]
    assert (hit["media"], hit["time"]) == ("m1", 0.0) and "camp" not in hit["snippet"]
    for hit in client.get("/search.json?q=interview").get_json()["hits"]:
        assert hit.get("time") != 1.2 or "camp" not in hit["snippet"]


# --- the archivist's form, without JavaScript -----------------------------------------------------------

def test_an_archivist_ticks_a_cue_and_redacts_its_time_range_without_javascript(client, auth, home, wav):
    save_with_file(home, wav)
    auth.sign_in_as("archivist")
    page = client.get("/records/r-rec").get_data(as_text=True)
    assert 'id="redact-time-form"' in page and 'name="cues" value="m1/2" form="redact-time-form"' in page
    answer = client.post("/records/r-rec/redactions", data={
        "cues": ["m1/2"], "media": "m1", "time_from": "", "time_to": "", "reason": "names a neighbour",
        "level": "private", "until": "", "base_revision": "1"})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    saved = store.get_record(home.db, "r-rec", SYSTEM)
    (made,) = saved["redactions"]
    assert (made["media"], made["from"], made["to"], made["access"], made["by"]) == ("m1", 1.2, 2.4, "private", "u-archivist")
    listed = client.get("/records/r-rec").get_data(as_text=True)
    assert "recording m1, 0:01–0:02" in listed and "names a neighbour" in listed
    change = client.get(f"/records/r-rec/redactions/{made['id']}").get_data(as_text=True)
    assert 'name="time_from" type="text" value="1.2"' in change and '<option selected value="m1">' in change
    auth.logout()
    assert "camp" not in client.get("/records/r-rec/media/m1.vtt").get_data(as_text=True)
    assert silent_in_range(client.get("/records/r-rec/media/m1").data)


def test_a_time_range_typed_as_minutes_and_seconds_is_changed_and_removed(client, auth, home, wav):
    save_with_file(home, wav, redactions=[dict(RANGE)])
    auth.sign_in_as("archivist")
    form = {"media": "m1", "time_from": "0:00.5", "time_to": "0:01", "reason": "another reason",
            "level": "restricted", "until": "2040-01-01", "base_revision": "1"}
    assert client.post("/records/r-rec/redactions/x1", data=form).status_code == 302
    (changed,) = store.get_record(home.db, "r-rec", SYSTEM)["redactions"]
    assert (changed["from"], changed["to"], changed["access"], changed["until"]) == (0.5, 1.0, "restricted", "2040-01-01")
    assert client.post("/records/r-rec/redactions/x1/remove").status_code == 302
    assert store.get_record(home.db, "r-rec", SYSTEM)["redactions"] == []


@pytest.mark.parametrize("bad, message", [
    ({"time_from": "2", "time_to": "1"}, "The end comes after the start."),
    ({"time_from": "one", "time_to": "2"}, "Give seconds (75.5) or minutes and seconds (1:15.5)."),
    ({"time_from": "", "time_to": ""}, "Tick the cues to hide in the transcript, or give the time range"),
    ({"media": "m9"}, "Choose a recording of this record."),
    ({"cues": ["m1/9"]}, "A cue ticked is not in the transcript any more"),
    ({"time_from": "9", "time_to": "10"}, "the time range starts after the end of m1"),
])
def test_the_time_range_form_says_what_is_wrong(client, auth, home, wav, bad, message):
    save_with_file(home, wav)
    auth.sign_in_as("archivist")
    form = {"media": "m1", "time_from": "1", "time_to": "2", "reason": "why", "level": "private",
            "base_revision": "1", **bad}
    answer = client.post("/records/r-rec/redactions", data=form)
    assert answer.status_code == 400 and message in answer.get_data(as_text=True)
    assert store.get_record(home.db, "r-rec", SYSTEM)["redactions"] == []


# --- derived copies: neither carried nor reported ---------------------------------------------------------

def test_silenced_copies_are_neither_orphans_for_check_nor_carried_by_backups(client, home, hushed, tmp_path):
    from archive import cli_media
    assert silent_in_range(client.get("/records/r-rec/media/m1").data)
    folder = store.media_folder(home.db)
    assert len(list((folder / "silenced").iterdir())) == 2  # the copy and its note (size, SHA-256)
    found = cli_media.check(home.db, home.settings["SEARCH_INDEX"])
    assert not found.faults and not found.notes
    assert cli_media.copy_media(folder, tmp_path / "backup") == 1
    assert [p.name for p in (tmp_path / "backup").iterdir()] == [hushed["media"][0]["sha256"]]
    assert list(media.stored_files(folder)) == [hushed["media"][0]["sha256"]]
    records.save_record(home.db, home.index, {**store.get_record(home.db, "r-rec", SYSTEM), "redactions": []})
    assert client.get("/records/r-rec/media/m1").headers["ETag"] == f'"{hushed["media"][0]["sha256"]}"'


def test_check_notes_the_copies_no_redaction_asks_for_and_prune_removes_only_those(client, home, hushed, runner):
    import os
    import time

    from archive import silence
    assert silent_in_range(client.get("/records/r-rec/media/m1").data)
    folder = store.media_folder(home.db) / "silenced"
    (first,) = [p for p in folder.iterdir() if not p.name.endswith(".sum")]
    assert (folder / (first.name + ".sum")).is_file()
    result = runner.invoke(args=["check"])
    assert result.exit_code == 0 and "silenced copy" not in result.output
    # the range changes: the old copy is stale, the new one (made on the next request) is not
    records.save_record(home.db, home.index, {**store.get_record(home.db, "r-rec", SYSTEM),
                                              "redactions": [{**RANGE, "from": 1.3}]})
    assert silent_in_range(client.get("/records/r-rec/media/m1").data) is False  # 1.25 is heard now
    young = folder / f"{media.INCOMING_PREFIX}being-made"  # a copy some ffmpeg may still be writing
    young.write_bytes(b"half")
    old = folder / f"{media.INCOMING_PREFIX}left-by-a-crash"
    old.write_bytes(b"half")
    os.utime(old, (time.time() - 3 * silence.TIMEOUT,) * 2)
    result = runner.invoke(args=["check"])
    assert result.exit_code == 0
    noted = [line for line in result.output.splitlines() if "silenced copy no redaction asks for" in line]
    assert sorted(line.rsplit(" ", 1)[1] for line in noted) == sorted(
        [first.name, first.name + ".sum", old.name])
    pruned = runner.invoke(args=["check", "--prune"])
    assert pruned.exit_code == 0 and "removed silenced copies no redaction asks for any more: 3" in pruned.output
    left = sorted(p.name for p in folder.iterdir())
    assert first.name not in left and old.name not in left and young.name in left and len(left) == 3
    assert "silenced copy" not in runner.invoke(args=["check"]).output
    served = client.get("/records/r-rec/media/m1")
    assert served.status_code == 200 and served.headers["ETag"].strip('"') in left


@pytest.mark.parametrize("harm", ["truncated", "same size, other bytes", "note lost"])
def test_a_copy_that_changed_since_it_was_made_is_made_again_before_it_is_served(client, home, hushed, harm):
    import os

    from archive import silence
    whole = client.get("/records/r-rec/media/m1").data
    folder = store.media_folder(home.db) / "silenced"
    (copy,) = [p for p in folder.iterdir() if not p.name.endswith(".sum")]
    if harm == "truncated":
        copy.write_bytes(whole[:len(whole) // 2])
    elif harm == "same size, other bytes":
        copy.write_bytes(b"\0" * 44 + whole[44:][::-1])
        os.utime(copy, ns=(copy.stat().st_mtime_ns + 10**9,) * 2)  # a new version of the file on disk
    else:
        silence.sum_path(copy).unlink()
    assert not silence.whole(copy)
    again = client.get("/records/r-rec/media/m1")
    assert again.status_code == 200 and again.data == whole and silent_in_range(again.data)
    assert silence.whole(copy)


def test_a_partly_written_copy_is_never_served(client, home, hushed, tmp_path):
    """ffmpeg writes under a temporary name: until the rename, the copy's own name does not exist."""
    from archive import silence
    folder = store.media_folder(home.db)
    source = media.path_for(folder, hushed["media"][0]["sha256"])
    dest = tmp_path / "copy"
    with pytest.raises(media.MediaError):  # ffmpeg fails half way (not a WAV it can read)
        bad = tmp_path / "bad.wav"
        bad.write_bytes(source.read_bytes()[:60])
        silence.silence(bad, dest, [(1.2, 2.4)], "audio/ogg")
    assert not dest.exists() and not silence.sum_path(dest).exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(media.INCOMING_PREFIX)] == []


def test_a_cue_answer_kept_for_an_archivist_is_never_given_to_a_visitor(client, auth, hushed):
    # the same query, first by the archivist (whose best cue is the hidden one), then by a visitor:
    # kept answers are keyed by the transcripts as each viewer reads them (archive/cuehits.py)
    auth.sign_in_as("archivist")
    hit = client.get("/search.json?q=camp OR leaving").get_json()["hits"][0]
    assert (hit["media"], hit["time"]) == ("m1", 1.2) and "camp" in hit["snippet"]
    assert client.get("/search.json?q=camp OR leaving").get_json()["hits"][0] == hit  # kept, the same
    auth.logout()
    seen = client.get("/search.json?q=camp OR leaving").get_json()["hits"][0]
    assert "camp" not in seen["snippet"] and "time" not in seen  # found by "leaving", in its text
