"""OHMS XML import, versions 5 (<sync> minute markers) and 6 (<vtt_transcript>), from our own test files."""

from pathlib import Path

import pytest

from archive.ohms import OhmsError, is_ohms, parse_sync, read_ohms

DATA = Path(__file__).parent / "data" / "ohms"


def test_version_5_record():
    result = read_ohms((DATA / "interview-v5.xml").read_bytes())
    [record] = result.records
    assert record["kind"] == "record" and record["type"] == "interview"
    assert record["title"] == "Interview with Sophal Chan"
    assert record["date"] == "2019-05-03"
    assert record["language"] == ["en"]
    assert record["people"] == [{"name": "Chan, Sophal", "role": "narrator"},
                                {"name": "Keo, Dara", "role": "interviewer"},
                                {"name": "Lim, Nary", "role": "interviewer"}]
    assert record["subjects"] == ["Refugees", "Battambang"]
    assert record["accession"] == "TEST-OH-001" and record["collection"] == "Test oral histories"
    assert record["source"] == {"citation": None, "url": "https://example.org/archive",
                                "repository": "Testimony archive (test data)"}
    assert record["summary"] == "A short invented interview used to test the OHMS import."
    assert record["access"] == "private"
    [medium] = record["media"]
    assert (medium["kind"], medium["filename"], medium["source"]) == (
        "audio", "chan-2019-05-03.mp3", "https://example.org/media/chan-2019-05-03.mp3")
    assert medium["notes"] == ["[1] Battambang is a province in north-western Cambodia."]
    assert record["text"].startswith("KEO: Good morning. Today is the third of May, 2019, and I am talking")
    assert "in 1962.[1] My father sold rice at the market & my mother sewed.\n\nKEO: What" in record["text"]
    assert record["text"].endswith("Notes\n\n[1] Battambang is a province in north-western Cambodia.")


def test_version_5_sync_markers_become_cues():
    [record] = read_ohms((DATA / "interview-v5.xml").read_bytes()).records
    cues = record["media"][0]["transcript"]
    assert [c["speaker"] for c in cues] == ["KEO", "CHAN", "CHAN", "KEO", "CHAN", "CHAN"]
    assert [c["text"] for c in cues] == [
        "Good morning. Today is the third of May, 2019, and I am talking with Sophal Chan in Long Beach.",
        "Good morning. I was born in Battambang in 1962.[1] My father",
        "sold rice at the market & my mother sewed.",  # the 1-minute marker: line 4, word 3
        "What do you remember of April 1975?",
        "We left the",
        "city on foot. Everyone walked for days and nobody knew where we were going.",  # line 7, word 5
    ]
    # markers are exact; the turns between them are placed by word count; the last cue ends with the tape
    assert [c["start"] for c in cues] == [0.0, 38.0, 60.0, 88.421, 110.526, 120.0]
    assert [c["end"] for c in cues] == [38.0, 60.0, 88.421, 110.526, 120.0, 180.0]
    assert {c["language"] for c in cues} == {"en"}


def test_version_5_index_points_become_segments():
    result = read_ohms((DATA / "interview-v5.xml").read_bytes())
    first, second = result.records[0]["segments"]
    assert first == {
        "id": "s1", "media": "m1", "start": 0.0, "end": 95.0, "title": "Childhood in Battambang",
        "synopsis": "Sophal Chan remembers the rice market.\n\nLinks: Battambang in the archive "
                    "<https://example.org/places/battambang>",
        "keywords": ["Battambang", "markets", "rice", "Childhood"],
        "people": [], "events": [], "places": [{"name": "Battambang"}]}
    assert (second["start"], second["end"], second["keywords"]) == (95.0, 180.0, ["evacuation", "Khmer Rouge"])
    assert any("partial transcripts" in n for n in result.notices)


def test_version_6_vtt_transcript():
    result = read_ohms((DATA / "interview-v6.xml").read_text(encoding="utf-8"))
    [record] = result.records
    [medium] = record["media"]
    assert medium["kind"] == "video"
    assert medium["transcript"] == [
        {"start": 3.0, "end": 9.0, "speaker": "KEO", "text": "Where did your family work?", "language": "en"},
        {"start": 9.0, "end": 20.5, "speaker": "LIM", "text": "At the market in Phnom Penh.\nផ្សារធំថ្មី",
         "language": "km"},
        {"start": 20.5, "end": 20.5, "speaker": "KEO", "text": "Thank you.", "language": "en"},
    ]
    assert medium["notes"] == ["TRANSCRIPTION BEGIN", "TRANSCRIPTION END"]
    assert record["text"].startswith("KEO: Where did your family work?\n\nLIM: At the market")
    assert record["date"] is None
    assert record["segments"][0]["start"] == 3.0 and record["segments"][0]["end"] is None
    said = " | ".join(result.notices)
    assert "moved back by 1 hour" in said
    assert "date 'Spring 2020' is not a date" in said
    assert "no media URL or file name" in said


def test_parse_sync():
    assert parse_sync("1:|13(3)|19(14)||bad|27(9)") == [(60.0, 13, 3), (120.0, 19, 14), (300.0, 27, 9)]
    assert parse_sync("2:|5(1)") == [(120.0, 5, 1)]
    assert parse_sync("") == [] and parse_sync("nonsense") == []


def test_markers_past_the_transcript_are_reported():
    xml = ("<ROOT xmlns='https://www.weareavp.com/nunncenter/ohms'><record id='1' dt='2024-01-01'>"
           "<version>5.4</version><title>T</title><sync>1:|1(3)|99(1)</sync>"
           "<transcript>A: one two three\nfour five</transcript></record></ROOT>")
    result = read_ohms(xml)
    cues = result.records[0]["media"][0]["transcript"]
    assert [c["text"] for c in cues] == ["one", "two three four five"]
    assert cues[1]["start"] == 60.0
    assert any("1 <sync> marker past the transcript" in n for n in result.notices)


@pytest.mark.parametrize("data", [
    b"<ROOT><record>",  # broken
    b"<html><body>not ohms</body></html>",
    b"<?xml version='1.0'?><!DOCTYPE r [<!ENTITY a 'aaaa'><!ENTITY b '&a;&a;&a;&a;'>]><ROOT><record>&b;</record></ROOT>",
])
def test_what_is_not_ohms_is_refused(data):
    with pytest.raises(OhmsError):
        read_ohms(data)


def test_is_ohms():
    assert is_ohms((DATA / "interview-v5.xml").read_bytes())
    assert not is_ohms(b'{"kind": "record"}')
