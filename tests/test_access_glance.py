"""Access at a glance (issue 15, item 4): badges on search results and record pages for those who may
see records that are not public, and a bulk change of access for a search's records (archivists),
confirmed first, CSRF-checked, each changed record a new revision."""
import re

import pytest

from archive import store
from archive.access import SYSTEM
from conftest import AuthActions


def badges(html: str) -> list[str]:
    return re.findall(r'<span class="badge (\w+)">([^<]*)</span>', html)


def test_archivists_see_badges_in_results_and_on_records(client, auth, canaries):
    auth.sign_in_as("archivist")
    found = badges(client.get("/search?q=canary").get_data(as_text=True))
    assert sorted(found) == [("embargoed", "Embargoed until 31 December 2999"), ("private", "private"),
                             ("restricted", "restricted")]
    assert badges(client.get(f"/records/{canaries['private']['id']}").get_data(as_text=True)) == [("private", "private")]
    assert badges(client.get(f"/records/{canaries['embargoed']['id']}").get_data(as_text=True))[0][0] == "embargoed"
    assert badges(client.get(f"/records/{canaries['public']['id']}").get_data(as_text=True)) == []


def test_researchers_see_the_badges_of_what_they_may_see_and_visitors_none(client, auth, canaries):
    assert badges(client.get("/search?q=canary").get_data(as_text=True)) == []
    auth.sign_in_as("researcher")
    assert badges(client.get("/search?q=canary").get_data(as_text=True)) == [("restricted", "restricted")]
    assert "bulk-access" not in client.get("/search?q=canary").get_data(as_text=True)
    assert client.get("/search/access?q=canary&set_access=public").status_code in (302, 403)


def test_bulk_access_change_is_confirmed_then_written_as_revisions(client, auth, canaries, home):
    auth.sign_in_as("archivist")
    page = client.get("/search?q=canary").get_data(as_text=True)
    assert 'action="/search/access"' in page and "Access of this search's 4 records" in page
    confirm = client.get("/search/access?q=canary&set_access=private").get_data(as_text=True)
    assert "This search matches 4 records." in confirm and "1 is private now" in confirm
    assert "3 records will become private, each a new revision." in confirm
    assert re.search(r'<form method="post" action="/search/access\?q=canary">', confirm)
    assert store.get_record(home.db, canaries["public"]["id"], SYSTEM)["access"] == "public"  # nothing yet
    response = client.post("/search/access?q=canary", data={"set_access": "private"}, follow_redirects=True)
    assert "Access changed to private for 3 records. 1 already was." in response.get_data(as_text=True)
    for level, record in canaries.items():
        now = store.get_record(home.db, record["id"], SYSTEM)
        assert now["access"] == "private"
        assert now["revision"] == (1 if level == "private" else 2)
    assert client.get("/search.json?q=canary").get_json()["total"] == 4  # the index followed
    visitor = AuthActions(client)
    visitor.logout()
    assert client.get("/search.json?q=canary").get_json()["total"] == 0


def test_bulk_access_needs_a_search_a_level_and_a_token(sample_app, save):
    client = sample_app.test_client()  # CSRF on
    auth = AuthActions(client)
    auth.sign_in_as("archivist")
    assert client.get("/search/access?set_access=private").status_code == 400  # not the whole archive
    assert client.get("/search/access?q=letter&set_access=secret").status_code == 400
    assert client.post("/search/access?q=letter", data={"set_access": "private"}).status_code == 400
    confirm = client.get("/search/access?q=guterres&set_access=restricted").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', confirm)[1]
    response = client.post("/search/access?q=guterres", data={"set_access": "restricted", "csrf_token": token})
    assert response.status_code == 302
    assert client.get("/search.json?q=guterres").get_json()["total"] >= 1
    assert "restricted" in client.get("/records/r-seed-letter").get_data(as_text=True)
