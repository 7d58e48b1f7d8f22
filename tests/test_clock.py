"""The one clock: tests set it and move it on instead of sleeping, and every part reads it (the write
path's stamps, the store's and the index's embargo day, the sign-in pause, citations, sessions)."""
from archive import accounts
from archive.views.common import get_db

PASSWORD = "a long enough password"


def test_saves_are_stamped_by_the_clock(home, save):
    home.clock.set("2026-11-27T10:00:00Z")
    record = save(title="Stamped")
    assert record["created_at"] == record["updated_at"] == "2026-11-27T10:00:00Z"
    home.clock.advance(days=1)
    assert save(id=record["id"], title="Stamped again")["updated_at"] == "2026-11-28T10:00:00Z"


def test_an_embargo_lifts_on_its_day_in_the_store_and_the_index(home, client, canaries):
    embargoed = canaries["embargoed"]  # public, embargoed until 2999-12-31

    def found():
        return {h["id"] for h in client.get("/search.json?q=canary").get_json()["hits"]}
    assert client.get(f"/records/{embargoed['id']}").status_code == 404
    assert embargoed["id"] not in found()
    home.clock.set("2999-12-30")  # an embargo ends when its day comes
    assert client.get(f"/records/{embargoed['id']}").status_code == 404
    home.clock.advance(days=1)
    assert client.get(f"/records/{embargoed['id']}").status_code == 200
    assert embargoed["id"] in found()


def test_a_citation_is_accessed_today(home, client, save):
    record = save(title="Cited")
    home.clock.set("2031-02-03")
    assert "accessed 3 February 2031" in client.get(f"/records/{record['id']}").get_data(as_text=True)


def test_a_sign_in_pause_ends_when_the_window_has_passed(app, client):
    with app.app_context():
        accounts.add_user(get_db(), "ada", PASSWORD, "archivist")
    app.config.update(SIGN_IN_MAX_PER_USER=2)
    clock = app.extensions["archive"].clock
    clock.set("2026-11-27T10:00:00Z")
    for _ in range(2):
        client.post("/login", data={"username": "ada", "password": "wrong password!!"})
    assert client.post("/login", data={"username": "ada", "password": PASSWORD}).status_code == 429
    clock.advance(seconds=app.config["SIGN_IN_WINDOW"] - 1)
    assert client.post("/login", data={"username": "ada", "password": PASSWORD}).status_code == 429
    clock.advance(seconds=2)
    assert client.post("/login", data={"username": "ada", "password": PASSWORD}).status_code == 302
