"""Subjects and collections lead somewhere (issue 15, item 10; the access facet of item 4): browse
pages with counts of what the viewer may see, and `subject`, `collection` and `access` filters and
facets in search."""
import pytest


@pytest.fixture
def shelves(save):
    made = {
        "a": save(title="Letter A", subjects=["Elections", "Refugees"], collection="Diaspora letters"),
        "b": save(title="Letter B", subjects=["elections"], collection="Diaspora letters"),
        "c": save(title="Talk C", subjects=["Refugees, camps", "ខ្មែរក្រហម"], collection="Oral histories"),
        "r": save(title="Restricted R", subjects=["Elections", "Secret ballots"], collection="Oral histories",
                  access="restricted"),
        "p": save(title="Private P", subjects=["Hidden subject"], collection="Closed files", access="private"),
        "e": save(title="Embargoed E", subjects=["Embargoed subject"], collection="Embargoed files",
                  embargo_until="2999-01-01"),
    }
    return made


def facet(found: dict, name: str) -> dict[str, int]:
    return {item.get("label", item["value"]): item["count"] for item in found["facets"].get(name, [])}


def titles(client, **params) -> set[str]:
    return {h["title"] for h in client.get("/search.json", query_string=params).get_json()["hits"]}


def test_the_subjects_page_counts_what_a_visitor_may_see(client, shelves):
    page = client.get("/subjects").get_data(as_text=True)
    assert 'href="/subjects/elections"' in page and 'href="/subjects/refugees"' in page
    assert "Elections" in page and ">2<" in page  # "Elections" and "elections" are one subject
    assert 'href="/subjects/refugees-camps"' in page
    assert "ខ្មែរក្រហម" in page
    for hidden in ("Secret ballots", "Hidden subject", "Embargoed subject"):
        assert hidden not in page


def test_a_subject_page_lists_its_visible_records(client, auth, shelves):
    page = client.get("/subjects/elections").get_data(as_text=True)
    assert "Letter A" in page and "Letter B" in page and "Restricted R" not in page
    assert "/search?subject=" in page  # a way on into the search
    assert client.get("/subjects/secret-ballots").status_code == 404  # as a missing one
    assert client.get("/subjects/hidden-subject").status_code == 404
    assert client.get("/subjects/nothing-here").status_code == 404
    assert client.get("/subjects/ខ្មែរក្រហម").status_code == 200
    auth.sign_in_as("researcher")
    page = client.get("/subjects/elections").get_data(as_text=True)
    assert "Restricted R" in page and "3 records" in page
    assert client.get("/subjects/secret-ballots").status_code == 200
    assert client.get("/subjects/hidden-subject").status_code == 404


def test_collections_are_browsed_the_same_way(client, auth, shelves):
    page = client.get("/collections").get_data(as_text=True)
    assert 'href="/collections/diaspora-letters"' in page and 'href="/collections/oral-histories"' in page
    assert "Closed files" not in page and "Embargoed files" not in page
    one = client.get("/collections/oral-histories").get_data(as_text=True)
    assert "Talk C" in one and "Restricted R" not in one
    assert client.get("/collections/closed-files").status_code == 404
    auth.sign_in_as("archivist")
    assert "Closed files" in client.get("/collections").get_data(as_text=True)
    assert "Private P" in client.get("/collections/closed-files").get_data(as_text=True)


@pytest.mark.parametrize("value", ["Elections", "elections", "ELECTIONS"])
def test_the_subject_filter_takes_a_subject_in_any_case_or_its_slug(client, shelves, value):
    assert titles(client, subject=value) == {"Letter A", "Letter B"}


def test_subject_and_collection_filters_narrow_and_combine(client, shelves):
    assert titles(client, subject="refugees-camps") == {"Talk C"}
    assert titles(client, subject="Refugees, camps") == {"Talk C"}
    assert titles(client, collection="Diaspora letters") == {"Letter A", "Letter B"}
    assert titles(client, collection="oral-histories") == {"Talk C"}
    assert titles(client, collection="Diaspora letters", subject="Refugees") == {"Letter A"}
    assert titles(client, subject="Secret ballots") == set()  # hidden: no hint it exists
    found = client.get("/search", query_string={"subject": "Nothing known"}).get_data(as_text=True)
    assert "No records found" in found


def test_subject_and_collection_facets_count_visible_records(client, shelves):
    found = client.get("/search.json").get_json()
    assert facet(found, "subject") == {"Elections": 2, "Refugees": 1, "Refugees, camps": 1, "ខ្មែរក្រហម": 1}
    assert facet(found, "collection") == {"Diaspora letters": 2, "Oral histories": 1}
    assert "access" not in found["facets"]  # a visitor sees public records only
    page = client.get("/search").get_data(as_text=True)
    assert "<h3>Subject</h3>" in page and "<h3>Collection</h3>" in page and "<h3>Access</h3>" not in page


def test_the_access_facet_and_filter_are_for_those_who_see_more(client, auth, shelves):
    auth.sign_in_as("researcher")
    found = client.get("/search.json").get_json()
    assert facet(found, "access") == {"public": 3, "restricted": 1}
    assert titles(client, access="restricted") == {"Restricted R"}
    assert "<h3>Access</h3>" in client.get("/search").get_data(as_text=True)
    auth.logout()
    auth.sign_in_as("archivist", "archie")
    found = client.get("/search.json").get_json()
    assert facet(found, "access") == {"public": 4, "restricted": 1, "private": 1}
    assert titles(client, access="private") == {"Private P"}
    assert titles(client, access="Private") == {"Private P"}


def test_an_anonymous_access_filter_finds_only_what_may_be_seen(client, shelves):
    assert titles(client, access="private") == set()
    assert titles(client, access="public") == {"Letter A", "Letter B", "Talk C"}


def test_the_record_page_links_its_subjects_and_collection(client, shelves):
    page = client.get(f"/records/{shelves['a']['id']}").get_data(as_text=True)
    assert 'href="/subjects/elections"' in page and 'href="/collections/diaspora-letters"' in page


def test_the_sample_subjects_and_collections(sample_app):
    client = sample_app.test_client()
    assert 'href="/subjects/political-prisoners"' in client.get("/subjects").get_data(as_text=True)
    page = client.get("/collections/diaspora-letters").get_data(as_text=True)
    assert "The Cambodian people should no longer be left behind" in page


def test_spellings_of_one_subject_count_each_record_once(home, save):
    """A slug's spellings are counted by SQLite per spelling; a record carrying two of them counts
    once, and the commonest spelling names the subject."""
    from archive import store
    from archive.access import ANONYMOUS

    save(title="Both", subjects=["Refugees", "refugees"])
    save(title="One", subjects=["Refugees"])
    save(title="Shout", subjects=["REFUGEES", "Elections"])
    found = {label["slug"]: label for label in store.labels(home.db, "subject", ANONYMOUS)}
    assert found["refugees"] == {"slug": "refugees", "name": "Refugees", "count": 3,
                                 "spellings": ["Refugees", "REFUGEES", "refugees"]}
    assert found["elections"]["count"] == 1
    assert store.label_names(home.db, "subject", ANONYMOUS)["refugees"] == "Refugees"
