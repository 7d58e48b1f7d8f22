"""The audit trail: views of records that are not public are logged and shown to archivists."""
from archive import store


def test_views_of_restricted_records_are_logged_and_shown(client, auth, home, save):
    secret = save(title="Restricted testimony", access="restricted")
    public = save(title="Public testimony", access="public")
    auth.sign_in_as("researcher", "rita")
    assert client.get(f"/records/{secret['id']}").status_code == 200
    assert client.get(f"/records/{secret['id']}.json").status_code == 200
    assert client.get(f"/records/{secret['id']}.jsonld").status_code == 200
    assert client.get(f"/records/{public['id']}").status_code == 200
    views = store.record_views(home.db, secret["id"])
    assert [(v["username"], v["role"], v["via"], v["access"]) for v in views] == [
        ("rita", "researcher", "jsonld", "restricted"), ("rita", "researcher", "json", "restricted"),
        ("rita", "researcher", "page", "restricted")]
    assert store.record_views(home.db, public["id"]) == []

    assert client.get(f"/records/{secret['id']}/history").status_code in (302, 403)  # not for researchers
    auth.sign_in_as("archivist", "ana")
    page = client.get(f"/records/{secret['id']}/history").get_data(as_text=True)
    assert "Who viewed this record" in page and "rita (researcher)" in page


def test_refused_views_are_not_logged_and_answer_404(client, home, save):
    secret = save(title="Private testimony", access="private")
    assert client.get(f"/records/{secret['id']}").status_code == 404
    assert store.record_views(home.db, secret["id"]) == []
