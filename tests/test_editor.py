"""The archivist pages: sign-in and roles, the record form, suggested links, history, delete and undo,
authority forms and merging, /suggest."""
import re

import pytest

from archive import accounts, merges, records, store
from archive.access import SYSTEM
from archive.index import find_drift
from archive.views.common import get_db
from conftest import SAMPLE_RECORDS, AuthActions


@pytest.fixture
def archivist(client, auth):
    """The `client`, signed in through the form as the archivist ada."""
    auth.sign_in_as("archivist", "ada")
    return client


def record_form(**fields):
    form = {"title": "A letter", "type": "open_letter", "access": "public", "save": "Save"}
    form.update(fields)
    return form


def csrf_token(client, url):
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


# --- signing in ------------------------------------------------------------------------------------

def test_sign_in_with_labels_and_a_safe_next(client, auth):
    auth.add_user("ada", "archivist")
    page = client.get("/login").get_data(as_text=True)
    assert '<label for="username">Username</label>' in page
    assert '<label for="password">Password</label>' in page and 'value="Sign in"' in page
    response = auth.login("ada", next="/records/new")
    assert response.status_code == 302 and response.headers["Location"] == "/records/new"
    assert "Expires=" in response.headers["Set-Cookie"]  # a permanent session: it outlives the browser
    assert "ada (archivist)" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example",
                                    "javascript:alert(1)", "evil.example", "/\\/evil.example"])
def test_next_never_leaves_the_site(auth, target):
    auth.add_user("ada", "archivist")
    response = auth.login("ada", next=target)
    assert response.headers["Location"] == "/"


def test_wrong_password_is_refused_and_repeated_failures_pause(app, client, auth):
    auth.add_user("ada", "archivist")
    app.config.update(SIGN_IN_MAX_PER_USER=3)
    for _ in range(3):
        response = auth.login("ada", "wrong password!!")
        assert response.status_code == 401
        assert "Wrong username or password." in response.get_data(as_text=True)
    # now even the right password waits
    response = auth.login("ada")
    assert response.status_code == 429 and "Too many failed sign-ins" in response.get_data(as_text=True)
    assert "ada (archivist)" not in client.get("/").get_data(as_text=True)
    # another user from the same address is still let in (the address limit is higher)
    auth.add_user("bea", "researcher")
    assert auth.login("bea").status_code == 302


def test_failures_from_one_address_pause_every_username(app, auth):
    app.config.update(SIGN_IN_MAX_PER_ADDRESS=4)
    auth.add_user("ada", "archivist")
    for i in range(4):
        auth.login(f"guess{i}", "wrong password!!")
    assert auth.login("ada").status_code == 429
    other = app.test_client()
    response = other.post("/login", data={"username": "ada", "password": "a long enough password"},
                          environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert response.status_code == 302


def test_sign_out_is_a_post(archivist, auth):
    assert archivist.get("/logout").status_code == 405
    assert "ada (archivist)" in archivist.get("/").get_data(as_text=True)
    assert auth.logout().status_code == 302
    assert "Sign in" in archivist.get("/").get_data(as_text=True)
    assert archivist.get("/records/new").status_code == 302


def test_sessions_expire(app, client, auth):
    import datetime as dt
    assert app.permanent_session_lifetime == dt.timedelta(hours=8)
    auth.add_user("ada", "archivist")
    clock = app.extensions["archive"].clock
    clock.set(clock.datetime())
    auth.login("ada")
    assert "ada (archivist)" in client.get("/").get_data(as_text=True)
    clock.advance(hours=8, seconds=1)  # the signed time inside the cookie runs out
    assert "ada (archivist)" not in client.get("/").get_data(as_text=True)
    assert client.get("/records/new").status_code == 302


@pytest.mark.parametrize("url", ["/records/new", "/people/new", "/users"])
def test_anonymous_is_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_researchers_may_not_edit(client, auth, save):
    record = save(title="Letter")
    auth.sign_in_as("researcher", "rita")
    for url in ("/records/new", f"/records/{record['id']}/edit", f"/records/{record['id']}/history",
                f"/records/{record['id']}/delete", "/people/new", "/users"):
        assert client.get(url).status_code == 403, url
    assert client.post("/records/new", data=record_form()).status_code == 403
    assert "New record" not in client.get("/").get_data(as_text=True)


def test_admin_manages_users(app, client, auth):
    auth.sign_in_as("admin", "root")
    response = client.post("/users", data={"add-username": "newbie", "add-password": "short",
                                           "add-role": "researcher", "add-add": "Add user"})
    assert response.status_code == 400 and "at least 10 characters" in response.get_data(as_text=True)
    response = client.post("/users", data={"add-username": "newbie", "add-password": "long enough secret",
                                           "add-role": "researcher", "add-add": "Add user"})
    assert response.status_code == 302
    client.post("/users/newbie/role", data={"role-newbie-role": "archivist"})
    client.post("/users/newbie/password", data={"pw-newbie-password": "another long secret"})
    with app.app_context():
        assert accounts.authenticate(get_db(), "newbie", "another long secret").role == "archivist"
    # adding a name that exists changes nothing
    response = client.post("/users", data={"add-username": "newbie", "add-password": "a third long secret",
                                           "add-role": "admin", "add-add": "Add user"})
    assert response.status_code == 400 and "is taken" in response.get_data(as_text=True)
    with app.app_context():
        assert accounts.authenticate(get_db(), "newbie", "another long secret").role == "archivist"
    # the last admin keeps the role
    client.post("/users/root/role", data={"role-root-role": "researcher"})
    with app.app_context():
        assert store.get_user(get_db(), "root")["role"] == "admin"


def test_csrf_is_enforced_on_the_forms(sample_app):
    client = sample_app.test_client()
    response = client.post("/login", data={"username": "x", "password": "y"})
    assert response.status_code == 400 and "The sign-in form had expired" in response.get_data(as_text=True)
    assert client.post("/logout").status_code == 400
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"username": "x", "password": "wrong password", "csrf_token": token})
    assert response.status_code == 401


