"""Redactions and consent (docs/architecture.md, "Redactions and consent"): a passage hidden from a
viewer is hidden in every output, the rest of the record reads and searches as before, and a
record whose consent was withdrawn is private everywhere."""
import json

import pytest

from archive import clock, records, redaction, store
from archive.access import ANONYMOUS, SYSTEM, Viewer
from archive.errors import ValidationError

from conftest import REDACTED_TEXT, REDACTED_WORDS

ROLES = [None, "researcher", "archivist"]
HIDDEN = "[redacted]"


def sign_in(auth, role):
    if role:
        auth.sign_in_as(role)


def may_read(word: str, role) -> bool:
    return role in REDACTED_WORDS[word]


OUTPUTS = ["/records/r-redacted", "/records/r-redacted.json", "/records/r-redacted.jsonld",
           "/records/r-redacted.ris", "/search?q=letter", "/search.json?q=letter", "/search.json?q=bellword",
           "/export.jsonl", "/export.json", "/export.csv", "/export.jsonld", "/export.json?q=letter",
           "/", "/timeline"]


@pytest.mark.parametrize("role", ROLES)
def test_each_output_shows_a_passage_only_to_those_who_may_read_it(client, auth, redacted, role):
    sign_in(auth, role)
    for url in OUTPUTS:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        for word in REDACTED_WORDS:
            if url.endswith(".ris") or url.startswith(("/search", "/timeline")) or url == "/":
                # a citation carries no text; snippets and excerpts show one passage
                assert word not in body or may_read(word, role), (url, word, role)
            else:
                assert (word in body) == may_read(word, role), (url, word, role)
        assert "hushwithdrawn" not in body or role == "archivist", url
        assert "Opening line read by everyone" in body or url.startswith(("/search", "/timeline", "/export.csv")) or url.endswith(".ris")


@pytest.mark.parametrize("role", ROLES)
def test_the_json_keeps_only_id_and_reason_of_a_hidden_redaction(client, auth, redacted, role):
    sign_in(auth, role)
    data = client.get("/records/r-redacted.json").get_json()
    by_id = {r["id"]: r for r in data["redactions"]}
    for rid, level in (("x1", "restricted"), ("x2", "private")):
        if level in Viewer(role=role).levels:
            assert by_id[rid]["access"] == level and "start" in by_id[rid]
        else:
            assert by_id[rid] == {"id": rid, "reason": by_id[rid]["reason"]}
    assert data["text"][by_id["x3"]["start"]:by_id["x3"]["end"]] == "hushlapsed"  # lapsed: whole for all
    assert data["text"].count(HIDDEN) == sum(level not in Viewer(role=role).levels
                                             for level in ("restricted", "private"))
    assert "to the court" in data["text"] and "rang in the open" in data["text"]


