"""The import check lists every authority an import would create and flags look-alikes of existing
names, which the archivist links to the existing one or confirms as new (issue 15, item 2)."""
from __future__ import annotations

import io
import re

import pytest

from archive import records, store
from archive.access import SYSTEM
from conftest import AuthActions

CSV = ("title,type,people,access\n"
       "Letter one,testimony,Sok Chann|author; Brand New Person,public\n"
       "Letter two,testimony,SOK  CHANN,public\n").encode("utf-8")


@pytest.fixture
def sok(home):
    person = records.save_entity(home.db, home.index, "person", {"name": "Sok Chan", "dates": "1950/.."},
                                 user="test")
    records.save_record(home.db, home.index, {"type": "testimony", "access": "public", "title": "Old",
                                              "people": [{"id": person["id"]}]}, user="test")
    return person["id"]


def people_called(home, name):
    return [p["id"] for p in store.iter_entities(home.db, "person", SYSTEM) if p["name"] == name]


def test_dry_run_lists_new_names_and_their_look_alikes(runner, tmp_path, sok):
    path = tmp_path / "sok.csv"
    path.write_bytes(CSV)
    result = runner.invoke(args=["import", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "people: 2 new" in result.output
    assert "new person: Sok Chann (line 2, 2 times)" in result.output
    assert f"looks like Sok Chan [{sok}, 1950/.., 1 record(s)]" in result.output
    assert "new person: Brand New Person (line 2)" in result.output
    assert "looks like" not in result.output.split("Brand New Person")[1]


@pytest.fixture
def archivist(app, sok):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    AuthActions(client).sign_in_as("archivist", "ana")
    return client


def check(client):
    page = client.get("/import").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    report = client.post("/import", data={"csrf_token": token, "file": (io.BytesIO(CSV), "sok.csv")},
                         content_type="multipart/form-data").get_data(as_text=True)
    csrf = re.findall(r'name="csrf_token" type="hidden" value="([^"]+)"', report)[0]
    upload = re.search(r'name="token" type="hidden" value="([0-9a-f]{32})"', report).group(1)
    choice = re.search(r'name="(map-person-[0-9a-f]+)" value="' + re.escape("new"), report).group(1)
    return report, {"csrf_token": csrf, "token": upload}, choice


def test_check_page_flags_the_look_alike_and_mapping_links_the_existing_person(archivist, home, sok):
    report, form, choice = check(archivist)
    assert "New people, events and places" in report
    assert re.search(r"<th scope=\"row\">People</th><td>2</td>", report)
    assert "Sok Chann" in report and "Brand New Person" in report
    assert f'value="{sok}" required' in report and f"<code>{sok}</code>" in report
    assert "1950 onwards" in report and "1 record<" in report
    # no choice made: nothing is imported, the page says what is missing
    refused = archivist.post("/import/confirm", data=form)
    assert refused.status_code == 400 and "Choose whether the marked name" in refused.get_data(as_text=True)
    assert not people_called(home, "Sok Chann")
    done = archivist.post("/import/confirm", data={**form, choice: sok})
    assert done.status_code == 302
    assert not people_called(home, "Sok Chann")
    linked = {r["title"] for r in store.entity_records(home.db, "person", sok, SYSTEM)}
    assert linked == {"Old", "Letter one", "Letter two"}
    assert people_called(home, "Brand New Person")


def test_confirming_as_new_creates_the_new_person(archivist, home, sok):
    _, form, choice = check(archivist)
    assert archivist.post("/import/confirm", data={**form, choice: "new"}).status_code == 302
    (new,) = people_called(home, "Sok Chann")
    assert {r["title"] for r in store.entity_records(home.db, "person", new, SYSTEM)} == {
        "Letter one", "Letter two"}


def test_a_forged_choice_is_refused(archivist, home, sok):
    _, form, choice = check(archivist)
    assert archivist.post("/import/confirm", data={**form, choice: "p-nobody"}).status_code == 400
    assert not people_called(home, "Sok Chann")
