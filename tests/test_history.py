"""The history pages as archivists read them (issue 15, item 12): readable times, no empty revisions
(a Save with no change, a restore of what is there), restores, undeletes and merges named as such."""
import pytest

from archive import records, store
from archive.access import SYSTEM


@pytest.fixture
def archivist(client, auth):
    auth.sign_in_as("archivist", "ada")
    return client


def history(client, record_id: str, lang: str = "en") -> str:
    return client.get(f"/records/{record_id}/history?lang={lang}").get_data(as_text=True)


def form_of(record: dict, **changes) -> dict:
    return {"title": record["title"], "type": record["type"], "access": record["access"],
            "text": record["text"] or "", "people": "\n".join(f"{p['name']} | {p['role']}" for p in record["people"]),
            "base_revision": str(record["revision"]), "save": "Save", **changes}


def test_times_are_written_for_people(client, auth, save, running_clock):
    running_clock.set("2017-10-04T10:02:31Z")
    record = save(title="A letter")
    running_clock.reset()  # sessions are signed in now
    archivist = client
    auth.sign_in_as("archivist", "ada")
    assert "4 Oct 2017, 10:02 UTC" in history(archivist, record["id"])
    assert "2017-10-04T10:02" not in history(archivist, record["id"])
    assert "៤ តុលា ២០១៧, ១០:០២ ម៉ោងសកល" in history(archivist, record["id"], "km")


def test_the_write_path_keeps_no_revision_when_nothing_changed(home, save):
    record = save(title="Same", text="Words.", people=[{"name": "Kem Sokha", "role": "author"}])
    seq = store.current_seq(home.db)
    again = records.save_record(home.db, home.index, {k: record[k] for k in ("title", "type", "access", "text")}
                                | {"id": record["id"], "people": [{"name": "Kem Sokha", "role": "author"}]})
    assert again["revision"] == 1 and len(store.revisions(home.db, "record", record["id"])) == 1
    assert store.current_seq(home.db) == seq + 1  # the write happened; only the record was left alone
    assert store.record_row(home.db, record["id"])["seq"] < store.current_seq(home.db)
    person = store.get_entity(home.db, "person", record["people"][0]["id"], SYSTEM)
    records.save_entity(home.db, home.index, "person", {k: person[k] for k in ("id", "name", "variants")})
    assert len(store.revisions(home.db, "person", person["id"])) == 1


def test_a_save_with_no_change_says_so(archivist, save, home):
    record = save(title="Unchanged", text="Words.", people=[{"name": "Kem Sokha", "role": "author"}])
    response = archivist.post(f"/records/{record['id']}/edit", data=form_of(record), follow_redirects=True)
    assert "Nothing changed, so nothing was saved." in response.get_data(as_text=True)
    assert store.get_record(home.db, record["id"], SYSTEM)["revision"] == 1
    assert "No field changed" not in history(archivist, record["id"])


def test_restores_undeletes_and_merges_are_named(archivist, save, home):
    record = save(title="First", people=[{"name": "Sok Chann", "role": "narrator"}])
    archivist.post(f"/records/{record['id']}/edit", data=form_of(record, title="Second"))
    response = archivist.post(f"/records/{record['id']}/history/2/restore", follow_redirects=True)
    assert "holds what the record holds now, so nothing was saved" in response.get_data(as_text=True)
    archivist.post(f"/records/{record['id']}/history/1/restore")
    page = history(archivist, record["id"])
    assert "Revision 3 (current)" in page and "Restored from revision 1." in page
    archivist.post(f"/records/{record['id']}/delete")
    archivist.post(f"/records/{record['id']}/undelete")
    page = history(archivist, record["id"])
    assert "Revision 5 (current)" in page and "Brought back after its deletion." in page
    assert "No field changed" not in page
    old = store.get_record(home.db, record["id"], SYSTEM)["people"][0]["id"]
    keep = records.save_entity(home.db, home.index, "person", {"name": "Sok Chan"})["id"]
    archivist.post(f"/people/{old}/merge", data={"into": keep, "confirm": keep})
    page = history(archivist, record["id"])
    assert f"Links moved by a merge: {old} was merged into {keep}." in page
    page = archivist.get(f"/people/{keep}/history").get_data(as_text=True)
    assert f"Merge: {old} was merged into this one." in page
    khmer = history(archivist, record["id"], "km")
    assert "Links moved" not in khmer and "Brought back" not in khmer and "Restored from" not in khmer


def test_a_person_saved_with_no_change_says_so(archivist, save, home):
    person = save(title="x", people=[{"name": "Kem Sokha"}])["people"][0]["id"]
    form = {"name": "Kem Sokha", "variants": "Kim Sokha", "save": "Save", "base_revision": "1"}
    page = archivist.post(f"/people/{person}/edit", data=form, follow_redirects=True).get_data(as_text=True)
    assert "Saved Kem Sokha." in page
    page = archivist.post(f"/people/{person}/edit", data={**form, "base_revision": "2"},
                          follow_redirects=True).get_data(as_text=True)
    assert "Nothing changed, so nothing was saved." in page and "Saved Kem Sokha." not in page
    assert len(store.revisions(home.db, "person", person)) == 2
