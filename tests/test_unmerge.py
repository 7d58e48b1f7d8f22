"""Undoing a merge of people, events or places (issue 15, item 5): the merged authority comes back
with its id, names and exactly its record and segment links; database and index in step; refused
when what the merge changed was changed again since."""
from __future__ import annotations

import pytest

from archive import merges, records, revising, store
from archive.access import SYSTEM
from archive.index import find_drift


@pytest.fixture
def archivist(client, auth):
    auth.sign_in_as("archivist", "ada")
    return client


def links(db) -> dict:
    """Every record link and segment link of every record, as the database holds them."""
    found = {}
    for row in db.query("SELECT id FROM records ORDER BY id"):
        record = store.get_record(db, row["id"], SYSTEM)
        found[row["id"]] = {
            "people": [(p["id"], p["role"]) for p in record["people"]],
            "segments": [[p["id"] for p in seg["people"]] for seg in record["segments"]]}
    found["segment_links"] = sorted(tuple(r) for r in db.execute("SELECT * FROM segment_links"))
    return found


def people_found(client, name: str) -> set[str]:
    return {h["id"] for h in client.get(f"/search.json?q=person:\"{name}\"").get_json()["hits"]}


@pytest.fixture
def two(home, save):
    """Kem Sokha (kept) and Kem Sokhaa (merged away, with a variant), linked as records and a
    segment name them: r-a only the kept one, r-b both, r-c the old one as author and in a segment."""
    keep = records.save_entity(home.db, home.index, "person", {"id": "p-keep", "name": "Kem Sokha",
                                                               "variants": ["Sokha K."]})["id"]
    old = records.save_entity(home.db, home.index, "person", {"id": "p-old", "name": "Kem Sokhaa",
                                                              "variants": ["ខឹម សុខា"], "note": "born 1953"})["id"]
    save(id="r-a", title="Letter A", people=[{"id": keep, "role": "mentioned"}])
    save(id="r-b", title="Letter B", people=[{"id": old, "role": "author"}, {"id": keep, "role": "mentioned"}])
    save(id="r-c", title="Letter C", people=[{"id": old, "role": "author"}],
         segments=[{"start": 0, "end": 5, "title": "Youth", "people": [{"id": old}]}])
    return keep, old


def test_undo_brings_back_the_merged_person_exactly(app, home, two):
    keep, old = two
    before = links(home.db)
    kept_before = store.get_entity(home.db, "person", keep, SYSTEM)
    old_before = store.get_entity(home.db, "person", old, SYSTEM)
    merges.merge_entities(home.db, home.index, "person", old, keep, user="ada")
    assert links(home.db)["r-c"]["segments"] == [[keep]]
    assert merges.merged_into(home.db, "person", old) == keep

    back = merges.unmerge_entities(home.db, home.index, "person", old, keep, user="ada")
    assert back == old_before
    assert store.get_entity(home.db, "person", keep, SYSTEM) == kept_before
    assert links(home.db) == before
    assert store.redirect_target(home.db, "person", old) is None
    assert merges.merged_into(home.db, "person", old) is None
    assert app.test_client().get(f"/people/{old}").status_code == 200
    # the index follows: the old names find the old one's records only, the kept one's its own
    client = app.test_client()
    assert people_found(client, "ខឹម សុខា") == {"r-b", "r-c"}
    assert people_found(client, "Sokha K.") == {"r-a", "r-b"}
    assert not find_drift(home.index, records.IndexSource(home.db)).any
    # every record touched, the kept one and the old one carry a revision saying so
    for kind, entity_id in (("record", "r-b"), ("record", "r-c"), ("person", keep), ("person", old)):
        last = store.revisions(home.db, kind, entity_id)[-1]["data"]
        assert (last["unmerged"], last["unmerged_from"]) == (old, keep), entity_id
    assert store.revisions(home.db, "record", "r-a")[-1]["revision"] == 1  # never touched


def test_undo_is_refused_when_unsafe(home, two, save):
    keep, old = two
    merges.merge_entities(home.db, home.index, "person", old, keep)
    # a record the merge moved had its people edited since
    records.save_record(home.db, home.index, {**records.record_input(store.get_record(home.db, "r-c", SYSTEM)),
                                              "id": "r-c", "people": []})
    with pytest.raises(records.ValidationError) as refused:
        merges.unmerge_entities(home.db, home.index, "person", old, keep)
    assert "The person links of record r-c were changed since the merge." in str(refused.value.errors)
    assert store.entity_row(home.db, "person", old) is None  # nothing written
    assert store.redirect_target(home.db, "person", old) == keep
    # the kept one merged again, into a third
    revising.restore_record(home.db, home.index, "r-c", 2)
    third = records.save_entity(home.db, home.index, "person", {"id": "p-third", "name": "Sokha"})["id"]
    merges.merge_entities(home.db, home.index, "person", keep, third)
    with pytest.raises(records.ValidationError) as refused:
        merges.unmerge_entities(home.db, home.index, "person", old, keep)
    assert "p-keep was itself merged into p-third since; undo that merge first." in str(refused.value.errors)
    merges.unmerge_entities(home.db, home.index, "person", keep, third)
    merges.unmerge_entities(home.db, home.index, "person", old, keep)  # now it can
    assert store.get_entity(home.db, "person", old, SYSTEM)["name"] == "Kem Sokhaa"
    assert not find_drift(home.index, records.IndexSource(home.db)).any


