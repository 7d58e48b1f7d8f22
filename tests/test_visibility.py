"""Who sees which people, events and places: an authority shows only through a record the viewer may
see (directly, or through `part_of` chains and event places), and no visible object names a hidden one.

Every output is read as an anonymous visitor, a researcher and an archivist, signed in through the
real /login form; the canary fixture (tests/conftest.py) supplies the records and authorities.
"""
from __future__ import annotations

import json
import re

import pytest

from archive import accounts, export
from archive.access import SYSTEM
from conftest import CHAIN, UNLINKED, read_jsonl

PASSWORD = "canary tests may pass here 42"
ROLES = {None: {"public"}, "researcher": {"public", "restricted"},
         "archivist": {"public", "restricted", "private", "embargoed"}}
LEVELS = ("public", "restricted", "private", "embargoed")


def sign_in(home, client, role: str | None) -> None:
    if role is None:
        return
    accounts.add_user(home.db, f"u-{role}", PASSWORD, role)
    response = client.post("/login", data={"username": f"u-{role}", "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert "Signed in" in client.get(response.headers["Location"]).get_data(as_text=True)  # the flash is shown


def authorities(home) -> dict[str, tuple[str, str]]:
    """Every canary authority by name: (kind, id), as the whole archive holds them."""
    return {o["name"]: (o["kind"], o["id"]) for o in export.iter_objects(home.db, SYSTEM)
            if o["kind"] != "record" and o["id"] != "p-namesake"}


def expected(role: str | None) -> dict[str, bool]:
    """For each canary authority's name, whether this viewer may see it."""
    levels = ROLES[role]
    shown = {f"{stem} {level}": level in levels for stem in CHAIN for level in LEVELS}
    shown |= {f"{stem} {level}": role == "archivist" for stem in UNLINKED for level in LEVELS}
    shown["Hall shared"] = True  # one of the public event's places
    return shown


PLURAL = {"person": "people", "event": "events", "place": "places"}


@pytest.mark.parametrize("role", ROLES)
def test_authorities_reached_only_through_hidden_records_are_hidden_everywhere(home, client, canaries, role):
    sign_in(home, client, role)
    shown = expected(role)
    kinds_of = {**{f"{s} {lv}": k for s, k in (CHAIN | UNLINKED).items() for lv in LEVELS},
                "Hall shared": "place"}
    outputs = {url: client.get(url).get_data(as_text=True) for url in (
        "/", "/places", "/events", "/timeline", "/export.jsonl", "/export.json", "/export.jsonld",
        *(f"/suggest?q={stem}" for stem in (*CHAIN, *UNLINKED, "Hall")),
        *(f"/suggest?q={stem}&kind={kind}" for stem, kind in (CHAIN | UNLINKED).items()))}
    for name, visible in shown.items():
        kind = kinds_of[name]
        if visible:
            for url in (f"/{PLURAL[kind]}", "/export.jsonl", "/export.jsonld",
                        f"/suggest?q={name.split()[0]}"):
                assert name in outputs[url], (name, url)
            if kind == "event":  # every canary event is dated
                for url in ("/", "/timeline"):
                    assert name in outputs[url], (name, url)
        else:
            for url, text in outputs.items():
                assert name not in text, (name, url)


@pytest.mark.parametrize("role", ROLES)
def test_home_counts_only_the_authorities_the_viewer_may_see(home, client, canaries, role):
    sign_in(home, client, role)
    shown = expected(role)
    places = sum(1 for name, visible in shown.items()
                 if visible and (name == "Hall shared" or (CHAIN | UNLINKED)[name.split()[0]] == "place"))
    events = sum(1 for name, visible in shown.items()
                 if visible and name != "Hall shared" and (CHAIN | UNLINKED)[name.split()[0]] == "event")
    people = len(ROLES[role]) + (role == "archivist")  # one witness per level, and the namesake
    page = client.get("/").get_data(as_text=True)
    assert f"<strong>{places}</strong> {'place' if places == 1 else 'places'}" in page
    assert f"<strong>{events}</strong> {'event' if events == 1 else 'events'}" in page
    assert f"<strong>{people}</strong> {'person' if people == 1 else 'people'}" in page


# A signed-in page's sign-out form carries a CSRF token with a timestamp: two pages a second apart differ.
CSRF_TOKEN = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+')


def same_page(response) -> str:
    return CSRF_TOKEN.sub(r"\1token", response.get_data(as_text=True))


@pytest.mark.parametrize("role", ROLES)
def test_hidden_authorities_answer_like_missing_ones(home, client, canaries, role):
    sign_in(home, client, role)
    shown = expected(role)
    for name, (kind, entity_id) in authorities(home).items():
        if name not in shown:
            continue
        for suffix in ("", ".json", ".jsonld"):
            response = client.get(f"/{PLURAL[kind]}/{entity_id}{suffix}")
            assert response.status_code == (200 if shown[name] else 404), (name, suffix)
            if not shown[name]:
                missing = client.get(f"/{PLURAL[kind]}/x-missing{suffix}")
                assert same_page(response).replace(entity_id, "X") == \
                    same_page(missing).replace("x-missing", "X")
    namesake = client.get("/people/p-namesake.json")
    assert namesake.status_code == (200 if role == "archivist" else 404)


def references(obj: dict) -> set[tuple[str, str]]:
    """The (kind, id) of every object this object of our JSON names."""
    found = {("place", p["id"]) for p in obj.get("places") or []}
    found |= {("person", p["id"]) for p in obj.get("people") or []}
    found |= {("event", e["id"]) for e in obj.get("events") or []}
    if obj.get("part_of"):
        found.add((obj["kind"], obj["part_of"]))
    return found


def named_ids(node) -> set[str]:
    """Every `@id` inside a JSON-LD node, its own included."""
    if isinstance(node, list):
        return set().union(*(named_ids(n) for n in node))
    if not isinstance(node, dict):
        return set()
    found = {node["@id"]} if isinstance(node.get("@id"), str) else set()
    return found.union(*(named_ids(v) for v in node.values()))


@pytest.mark.parametrize("role", ROLES)
def test_nothing_a_viewer_sees_names_what_the_viewer_may_not_see(home, client, canaries, role):
    sign_in(home, client, role)
    objects = read_jsonl(client.get("/export.jsonl").get_data(as_text=True))
    exported = {(o["kind"], o["id"]) for o in objects}
    for obj in objects:
        assert references(obj) <= exported, obj["name" if obj["kind"] != "record" else "title"]
    for kind, entity_id in exported - {("record", o["id"]) for o in objects}:
        data = client.get(f"/{PLURAL[kind]}/{entity_id}.json").get_json()
        assert references(data) <= exported, data["name"]
        linked = {("record", r["id"]) for r in data["records"]}
        assert linked <= exported, data["name"]
        page = client.get(f"/{PLURAL[kind]}/{entity_id}").get_data(as_text=True)
        for other_kind, other_id in references(data):
            assert f"/{PLURAL[other_kind]}/{other_id}" in page
        document = client.get(f"/{PLURAL[kind]}/{entity_id}.jsonld").get_json()
        for key in ("containedInPlace", "superEvent", "location"):
            nodes = document.get(key) or []
            for node in nodes if isinstance(nodes, list) else [nodes]:
                other = node["@id"].rsplit("/", 1)[1]
                assert (("event" if key == "superEvent" else "place"), other) in exported, data["name"]
    graph = json.loads(client.get("/export.jsonld").get_data(as_text=True))["@graph"]
    ids = {node["@id"] for node in graph}
    for node in graph:
        for other in named_ids(node) - {node["@id"]}:
            if any(f"/{plural}/" in other for plural in (*PLURAL.values(), "records")):
                assert other in ids, (node["name"], other)
    # the public event names the place the private record also names, and that place is shown
    names = {o["name"]: o for o in objects if o["kind"] != "record"}
    hall = names["Hall shared"]["id"]
    assert hall in {p["id"] for p in names["Event public"]["places"]}
    assert client.get(f"/places/{hall}").status_code == 200
    # the parts of an event are those the viewer may see
    event = client.get(f"/events/{names['Event public']['id']}").get_data(as_text=True)
    assert ("Episode public" in event) == (role == "archivist")


@pytest.mark.parametrize("role", ROLES)
def test_filters_by_name_resolve_among_what_the_viewer_may_see(home, client, canaries, role):
    sign_in(home, client, role)
    # a hidden person is also called "Witness public": the filter still finds the public one
    page = client.get("/search?person=Witness public").get_data(as_text=True)
    data = client.get("/search.json?person=Witness public").get_json()
    assert "No person called" not in page
    if role == "archivist":  # both are visible; the name stands for one of them
        assert data["total"] == 1
    else:
        assert [h["id"] for h in data["hits"]] == [canaries["public"]["id"]]
    # a name only hidden records reach is unknown, as a name nobody has
    for name, visible in expected(role).items():
        kind = (CHAIN | UNLINKED).get(name.split()[0], "place")
        page = client.get(f"/search?{kind}={name}").get_data(as_text=True)
        assert (f"No {kind} called “{name}”" in page) == (not visible), name


@pytest.mark.parametrize("role", ROLES)
def test_a_merged_id_leads_only_to_what_the_viewer_may_see(app, home, client, canaries, role):
    """The old id of a person merged into a hidden one answers 404 like a missing id, on every
    address (page, .json, .jsonld, edit); a viewer who may see the one kept is led there (301)."""
    from archive import merges, records
    sign_in(home, client, role)
    people = {p["name"]: p["id"] for p in export.iter_objects(home.db, SYSTEM) if p["kind"] == "person"}
    for level in LEVELS:
        old = records.save_entity(home.db, home.index, "person", {"name": f"Alias {level}"})["id"]
        keep = people[f"Witness {level}"]
        merges.merge_entities(home.db, home.index, "person", old, keep, user="test")
        for suffix in ("", ".json", ".jsonld"):
            response = client.get(f"/people/{old}{suffix}")
            missing = client.get(f"/people/p-missing{suffix}")
            if level in ROLES[role]:
                assert response.status_code == 301, (level, suffix)
                assert response.headers["Location"] == f"/people/{keep}{suffix}"
            else:
                assert response.status_code == 404 == missing.status_code, (level, suffix)
                assert same_page(response) == same_page(missing).replace("p-missing", old)
