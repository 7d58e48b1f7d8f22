"""Browsing: people, events and places by initial with record counts, entity pages, the timeline."""
import re

from archive import records


def test_lists_are_alphabetical_with_visible_record_counts(client, save):
    save(title="One", people=[{"name": "Zoe Black", "role": "narrator"}, {"name": "ada White"}])
    save(title="Two", people=[{"name": "Zoe Black", "role": "narrator"}])
    save(title="Hidden", access="private", people=[{"name": "Zoe Black", "role": "narrator"}])
    page = client.get("/people").get_data(as_text=True)
    names = re.findall(r'<a href="/people/[^"]+">([^<]+)</a>', page)
    assert names == ["ada White", "Zoe Black"]
    assert re.search(r'>Zoe Black</a>\s*<span class="count" title="records">2</span>', page)


def test_lists_filter_by_initial_latin_and_khmer(app, client, save, home):
    save(title="One", people=[{"name": "Kem Sokha"}, {"name": "Émile Zola"}, {"name": "ហ៊ុន សែន"}],
         places=[{"name": "Kampot"}, {"name": "Battambang"}])
    page = client.get("/people").get_data(as_text=True)
    assert 'href="/people?initial=K"' in page and 'href="/people?initial=E"' in page
    assert 'href="/people?initial=%E1%9E%A0"' in page  # ហ, the first letter of ហ៊ុន
    only_k = client.get("/people?initial=K").get_data(as_text=True)
    assert "Kem Sokha" in only_k and "Zola" not in only_k and "ហ៊ុន" not in only_k
    assert "Émile Zola" in client.get("/people?initial=E").get_data(as_text=True)
    khmer = client.get("/people", query_string={"initial": "ហ"}).get_data(as_text=True)
    assert "ហ៊ុន សែន" in khmer and "Kem Sokha" not in khmer
    places = client.get("/places?initial=B").get_data(as_text=True)
    assert "Battambang" in places and "Kampot" not in places


def test_hidden_only_authorities_stay_out_of_lists(client, save):
    save(title="Secret", access="private", people=[{"name": "Hidden Witness"}],
         events=[{"name": "Hidden meeting", "date": "1977"}])
    assert "Hidden Witness" not in client.get("/people").get_data(as_text=True)
    assert "Hidden meeting" not in client.get("/events").get_data(as_text=True)
    assert "Hidden meeting" not in client.get("/timeline").get_data(as_text=True)


def test_entity_page_groups_records_by_role_and_shows_every_variant(app, client, save, home):
    letter = save(title="Letter", people=[{"name": "Kem Sokha", "role": "author"}])
    save(title="Report", people=[{"name": "Kem Sokha", "role": "mentioned"}])
    person = letter["people"][0]["id"]
    records.save_entity(home.db, app.extensions["archive"].index, "person",
                        {"id": person, "name": "Kem Sokha", "variants": ["Kim Sokha", "កឹម សុខា"]})
    page = client.get(f"/people/{person}").get_data(as_text=True)
    assert page.index("<h3>Author</h3>") < page.index("Letter") < page.index("<h3>Mentioned</h3>") < page.index("Report")
    assert "<li>Kim Sokha</li>" in page and '<li lang="km">កឹម សុខា</li>' in page
    assert f'href="/search?person={person}"' in page


def test_event_page_shows_sub_events_dates_and_places(app, client, save, home):
    index = app.extensions["archive"].index
    parent = records.save_entity(home.db, index, "event", {"name": "Khmer Rouge regime", "date": "1975/1979",
                                                          "places": [{"name": "Cambodia"}]})
    child = records.save_entity(home.db, index, "event", {"name": "Cambodian genocide", "date": "1975/1979",
                                                         "part_of": parent["id"]})
    records.save_entity(home.db, index, "event", {"name": "Secret sub-event", "date": "1976",
                                                 "part_of": parent["id"]})
    save(title="Hidden", access="private", events=[{"name": "Secret sub-event"}])
    save(title="Testimony", events=[{"id": child["id"]}])
    page = client.get(f"/events/{parent['id']}").get_data(as_text=True)
    assert "Cambodian genocide" in page and "<time>1975–1979</time>" in page and "Cambodia" in page
    assert "Secret sub-event" not in page
    assert "Khmer Rouge regime" in client.get(f"/events/{child['id']}").get_data(as_text=True)


def test_timeline_draws_years_and_events_and_links_to_searches(app, client, save, home):
    event = records.save_entity(home.db, app.extensions["archive"].index, "event",
                                {"name": "Khmer Rouge regime", "date": "1975/1979"})
    save(title="A", date="1975-04-17", events=[{"id": event["id"]}])
    save(title="B", date="1975-05-01")
    save(title="C", period="1979/1980")
    page = client.get("/timeline").get_data(as_text=True)
    assert "<svg" in page and "<script" not in page
    assert 'href="/search?from=1975&amp;to=1975"' in page and "1975: 2 records" in page
    assert "1979: 1 record" in page and "Khmer Rouge regime (1975–1979)" in page
    assert client.get("/search.json?from=1975&to=1975").get_json()["total"] == 2
    assert "<svg" in client.get("/").get_data(as_text=True)


def test_timeline_of_an_empty_archive(client):
    assert "No dated records yet" in client.get("/timeline").get_data(as_text=True)