def test_undo_is_refused_when_the_kept_one_took_a_merged_name(home, two):
    keep, old = two
    merges.merge_entities(home.db, home.index, "person", old, keep)
    records.save_entity(home.db, home.index, "person", {"id": keep, "name": "Kem Sokhaa",
                                                        "variants": ["Sokha K.", "Kem Sokha"]})
    with pytest.raises(records.ValidationError) as refused:
        merges.unmerge_entities(home.db, home.index, "person", old, keep)
    assert "a name the merge brought" in str(refused.value.errors)


def test_undo_of_a_place_merge_gives_events_their_place_back(home, save):
    r = save(title="x", places=[{"name": "Phnom Penh"}, {"name": "Phnom-Penh city"}])
    p_keep, p_old = (p["id"] for p in r["places"])
    event = records.save_entity(home.db, home.index, "event", {"name": "Evacuation", "places": [{"id": p_old}]})
    child = records.save_entity(home.db, home.index, "place", {"name": "Tuol Sleng", "part_of": p_old})
    merges.merge_entities(home.db, home.index, "place", p_old, p_keep)
    assert store.get_entity(home.db, "event", event["id"], SYSTEM)["places"][0]["id"] == p_keep
    merges.unmerge_entities(home.db, home.index, "place", p_old, p_keep)
    assert store.get_entity(home.db, "event", event["id"], SYSTEM)["places"] == [{"id": p_old,
                                                                                  "name": "Phnom-Penh city"}]
    assert store.get_entity(home.db, "place", child["id"], SYSTEM)["part_of"] == p_old
    assert [p["id"] for p in store.get_record(home.db, r["id"], SYSTEM)["places"]] == [p_keep, p_old]
    assert not find_drift(home.index, records.IndexSource(home.db)).any


def test_undo_through_the_pages(archivist, home, two):
    keep, old = two
    response = archivist.post(f"/people/{old}/merge", data={"into": keep, "confirm": keep},
                              follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Undo this merge" in page and f'action="/people/{keep}/merges/{old}/undo"' in page
    history = archivist.get(f"/people/{keep}/history").get_data(as_text=True)
    assert f'action="/people/{keep}/merges/{old}/undo"' in history
    response = archivist.post(f"/people/{keep}/merges/{old}/undo")
    assert response.status_code == 302 and response.headers["Location"] == f"/people/{old}"
    page = archivist.get(f"/people/{old}").get_data(as_text=True)
    assert "The merge was undone" in page
    history = archivist.get(f"/people/{keep}/history").get_data(as_text=True)
    assert "Merge undone: p-old is separate from p-keep again." in history and "/undo" not in history
    assert archivist.get(f"/records/r-c/history").get_data(as_text=True).count("Merge undone") == 1
    # again: nothing to undo
    assert archivist.post(f"/people/{keep}/merges/{old}/undo").status_code == 404


def test_undo_refused_on_the_page_says_why(archivist, home, two, client, auth):
    keep, old = two
    merges.merge_entities(home.db, home.index, "person", old, keep)
    records.save_record(home.db, home.index, {**records.record_input(store.get_record(home.db, "r-c", SYSTEM)),
                                              "id": "r-c", "people": []})
    response = archivist.post(f"/people/{keep}/merges/{old}/undo", follow_redirects=True)
    assert "The merge cannot be undone" in response.get_data(as_text=True)
    assert "r-c" in response.get_data(as_text=True)
    auth.logout()
    auth.sign_in_as("researcher")
    assert client.post(f"/people/{keep}/merges/{old}/undo").status_code == 403


# --- issue 15, item 8: each link field's new names beside it ------------------------------------------

def test_new_names_are_confirmed_under_their_own_field(archivist, home):
    form = {"title": "A letter", "type": "open_letter", "access": "public", "save": "Save",
            "people": "Sokunthea Vann | narrator", "places": "Nowhere Town"}
    page = archivist.post("/records/new", data=form).get_data(as_text=True)
    # the people's new names right after the People field, before Events; the places' after Places
    assert (page.index('id="people"') < page.index('id="new-person"') < page.index('<label for="events"')
            < page.index('id="places"') < page.index('id="new-place"'))
    assert 'aria-describedby="new-person people-help" data-suggest="person" id="people"' in page
    assert 'aria-describedby="events-help" data-suggest="event"' in page  # no new event: no box
    assert "<legend>New to the archive:</legend>" in page and "Create these people" in page
    # ticking only the people's box does not create the place
    response = archivist.post("/records/new", data={**form, "create_person": "y"})
    assert response.status_code == 400 and store.find_by_name(home.db, "place", "Nowhere Town", SYSTEM) is None
    response = archivist.post("/records/new", data={**form, "create_person": "y", "create_place": "y"})
    assert response.status_code == 302
    assert store.find_by_name(home.db, "person", "Sokunthea Vann", SYSTEM)
