"""Transcripts: WebVTT and SRT in, WebVTT out, the messy files real archives hold, chapters."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.transcripts import (TranscriptError, read_chapters, read_transcript, write_chapters,
                                 write_vtt)

INTERVIEW = """WEBVTT
Kind: captions
Language: en

NOTE Interview with a survivor, Long Beach, 2019.
Transcribed by the archive's volunteers.

1
00:00:00.000 --> 00:00:04.500
<v Interviewer>Where were you born?

2
00:00:04.500 --> 00:00:09.250 align:start
<v.narrator Justin C. Sok>In Battambang, in 1965.
My father was a teacher.

00:00:09.250 --> 00:00:12.000
<v Justin C. Sok><lang km>ខ្ញុំកើតនៅបាត់ដំបង</lang>

NOTE end of tape 1
"""


def test_reads_speakers_languages_and_notes():
    t = read_transcript(INTERVIEW)
    assert t.language == "en"
    assert t.cues == [
        {"start": 0.0, "end": 4.5, "speaker": "Interviewer", "text": "Where were you born?", "language": "en"},
        {"start": 4.5, "end": 9.25, "speaker": "Justin C. Sok",
         "text": "In Battambang, in 1965.\nMy father was a teacher.", "language": "en"},
        {"start": 9.25, "end": 12.0, "speaker": "Justin C. Sok", "text": "ខ្ញុំកើតនៅបាត់ដំបង", "language": "km"},
    ]
    assert t.notes == ["Interview with a survivor, Long Beach, 2019.\nTranscribed by the archive's volunteers.",
                       "end of tape 1"]
    assert t.notices == [] and t.problems == []


def test_round_trip_import_export_import():
    first = read_transcript(INTERVIEW)
    written = write_vtt(first.cues, notes=first.notes)
    assert written.startswith("WEBVTT\nLanguage: en\n")
    assert "<v Justin C. Sok><lang km>ខ្ញុំកើតនៅបាត់ដំបង</lang>" in written
    again = read_transcript(written)
    assert (again.cues, again.notes, again.language) == (first.cues, first.notes, first.language)
    assert write_vtt(again.cues, notes=again.notes) == written


def test_language_parameter_for_cues_without_a_span():
    t = read_transcript("WEBVTT\n\n00:01.000 --> 00:02.000\nBonjour\n", language="fr")
    assert t.cues[0]["language"] == "fr"
    assert read_transcript("WEBVTT\n\n00:01.000 --> 00:02.000\nHello\n").cues[0]["language"] is None


# An OHMS 6 style transcript: no WEBVTT line, a recorder's hour offset, <br> in a cue, a last cue
# that "ends" at 00:00:00, NOTE blocks around the cues.
OHMS_STYLE = """NOTE
TRANSCRIPTION BEGIN

01:00:03.000 --> 01:00:18.000
<v KEO>  Today is the 3rd of May.   We are in Phnom Penh.

01:00:18.000 --> 01:00:31.000
<v NARRATOR>We left the city in April.<br><br>Everyone walked.<BR/>Nobody knew where.

01:00:31.000 --> 00:00:00.000
<v KEO>Thank you.

