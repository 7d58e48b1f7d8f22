"""The first pages and JSON through the real app: content, access, errors in one shape."""
import sqlite3

import pytest

from conftest import read_jsonl


def test_home_shows_counts_and_newest(client, save):
    save(title="The Cambodian people should no longer be left behind", type="open_letter")
    page = client.get("/").get_data(as_text=True)
    assert '<label for="q">Search</label>' in page
    assert "The Cambodian people should no longer be left behind" in page
    assert "<strong>1</strong> record " in page  # one record, in the singular


def test_record_page_numbers_paragraphs_and_links(client, save):
    record = save(title="Letter", text="First paragraph.\n\nSecond <b>bold</b> paragraph.",
                  people=[{"name": "Justin C. Sok", "role": "author"}],
                  places=[{"name": "Long Beach, California", "role": "written_at"}],
                  events=[{"name": "Arrest of Kem Sokha"}])
    page = client.get(f"/records/{record['id']}").get_data(as_text=True)
    assert 'id="p1"' in page and 'id="p2"' in page
    assert "Second &lt;b&gt;bold&lt;/b&gt; paragraph." in page  # escaped
    person = record["people"][0]["id"]
    assert f'href="/people/{person}"' in page and "written at" in page
    data = client.get(f"/records/{record['id']}.json").get_json()
    assert data["people"][0] == {"id": person, "name": "Justin C. Sok", "role": "author"}
    person_page = client.get(f"/people/{person}").get_data(as_text=True)
    assert "Letter" in person_page and "Author" in person_page


def test_hidden_and_missing_records_answer_alike(client, canaries):
    private = canaries["private"]["id"]
    for url in (f"/records/{private}", "/records/r-missing"):
        response = client.get(url)
        assert response.status_code == 404
    a, b = client.get(f"/records/{private}.json"), client.get("/records/r-missing.json")
    assert a.status_code == b.status_code == 404
    assert a.get_json()["ok"] is False and set(a.get_json()) == {"ok", "error", "status"}
    assert a.get_json()["error"].replace(private, "X") == b.get_json()["error"].replace("r-missing", "X")


@pytest.mark.parametrize("role, visible", [
    (None, {"public"}),
    ("researcher", {"public", "restricted"}),
    ("archivist", {"public", "restricted", "private", "embargoed"}),
])
def test_each_output_shows_only_what_the_viewer_may_see(client, auth, canaries, role, visible):
    if role:
        auth.sign_in_as(role)
    hidden = set(canaries) - visible
    outputs = {
        "home": client.get("/").get_data(as_text=True),
        "search": client.get("/search?q=canary*").get_data(as_text=True),
        "search.json": client.get("/search.json?q=canary*").get_data(as_text=True),
        "people": client.get("/people").get_data(as_text=True),
        "export": client.get("/export.jsonl").get_data(as_text=True),
        "suggest": client.get("/suggest?q=witness&kind=person").get_data(as_text=True),
        "suggest any kind": client.get("/suggest?q=witness").get_data(as_text=True),
    }
    for level in visible:
        assert f"Canary {level}" in outputs["export"]
        assert f"Witness {level}" in outputs["people"]
        assert client.get(f"/records/{canaries[level]['id']}").status_code == 200
    for level in hidden:
        for name, text in outputs.items():
            assert f"Canary {level}" not in text, name
            assert f"Witness {level}" not in text, name
        person = canaries[level]["people"][0]["id"]
        assert client.get(f"/people/{person}").status_code == 404
        assert client.get(f"/people/{person}.json").status_code == 404
    assert client.get("/search.json?q=canary*").get_json()["total"] == len(visible)
    assert {s["name"] for s in client.get("/suggest?q=witness&kind=person").get_json()} == {
        f"Witness {level}" for level in visible}
    # the archivist pages: others are sent to sign in (anonymous) or refused (researchers)
    record = canaries["public"]["id"]
    person = canaries["public"]["people"][0]["id"]
    for url in ("/records/new", f"/records/{record}/edit", f"/records/{record}/history",
                f"/records/{record}/delete", f"/people/{person}/edit", f"/people/{person}/merge",
                "/people/new", "/events/new", "/places/new"):
        status = client.get(url).status_code
        assert status == {None: 302, "researcher": 403, "archivist": 200}[role], url
    for url in ("/records/new", f"/records/{record}/delete", f"/records/{record}/undelete",
                f"/records/{record}/history/1/restore", f"/people/{person}/merge"):
        status = client.post(url, data={"title": "Changed", "into": person}).status_code
        if role != "archivist":
            assert status == {None: 302, "researcher": 403}[role], url
    if role == "archivist":
        # what the form suggests is what the archivist may see: the hidden canaries too
        page = client.post("/records/new", data={"title": "t", "type": "testimony", "access": "private",
                                                "text": "Witness private and Witness restricted",
                                                "preview": "Preview links"}).get_data(as_text=True)
        assert "Witness private" in page and "Witness restricted" in page