# --- the record form -------------------------------------------------------------------------------

def test_form_has_a_label_for_every_field(archivist):
    page = archivist.get("/records/new").get_data(as_text=True)
    for label in ("Title", "Type", "Date", "Period", "Summary", "Text", "Languages", "Subjects",
                  "Collection", "Inventory number", "Source citation", "Source URL", "Source repository",
                  "Rights", "Access", "Embargo until", "People", "Events", "Places"):
        assert re.search(rf'<label for="[a-z_]+">{label}</label>', page), label
    assert 'value="Save"' in page and "EDTF" in page
    # no label holds another (browser tests and screen-reader searches match labels as substrings)
    labels = re.findall(r'<label for="[^"]+">([^<]+)</label>', page)
    for label in labels:
        assert [other for other in labels if label.casefold() in other.casefold()] == [label], label


def test_invalid_form_keeps_everything_typed_and_saves_nothing(archivist, home):
    before = store.count_records(home.db, SYSTEM)
    response = archivist.post("/records/new", data=record_form(
        title="", text="My <b>long</b> testimony", date="circa 1975", period="1975-1979",
        people="Kem Sokha | boss", subjects="exile\nelections", embargo_until="2030-02-31"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This field is required." in page
    assert "Did you mean 1975~?" in page and 'value="1975~"' in page
    assert "Did you mean 1975/1979?" in page
    assert "line 1: role must be one of" in page
    assert "must be a day, YYYY-MM-DD" in page
    assert "My &lt;b&gt;long&lt;/b&gt; testimony" in page and "exile\nelections" in page
    assert store.count_records(home.db, SYSTEM) == before


def test_a_suggested_date_is_taken_with_one_click(archivist):
    response = archivist.post("/records/new", data=record_form(date="circa 1975", use_date="1975~",
                                                               save=""))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r'<input[^>]*id="date"[^>]*value="1975~"', page)


def test_new_names_are_created_only_after_confirming(archivist, home, save):
    save(title="Other", places=[{"name": "Long Beach, California"}])
    form = record_form(text="Words.", people="Ms. Newperson | narrator", places="long beach california | written at")
    response = archivist.post("/records/new", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "New to the archive" in page and "Ms. Newperson" in page
    assert store.find_by_name(home.db, "person", "Ms. Newperson", SYSTEM) is None
    assert store.count_records(home.db, SYSTEM) == 1
    response = archivist.post("/records/new", data={**form, "create_new": "y"})
    assert response.status_code == 302
    record_id = response.headers["Location"].split("/")[2]
    record = store.get_record(home.db, record_id, SYSTEM)
    assert [(p["name"], p["role"]) for p in record["people"]] == [("Ms. Newperson", "narrator")]
    assert [(p["name"], p["role"]) for p in record["places"]] == [("Long Beach, California", "written_at")]
    # searchable at once
    hits = archivist.get("/search.json?q=Newperson").get_json()["hits"]
    assert [h["id"] for h in hits] == [record_id]


def test_every_field_is_saved_and_shown_again(archivist, home):
    form = record_form(title="Interview with a survivor", type="interview", date="1981~", period="1975/1979",
                       summary="Summary", text="First.\n\nSecond.", language="en, km", subjects="exile\nfamily",
                       collection="Diaspora", accession="DL-1", source_citation="Cited", source_url="https://x.org",
                       source_repository="Repo", rights="CC BY", access="restricted", embargo_until="2031-01-01")
    response = archivist.post("/records/new", data=form)
    record_id = response.headers["Location"].split("/")[2]
    record = store.get_record(home.db, record_id, SYSTEM)
    assert record["language"] == ["en", "km"] and record["subjects"] == ["exile", "family"]
    assert record["source"] == {"citation": "Cited", "url": "https://x.org", "repository": "Repo"}
    assert (record["type"], record["date"], record["period"], record["access"], record["embargo_until"]) == (
        "interview", "1981~", "1975/1979", "restricted", "2031-01-01")
    page = archivist.get(f"/records/{record_id}/edit").get_data(as_text=True)
    for shown in ('value="1981~"', 'value="en, km"', "exile\nfamily", 'value="2031-01-01"', "First.\n\nSecond."):
        assert shown in page


def test_an_edit_on_top_of_another_is_refused_without_losing_it(archivist, save):
    record = save(title="First title")
    form = record_form(title="Mine", base_revision="1")
    save(id=record["id"], title="Theirs")  # someone else saved revision 2 meanwhile
    response = archivist.post(f"/records/{record['id']}/edit", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and 'value="Mine"' in page and "Someone saved this record" in page
    assert archivist.post(f"/records/{record['id']}/edit", data={**form, "base_revision": "2"}).status_code == 302



@pytest.mark.parametrize("kind", ["record", "person"])
def test_an_edit_that_does_not_say_which_revision_it_edits_saves_nothing(archivist, save, home, kind):
    record = save(title="First title", people=[{"name": "Kem Sokha"}])
    if kind == "record":
        url, form = f"/records/{record['id']}/edit", record_form(title="Mine")
        saved = lambda: store.get_record(home.db, record["id"], SYSTEM)["title"]  # noqa: E731
    else:
        url, form = f"/people/{record['people'][0]['id']}/edit", {"name": "Mine", "save": "Save"}
        saved = lambda: store.get_entity(home.db, "person", record["people"][0]["id"], SYSTEM)["name"]  # noqa: E731
    before = saved()
    for missing in ({}, {"base_revision": ""}, {"base_revision": "two"}):
        response = archivist.post(url, data={**form, **missing})
        page = response.get_data(as_text=True)
        assert response.status_code == 400, missing
        assert "did not say which revision" in page and 'value="Mine"' in page  # typed work kept
        assert saved() == before
    current = re.search(r'name="base_revision"[^>]*value="(\d+)"', page).group(1)
    assert archivist.post(url, data={**form, "base_revision": current}).status_code == 302
    assert saved() == "Mine"

# --- suggested links -------------------------------------------------------------------------------

SEED_NAMES = {"Justin C. Sok", "António Guterres", "Hun Sen", "Kem Sokha", "Sam Rainsy", "Hun Manet",
              "Kim Sok", "Donald Trump", "Long Beach, California", "Cambodia", "Khmer Rouge regime"}


def test_preview_suggests_links_for_the_seed_letter(sample_app):
    client = sample_app.test_client()
    AuthActions(client).sign_in_as("archivist", "ada")
    with sample_app.app_context():
        text = store.get_record(get_db(), "r-seed-letter", SYSTEM)["text"]
    token = csrf_token(client, "/records/new")
    response = client.post("/records/new", data={"csrf_token": token, "title": "Copy", "type": "open_letter",
                                                 "access": "private", "text": text, "preview": "Preview links"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    offered = set(re.findall(r'name="link" value="(\w+:[^"]+)"', page))
    for value in ("person:p-justin-c-sok", "person:p-antonio-guterres", "person:p-kem-sokha",
                  "person:p-hun-sen", "person:p-sam-rainsy", "place:l-long-beach-california",
                  "place:l-cambodia", "event:e-khmer-rouge-regime", "date:2017-10-04", "date:2017-09-03",
                  "date:2018-07", "date:1979", "date:1981"):
        assert value in offered, value
    assert "place:l-california" not in offered  # only inside "Long Beach, California"
    # ticking links them; the first date fills Date, the others the Period
    response = client.post("/records/new", data={
        "csrf_token": token, "title": "Copy", "type": "open_letter", "access": "private", "text": text,
        "link": ["person:p-kem-sokha", "place:l-cambodia", "event:e-khmer-rouge-regime",
                 "date:2017-10-04", "date:1979", "date:2017-09-03"], "save": "Save"})
    assert response.status_code == 302
    with sample_app.app_context():
        record = store.get_record(get_db(), response.headers["Location"].split("/")[2], SYSTEM)
    assert [p["id"] for p in record["people"]] == ["p-kem-sokha"]
    assert [p["id"] for p in record["places"]] == ["l-cambodia"]
    assert [e["id"] for e in record["events"]] == ["e-khmer-rouge-regime"]
    assert (record["date"], record["period"]) == ("2017-10-04", "1979/2017-09-03")
    # saved: the form lists what is left to link
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "person:p-hun-sen" in page and "person:p-kem-sokha" not in page


def test_found_names_and_dates():
    from archive import linking
    names = [{"kind": "person", "id": "p1", "name": "Kem Sokha", "matched": "Kem Sokha"},
             {"kind": "person", "id": "p1", "name": "Kem Sokha", "matched": "កឹម សុខា"},
             {"kind": "person", "id": "p2", "name": "Kim Sok", "matched": "Kim Sok"},
             {"kind": "person", "id": "p3", "name": "António Guterres", "matched": "António Guterres"}]
    found = linking.find_names("Antonio GUTERRES met Kim Sokha, not Kim Sok.", names)
    assert [f.id for f in found] == ["p3", "p2"]
    assert [f.id for f in linking.find_names("លោក កឹម សុខា", names)] == ["p1"]
    assert [d.edtf for d in linking.find_dates(
        "On 17 April 1975, in the 1970s; 3 Sept. 2017; 2018-07-29; 100, 200 people; $1500; July of 2018")] == [
        "1975-04-17", "197X", "2017-09-03", "2018-07-29", "2018-07"]
    assert linking.find_dates("in 1000 ways") == []
    assert linking.find_dates("ឆ្នាំ១៩៧៥") == [linking.FoundDate("1975", "១៩៧៥")]


# --- history, restore, delete, undo ----------------------------------------------------------------

def test_history_shows_changes_and_restores(archivist, save, home):
    record = save(title="First title", text="One.", people=[{"name": "Kem Sokha", "role": "mentioned"}])
    archivist.post(f"/records/{record['id']}/edit",
                   data=record_form(title="Second title", type="testimony", text="One.", people="Kem Sokha | author",
                                    base_revision="1"))
    page = archivist.get(f"/records/{record['id']}/history").get_data(as_text=True)
    assert "Revision 2 (current)" in page and "First title" in page and "Second title" in page
    assert "Kem Sokha (mentioned)" in page and "Kem Sokha (author)" in page
    response = archivist.post(f"/records/{record['id']}/history/1/restore")
    assert response.status_code == 302
    restored = store.get_record(home.db, record["id"], SYSTEM)
    assert (restored["title"], restored["revision"], restored["people"][0]["role"]) == (
        "First title", 3, "mentioned")
    assert "Revision 3 (current)" in archivist.get(f"/records/{record['id']}/history").get_data(as_text=True)
    assert archivist.get("/search.json?q=first").get_json()["total"] == 1


def test_delete_asks_then_keeps_a_tombstone_and_can_be_undone(archivist, save, home, client):
    record = save(title="Doomed letter")
    page = archivist.get(f"/records/{record['id']}/delete").get_data(as_text=True)
    assert "Delete" in page and store.get_record(home.db, record["id"], SYSTEM)
    response = archivist.post(f"/records/{record['id']}/delete")
    assert response.status_code == 302 and response.headers["Location"].endswith("/history")
    gone = archivist.get(f"/records/{record['id']}")  # archivists learn it was deleted (issue 15)
    assert gone.status_code == 410 and "was deleted" in gone.get_data(as_text=True)
    assert archivist.get("/search.json?q=doomed").get_json()["total"] == 0
    assert store.record_row(home.db, record["id"])["deleted_at"]
    assert "Undo delete" in archivist.get(f"/records/{record['id']}/history").get_data(as_text=True)
    assert archivist.post(f"/records/{record['id']}/undelete").status_code == 302
    assert archivist.get(f"/records/{record['id']}").status_code == 200
    assert archivist.get("/search.json?q=doomed").get_json()["total"] == 1


# --- authorities -----------------------------------------------------------------------------------

def test_person_form_saves_variants_and_dates(archivist, home):
    response = archivist.post("/people/new", data={"name": "Kem Sokha", "variants": "Kim Sokha\nកឹម សុខា",
                                                   "dates": "1953", "note": "", "save": "Save"})
    assert response.status_code == 302
    person_id = response.headers["Location"].split("/")[2]
    person = store.get_entity(home.db, "person", person_id, SYSTEM)
    assert person["variants"] == ["Kim Sokha", "កឹម សុខា"] and person["dates"] == "1953"
    assert f'href="/people/{person_id}/edit">Edit this person' in archivist.get(f"/people/{person_id}").get_data(as_text=True)
    assert 'href="/people/new">Add a person' in archivist.get("/people").get_data(as_text=True)
    response = archivist.post(f"/people/{person_id}/edit", data={"name": "Kem Sokha", "dates": "circa 1953",
                                                                 "save": "Save"})
    assert response.status_code == 400 and "Did you mean 1953~?" in response.get_data(as_text=True)


def test_event_form_with_places_and_part_of(archivist, home, save):
    save(title="x", places=[{"name": "Cambodia"}], events=[{"name": "Khmer Rouge regime"}])
    form = {"name": "Evacuation of Phnom Penh", "date": "1975-04-17", "places": "Cambodia\nPhnom Penh",
            "part_of": "Khmer Rouge regime", "save": "Save"}
    response = archivist.post("/events/new", data=form)
    assert response.status_code == 400 and "New to the archive" in response.get_data(as_text=True)
    response = archivist.post("/events/new", data={**form, "create_new": "y"})
    assert response.status_code == 302
    event = store.get_entity(home.db, "event", response.headers["Location"].split("/")[2], SYSTEM)
    assert [p["name"] for p in event["places"]] == ["Cambodia", "Phnom Penh"]
    assert event["part_of"] == store.find_by_name(home.db, "event", "Khmer Rouge regime", SYSTEM)
    response = archivist.post("/places/new", data={"name": "Nowhere", "lat": "123", "save": "Save"})
    assert response.status_code == 400 and "between -90 and 90" in response.get_data(as_text=True)


def test_merging_people_moves_links_and_redirects(archivist, save, home):
    a = save(title="Letter A", people=[{"name": "Kem Sokha", "role": "mentioned"}])
    b = save(title="Letter B", people=[{"name": "Kem Sokhaa", "role": "author"}])
    keep, old = a["people"][0]["id"], b["people"][0]["id"]
    preview = archivist.post(f"/people/{old}/merge", data={"into": "Kem Sokha"}).get_data(as_text=True)
    assert "move 1 record to it" in preview and "Letter B" in preview and store.entity_row(home.db, "person", old)
    response = archivist.post(f"/people/{old}/merge", data={"into": "Kem Sokha", "confirm": keep})
    assert response.status_code == 302 and response.headers["Location"] == f"/people/{keep}"
    assert archivist.get(f"/people/{old}").status_code == 301
    response = archivist.get(f"/people/{old}/edit")
    assert response.status_code == 301 and response.headers["Location"] == f"/people/{keep}/edit"
    assert store.get_record(home.db, b["id"], SYSTEM)["people"] == [
        {"id": keep, "name": "Kem Sokha", "role": "author"}]
    assert "Kem Sokhaa" in store.get_entity(home.db, "person", keep, SYSTEM)["variants"]
    # the old spelling still finds the record, through the kept person
    ids = {h["id"] for h in archivist.get("/search.json?q=person:Sokhaa").get_json()["hits"]}
    assert b["id"] in ids
    assert archivist.post(f"/people/{keep}/merge", data={"into": keep}).status_code == 400


def test_every_address_of_a_merged_person_leads_to_the_one_kept(app, home, save):
    a = save(title="Letter A", people=[{"name": "Kem Sokha", "role": "mentioned"}])
    b = save(title="Letter B", people=[{"name": "Kem Sokhaa", "role": "author"}])
    keep, old = a["people"][0]["id"], b["people"][0]["id"]
    merges.merge_entities(home.db, home.index, "person", old, keep, user="test")
    client = app.test_client()  # anyone: the page, its JSON and its JSON-LD alike
    for suffix in ("", ".json", ".jsonld"):
        response = client.get(f"/people/{old}{suffix}")
        assert response.status_code == 301, suffix
        assert response.headers["Location"] == f"/people/{keep}{suffix}"
        assert client.get(response.headers["Location"]).status_code == 200
    assert client.get("/people/p-nobody.jsonld").get_json() == {
        "ok": False, "error": "No person p-nobody.", "status": 404}


def test_merging_places_and_events(home, app, save):
    index = app.extensions["archive"].index
    r = save(title="x", places=[{"name": "Phnom Penh"}, {"name": "Phnom-Penh city"}],
             events=[{"name": "KR regime"}, {"name": "Khmer Rouge regime"}])
    p_keep, p_old = (p["id"] for p in r["places"])
    e_old, e_keep = (e["id"] for e in r["events"])
    records.save_entity(home.db, index, "event", {"id": e_old, "name": "KR regime", "places": [{"id": p_old}]})
    merges.merge_entities(home.db, index, "place", p_old, p_keep)
    merges.merge_entities(home.db, index, "event", e_old, e_keep)
    record = store.get_record(home.db, r["id"], SYSTEM)
    assert [p["id"] for p in record["places"]] == [p_keep] and [e["id"] for e in record["events"]] == [e_keep]
    assert store.get_entity(home.db, "event", e_keep, SYSTEM)["places"] == [{"id": p_keep, "name": "Phnom Penh"}]
    assert store.redirect_target(home.db, "event", e_old) == e_keep
    assert not find_drift(index, records.IndexSource(home.db)).any


# --- /suggest --------------------------------------------------------------------------------------

def test_suggest_offers_names_and_variants(client, save):
    save(title="x", people=[{"name": "Kem Sokha"}])
    records_ = client.get("/suggest?q=kem&kind=person").get_json()
    assert records_ == [{"id": records_[0]["id"], "name": "Kem Sokha", "kind": "person"}]
    assert client.get("/suggest?q=sokha&kind=person").get_json()[0]["name"] == "Kem Sokha"
    assert client.get("/suggest?q=kem&kind=place").get_json() == []
    assert client.get("/suggest?q=%25&kind=person").get_json() == []
    response = client.get("/suggest?q=kem&kind=nonsense")
    assert response.status_code == 400 and response.get_json()["ok"] is False


def test_people_have_history_and_restore(archivist, save, home):
    record = save(title="x", people=[{"name": "Kem Sokha"}])
    person = record["people"][0]["id"]
    archivist.post(f"/people/{person}/edit", data={"name": "Kem Sokha", "variants": "Kim Sokha", "save": "Save",
                                                   "base_revision": "1"})
    page = archivist.get(f"/people/{person}/history").get_data(as_text=True)
    assert "Revision 2 (current)" in page and "Kim Sokha" in page
    assert archivist.post(f"/people/{person}/history/1/restore").status_code == 302
    assert store.get_entity(home.db, "person", person, SYSTEM)["variants"] == []
    assert archivist.get("/search.json?q=person:Kim Sokha").get_json()["total"] == 0


def test_merging_gives_the_moved_records_a_revision(archivist, save, home):
    a = save(title="Letter A", people=[{"name": "Kem Sokha"}])
    b = save(title="Letter B", people=[{"name": "K. Sokha"}])
    merges.merge_entities(home.db, archivist.application.extensions["archive"].index, "person",
                           b["people"][0]["id"], a["people"][0]["id"], "ada")
    page = archivist.get(f"/records/{b['id']}/history").get_data(as_text=True)
    assert "Revision 2 (current)" in page and "K. Sokha (mentioned)" in page and "Kem Sokha (mentioned)" in page


def test_khmer_in_a_form_field_carries_lang(archivist, save):
    record = save(title="សេចក្ដីប្រកាស", text="មនុស្សទាំងអស់")
    page = archivist.get(f"/records/{record['id']}/edit").get_data(as_text=True)
    assert re.search(r'<input[^>]*id="title"[^>]*lang="km"|<input[^>]*lang="km"[^>]*id="title"', page)


def test_an_old_database_gains_the_sign_in_table(tmp_path):
    path = tmp_path / "old.db"
    db = store.connect(path)
    db.conn.executescript(store.MIGRATIONS[0])
    db.execute("PRAGMA user_version = 1")
    assert store.create_tables(db) == 1
    assert "sign_in_failures" in db.table_names()
    assert db.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION
    db.close()


def test_cli_user_add_then_sign_in(runner, auth):
    result = runner.invoke(args=["user", "add", "cleo", "--role", "archivist", "--password-stdin"],
                           input="a long enough password\n")
    assert result.exit_code == 0, result.output
    assert auth.login("cleo").status_code == 302
    result = runner.invoke(args=["user", "add", "cleo", "--role", "archivist", "--password-stdin"],
                           input="short\n")
    assert result.exit_code != 0 and "at least 10 characters" in result.output


def test_a_form_sent_after_the_session_ended_keeps_what_was_typed(sample_app):
    client = sample_app.test_client()
    auth = AuthActions(client)
    auth.add_user("ada", "archivist")
    typed = {"title": "Hours of typing", "type": "testimony", "access": "private",
             "text": "A long <testimony>.", "save": "Save", "base_revision": "1"}
    # signed out meanwhile: no session, so no valid token
    response = client.post("/records/r-seed-letter/edit", data={**typed, "csrf_token": "stale"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Nothing was saved" in page and "Sign in in a new tab" in page
    assert 'value="Hours of typing"' in page and "A long &lt;testimony&gt;." in page
    assert "The Cambodian people" not in page  # nothing of the stored record for a signed-out sender
    # signing in again (in another tab) starts a new session: the next Save is refused once more, and
    # the form comes back again, with a token that now works
    signed_in = auth.login("ada")
    assert signed_in.status_code == 302, signed_in.get_data(as_text=True)
    response = client.post("/records/r-seed-letter/edit", data={**typed, "csrf_token": re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Press Save again" in page and 'value="Hours of typing"' in page
    response = client.post("/records/r-seed-letter/edit", data={**typed, "csrf_token": re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)})
    assert response.status_code == 302
    with sample_app.app_context():
        assert store.get_record(get_db(), "r-seed-letter", SYSTEM)["title"] == "Hours of typing"


def test_csrf_applies_to_the_record_form(sample_app):
    client = sample_app.test_client()
    AuthActions(client).sign_in_as("archivist", "ada")
    response = client.post("/records/new", data=record_form(title="No token"))
    assert response.status_code == 400
    with sample_app.app_context():
        assert store.count_records(get_db(), SYSTEM) == SAMPLE_RECORDS


def test_a_merge_that_would_make_a_cycle_is_refused_on_the_form(app, client, archivist, home):
    index = app.extensions["archive"].index
    records.save_entity(home.db, index, "event", {"id": "e-b", "name": "War"})
    records.save_entity(home.db, index, "event", {"id": "e-a", "name": "Battle", "part_of": "e-b"})
    records.save_entity(home.db, index, "event", {"id": "e-c", "name": "Skirmish", "part_of": "e-a"})
    response = client.post("/events/e-b/merge", data={"into": "e-c", "confirm": "e-c"})
    assert response.status_code == 400 and "part of itself" in response.get_data(as_text=True)
    assert store.entity_row(home.db, "event", "e-b") is not None  # nothing merged
