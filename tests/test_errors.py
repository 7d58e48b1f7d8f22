"""Errors carry their status and one handler renders them: the JSON shape or the error page."""
from archive import accounts, records
from archive.views.common import get_db

PASSWORD = "a long enough password"


def signed_in_archivist(app, client):
    with app.app_context():
        accounts.add_user(get_db(), "ada", PASSWORD, "archivist")
    assert client.post("/login", data={"username": "ada", "password": PASSWORD}).status_code == 302
    return client


def test_a_guarded_page_sends_a_browser_to_sign_in_and_answers_json_with_401(client):
    assert client.get("/records/new").status_code == 302
    response = client.get("/records/new", headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert response.get_json() == {"ok": False, "error": "Sign in as one of the archivists to do this.",
                                   "status": 401}


def test_the_write_paths_errors_reach_the_page_with_their_status(app, client, home, save):
    record = save(title="Gone soon")
    records.delete_record(home.db, home.index, record["id"], user="test")
    archivist = signed_in_archivist(app, client)
    response = archivist.post(f"/records/{record['id']}/history/1/restore")
    assert response.status_code == 409 and "Undo the deletion first." in response.get_data(as_text=True)
    response = archivist.post(f"/records/{record['id']}/history/1/restore",
                              headers={"Accept": "application/json"})
    assert response.get_json() == {"ok": False, "error": "Undo the deletion first.", "status": 409}
    response = archivist.post("/records/r-none/undelete")
    assert response.status_code == 404 and "Record r-none is not deleted." in response.get_data(as_text=True)
    response = archivist.post("/people/p-none/history/1/restore", headers={"Accept": "application/json"})
    assert response.get_json() == {"ok": False, "error": "No person p-none.", "status": 404}


def test_a_wrong_method_names_the_allowed_ones(client):
    response = client.post("/search.json")
    assert response.status_code == 405 and "GET" in response.headers["Allow"]
    assert response.get_json()["status"] == 405