NOTE
TRANSCRIPTION END
"""


def test_messy_ohms_style_file_is_understood_and_the_repairs_said():
    t = read_transcript(OHMS_STYLE)
    assert [(c["start"], c["end"]) for c in t.cues] == [(3.0, 18.0), (18.0, 31.0), (31.0, 31.0)]
    assert t.cues[0]["text"] == "Today is the 3rd of May. We are in Phnom Penh."
    assert t.cues[1]["text"] == "We left the city in April.\nEveryone walked.\nNobody knew where."
    assert [c["speaker"] for c in t.cues] == ["KEO", "NARRATOR", "KEO"]
    assert t.notes == ["TRANSCRIPTION BEGIN", "TRANSCRIPTION END"]
    assert any("moved back by 1 hour" in n for n in t.notices)
    assert any(n.startswith("cue 3 ended at 00:00:00.000") for n in t.notices)


def test_known_duration_ends_the_last_cue_and_decides_the_offset():
    t = read_transcript(OHMS_STYLE, duration=40.0)
    assert t.cues[-1]["end"] == 40.0
    assert t.cues[0]["start"] == 3.0
    # a recording that is two hours long: 01:00:03 is a real time, nothing moves
    long = read_transcript(OHMS_STYLE, duration=7200.0)
    assert long.cues[0]["start"] == 3603.0
    assert not any("moved back" in n for n in long.notices)
    assert read_transcript(OHMS_STYLE, offset=0.0).cues[0]["start"] == 3603.0


def test_last_cue_ending_at_zero_ends_at_the_next_start():
    t = read_transcript("WEBVTT\n\n00:00:01.000 --> 00:00:00.000\nOne\n\n00:00:05.000 --> 00:00:06.000\nTwo\n")
    assert [(c["start"], c["end"]) for c in t.cues] == [(1.0, 5.0), (5.0, 6.0)]


def test_cues_out_of_order_are_sorted_and_reported():
    t = read_transcript("WEBVTT\n\n00:10.000 --> 00:12.000\nthird\n\n"
                        "00:01.000 --> 00:02.000\nfirst\n\n00:05.000 --> 00:06.000\nsecond\n")
    assert [c["text"] for c in t.cues] == ["first", "second", "third"]
    assert t.notices == ["the cues were out of order (cue 1 first): they were sorted by start time"]


def test_bom_and_crlf():
    data = "\ufeffWEBVTT\r\n\r\n00:00:01.000 --> 00:00:02.000\r\n<v Ann>Hello\r\nthere\r\n".encode("utf-8")
    t = read_transcript(data)
    assert t.cues == [{"start": 1.0, "end": 2.0, "speaker": "Ann", "text": "Hello\nthere", "language": None}]


def test_srt_with_numbers_commas_a_blank_line_in_text_and_windows_1252():
    srt = ("1\r\n00:00:01,000 --> 00:00:03,500\r\nC'était à Phnom Penh.\r\n\r\n"
           "2\r\n00:00:03,500 --> 00:00:05,000\r\nPremière ligne\r\n\r\nsuite du texte\r\n"
           "3\r\n00:00:05,000 --> 00:00:06,000\r\n<i>fin</i>\r\n").encode("cp1252")
    t = read_transcript(srt, language="fr")
    assert [(c["start"], c["end"], c["text"]) for c in t.cues] == [
        (1.0, 3.5, "C'était à Phnom Penh."), (3.5, 5.0, "Première ligne\nsuite du texte"), (5.0, 6.0, "fin")]
    assert {c["language"] for c in t.cues} == {"fr"}
    assert "the file is not UTF-8: it was read as Windows-1252" in t.notices


def test_unreadable_cues_are_named_by_number():
    data = ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nfine\n\n"
            "00:00:0x.000 --> 00:00:04.000\nbroken time\n\n"
            "00:00:05.000 --> 00:00:06.000\nfine again\n\n"
            "00:75:00.000 --> 00:76:00.000\nno such minute\n")
    with pytest.raises(TranscriptError) as caught:
        read_transcript(data)
    assert len(caught.value.problems) == 2
    assert caught.value.problems[0].startswith("cue 2 (line 6): cannot read its times")
    assert caught.value.problems[1].startswith("cue 4 (line 12)")
    lenient = read_transcript(data, strict=False)
    assert [c["text"] for c in lenient.cues] == ["fine", "fine again"]
    assert lenient.problems == caught.value.problems


@pytest.mark.parametrize("data", ["", "   \n\n", "Dear Secretary-General,\n\nThis is a letter.\n", b"\x81\x8d\x8f\x90"])
def test_what_is_no_transcript_is_refused(data):
    with pytest.raises(TranscriptError):
        read_transcript(data)


def test_cue_following_text_without_a_blank_line():
    t = read_transcript("WEBVTT\n\n00:01.000 --> 00:02.000\none\n00:02.000 --> 00:03.000\ntwo\n")
    assert [c["text"] for c in t.cues] == ["one", "two"]
    srt = read_transcript("1\n00:00:01,000 --> 00:00:02,000\none\n2\n00:00:02,000 --> 00:00:03,000\ntwo\n")
    assert [c["text"] for c in srt.cues] == ["one", "two"]


def test_second_voice_in_a_cue_stays_in_its_text():
    t = read_transcript("WEBVTT\n\n00:01.000 --> 00:04.000\n<v Ann>Were you there?</v>\n<v Bob>I was.</v>\n")
    assert t.cues[0]["speaker"] == "Ann"
    assert t.cues[0]["text"] == "Were you there?\nBob: I was."
    assert read_transcript(write_vtt(t.cues)).cues == t.cues


def test_special_characters_are_escaped_and_read_back():
    cues = [{"start": 0.0, "end": 1.5, "speaker": "R&D <team>", "text": "a < b & c --> d", "language": "en"}]
    written = write_vtt(cues)
    assert "a &lt; b &amp; c --&gt; d" in written
    assert read_transcript(written).cues == cues


def test_notes_that_would_break_the_file_are_made_safe():
    cues = [{"start": 0.0, "end": 1.0, "speaker": None, "text": "x", "language": None}]
    written = write_vtt(cues, notes=["first line\n\nsecond --> line", "   "])
    t = read_transcript(written)
    assert t.notes == ["first line\nsecond -> line"] and t.cues == cues


SEGMENTS = [
    {"id": "s2", "media": "m1", "start": 312.0, "end": None, "title": "Leaving Phnom Penh, April 1975"},
    {"id": "s1", "media": "m1", "start": 0.0, "end": 312.0, "title": "Childhood in Battambang"},
    {"id": "s9", "media": "m2", "start": 0.0, "end": 60.0, "title": "Tape 2"},
]


def test_segments_as_webvtt_chapters_and_back():
    written = write_chapters(SEGMENTS, media="m1", duration=600.0)
    assert written == ("WEBVTT\n\ns1\n00:00:00.000 --> 00:05:12.000\nChildhood in Battambang\n\n"
                       "s2\n00:05:12.000 --> 00:10:00.000\nLeaving Phnom Penh, April 1975\n")
    assert read_chapters(written) == [
        {"start": 0.0, "end": 312.0, "title": "Childhood in Battambang"},
        {"start": 312.0, "end": 600.0, "title": "Leaving Phnom Penh, April 1975"}]
    assert "Tape 2" in write_chapters(SEGMENTS)


texts = st.text(alphabet=st.sampled_from("abc XYZ&<>-'.\n\tកខគ្ញុំ"), max_size=30)
cue_lists = st.lists(st.fixed_dictionaries({
    "start": st.integers(0, 10_000_000), "length": st.integers(1, 60_000),
    "speaker": st.one_of(st.none(), st.sampled_from(["Ann", "Justin C. Sok", "ហ៊ុន"])),
    "text": texts, "language": st.sampled_from(["en", "km", "fr"]),
}), min_size=1, max_size=6)


@settings(max_examples=60, deadline=None)
@given(cue_lists)
def test_any_transcript_survives_export_and_import(raw):
    cues = []
    for item in sorted(raw, key=lambda c: c["start"]):
        text = "\n".join(" ".join(line.split()) for line in item["text"].split("\n") if line.strip())
        cues.append({"start": item["start"] / 1000, "end": (item["start"] + item["length"]) / 1000,
                     "speaker": item["speaker"], "text": text or "…", "language": item["language"]})
    assert read_transcript(write_vtt(cues), offset=0.0).cues == cues
