"""Segments of the index under time-range redactions (docs/architecture.md, "Redactions and consent"):
a segment whose span lies wholly inside time ranges hidden from a viewer reads `[redacted]` with no
synopsis, keywords or links for that viewer, in every output (page, JSON, segments.vtt, the IIIF
manifest's Ranges, exports, OAI) and in search (its words find nothing, count in no facet); a segment
only partly inside keeps its words; those who may hear the range read the segment whole."""
from __future__ import annotations

import json

import pytest

from archive import clock, records, redaction
from archive.access import Viewer
from test_recordings import save_with_file, wav  # noqa: F401 (wav: a fixture)

RANGE = {"id": "x1", "media": "m1", "from": 1.2, "to": 2.4, "reason": "names a neighbour",
         "access": "private", "until": None}
SEGMENTS = [
    {"start": 0, "end": 1.2, "title": "Leaving home", "keywords": ["dawn"], "people": [{"name": "Ana Rec"}]},
    {"start": 1.2, "end": 2.4, "title": "Kralanh commune", "synopsis": "Work under Chhoeun the cadre",
     "keywords": ["Phnomsrok"], "people": [{"name": "Chhoeun Cadre"}], "places": [{"name": "Kralanh"}]},
    {"start": 2.0, "title": "Going back", "synopsis": "Return to Battambang"},  # ends with the file: partly inside
]
HIDDEN_WORDS = ("Kralanh", "Chhoeun", "Phnomsrok")


@pytest.fixture
def indexed(home, wav):
    return save_with_file(home, wav, text="An interview about leaving.", segments=SEGMENTS,
                          redactions=[dict(RANGE)])


def test_the_rule_wholly_inside_is_hidden_partly_inside_is_kept():
    record = {"media": [{"id": "m1", "kind": "audio", "duration": 10.0, "transcript": []}],
              "segments": [{"id": "s1", "media": None, "start": 1.0, "end": None, "title": "a", "keywords": ["k"],
                            "people": [{"id": "p1"}]},
                           {"id": "s2", "media": "m1", "start": 3.0, "end": 5.0, "title": "b"},
                           {"id": "s3", "media": "m1", "start": 5.0, "end": None, "title": "c"}],
              "redactions": [{"id": "x1", "media": "m1", "from": 0.5, "to": 2.0, "access": "private", "reason": "r"},
                             {"id": "x2", "media": "m1", "from": 2.0, "to": 3.5, "access": "restricted", "reason": "r"},
                             {"id": "x3", "media": "m1", "from": 5.0, "to": 9.0, "access": "private", "reason": "r"}]}
    # s1 (no file named: the first recording's) ends where s2 begins, at 3.0: inside x1 and x2 together
    public = redaction.for_viewer(record, Viewer(), "2020-01-01")
    assert [s["title"] for s in public["segments"]] == ["[redacted]", "b", "c"]  # s3 runs to 10.0: partly
    assert public["segments"][0]["keywords"] == [] and public["segments"][0]["people"] == []
    researcher = redaction.for_viewer(record, Viewer("level", "researcher"), "2020-01-01")
    assert [s["title"] for s in researcher["segments"]] == ["a", "b", "c"]  # x1 alone does not cover it
    assert redaction.for_viewer(record, Viewer("level", "archivist"), "2020-01-01") is record


@pytest.mark.parametrize("role", [None, "researcher"])
def test_a_segment_inside_a_hidden_range_says_nothing_in_any_output(client, auth, indexed, role):
    if role:
        auth.sign_in_as(role)
    shown = client.get("/records/r-rec.json").get_json()
    titles = [s["title"] for s in shown["segments"]]
    assert titles == ["Leaving home", "[redacted]", "Going back"]
    hidden = shown["segments"][1]
    assert (hidden["synopsis"], hidden["keywords"], hidden["people"], hidden["places"]) == (None, [], [], [])
    assert (hidden["start"], hidden["end"]) == (1.2, 2.4)
    chapters = client.get("/records/r-rec/segments.vtt").get_data(as_text=True)
    assert "Leaving home" in chapters and "[redacted]" in chapters and "Going back" in chapters
    manifest = client.get("/records/r-rec/manifest.json").get_data(as_text=True)
    assert "Going back" in manifest and "Return to Battambang" in manifest
    exported = client.get("/export.jsonl").get_data(as_text=True).splitlines()
    assert [json.loads(line)["kind"] for line in exported].count("record") >= 1
    assert all(word not in "".join(exported) for word in HIDDEN_WORDS)  # authorities too
    for url in ("/people", "/places", "/suggest?q=Chh&kind=person", "/suggest?q=Kral&kind=place",
                "/records/r-rec", "/records/r-rec.json", "/records/r-rec.jsonld", "/records/r-rec/segments.vtt",
                "/records/r-rec/manifest.json", "/oai?verb=GetRecord&identifier=oai:localhost:r-rec&metadataPrefix=oai_dc"):
        text = client.get(url).get_data(as_text=True)
        for word in HIDDEN_WORDS:
            assert word not in text, (url, word)


@pytest.mark.parametrize("word", [*HIDDEN_WORDS, "Chhoeun Cadre", "Kral*"])
def test_a_hidden_segments_words_and_links_find_nothing_below_its_level(client, auth, indexed, word):
    answer = client.get("/search.json", query_string={"q": word}).get_json()
    assert answer["total"] == 0 and all(not v for v in answer["facets"].values())
    assert word.rstrip("*") not in json.dumps(answer)
    auth.sign_in_as("researcher")
    assert client.get("/search.json", query_string={"q": word}).get_json()["total"] == 0
    auth.logout()
    auth.sign_in_as("archivist")
    hit = client.get("/search.json", query_string={"q": word}).get_json()
    assert hit["total"] == 1 and hit["hits"][0]["id"] == "r-rec"


def test_the_facets_of_a_record_found_otherwise_leave_a_hidden_segments_links_out(client, indexed):
    facets = client.get("/search.json?q=leaving").get_json()["facets"]
    assert [p["label"] for p in facets["person"]] == ["Ana Rec"]
    assert all(p["label"] != "Kralanh" for p in facets["place"])
    assert client.get("/search.json?q=dawn").get_json()["total"] == 1  # an open segment's keyword
    assert client.get("/search.json?q=homecoming+OR+Return").get_json()["total"] == 1  # a partly hidden one's


def test_the_archivist_reads_the_segment_and_it_returns_when_the_range_lapses(client, auth, home, wav):
    clock.CLOCK.set("2030-01-01")
    save_with_file(home, wav, segments=SEGMENTS, redactions=[{**RANGE, "until": "2030-01-01"}])
    assert client.get("/search.json?q=Kralanh").get_json()["total"] == 0
    auth.sign_in_as("archivist")
    assert client.get("/records/r-rec.json").get_json()["segments"][1]["title"] == "Kralanh commune"
    assert "Kralanh commune" in client.get("/records/r-rec/segments.vtt").get_data(as_text=True)
    auth.logout()
    clock.CLOCK.set("2030-01-02")
    records.lapse_redactions(home.db, home.index)
    assert client.get("/records/r-rec.json").get_json()["segments"][1]["title"] == "Kralanh commune"
    assert client.get("/search.json?q=Kralanh").get_json()["total"] == 1