SEARCHES = {
    "word": "{w}", "prefix": "{p}*", "fuzzy": "{w}x~", "field": "text:{w}",
    "phrase across the edge": '"said {w}"',
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("how", list(SEARCHES))
def test_search_finds_a_record_by_a_hidden_word_only_for_those_who_may_read_it(client, auth, redacted,
                                                                               role, how):
    sign_in(auth, role)
    for word in ("hushrestricted", "hushprivate", "hushlapsed"):
        q = SEARCHES[how].format(w=word, p=word[:-2])
        if how == "phrase across the edge":
            before = {"hushrestricted": "said", "hushprivate": "named", "hushlapsed": "sealed"}[word]
            q = f'"{before} {word}"'
        data = client.get("/search.json", query_string={"q": q}).get_json()
        ids = [h["id"] for h in data["hits"]]
        assert (ids == ["r-redacted"]) == may_read(word, role), (q, role, data)
        if not may_read(word, role):
            assert data["total"] == 0 and all(not v for v in data["facets"].values()), q
            assert data["suggestion"] is None or word not in data["suggestion"]
            assert word not in json.dumps(data)
            page = client.get("/search", query_string={"q": q}).get_data(as_text=True)
            assert "Redacted letter" not in page


@pytest.mark.parametrize("role", ROLES)
def test_a_word_both_hidden_and_open_still_finds_the_record_and_did_you_mean_keeps_quiet(
        client, auth, redacted, role):
    sign_in(auth, role)
    assert [h["id"] for h in client.get("/search.json?q=bellword").get_json()["hits"]] == ["r-redacted"]
    # a misspelling of a word that stands only in a hidden passage suggests nothing of it
    suggestion = client.get("/search.json?q=hushprivatte").get_json()["suggestion"]
    assert not suggestion or "hushprivate" not in suggestion or role == "archivist"
    assert "hush" not in json.dumps(client.get("/suggest?q=hush&kind=person").get_json() or [])


@pytest.mark.parametrize("role", ROLES)
def test_snippets_never_show_a_hidden_passage(client, auth, redacted, role):
    sign_in(auth, role)
    for q in ("witness", "court", "letter gate", "bellword"):
        hits = client.get("/search.json", query_string={"q": q}).get_json()["hits"]
        text = " ".join(h["snippet"] for h in hits)
        for word in ("hushrestricted", "hushprivate"):
            assert (word in text) <= may_read(word, role), (q, word, role, text)


def test_a_snippet_kept_for_an_archivist_is_never_given_to_a_visitor(client, auth, redacted):
    # snippets are kept for the next page of the same search (finder._passage), keyed by the text
    # as each viewer reads it: the archivist's, with the hidden words, is not the visitor's
    auth.sign_in_as("archivist")
    first = client.get("/search.json?q=bellword gate").get_json()["hits"]
    assert "hushprivate" in first[0]["snippet"]
    assert client.get("/search.json?q=bellword gate").get_json()["hits"] == first  # kept, the same
    auth.logout()
    seen = client.get("/search.json?q=bellword gate").get_json()["hits"]
    assert seen and "hushprivate" not in " ".join(h["snippet"] for h in seen)


def test_oai_shows_redacted_passages_to_no_one_and_reports_withdrawn_consent_as_deleted(client, save, redacted):
    listed = client.get("/oai?verb=ListRecords&metadataPrefix=oai_dc").get_data(as_text=True)
    assert "Redacted letter" in listed
    for word in ("hushrestricted", "hushprivate", "hushwithdrawn"):
        assert word not in listed
    got = client.get("/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:localhost:r-withdrawn")
    assert 'status="deleted"' in got.get_data(as_text=True)


@pytest.mark.parametrize("role", ROLES)
def test_withdrawn_consent_makes_a_record_private_everywhere(client, auth, home, redacted, role):
    sign_in(auth, role)
    sees = role == "archivist"
    assert client.get("/records/r-withdrawn").status_code == (200 if sees else 404)
    assert client.get("/records/r-withdrawn.json").status_code == (200 if sees else 404)
    assert (client.get("/search.json?q=hushwithdrawn").get_json()["total"] == 1) == sees
    assert ("hushwithdrawn" in client.get("/export.jsonl").get_data(as_text=True)) == sees
    assert ("Withdrawn testimony" in client.get("/").get_data(as_text=True)) == sees
    viewer = Viewer(role=role)
    assert viewer.may_see("public", None, {"status": "withdrawn"}) == sees


def test_the_history_shows_who_recorded_the_withdrawal(client, auth, home, save):
    save(id="r-c", title="Consent", text="words", consent={"status": "given"})
    records.save_record(home.db, home.index, {**store.get_record(home.db, "r-c", SYSTEM),
                                             "consent": {"status": "withdrawn", "note": "by letter"}},
                        user="ada")
    auth.sign_in_as("archivist")
    page = client.get("/records/r-c/history").get_data(as_text=True)
    latest = page.split('id="rev2"')[1].split("</li>")[0]
    assert "ada" in latest and "withdrawn" in latest


def test_a_lapsed_redaction_is_found_the_day_after_by_the_daily_pass(app, client, home, save):
    clock.CLOCK.set("2030-01-01")
    text = "Before the day hushsoon was sealed."
    save(id="r-soon", title="Soon", text=text,
         redactions=[{"id": "x1", "start": text.index("hushsoon"), "end": text.index("hushsoon") + 8,
                      "access": "restricted", "until": "2030-01-01", "reason": "one day"}])
    assert client.get("/search.json?q=hushsoon").get_json()["total"] == 0
    clock.CLOCK.set("2030-01-02")
    assert "hushsoon" in client.get("/records/r-soon.json").get_json()["text"]  # read at once
    records.lapse_redactions(home.db, home.index)
    assert client.get("/search.json?q=hushsoon").get_json()["total"] == 1


# --- the write path -----------------------------------------------------------------------------------

def test_editing_the_text_keeps_each_redaction_on_its_words(home, redacted):
    old = store.get_record(home.db, "r-redacted", SYSTEM)
    edited = "A new first paragraph, longer than before.\n\n" + old["text"].replace("quietly to", "softly to")
    saved = records.save_record(home.db, home.index, {**old, "text": edited}, user="ada")
    by_id = {r["id"]: r for r in saved["redactions"]}
    assert edited[by_id["x1"]["start"]:by_id["x1"]["end"]] == "hushrestricted softly"
    assert edited[by_id["x2"]["start"]:by_id["x2"]["end"]] == "hushprivate bellword"
    anonymous = store.get_record(home.db, "r-redacted", ANONYMOUS)
    assert "hushrestricted" not in anonymous["text"] and "softly" not in anonymous["text"]
    without = {k: v for k, v in old.items() if k != "redactions"}  # left out: kept and followed
    saved = records.save_record(home.db, home.index, {**without, "text": "Intro.\n\n" + old["text"]})
    assert [saved["text"][r["start"]:r["end"]] for r in saved["redactions"]] == \
        ["hushrestricted quietly", "hushprivate bellword", "hushlapsed"]


def test_an_edit_that_deletes_a_redacted_passage_is_refused(home, redacted):
    old = store.get_record(home.db, "r-redacted", SYSTEM)
    with pytest.raises(ValidationError) as refused:
        records.save_record(home.db, home.index,
                            {**old, "text": old["text"].replace("hushprivate bellword", "")})
    assert refused.value.errors[0][0] == "text" and "x2" in refused.value.errors[0][1]


@pytest.mark.parametrize("bad, field", [
    ({"start": 5, "end": 500}, "redactions 1"), ({"start": 5, "end": 5}, "redactions 1"),
    ({"start": 2, "end": 3, "media": "m1", "from": 1, "to": 2}, "redactions 1"),
])
def test_import_refuses_redactions_that_do_not_fit_naming_record_and_field(home, tmp_path, bad, field):
    from archive import importer
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"id": "r-bad", "type": "testimony", "title": "Bad", "text": "short text",
                                "redactions": [{"access": "private", **bad}]}) + "\n")
    with pytest.raises(importer.ImportFailed) as failed:
        importer.run(home.db, home.index, path)
    assert any(p.field.startswith(field) for p in failed.value.problems), failed.value.problems
    assert store.record_row(home.db, "r-bad") is None