def test_export_lists_authorities_first(client, save):
    save(title="Letter", people=[{"name": "Kem Sokha"}], places=[{"name": "Cambodia"}],
         events=[{"name": "Arrest of Kem Sokha", "date": "2017-09-03"}])
    objects = read_jsonl(client.get("/export.jsonl").get_data(as_text=True))
    assert [o["kind"] for o in objects] == ["place", "person", "event", "record"]


@pytest.mark.parametrize("q", ['"unclosed', "AND AND", "title:", "(((", "-", "*", "~", "person:",
                               "a" * 5000, "NOT", "OR OR OR", 'title:"x', "\x00", "ឃ្ម៉ែរ AND"])
def test_odd_queries_never_fail(client, save, q):
    save(title="Something")
    assert client.get("/search", query_string={"q": q}).status_code == 200
    assert client.get("/search.json", query_string={"q": q}).status_code == 200


def test_bad_parameters_are_clear_json_errors(client):
    response = client.get("/search.json?per_page=lots")
    assert response.status_code == 400
    assert response.get_json() == {"ok": False, "error": "per_page must be a whole number", "status": 400}
    assert client.get("/search.json?per_page=1000").get_json()["per_page"] == 100


def test_schemas_are_served(client):
    for kind in ("record", "person", "event", "place"):
        schema = client.get(f"/schema/{kind}.json").get_json()
        assert schema["$id"] == f"/schema/{kind}.json"


def test_search_json_shape(client, save):
    save(title="Arrest of Kem Sokha", text="Kem Sokha was arrested.", date="2017-09-03")
    data = client.get("/search.json?q=sokha").get_json()
    assert set(data) == {"total", "page", "per_page", "hits", "facets", "suggestion"}
    assert set(data["hits"][0]) == {"id", "title", "type", "date", "snippet", "score"}
    assert set(data["facets"]) >= {"type", "language", "person", "event", "place", "decade"}


def test_khmer_text_carries_lang(client, save):
    record = save(title="សេចក្ដីប្រកាសជាសកលស្ដីពីសិទ្ធិមនុស្ស", text="មនុស្សទាំងអស់កើតមកមានសេរីភាព", language=["km"])
    page = client.get(f"/records/{record['id']}").get_data(as_text=True)
    assert '<h1 lang="km">' in page and '<p id="p1" lang="km">' in page


def test_post_without_csrf_token_is_refused(tmp_path):
    """CSRF protection covers every POST (the sign-in and record forms arrive with the archivist pages)."""
    from archive import create_app
    from conftest import config
    app = create_app(config(tmp_path / "csrf", WTF_CSRF_ENABLED=True))

    @app.post("/probe")
    def probe():
        return "changed"
    assert app.test_client().post("/probe").status_code == 400
    app.extensions["archive"].close()


def test_a_thread_keeps_its_request_connection_but_never_a_transaction(home):
    """Opening a connection reads the schema (half a millisecond a request): a thread keeps its
    connection for its next request, unless the request failed or left a transaction open."""
    db = home.request_db()
    home.request_done(db, failed=False)
    assert home.request_db() is db
    db.execute("BEGIN IMMEDIATE")  # a request that left its write open
    home.request_done(db, failed=False)
    fresh = home.request_db()
    assert fresh is not db and not fresh.conn.in_transaction
    fresh.execute("BEGIN IMMEDIATE")  # the abandoned write was rolled back: the lock is free
    fresh.execute("ROLLBACK")
    home.request_done(fresh, failed=True)
    with pytest.raises(sqlite3.ProgrammingError):  # a failed request's connection is closed
        fresh.execute("SELECT 1")
    kept = home.request_db()
    home.request_done(kept, failed=False)
    home.close()
    with pytest.raises(sqlite3.ProgrammingError):  # and the kept ones with the archive
        kept.execute("SELECT 1")
    assert home.request_db() is not kept