def test_time_ranges_turn_the_cues_inside_them_into_redacted():
    record = {"text": "", "media": [{"id": "m1", "transcript": [
        {"start": 0.0, "end": 5.0, "text": "hello"}, {"start": 5.0, "end": 9.0, "text": "hushcue name"},
        {"start": 9.0, "end": 12.0, "text": "goodbye"}]}],
        "redactions": [{"id": "x1", "media": "m1", "from": 6.0, "to": 8.0, "access": "private",
                        "reason": "a name", "until": None}]}
    seen = redaction.for_viewer(record, ANONYMOUS, "2026-01-01")
    assert [c["text"] for c in seen["media"][0]["transcript"]] == ["hello", HIDDEN, "goodbye"]
    assert seen["redactions"] == [{"id": "x1", "reason": "a name"}]
    assert redaction.for_viewer(record, Viewer("a", "archivist"), "2026-01-01") is record
    assert "hushcue" not in redaction.index_views(record, "2026-01-01")["public"]["media"][0]["transcript"][1]["text"]


# --- the archivists' pages -------------------------------------------------------------------------------

def test_an_archivist_redacts_a_passage_by_its_words_without_javascript(client, auth, save, home):
    save(id="r-plain", title="Plain", text="One sentence stays.\n\nAnother names hushform here. The end.")
    auth.sign_in_as("archivist")
    page = client.get("/records/r-plain").get_data(as_text=True)
    assert 'id="redact-form"' in page and 'data-start="21"' in page and "redact.js" in page
    done = client.post("/records/r-plain/redactions", data={
        "passage": "Another names  hushform here.", "reason": "a living person", "level": "private",
        "until": "", "base_revision": "1", "save": "Redact"})
    assert done.status_code == 302
    saved = store.get_record(home.db, "r-plain", SYSTEM)
    (made,) = saved["redactions"]
    assert saved["text"][made["start"]:made["end"]] == "Another names hushform here."
    assert made["by"] == "u-archivist" and made["access"] == "private"
    page = client.get("/records/r-plain").get_data(as_text=True)
    assert '<mark class="redacted" data-redaction="x1"' in page and "a living person" in page
    history = client.get("/records/r-plain/history").get_data(as_text=True)
    assert "u-archivist" in history
    # it is changed and removed the same way
    assert client.post("/records/r-plain/redactions/x1", data={
        "start": str(made["start"]), "end": str(made["end"]), "reason": "changed reason", "level": "restricted",
        "base_revision": "2", "save": "Redact"}).status_code == 302
    assert store.get_record(home.db, "r-plain", SYSTEM)["redactions"][0]["access"] == "restricted"
    auth.logout()
    assert "hushform" not in client.get("/records/r-plain").get_data(as_text=True)
    assert client.get("/search.json?q=hushform").get_json()["total"] == 0
    auth.login("u-archivist")
    assert client.post("/records/r-plain/redactions/x1/remove").status_code == 302
    auth.logout()
    assert client.get("/search.json?q=hushform").get_json()["total"] == 1


def test_the_redaction_form_says_what_is_wrong(client, auth, save):
    save(id="r-twice", title="Twice", text="same words here and same words there")
    auth.sign_in_as("archivist")
    for data, message in (({"passage": "same words"}, "more than once"),
                          ({"passage": "absent words"}, "not in the text"),
                          ({"start": "3", "end": "999"}, "not a passage of the text"),
                          ({}, "Give the passage")):
        answer = client.post("/records/r-twice/redactions", data={
            "reason": "r", "level": "private", "base_revision": "1", "save": "Redact", **data})
        assert answer.status_code == 400 and message in answer.get_data(as_text=True), message


def test_only_archivists_reach_the_redaction_pages_and_the_access_report(client, auth, redacted):
    assert client.get("/reports/access").status_code in (302, 401, 403)
    assert client.post("/records/r-redacted/redactions", data={"passage": "Opening"}).status_code in (302, 401, 403)
    auth.sign_in_as("researcher")
    assert client.get("/reports/access").status_code == 403
    assert client.get("/records/r-redacted/redactions").status_code == 403


def test_the_access_report_lists_records_by_access_consent_embargo_and_redactions(client, auth, redacted, save):
    save(id="r-emb", title="Embargoed one", embargo_until="2999-01-01", access="restricted")
    auth.sign_in_as("archivist")
    page = client.get("/reports/access").get_data(as_text=True)
    assert "Redacted letter" in page and "Withdrawn testimony" in page and "Embargoed one" in page
    only = client.get("/reports/access?consent=withdrawn").get_data(as_text=True)
    assert "Withdrawn testimony" in only and "Redacted letter" not in only
    assert "Embargoed one" in client.get("/reports/access?embargoed=1&access=restricted").get_data(as_text=True)
    redacted_only = client.get("/reports/access?redacted=1").get_data(as_text=True)
    assert "Redacted letter" in redacted_only and "Embargoed one" not in redacted_only


def test_reading_a_redacted_passage_is_logged_like_a_restricted_record(client, auth, home, redacted):
    client.get("/records/r-redacted")  # anonymous: reads nothing hidden, nothing logged
    auth.sign_in_as("researcher")
    client.get("/records/r-redacted.json")
    views = store.record_views(home.db, "r-redacted")
    assert [(v["username"], v["via"]) for v in views] == [("u-researcher", "json+redacted")]


# --- random offsets and edits -------------------------------------------------------------------------

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

RANDOM = settings(max_examples=30, deadline=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
TOKENS = [f"tok{i:03d}x" for i in range(40)]  # each word once, none inside another


@st.composite
def redacted_texts(draw):
    words = TOKENS[:draw(st.integers(6, 40))]
    seps = [draw(st.sampled_from([" ", " ", ", ", "\n", "\n\n"])) for _ in words]
    text = "".join(w + s for w, s in zip(words, seps)).strip()
    spans = []
    for _ in range(draw(st.integers(1, 3))):
        start = draw(st.integers(0, len(text) - 2))
        end = draw(st.integers(start + 1, min(len(text), start + 60)))
        if text[start:end].strip():
            spans.append({"start": start, "end": end, "access": draw(st.sampled_from(["restricted", "private"])),
                          "reason": "r", "until": draw(st.sampled_from([None, "2999-01-01", "2000-01-01"]))})
    edit = (draw(st.integers(0, len(text))), draw(st.integers(0, 30)), draw(st.sampled_from(["", "new words "])))
    return text, spans, edit


def hidden_words(text: str, redactions: list[dict], viewer: Viewer) -> set[str]:
    """The words that stand only inside passages hidden from the viewer."""
    today = clock.today()
    spans = [(r["start"], r["end"]) for r in redactions if redaction.hidden_from(r, viewer, today)]
    inside = {w for a, b in spans for w in TOKENS if w in text[a:b]}
    outside = redaction.hide_spans(text, spans, " ")
    return {w for w in inside if w not in outside}


@RANDOM
@given(case=redacted_texts(), role=st.sampled_from([None, "researcher"]))
def test_hidden_words_never_reach_an_unauthorised_viewer(home, case, role):
    text, spans, (at, cut, insert) = case
    viewer = Viewer("v", role) if role else ANONYMOUS
    record_id = f"r-h{abs(hash((text, repr(spans), at, cut, insert, role))) % 10**9}"
    try:
        saved = records.save_record(home.db, home.index, {"id": record_id, "type": "testimony", "title": "H",
                                                          "access": "public", "text": text, "redactions": spans})
    except ValidationError:
        return  # overlapping nothing but spaces after the strip
    edited = text[:at] + insert + text[at + cut:]
    try:
        kept = {k: v for k, v in saved.items() if k != "redactions"}  # left out: they follow their words
        saved = records.save_record(home.db, home.index, {**kept, "text": edited})
    except ValidationError as exc:
        assert exc.errors[0][0] == "text"  # the edit deleted a passage's words: refused, nothing changed
    current = store.get_record(home.db, record_id, SYSTEM)
    secret = hidden_words(current["text"], current["redactions"], viewer)
    seen = store.get_record(home.db, record_id, viewer)
    out = json.dumps(seen) + json.dumps(store.viewer_row(store.record_row(home.db, record_id), viewer))
    for word in secret:
        assert word not in out
        assert record_id not in home.index.search(word, viewer, per_page=1000).ids
        assert record_id not in home.index.search(word[:-1] + "*", viewer, per_page=1000).ids
    for word in set(TOKENS) - secret:  # the rest still finds it
        if word in redaction.for_viewer(current, viewer, clock.today(), " ")["text"].split():
            assert record_id in home.index.search(word, viewer, per_page=1000).ids, word


def test_the_record_form_refuses_an_edit_that_deletes_a_redacted_passage(client, auth, redacted):
    auth.sign_in_as("archivist")
    form = {"title": "Redacted letter", "type": "testimony", "access": "public", "base_revision": "1",
            "text": REDACTED_TEXT.replace("hushprivate bellword", ""), "consent_status": "unknown", "save": "Save"}
    answer = client.post("/records/r-redacted/edit", data=form)
    assert answer.status_code == 400
    assert "redaction x2" in answer.get_data(as_text=True)
    kept = client.post("/records/r-redacted/edit", data={**form, "text": "New opening.\n\n" + REDACTED_TEXT})
    assert kept.status_code == 302
    data = client.get("/records/r-redacted.json").get_json()
    x2 = next(r for r in data["redactions"] if r["id"] == "x2")
    assert data["text"][x2["start"]:x2["end"]] == "hushprivate bellword"


def test_a_viewers_export_validates_and_imports_into_an_empty_archive(client, redacted, tmp_path):
    from archive import create_app, importer, validation
    from conftest import config, read_jsonl
    exported = client.get("/export.jsonl").get_data(as_text=True)
    letter = next(o for o in read_jsonl(exported) if o.get("id") == "r-redacted")
    assert validation.validate("record", letter) == []
    path = tmp_path / "export.jsonl"
    path.write_text(exported)
    other = create_app(config(tmp_path / "other"))
    try:
        home = other.extensions["archive"]
        importer.run(home.db, home.index, path)
        copy = store.get_record(home.db, "r-redacted", SYSTEM)
        assert "hushprivate" not in copy["text"] and HIDDEN in copy["text"]
        assert [r["id"] for r in copy["redactions"]] == ["x3"]  # the lapsed one, whole
    finally:
        other.extensions["archive"].close()


def test_the_passages_a_viewer_reads_keep_their_place_in_that_viewers_text(home, redacted):
    for role in (None, "researcher", "archivist"):
        seen = store.get_record(home.db, "r-redacted", Viewer("v", role) if role else ANONYMOUS)
        for r in seen["redactions"]:
            if "start" in r:
                assert seen["text"][r["start"]:r["end"]] == {"x1": "hushrestricted quietly",
                                                             "x2": "hushprivate bellword",
                                                             "x3": "hushlapsed"}[r["id"]]


def test_what_lapsed_while_the_archive_was_closed_is_found_after_start_up(tmp_path):
    from archive import create_app
    from conftest import config
    clock.CLOCK.set("2030-03-01")
    app = create_app(config(tmp_path / "home"))
    home = app.extensions["archive"]
    text = "Closed hushclosed passage."
    records.save_record(home.db, home.index, {"id": "r-closed", "type": "testimony", "title": "C", "access": "public",
                                              "text": text, "redactions": [{"start": 7, "end": 17, "access": "private",
                                                                            "reason": "r", "until": "2030-03-01"}]})
    assert home.index.search("hushclosed", ANONYMOUS).total == 0
    home.close()
    clock.CLOCK.set("2030-03-05")
    again = create_app(config(tmp_path / "home")).extensions["archive"]
    try:
        assert again.index.search("hushclosed", ANONYMOUS).ids == ["r-closed"]
        assert store.get_meta(again.db, records.LAPSE_MARK) == "2030-03-05"
    finally:
        again.close()


def test_a_database_before_redactions_gains_them_and_its_records_stay_visible(tmp_path):
    import sqlite3
    from archive.store import schema
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for step in schema.MIGRATIONS[:schema.MIGRATIONS.index(schema.SCHEMA_V10_REDACTIONS)]:
        conn.executescript(step)
    conn.execute("INSERT INTO records (id, type, title, access, created_at, updated_at, revision, seq) "
                 "VALUES ('r1', 'testimony', 'Old', 'public', 'x', 'x', 1, 0)")
    conn.execute(f"PRAGMA user_version = {schema.MIGRATIONS.index(schema.SCHEMA_V10_REDACTIONS)}")
    conn.commit()
    conn.close()
    db = store.connect(path)
    store.create_tables(db)
    old = store.get_record(db, "r1", ANONYMOUS)
    assert old["redactions"] == [] and old["consent"] is None
    db.close()


def test_the_history_page_shows_who_read_redacted_passages(client, auth, redacted):
    auth.sign_in_as("researcher")
    client.get("/records/r-redacted")
    auth.logout()
    auth.sign_in_as("admin")
    page = client.get("/records/r-redacted/history").get_data(as_text=True)
    views = page.split('id="views"')[1]
    assert "u-researcher" in views and "redacted passages read" in views
